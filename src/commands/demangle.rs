//! `wct demangle`: readable Rust and C++ function names in `name` sections.

use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;

/// Demangle the Rust and C++ function names of a module, or of every module in a component.
///
/// For tools that show `name` sections but run no demangler.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct demangle tests/fixtures/compose/greeter.wasm -o greeter.demangled.wasm
  wct demangle tests/fixtures/c/hello.wasm -t -o hello.demangled.wat

Exit status:
  0  written
  2  unreadable or invalid input, or an output that cannot be written")]
pub struct Args {
    /// The module or component (`-` reads stdin).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    out: output::WasmOutputArgs,
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    let name = wct_io::display_name(&args.file);
    let wasm = super::read_wasm(&args.file)?;
    let demangled =
        wct_component::demangle::demangle(&wasm).map_err(|e| crate::report::about(&name, e))?;
    args.out.write(&demangled.bytes, &[&args.file])?;
    if !global.quiet {
        eprintln!("{name}: {} function name(s) demangled", demangled.renamed);
    }
    Ok(ExitCode::SUCCESS)
}
