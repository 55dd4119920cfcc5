//! `wct wit fmt`: in place, `--check`, stdin, `--json`, `deps/`, `wct.toml`, parse errors, and
//! meaning kept (`wct diff` finds nothing, `wasm-tools component wit` prints the same).

use crate::common::*;
use predicates::prelude::*;
use std::path::Path;

const MESSY: &str = "package a:b@0.1.0;\ninterface i{\n  // kept\n  f:func(x:u32)->list<u8>; // trailing\n  enum e{one,two}\n}\n";
const TIDY: &str = "package a:b@0.1.0;\n\ninterface i {\n  // kept\n  f: func(x: u32) -> list<u8>; // trailing\n  enum e {\n    one,\n    two,\n  }\n}\n";

fn write(dir: &Path, rel: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn formats_in_place_and_only_what_changes() {
    let dir = tempfile::tempdir().unwrap();
    let messy = write(dir.path(), "messy.wit", MESSY);
    let tidy = write(dir.path(), "tidy.wit", TIDY);
    let dep = write(dir.path(), "deps/x/x.wit", MESSY);
    // A fixed time in the past: a rewrite would set the current time, whatever the clock's
    // resolution (no waiting for it to tick).
    let tidy_time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(&tidy)
        .unwrap()
        .set_modified(tidy_time)
        .unwrap();
    wct()
        .args(["wit", "fmt"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout("");
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), TIDY);
    // A formatted file is not rewritten; deps/ is left alone without --deps.
    assert_eq!(
        std::fs::metadata(&tidy).unwrap().modified().unwrap(),
        tidy_time
    );
    assert_eq!(std::fs::read_to_string(&dep).unwrap(), MESSY);
    wct()
        .args(["wit", "fmt", "--deps"])
        .arg(dir.path())
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(&dep).unwrap(), TIDY);
}

#[test]
fn check_prints_a_diff_writes_nothing_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let messy = write(dir.path(), "messy.wit", MESSY);
    let out = wct()
        .args(["wit", "fmt", "--check"])
        .arg(&messy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = stdout_of(&out);
    assert!(diff.contains("+++ b/"), "{diff}");
    assert!(
        diff.contains("-interface i{\n+\n+interface i {\n"),
        "{diff}"
    );
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), MESSY);
    // --json says the same, per file.
    let out = wct()
        .args(["wit", "fmt", "--check", "--json"])
        .arg(&messy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["files"][0]["changed"], true);
    // Once formatted, --check passes quietly.
    wct().args(["wit", "fmt"]).arg(&messy).assert().success();
    wct()
        .args(["wit", "fmt", "--check"])
        .arg(&messy)
        .assert()
        .success()
        .stdout("");
}

#[test]
fn stdin_goes_to_stdout() {
    wct()
        .args(["wit", "fmt", "-"])
        .write_stdin(MESSY)
        .assert()
        .success()
        .stdout(TIDY);
}

#[test]
fn a_file_that_does_not_parse_is_shown_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "package a:b;\ninterface i {\n  f: func(x u32);\n}\n";
    let file = write(dir.path(), "broken.wit", broken);
    wct()
        .args(["wit", "fmt"])
        .arg(&file)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("broken.wit:3:13"))
        .stderr(predicate::str::contains("f: func(x u32);"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), broken);
    // No .wit file at all is a usage error, not a pass.
    let empty = tempfile::tempdir().unwrap();
    wct()
        .args(["wit", "fmt", "--check"])
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no .wit files"));
}

#[test]
fn wct_toml_sets_the_width() {
    let dir = tempfile::tempdir().unwrap();
    let src = "interface i {\n  function: func(first: list<u8>, second: string) -> u32;\n}\n";
    let file = write(dir.path(), "pkg/i.wit", src);
    wct()
        .args(["wit", "fmt", "--check"])
        .arg(&file)
        .assert()
        .success();
    write(dir.path(), "wct.toml", "[fmt]\nwidth = 50\n");
    wct().args(["wit", "fmt"]).arg(&file).assert().success();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "interface i {\n  function: func(\n    first: list<u8>,\n    second: string,\n  ) -> u32;\n}\n"
    );
    write(dir.path(), "wct.toml", "[fmt]\nwidth = \"wide\"\n");
    wct()
        .args(["wit", "fmt"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("wct.toml"));
}

#[test]
fn formatting_keeps_the_meaning_for_wct_diff_and_wasm_tools() {
    let dir = tempfile::tempdir().unwrap();
    for (i, package) in [
        "wasi-history/0.2.0",
        "wasi-history/0.2.12",
        "wit/single.wit",
    ]
    .iter()
    .enumerate()
    {
        let before = fixture(package);
        let after = dir.path().join(i.to_string());
        let after = if before.is_dir() {
            copy_dir(&before, &after);
            after
        } else {
            std::fs::create_dir_all(&after).unwrap();
            let file = after.join("single.wit");
            std::fs::copy(&before, &file).unwrap();
            file
        };
        wct()
            .args(["wit", "fmt", "--deps"])
            .arg(&after)
            .assert()
            .success();
        wct()
            .arg("diff")
            .arg(&before)
            .arg(&after)
            .assert()
            .success()
            .stdout(predicate::str::contains("0 changes"));
        let print = |path: &Path| {
            let out = std::process::Command::new(wasm_tools())
                .args(["component", "wit"])
                .arg(path)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr_of(&out));
            stdout_of(&out)
        };
        assert_eq!(print(&before), print(&after), "{package}");
    }
}
