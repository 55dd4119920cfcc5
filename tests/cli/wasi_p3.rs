//! WASI 0.3 end to end on components from a real toolchain: componentize-py 0.25.1 builds a 0.3
//! command, a 0.3 HTTP service, a library with `async func` exports (one returning a
//! `stream`) and a 0.3 command that calls the library (from `tests/fixtures/python3/`, on
//! demand, cached like the other Python fixtures). They run, serve, compose and answer
//! `--invoke`; `wct targets` agrees with `wasm-tools component targets` on the built-in 0.3
//! worlds. One 0.3 command is not Python: a core module written in WAT
//! (`tests/fixtures/wat/hello-p3.wat`) that wct embeds and encodes.

use crate::common::*;
use crate::run::run_cmd;
use crate::serve::{get, Serving};
use predicates::prelude::*;
use std::path::PathBuf;

fn command() -> PathBuf {
    PythonBuild {
        dir: "python3",
        module: "command",
        world: "wasi:cli/command@0.3.0",
        wasi: Some("wasi:cli/command@0.3.0"),
        wit: &[],
    }
    .build()
}

pub fn service() -> PathBuf {
    PythonBuild {
        dir: "python3",
        module: "service",
        world: "wasi:http/service@0.3.0",
        wasi: Some("wasi:http/service@0.3.0"),
        wit: &[],
    }
    .build()
}

fn library() -> PathBuf {
    PythonBuild {
        dir: "python3",
        module: "library",
        world: "library",
        wasi: None,
        wit: &[("library.wit", "tests/fixtures/python3/library.wit")],
    }
    .build()
}

fn app() -> PathBuf {
    PythonBuild {
        dir: "python3",
        module: "app",
        world: "app",
        wasi: Some("wasi:cli/command@0.3.0"),
        wit: &[
            ("app.wit", "tests/fixtures/python3/app.wit"),
            (
                "deps/wct-pyasync/library.wit",
                "tests/fixtures/python3/library.wit",
            ),
        ],
    }
    .build()
}

