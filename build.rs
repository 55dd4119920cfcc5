//! Records the versions of the bundled Bytecode Alliance crates (read from Cargo.lock) so that
//! `wct --version` can report exactly what is linked in.

use std::{env, fs, path::Path};

const REPORTED: &[&str] = &[
    "wasmparser",
    "wasm-encoder",
    "wasmprinter",
    "wat",
    "wit-parser",
    "wit-component",
    "wasm-metadata",
    "wasi-preview1-component-adapter-provider",
    "wac-graph",
    "wasmtime",
];

/// Compares dotted numeric versions.
fn newer(a: &str, b: &str) -> bool {
    let parse = |s: &str| {
        s.split('.')
            .map(|p| p.parse::<u64>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    parse(a) > parse(b)
}

fn main() {
    let dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let lock = Path::new(&dir).join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = fs::read_to_string(&lock).unwrap_or_default();
    let mut versions: Vec<(String, String)> = Vec::new();
    let mut name = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let Some(v) = line.strip_prefix("version = ") {
            if let Some(n) = name.take() {
                if REPORTED.contains(&n.as_str()) {
                    // Several versions can be locked (wasmtime carries its own copies of
                    // the wasm-tools crates): report the newest, which is the one wct uses.
                    let v = v.trim_matches('"').to_string();
                    match versions.iter_mut().find(|(m, _)| m == &n) {
                        Some(entry) if newer(&v, &entry.1) => entry.1 = v,
                        Some(_) => {}
                        None => versions.push((n, v)),
                    }
                }
            }
        }
    }
    versions.sort_by_key(|(n, _)| REPORTED.iter().position(|r| r == n));
    let long: Vec<String> = versions.iter().map(|(n, v)| format!("{n} {v}")).collect();
    println!("cargo:rustc-env=WCT_BUNDLED_VERSIONS={}", long.join(", "));
}
