//! `cargo xtask`: developer chores that are not part of `wct` itself.
//!
//! - `fixtures`: rebuilds the committed test fixtures from their sources (C with Debian's
//!   clang + lld + wasi-libc; components with `wasm-tools`), printing every command it runs.
//! - `bench validate|adapt|compose|run`: times `wct` against `wasm-tools`, `wac` and
//!   `wasmtime` in the same run, as ratios.
//! - `demo`: the README's main job, end to end on the bundled fixtures.

mod bench;
mod demo;
mod fixtures;
mod tools;

use anyhow::{bail, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("fixtures") => fixtures::run(),
        Some("bench") => bench::run(&args[1..]),
        Some("demo") => demo::run(),
        _ => bail!("usage: cargo xtask demo | cargo xtask fixtures | cargo xtask bench [validate|adapt|compose|run]"),
    }
}
