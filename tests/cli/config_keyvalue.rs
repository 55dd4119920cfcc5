//! `wasi:config` and `wasi:keyvalue` on `wct run`, `wct serve` and `wct virt`, with
//! componentize-py commands and C components (bindings from wit-bindgen,
//! `tests/fixtures/wasi-keyvalue/c/`): variables granted with `--config`, `--config-file`
//! and `--allow-config-env` and none otherwise; the memory, folder and Redis stores, their
//! buckets, limits and crash safety; what `wct virt` bakes in; every answer cross-checked
//! against `wasmtime run -S keyvalue -S config` (the wasmtime 49 CLI, [`wasmtime`]).

use crate::common::{stderr_of, stdout_of, wasmtime, wct, PythonBuild};
use std::path::PathBuf;

/// The Python command importing `wasi:config/store@0.2.0-rc.1`.
fn config_app() -> PathBuf {
    PythonBuild {
        dir: "wasi-config",
        module: "config_app",
        world: "config-app",
        wasi: Some("wasi:cli/command"),
        wit: &[
            (
                "config_app.wit",
                "tests/fixtures/wasi-config/config_app.wit",
            ),
            (
                "deps/wasi-config/store.wit",
                "crates/wct-wit/wit/wasi-config/store.wit",
            ),
            (
                "deps/wasi-config/world.wit",
                "crates/wct-wit/wit/wasi-config/world.wit",
            ),
        ],
    }
    .build()
}

/// `wct run APP ARGS` with `env` set; its stdout (it must succeed).
fn run(app: &PathBuf, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut cmd = wct();
    cmd.arg("run").args(args).arg(app);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "wct run {args:?}: {}",
        stderr_of(&out)
    );
    stdout_of(&out)
}

#[test]
fn config_variables_are_granted_and_nothing_else() {
    let app = config_app();
    // Nothing granted: an empty store.
    assert_eq!(run(&app, &[], &[]), "greeting: None\n");
    // --config, in any order, listed sorted.
    assert_eq!(
        run(
            &app,
            &["--config", "zeta=last", "--config", "greeting=hello"],
            &[]
        ),
        "greeting: hello\ngreeting=hello\nzeta=last\n"
    );
    // A TOML file (tables joined with `.`), host variables under a prefix, and --config
    // winning over both.
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("app.toml");
    std::fs::write(
        &toml,
        "greeting = \"from the file\"\nport = 8080\n[db]\nurl = \"postgres://db\"\n",
    )
    .unwrap();
    assert_eq!(
        run(
            &app,
            &["--config-file", toml.to_str().unwrap(), "--allow-config-env", "WCT_TEST_APP_", "--config", "port=9090"],
            &[("WCT_TEST_APP_mode", "debug"), ("WCT_TEST_OTHER", "hidden")],
        ),
        "greeting: from the file\ndb.url=postgres://db\ngreeting=from the file\nmode=debug\nport=9090\n"
    );
    // wasmtime's spelling: -S config-var=K=V.
    assert_eq!(
        run(&app, &["-S", "config,config-var=greeting=from -S"], &[]),
        "greeting: from -S\ngreeting=from -S\n"
    );
    // KEY=VALUE lines.
    let env_file = dir.path().join("app.env");
    std::fs::write(&env_file, "# the greeting\ngreeting = hi there\n\n").unwrap();
    assert_eq!(
        run(&app, &["--config-file", env_file.to_str().unwrap()], &[]),
        "greeting: hi there\ngreeting=hi there\n"
    );
    // A file that is neither: the error is located in it (exit 2).
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "greeting: hello\n").unwrap();
    let out = wct()
        .args(["run", "--config-file", bad.to_str().unwrap()])
        .arg(&app)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("bad.toml"), "{}", stderr_of(&out));
}

