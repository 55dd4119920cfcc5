//! `wct`: the command-line front end. Argument parsing (clap), output formatting and error
//! reporting (miette) live here; all real work is done by the crates under `crates/`.
// Doc comments of the clap structs are help text (`HOST[::GUEST][:ro]`, `[2]`), not links.
#![allow(rustdoc::broken_intra_doc_links)]

mod allocator;
mod args;
mod commands;
mod output;
mod report;

use clap::Parser;
use std::process::ExitCode;

/// Small blocks from mimalloc, large ones from the system allocator (`allocator` says why).
#[global_allocator]
static ALLOCATOR: allocator::SplitAllocator = allocator::SplitAllocator;

/// The versions of the bundled Bytecode Alliance crates, shown by `wct --version`.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\nbundled: ",
    env!("WCT_BUNDLED_VERSIONS")
);

/// A toolchain for the WebAssembly Component Model and WASI 0.2 and 0.3.
#[derive(Parser)]
#[command(
    name = "wct",
    version,
    long_version = LONG_VERSION,
    propagate_version = true,
    after_help = "Exit status:\n  0  success\n  1  checked and failed (invalid input, failed check)\n  2  usage error or unreadable input"
)]
pub struct Cli {
    #[command(flatten)]
    global: report::GlobalOpts,
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    report::install(&cli.global);
    match cli.command.run(&cli.global) {
        Ok(code) => code,
        Err(report) => {
            report::print_error(&report);
            ExitCode::from(report::EXIT_USAGE)
        }
    }
}
