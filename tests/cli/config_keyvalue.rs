//! `wasi:config` on `wct run`: a componentize-py command reads the variables granted with
//! `--config`, `--config-file` (TOML and KEY=VALUE lines) and `--allow-config-env`, and none
//! when nothing is granted; `get-all` is sorted.

use crate::common::{stderr_of, stdout_of, wct, PythonBuild};
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
