//! `wct diff` and `wct semver-check`: formats, exit codes, real WASI history, agreement with
//! `wasm-tools component semver-check`, git baselines and the config file.

use crate::common::*;
use predicates::prelude::*;
use std::path::Path;

fn history(version: &str) -> String {
    fixture(&format!("wasi-history/{version}"))
        .display()
        .to_string()
}

#[test]
fn wasi_0_2_history_is_a_compatible_minor_evolution() {
    let out = wct()
        .args(["diff", &history("0.2.0"), &history("0.2.12"), "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["required_bump"], "minor");
    let findings = json["findings"].as_array().unwrap();
    let gated: Vec<_> = findings
        .iter()
        .filter(|f| f["rule"] == "func-added" && f["bump"] == "minor")
        .collect();
    assert!(!gated.is_empty(), "no @since-gated addition found");
    assert!(gated.iter().all(|f| f["gate"]
        .as_str()
        .unwrap()
        .starts_with("@since(version = 0.2.")));
    assert!(findings
        .iter()
        .any(|f| f["rule"] == "since-gate-added" && f["bump"] == "patch"));
    assert!(findings.iter().all(|f| f["bump"] != "major"));
    wct()
        .args(["semver-check", &history("0.2.0"), &history("0.2.12")])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "0.2.0 -> 0.2.12 declares a minor change; the changes need minor: ok",
        ));
}

#[test]
fn a_breaking_edit_of_wasi_fails_semver_check() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("wasi");
    copy_dir(Path::new(&history("0.2.12")), &copy);
    let cli = copy.join("cli.wit");
    let text = std::fs::read_to_string(&cli).unwrap();
    let edited = text.replacen(
        "get-arguments: func() -> list<string>;",
        "get-arguments: func(max: u32) -> list<string>;",
        1,
    );
    assert_ne!(text, edited, "the edit did not apply");
    std::fs::write(
        &cli,
        edited.replacen("package wasi:cli@0.2.12;", "package wasi:cli@0.2.13;", 1),
    )
    .unwrap();
    let out = wct()
        .args(["semver-check", &history("0.2.12")])
        .arg(&copy)
        .output()
        .unwrap();
    let stdout = stdout_of(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "declares a minor change but the changes need a major bump: use 0.3.0 or later"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("needs major: func-param-added wasi:cli/environment#get-arguments"),
        "{stdout}"
    );
    wct()
        .args(["diff", &history("0.2.12")])
        .arg(&copy)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("func-param-added"))
        .stdout(predicate::str::contains(
            "callers: breaking, implementers: breaking",
        ));
}

/// World pairs (OLD body, NEW body) in package `t:p`, with what `wasm-tools component
/// semver-check` says about them; wct's "components built for OLD fit NEW" must agree.
const WORLD_PAIRS: &[(&str, &str, &str)] = &[
    (
        "same",
        "import f: func(); export g: func();",
        "import f: func(); export g: func();",
    ),
    (
        "import-added",
        "export g: func();",
        "import f: func(); export g: func();",
    ),
    (
        "import-removed",
        "import f: func(); export g: func();",
        "export g: func();",
    ),
    (
        "export-added",
        "export g: func();",
        "export g: func(); export h: func();",
    ),
    (
        "export-removed",
        "export g: func(); export h: func();",
        "export g: func();",
    ),
    (
        "export-param-changed",
        "export g: func(x: u32);",
        "export g: func(x: u64);",
    ),
    (
        "import-result-changed",
        "import f: func() -> u32;",
        "import f: func() -> string;",
    ),
    (
        "imported-interface-grows",
        "import i: interface { f: func(); }",
        "import i: interface { f: func(); g: func(); }",
    ),
    (
        "exported-interface-grows",
        "export i: interface { f: func(); }",
        "export i: interface { f: func(); g: func(); }",
    ),
    (
        "exported-interface-shrinks",
        "export i: interface { f: func(); g: func(); }",
        "export i: interface { f: func(); }",
    ),
    (
        "imported-interface-shrinks",
        "import i: interface { f: func(); g: func(); }",
        "import i: interface { f: func(); }",
    ),
];

#[test]
fn components_verdict_agrees_with_wasm_tools_semver_check() {
    let wasm_tools = wasm_tools();
    let dir = tempfile::tempdir().unwrap();
    for (name, old, new) in WORLD_PAIRS {
        let combined = dir.path().join(format!("{name}.wit"));
        std::fs::write(
            &combined,
            format!("package t:p;\nworld prev {{ {old} }}\nworld next {{ {new} }}\n"),
        )
        .unwrap();
        let theirs = std::process::Command::new(&wasm_tools)
            .args([
                "component",
                "semver-check",
                "--prev",
                "prev",
                "--new",
                "next",
            ])
            .arg(&combined)
            .output()
            .unwrap()
            .status
            .success();
        let (o, n) = (
            dir.path().join(format!("{name}-old.wit")),
            dir.path().join(format!("{name}-new.wit")),
        );
        std::fs::write(&o, format!("package t:p@1.0.0;\nworld w {{ {old} }}\n")).unwrap();
        std::fs::write(&n, format!("package t:p@1.0.0;\nworld w {{ {new} }}\n")).unwrap();
        let out = wct()
            .args(["semver-check", "--json"])
            .arg(&o)
            .arg(&n)
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", stderr_of(&out)));
        let ours = !json["breaks_components"].as_bool().unwrap();
        assert_eq!(
            ours, theirs,
            "{name}: wct says components fit = {ours}, wasm-tools says {theirs}: {json:#}"
        );
    }
}

