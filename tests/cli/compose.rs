//! `wct compose` and `wct run --plug`: real C components from wit-bindgen, plus small
//! generated components for the matching rules.

use crate::common::*;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn c(name: &str) -> PathBuf {
    fixture(&format!("compose/{name}.wasm"))
}

fn run_output(path: &Path, args: &[&str]) -> String {
    let cache = tempfile::tempdir().unwrap();
    let out = wct()
        .args(["run", "--cache-dir"])
        .arg(cache.path())
        .arg(path)
        .arg("--")
        .args(args)
        .env("WCT_NO_BACKGROUND_COMPILE", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    stdout_of(&out)
}

#[test]
fn c_app_and_c_greeter_compose_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("composed.wasm");
    let compose = |flags: &[&str]| {
        wct()
            .arg("compose")
            .args(flags)
            .arg(c("hello-app"))
            .arg(c("greeter"))
            .arg("-o")
            .arg(&out)
            .assert()
            .success()
    };
    compose(&[])
        .stdout(predicate::str::contains(
            "filled   hello-app: wct:demo/greet@0.1.0 <- greeter: wct:demo/greet@0.1.0",
        ))
        .stdout(predicate::str::contains(
            "unfilled hello-app, greeter: wasi:cli@0.2.12/{environment, exit, stderr, stdin, stdout, ",
        ))
        .stdout(predicate::str::contains("wasi:cli/stdout").not());
    // -v: every import passed through to the host on its own line.
    compose(&["-v"]).stdout(predicate::str::contains(
        "unfilled hello-app: wasi:cli/stdout@0.2.12 -> import of the result\n",
    ));
    wasm_tools_validates(&out);
    wct()
        .arg("targets")
        .arg(&out)
        .args(["--world", "wasi:cli/command"])
        .assert()
        .success();
    assert_eq!(run_output(&out, &["Ada"]), "Hello, Ada!\n");
}

#[test]
fn three_level_chain_runs_with_plug() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chain.wasm");
    wct()
        .arg("compose")
        .arg(c("hello-app"))
        .arg(c("polite-greeter"))
        .arg(c("store"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "filled   hello-app: wct:demo/greet@0.1.0 <- polite-greeter",
        ))
        .stdout(predicate::str::contains(
            "filled   polite-greeter: wct:demo/store@0.1.0 <- store",
        ));
    wasm_tools_validates(&out);
    assert_eq!(run_output(&out, &["world"]), "Good morning, world!\n");
    let cache = tempfile::tempdir().unwrap();
    wct()
        .args(["run", "--cache-dir"])
        .arg(cache.path())
        .arg(c("hello-app"))
        .arg("--plug")
        .arg(c("polite-greeter"))
        .arg("--plug")
        .arg(c("store"))
        .args(["-q", "--", "Grace"])
        .env("WCT_NO_BACKGROUND_COMPILE", "1")
        .assert()
        .success()
        .stdout("Good morning, Grace!\n");
}

#[test]
fn output_is_deterministic_and_graphs_and_json_describe_it() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.wasm"), dir.path().join("b.wasm"));
    for out in [&a, &b] {
        wct()
            .arg("compose")
            .arg(c("hello-app"))
            .arg(c("polite-greeter"))
            .arg(c("store"))
            .arg("-o")
            .arg(out)
            .arg("-q")
            .assert()
            .success();
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let dot = wct()
        .arg("compose")
        .arg(c("hello-app"))
        .arg(c("greeter"))
        .args(["--graph", "dot"])
        .output()
        .unwrap();
    let dot = stdout_of(&dot);
    assert!(dot.starts_with("digraph composition {"), "{dot}");
    assert!(
        dot.contains("\"greeter\" -> \"hello-app\" [label=\"wct:demo/greet@0.1.0\"]"),
        "{dot}"
    );
    let mermaid = wct()
        .arg("compose")
        .arg(c("hello-app"))
        .arg(c("greeter"))
        .args(["--graph", "mermaid"])
        .output()
        .unwrap();
    assert!(
        stdout_of(&mermaid).contains("n1 -->|\"wct:demo/greet@0.1.0\"| n0"),
        "{}",
        stdout_of(&mermaid)
    );
    let json = wct()
        .arg("compose")
        .arg(c("hello-app"))
        .arg(c("greeter"))
        .arg("--json")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["fills"][0]["provider"], "greeter");
    assert!(json["unfilled"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["import"].as_str().unwrap().starts_with("wasi:cli/")));
}

