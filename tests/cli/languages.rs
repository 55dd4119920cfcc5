//! Components written in different languages, composed and run: Python (componentize-py),
//! JavaScript (componentize-js on SpiderMonkey, and componentize-qjs on QuickJS) and C
//! (wit-bindgen c + clang).
//!
//! The Python and SpiderMonkey components are 12 to 40 MB, so they are not committed: they are
//! built on demand into `target/fixtures/` from `tests/fixtures/{python,js}/` and reused while
//! their inputs are unchanged. componentize-py must be installed
//! (`pip install componentize-py==0.25.1`) and componentize-js too
//! (`npm ci --prefix xtask/js`), as `.ci/run` does; without them the tests fail with that
//! instruction.

use crate::common::*;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Builds (or reuses) a Python component from `tests/fixtures/python/{module}.py` for `world`
/// in `{module}.wit`, with `wit/demo` as a dependency and, when `with_wasi`, the WASI packages
/// `wct wit print wasi:cli/command --out-dir` writes (0.2.12); without them componentize-py
/// uses its own WASI version.
fn python_component(module: &str, world: &str, with_wasi: bool) -> PathBuf {
    PythonBuild {
        dir: "python",
        module,
        world,
        wasi: with_wasi.then_some("wasi:cli/command"),
        wit: &[
            (
                &format!("{module}.wit"),
                &format!("tests/fixtures/python/{module}.wit"),
            ),
            ("deps/wct-demo/greet.wit", "wit/demo/greet.wit"),
        ],
    }
    .build()
}

/// Builds (or reuses) a JavaScript component with componentize-js (SpiderMonkey) from
/// `tests/fixtures/js/{source}.js` for `world` of `wit/demo`.
pub(crate) fn js_component(source: &str, world: &str) -> PathBuf {
    js_build(source, world, false)
}

/// [`js_component`] for the world `wasi:http/proxy` (`http`) instead of `wit/demo`: the
/// built-in proxy world, with `wasi:http` renumbered 0.2.10, the version componentize-js
/// 0.23's engine implements (its other WASI packages are 0.2.12).
fn js_build(source: &str, world: &str, http: bool) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tools = root.join("xtask/js/node_modules");
    let tool = tools.join(".bin/componentize-js");
    let version = std::fs::read_to_string(
        tools.join("@bytecodealliance/componentize-js/package.json"),
    )
    .unwrap_or_else(|_| {
        panic!("componentize-js is not installed: npm ci --prefix xtask/js (what .ci/run does)")
    });
    let js = root.join(format!("tests/fixtures/js/{source}.js"));
    let wit = root.join("wit/demo/greet.wit");
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (version, source, world, http).hash(&mut hasher);
    std::fs::read(&js).unwrap().hash(&mut hasher);
    std::fs::read(&wit).unwrap().hash(&mut hasher);
    let dir = root.join(format!("target/fixtures/js-{:016x}", hasher.finish()));
    let out = dir.join(format!("{source}.wasm"));
    if out.exists() {
        return out;
    }
    // componentize-js reads the WIT from under its working directory.
    let work = tempfile::tempdir().unwrap();
    let wit_dir = work.path().join("wit");
    if http {
        wct()
            .args(["wit", "print", "wasi:http/proxy", "--out-dir"])
            .arg(&wit_dir)
            .assert()
            .success();
        let main = wit_dir.join("http.wit");
        let text = std::fs::read_to_string(&main).unwrap().replacen(
            "package wasi:http@0.2.12;",
            "package wasi:http@0.2.10;",
            1,
        );
        std::fs::write(&main, text).unwrap();
    } else {
        std::fs::create_dir_all(&wit_dir).unwrap();
        std::fs::copy(&wit, wit_dir.join("greet.wit")).unwrap();
    }
    std::fs::copy(&js, work.path().join(format!("{source}.js"))).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    let partial = partial_path(&dir, &format!("{source}.wasm"));
    let status = std::process::Command::new(&tool)
        .current_dir(work.path())
        .arg(format!("{source}.js"))
        .args(["--wit", "wit", "--world-name", world, "-o"])
        .arg(&partial)
        .status()
        .unwrap();
    assert!(status.success(), "componentize-js failed for {source}");
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
    wasm_tools_validates(&composed);
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
            "unfilled lib, greeter: wasi:io@0.2.12/{error, streams} -> imports of the result (merged from 0.2.9)",
        ));
    wasm_tools_validates(&composed);
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

