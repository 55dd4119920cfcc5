//! What the host gives a guest where WASI says so and wasmtime 48 does not (issue #28): the
//! network capability is checked where an address is used, not when a socket is created; a
//! listen without bind is a wildcard bind; outgoing WASI 0.3 requests without a path go to
//! `/`, relative paths are kept, and a request never transmitted says so on its transmission
//! future; served requests carry their scheme and authority. Each is probed by a component
//! built here: `tests/fixtures/python3/probe.py` (WASI 0.3, componentize-py), the C proxy
//! `tests/fixtures/http/echo.c` and the C socket client `tests/fixtures/net/connect.c`
//! (WASI 0.2), and the Python 0.3 service.

use crate::common::*;
use crate::run::run_cmd;
use crate::serve::Serving;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;

/// The WASI 0.3 probe command (see its header for the probes).
pub(crate) fn probe() -> PathBuf {
    PythonBuild {
        dir: "python3",
        module: "probe",
        world: "probe",
        wasi: Some("wasi:http/service@0.3.0"),
        wit: &[("probe.wit", "tests/fixtures/python3/probe.wit")],
    }
    .build()
}

/// Runs the probe with `flags` (grants) and `args`; returns its exit status and stdout.
fn run_probe(flags: &[&str], args: &[&str]) -> (Option<i32>, String) {
    let cache = tempfile::tempdir().unwrap();
    let out = run_cmd(cache.path())
        .args(flags)
        .arg(probe())
        .arg("--")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0),
        "the probe failed: {}",
        stderr_of(&out)
    );
    (out.status.code(), stdout_of(&out))
}

/// An HTTP/1.1 server on loopback answering `200 ok` to each request; the request lines it
/// read come back on the channel.
fn recording_server() -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let authority = listener.local_addr().unwrap().to_string();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            // The rest of the head.
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                    break;
                }
            }
            let _ = tx.send(line.trim_end().to_string());
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    (authority, rx)
}

#[test]
fn an_outgoing_0_3_request_without_a_path_is_sent_as_the_root() {
    let (authority, requests) = recording_server();
    let (_, stdout) = run_probe(
        &["--allow-http", "127.0.0.1"],
        &["http-get", authority.as_str()],
    );
    assert_eq!(stdout, "status 200\n");
    assert_eq!(requests.recv().unwrap(), "GET / HTTP/1.1");
}

#[test]
fn a_request_never_transmitted_fails_its_transmission_future_too() {
    // Denied by the sandbox: no --allow-http for this destination.
    let (authority, requests) = recording_server();
    let (_, stdout) = run_probe(&[], &["http-sent", authority.as_str()]);
    assert_eq!(
        stdout,
        "send: error HttpRequestDenied\nsent: error HttpRequestDenied\n"
    );
    // An authority that does not resolve (.invalid never does, RFC 6761).
    let (_, stdout) = run_probe(
        &["--allow-http", "nonexistent.invalid"],
        &["http-sent", "nonexistent.invalid:80"],
    );
    assert_eq!(stdout, "send: error DnsError\nsent: error DnsError\n");
    // Transmitted: both succeed, and the server saw it.
    let (_, stdout) = run_probe(
        &["--allow-http", "127.0.0.1"],
        &["http-sent", authority.as_str()],
    );
    assert_eq!(stdout, "send: ok 200\nsent: ok\n");
    assert_eq!(requests.recv().unwrap(), "GET / HTTP/1.1");
    assert!(
        requests.try_recv().is_err(),
        "a denied request reached the server"
    );
}

#[test]
fn set_path_with_query_keeps_relative_references() {
    let (_, stdout) = run_probe(&[], &["paths"]);
    assert_eq!(
        stdout,
        "'/': ok, reads back '/'\n\
         '/a/b/c': ok, reads back '/a/b/c'\n\
         '/?foo': ok, reads back '/?foo'\n\
         'a/b/c': ok, reads back 'a/b/c'\n\
         '../..': ok, reads back '../..'\n\
         '?foo': ok, reads back '?foo'\n\
         '': ok, reads back '/'\n\
         '/a b': error NoneType, reads back '/'\n"
    );
}

