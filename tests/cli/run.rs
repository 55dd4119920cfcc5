//! `wct run`: C programs natively and adapted, the sandbox, limits, traps, the compile cache
//! and `--invoke`.

use crate::common::*;
use predicates::prelude::*;
use std::path::Path;

/// `wct run` with its own cache and no background compiles (keeps tests independent).
pub fn run_cmd(cache: &Path) -> assert_cmd::Command {
    let mut cmd = wct();
    cmd.arg("run")
        .arg("--cache-dir")
        .arg(cache)
        .env("WCT_NO_BACKGROUND_COMPILE", "1");
    cmd
}

#[test]
fn c_program_runs_natively_with_args_and_exit_code() {
    let cache = tempfile::tempdir().unwrap();
    run_cmd(cache.path())
        .arg(fixture("c/hello.wasm"))
        .args(["--", "one", "two", "three"])
        .assert()
        .code(1)
        .stdout("hello from C\narg 1: one\narg 2: two\narg 3: three\n");
    run_cmd(cache.path())
        .arg(fixture("c/exit.wasm"))
        .args(["--", "3"])
        .assert()
        .code(3);
    run_cmd(cache.path())
        .arg(fixture("c/exit.wasm"))
        .assert()
        .code(33);
}

#[test]
fn adapted_c_program_runs_as_a_component() {
    let dir = tempfile::tempdir().unwrap();
    let component = dir.path().join("hello.component.wasm");
    wct()
        .arg("adapt")
        .arg(fixture("c/hello.wasm"))
        .arg("-o")
        .arg(&component)
        .assert()
        .success();
    run_cmd(dir.path())
        .arg(&component)
        .args(["--", "x"])
        .assert()
        .success()
        .stdout("hello from C\narg 1: x\n");
    // The adapter turns any non-zero proc_exit into a plain failure; natively the status is kept.
    run_cmd(dir.path())
        .arg("--via-adapter")
        .arg(fixture("c/exit.wasm"))
        .args(["--", "3"])
        .assert()
        .code(1);
    run_cmd(dir.path())
        .arg("--via-adapter")
        .arg(fixture("c/exit.wasm"))
        .args(["--", "0"])
        .assert()
        .code(0);
}

#[test]
fn environment_is_empty_unless_granted() {
    let cache = tempfile::tempdir().unwrap();
    run_cmd(cache.path())
        .arg(fixture("c/env.wasm"))
        .env("WCT_GREETING", "from-host")
        .assert()
        .success()
        .stdout("WCT_GREETING=(unset)\n");
    run_cmd(cache.path())
        .args(["--env", "WCT_GREETING=hi"])
        .arg(fixture("c/env.wasm"))
        .assert()
        .success()
        .stdout("WCT_GREETING=hi\nWCT_GREETING=hi\n");
    run_cmd(cache.path())
        .arg("--env-inherit")
        .arg(fixture("c/env.wasm"))
        .env("WCT_GREETING", "from-host")
        .assert()
        .success()
        .stdout(predicate::str::contains("WCT_GREETING=from-host"));
}

#[test]
fn files_are_reachable_only_under_dir_and_ro_refuses_writes() {
    let cache = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("in.txt"), "file contents\n").unwrap();
    run_cmd(cache.path())
        .arg(fixture("c/files.wasm"))
        .args(["--", "/data/in.txt"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("/data/in.txt"));
    let grant = format!("{}::/data", data.path().display());
    run_cmd(cache.path())
        .args(["--dir", &grant])
        .arg(fixture("c/files.wasm"))
        .args(["--", "/data/in.txt", "/data/out.txt"])
        .assert()
        .success()
        .stdout("file contents\ncreate /data/out.txt: ok\n");
    assert!(data.path().join("out.txt").exists());
    run_cmd(cache.path())
        .args(["--dir", &format!("{grant}:ro")])
        .arg(fixture("c/files.wasm"))
        .args(["--", "/data/in.txt", "/data/new.txt"])
        .assert()
        .success()
        .stdout("file contents\ncreate /data/new.txt: denied\n");
    assert!(!data.path().join("new.txt").exists());
    run_cmd(cache.path())
        .args(["--dir", &grant])
        .arg(fixture("c/files.wasm"))
        .args(["--", "/data/../../etc/passwd"])
        .assert()
        .code(1);
}