#[test]
fn three_languages_python_app_javascript_greeter_c_store() {
    let app = python_app();
    let greeter = js_component("polite_greeter", "polite-greeter");
    let dir = tempfile::tempdir().unwrap();
    let composed = dir.path().join("py-js-c.wasm");
    wct()
        .arg("compose")
        .arg(&app)
        .arg(&greeter)
        .arg(fixture("compose/store.wasm"))
        .arg("-o")
        .arg(&composed)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "app: wct:demo/greet@0.1.0 <- polite_greeter: wct:demo/greet@0.1.0",
        ))
        .stdout(predicates::str::contains(
            "polite_greeter: wct:demo/store@0.1.0 <- store: wct:demo/store@0.1.0",
        ));
    wasm_tools_validates(&composed);
    let cache = tempfile::tempdir().unwrap();
    wct()
        .args(["run", "--cache-dir"])
        .arg(cache.path())
        .arg(&composed)
        .env("WCT_NO_BACKGROUND_COMPILE", "1")
        .assert()
        .success()
        .stdout("Good morning, Python! (said JavaScript)\n");
}

#[test]
fn exported_functions_of_each_language_answer_invoke() {
    let cache = tempfile::tempdir().unwrap();
    let invoke = |file: &Path, plugs: &[PathBuf], call: &str, expected: &str| {
        let mut cmd = wct();
        cmd.args(["run", "--cache-dir"]).arg(cache.path()).arg(file);
        for plug in plugs {
            cmd.arg("--plug").arg(plug);
        }
        cmd.args(["-q", "--invoke", call])
            .env("WCT_NO_BACKGROUND_COMPILE", "1")
            .assert()
            .success()
            .stdout(format!("{expected}\n"));
    };
    // C (wit-bindgen c + clang).
    invoke(
        &fixture("compose/greeter.wasm"),
        &[],
        "greet(\"C\")",
        "\"Hello, C!\"",
    );
    // JavaScript on SpiderMonkey: it imports wasi:http (for fetch), which `wct run` links.
    invoke(
        &js_component("greeter", "greeter"),
        &[],
        "greet(\"JS\")",
        "\"Hello from JavaScript, JS!\"",
    );
    // JavaScript on QuickJS (the committed fixture), its store plugged in.
    invoke(
        &fixture("js/polite-greeter.wasm"),
        &[fixture("compose/store.wasm")],
        "wct:demo/greet@0.1.0#greet(\"QuickJS\")",
        "\"Good morning, QuickJS! (said JavaScript)\"",
    );
    // Python, its greeter (C) plugged in.
    invoke(
        &python_component("lib", "py-lib", false),
        &[fixture("compose/greeter.wasm")],
        "hello()",
        "\"Hello, from Python 0.2.9!\"",
    );
}

