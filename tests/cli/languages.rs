//! Components written in different languages, composed and run: a Python command
//! (componentize-py) with a C greeter (wit-bindgen c + clang).
//!
//! The Python component is tens of MB, so it is not committed: it is built on demand into
//! `target/fixtures/` from `tests/fixtures/python/` and reused while its inputs are unchanged.
//! componentize-py must be installed (`pip install componentize-py==0.25.1`, as `.ci/run` does);
//! without it the test fails with that instruction.

use crate::common::*;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn componentize_py_version() -> String {
    let out = std::process::Command::new("componentize-py")
        .arg("--version")
        .output();
    match out {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => panic!("componentize-py is not installed: pip install componentize-py==0.25.1 (what .ci/run does)"),
    }
}

/// Builds (or reuses) a Python component from `tests/fixtures/python/{module}.py` for `world`
/// in `{module}.wit`, with `wit/demo` as a dependency and, when `with_wasi`, the WASI packages
/// `wct wit print wasi:cli/command --out-dir` writes (0.2.12); without them componentize-py
/// uses its own WASI version.
fn python_component(module: &str, world: &str, with_wasi: bool) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let py = root.join("tests/fixtures/python");
    let inputs = [
        py.join(format!("{module}.py")),
        py.join(format!("{module}.wit")),
        root.join("wit/demo/greet.wit"),
    ];
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (componentize_py_version(), module, world, with_wasi).hash(&mut hasher);
    for input in &inputs {
        std::fs::read(input).unwrap().hash(&mut hasher);
    }
    let dir = root.join(format!("target/fixtures/python-{:016x}", hasher.finish()));
    let out = dir.join(format!("{module}.wasm"));
    if out.exists() {
        return out;
    }
    let work = tempfile::tempdir().unwrap();
    let wit = work.path().join("wit");
    if with_wasi {
        let wasi = work.path().join("wasi");
        wct()
            .args(["wit", "print", "wasi:cli/command", "--out-dir"])
            .arg(&wasi)
            .assert()
            .success();
        copy_dir(&wasi.join("deps"), &wit.join("deps"));
        std::fs::create_dir_all(wit.join("deps/wasi-cli")).unwrap();
        std::fs::copy(wasi.join("cli.wit"), wit.join("deps/wasi-cli/cli.wit")).unwrap();
    }
    std::fs::create_dir_all(wit.join("deps/wct-demo")).unwrap();
    std::fs::copy(&inputs[2], wit.join("deps/wct-demo/greet.wit")).unwrap();
    std::fs::copy(&inputs[1], wit.join(format!("{module}.wit"))).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    let partial = dir.join(format!("{module}.wasm.partial"));
    let status = std::process::Command::new("componentize-py")
        .arg("-d")
        .arg(&wit)
        .args(["-w", world, "componentize", module, "-p"])
        .arg(&py)
        .arg("-o")
        .arg(&partial)
        .status()
        .unwrap();
    assert!(status.success(), "componentize-py failed for {module}");
    std::fs::rename(&partial, &out).unwrap();
    out
}

fn python_app() -> PathBuf {
    python_component("app", "py-app", true)
}

#[test]
fn python_app_and_c_greeter_compose_and_run() {
    let app = python_app();
    let dir = tempfile::tempdir().unwrap();
    let composed = dir.path().join("py-c.wasm");
    wct()
        .arg("compose")
        .arg(&app)
        .arg(fixture("compose/greeter.wasm"))
        .arg("-o")
        .arg(&composed)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "filled   app: wct:demo/greet@0.1.0 <- greeter: wct:demo/greet@0.1.0",
        ));
    let status = std::process::Command::new(wasm_tools())
        .arg("validate")
        .arg(&composed)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "wasm-tools rejects the composed Python + C program"
    );
    wct()
        .arg("targets")
        .arg(&composed)
        .args(["--world", "wasi:cli/command"])
        .assert()
        .success();
    let cache = tempfile::tempdir().unwrap();
    wct()
        .args(["run", "--cache-dir"])
        .arg(cache.path())
        .arg(&composed)
        .env("WCT_NO_BACKGROUND_COMPILE", "1")
        .assert()
        .success()
        .stdout("Hello, Python!\n");
}

#[test]
fn python_built_against_wasi_0_2_9_composes_with_c_built_against_0_2_12() {
    let lib = python_component("lib", "py-lib", false);
    let dir = tempfile::tempdir().unwrap();
    let composed = dir.path().join("py-lib-c.wasm");
    wct()
        .arg("compose")
        .arg(&lib)
        .arg(fixture("compose/greeter.wasm"))
        .arg("-o")
        .arg(&composed)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "wasi:io/error@0.2.9 -> import of the result (merged into wasi:io/error@0.2.12)",
        ));
    let status = std::process::Command::new(wasm_tools())
        .arg("validate")
        .arg(&composed)
        .status()
        .unwrap();
    assert!(status.success());
    let cache = tempfile::tempdir().unwrap();
    wct()
        .args(["run", "--cache-dir"])
        .arg(cache.path())
        .arg(&composed)
        .args(["--invoke", "hello()"])
        .env("WCT_NO_BACKGROUND_COMPILE", "1")
        .assert()
        .success()
        .stdout("\"Hello, from Python 0.2.9!\"\n");
}
