//! Rules of the code's shape that review would otherwise have to catch: the CLI (`src/`)
//! renders what the crates compute and builds no JSON by hand; no public library function
//! returns a `String` or `anyhow` error; every library error is a `miette::Diagnostic` and the
//! CLI reports it as one; no module imports in a circle; crate docs list their modules.

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

/// The public signatures of every library crate hold typed errors, not `anyhow`'s: functions
/// (parameters and result), traits, and error types, whose messages do not flatten an
/// `anyhow` chain with `{0:#}` either.
#[test]
fn no_public_library_signature_holds_anyhow() {
    let mut offenders = Vec::new();
    for file in files_below(&root().join("crates"), "rs") {
        if file.components().any(|c| c.as_os_str() == "tests") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let at = |offset: usize| {
            format!(
                "{}:{}",
                file.display(),
                text[..offset].matches('\n').count() + 1
            )
        };
        let imports_anyhow_result =
            code_lines(&text).any(|l| l.starts_with("use anyhow::") && l.contains("Result"));
        if imports_anyhow_result {
            offenders.push(format!("{}: imports anyhow's Result", file.display()));
        }
        for (offset, _) in text.match_indices("pub fn ") {
            let signature = &text[offset..];
            let end = signature.find(['{', ';']).unwrap_or(signature.len());
            if signature[..end].contains("anyhow::") {
                offenders.push(format!("{}: a function", at(offset)));
            }
        }
        for (offset, name, body) in public_items(&text) {
            let error_type = name.ends_with("Error");
            if (error_type || body.starts_with("trait")) && body.contains("anyhow::") {
                offenders.push(format!("{}: {name}", at(offset)));
            }
        }
        for (offset, _) in text.match_indices("#[error(") {
            let attribute = &text[offset..];
            let end = attribute.find(")]").unwrap_or(attribute.len());
            if attribute[..end].contains(":#}") {
                offenders.push(format!("{}: an error message flattens a chain", at(offset)));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "public signatures hold the crate's typed errors, not anyhow: {offenders:#?}"
    );
}

/// `pub enum`, `pub struct` and `pub trait` items of `text`: where each starts, its name, and
/// its text from the keyword to its closing brace.
fn public_items(text: &str) -> Vec<(usize, String, &str)> {
    let mut items = Vec::new();
    for keyword in ["pub enum ", "pub struct ", "pub trait "] {
        for (offset, _) in text.match_indices(keyword) {
            let rest = &text[offset + keyword.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let Some(open) = rest.find(['{', ';']) else {
                continue;
            };
            if rest.as_bytes()[open] == b';' {
                continue;
            }
            let mut depth = 0;
            let mut close = rest.len();
            for (i, c) in rest[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            close = open + i + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let body = &text[offset + 4..offset + keyword.len() + close];
            items.push((offset, name, body));
        }
    }
    items
}

/// Every error type of the library crates is a `miette::Diagnostic`, so help, labels and the
/// cause chain reach the terminal.
#[test]
fn every_library_error_is_a_diagnostic() {
    let mut offenders = Vec::new();
    for file in files_below(&root().join("crates"), "rs") {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let line = line.trim_start();
            let error_type = ["pub enum ", "pub struct "].iter().find_map(|k| {
                line.strip_prefix(k).and_then(|rest| {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    name.ends_with("Error").then_some(name)
                })
            });
            let is_error_type = error_type.is_some();
            // A hand-written `impl Diagnostic` (one that forwards to a wrapped diagnostic).
            let implemented = error_type.is_some_and(|name| {
                text.contains(&format!("impl Diagnostic for {name} "))
                    || text.contains(&format!("impl miette::Diagnostic for {name} "))
            });
            if implemented {
                continue;
            }
            let derives_error = line.starts_with("#[derive(") && line.contains("thiserror::Error");
            if !is_error_type && !derives_error {
                continue;
            }
            // The derive is on the line or among the attributes just above.
            let attrs = lines[i.saturating_sub(6)..=i].join("\n");
            let derive = attrs.rfind("#[derive(").map(|at| &attrs[at..]);
            if !derive.is_some_and(|d| d.lines().next().unwrap().contains("Diagnostic")) {
                offenders.push(format!("{}:{}", file.display(), i + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "error types derive miette::Diagnostic: {offenders:?}"
    );
}

/// The CLI shows a library's typed error as a report of it (`miette::Report::new`, or
/// `report::about` for `FILE: ERROR`), not as text flattened into a new message: no macro
/// that formats (`miette!`, `bail!`, `format!`, ...) interpolates an error value (`e`, `err`,
/// `error`, `source`, `cause`), whether on one line or spread over several. `report.rs`, which
/// renders reports, is where the chain is written out.
#[test]
fn the_cli_does_not_flatten_typed_errors() {
    let mut offenders = Vec::new();
    for file in files_below(&root().join("src"), "rs") {
        if file.ends_with("src/report.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (offset, arguments) in formatting_macros(&text) {
            if interpolates_an_error(arguments) {
                let line = text[..offset].matches('\n').count() + 1;
                let call: Vec<&str> = arguments.split_whitespace().collect();
                offenders.push(format!("{}:{line}: {}", file.display(), call.join(" ")));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "typed errors flattened: {offenders:#?}"
    );
}

/// The names an error value goes by in this code base.
const ERROR_NAMES: [&str; 5] = ["e", "err", "error", "source", "cause"];

/// Every formatting macro call in `text`: where it starts and its arguments, however many
/// lines they span (string literals are skipped when matching parentheses).
fn formatting_macros(text: &str) -> Vec<(usize, &str)> {
    let macros = [
        "miette!(",
        "bail!(",
        "format!(",
        "eprintln!(",
        "println!(",
        "write!(",
        "writeln!(",
        "ensure!(",
    ];
    let mut calls = Vec::new();
    for name in macros {
        for (offset, _) in text.match_indices(name) {
            let preceded = text[..offset].chars().next_back();
            if preceded.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let start = offset + name.len();
            let (mut depth, mut in_string, mut escaped) = (1, false, false);
            let mut end = text.len();
            for (i, c) in text[start..].char_indices() {
                match (in_string, escaped, c) {
                    (true, true, _) => escaped = false,
                    (true, false, '\\') => escaped = true,
                    (true, false, '"') => in_string = false,
                    (true, false, _) => {}
                    (false, _, '"') => in_string = true,
                    (false, _, '(') => depth += 1,
                    (false, _, ')') => {
                        depth -= 1;
                        if depth == 0 {
                            end = start + i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            calls.push((offset, &text[start..end]));
        }
    }
    calls
}

/// Whether formatting `arguments` writes an error value: `{e}` or `{e:#}` in the format
/// string, or `e` (or `e.to_string()`) as an argument.
fn interpolates_an_error(arguments: &str) -> bool {
    ERROR_NAMES.iter().any(|name| {
        let inline =
            arguments.contains(&format!("{{{name}}}")) || arguments.contains(&format!("{{{name}:"));
        let positional = arguments.split(',').skip(1).any(|argument| {
            let argument = argument.trim();
            argument == *name || argument == format!("{name}.to_string()")
        });
        inline || positional
    })
}

#[test]
fn the_flattening_check_sees_calls_over_several_lines() {
    let code = "let r = miette::miette!(\n    help = \"try again\",\n    \"{name}: {e}\"\n);\n\
                let s = format!(\"{}: {}\", name,\n    err);\nlet ok = format!(\"{e_count} (\\\")\");";
    let found: Vec<bool> = formatting_macros(code)
        .into_iter()
        .map(|(_, arguments)| interpolates_an_error(arguments))
        .collect();
    assert_eq!(found, [true, true, false], "{code}");
}

/// Versioned names (`wasi:cli/stdout@0.2.9`) are taken apart in one place,
/// `wct_wit::semver_key::split_versioned` (which `wct_wit::wasi_name` builds on), so every
/// command reads a name, a version and a WASI generation the same way.
#[test]
fn versioned_names_are_split_in_one_place() {
    let splits = [
        "split_once('@')",
        "rsplit_once('@')",
        "split('@')",
        "splitn(2, '@')",
    ];
    let mut found = Vec::new();
    for dir in ["crates", "src"] {
        for file in files_below(&root().join(dir), "rs") {
            if file.components().any(|c| c.as_os_str() == "tests") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in code_lines_numbered(&text) {
                if splits.iter().any(|s| line.contains(s)) {
                    found.push(format!(
                        "{}:{n}",
                        file.strip_prefix(root()).unwrap().display()
                    ));
                }
            }
        }
    }
    let outside: Vec<&String> = found
        .iter()
        .filter(|at| !at.starts_with("crates/wct-wit/src/semver_key.rs:"))
        .collect();
    assert!(
        found.len() == 1 && outside.is_empty(),
        "names split outside semver_key::split_versioned: {found:?}"
    );
}

/// Code lines of a file with their numbers (from 1), comments left out; lines from
/// `#[cfg(test)]` on are left out too (tests take names apart to check them).
fn code_lines_numbered(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, l)| l.trim() != "#[cfg(test)]")
        .map(|(i, l)| (i + 1, l.trim_start()))
        .filter(|(_, l)| !l.starts_with("//"))
        .collect()
}

/// Every module tree the workspace builds: the crates, the CLI (`src/`) and `xtask/`.
fn module_roots() -> Vec<std::path::PathBuf> {
    let mut roots: Vec<_> = std::fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path().join("src"))
        .collect();
    roots.push(root().join("src"));
    roots.push(root().join("xtask/src"));
    roots.sort();
    roots
}

/// The top-level module a file of `src` belongs to (`engine` for `engine.rs`, `serve` for
/// `serve/p3.rs`); `None` for the crate root.
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    let name = first.trim_end_matches(".rs").to_string();
    (!matches!(name.as_str(), "lib" | "main")).then_some(name)
}

/// Code lines of a file: comments and doc comments left out.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim_start)
        .filter(|l| !l.starts_with("//"))
}

/// Which top-level modules each top-level module of `src` names through `crate::`.
fn module_graph(
    src: &Path,
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let files = files_below(src, "rs");
    let modules: std::collections::BTreeSet<String> =
        files.iter().filter_map(|f| top_module(src, f)).collect();
    let mut graph: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = modules
        .iter()
        .map(|m| (m.clone(), Default::default()))
        .collect();
    for file in &files {
        let Some(from) = top_module(src, file) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for line in code_lines(&text) {
            for (at, _) in line.match_indices("crate::") {
                // `wct_run::` and the like end in `crate::` too: only the path root counts.
                if line[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let rest = &line[at + "crate::".len()..];
                let to: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if to != from && modules.contains(&to) {
                    graph.get_mut(&from).unwrap().insert(to);
                }
            }
        }
    }
    graph
}

/// A cycle in `graph`, if there is one, as the modules along it.
fn find_cycle(
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in &graph[node] {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = std::collections::BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
            Default::default();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    assert_eq!(find_cycle(&graph(&[("a", "b"), ("b", "c")])), None);
    assert_eq!(
        find_cycle(&graph(&[("a", "b"), ("b", "c"), ("c", "b")])),
        Some(vec!["b".to_string(), "c".to_string(), "b".to_string()])
    );
}

/// The modules of each crate form layers: no module reaches, through `crate::` paths, a
/// module that reaches back to it (directly or around a longer loop).
#[test]
fn no_import_circles() {
    let mut circles = Vec::new();
    for src in module_roots() {
        let graph = module_graph(&src);
        assert!(
            !graph.is_empty() || src.ends_with("src"),
            "{}",
            src.display()
        );
        if let Some(cycle) = find_cycle(&graph) {
            circles.push(format!("{}: {}", src.display(), cycle.join(" -> ")));
        }
    }
    assert!(circles.is_empty(), "import circles: {circles:#?}");
}

/// Each crate's documentation names every public module it has.
#[test]
fn crate_docs_list_every_public_module() {
    let mut missing = Vec::new();
    for src in module_roots() {
        let lib = src.join("lib.rs");
        let Ok(text) = std::fs::read_to_string(&lib) else {
            continue;
        };
        for line in text.lines() {
            if let Some(module) = line
                .strip_prefix("pub mod ")
                .map(|m| m.trim_end_matches(';'))
            {
                let linked = format!("[`{module}`]");
                let linked_mod = format!("[`{module}`](mod@{module})");
                if !text.contains(&linked) && !text.contains(&linked_mod) {
                    missing.push(format!("{}: {module}", lib.display()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "modules missing from their crate docs: {missing:?}"
    );
}