#[test]
fn a_python_wasi_0_3_command_runs_sandboxed_with_its_exit_status() {
    let cache = tempfile::tempdir().unwrap();
    let cmd = command();
    run_cmd(cache.path())
        .arg(&cmd)
        .args(["--env", "GREETING=hi", "--", "0", "x"])
        .assert()
        .success()
        .stdout("hello from Python on WASI 0.3: args=['0', 'x']\nGREETING=hi\n");
    // The environment is empty unless granted; `run` returning an error is exit 1.
    run_cmd(cache.path())
        .arg(&cmd)
        .args(["--", "7"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("GREETING=(unset)"));
}

/// The hand-written WAT command, embedded into `wasi:cli/command@0.3.0` and encoded by wct.
pub(crate) fn wat_command(dir: &std::path::Path) -> PathBuf {
    let source = fixture("wat/hello-p3.wat");
    embed_and_encode(
        dir,
        "hello-p3",
        &["wasi:cli/command@0.3.0".as_ref(), source.as_os_str()],
    )
}

#[test]
fn a_wat_wasi_0_3_command_builds_runs_and_fits_its_world_as_wasm_tools_says() {
    let dir = tempfile::tempdir().unwrap();
    let component = wat_command(dir.path());
    wct().arg("validate").arg(&component).assert().success();
    wasm_tools_validates(&component);
    // `run` calls `wasi:cli/run@0.3.0`; the line goes through a stream the host reads.
    let cache = tempfile::tempdir().unwrap();
    run_cmd(cache.path())
        .arg(&component)
        .assert()
        .success()
        .stdout("hello from a WAT component on WASI 0.3\n");
    // Limits hold on the async path too: fuel runs out inside the task.
    run_cmd(cache.path())
        .args(["--fuel", "20"])
        .arg(&component)
        .assert()
        .code(125)
        .stdout("")
        .stderr(predicate::str::contains("out of fuel"));
    // Unlike componentize-py's, this component imports nothing from 0.2: it fits the pure 0.3
    // world and not the 0.2 one, as wasm-tools also says.
    let wit = tempfile::tempdir().unwrap();
    for (world, fits) in [
        ("wasi:cli/command@0.3.0", true),
        ("wasi:cli/command", false),
    ] {
        let printed = wit.path().join(world.replace([':', '/', '@'], "-"));
        wct()
            .args(["wit", "print", world, "--out-dir"])
            .arg(&printed)
            .assert()
            .success();
        let theirs = std::process::Command::new(wasm_tools())
            .args(["component", "targets"])
            .arg(&printed)
            .arg(&component)
            .args(["--world", world])
            .output()
            .unwrap();
        assert_eq!(theirs.status.success(), fits, "{}", stderr_of(&theirs));
        let ours = wct()
            .arg("targets")
            .arg(&component)
            .args(["--world", world])
            .output()
            .unwrap();
        assert_eq!(
            ours.status.code(),
            Some(if fits { 0 } else { 1 }),
            "{}",
            stdout_of(&ours)
        );
    }
    let out = wct()
        .arg("inspect")
        .arg(&component)
        .arg("--json")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let profile = &json["async_profile"];
    assert_eq!(profile["wasi"], "0.3", "{profile}");
    assert_eq!(profile["async_exports"][0], "wasi:cli/run@0.3.0#run");
    assert_eq!(profile["async_builtins"]["stream.write"], 1, "{profile}");
    assert_eq!(profile["async_builtins"]["task.return"], 1, "{profile}");
}

#[test]
fn targets_checks_wasi_0_3_worlds_as_wasm_tools_does() {
    // componentize-py's libc imports WASI 0.2.9 beside the 0.3 world, so neither component fits
    // a pure 0.3 world: wct and wasm-tools must say the same.
    let checks = [
        (command(), "wasi:cli/command@0.3.0"),
        (service(), "wasi:http/service@0.3.0"),
        (command(), "wasi:http/service@0.3.0"),
        (service(), "wasi:cli/command@0.3.0"),
        (library(), "wasi:cli/command@0.3.0"),
    ];
    for (component, world) in checks {
        let ours = wct()
            .args(["targets"])
            .arg(&component)
            .args(["--world", world])
            .output()
            .unwrap();
        // wasm-tools checks against the same vendored WIT, printed by wct.
        let wit = tempfile::tempdir().unwrap();
        wct()
            .args(["wit", "print", world, "--out-dir"])
            .arg(wit.path())
            .assert()
            .success();
        let theirs = std::process::Command::new(wasm_tools())
            .args(["component", "targets"])
            .arg(wit.path())
            .arg(&component)
            .args(["--world", world])
            .output()
            .unwrap();
        assert_eq!(
            ours.status.success(),
            theirs.status.success(),
            "{} --world {world}: wct says\n{}\nwasm-tools says\n{}",
            component.display(),
            stdout_of(&ours),
            stderr_of(&theirs)
        );
        assert_eq!(ours.status.code(), Some(1), "{}", stdout_of(&ours));
    }
    // The 0.2 imports are one line, not a wall.
    let out = wct()
        .args(["targets"])
        .arg(command())
        .args(["--world", "wasi:cli/command@0.3.0"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(
        text.contains("25 WASI 0.2.9 imports not provided by the world: wasi:cli (10)"),
        "{text}"
    );
    assert!(!text.contains("wasi:io/poll@0.2.9"), "{text}");
    assert!(text.lines().count() < 6, "{text}");
    // The 0.3 export that is missing is named.
    wct()
        .args(["targets"])
        .arg(command())
        .args(["--world", "wasi:http/service@0.3.0"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "export wasi:http/handler@0.3.0: missing from the component",
        ));
    // -v lists every import.
    wct()
        .args(["-v", "targets"])
        .arg(command())
        .args(["--world", "wasi:http/service@0.3.0"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("import wasi:io/poll@0.2.9"));
    // A pure 0.3 component fits: the suite's Rust HTTP service imports only what the 0.3
    // service world provides... or does not; both tools agree either way.
    let rust_service = crate::common::wasi_testsuite().join("rust-wasip3/http-service.wasm");
    let ours = wct()
        .args(["targets"])
        .arg(&rust_service)
        .args(["--world", "wasi:http/service@0.3.0"])
        .output()
        .unwrap();
    let wit = tempfile::tempdir().unwrap();
    wct()
        .args(["wit", "print", "wasi:http/service@0.3.0", "--out-dir"])
        .arg(wit.path())
        .assert()
        .success();
    let theirs = std::process::Command::new(wasm_tools())
        .args(["component", "targets"])
        .arg(wit.path())
        .arg(&rust_service)
        .args(["--world", "wasi:http/service@0.3.0"])
        .output()
        .unwrap();
    assert_eq!(
        ours.status.success(),
        theirs.status.success(),
        "{}\n{}",
        stdout_of(&ours),
        stderr_of(&theirs)
    );
}

#[test]
fn a_wasi_0_3_component_fits_the_union_of_its_worlds() {
    // The componentize-py command imports 0.3.0 and 0.2.9: with the 0.2 imports world beside
    // the 0.3 command world (an older 0.2 release named: semver-compatible), it fits.
    wct()
        .args(["targets"])
        .arg(command())
        .args(["--world", "wasi:cli/command@0.3.0"])
        .args(["--world", "wasi:cli/imports@0.2.9"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "fits wasi:cli/command@0.3.0 + wasi:cli/imports@0.2.12",
        ));
    // Every program of the shared wasi-testsuite's WASI 0.3 commands fits too.
    let suite = crate::common::wasi_testsuite().join("rust-wasip3");
    for name in ["cli-stdio", "cli-env", "filesystem-io", "random"] {
        wct()
            .args(["targets"])
            .arg(suite.join(format!("{name}.wasm")))
            .args(["--world", "wasi:cli/command@0.3.0"])
            .args(["--world", "wasi:cli/imports@0.2.4"])
            .assert()
            .success();
    }
    // The union still requires every world's exports: a 0.3 service is no command.
    wct()
        .args(["targets"])
        .arg(service())
        .args(["--world", "wasi:cli/command@0.3.0"])
        .args(["--world", "wasi:cli/imports@0.2.9"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "export wasi:cli/run@0.3.0: missing",
        ));
    // A release newer than the bundled one is refused, naming both.
    wct()
        .args(["targets"])
        .arg(command())
        .args(["--world", "wasi:cli/imports@0.2.99"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("0.2.99"));
}

#[test]
fn async_exports_answer_invoke_and_streams_are_refused_clearly() {
    let cache = tempfile::tempdir().unwrap();
    let lib = library();
    run_cmd(cache.path())
        .arg(&lib)
        .args([
            "--invoke",
            "shout(\"ada\")",
            "--invoke",
            "total([1, 2, 3, 40])",
        ])
        .assert()
        .success()
        .stdout("\"HELLO, ADA!\"\n46\n");
    run_cmd(cache.path())
        .arg(&lib)
        .args(["--invoke", "digits(42)"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "async func(n: u32) -> stream<u8>) passes a stream, which WAVE cannot write",
        ));
    // The listing of exports marks async functions.
    run_cmd(cache.path())
        .arg(&lib)
        .args(["--invoke", "nope()"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "wct:pyasync/text@0.1.0#shout: async func(name: string) -> string",
        ));
}

#[test]
fn a_wasi_0_3_command_composed_with_an_async_library_runs() {
    let cache = tempfile::tempdir().unwrap();
    run_cmd(cache.path())
        .arg(app())
        .arg("--plug")
        .arg(library())
        .args(["--", "Ada"])
        .assert()
        .success()
        .stdout("HELLO, ADA!\ntotal: 6\n");
    let out = tempfile::tempdir().unwrap();
    let composed = out.path().join("program.wasm");
    wct()
        .arg("compose")
        .arg(app())
        .arg(library())
        .arg("-o")
        .arg(&composed)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "filled   app: wct:pyasync/text@0.1.0 <- library: wct:pyasync/text@0.1.0",
        ));
    wasm_tools_validates(&composed);
}

#[test]
fn a_python_wasi_0_3_service_reuses_instances_but_never_a_trapped_one() {
    // One serving thread: every connection goes to its one pool (each thread has its own).
    let server = Serving::start_path(&service(), &["--verbose", "--threads", "1"]);
    let hello = get(&server, "/");
    assert_eq!(hello.status, 200);
    assert_eq!(hello.body, b"hello from Python on WASI 0.3\n");
    // One instance answers one request after another: its counter goes up.
    assert_eq!(get(&server, "/count").body, b"2\n");
    assert_eq!(get(&server, "/count").body, b"3\n");
    let trapped = get(&server, "/trap");
    assert_eq!(trapped.status, 500);
    assert_eq!(trapped.error_header(), Some("trap"));
    // The trapped instance is gone: a fresh one counts from 1.
    assert_eq!(get(&server, "/count").body, b"1\n");
    let log = server.log_with(&["instance 2 created", "never to be reused"]);
    assert!(
        log.contains("instance 1 dropped, never to be reused: the guest trapped"),
        "{log}"
    );
    assert!(log.contains("\"GET /trap\": the guest trapped"), "{log}");
    assert!(log.contains("WASI 0.3 HTTP component"), "{log}");
    // The compile of an 18 MB component takes seconds: a log that is not a terminal says so,
    // before the address (the tests serve with --no-cache).
    // Its first line carries the address, as every first line of a server does.
    let first = log.lines().next().unwrap_or_default();
    assert!(
        first.contains("will be served on http://127.0.0.1:") && first.contains("compiling "),
        "{log}"
    );
    let compiling = log
        .find("compiling ")
        .unwrap_or_else(|| panic!("no compiling line in:\n{log}"));
    assert!(
        compiling < log.find("wct serve: serving ").unwrap(),
        "{log}"
    );
    assert!(
        log.contains("service.wasm (")
            && log.contains("with cranelift; without a compile cache, every start compiles"),
        "{log}"
    );

    // Without reuse every request gets a fresh instance.
    let fresh = Serving::start_path(&service(), &["--no-instance-reuse", "--threads", "1"]);
    for _ in 0..3 {
        assert_eq!(get(&fresh, "/count").body, b"1\n");
    }
    // wasmtime's flag: at most two requests per instance.
    let two = Serving::start_path(
        &service(),
        &["--max-instance-reuse-count", "2", "--threads", "1"],
    );
    let counts: Vec<Vec<u8>> = (0..4).map(|_| get(&two, "/count").body).collect();
    assert_eq!(counts, [b"1\n", b"2\n", b"1\n", b"2\n"]);
}

/// `--threads 2`: two connections open at once go to the two serving threads, each with its
/// own instance (numbered in one sequence); a connection's requests stay on its thread.
#[test]
fn serving_threads_each_keep_their_own_instances() {
    let server = Serving::start_path(&service(), &["--verbose", "--threads", "2"]);
    let mut first = KeepAlive::open(&server);
    let mut second = KeepAlive::open(&server);
    assert_eq!(first.get("/count"), "1\n");
    assert_eq!(second.get("/count"), "1\n");
    assert_eq!(first.get("/count"), "2\n");
    assert_eq!(second.get("/count"), "2\n");
    let log = server.log_with(&["instance 1 created", "instance 2 created"]);
    assert!(log.contains("2 serving threads"), "{log}");
}

/// One keep-alive HTTP/1.1 connection, its requests sent one after another.
struct KeepAlive(std::io::BufReader<std::net::TcpStream>);

impl KeepAlive {
    fn open(server: &Serving) -> KeepAlive {
        KeepAlive(std::io::BufReader::new(
            std::net::TcpStream::connect(server.addr).unwrap(),
        ))
    }

    /// GETs `path`; the body of the (content-length or chunked) response.
    fn get(&mut self, path: &str) -> String {
        use std::io::{BufRead, Read, Write};
        write!(self.0.get_mut(), "GET {path} HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
        let mut length = None;
        let mut chunked = false;
        loop {
            let mut line = String::new();
            self.0.read_line(&mut line).unwrap();
            let line = line.trim_end().to_ascii_lowercase();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("content-length:") {
                length = Some(value.trim().parse::<usize>().unwrap());
            }
            chunked |= line == "transfer-encoding: chunked";
        }
        let mut body = Vec::new();
        if let Some(length) = length {
            body.resize(length, 0);
            self.0.read_exact(&mut body).unwrap();
        } else {
            assert!(chunked, "neither content-length nor chunked");
            loop {
                let mut size = String::new();
                self.0.read_line(&mut size).unwrap();
                let size = usize::from_str_radix(size.trim(), 16).unwrap();
                let mut chunk = vec![0; size + 2];
                self.0.read_exact(&mut chunk).unwrap();
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        }
        String::from_utf8(body).unwrap()
    }
}

#[test]
fn a_wasi_0_3_service_streams_bodies_and_limits_apply() {
    let server = Serving::start_path(&service(), &["--timeout", "2s"]);
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let echoed = server.post("/echo", &body);
    assert_eq!(echoed.status, 200);
    assert!(echoed.body == body, "the echoed body differs");
    assert_eq!(get(&server, "/nowhere").status, 404);
    let looped = get(&server, "/loop");
    assert_eq!(looped.status, 500);
    assert_eq!(looped.error_header(), Some("timeout"));
    // The server goes on, on a new instance.
    assert_eq!(get(&server, "/count").body, b"1\n");
    let log = server.log_with(&["\"GET /loop\": timeout"]);
    assert!(log.contains("\"GET /loop\" 500"), "{log}");
}

#[test]
fn the_0_3_built_in_worlds_print_and_list() {
    wct()
        .args(["wit", "print", "wasi:http/service@0.3.0"])
        .assert()
        .success()
        .stdout(predicate::str::contains("export handler;"))
        .stdout(predicate::str::contains("package wasi:http@0.3.0;"));
    wct()
        .args(["wit", "print", "wasi:cli/imports@0.3.0"])
        .assert()
        .success()
        .stdout(predicate::str::contains("world imports"));
    // A bare name keeps meaning the newest 0.2.
    wct()
        .args(["wit", "print", "wasi:cli/command"])
        .assert()
        .success()
        .stdout(predicate::str::contains("package wasi:cli@0.2."));
    // `wit worlds` says so.
    wct()
        .args(["wit", "worlds", "wasi:cli/command"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("world wasi:cli/command@0.2.12"))
        .stderr(predicate::str::contains(
            "without a version is the newest WASI 0.2 world; WASI 0.3 worlds are named with \
             their version: wasi:cli/command@0.3.0",
        ));
    // Named with another 0.3 world that does not exist: a clear error.
    wct()
        .args(["wit", "print", "wasi:http/proxy@0.3.0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("wasi:http/service@0.3.0"));
}

#[test]
fn diff_reports_sync_to_async_as_breaking() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.wit");
    let new = dir.path().join("new.wit");
    std::fs::write(
        &old,
        "package t:kv@1.0.0;\ninterface store {\n  get: func(key: string) -> list<u8>;\n}\n",
    )
    .unwrap();
    std::fs::write(
        &new,
        "package t:kv@1.0.0;\ninterface store {\n  get: async func(key: string) -> list<u8>;\n}\n",
    )
    .unwrap();
    wct()
        .arg("diff")
        .arg(&old)
        .arg(&new)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("func-async-changed"))
        .stdout(predicate::str::contains("became async"))
        .stdout(predicate::str::contains("major"));
}

#[test]
fn async_wit_round_trips_through_check_print_build_json_and_validate() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("async.wit");
    std::fs::write(
        &source,
        "package t:asyncs@0.1.0;\n\ninterface i {\n  f: async func(s: stream<u8>, g: future<string>) -> result<u32, error-context>;\n  h: func() -> future;\n}\n\nworld w {\n  export i;\n}\n",
    )
    .unwrap();
    wct().args(["wit", "check"]).arg(&source).assert().success();
    let printed = stdout_of(&wct().args(["wit", "print"]).arg(&source).output().unwrap());
    for needle in [
        "f: async func(s: stream<u8>, g: future<string>) -> result<u32, error-context>;",
        "h: func() -> future;",
    ] {
        assert!(printed.contains(needle), "{printed}");
    }
    let package = dir.path().join("async.wasm");
    wct()
        .args(["wit", "build"])
        .arg(&source)
        .arg("-o")
        .arg(&package)
        .assert()
        .success();
    // error-context is a component-model feature that WASI 0.3 components use: on by default.
    wct().arg("validate").arg(&package).assert().success();
    let from_wasm = stdout_of(&wct().args(["wit", "print"]).arg(&package).output().unwrap());
    assert_eq!(from_wasm, printed);
    let json = stdout_of(&wct().args(["wit", "json"]).arg(&source).output().unwrap());
    assert!(json.contains("\"async-freestanding\""), "{json}");
    assert!(json.contains("\"stream\""), "{json}");
    // A component built on that world validates too.
    let component = dummy_component(dir.path(), "component", &source, "w");
    wct().arg("validate").arg(&component).assert().success();
    wct()
        .arg("inspect")
        .arg(&component)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "async exports: t:asyncs/i@0.1.0#f",
        ))
        .stdout(predicate::str::contains("error-context (1)"));
}

/// Writes `wit` as the only file of a WIT folder in `dir` and builds a dummy component for
/// `world` from it (`wct embed --dummy` + `wct new`).
fn dummy_from_wit(dir: &std::path::Path, name: &str, wit: &str, world: &str) -> PathBuf {
    let wit_dir = dir.join(format!("{name}-wit"));
    std::fs::create_dir_all(&wit_dir).unwrap();
    std::fs::write(wit_dir.join("world.wit"), wit).unwrap();
    dummy_component(dir, name, &wit_dir, world)
}

#[test]
fn an_async_export_does_not_fill_a_sync_import_and_compose_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let caller = dummy_from_wit(
        dir.path(),
        "caller",
        "package t:x@0.1.0;\ninterface i { f: func(n: u32) -> u32; }\nworld caller { import i; export run: func(); }\n",
        "caller",
    );
    let provider = dummy_from_wit(
        dir.path(),
        "provider",
        "package t:x@0.1.0;\ninterface i { f: async func(n: u32) -> u32; }\nworld provider { export i; }\n",
        "provider",
    );
    wct()
        .arg("compose")
        .arg(&caller)
        .arg(&provider)
        .arg("-o")
        .arg(dir.path().join("out.wasm"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the export has     `f: async func(n: u32) -> u32`",
        ))
        .stderr(predicate::str::contains(
            "an async export fills only an async import: the import is not async",
        ));
    assert!(!dir.path().join("out.wasm").exists());
}

#[test]
fn a_component_whose_imports_the_host_lacks_is_refused_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let component = dummy_from_wit(
        dir.path(),
        "needs",
        "package t:m@0.1.0;\ninterface api { fetch: async func(key: string) -> string; }\nworld w { import api; export go: async func() -> string; }\n",
        "w",
    );
    wct()
        .args(["run", "--no-cache"])
        .arg(&component)
        .args(["--invoke", "go()"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot instantiate: it imports t:m/api@0.1.0, which the host does not provide",
        ));
}
