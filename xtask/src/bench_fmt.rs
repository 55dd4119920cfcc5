//! `cargo xtask bench fmt`: `wct wit fmt --check` on a WIT tree of more than 5,000 lines (the
//! vendored WASI 0.2.12 and 0.3.0 WIT, one package per file under `deps/`, the 0.2.12 CLI
//! package on top), beside `wasm-tools component wit` reading and printing the same tree, the
//! nearest thing the peer tool does with WIT text.

use crate::tools::root;
use anyhow::{ensure, Result};
use std::path::Path;
use std::process::Command;

pub fn run(wct: &Path, wasm_tools: &Path) -> Result<()> {
    let tree = tempfile::tempdir()?;
    let deps = tree.path().join("deps");
    std::fs::create_dir_all(&deps)?;
    let vendored = root().join("crates/wct-wit/wit");
    let mut lines = 0;
    for set in ["wasi-0.2.12", "wasi-0.3.0"] {
        for entry in std::fs::read_dir(vendored.join(set))? {
            let path = entry?.path();
            let text = std::fs::read_to_string(&path)?;
            lines += text.lines().count();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let target = if set == "wasi-0.2.12" && name == "cli" {
                tree.path().join("cli.wit")
            } else {
                deps.join(format!("{name}-{set}.wit"))
            };
            std::fs::write(target, text)?;
        }
    }
    ensure!(lines > 5000, "only {lines} lines of WIT");
    // Formatted once, so that `--check` exits 0 in the timed runs.
    crate::tools::run(
        Command::new(wct)
            .args(["wit", "fmt", "--deps"])
            .arg(tree.path()),
    )?;
    let ours = crate::measure::median(&|| {
        let mut cmd = Command::new(wct);
        cmd.args(["wit", "fmt", "--check", "--deps"])
            .arg(tree.path());
        vec![cmd]
    })?;
    let theirs = crate::measure::median(&|| {
        let mut cmd = Command::new(wasm_tools);
        cmd.args(["component", "wit"]).arg(tree.path());
        vec![cmd]
    })?;
    crate::measure::report_vs(
        &format!("wit fmt --check {lines} lines vs component wit"),
        "wasm-tools",
        ours,
        theirs,
    );
    Ok(())
}
