//! `wct parse`: WAT -> binary.

use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;

/// Assemble WAT text into a wasm binary.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct parse tests/fixtures/wat/names.wat -o names.wasm
  wct parse tests/fixtures/wat/component.wat -o - | wct validate -")]
pub struct Args {
    /// The WAT file; `-` reads stdin.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    out: output::WasmOutputArgs,
    /// Validate the binary before writing it.
    #[arg(long)]
    validate: bool,
}

pub fn run(args: Args, _global: &GlobalOpts) -> Result<ExitCode> {
    let input = wct_io::read_input(&args.file).map_err(miette::Report::new)?;
    let wasm = wct_component::text::parse(&input.bytes, &args.file)
        .map_err(|e| crate::report::about(input.display_name(), e))?;
    if args.validate {
        if let Err(e) = wct_component::validate(&wasm, wct_component::features::default_features())
        {
            crate::report::print_error(&crate::report::about(input.display_name(), e));
            return Ok(ExitCode::from(crate::report::EXIT_FAILED));
        }
    }
    args.out.write(&wasm, &[&args.file])?;
    Ok(ExitCode::SUCCESS)
}