#[test]
fn limits_stop_runaway_guests_with_distinct_messages_and_codes() {
    let cache = tempfile::tempdir().unwrap();
    run_cmd(cache.path())
        .args(["--timeout", "300ms"])
        .arg(fixture("run/spin.wat"))
        .assert()
        .code(124)
        .stderr(predicate::str::contains(
            "timeout: the guest ran longer than 300ms",
        ));
    run_cmd(cache.path())
        .args(["--fuel", "100000"])
        .arg(fixture("run/spin.wat"))
        .assert()
        .code(125)
        .stderr(predicate::str::contains(
            "out of fuel: the guest used all 100000 units of --fuel",
        ));
    run_cmd(cache.path())
        .args(["--max-memory", "4MiB", "--timeout", "20s"])
        .arg(fixture("run/grow.wat"))
        .assert()
        .code(137)
        .stderr(predicate::str::contains("memory limit exceeded"));
}

#[test]
fn a_trap_prints_its_kind_and_a_named_backtrace() {
    let cache = tempfile::tempdir().unwrap();
    let out = run_cmd(cache.path())
        .arg(fixture("run/trap.wat"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(134));
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("the guest trapped: wasm `unreachable` instruction executed"),
        "{stderr}"
    );
    let inner = stderr.find("trapper!inner").expect("inner frame");
    let outer = stderr.find("trapper!outer").expect("outer frame");
    let main = stderr.find("trapper!main").expect("main frame");
    assert!(inner < outer && outer < main, "{stderr}");
}

#[test]
fn cache_is_reused_and_corrupt_entries_are_rebuilt() {
    let cache = tempfile::tempdir().unwrap();
    let entries = || {
        std::fs::read_dir(cache.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "cwasm"))
            .collect::<Vec<_>>()
    };
    run_cmd(cache.path())
        .args(["--compiler", "cranelift"])
        .arg(fixture("c/hello.wasm"))
        .assert()
        .success();
    let first = entries();
    assert_eq!(first.len(), 1);
    // A recompile would write a new file over the entry (an atomic rename: another inode);
    // a warm run only renews the entry's modification time.
    use std::os::unix::fs::MetadataExt;
    let inode = std::fs::metadata(&first[0]).unwrap().ino();
    run_cmd(cache.path())
        .args(["--compiler", "cranelift"])
        .arg(fixture("c/hello.wasm"))
        .assert()
        .success();
    assert_eq!(
        std::fs::metadata(&first[0]).unwrap().ino(),
        inode,
        "a warm run recompiled"
    );
    // Corrupt the entry: the next run must notice, rebuild, and still work.
    let mut bytes = std::fs::read(&first[0]).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&first[0], &bytes).unwrap();
    run_cmd(cache.path())
        .args(["--compiler", "cranelift"])
        .arg(fixture("c/hello.wasm"))
        .assert()
        .success()
        .stdout("hello from C\n");
    assert_ne!(
        std::fs::read(&first[0]).unwrap(),
        bytes,
        "the corrupt entry was kept"
    );
    // Winch and Cranelift entries are distinct; --no-cache writes nothing.
    run_cmd(cache.path())
        .args(["--compiler", "winch"])
        .arg(fixture("c/hello.wasm"))
        .assert()
        .success()
        .stdout("hello from C\n");
    assert_eq!(entries().len(), 2);
    let empty = tempfile::tempdir().unwrap();
    wct()
        .args(["run", "--no-cache"])
        .arg(fixture("c/hello.wasm"))
        .env("XDG_CACHE_HOME", empty.path())
        .assert()
        .success();
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

#[test]
fn a_run_leaves_optimized_code_in_the_cache_for_the_next() {
    let cache = tempfile::tempdir().unwrap();
    let cwasm = |ext: &str| {
        std::fs::read_dir(cache.path())
            .unwrap()
            .filter(|e| {
                let path = e.as_ref().unwrap().path();
                path.extension().is_some_and(|e| e == ext)
            })
            .count()
    };
    // Three runs at once with the default compiler: each runs Winch code and starts a
    // background Cranelift compile; one of those compiles, the others see its claim.
    let runs: Vec<_> = (0..3)
        .map(|_| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("wct"))
                .args(["run", "--cache-dir"])
                .arg(cache.path())
                .arg(fixture("c/hello.wasm"))
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "hello from C\n");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while (cwasm("cwasm") < 1 || cwasm("lock") > 0) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Only Cranelift's: Winch's code is cached when `--compiler winch` asks for it.
    assert_eq!(cwasm("cwasm"), 1, "Cranelift's code");
    assert_eq!(cwasm("lock"), 0, "a claim was left behind");
}

