//! `wct embed`, `wct new`, `wct adapt`, `wct targets`: core modules into components.

use crate::common::*;
use predicates::prelude::*;
use std::path::Path;

#[test]
fn c_fixtures_adapt_validate_and_target_the_command_world() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["hello", "env", "files", "exit"] {
        let out = dir.path().join(format!("{name}.component.wasm"));
        wct()
            .arg("adapt")
            .arg(fixture(&format!("c/{name}.wasm")))
            .arg("-o")
            .arg(&out)
            .assert()
            .success()
            .stderr(predicate::str::contains(
                "adapting as a command (the module exports `_start`)",
            ))
            .stderr(predicate::str::contains("exports no `cabi_realloc`"));
        wasm_tools_validates(&out);
        wct().arg("validate").arg(&out).assert().success();
        wct()
            .arg("targets")
            .arg(&out)
            .args(["--world", "wasi:cli/command"])
            .assert()
            .success()
            .stdout(predicate::str::contains("fits wasi:cli/command@0.2"));
    }
}

#[test]
fn adapt_is_deterministic_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.wasm"), dir.path().join("b.wasm"));
    for out in [&a, &b] {
        wct()
            .arg("adapt")
            .arg(fixture("c/files.wasm"))
            .arg("-o")
            .arg(out)
            .assert()
            .success();
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

/// Several modules in one run: each result is the bytes a run of its own writes, a module
/// that cannot be adapted is reported by name while the others are still written (exit 2),
/// and two modules that would be written to one file are refused before anything is done.
#[test]
fn adapt_several_modules_into_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("components");
    let names = ["hello", "env", "files", "exit"];
    let mut cmd = wct();
    cmd.arg("adapt");
    for name in names {
        cmd.arg(fixture(&format!("c/{name}.wasm")));
    }
    cmd.arg(fixture("invalid/p1-bad-body.wat"))
        .arg("--out-dir")
        .arg(&out_dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "p1-bad-body.wat: invalid module: type mismatch",
        ))
        .stderr(predicate::str::contains("1 of 5 module(s) not adapted"))
        .stderr(predicate::str::contains("files.wasm: wrote "));
    assert!(!out_dir.join("p1-bad-body.wasm").exists());
    for name in names {
        let alone = dir.path().join(format!("{name}.alone.wasm"));
        wct()
            .arg("adapt")
            .arg(fixture(&format!("c/{name}.wasm")))
            .arg("-o")
            .arg(&alone)
            .assert()
            .success();
        let batch = out_dir.join(format!("{name}.wasm"));
        assert_eq!(
            std::fs::read(&batch).unwrap(),
            std::fs::read(&alone).unwrap(),
            "{name}"
        );
        wasm_tools_validates(&batch);
    }

    let refused = dir.path().join("refused");
    wct()
        .arg("adapt")
        .arg(fixture("c/hello.wasm"))
        .arg(fixture("wat/p1-reactor.wat"))
        .arg(dir.path().join("components/hello.wasm"))
        .arg("--out-dir")
        .arg(&refused)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("would both be written to"));
    assert!(!refused.exists(), "refused before anything was written");
    wct()
        .arg("adapt")
        .arg(fixture("c/hello.wasm"))
        .arg(fixture("c/env.wasm"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--out-dir"));
}

#[test]
fn adapt_chooses_reactor_without_start_and_honours_kind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.wasm");
    wct()
        .arg("adapt")
        .arg(fixture("wat/p1-reactor.wat"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "adapting as a reactor (the module exports no `_start`)",
        ))
        .stderr(predicate::str::contains("cabi_realloc").not());
    wasm_tools_validates(&out);
    wct()
        .arg("adapt")
        .arg(fixture("c/hello.wasm"))
        .args(["--kind", "reactor", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "adapting as a reactor (as requested)",
        ));
}

#[test]
fn adapt_errors_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.wasm");
    let cases = [
        (
            fixture("wat/p1-unknown-import.wat"),
            "does not provide this Preview 1 import: `wasi_snapshot_preview1::sock_teleport`",
        ),
        (
            fixture("components/hello-wasm-tools.wasm"),
            "already a component",
        ),
        (fixture("invalid/wrong-magic.wasm"), "not a wasm binary"),
        (fixture("nope.wasm"), "failed to read"),
        // Named in the module's own terms, not the adapted component's.
        (
            fixture("invalid/p1-bad-body.wat"),
            "invalid module: type mismatch: expected i32, found i64 (at offset 0x",
        ),
        (fixture("invalid/p1-bad-body.wat"), "in function 1 `answer`"),
    ];
    for (input, message) in cases {
        wct()
            .arg("adapt")
            .arg(&input)
            .arg("-o")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message))
            .stderr(predicate::str::contains(
                input.file_name().unwrap().to_str().unwrap(),
            ));
        assert!(!out.exists(), "a failed adapt wrote output");
    }
}

