//! `wct compose FILE.wac`: WAC documents written here compose byte for byte as `wac compose`
//! (wac-cli 0.12, the oracle `cargo xtask test` installs) composes them, and run; packages
//! come from `--dep`, a deps folder in wac's layout (WIT folders too) and a registry; errors
//! are labelled in the document (exit 1, nothing written); `--emit-wac` writes a composition
//! that composes again into the same component.

use crate::common::{fixture, stderr_of, stdout_of, wasm_tools_validates, wct};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The `wac` binary (crates.io `wac-cli` 0.12.0, features `wit,wat`): on PATH or in cargo's
/// bin folder. Missing is a failure, never a skip: `cargo xtask test` installs it.
fn wac() -> PathBuf {
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(std::env::var_os("CARGO_HOME").map(|h| PathBuf::from(h).join("bin")))
        .chain(std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin")));
    for dir in candidates {
        let path = dir.join("wac");
        if path.is_file() {
            return path;
        }
    }
    panic!("wac is not installed: cargo install wac-cli --version 0.12.0 --locked --no-default-features --features wit,wat (what `cargo xtask test` does)");
}

/// `--dep` flags for the demo components.
fn demo_deps() -> Vec<OsString> {
    let mut args = Vec::new();
    for (package, file) in [
        ("demo:hello-app", "compose/hello-app.wasm"),
        ("demo:polite-greeter", "js/polite-greeter.wasm"),
        ("demo:store", "compose/store.wasm"),
        ("demo:greeter", "compose/greeter.wasm"),
    ] {
        args.push("--dep".into());
        args.push(format!("{package}={}", fixture(file).display()).into());
    }
    args
}

/// `wct compose DOC ARGS -o DIR/wct.wasm` and `wac compose DOC ARGS -o DIR/wac.wasm`, both
/// in `cwd`; both must succeed and write the same bytes. wct's output.
fn compose_both(cwd: &Path, doc: &Path, args: &[OsString], dir: &Path) -> PathBuf {
    let ours = dir.join("wct.wasm");
    let out = wct()
        .current_dir(cwd)
        .arg("compose")
        .arg(doc)
        .args(args)
        .arg("-o")
        .arg(&ours)
        .output()
        .unwrap();
    assert!(out.status.success(), "wct compose: {}", stderr_of(&out));
    let theirs = dir.join("wac.wasm");
    let out = std::process::Command::new(wac())
        .current_dir(cwd)
        .arg("compose")
        .arg(doc)
        .args(args)
        .arg("-o")
        .arg(&theirs)
        .output()
        .unwrap();
    assert!(out.status.success(), "wac compose: {}", stderr_of(&out));
    assert!(
        std::fs::read(&ours).unwrap() == std::fs::read(&theirs).unwrap(),
        "wct and wac composed {} differently",
        doc.display()
    );
    wasm_tools_validates(&ours);
    ours
}

/// What `wct run FILE -- demo` prints.
fn run_demo(file: &Path) -> String {
    let out = wct()
        .arg("run")
        .arg(file)
        .args(["--", "demo"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    stdout_of(&out)
}

#[test]
fn the_demo_as_wac_composes_as_wac_does_and_runs_as_the_toml_route() {
    let dir = tempfile::tempdir().unwrap();
    let composed = compose_both(
        dir.path(),
        &fixture("wac/demo.wac"),
        &demo_deps(),
        dir.path(),
    );
    let toml_route = dir.path().join("auto.wasm");
    wct()
        .args(["compose", "-q"])
        .arg(fixture("compose/hello-app.wasm"))
        .arg(fixture("js/polite-greeter.wasm"))
        .arg(fixture("compose/store.wasm"))
        .arg("-o")
        .arg(&toml_route)
        .assert()
        .success();
    let said = run_demo(&composed);
    assert_eq!(said, "Good morning, demo! (said JavaScript)\n");
    assert_eq!(said, run_demo(&toml_route));
}

/// A deps folder in wac's layout: a versioned component, an unversioned one, and a WIT
/// package in a versioned folder.
fn deps_folder(dir: &Path) {
    let deps = dir.join("deps");
    std::fs::create_dir_all(deps.join("demo/store")).unwrap();
    std::fs::create_dir_all(deps.join("wct/demo/0.1.0")).unwrap();
    std::fs::copy(
        fixture("compose/store.wasm"),
        deps.join("demo/store/0.1.0.wasm"),
    )
    .unwrap();
    std::fs::copy(
        fixture("js/polite-greeter.wasm"),
        deps.join("demo/polite-greeter.wasm"),
    )
    .unwrap();
    let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit/demo/greet.wit");
    std::fs::copy(wit, deps.join("wct/demo/0.1.0/greet.wit")).unwrap();
}

#[test]
fn every_construct_composes_as_wac_does_from_a_deps_folder() {
    let dir = tempfile::tempdir().unwrap();
    deps_folder(dir.path());
    let deps: Vec<OsString> = demo_deps()
        .chunks(2)
        .filter(|pair| {
            let value = pair[1].to_string_lossy();
            value.starts_with("demo:hello-app=") || value.starts_with("demo:greeter=")
        })
        .flatten()
        .cloned()
        .collect();
    // `deps/` in the working folder is wac's default, and wct's.
    let composed = compose_both(dir.path(), &fixture("wac/every.wac"), &deps, dir.path());
    let printed = stdout_of(&wct().arg("print").arg(&composed).output().unwrap());
    for expected in [
        "(import \"clock\" (func",
        "\"plain-greet\" (instance",
        "\"notes\" (type",
        "\"keeper\" (type",
        "\"wasi:cli/run@0.2.12\" (instance",
    ] {
        assert!(
            printed.contains(expected),
            "{expected} not in the composition"
        );
    }
    // The report says what each instance got from where.
    let report = wct()
        .current_dir(dir.path())
        .arg("compose")
        .arg(fixture("wac/every.wac"))
        .args(&deps)
        .arg("--json")
        .arg("-o")
        .arg(dir.path().join("again.wasm"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let fills = json["fills"].as_array().unwrap();
    assert!(
        fills.iter().any(|f| f["consumer"] == "app"
            && f["provider"] == "polite"
            && f["import"] == "wct:demo/greet@0.1.0"),
        "{json}"
    );
    // --check resolves and writes nothing.
    let checked = dir.path().join("checked.wasm");
    wct()
        .current_dir(dir.path())
        .arg("compose")
        .arg(fixture("wac/every.wac"))
        .args(&deps)
        .arg("--check")
        .assert()
        .success();
    assert!(!checked.exists());
}

#[test]
fn errors_are_labelled_in_the_document_exit_1_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wasm");
    std::fs::write(&out, b"kept").unwrap();
    let header = "package test:broken;\n";
    let store = "let store = new demo:store { ... };\n";
    let cases: &[(&str, String, &str)] = &[
        (
            "unknown package",
            format!("{header}let x = new demo:nope {{ ... }};\n"),
            "unknown package `demo:nope`",
        ),
        (
            "unknown export",
            format!("{header}{store}let g = new demo:polite-greeter {{ \"wct:demo/store@0.1.0\": store[\"wct:demo/nope@0.1.0\"], ... }};\n"),
            "unknown export",
        ),
        (
            "type mismatch",
            format!("{header}let plain = new demo:greeter {{ ... }};\nlet g = new demo:polite-greeter {{ \"wct:demo/store@0.1.0\": plain[\"wct:demo/greet@0.1.0\"], ... }};\n"),
            "mismatched instantiation argument",
        ),
        (
            "missing argument",
            format!("{header}let g = new demo:polite-greeter {{ }};\n"),
            "missing instantiation argument",
        ),
        (
            "duplicate let",
            format!("{header}{store}{store}"),
            "`store` is already defined",
        ),
        (
            "bad version",
            format!("{header}let s = new demo:store@0.x {{ ... }};\n"),
            "broken.wac:2",
        ),
    ];
    for (what, text, needle) in cases {
        let doc = dir.path().join("broken.wac");
        std::fs::write(&doc, text).unwrap();
        let result = wct()
            .arg("compose")
            .arg(&doc)
            .args(demo_deps())
            .arg("-o")
            .arg(&out)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = stderr_of(&result);
        assert_eq!(result.status.code(), Some(1), "{what}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{what}: {needle:?} not in {stderr}"
        );
        // Labelled: the line of the document is quoted with the span marked.
        assert!(stderr.contains("broken.wac:"), "{what}: {stderr}");
        assert!(stderr.contains("───"), "{what}: no label in {stderr}");
        assert_eq!(std::fs::read(&out).unwrap(), b"kept", "{what}");
    }
}

#[test]
fn emit_wac_writes_a_composition_that_composes_again_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let auto = dir.path().join("auto.wasm");
    let doc = dir.path().join("auto.wac");
    wct()
        .args(["compose", "-q"])
        .arg(fixture("compose/hello-app.wasm"))
        .arg(fixture("js/polite-greeter.wasm"))
        .arg(fixture("compose/store.wasm"))
        .arg("-o")
        .arg(&auto)
        .arg("--emit-wac")
        .arg(&doc)
        .assert()
        .success();
    let text = std::fs::read_to_string(&doc).unwrap();
    // The header lists the --dep flags that compose it again.
    let deps: Vec<OsString> = text
        .lines()
        .filter_map(|l| l.trim_start_matches(['/', ' ']).strip_prefix("--dep "))
        .flat_map(|d| {
            [
                "--dep".into(),
                d.trim_end_matches([' ', '\\'])
                    .split(" -o")
                    .next()
                    .unwrap()
                    .into(),
            ]
        })
        .collect();
    assert_eq!(deps.len(), 6, "{text}");
    let again = compose_both(dir.path(), &doc, &deps, dir.path());
    let inspect = |file: &Path| {
        let out = wct()
            .args(["inspect", "--json"])
            .arg(file)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let names = |list: &serde_json::Value| {
            let mut names: Vec<String> = list
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["name"].as_str().unwrap().to_string())
                .collect();
            names.sort();
            names
        };
        (names(&v["wit_imports"]), names(&v["wit_exports"]))
    };
    assert_eq!(inspect(&again), inspect(&auto));
    assert_eq!(run_demo(&again), run_demo(&auto));
}

#[test]
fn a_wac_document_and_a_component_are_not_taken_for_each_other() {
    let dir = tempfile::tempdir().unwrap();
    // A .wac document given as a plug.
    let result = wct()
        .arg("compose")
        .arg(fixture("compose/hello-app.wasm"))
        .arg(fixture("wac/demo.wac"))
        .arg("-o")
        .arg(dir.path().join("x.wasm"))
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    assert!(stderr_of(&result).contains("a WAC document is the whole composition"));
    // A component named .wac.
    let fake = dir.path().join("fake.wac");
    std::fs::copy(fixture("compose/greeter.wasm"), &fake).unwrap();
    let result = wct().arg("compose").arg(&fake).output().unwrap();
    assert_eq!(result.status.code(), Some(2));
    assert!(stderr_of(&result).contains("a wasm binary, not a WAC document"));
    // A .wac document where a component is expected.
    let result = wct()
        .arg("run")
        .arg(fixture("wac/demo.wac"))
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr_of(&result).contains("wct compose"),
        "{}",
        stderr_of(&result)
    );
}

#[test]
fn a_package_comes_from_the_registry_and_then_from_the_cache() {
    let server = crate::registry::RegistryServer::start();
    server.seed("tests/fixtures/compose/greeter.wasm", "demo:greeter@0.1.0");
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("hello.wac");
    std::fs::write(
        &doc,
        "package demo:hello;\n\
         let greeter = new demo:greeter@0.1.0 { ... };\n\
         let app = new demo:hello-app { \"wct:demo/greet@0.1.0\": greeter[\"wct:demo/greet@0.1.0\"], ... };\n\
         export app...;\n",
    )
    .unwrap();
    let compose = |out: &str| {
        wct()
            .arg("compose")
            .arg(&doc)
            .arg("--dep")
            .arg(format!(
                "demo:hello-app={}",
                fixture("compose/hello-app.wasm").display()
            ))
            .args(["--registry", &server.addr, "-o"])
            .arg(dir.path().join(out))
            .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .output()
            .unwrap()
    };
    let first = compose("first.wasm");
    assert!(first.status.success(), "{}", stderr_of(&first));
    assert!(stderr_of(&first).contains("pulled demo:greeter@0.1.0 as"));
    let second = compose("second.wasm");
    assert!(
        stderr_of(&second).contains("from cache"),
        "{}",
        stderr_of(&second)
    );
    assert_eq!(
        std::fs::read(dir.path().join("first.wasm")).unwrap(),
        std::fs::read(dir.path().join("second.wasm")).unwrap()
    );
    let ran = wct()
        .arg("run")
        .arg(dir.path().join("first.wasm"))
        .output()
        .unwrap();
    assert_eq!(stdout_of(&ran), "Hello, world!\n");
    // The registry package is locked beside the document, as wkg locks packages.
    let lock = std::fs::read_to_string(dir.path().join("wkg.lock")).unwrap();
    assert!(
        lock.contains("name = \"demo:greeter\"") && lock.contains("sha256:"),
        "{lock}"
    );
    // --locked with a lock that lacks the package: refused, nothing written.
    let unlocked = wct()
        .arg("compose")
        .arg(&doc)
        .arg("--dep")
        .arg(format!(
            "demo:hello-app={}",
            fixture("compose/hello-app.wasm").display()
        ))
        .args(["--registry", &server.addr, "--locked", "--lock"])
        .arg(dir.path().join("other.lock"))
        .arg("-o")
        .arg(dir.path().join("unlocked.wasm"))
        .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(unlocked.status.code(), Some(2));
    assert!(stderr_of(&unlocked).contains("--locked forbids adding it"));
    assert!(!dir.path().join("unlocked.wasm").exists());
    // The registry gone: --offline composes the same from the cache alone.
    let addr = server.addr.clone();
    drop(server);
    let offline = compose_offline(
        &doc,
        &addr,
        dir.path(),
        "offline.wasm",
        &dir.path().join("cache"),
    );
    assert!(offline.status.success(), "{}", stderr_of(&offline));
    assert_eq!(
        std::fs::read(dir.path().join("first.wasm")).unwrap(),
        std::fs::read(dir.path().join("offline.wasm")).unwrap()
    );
    // An empty cache: --offline says what is missing, nothing is written.
    let empty = compose_offline(
        &doc,
        &addr,
        dir.path(),
        "none.wasm",
        &dir.path().join("empty"),
    );
    assert_eq!(empty.status.code(), Some(2));
    assert!(stderr_of(&empty).contains("demo:greeter@0.1.0 is not in the cache"));
    assert!(!dir.path().join("none.wasm").exists());
}

/// `wct compose DOC --offline` for the registry at `addr` (no longer running), with the demo
/// app given by `--dep`, caching in `cache`.
fn compose_offline(
    doc: &Path,
    addr: &str,
    dir: &Path,
    out: &str,
    cache: &Path,
) -> std::process::Output {
    wct()
        .arg("compose")
        .arg(doc)
        .arg("--dep")
        .arg(format!(
            "demo:hello-app={}",
            fixture("compose/hello-app.wasm").display()
        ))
        .args(["--offline", "--registry", addr, "-o"])
        .arg(dir.join(out))
        .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
        .env("XDG_CACHE_HOME", cache)
        .output()
        .unwrap()
}
