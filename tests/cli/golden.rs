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

#[test]
fn golden_cases_print_what_their_files_say() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("WCT_BLESS").is_some();
    let path_var = path_with_wct();
    let cases = files_below(&root.join("tests/golden"), "case");
    assert!(cases.len() >= 10, "only {} golden cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            run_case(root, &path_var, case, bless)
                .err()
                .map(|e| format!("{}: {e}", case.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} golden cases failed (WCT_BLESS=1 rewrites expectations):\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
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