#[test]
fn the_cache_is_bounded_by_wct_cache_max_size() {
    let cache = tempfile::tempdir().unwrap();
    let entries = || {
        std::fs::read_dir(cache.path())
            .unwrap()
            .filter(|e| {
                let path = e.as_ref().unwrap().path();
                path.extension().is_some_and(|e| e == "cwasm")
            })
            .count()
    };
    for program in ["c/hello.wasm", "c/exit.wasm"] {
        run_cmd(cache.path())
            .args(["--compiler", "cranelift"])
            .arg(fixture(program))
            .env("WCT_CACHE_MAX_SIZE", "64MiB")
            .assert()
            .code(predicate::in_iter([0, 33]));
    }
    assert_eq!(entries(), 2);
    // A bound smaller than one entry keeps only the newest.
    run_cmd(cache.path())
        .args(["--compiler", "winch"])
        .arg(fixture("c/hello.wasm"))
        .env("WCT_CACHE_MAX_SIZE", "1")
        .assert()
        .success();
    assert_eq!(entries(), 1);
    run_cmd(cache.path())
        .arg(fixture("c/hello.wasm"))
        .env("WCT_CACHE_MAX_SIZE", "lots")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "WCT_CACHE_MAX_SIZE=lots: invalid size `lots`",
        ));
}

#[test]
fn invoke_round_trips_typed_values() {
    let cache = tempfile::tempdir().unwrap();
    let values = fixture("run/values.wat");
    let cases = [
        ("echo(\"héllo wörld\")", "\"héllo wörld\""),
        ("shift({x: 1, y: -2}, 10)", "{x: 11, y: 8}"),
        ("sum([1, 2, 3, 4000000000])", "4000000006"),
        ("find([5, 7, 9], 9)", "some(2)"),
        ("find([5, 7, 9], 4)", "none"),
        ("divide(7, 2)", "ok(3)"),
        ("divide(1, 0)", "err(\"division by zero\")"),
        ("classify(-5)", "negative(5)"),
        ("classify(0)", "zero"),
        ("toggle-write({read, exec})", "{read, write, exec}"),
    ];
    for (call, expected) in cases {
        run_cmd(cache.path())
            .arg(&values)
            .args(["--invoke", call])
            .assert()
            .success()
            .stdout(format!("{expected}\n"));
    }
}

