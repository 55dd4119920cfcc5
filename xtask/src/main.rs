//! `cargo xtask`: developer chores that are not part of `wct` itself.
//!
//! - `fixtures`: rebuilds the committed test fixtures from their sources (C with Debian's
//!   clang + lld + wasi-libc; components with `wasm-tools`), printing every command it runs.
//! - `bench validate|adapt|compose|run`: times `wct` against `wasm-tools`, `wac` and
//!   `wasmtime` in the same run, as ratios.
//! - `demo`: the README's main job, end to end on the bundled fixtures.
//! - `man`: man pages for wct and every subcommand into `docs/man/` (clap_mangen).

mod bench;
mod bench_serve;
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
        Some("man") => tools::run(
            std::process::Command::new("cargo")
                .args(["run", "--quiet", "--bin", "wct", "--", "generate-man"])
                .arg(tools::root().join("docs/man")),
        ),
        _ => bail!("usage: cargo xtask demo | cargo xtask man | cargo xtask fixtures | cargo xtask bench [validate|adapt|compose|run]"),
    }
}
