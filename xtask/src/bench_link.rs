//! `cargo xtask bench link`: `wct link` against `wasm-tools component link` on the eight
//! shared libraries inside the 18 MB componentize-py app (`libc.so`, libpython, its runtime
//! and bindings, ...), read out of the component and given their worlds again (the encoder
//! drops them when it links): the app's world in the bindings, WASI 0.2.0's imports in
//! `libc.so` and the runtime, which call WASI directly.

use crate::large_inputs;
use crate::measure::{paired_medians, report};
use crate::tools::{root, run};
use anyhow::{Context, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Paired runs; the median of each is reported.
const ROUNDS: usize = 9;

/// Each top-level core module of `component` with the name `wct size` gives it.
fn top_level_modules(wct: &Path, component: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let out = Command::new(wct)
        .args(["size", "--json", "--depth", "1"])
        .arg(component)
        .output()?;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let names: Vec<String> = report["root"]["children"]
        .as_array()
        .context("wct size --json has a root with children")?
        .iter()
        .filter(|c| c["kind"] == "module")
        .filter_map(|c| c["name"].as_str())
        .map(|n| n.trim_start_matches("module ").to_string())
        .collect();
    let bytes = std::fs::read(component)?;
    let mut modules = Vec::new();
    let mut depth = 0;
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        match payload? {
            wasmparser::Payload::ModuleSection {
                unchecked_range, ..
            } => {
                if depth == 0 {
                    let range = unchecked_range.start as usize..unchecked_range.end as usize;
                    modules.push(bytes[range].to_vec());
                }
                depth += 1;
            }
            wasmparser::Payload::ComponentSection { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth -= 1,
            _ => {}
        }
    }
    anyhow::ensure!(names.len() == modules.len(), "wct size names every module");
    Ok(names.into_iter().zip(modules).collect())
}

/// The app's shared libraries written into `dir`, their worlds embedded; their paths.
fn python_app_libraries(wct: &Path, dir: &Path) -> Result<Vec<PathBuf>> {
    let app = large_inputs::python_app(wct)?;
    let wit = large_inputs::python_app_wit(wct, dir)?;
    let wasi_020 = root().join("tests/fixtures/wasi-history/0.2.0");
    let mut libraries = Vec::new();
    for (name, module) in top_level_modules(wct, &app)? {
        if !name.ends_with(".so") {
            continue;
        }
        let path = dir.join(&name);
        std::fs::write(&path, module)?;
        let world = match name.as_str() {
            "libcomponentize_py_bindings.so" => Some((wit.as_path(), "py-app")),
            "libc.so" | "libcomponentize_py_runtime.so" => Some((wasi_020.as_path(), "imports")),
            _ => None,
        };
        if let Some((wit, world)) = world {
            let embedded = dir.join(format!("{name}.world"));
            run(Command::new(wct)
                .args(["embed", "-q"])
                .arg(wit)
                .args(["--world", world])
                .arg(&path)
                .arg("-o")
                .arg(&embedded))?;
            std::fs::rename(&embedded, &path)?;
        }
        libraries.push(path);
    }
    anyhow::ensure!(libraries.len() == 8, "eight libraries: {libraries:?}");
    Ok(libraries)
}

/// Runs the comparison.
pub fn run_bench(wct: &Path, wasm_tools: &Path) -> Result<()> {
    let scratch = tempfile::tempdir()?;
    let libraries = python_app_libraries(wct, scratch.path())?;
    let adapter = scratch.path().join("reactor.wasm");
    std::fs::write(
        &adapter,
        wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
    )?;
    let mut adapt: OsString = "wasi_snapshot_preview1=".into();
    adapt.push(&adapter);
    let samples = paired_medians(ROUNDS, 2, &|i| {
        let mut cmd = if i == 0 {
            let mut cmd = Command::new(wct);
            cmd.args(["link", "-q"]);
            cmd
        } else {
            let mut cmd = Command::new(wasm_tools);
            cmd.args(["component", "link", "--adapt"]).arg(&adapt);
            cmd
        };
        cmd.args(&libraries)
            .arg("-o")
            .arg(scratch.path().join(format!("out-{i}.wasm")));
        cmd
    })?;
    report(
        "link (componentize-py's 8 libraries)",
        "wasm-tools",
        samples[0],
        samples[1],
    );
    Ok(())
}
