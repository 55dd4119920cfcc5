//! `wct inspect`: human and JSON summaries of modules, components and WIT packages.

use crate::common::*;
use predicates::prelude::*;

#[test]
fn component_from_wasm_tools_shows_wit_imports_and_exports() {
    wct()
        .arg("inspect")
        .arg(fixture("components/hello-wasm-tools.wasm"))
        .assert()
        .success()
        .stdout(predicate::str::contains("component, "))
        .stdout(predicate::str::contains("imports (WIT):"))
        .stdout(predicate::str::contains("interface wasi:cli/stdout@0.2"))
        .stdout(predicate::str::contains("exports (WIT):"))
        .stdout(predicate::str::contains("interface wasi:cli/run@0.2"))
        .stdout(predicate::str::contains("world root {"))
        .stdout(predicate::str::contains(
            "import wasi_snapshot_preview1::fd_write",
        ))
        .stdout(predicate::str::contains("processed-by: wit-component"));
}

#[test]
fn function_exports_show_their_wit_signature() {
    wct()
        .arg("inspect")
        .arg(fixture("wat/component.wat"))
        .assert()
        .success()
        .stdout(predicate::str::contains("answer: func() -> u32"));
}

#[test]
fn wit_package_is_recognised() {
    wct()
        .arg("inspect")
        .arg(fixture("components/demo-package.wasm"))
        .assert()
        .success()
        .stdout(predicate::str::contains("WIT package, "))
        .stdout(predicate::str::contains("package wct:demo@0.1.0;"))
        .stdout(predicate::str::contains(
            "get: func(key: string) -> option<string>;",
        ));
}

#[test]
fn core_module_lists_imports_memories_and_start() {
    wct()
        .arg("inspect")
        .arg(fixture("wat/names.wat"))
        .assert()
        .success()
        .stdout(predicate::str::contains("core module"))
        .stdout(predicate::str::contains(
            "import env::log (func func(i32) -> ())",
        ))
        .stdout(predicate::str::contains("memory 1..4 pages"))
        .stdout(predicate::str::contains("start function 2"))
        .stdout(predicate::str::contains("export bump (func)"));
}

#[test]
fn json_has_the_documented_fields() {
    let out = wct()
        .args(["inspect", "--json"])
        .arg(fixture("components/greeter-dummy.wasm"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["kind"], "component");
    assert_eq!(json["wit_exports"][0]["name"], "wct:demo/greet@0.1.0");
    assert_eq!(json["wit_exports"][0]["kind"], "interface");
    assert!(json["sections"].as_array().unwrap().len() > 3);
    assert_eq!(json["structure"]["children"][0]["kind"], "module");
}

#[test]
fn json_output_is_deterministic() {
    let run = || {
        wct()
            .args(["inspect", "--json"])
            .arg(fixture("components/hello-wasm-tools.wasm"))
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(run(), run());
}

#[test]
fn bad_inputs_exit_2_naming_the_file() {
    for rel in [
        "invalid/truncated.wasm",
        "invalid/empty.wasm",
        "invalid/wrong-magic.wasm",
        "nope.wasm",
    ] {
        let out = wct().arg("inspect").arg(fixture(rel)).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{rel}");
        let stderr = stderr_of(&out);
        assert!(stderr.contains(rel), "{rel}: {stderr}");
        assert!(!stderr.contains("panicked"), "{rel}: {stderr}");
    }
    wct()
        .arg("inspect")
        .arg(fixture("c"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a directory"));
}