/// The Python command using `wasi:keyvalue` store, atomics and batch
/// (`tests/fixtures/wasi-keyvalue/kv_app.py`, world `kv-app`).
fn kv_app() -> PathBuf {
    PythonBuild {
        dir: "wasi-keyvalue",
        module: "kv_app",
        world: "kv-app",
        wasi: Some("wasi:cli/command"),
        wit: &[
            ("kv_app.wit", "tests/fixtures/wasi-keyvalue/kv_app.wit"),
            (
                "deps/wasi-keyvalue/store.wit",
                "crates/wct-wit/wit/wasi-keyvalue/store.wit",
            ),
            (
                "deps/wasi-keyvalue/atomic.wit",
                "crates/wct-wit/wit/wasi-keyvalue/atomic.wit",
            ),
            (
                "deps/wasi-keyvalue/batch.wit",
                "crates/wct-wit/wit/wasi-keyvalue/batch.wit",
            ),
            (
                "deps/wasi-keyvalue/watch.wit",
                "crates/wct-wit/wit/wasi-keyvalue/watch.wit",
            ),
            (
                "deps/wasi-keyvalue/world.wit",
                "crates/wct-wit/wit/wasi-keyvalue/world.wit",
            ),
        ],
    }
    .build()
}

#[test]
fn keyvalue_is_denied_unless_granted_and_buckets_are_named() {
    let app = kv_app();
    // Nothing granted: every bucket is access-denied.
    assert_eq!(
        run(&app, &[], &[]),
        "open '': Error_AccessDenied\nopen 'other': Error_AccessDenied\n"
    );
    // An in-memory store, seeded: bucket "" is open, "other" is not granted.
    let granted = run(
        &app,
        &["--keyvalue", "memory", "--keyvalue-data", "seed=planted"],
        &[],
    );
    assert_eq!(
        granted,
        "open '': ok\n\
         seed: b'planted'\n\
         visits: 2 5\n\
         many: [('x', b'10'), ('y', b'20'), None]\n\
         exists a: False\n\
         keys: ['seed', 'visits', 'x', 'y']\n\
         long key: Error_Other(key of 5000 bytes is over the 4096-byte limit)\n\
         open 'other': Error_NoSuchStore\n"
    );
    // wasmtime's spelling: -S keyvalue, -S keyvalue-in-memory-data=K=V.
    let wasmtime_style = run(
        &app,
        &["-S", "keyvalue,keyvalue-in-memory-data=seed=planted"],
        &[],
    );
    assert_eq!(wasmtime_style, granted);
    // Granting "other" too: it is a bucket of its own.
    let both = run(
        &app,
        &["--keyvalue", "memory", "--keyvalue-bucket", "other"],
        &[],
    );
    assert!(both.contains("open 'other': ok\nseed: None\n"), "{both}");
    // A store kept in a folder: the second run sees what the first wrote.
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kv");
    let store = store.to_str().unwrap();
    let first = run(&app, &["--keyvalue", store], &[]);
    assert!(first.contains("visits: 2 5\n"), "{first}");
    let second = run(&app, &["--keyvalue", store], &[]);
    assert!(second.contains("visits: 7 10\n"), "{second}");
    assert!(second.contains("keys: ['visits', 'x', 'y']\n"), "{second}");
    assert!(dir.path().join("kv/keyvalue.redb").is_file());
    // Limits answer the interface's errors: a value over the cap, an operation budget spent.
    let capped = run(
        &app,
        &["--keyvalue", "memory", "--keyvalue-max-value", "1"],
        &[],
    );
    assert!(
        capped.contains(
            "visits: 2 5\nerror: Error_Other(value of 2 bytes is over the 1-byte limit)\n"
        ),
        "{capped}"
    );
    // get, set, increment: the second increment is the fourth operation.
    let spent = run(&app, &["--keyvalue", "memory", "--keyvalue-ops", "3"], &[]);
    assert!(
        spent.contains(
            "seed: None\nerror: Error_Other(the key-value operation budget of this run is spent)\n"
        ),
        "{spent}"
    );
    // A store URL wct has no client for is a usage error.
    let out = wct()
        .args(["run", "--keyvalue", "etcd://x"])
        .arg(&app)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("--keyvalue etcd://x"),
        "{}",
        stderr_of(&out)
    );
}

