//! `wct print`: binary -> WAT.

use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;

/// Print a module or component as WAT text.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct print tests/fixtures/c/hello.wasm
  wct print --skeleton tests/fixtures/http/echo.wasm -o echo.wat")]
pub struct Args {
    /// The wasm binary (or WAT, which is normalized); `-` reads stdin.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Elide function bodies and data, keeping the structure.
    #[arg(long)]
    skeleton: bool,
    /// Write the text here instead of stdout (atomically).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: Args, _global: &GlobalOpts) -> Result<ExitCode> {
    let wasm = super::read_wasm(&args.file)?;
    let text = wct_component::text::print(&wasm, args.skeleton)
        .map_err(|e| miette::miette!("{}: {e:#}", wct_io::display_name(&args.file)))?;
    output::write(args.output.as_ref(), text.as_bytes(), false, &[&args.file])?;
    Ok(ExitCode::SUCCESS)
}
