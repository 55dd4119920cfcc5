//! Rules of the code's shape that review would otherwise have to catch: the CLI (`src/`)
//! renders what the crates compute and builds no JSON by hand; no public library function
//! returns a `String` as its error.

use std::path::{Path, PathBuf};

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_cli_builds_no_json_by_hand() {
    let offenders: Vec<String> = rust_files(&root().join("src"))
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
    for file in rust_files(&root().join("crates")) {
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