/// The generation every key of the batch writer's store holds (0 for an empty store);
/// fails if keys hold different generations or a value is torn.
fn whole_generation(store: &std::path::Path) -> u64 {
    use wct_run::keyvalue::KeyValueStore;
    let store = wct_run::keyvalue_disk::DiskStore::open(store).unwrap();
    let keys = store.keys("").unwrap();
    if keys.is_empty() {
        return 0;
    }
    assert_eq!(keys.len(), 200);
    let values: std::collections::BTreeSet<Vec<u8>> = keys
        .iter()
        .map(|k| store.get("", k).unwrap().unwrap())
        .collect();
    assert_eq!(values.len(), 1, "keys from different batches");
    // A generation's value is its number written 512 times.
    let value = values.into_iter().next().unwrap();
    let digits = value.len() / 512;
    let generation: u64 = String::from_utf8_lossy(&value[..digits]).parse().unwrap();
    assert_eq!(value, generation.to_string().repeat(512).into_bytes());
    generation
}

#[test]
fn a_hundred_runs_killed_at_random_points_leave_whole_batches() {
    use std::io::BufRead;
    // The C batch writer (tests/fixtures/wasi-keyvalue/c/kv_batches.c): 200 keys per
    // set-many, going on from the generation the store holds.
    let app = crate::common::fixture("wasi-keyvalue/c/kv_batches.wasm");
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kv");
    // A small linear congruential generator: the points differ from run to run, and the
    // seed is in the failure message.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    let mut state = seed;
    let mut next = |below: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % below
    };
    let mut last = 0;
    for kill in 0..100 {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("wct"))
            .env("WCT_NO_BACKGROUND_COMPILE", "1")
            .arg("run")
            .arg("--keyvalue")
            .arg(&store)
            .arg(&app)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Some generations written (none, at times: killed while starting or in the first
        // batch), then a random moment more.
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        for _ in 0..next(4) {
            lines.next().unwrap().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_micros(next(8_000)));
        child.kill().unwrap();
        child.wait().unwrap();
        let generation = whole_generation(&store);
        assert!(
            generation >= last,
            "kill {kill} (seed {seed}): generation {generation} after {last}"
        );
        last = generation;
    }
    assert!(
        last >= 100,
        "seed {seed}: only {last} generations in 100 runs"
    );
}

/// A Redis server on a free loopback port, stopped when dropped.
struct RedisServer {
    child: std::process::Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    fn start() -> RedisServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        RedisServer::start_on(port)
    }

    /// A server on `port` (one stopped there before, started again).
    fn start_on(port: u16) -> RedisServer {
        let dir = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "no", "--dir"])
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (Debian package redis-server) must be installed: cargo xtask test installs it");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return RedisServer {
                    child,
                    port,
                    _dir: dir,
                };
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("redis-server did not start on port {port}");
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_redis_store_is_shared_by_runs() {
    let app = kv_app();
    let server = RedisServer::start();
    let url = format!("redis://127.0.0.1:{}/0", server.port);
    let first = run(
        &app,
        &["--keyvalue", &url, "--keyvalue-data", "seed=from redis"],
        &[],
    );
    assert!(
        first.contains("seed: b'from redis'\nvisits: 2 5\n"),
        "{first}"
    );
    assert!(
        first.contains("many: [('x', b'10'), ('y', b'20'), None]\n"),
        "{first}"
    );
    // Another process, the same store.
    let second = run(&app, &["--keyvalue", &url], &[]);
    assert!(second.contains("visits: 7 10\n"), "{second}");
    assert!(
        second.contains("keys: ['seed', 'visits', 'x', 'y']\n"),
        "{second}"
    );
    // No server there: a clear error before the guest runs.
    drop(server);
    let out = wct()
        .args(["run", "--keyvalue", &url])
        .arg(&app)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("redis"), "{}", stderr_of(&out));
}

/// The C component (tests/fixtures/wasi-keyvalue/c/kv_config.c, bindings from wit-bindgen):
/// config, then store, atomics and batch in the buckets "" and "other".
fn c_app() -> PathBuf {
    crate::common::fixture("wasi-keyvalue/c/kv_config.wasm")
}

/// `wasmtime run ARGS APP`'s stdout (it must succeed).
fn wasmtime_run(app: &PathBuf, args: &[&str]) -> String {
    let out = std::process::Command::new(wasmtime())
        .arg("run")
        .args(args)
        .arg(app)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "wasmtime run {args:?}: {}",
        stderr_of(&out)
    );
    stdout_of(&out)
}

