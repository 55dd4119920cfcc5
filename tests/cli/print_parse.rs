//! `wct print` and `wct parse`: text <-> binary, atomic outputs.

use crate::common::*;
use predicates::prelude::*;

#[test]
fn print_then_parse_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let wat = dir.path().join("hello.wat");
    let wasm = dir.path().join("hello.wasm");
    wct()
        .arg("print")
        .arg(fixture("c/hello.wasm"))
        .arg("-o")
        .arg(&wat)
        .assert()
        .success();
    wct()
        .arg("parse")
        .arg(&wat)
        .arg("-o")
        .arg(&wasm)
        .assert()
        .success();
    // Printing the re-assembled binary gives the same text.
    let again = wct().arg("print").arg(&wasm).output().unwrap();
    assert_eq!(
        String::from_utf8(again.stdout).unwrap(),
        std::fs::read_to_string(&wat).unwrap()
    );
    let status = std::process::Command::new(wasm_tools())
        .arg("validate")
        .arg(&wasm)
        .status()
        .unwrap();
    assert!(status.success(), "wasm-tools rejects what wct parse wrote");
}

#[test]
fn skeleton_elides_bodies() {
    let full = wct()
        .arg("print")
        .arg(fixture("wat/names.wat"))
        .output()
        .unwrap();
    let skeleton = wct()
        .args(["print", "--skeleton"])
        .arg(fixture("wat/names.wat"))
        .output()
        .unwrap();
    assert!(stdout_of(&full).contains("i32.add"));
    assert!(!stdout_of(&skeleton).contains("i32.add"));
    assert!(stdout_of(&skeleton).contains("(func $bump"));
}

#[test]
fn parse_error_points_at_line_and_column_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wasm");
    std::fs::write(&out, b"previous").unwrap();
    wct()
        .arg("parse")
        .arg(fixture("invalid/syntax-error.wat"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("syntax-error.wat:4:5"));
    assert_eq!(
        std::fs::read(&out).unwrap(),
        b"previous",
        "output was clobbered"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "temp file left behind"
    );
}

#[test]
fn parse_refuses_to_overwrite_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let wat = dir.path().join("m.wat");
    std::fs::copy(fixture("wat/names.wat"), &wat).unwrap();
    let before = std::fs::read(&wat).unwrap();
    wct()
        .arg("parse")
        .arg(&wat)
        .arg("-o")
        .arg(&wat)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refusing to overwrite input file"));
    assert_eq!(std::fs::read(&wat).unwrap(), before);
}

#[test]
fn parse_validate_flag_rejects_invalid_modules() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.wasm");
    wct()
        .args(["parse", "--validate"])
        .arg(fixture("invalid/bad-body.wat"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("type mismatch"));
    assert!(!out.exists());
}

#[test]
fn print_of_a_broken_binary_fails_cleanly() {
    wct()
        .arg("print")
        .arg(fixture("invalid/truncated.wasm"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("truncated.wasm"));
}

#[test]
fn version_lists_bundled_crates() {
    wct()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains("wasmparser 0.263"))
        .stdout(predicate::str::contains("wit-component 0.263"));
}
