//! Rules of the code's shape that review would otherwise have to catch: the CLI (`src/`)
//! renders what the crates compute and builds no JSON by hand; no public library function
//! returns a `String` as its error; the engine crate returns its own typed errors.

use crate::common::files_below;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_cli_builds_no_json_by_hand() {
    let offenders: Vec<String> = files_below(&root().join("src"), "rs")
        .into_iter()
        .filter(|p| std::fs::read_to_string(p).unwrap().contains("json!("))
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "JSON outputs are Serialize types in the crates; `json!` found in {offenders:?}"
    );
}

#[test]
fn no_public_library_function_returns_a_string_error() {
    let mut offenders = Vec::new();
    for file in files_below(&root().join("crates"), "rs") {
        let text = std::fs::read_to_string(&file).unwrap();
        // Signatures may span lines: look from each `pub fn` to its body.
        for (at, _) in text.match_indices("pub fn ") {
            let signature = &text[at..];
            let end = signature.find('{').unwrap_or(signature.len());
            let signature: String = signature[..end].split_whitespace().collect();
            if signature.contains(",String>") && signature.contains("->Result<") {
                let line = text[..at].matches('\n').count() + 1;
                offenders.push(format!("{}:{line}", file.display()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "public functions return typed errors, not String: {offenders:?}"
    );
}

#[test]
fn the_engine_crate_returns_its_own_errors() {
    let mut offenders = Vec::new();
    for file in files_below(&root().join("crates/wct-run/src"), "rs") {
        let text = std::fs::read_to_string(&file).unwrap();
        let imports_anyhow_result = text.lines().any(|l| {
            let l = l.trim();
            l.starts_with("use anyhow::") && l.contains("Result")
        });
        if imports_anyhow_result {
            offenders.push(format!("{}: imports anyhow's Result", file.display()));
        }
        for (at, _) in text.match_indices("pub fn ") {
            let signature = &text[at..];
            let end = signature.find('{').unwrap_or(signature.len());
            if signature[..end].contains("anyhow::") {
                let line = text[..at].matches('\n').count() + 1;
                offenders.push(format!("{}:{line}", file.display()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "wct-run's public functions return wct_run::Error, not anyhow: {offenders:?}"
    );
}