#[test]
fn c_and_python_components_answer_as_on_wasmtime() {
    let expected_c = "greeting: hello\n\
                      config a=b\n\
                      config greeting=hello\n\
                      open '': ok\n\
                      seed: planted\n\
                      visits: 2 5\n\
                      many: x=10 y=20 (none)\n\
                      exists a: no\n\
                      keys: seed visits x y\n\
                      open 'other': no-such-store\n";
    let theirs = wasmtime_run(
        &c_app(),
        &[
            "-S",
            "keyvalue,keyvalue-in-memory-data=seed=planted",
            "-S",
            "config,config-var=greeting=hello,config-var=a=b",
        ],
    );
    assert_eq!(theirs, expected_c);
    let ours = run(
        &c_app(),
        &[
            "--keyvalue",
            "memory",
            "--keyvalue-data",
            "seed=planted",
            "--config",
            "greeting=hello",
            "--config",
            "a=b",
        ],
        &[],
    );
    assert_eq!(ours, theirs);
    // The Python command: wasmtime has no key-size cap, so wct's is raised above the 5000
    // bytes the program tries.
    let theirs = wasmtime_run(
        &kv_app(),
        &["-S", "keyvalue,keyvalue-in-memory-data=seed=planted"],
    );
    let ours = run(
        &kv_app(),
        &[
            "--keyvalue",
            "memory",
            "--keyvalue-data",
            "seed=planted",
            "--keyvalue-max-key",
            "8192",
        ],
        &[],
    );
    assert_eq!(ours, theirs);
    assert!(
        ours.contains("keys: ['seed', 'visits', 'x', 'y']\n"),
        "{ours}"
    );
    let theirs = wasmtime_run(&config_app(), &["-S", "config,config-var=greeting=hi"]);
    assert_eq!(theirs, "greeting: hi\ngreeting=hi\n");
    assert_eq!(
        run(&config_app(), &["--config", "greeting=hi"], &[]),
        theirs
    );
}

#[test]
fn the_c_component_keeps_its_store_in_a_folder_and_in_redis() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("kv");
    let store = store.to_str().unwrap();
    let first = run(
        &c_app(),
        &["--keyvalue", store, "--keyvalue-data", "seed=s"],
        &[],
    );
    assert!(first.contains("seed: s\nvisits: 2 5\n"), "{first}");
    let second = run(&c_app(), &["--keyvalue", store], &[]);
    assert!(second.contains("seed: s\nvisits: 7 10\n"), "{second}");
    let server = RedisServer::start();
    let url = format!("redis://127.0.0.1:{}/3", server.port);
    let first = run(&c_app(), &["--keyvalue", &url], &[]);
    assert!(first.contains("seed: (none)\nvisits: 2 5\n"), "{first}");
    assert!(first.contains("keys: visits x y\n"), "{first}");
    let second = run(&c_app(), &["--keyvalue", &url], &[]);
    assert!(second.contains("visits: 7 10\n"), "{second}");
    // Nothing granted: every open is access-denied, and config is empty.
    assert_eq!(
        run(&c_app(), &[], &[]),
        "greeting: (none)\nopen '': access-denied\nopen 'other': access-denied\n"
    );
}

