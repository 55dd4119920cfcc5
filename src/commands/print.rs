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
    // The text streams out as it is printed: a large component's WAT is hundreds of MB.
    let mut bad_input = None;
    let written = output::stream(args.output.as_ref(), &[&args.file], &mut |out| {
        wct_component::text::print_to(&wasm, args.skeleton, out).inspect_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidData {
                bad_input = Some(e.to_string());
            }
        })
    });
    if let Some(message) = bad_input {
        miette::bail!("{}: {message}", wct_io::display_name(&args.file));
    }
    written?;
    Ok(ExitCode::SUCCESS)
}