#[test]
fn require_full_fails_on_leftovers_unless_allowed() {
    wct()
        .arg("compose")
        .arg(c("hello-app"))
        .arg(c("greeter"))
        .arg("--require-full")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("left unfilled"))
        // One line per package with its interfaces, and the flags that would let them through.
        .stderr(
            predicate::str::is_match(
                r"\n  wasi:cli@0\.2\.\d+/\{[a-z-]+(, [a-z-]+)*\} \(imported by ",
            )
            .unwrap(),
        )
        .stderr(predicate::str::contains("--allow-unfilled 'wasi:cli/*'"))
        .stderr(predicate::str::contains("--allow-unfilled 'wasi:io/*'"));
    let out = wct()
        .arg("compose")
        .arg(c("hello-app"))
        .arg(c("greeter"))
        .arg("--require-full")
        .output()
        .unwrap();
    let lines = stderr_of(&out).lines().count();
    assert!(
        lines < 15,
        "grouped by package, not an import a line:\n{}",
        stderr_of(&out)
    );
    wct()
        .arg("compose")
        .arg(c("hello-app"))
        .arg(c("greeter"))
        .args(["--require-full", "--allow-unfilled", "wasi:*"])
        .assert()
        .success();
}

/// Makes a component from WIT text with `wct embed --dummy` + `wct new`.
fn dummy(dir: &Path, name: &str, wit: &str, world: &str) -> PathBuf {
    let wit_file = dir.join(format!("{name}.wit"));
    std::fs::write(&wit_file, wit).unwrap();
    dummy_component(dir, name, &wit_file, world)
}

fn greet_pkg(version: &str, sig: &str) -> String {
    format!("package wct:ver@{version};\ninterface greet {{ greet: {sig}; }}\nworld app {{ import greet; export run: func(); }}\nworld greeter {{ export greet; }}\n")
}

#[test]
fn semver_compatible_versions_match_and_incompatible_ones_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let sig = "func(name: string) -> string";
    let app = dummy(dir.path(), "app", &greet_pkg("0.1.0", sig), "app");
    let newer = dummy(dir.path(), "newer", &greet_pkg("0.1.3", sig), "greeter");
    let major = dummy(dir.path(), "major", &greet_pkg("0.2.0", sig), "greeter");
    let out = dir.path().join("c.wasm");
    wct()
        .arg("compose")
        .arg(&app)
        .arg(&newer)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "filled   app: wct:ver/greet@0.1.0 <- newer: wct:ver/greet@0.1.3 (semver)",
        ));
    wasm_tools_validates(&out);
    wct()
        .arg("compose")
        .arg(&app)
        .arg(&major)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "unfilled app: wct:ver/greet@0.1.0 -> import of the result",
        ))
        .stdout(predicate::str::contains(
            "not major: wct:ver/greet@0.2.0: version incompatible",
        ))
        .stdout(predicate::str::contains("unused   major"));
}

#[test]
fn ambiguity_is_an_error_naming_both_unless_one_is_preferred() {
    let dir = tempfile::tempdir().unwrap();
    let sig = "func(name: string) -> string";
    let app = dummy(dir.path(), "app", &greet_pkg("0.1.0", sig), "app");
    let one = dummy(dir.path(), "one", &greet_pkg("0.1.0", sig), "greeter");
    let two = dummy(dir.path(), "two", &greet_pkg("0.1.1", sig), "greeter");
    wct()
        .arg("compose")
        .arg(&app)
        .arg(&one)
        .arg(&two)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "exported by more than one plug: one.wct:ver/greet@0.1.0, two.wct:ver/greet@0.1.1\n  help: pick one with --prefer wct:ver/greet@0.1.0=NAME",
        ));
    wct()
        .arg("compose")
        .arg(&app)
        .arg(&one)
        .arg(&two)
        .args(["--prefer", "wct:ver/greet=two"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "<- two: wct:ver/greet@0.1.1 (preferred)",
        ));
}

#[test]
fn type_mismatch_shows_both_signatures_as_wit() {
    let dir = tempfile::tempdir().unwrap();
    let app = dummy(
        dir.path(),
        "app",
        &greet_pkg("0.1.0", "func(name: string) -> string"),
        "app",
    );
    let wrong = dummy(
        dir.path(),
        "wrong",
        &greet_pkg("0.1.0", "func(name: string, times: u32) -> string"),
        "greeter",
    );
    wct()
        .arg("compose")
        .arg(&app)
        .arg(&wrong)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot be filled by `wrong.wct:ver/greet@0.1.0`: the types differ",
        ))
        .stderr(predicate::str::contains(
            "the import expects `greet: func(name: string) -> string`",
        ))
        .stderr(predicate::str::contains(
            "the export has     `greet: func(name: string, times: u32) -> string`",
        ));
}

