//! `wct validate`: verdicts, messages, exit codes, JSON, and agreement with wasm-tools.

use crate::common::*;
use predicates::prelude::*;

#[test]
fn valid_files_print_ok_and_exit_zero() {
    wct()
        .arg("validate")
        .arg(fixture("c/hello.wasm"))
        .arg(fixture("wat/component.wat"))
        .arg(fixture("components/demo-package.wasm"))
        .assert()
        .success()
        .stdout(predicate::str::contains("c/hello.wasm: ok"))
        .stdout(predicate::str::contains("wat/component.wat: ok"))
        .stdout(predicate::str::contains("demo-package.wasm: ok"));
}

#[test]
fn unreadable_input_wins_over_invalid_for_the_exit_code() {
    wct()
        .arg("validate")
        .arg(fixture("invalid/bad-body.wat"))
        .arg(fixture("missing.wasm"))
        .assert()
        .code(2);
}

#[test]
fn a_directory_validates_everything_below_it() {
    let out = wct().arg("validate").arg(fixture("")).output().unwrap();
    let stdout = stdout_of(&out);
    let verdicts = stdout
        .lines()
        .filter(|l| l.ends_with(": ok") || l.contains(": error: "))
        .count();
    assert_eq!(verdicts, all_fixtures().len(), "{stdout}");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the invalid/ fixtures make it fail"
    );
}

#[test]
fn stdin_is_read_for_dash() {
    wct()
        .args(["validate", "-"])
        .write_stdin(std::fs::read(fixture("c/exit.wasm")).unwrap())
        .assert()
        .success()
        .stdout("<stdin>: ok\n");
}

#[test]
fn json_is_an_array_of_results() {
    let out = wct()
        .args(["validate", "--json"])
        .arg(fixture("c/hello.wasm"))
        .arg(fixture("invalid/bad-body.wat"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["status"], "valid");
    assert_eq!(items[0]["kind"], "core-module");
    assert_eq!(items[1]["status"], "invalid");
    assert_eq!(items[1]["function"]["name"], "broken");
    assert!(items[1]["offset"].as_u64().unwrap() > 0);
}

#[test]
fn features_change_the_verdict() {
    // The component is valid by default and invalid without the component model.
    wct()
        .args(["validate", "--features=-component-model"])
        .arg(fixture("wat/component.wat"))
        .assert()
        .code(1);
    wct()
        .args(["validate", "--features=bogus"])
        .arg(fixture("wat/component.wat"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown wasm feature `bogus`"));
}

#[test]
fn verdicts_agree_with_wasm_tools_on_every_fixture() {
    let wasm_tools = wasm_tools();
    let fixtures = all_fixtures();
    assert!(fixtures.len() >= 10, "fixtures are missing");
    for path in fixtures {
        let theirs = std::process::Command::new(&wasm_tools)
            .arg("validate")
            .arg(&path)
            .output()
            .unwrap()
            .status
            .success();
        let ours = wct().arg("validate").arg(&path).output().unwrap();
        assert_eq!(
            ours.status.success(),
            theirs,
            "{}: wct says {:?}, wasm-tools says valid={theirs}",
            path.display(),
            stdout_of(&ours)
        );
    }
}

/// `-v` says what each valid file is; `-v` and `-q` together are a usage error.
#[test]
fn verbose_names_the_kind() {
    wct()
        .args(["validate", "-v"])
        .arg(fixture("c/hello.wasm"))
        .arg(fixture("wat/component.wat"))
        .assert()
        .success()
        .stdout(predicates::str::contains("hello.wasm: ok (core module)"))
        .stdout(predicates::str::contains(
            "component.wat: ok (component, from WAT)",
        ));
    wct()
        .args(["validate", "-v", "-q"])
        .arg(fixture("c/hello.wasm"))
        .assert()
        .code(2);
}

/// A CI step pointed at the wrong folder must not pass silently.
#[test]
fn arguments_that_name_no_file_are_an_error_unless_allowed() {
    let empty = tempfile::tempdir().unwrap();
    wct()
        .arg("validate")
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no .wasm or .wat file in"))
        .stderr(predicates::str::contains("--allow-empty"));
    wct()
        .args(["validate", "--allow-empty"])
        .arg(empty.path())
        .assert()
        .success()
        .stdout("");
}

#[test]
fn wit_files_and_package_folders_are_validated_as_wit() {
    wct()
        .args(["validate", "wit/demo", "wit/demo/greet.wit"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .stdout("wit/demo: ok (WIT package wct:demo@0.1.0)\nwit/demo/greet.wit: ok (WIT package wct:demo@0.1.0)\n");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.wit");
    std::fs::write(
        &bad,
        "package a:b;\n\ninterface i {\n  f: func() -> nope;\n}\n",
    )
    .unwrap();
    let out = wct()
        .args(["validate", "--json"])
        .arg(&bad)
        .arg(dir.path().join("missing.wit"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a missing file wins");
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&out)).unwrap();
    assert_eq!(json[0]["status"], "invalid");
    assert!(
        json[0]["error"].as_str().unwrap().contains("nope"),
        "{json}"
    );
    assert_eq!(json[1]["status"], "unreadable");
    wct()
        .arg("validate")
        .arg(&bad)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("bad.wit: error:"));
}