/// What `wasm-tools component wit` prints for `file`.
fn wasm_tools_wit(file: &Path) -> String {
    let out = std::process::Command::new(wasm_tools())
        .args(["component", "wit"])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "wasm-tools component wit {}",
        file.display()
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_built_component_is_checked_like_wasm_tools_does() {
    let components = [
        python_app(),
        python_component("lib", "py-lib", false),
        js_component("greeter", "greeter"),
        js_component("polite_greeter", "polite-greeter"),
        fixture("js/polite-greeter.wasm"),
        fixture("compose/greeter.wasm"),
        fixture("compose/hello-app.wasm"),
        fixture("compose/store.wasm"),
        fixture("http/echo.wasm"),
    ];
    let wasi = tempfile::tempdir().unwrap();
    wct()
        .args(["wit", "print", "wasi:cli/command", "--out-dir"])
        .arg(wasi.path())
        .assert()
        .success();
    for file in &components {
        let name = file.display().to_string();
        wct().arg("validate").arg(file).assert().success();
        wasm_tools_validates(file);

        // The same WIT, byte for byte, as `wasm-tools component wit`.
        let expected = wasm_tools_wit(file);
        let printed = wct().args(["wit", "print"]).arg(file).output().unwrap();
        assert!(printed.status.success(), "wct wit print {name}");
        assert_eq!(
            String::from_utf8(printed.stdout).unwrap(),
            expected,
            "{name}"
        );

        // inspect lists the exports of that WIT world.
        let inspected = wct()
            .args(["inspect", "--json"])
            .arg(file)
            .output()
            .unwrap();
        assert!(inspected.status.success(), "wct inspect {name}");
        let json: serde_json::Value = serde_json::from_slice(&inspected.stdout).unwrap();
        let exports = json["wit_exports"].as_array().unwrap();
        assert!(!exports.is_empty(), "{name}: no exports");
        for export in exports {
            let export = export["name"].as_str().unwrap();
            assert!(
                expected.contains(&format!("export {export}")),
                "{name}: export {export} not in\n{expected}"
            );
        }

        // Same verdict as `wasm-tools component targets` against wasi:cli/command.
        let ours = wct()
            .arg("targets")
            .arg(file)
            .args(["--world", "wasi:cli/command"])
            .output()
            .unwrap();
        let theirs = std::process::Command::new(wasm_tools())
            .args(["component", "targets", "--world", "wasi:cli/command"])
            .arg(wasi.path())
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(
            ours.status.success(),
            theirs.status.success(),
            "{name}: wct targets says {}, wasm-tools says {}",
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stderr)
        );
    }
}

#[test]
fn a_javascript_http_component_is_served() {
    let server = js_build("server", "proxy", true);
    // componentize-js imports wasi:cli terminals and wasi:filesystem beyond the proxy world:
    // `wct targets` says so, and `wct serve` links them anyway (a proxy-only host refuses it).
    wct()
        .arg("targets")
        .arg(&server)
        .args(["--world", "wasi:http/proxy"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "import wasi:filesystem/types@0.2.12: not provided by the world",
        ));
    let serving = crate::serve::Serving::start_path(&server, &["--compiler", "winch"]);
    let reply = crate::serve::get(&serving, "/greet?name=Ada");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, b"hello Ada from JavaScript\n");
    assert_eq!(reply.content_type.as_deref(), Some("text/plain"));
}

/// Long work shows a progress line on a terminal (here a pseudo-terminal from `script`), and
/// nothing when stderr is not a terminal.
#[test]
fn progress_on_terminals_only() {
    let greeter = js_component("greeter", "greeter");
    let wct_bin = assert_cmd::cargo::cargo_bin("wct");
    let command = format!(
        "{} run --no-cache --compiler cranelift {} --invoke 'greet(\"tty\")'",
        wct_bin.display(),
        greeter.display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .expect("script (util-linux) runs");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("compiling") && shown.contains("with cranelift..."),
        "{shown:?}"
    );
    assert!(
        shown.contains("\"Hello from JavaScript, tty!\""),
        "{shown:?}"
    );
    let piped = wct()
        .args(["run", "--no-cache", "--compiler", "cranelift"])
        .arg(&greeter)
        .args(["--invoke", "greet(\"pipe\")"])
        .output()
        .unwrap();
    assert!(piped.status.success());
    assert!(!String::from_utf8_lossy(&piped.stderr).contains("compiling"));
}