#[test]
fn dummy_module_for_a_custom_world_fits_it_and_not_another() {
    let dir = tempfile::tempdir().unwrap();
    let core = dir.path().join("app-core.wasm");
    let component = dir.path().join("app.wasm");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit/demo");
    wct()
        .arg("embed")
        .arg(&demo)
        .args(["--world", "app", "--dummy", "-o"])
        .arg(&core)
        .assert()
        .success();
    wct()
        .arg("inspect")
        .arg(&core)
        .assert()
        .success()
        .stdout(predicate::str::contains("embedded component-type world"));
    wct()
        .arg("new")
        .arg(&core)
        .arg("-o")
        .arg(&component)
        .assert()
        .success();
    wasm_tools_validates(&component);
    wct()
        .arg("targets")
        .arg(&component)
        .arg("--wit")
        .arg(&demo)
        .args(["--world", "app"])
        .assert()
        .success()
        .stdout(predicate::str::contains("fits wct:demo/app@0.1.0"));
    wct()
        .arg("targets")
        .arg(&component)
        .arg("--wit")
        .arg(&demo)
        .args(["--world", "greeter"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "does not fit wct:demo/greeter@0.1.0 (3 mismatches)",
        ))
        .stdout(predicate::str::contains(
            "import wct:demo/store@0.1.0: not provided by the world",
        ))
        .stdout(predicate::str::contains(
            "export wct:demo/greet@0.1.0: missing from the component",
        ));
}

#[test]
fn targets_reports_a_changed_signature_with_both_types() {
    let out = wct()
        .arg("targets")
        .arg(fixture("components/greeter-dummy.wasm"))
        .arg("--wit")
        .arg(fixture("wit/greet-v2"))
        .args(["--world", "greeter", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["fits"], false);
    let m = &json["mismatches"][0];
    assert_eq!(m["name"], "wct:demo/greet@0.1.0#greet");
    assert_eq!(m["expected"], "func(name: string, times: u32) -> string");
    assert_eq!(m["found"], "func(name: string) -> string");
}

#[test]
fn new_from_a_plain_module_with_wit_and_world() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.wasm");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit/demo");
    // The dummy core already has metadata; a plain module needs --wit/--world.
    wct()
        .arg("new")
        .arg(fixture("wat/names.wat"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("names.wat"));
    wct()
        .arg("new")
        .arg(fixture("components/greeter-core.wasm"))
        .arg("--wit")
        .arg(&demo)
        .args(["--world", "greeter", "-o"])
        .arg(&out)
        .assert()
        .success();
    wasm_tools_validates(&out);
}

#[test]
fn world_and_wit_errors() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit/demo");
    wct()
        .arg("embed")
        .arg(&demo)
        .args(["--world", "nosuch", "--dummy", "-o", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("world 'nosuch' not found"))
        .stderr(predicate::str::contains("wct:demo/app@0.1.0"));
    wct()
        .arg("targets")
        .arg(fixture("components/greeter-dummy.wasm"))
        .arg("--wit")
        .arg(fixture("wit/invalid/unknown-type.wit"))
        .args(["--world", "w"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("name `nosuchtype` does not exist"));
    wct()
        .arg("targets")
        .arg(fixture("c/hello.wasm"))
        .args(["--world", "wasi:cli/command"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expected a component, found a core module",
        ));
}

/// `-t/--wat` (wasm-tools' flag) makes every wasm-writing command print WAT instead, which
/// assembles back into a valid binary.
#[test]
fn wat_output_flag_on_every_writer() {
    let dir = tempfile::tempdir().unwrap();
    let hello = fixture("c/hello.wasm");
    let greeter_core = fixture("components/greeter-core.wasm");
    let names = fixture("wat/names.wat");
    let app = fixture("compose/hello-app.wasm");
    let greeter = fixture("compose/greeter.wasm");
    let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit/demo");
    let runs: Vec<(&str, Vec<std::ffi::OsString>)> = vec![
        (
            "adapt",
            vec![hello.clone().into(), "-q".into(), "-t".into()],
        ),
        ("new", vec![greeter_core.into(), "--wat".into()]),
        ("parse", vec![names.into(), "-t".into()]),
        (
            "embed",
            vec![
                wit.clone().into(),
                "--world".into(),
                "greeter".into(),
                "--dummy".into(),
                "-t".into(),
            ],
        ),
        ("wit build", vec![wit.into(), "-t".into()]),
    ];
    for (command, args) in runs {
        let out = wct().args(command.split(' ')).args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "wct {command} -t: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.starts_with("(module") || text.starts_with("(component"),
            "{command}: {}",
            &text[..40.min(text.len())]
        );
        let wat = dir
            .path()
            .join(format!("{}.wat", command.replace(' ', "-")));
        std::fs::write(&wat, &text).unwrap();
        wct().arg("validate").arg(&wat).assert().success();
    }
    let composed = dir.path().join("composed.wat");
    wct()
        .arg("compose")
        .args([&app, &greeter])
        .arg("-q")
        .arg("-o")
        .arg(&composed)
        .arg("--wat")
        .assert()
        .success();
    let text = std::fs::read_to_string(&composed).unwrap();
    assert!(text.starts_with("(component"));
    wct().arg("validate").arg(&composed).assert().success();
}

#[test]
fn adapting_a_reactor_warns_that_plain_exports_need_a_world() {
    let dir = tempfile::tempdir().unwrap();
    let calc = dir.path().join("calc.wat");
    std::fs::write(
        &calc,
        r#"(module
             (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
             (memory (export "memory") 1)
             (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
             (func (export "add") (param i32 i32) (result i32) local.get 0)
             (func (export "fib") (param i32) (result i32) local.get 0)
             (func (export "report")))"#,
    )
    .unwrap();
    let out = dir.path().join("calc.wasm");
    wct()
        .arg("adapt")
        .arg(&calc)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "calc.wat: the component does not export the module's function(s) add, fib, report",
        ))
        .stderr(predicate::str::contains("wct embed WIT --world WORLD"));
    // A command's `_start` is not such an export.
    wct()
        .arg("adapt")
        .arg(fixture("c/hello.wasm"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("does not export the module's function").not());
}