/// What the `sockets` probe prints: creating and configuring always work; each use of an
/// address prints `addresses`.
fn sockets_probe_output(addresses: &str) -> String {
    format!(
        "tcp create: ok\n\
         tcp keep-alive set: ok\n\
         tcp keep-alive get: ok True\n\
         tcp hop-limit set: ok\n\
         tcp hop-limit get: ok 42\n\
         tcp bind 127.0.0.1:0: {addresses}\n\
         tcp connect: {addresses}\n\
         tcp listen: {addresses}\n\
         udp create: ok\n\
         udp hop-limit set: ok\n\
         udp hop-limit get: ok 9\n\
         udp bind 127.0.0.1:0: {addresses}\n\
         udp send-to: {addresses}\n"
    )
}

#[test]
fn sockets_need_no_grant_but_every_address_does() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let (_, stdout) = run_probe(&[], &["sockets", port.as_str()]);
    assert_eq!(stdout, sockets_probe_output("error AccessDenied"));
    let (_, stdout) = run_probe(&["--net"], &["sockets", port.as_str()]);
    assert_eq!(stdout, sockets_probe_output("ok"));
}

#[test]
fn a_listen_without_bind_is_a_wildcard_bind_under_net() {
    let (_, stdout) = run_probe(&["--net"], &["listen"]);
    assert_eq!(
        stdout,
        "listen: ok\nlocal address: ipv4, port assigned: True\n"
    );
    // The narrower grant: listeners only on granted addresses.
    let (_, stdout) = run_probe(&["--net", "--net-listen", "granted"], &["listen"]);
    assert_eq!(stdout, "listen: error AccessDenied\n");
    let (_, stdout) = run_probe(&[], &["listen"]);
    assert_eq!(stdout, "listen: error AccessDenied\n");
}

/// The wasi-testsuite's `filesystem-read-directory` fails after other programs ran in the same
/// folder: they create `parent.cleanup -> ..` and leave it, and the runner's clean-up skips
/// symlinks. The link is the guest's own file (creating it is allowed, following it out of the
/// grant is not); a second program in the same folder finds it.
#[test]
fn a_parent_link_a_guest_makes_stays_and_leads_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "a").unwrap();
    let grant = format!("{}::/", dir.path().display());
    let (_, first) = run_probe(&["--dir", &grant], &["parent-link"]);
    assert_eq!(
        first,
        "symlink: ok\nfollow: error NotPermitted\n\
         entries: a.txt (RegularFile), parent.cleanup (SymbolicLink)\n"
    );
    let link = dir.path().join("parent.cleanup");
    assert_eq!(std::fs::read_link(&link).unwrap(), PathBuf::from(".."));
    let (_, second) = run_probe(&["--dir", &grant], &["parent-link"]);
    assert_eq!(
        second,
        "symlink: error Exist\nfollow: error NotPermitted\n\
         entries: a.txt (RegularFile), parent.cleanup (SymbolicLink)\n"
    );
}

/// The body of `GET /uri` sent to `server` on a connection of its own, with `head` after the
/// request line.
fn served_uri(server: &Serving, version: &str, head: &str) -> String {
    let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
    write!(
        stream,
        "GET /uri {version}\r\n{head}connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.contains(" 200 OK\r\n"), "{response}");
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_string();
    }
    // Chunks: a hexadecimal size line, the data, CRLF; a zero size ends them.
    let mut rest = body;
    let mut decoded = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        decoded.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    decoded
}

#[test]
fn a_served_request_has_a_scheme_and_an_authority() {
    let python = crate::wasi_p3::service();
    for (component, wasi) in [(python, "0.3"), (fixture("http/echo.wasm"), "0.2")] {
        let server = Serving::start_path(&component, &[]);
        // The authority the client named.
        let named = served_uri(&server, "HTTP/1.1", "host: example.test:81\r\n");
        assert_eq!(named, "Http example.test:81\n", "WASI {wasi}");
        // None named (HTTP/1.0 without Host): the address the server listens on.
        let unnamed = served_uri(&server, "HTTP/1.0", "");
        assert_eq!(unnamed, format!("Http {}\n", server.addr), "WASI {wasi}");
    }
}