#[test]
fn invoke_errors_list_the_exports() {
    let cache = tempfile::tempdir().unwrap();
    run_cmd(cache.path())
        .arg(fixture("run/values.wat"))
        .args(["--invoke", "nope()"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no exported function `nope`"))
        .stderr(predicate::str::contains(
            "divide: func(a: u32, b: u32) -> result<u32, string>",
        ));
    run_cmd(cache.path())
        .arg(fixture("run/values.wat"))
        .args(["--invoke", "divide(1)"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("takes 2 argument(s)"));
    run_cmd(cache.path())
        .arg(fixture("run/values.wat"))
        .args(["--invoke", "sum(\"x\")"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("argument `xs`"));
}

#[test]
fn bad_programs_exit_2_with_the_file_named() {
    let cache = tempfile::tempdir().unwrap();
    run_cmd(cache.path())
        .arg(fixture("invalid/truncated.wasm"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("truncated.wasm"));
    run_cmd(cache.path())
        .arg(fixture("missing.wasm"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.wasm"));
    // A component that is not a command: what it exports, and what to do instead.
    run_cmd(cache.path())
        .arg(fixture("components/greeter-dummy.wasm"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "greeter-dummy.wasm is not a command: it does not export wasi:cli/run (WASI 0.2 or 0.3) (it exports wct:demo/greet@0.1.0)",
        ))
        .stderr(predicate::str::contains("--invoke"));
    run_cmd(cache.path())
        .arg(fixture("http/echo.wasm"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("wasi:http/incoming-handler@0.2"))
        .stderr(predicate::str::contains("serve it with `wct serve "));
}

#[test]
fn invoke_calls_core_module_exports_with_numbers() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("ok.wat");
    std::fs::write(
        &module,
        r#"(module
             (global $n (mut i32) (i32.const 0))
             (func (export "_initialize") (global.set $n (i32.const 100)))
             (func (export "f") (result i32) i32.const 42)
             (func (export "add") (param i64 i64) (result i64)
               local.get 0 local.get 1 i64.add)
             (func (export "half") (param f64) (result f64)
               local.get 0 f64.const 2 f64.div)
             (func (export "bump") (result i32)
               (global.set $n (i32.add (global.get $n) (i32.const 1))) global.get $n)
             (func (export "boom") unreachable))"#,
    )
    .unwrap();
    let binary = dir.path().join("ok.wasm");
    wct()
        .arg("parse")
        .arg(&module)
        .arg("-o")
        .arg(&binary)
        .assert()
        .success();
    for extra in [
        &[][..],
        &["--no-cache"][..],
        &["--compiler", "cranelift"][..],
    ] {
        wct()
            .arg("run")
            .args(extra)
            .env("XDG_CACHE_HOME", cache.path())
            .arg(&binary)
            .args(["--invoke", "f()"])
            .assert()
            .success()
            .stdout("42\n");
    }
    // Calls share one instance, after `_initialize`.
    run_cmd(cache.path())
        .arg(&binary)
        .args(["--invoke", "add(40, -2)", "--invoke", "half(5)"])
        .args(["--invoke", "bump()", "--invoke", "bump()"])
        .assert()
        .success()
        .stdout("38\n2.5\n101\n102\n");
    run_cmd(cache.path())
        .arg(&binary)
        .args(["--invoke", "add(1)"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`add` takes 2 argument(s) (func(i64, i64) -> i64), 1 given",
        ));
    run_cmd(cache.path())
        .arg(&binary)
        .args(["--invoke", "add(1, \"x\")"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "argument 2: `\"x\"` is not a valid i64",
        ));
    run_cmd(cache.path())
        .arg(&binary)
        .args(["--invoke", "nope()"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no exported function `nope`"))
        .stderr(predicate::str::contains("bump: func() -> i32"));
    run_cmd(cache.path())
        .arg(&binary)
        .args(["--invoke", "boom()"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("the guest trapped"));
    // The cause is kept: an invalid module says why it does not compile.
    let bad = dir.path().join("bad.wasm");
    std::fs::write(&bad, b"\0asm\x01\0\0\0\x01\x04\x01\x60").unwrap();
    let out = run_cmd(cache.path())
        .arg(&bad)
        .args(["--invoke", "f()"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        text.contains("bad.wasm") && text.contains("caused by: unexpected end-of-file"),
        "{text}"
    );
}

#[test]
fn an_unquoted_string_argument_says_how_wave_writes_strings() {
    let cache = tempfile::tempdir().unwrap();
    run_cmd(cache.path())
        .arg(fixture("compose/greeter.wasm"))
        .args(["--invoke", "greet(Ada)"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "WAVE writes strings in double quotes",
        ));
}

#[test]
fn invoke_passes_resources_between_calls() {
    let cache = tempfile::tempdir().unwrap();
    run_cmd(cache.path())
        .arg(fixture("run/counter.wat"))
        .args([
            "--invoke",
            "counter.new(5)",
            "--invoke",
            "counter.bump(#0, 3)",
            "--invoke",
            "peek(#0)",
        ])
        .args([
            "--invoke",
            "[constructor]counter(1)",
            "--invoke",
            "peek(#1)",
            "--invoke",
            "peek(#0)",
        ])
        .assert()
        .success()
        .stdout("#0\n8\n8\n#1\n1\n8\n");
    run_cmd(cache.path())
        .arg(fixture("run/counter.wat"))
        .args(["--invoke", "peek(#3)"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no resource #3"));
    run_cmd(cache.path())
        .arg(fixture("run/counter.wat"))
        .args(["--invoke", "peek(7)"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is a resource: pass a handle returned by an earlier --invoke",
        ));
    // `#` inside strings is text, not a handle.
    run_cmd(cache.path())
        .arg(fixture("run/values.wat"))
        .args(["--invoke", "echo(\"a #1 b\")"])
        .assert()
        .success()
        .stdout("\"a #1 b\"\n");
}

/// WASI's capability is the address, not the socket: without `--net` a WASI 0.2 component
/// creates a socket and sets its options (wasmtime 48 denies the create), and its connect is
/// denied; with `--net` it connects to loopback.
#[test]
fn tcp_connect_needs_net_and_net_means_loopback() {
    let cache = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    run_cmd(cache.path())
        .arg(fixture("net/connect.wasm"))
        .args(["--", &port])
        .assert()
        .code(1)
        // 1 is access-denied, from finish-connect (wasmtime checks the address there).
        .stdout("create: ok\nkeep-alive: on\nconnect: failed (error code 1)\n");
    run_cmd(cache.path())
        .arg("--net")
        .arg(fixture("net/connect.wasm"))
        .args(["--", &port])
        .assert()
        .success()
        .stdout("create: ok\nkeep-alive: on\nconnect: ok\n");
}

#[test]
fn absolute_paths_and_symlinks_do_not_escape_a_dir_grant() {
    let cache = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let secret = tempfile::tempdir().unwrap();
    std::fs::write(secret.path().join("secret.txt"), "do not read\n").unwrap();
    std::os::unix::fs::symlink(
        secret.path().join("secret.txt"),
        data.path().join("link.txt"),
    )
    .unwrap();
    let grant = format!("{}::/data", data.path().display());
    for path in [
        "/data/link.txt".to_string(),
        secret.path().join("secret.txt").display().to_string(),
    ] {
        run_cmd(cache.path())
            .args(["--dir", &grant])
            .arg(fixture("c/files.wasm"))
            .args(["--", &path])
            .assert()
            .code(1)
            .stdout(predicate::str::contains("do not read").not());
    }
}

#[test]
fn unbounded_recursion_stops_and_the_host_stays_small() {
    let cache = tempfile::tempdir().unwrap();
    run_cmd(cache.path())
        .arg(fixture("run/recurse.wat"))
        .assert()
        .code(134)
        .stderr(predicate::str::contains("call stack exhausted"));
    // The guest asks for ever more memory; the host must not follow it.
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_wct"))
        .args([
            "run",
            "--no-cache",
            "--max-memory",
            "256MiB",
            "--timeout",
            "30s",
        ])
        .arg(fixture("run/grow.wat"))
        .env("WCT_NO_BACKGROUND_COMPILE", "1")
        .output()
        .expect("/usr/bin/time runs");
    assert_eq!(out.status.code(), Some(137));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak_kib: u64 = stderr
        .lines()
        .last()
        .unwrap()
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{stderr}"));
    assert!(
        peak_kib < 600 * 1024,
        "peak RSS {peak_kib} KiB for a 256 MiB guest limit"
    );
}

/// `-v` reports which compiler produced the code and whether the cache supplied it.
#[test]
fn verbose_reports_compilation() {
    let cache = tempfile::tempdir().unwrap();
    let run = |expect: &str| {
        wct()
            .args(["-v", "run", "--compiler", "cranelift", "--cache-dir"])
            .arg(cache.path())
            .arg(fixture("c/hello.wasm"))
            .assert()
            .success()
            .stderr(predicates::str::contains(expect));
    };
    run("(module): cranelift code compiled in");
    run("(module): cranelift code loaded from the cache in");
}

/// wasmtime's `-W`/`-S` spellings work, so `wasmtime run` scripts switch by changing the word.
#[test]
fn wasmtime_option_spellings() {
    let cache = tempfile::tempdir().unwrap();
    run_cmd(cache.path())
        .args(["-W", "fuel=1000000"])
        .arg(fixture("run/spin.wat"))
        .assert()
        .code(125);
    run_cmd(cache.path())
        .args(["-W", "timeout=300ms,max-memory-size=4194304"])
        .arg(fixture("run/grow.wat"))
        .assert()
        .code(137);
    run_cmd(cache.path())
        .args(["-S", "inherit-env"])
        .arg(fixture("c/env.wasm"))
        .env("WCT_GREETING", "from-host")
        .assert()
        .success()
        .stdout(predicate::str::contains("WCT_GREETING=from-host"));
    run_cmd(cache.path())
        .args(["-W", "fuel=1", "--fuel", "2"])
        .arg(fixture("c/hello.wasm"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("given twice"));
    run_cmd(cache.path())
        .args(["-W", "epochs=1"])
        .arg(fixture("c/hello.wasm"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("wct understands -W fuel=N"));
}