#[test]
fn config_file_wires_named_instances_of_the_same_component() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["hello-app", "greeter", "polite-greeter", "store"] {
        std::fs::copy(c(name), dir.path().join(format!("{name}.wasm"))).unwrap();
    }
    let config = dir.path().join("compose.toml");
    std::fs::write(
        &config,
        r#"socket = "app"
[instances]
app = "hello-app.wasm"
plain = "greeter.wasm"
plain-too = "greeter.wasm"
polite = "polite-greeter.wasm"
store = "store.wasm"

[[wire]]
to = "app"
import = "wct:demo/greet@0.1.0"
from = "polite"
"#,
    )
    .unwrap();
    let out = dir.path().join("out.wasm");
    wct()
        .args(["compose", "--config"])
        .arg(&config)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "<- polite: wct:demo/greet@0.1.0 (wired)",
        ))
        .stdout(predicate::str::contains(
            "filled   polite: wct:demo/store@0.1.0 <- store",
        ))
        .stdout(predicate::str::contains("unused").not());
    assert_eq!(run_output(&out, &["Lin"]), "Good morning, Lin!\n");
    wasm_tools_validates(&out);
    // Both instances of greeter.wasm exist in the result.
    let json = wct()
        .args(["compose", "--json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let instances: Vec<&str> = json["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(instances, ["app", "plain", "plain-too", "polite", "store"]);
    std::fs::write(
        &config,
        "socket = \"nope\"\n[instances]\napp = \"hello-app.wasm\"\n",
    )
    .unwrap();
    wct()
        .args(["compose", "--config"])
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "socket `nope` is not in [instances]",
        ))
        .stderr(predicate::str::contains("compose.toml:1:10]"))
        .stderr(predicate::str::contains("the instances are: app"));
    std::fs::write(&config, "socket = \"app\"\n[instances]\napp = 3\n").unwrap();
    wct()
        .args(["compose", "--color", "never", "--config"])
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("compose.toml:3:7]"))
        .stderr(predicate::str::contains("3 │ app = 3"));
}

/// `--plug` (wac's spelling) is the same as listing the plug after the socket.
#[test]
fn plug_flag_as_in_wac() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.wasm");
    wct()
        .arg("compose")
        .arg(fixture("compose/hello-app.wasm"))
        .arg("--plug")
        .arg(fixture("compose/greeter.wasm"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "filled   hello-app: wct:demo/greet@0.1.0 <- greeter",
        ));
    wct()
        .args(["run", "--no-cache"])
        .arg(&out)
        .args(["--", "wac"])
        .assert()
        .success()
        .stdout("Hello, wac!\n");
}

#[test]
fn a_socket_without_plugs_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("y.wasm");
    wct()
        .arg("compose")
        .arg(c("hello-app"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(
            predicate::str::is_match(
                "nothing to compose: .*hello-app.wasm is given without a plug",
            )
            .unwrap(),
        );
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn composed_components_are_named_after_their_instances() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("composed.wasm");
    wct()
        .arg("compose")
        .arg(c("hello-app"))
        .arg(c("greeter"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let size = wct().arg("size").arg(&out).output().unwrap();
    let text = stdout_of(&size);
    assert!(
        text.contains("component hello-app") && text.contains("component greeter"),
        "{text}"
    );
    assert!(!text.contains("component 0"), "{text}");
    // wasm-tools reads the same names.
    let printed = std::process::Command::new(wasm_tools())
        .args(["print", "--skeleton"])
        .arg(&out)
        .output()
        .unwrap();
    let printed = stdout_of(&printed);
    assert!(printed.contains("(component $hello-app"), "{printed}");
    assert!(printed.contains("(instance $greeter"), "{printed}");
    wasm_tools_validates(&out);
}

#[test]
fn modules_and_components_in_a_sockets_type_are_refused_not_a_crash() {
    // wac-graph 0.12 panics encoding a composition whose socket imports or exports a core
    // module or a component, directly or inside an instance.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wasm");
    let shapes = [
        (r#"(import "engine" (component))"#, "engine is"),
        (
            r#"(import "i" (instance (export "m" (core module))))"#,
            "i/m is",
        ),
        (r#"(core module $m) (export "m" (core module $m))"#, "m is"),
        (r#"(component $c) (export "c" (component $c))"#, "c is"),
    ];
    for (body, named) in shapes {
        let socket = dir.path().join("socket.wat");
        std::fs::write(&socket, format!("(component {body})")).unwrap();
        let result = wct()
            .args(["compose", "-q"])
            .arg(&socket)
            .arg(c("greeter"))
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        let err = stderr_of(&result);
        assert_eq!(result.status.code(), Some(2), "{body}: {err}");
        assert!(
            err.contains(&format!("socket: {named} a core module or a component"))
                && !err.contains("panicked"),
            "{body}: {err}"
        );
        assert!(!out.exists());
    }
    // As a plug, a component exporting a module is composed: only what it is wired by counts.
    let plug = dir.path().join("plug.wat");
    std::fs::write(
        &plug,
        r#"(component (core module $m) (export "m" (core module $m)))"#,
    )
    .unwrap();
    wct()
        .args(["compose", "-q"])
        .arg(c("greeter"))
        .arg(&plug)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
}
