//! The formatter on every WIT file available offline: the project's fixtures, the vendored
//! WASI 0.2.12 and 0.3.0 WIT, and wit-parser 0.263.0's own ui cases (from the cargo registry,
//! where the build put them). A file that parses must format, format again to the same text,
//! and resolve to the same packages (compared as wit-parser prints them, docs included); a
//! file that does not parse must be refused.

use std::path::{Path, PathBuf};
use wct_wit::fmt::{check_syntax, format_source, Refusal, Style};
use wit_parser::Resolve;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// wit-parser 0.263.0's `tests/ui` in cargo's registry cache.
fn wit_parser_ui() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo"));
    let src = home.join("registry/src");
    for index in std::fs::read_dir(&src).expect("cargo registry sources") {
        let ui = index.unwrap().path().join("wit-parser-0.263.0/tests/ui");
        if ui.is_dir() {
            return ui;
        }
    }
    panic!(
        "wit-parser 0.263.0's tests/ui not found under {}",
        src.display()
    );
}

fn wit_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            wit_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "wit") {
            out.push(path);
        }
    }
}

/// Every package of `resolve` as wit-parser prints it, in name order.
fn printed(resolve: &Resolve) -> String {
    let mut packages: Vec<_> = resolve.packages.iter().collect();
    packages.sort_by_key(|(_, p)| p.name.to_string());
    let mut out = String::new();
    for (id, _) in packages {
        let mut printer = wit_component::WitPrinter::default();
        printer.print(resolve, id, &[]).unwrap();
        out.push_str(&printer.output.to_string());
    }
    out
}

/// Formats every WIT file below `root` in place, returning how many parsed.
fn format_tree(root: &Path) -> usize {
    let mut files = Vec::new();
    if root.is_dir() {
        wit_files(root, &mut files);
    } else {
        files.push(root.to_path_buf());
    }
    let mut formatted = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.display().to_string();
        if let Ok(out) = format_source(&name, &text, &Style::default()) {
            std::fs::write(&file, out).unwrap();
            formatted += 1;
        }
    }
    formatted
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}

/// Resolves `unit` (a package directory or a file) with wit-parser.
fn resolve_path(unit: &Path) -> Result<String, String> {
    let mut resolve = Resolve {
        all_features: true,
        ..Resolve::default()
    };
    match resolve.push_path(unit) {
        Ok(_) => Ok(printed(&resolve)),
        Err(e) => Err(format!("{e:#}")),
    }
}

/// Resolves a folder of vendored WASI WIT: one package per file, pushed dependencies first.
fn resolve_wasi(dir: &Path) -> String {
    let mut resolve = Resolve {
        all_features: true,
        ..Resolve::default()
    };
    let mut pushed = 0;
    for name in [
        "io",
        "clocks",
        "random",
        "filesystem",
        "sockets",
        "cli",
        "http",
    ] {
        let file = dir.join(format!("{name}.wit"));
        if file.exists() {
            resolve
                .push_file(&file)
                .unwrap_or_else(|e| panic!("{}: {e:#}", file.display()));
            pushed += 1;
        }
    }
    assert_eq!(
        pushed,
        std::fs::read_dir(dir).unwrap().count(),
        "{}",
        dir.display()
    );
    printed(&resolve)
}

#[test]
fn every_file_formats_idempotently_or_is_refused() {
    let mut files = Vec::new();
    wit_files(&wit_parser_ui(), &mut files);
    wit_files(&repo().join("crates/wct-wit/wit"), &mut files);
    wit_files(&repo().join("tests/fixtures"), &mut files);
    wit_files(&repo().join("wit"), &mut files);
    let (mut formatted, mut refused, mut package_level) = (0, 0, 0);
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let name = file.display().to_string();
        let once = match check_syntax(&name, &text) {
            Err(Refusal::Grammar(_)) => {
                assert!(
                    format_source(&name, &text, &Style::default()).is_err(),
                    "{name}"
                );
                refused += 1;
                continue;
            }
            // Parses, but does not resolve as a package on its own: formatted all the same.
            Err(Refusal::Package) => {
                package_level += 1;
                format_source(&name, &text, &Style::default())
                    .unwrap_or_else(|e| panic!("{name}: {e}"))
            }
            Ok(()) => format_source(&name, &text, &Style::default())
                .unwrap_or_else(|e| panic!("{name}: {e}")),
        };
        let twice = format_source(&name, &once, &Style::default())
            .unwrap_or_else(|e| panic!("{name} after formatting: {e}\n{once}"));
        assert_eq!(once, twice, "{name}: formatting is not idempotent");
        formatted += 1;
    }
    // The corpus is what the issue names: hundreds of ui cases, both kinds present.
    assert!(formatted > 300, "{formatted} formatted");
    assert!(refused > 30, "{refused} refused");
    eprintln!("{formatted} formatted ({package_level} of them with package-level errors), {refused} refused");
    assert!(
        package_level > 100,
        "{package_level} formatted despite package-level errors"
    );
}

#[test]
fn formatted_packages_resolve_to_the_same_thing() {
    let ui = wit_parser_ui();
    let mut units: Vec<PathBuf> = Vec::new();
    for dir in [ui.clone(), ui.join("parse-fail")] {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.is_dir() && p.file_name().unwrap() != "parse-fail"
                    || p.extension().is_some_and(|e| e == "wit")
            })
            .collect();
        entries.sort();
        units.extend(entries);
    }
    for dir in [
        "wit/demo",
        "tests/fixtures/wasi-history/0.2.0",
        "tests/fixtures/wasi-history/0.2.12",
        "tests/fixtures/wit/nested",
    ] {
        units.push(repo().join(dir));
    }
    let scratch = tempfile::tempdir().unwrap();
    let mut same = 0;
    for (i, unit) in units.iter().enumerate() {
        let before = resolve_path(unit);
        let copy = scratch
            .path()
            .join(i.to_string())
            .join(unit.file_name().unwrap());
        copy_tree(unit, &copy);
        format_tree(&copy);
        let after = resolve_path(&copy);
        match (&before, &after) {
            (Ok(b), Ok(a)) => {
                assert_eq!(
                    b,
                    a,
                    "{} resolves differently once formatted",
                    unit.display()
                );
                same += 1;
            }
            (Err(_), Err(_)) => {}
            _ => panic!("{}: before {before:?}\nafter {after:?}", unit.display()),
        }
    }
    assert!(same > 80, "{same} units compared");

    // The vendored WASI WIT: one package per file.
    for set in ["wasi-0.2.12", "wasi-0.3.0"] {
        let vendored = repo().join("crates/wct-wit/wit").join(set);
        let copy = scratch.path().join(set);
        copy_tree(&vendored, &copy);
        assert!(format_tree(&copy) >= 6, "{set}");
        assert_eq!(resolve_wasi(&copy), resolve_wasi(&vendored), "{set}");
    }
}
