//! `wct serve`: a real HTTP server on a free loopback port, driven by a real HTTP client,
//! serving the C proxy component `tests/fixtures/http/echo.wasm`.

use crate::common::{fixture, wct};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// A running `wct serve`, killed when dropped; its stderr is collected line by line.
pub struct Serving {
    child: Child,
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Serving {
    pub fn start(component: &str, extra: &[&str]) -> Serving {
        Serving::start_path(&fixture(component), extra)
    }

    /// Starts `wct serve FILE --addr 127.0.0.1:0 --no-cache EXTRA...` and waits for its address.
    pub fn start_path(file: &std::path::Path, extra: &[&str]) -> Serving {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("wct"))
            .arg("serve")
            .arg(file)
            .args(["--addr", "127.0.0.1:0", "--no-cache"])
            .args(extra)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wct serve starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in crate::common::lossy_lines(stderr) {
                // The address ends at whitespace, as the wasi-testsuite runner reads it.
                if let Some(rest) = line.split("on http://").nth(1) {
                    let url = rest.split_whitespace().next().unwrap_or_default();
                    let _ = tx.send(url.trim_end_matches('/').to_string());
                }
                lines.lock().unwrap().push(line);
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("wct serve prints its address")
            .parse()
            .unwrap();
        Serving { child, addr, log }
    }

    /// POSTs `body` to `path`.
    pub fn post(&self, path: &str, body: &[u8]) -> Reply {
        reply(agent().post(&self.url(path)).send_bytes(body))
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// The log once it contains every one of `needles` (the reader thread may lag behind
    /// the responses), or as it is after a minute (the caller's assertion then shows it).
    pub fn log_with(&self, needles: &[&str]) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let log = self.log();
            if needles.iter().all(|n| log.contains(n)) || std::time::Instant::now() > deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until the server has logged every one of `needles`: the server's own word that
    /// something happened, instead of a guess how long it takes.
    fn wait_for_log(&self, needles: &[&str]) {
        let log = self.log_with(needles);
        for needle in needles {
            assert!(log.contains(needle), "never logged {needle:?}:\n{log}");
        }
    }

    /// Sends SIGTERM and waits for the exit status.
    fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let status = self.child.wait().unwrap();
        (status, self.log_with(&["wct serve: stopped"]))
    }
}

impl Reply {
    /// The `x-wct-error` header of a 500.
    pub fn error_header(&self) -> Option<&str> {
        self.error_header.as_deref()
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Status, headers we look at, and body of a response (errors statuses included).
pub struct Reply {
    pub status: u16,
    transfer_encoding: Option<String>,
    pub content_type: Option<String>,
    fixture_header: Option<String>,
    error_header: Option<String>,
    pub body: Vec<u8>,
}

fn reply(result: Result<ureq::Response, ureq::Error>) -> Reply {
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    let mut body = Vec::new();
    let status = response.status();
    let header = |n: &str| response.header(n).map(str::to_string);
    let (transfer_encoding, content_type, fixture_header, error_header) = (
        header("transfer-encoding"),
        header("content-type"),
        header("x-wct-fixture"),
        header("x-wct-error"),
    );
    response.into_reader().read_to_end(&mut body).unwrap();
    Reply {
        status,
        transfer_encoding,
        content_type,
        fixture_header,
        error_header,
        body,
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build()
}

pub fn get(server: &Serving, path: &str) -> Reply {
    reply(agent().get(&server.url(path)).call())
}

#[test]
fn answers_get_post_and_large_streamed_bodies() {
    let server = Serving::start("http/echo.wasm", &[]);

    let hello = get(&server, "/hello?name=Ada");
    assert_eq!(hello.status, 200);
    assert_eq!(hello.body, b"hello Ada\n");
    assert_eq!(hello.content_type.as_deref(), Some("text/plain"));
    assert_eq!(hello.fixture_header.as_deref(), Some("echo"));

    let echoed = reply(
        agent()
            .post(&server.url("/echo"))
            .set("content-type", "application/x-wct-test")
            .send_bytes(b"the body, echoed"),
    );
    assert_eq!(echoed.status, 200);
    assert_eq!(echoed.body, b"the body, echoed");
    assert_eq!(
        echoed.content_type.as_deref(),
        Some("application/x-wct-test")
    );

    // 6 MiB of varied bytes, streamed through the guest in chunks both ways.
    let large: Vec<u8> = (0..6u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let big = reply(agent().post(&server.url("/echo")).send_bytes(&large));
    assert_eq!(big.status, 200);
    assert_eq!(big.transfer_encoding.as_deref(), Some("chunked"));
    assert_eq!(big.body.len(), large.len());
    assert!(big.body == large, "the echoed 6 MiB differ");

    let missing = get(&server, "/nowhere");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body, b"not found: /nowhere\n");

    // The guest's stdout is the server's (wasi:cli linked beside the proxy world).
    assert_eq!(get(&server, "/log").status, 200);
    let mut stdout = String::new();
    let mut server = server;
    let _ = server.child.kill();
    let _ = server.child.wait();
    server
        .child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert!(stdout.contains("guest log: /log"), "{stdout}");
    let log = server.log_with(&["\"GET /nowhere\" 404"]);
    assert!(log.contains("\"GET /hello?name=Ada\" 200"), "{log}");
    assert!(log.contains("\"POST /echo\" 200"), "{log}");
    assert!(log.contains("\"GET /nowhere\" 404"), "{log}");
}

#[test]
fn a_trap_or_a_loop_gets_a_500_and_the_server_goes_on() {
    let server = Serving::start("http/echo.wasm", &["--timeout", "1s"]);

    let trapped = get(&server, "/trap");
    assert_eq!(trapped.status, 500);
    assert_eq!(trapped.error_header.as_deref(), Some("trap"));
    assert_eq!(get(&server, "/hello?name=again").body, b"hello again\n");

    let started = std::time::Instant::now();
    let looped = get(&server, "/loop");
    assert_eq!(looped.status, 500);
    assert_eq!(looped.error_header.as_deref(), Some("timeout"));
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(get(&server, "/hello?name=still").body, b"hello still\n");

    // The log reader may lag behind the responses: wait for the lines, do not assume them.
    let log = server.log_with(&["\"GET /loop\": timeout", "\"GET /trap\" 500"]);
    assert!(
        log.contains(
            "\"GET /trap\": the guest trapped: wasm `unreachable` instruction executed in"
        ),
        "{log}"
    );
    assert!(
        log.contains("exports_wasi_http_incoming_handler_handle"),
        "{log}"
    );
    assert!(log.contains("\"GET /loop\": timeout"), "{log}");
    assert!(log.contains("\"GET /trap\" 500"), "{log}");
}

#[test]
fn fuel_and_memory_limits_apply_per_request() {
    let server = Serving::start("http/echo.wasm", &["--fuel", "2000000"]);
    // Each request gets the full budget: many requests in a row all succeed...
    for _ in 0..5 {
        assert_eq!(get(&server, "/hello").status, 200);
    }
    // ...while a loop exhausts it.
    let looped = get(&server, "/loop");
    assert_eq!(looped.status, 500);
    assert_eq!(looped.error_header.as_deref(), Some("fuel"));
    assert_eq!(get(&server, "/hello").status, 200);

    // A memory cap below what the guest needs stops every request, with the reason logged.
    let capped = Serving::start("http/echo.wasm", &["--max-memory", "64KiB"]);
    let refused = get(&capped, "/hello");
    assert_eq!(refused.status, 500);
    assert_eq!(refused.error_header.as_deref(), Some("memory"));
    let log = capped.log_with(&["memory limit exceeded"]);
    assert!(log.contains("(limit 65536)"), "{log}");
}

#[test]
fn outgoing_http_is_denied_unless_allowed() {
    let upstream = Serving::start("http/echo.wasm", &["-q"]);
    let port = upstream.addr.port();
    let target = format!("/fetch?to=127.0.0.1:{port}/hello?name=upstream");

    let denied_server = Serving::start("http/echo.wasm", &[]);
    let denied = get(&denied_server, &target);
    assert_eq!(denied.status, 502);
    // error-code 15 is `HTTP-request-denied` in wasi:http/types.
    assert_eq!(denied.body, b"fetch failed: error-code 15\n");
    let log = denied_server.log_with(&["--allow-http"]);
    assert!(
        log.contains(&format!("--allow-http 127.0.0.1:{port}")),
        "{log}"
    );

    let allowed_server = Serving::start(
        "http/echo.wasm",
        &["--allow-http", &format!("127.0.0.1:{port}")],
    );
    let allowed = get(&allowed_server, &target);
    assert_eq!(allowed.status, 200);
    assert_eq!(allowed.body, b"upstream 200: hello upstream\n");
}

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let server = Serving::start("http/echo.wasm", &["--verbose"]);
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .write_all(b"POST /echo HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\n01234")
        .unwrap();
    // The request runs in an instance, which waits for the rest of the body.
    server.wait_for_log(&["\"POST /echo\": started"]);
    let kill = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    // Shutdown has begun once the listening socket is closed: no new connections from then on.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(server.addr).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "the server still accepts connections a minute after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    stream.write_all(b"56789").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    // Streamed back as it arrived: one chunk per half, then the last chunk.
    assert!(
        response.ends_with("\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n"),
        "{response:?}"
    );
    let (status, log) = server.terminate();
    assert!(status.success(), "{status:?}\n{log}");
    assert!(log.contains("stopped after 1 requests (0 failed)"), "{log}");
}

#[test]
fn refuses_a_component_that_is_not_a_proxy() {
    wct()
        .args(["serve"])
        .arg(fixture("compose/greeter.wasm"))
        .args(["--addr", "127.0.0.1:0", "--no-cache"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "does not export wasi:http/incoming-handler",
        ))
        .stderr(predicates::str::contains("it exports wct:demo/greet@0.1.0"));
    wct()
        .args(["serve"])
        .arg(fixture("c/hello.wasm"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a component"));
    wct()
        .args(["targets"])
        .arg(fixture("compose/greeter.wasm"))
        .args(["--world", "wasi:http/proxy"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "export wasi:http/incoming-handler@0.2.12: missing from the component",
        ))
        .stdout(predicates::str::contains(
            "the component exports wct:demo/greet@0.1.0",
        ));
    wct()
        .args(["targets"])
        .arg(fixture("http/echo.wasm"))
        .args(["--world", "wasi:http/proxy"])
        .assert()
        .success();
}

#[test]
fn address_in_use_is_a_clear_error() {
    let server = Serving::start("http/echo.wasm", &["-q"]);
    wct()
        .args(["serve"])
        .arg(fixture("http/echo.wasm"))
        .args(["--no-cache", "--addr", &server.addr.to_string()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(format!(
            "cannot listen on {}",
            server.addr
        )));
}

/// `--max-concurrency`: with one slot a request waits until the looping one is stopped; with
/// two it runs beside it. Ordered by the server's own log (`--verbose` logs when a request
/// waits and when it starts), never by sleeping.
#[test]
fn max_concurrency_bounds_running_instances() {
    for slots in [1, 2] {
        let server = Serving::start(
            "http/echo.wasm",
            &[
                "--verbose",
                "--max-concurrency",
                &slots.to_string(),
                "--timeout",
                "5s",
            ],
        );
        let looping = {
            let url = server.url("/loop");
            std::thread::spawn(move || reply(agent().get(&url).call()).status)
        };
        server.wait_for_log(&["\"GET /loop\": started"]);
        assert_eq!(get(&server, "/hello").status, 200);
        assert_eq!(looping.join().unwrap(), 500);
        let log = server.log_with(&["\"GET /loop\" 500", "\"GET /hello\" 200"]);
        let events: Vec<String> = log
            .lines()
            .filter_map(|line| {
                let request = ["loop", "hello"]
                    .into_iter()
                    .find(|r| line.contains(&format!("\"GET /{r}\"")))?;
                let event = if line.contains(": waiting for a free slot") {
                    "waits"
                } else if line.contains(": started") {
                    "starts"
                } else if line.ends_with("ms") {
                    "ends"
                } else {
                    return None;
                };
                Some(format!("{request} {event}"))
            })
            .collect();
        let expected = if slots == 1 {
            vec![
                "loop starts",
                "hello waits",
                "loop ends",
                "hello starts",
                "hello ends",
            ]
        } else {
            vec!["loop starts", "hello starts", "hello ends", "loop ends"]
        };
        assert_eq!(events, expected, "--max-concurrency {slots}:\n{log}");
        if slots == 2 {
            assert!(
                log.contains("\"GET /hello\": started (2 of 2 slots in use)"),
                "{log}"
            );
        }
    }
}