#[test]
fn component_builds_are_compared_as_drop_in_replacements() {
    let dir = tempfile::tempdir().unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit/demo");
    let build = |world: &str, wit: &Path| {
        let name = format!("{world}-{}", wit.file_name().unwrap().to_string_lossy());
        dummy_component(dir.path(), &name, wit, world)
    };
    let v1 = build("greeter", &demo);
    let v2 = build("greeter", &fixture("wit/greet-v2"));
    wct()
        .args(["semver-check"])
        .arg(&v1)
        .arg(&v1)
        .assert()
        .success();
    wct()
        .args(["diff"])
        .arg(&v1)
        .arg(&v2)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "root:component: 1 change, needs a major bump",
        ))
        .stdout(predicate::str::contains(
            "greet: parameter `times: u32` was added",
        ));
    wct()
        .args(["semver-check"])
        .arg(&v1)
        .arg(&v2)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("hosts of OLD can run NEW: no"));
}

#[test]
fn formats_markdown_github_sarif() {
    let args = |format: &str| {
        let out = wct()
            .args(["diff", "--format", format, "--fail-on", "never"])
            .arg(fixture("wit/greet-v2"))
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("wit/demo"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{format}: {}", stderr_of(&out));
        stdout_of(&out)
    };
    let md = args("markdown");
    assert!(
        md.contains("| bump | rule | item | change | impact | where |"),
        "{md}"
    );
    assert!(
        md.contains("| major | `func-param-removed` | `wct:demo/greet#greet` |"),
        "{md}"
    );
    let gh = args("github");
    assert!(
        gh.lines()
            .any(|l| l.starts_with("::error file=")
                && l.contains("title=wct diff func-param-removed::")),
        "{gh}"
    );
    let sarif: serde_json::Value = serde_json::from_str(&args("sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "func-param-removed" && r["level"] == "error"));
}

#[test]
fn fail_on_controls_the_exit_code() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit/demo");
    let pkg = fixture("components/demo-package.wasm");
    // The same package as text and as wasm: no change at all.
    wct()
        .args(["diff", "--fail-on", "any"])
        .arg(&demo)
        .arg(&pkg)
        .assert()
        .success()
        .stdout(predicate::str::contains("0 changes, needs no version bump"));
    // Only additions: fine for `breaking`, not for `any`.
    let dir = tempfile::tempdir().unwrap();
    let grown = dir.path().join("grown.wit");
    let text = std::fs::read_to_string(demo.join("greet.wit")).unwrap();
    std::fs::write(
        &grown,
        text.replace(
            "interface store {",
            "interface extra { ping: func(); }\n\ninterface store {",
        ),
    )
    .unwrap();
    wct()
        .args(["diff"])
        .arg(&demo)
        .arg(&grown)
        .assert()
        .success()
        .stdout(predicate::str::contains("interface-added"));
    wct()
        .args(["diff", "--fail-on", "any"])
        .arg(&demo)
        .arg(&grown)
        .assert()
        .code(1);
}

#[test]
fn config_ignores_paths_and_overrides_bumps() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wct-diff.toml");
    std::fs::write(&config, "[rules.func-param-removed]\nbump = \"minor\"\n").unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit/demo");
    wct()
        .args(["diff", "--config"])
        .arg(&config)
        .arg(fixture("wit/greet-v2"))
        .arg(&demo)
        .assert()
        .success();
    std::fs::write(&config, "ignore = [\"wct:demo/greet*\"]\n").unwrap();
    wct()
        .args(["diff", "--config"])
        .arg(&config)
        .arg(fixture("wit/greet-v2"))
        .arg(&demo)
        .assert()
        .success()
        .stdout(predicate::str::contains("func-param-removed").not());
    std::fs::write(&config, "[rules.made-up]\nignore = true\n").unwrap();
    wct()
        .args(["diff", "--config"])
        .arg(&config)
        .arg(&demo)
        .arg(&demo)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule `made-up`"))
        .stderr(predicate::str::contains("wct-diff.toml:1:8]"))
        .stderr(predicate::str::contains("no such rule"))
        .stderr(predicate::str::contains(
            "help: the rules are listed in docs/diff-rules.md",
        ));
}

#[test]
fn against_reads_old_from_a_git_revision() {
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    git(&["init", "-q"]);
    let wit = dir.path().join("wit");
    std::fs::create_dir(&wit).unwrap();
    std::fs::write(
        wit.join("p.wit"),
        "package t:p@1.0.0;\ninterface i { f: func(); }\n",
    )
    .unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "v1"]);
    std::fs::write(
        wit.join("p.wit"),
        "package t:p@1.0.1;\ninterface i { f: func(x: u8); }\n",
    )
    .unwrap();
    wct()
        .args(["diff", "--against", "HEAD"])
        .arg(&wit)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("t:p 1.0.0 -> 1.0.1"))
        .stdout(predicate::str::contains("func-param-added"));
    wct()
        .args(["semver-check", "--against", "HEAD:wit"])
        .arg(&wit)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("use 2.0.0 or later"));
    wct()
        .args(["diff", "--against", "no-such-rev"])
        .arg(&wit)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-rev"));
}
