//! Golden-file CLI tests, in the style of wasm-tools' `tests/cli.rs`.
//!
//! Each `tests/golden/**/NAME.case` holds one directive (after any `#` comment lines):
//! `RUN: wct ...` (must exit 0) or `FAIL: wct ...` (must exit non-zero). The command runs
//! through bash in the repository root with the `wct` under test first on PATH, colours off.
//! What it prints must equal `NAME.stdout` and `NAME.stderr` beside the case, byte for byte;
//! for `FAIL` the exit status is the first line of `NAME.stderr` (`[exit N]`), so a usage error
//! (2) and a failed check (1) stay apart. A missing expectation file means "prints nothing".
//!
//! After a deliberate change of output, `WCT_BLESS=1 cargo test --test cli golden` rewrites
//! the expectation files from what the commands print now (review the diff before committing).

use crate::common::{bash_example, files_below, path_with_wct};
use std::path::Path;

/// The directive of a case and the command it runs.
#[derive(Debug, PartialEq, Eq)]
enum Directive {
    /// Must exit 0.
    Run(String),
    /// Must exit non-zero.
    Fail(String),
}

/// Reads the directive of a case file (comment lines start with `#`).
fn directive(text: &str) -> Result<Directive, String> {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let line = lines.next().ok_or("no RUN: or FAIL: line")?;
    if lines.next().is_some() {
        return Err("one directive per case".into());
    }
    if let Some(cmd) = line.strip_prefix("RUN:") {
        Ok(Directive::Run(cmd.trim().to_string()))
    } else if let Some(cmd) = line.strip_prefix("FAIL:") {
        Ok(Directive::Fail(cmd.trim().to_string()))
    } else {
        Err(format!("expected RUN: or FAIL:, found `{line}`"))
    }
}

/// What a case printed, in the form its expectation files hold.
struct Printed {
    stdout: String,
    stderr: String,
}

/// Runs one case; `Err` describes how it failed its expectations (or its directive).
fn run_case(root: &Path, path_var: &str, case: &Path, bless: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(case).unwrap();
    let directive = directive(&text)?;
    let (command, must_fail) = match &directive {
        Directive::Run(c) => (c, false),
        Directive::Fail(c) => (c, true),
    };
    let out = bash_example(root, path_var, command);
    let code = out.status.code().unwrap_or(-1);
    if must_fail == (code == 0) {
        return Err(format!(
            "`{command}` exited {code}, expected {}\n{}",
            if must_fail { "non-zero" } else { "0" },
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if must_fail {
        stderr = format!("[exit {code}]\n{stderr}");
    }
    let printed = Printed {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    };
    let mut problems = Vec::new();
    for (ext, now) in [("stdout", &printed.stdout), ("stderr", &printed.stderr)] {
        let expected_path = case.with_extension(ext);
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected == *now {
            continue;
        }
        if bless {
            if now.is_empty() {
                let _ = std::fs::remove_file(&expected_path);
            } else {
                std::fs::write(&expected_path, now).unwrap();
            }
            continue;
        }
        problems.push(format!(
            "{}: differs\n--- expected\n{expected}--- printed now\n{now}",
            expected_path.display()
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Runs the case `tests/golden/{rel}.case`; panics with what differs.
fn check_case(rel: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("WCT_BLESS").is_some();
    let case = root.join("tests/golden").join(format!("{rel}.case"));
    if let Err(e) = run_case(root, &path_with_wct(), &case, bless) {
        panic!(
            "{}: {e}\n(WCT_BLESS=1 rewrites expectations)",
            case.display()
        );
    }
}

/// One `#[test]` per case, named after it (`cargo test golden::inspect_greeter` runs one), and
/// the list of all of them.
macro_rules! golden_cases {
    ($($name:ident => $rel:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check_case($rel);
            }
        )*
        /// Every case that has a test.
        const CASES: &[&str] = &[$($rel),*];
    };
}

golden_cases! {
    advice_adapt_component => "advice/adapt-component",
    advice_new_no_metadata => "advice/new-no-metadata",
    advice_new_preview1_program => "advice/new-preview1-program",
    advice_targets_core_module => "advice/targets-core-module",
    advice_wit_no_metadata => "advice/wit-no-metadata",
    compose_chain => "compose/chain",
    compose_core_module_plug => "compose/core-module-plug",
    config_compose_bad_socket => "config/compose-bad-socket",
    config_diff_bad_type => "config/diff-bad-type",
    config_diff_unknown_rule => "config/diff-unknown-rule",
    diff_greet_v2_to_demo => "diff/greet-v2-to-demo",
    diff_greet_v2_to_demo_markdown => "diff/greet-v2-to-demo-markdown",
    diff_no_change => "diff/no-change",
    fmt_trailing_doc_comment => "fmt/trailing-doc-comment",
    inspect_demo_package => "inspect/demo-package",
    inspect_greeter => "inspect/greeter",
    json_compose => "json/compose",
    json_diff => "json/diff",
    json_semver_check => "json/semver-check",
    json_targets => "json/targets",
    json_wit_worlds => "json/wit-worlds",
    run_c_exit => "run/c-exit",
    run_c_hello => "run/c-hello",
    run_invoke_greet => "run/invoke-greet",
    serve_not_a_proxy => "serve/not-a-proxy",
    serve_startup_and_stop => "serve/startup-and-stop",
    targets_greeter_not_a_command => "targets/greeter-not-a-command",
    targets_hello_adapted => "targets/hello-adapted",
    validate_bad_body => "validate/bad-body",
    validate_bad_component => "validate/bad-component",
    validate_empty => "validate/empty",
    validate_empty_folder => "validate/empty-folder",
    validate_folder_ok => "validate/folder-ok",
    validate_missing_file => "validate/missing-file",
    validate_syntax_error => "validate/syntax-error",
    validate_truncated => "validate/truncated",
    validate_wrong_magic => "validate/wrong-magic",
    wit_check_bad_gate => "wit-check/bad-gate",
    wit_check_bad_version => "wit-check/bad-version",
    wit_check_cyclic_use => "wit-check/cyclic-use",
    wit_check_duplicate_name => "wit-check/duplicate-name",
    wit_check_fmt_syntax => "wit-check/fmt-syntax",
    wit_check_missing_dep => "wit-check/missing-dep",
    wit_check_nested_ok => "wit-check/nested-ok",
    wit_check_syntax => "wit-check/syntax",
    wit_check_unknown_type => "wit-check/unknown-type",
    wit_check_unstable_no_feature => "wit-check/unstable-no-feature",
}

#[test]
fn every_case_file_has_a_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut on_disk: Vec<String> = files_below(&root, "case")
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap().with_extension("");
            rel.to_string_lossy().replace('\\', "/")
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "each tests/golden/**/NAME.case needs a line in golden_cases! (tests/cli/golden.rs)"
    );
}

#[test]
fn every_expectation_file_belongs_to_a_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e != "case") {
                assert!(
                    path.with_extension("case").exists(),
                    "{} has no .case beside it",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn directives_are_parsed_strictly() {
    assert_eq!(
        directive("# about\nRUN: wct validate x.wasm\n"),
        Ok(Directive::Run("wct validate x.wasm".into()))
    );
    assert_eq!(
        directive("FAIL: wct wit check y.wit"),
        Ok(Directive::Fail("wct wit check y.wit".into()))
    );
    assert!(directive("# nothing\n").is_err());
    assert!(directive("RUN: a\nRUN: b\n").is_err());
    assert!(directive("wct validate x.wasm").is_err());
}