#[test]
fn virt_bakes_config_that_runs_on_wct_and_wasmtime_without_config_flags() {
    let dir = tempfile::tempdir().unwrap();
    let sealed = dir.path().join("sealed.wasm");
    let file = dir.path().join("app.toml");
    std::fs::write(
        &file,
        "greeting = \"from the file\"\n[db]\nurl = \"postgres://db\"\n",
    )
    .unwrap();
    let python_start = ["--stdio", "allow", "--random", "allow", "--clock", "allow"];
    let out = wct()
        .arg("virt")
        .arg(config_app())
        .arg("-o")
        .arg(&sealed)
        .args([
            "--config-file",
            file.to_str().unwrap(),
            "--config",
            "zeta=z",
        ])
        .args(python_start)
        .args(["--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let config = report["virtualized"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["import"] == "wasi:config/store@0.2.0-rc.1")
        .expect("wasi:config/store virtualized");
    assert_eq!(config["how"], "3 baked variable(s)");
    assert_eq!(config["denied"], false);
    let expected =
        "greeting: from the file\ndb.url=postgres://db\ngreeting=from the file\nzeta=z\n";
    // The host's variables are not seen: the baked ones answer.
    assert_eq!(run(&sealed, &["--config", "greeting=host"], &[]), expected);
    assert_eq!(wasmtime_run(&sealed, &[]), expected);
    // Nothing granted: no variables, on either host.
    let empty = dir.path().join("empty.wasm");
    let out = wct()
        .arg("virt")
        .arg(config_app())
        .arg("-o")
        .arg(&empty)
        .args(python_start)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        run(&empty, &["--config", "greeting=host"], &[]),
        "greeting: None\n"
    );
    assert_eq!(wasmtime_run(&empty, &[]), "greeting: None\n");
    // A bad line in the file: named with its line, nothing written.
    std::fs::write(&file, "greeting = \"ok\"\nnot toml at all\n").unwrap();
    let refused = dir.path().join("refused.wasm");
    let out = wct()
        .arg("virt")
        .arg(config_app())
        .arg("-o")
        .arg(&refused)
        .args(["--config-file", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("app.toml:2"),
        "{}",
        stderr_of(&out)
    );
    assert!(!refused.exists());
}

#[test]
fn virt_puts_a_keyvalue_store_inside_the_component() {
    let dir = tempfile::tempdir().unwrap();
    let virt = |out: &str, args: &[&str]| -> (PathBuf, serde_json::Value) {
        let sealed = dir.path().join(out);
        let output = wct()
            .arg("virt")
            .arg(c_app())
            .arg("-o")
            .arg(&sealed)
            .args(["--stdio", "allow", "--json"])
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr_of(&output));
        (sealed, serde_json::from_slice(&output.stdout).unwrap())
    };
    // A store in memory, seeded, bucket "other" granted too; config baked beside it.
    let (sealed, report) = virt(
        "memory.wasm",
        &[
            "--keyvalue",
            "memory",
            "--keyvalue-bucket",
            "",
            "--keyvalue-bucket",
            "other",
            "--keyvalue-data",
            "seed=baked",
            "--config",
            "greeting=sealed",
        ],
    );
    let hows: Vec<(String, String)> = report["virtualized"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["import"].as_str().unwrap().to_string(),
                v["how"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for interface in ["store", "atomics", "batch"] {
        assert!(
            hows.contains(&(
                format!("wasi:keyvalue/{interface}@0.2.0-draft"),
                "a store in the component's memory: bucket(s) \"\", \"other\"; 1 seeded key(s)"
                    .to_string()
            )),
            "{hows:?}"
        );
    }
    assert!(
        !report["host_imports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i.as_str().unwrap().starts_with("wasi:keyvalue")),
        "{report}"
    );
    let expected = "greeting: sealed\n\
                    config greeting=sealed\n\
                    open '': ok\n\
                    seed: baked\n\
                    visits: 2 5\n\
                    many: x=10 y=20 (none)\n\
                    exists a: no\n\
                    keys: seed visits x y\n\
                    open 'other': ok\n\
                    seed: (none)\n\
                    visits: 2 5\n\
                    many: x=10 y=20 (none)\n\
                    exists a: no\n\
                    keys: visits x y\n";
    // No store from the host: whatever it grants, the component's own answers.
    let host_store = dir.path().join("host-kv");
    assert_eq!(
        run(&sealed, &["--keyvalue", host_store.to_str().unwrap()], &[]),
        expected
    );
    {
        use wct_run::keyvalue::KeyValueStore;
        let host = wct_run::keyvalue_disk::DiskStore::open(&host_store).unwrap();
        assert_eq!(host.keys("").unwrap(), Vec::<String>::new());
    }
    assert_eq!(wasmtime_run(&sealed, &[]), expected);
    // The store lives as long as the instance: a second run starts from the seed again.
    assert_eq!(run(&sealed, &[], &[]), expected);
    // Nothing granted: every open is access-denied, on either host.
    let (denied, report) = virt("denied.wasm", &["--config", "greeting=sealed"]);
    let store = report["virtualized"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["import"] == "wasi:keyvalue/store@0.2.0-draft")
        .unwrap()
        .clone();
    assert_eq!(store["denied"], true);
    let expected = "greeting: sealed\nconfig greeting=sealed\n\
                    open '': access-denied\nopen 'other': access-denied\n";
    assert_eq!(run(&denied, &["--keyvalue", "memory"], &[]), expected);
    assert_eq!(wasmtime_run(&denied, &[]), expected);
    // Left to the host: `allow` keeps the import.
    let (allowed, report) = virt("allowed.wasm", &["--keyvalue", "allow"]);
    assert!(
        report["host_imports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i == "wasi:keyvalue/store@0.2.0-draft"),
        "{report}"
    );
    let out = run(&allowed, &["--keyvalue", "memory"], &[]);
    assert!(out.contains("open '': ok\nseed: (none)\n"), "{out}");
    // The in-memory store's flags without --keyvalue memory: a usage error, nothing written.
    let out = wct()
        .arg("virt")
        .arg(c_app())
        .arg("-o")
        .arg(dir.path().join("never.wasm"))
        .args(["--keyvalue", "allow", "--keyvalue-data", "k=v"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("--keyvalue memory"),
        "{}",
        stderr_of(&out)
    );
    assert!(!dir.path().join("never.wasm").exists());
}

#[test]
fn two_servers_share_a_redis_store_and_survive_its_restart() {
    use crate::serve::{get, Serving};
    let server = RedisServer::start();
    let url = format!("redis://127.0.0.1:{}/1", server.port);
    let counter = crate::common::fixture("wasi-keyvalue/c/kv_counter.wasm");
    let a = Serving::start_path(&counter, &["--keyvalue", &url]);
    let b = Serving::start_path(&counter, &["--keyvalue", &url]);
    let body = |server: &Serving, path: &str| {
        let reply = get(server, path);
        (reply.status, String::from_utf8(reply.body).unwrap())
    };
    assert_eq!(body(&a, "/hit?key=visits"), (200, "visits 1\n".into()));
    assert_eq!(body(&b, "/hit?key=visits"), (200, "visits 2\n".into()));
    assert_eq!(body(&a, "/get?key=visits"), (200, "visits 2\n".into()));
    // Redis stops: the interface's error, naming the store; no hang, no crash.
    let port = server.port;
    drop(server);
    let (status, text) = body(&a, "/hit?key=visits");
    assert_eq!(status, 503, "{text}");
    assert!(
        text.starts_with(&format!(
            "keyvalue: other(the Redis store at 127.0.0.1:{port}: "
        )),
        "{text}"
    );
    let (status, text) = body(&b, "/get?key=visits");
    assert_eq!(status, 503, "{text}");
    // It comes back (empty: it kept nothing): both servers use it again, without restarting.
    let _server = RedisServer::start_on(port);
    assert_eq!(body(&b, "/hit?key=visits"), (200, "visits 1\n".into()));
    assert_eq!(body(&a, "/hit?key=visits"), (200, "visits 2\n".into()));
}

#[test]
fn bad_stores_are_refused_saying_what_is_wrong_and_nothing_is_lost() {
    use wct_run::keyvalue::KeyValueStore;
    let dir = tempfile::tempdir().unwrap();
    let refused = |store: &str, needle: &str| {
        let out = wct()
            .args(["run", "--keyvalue", store])
            .arg(c_app())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
        assert!(stderr_of(&out).contains(needle), "{}", stderr_of(&out));
        assert_eq!(stdout_of(&out), "", "the guest must not have run");
    };
    // A file where the folder should be.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "kept").unwrap();
    refused(
        file.to_str().unwrap(),
        "a-file is a file: the store is a folder (wct keeps keyvalue.redb in it)",
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "kept");
    // A folder store another process has open.
    let store = dir.path().join("kv");
    run(&c_app(), &["--keyvalue", store.to_str().unwrap()], &[]);
    {
        let open = wct_run::keyvalue_disk::DiskStore::open(&store).unwrap();
        refused(store.to_str().unwrap(), "is in use by another process");
        assert_eq!(open.get("", "visits").unwrap(), Some(b"5".to_vec()));
    }
    // No Redis there: named by address.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    refused(
        &format!("redis://127.0.0.1:{port}/0"),
        &format!("the Redis store at 127.0.0.1:{port}: "),
    );
}
