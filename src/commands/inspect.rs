//! `wct inspect`: what is inside a module, component or WIT package, at a glance.

use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;
use wct_component::inspect::{inspect, render::render};

/// Show what a module, component or wasm-encoded WIT package contains.
///
/// Kind and size, a per-section size table, the WIT world of a component (imports and exports
/// as WIT), nested modules and components as a tree, producers and custom sections.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct inspect tests/fixtures/compose/greeter.wasm
  wct inspect --json tests/fixtures/http/echo.wasm > echo.json")]
pub struct Args {
    /// The wasm binary or WAT text; `-` reads stdin.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Print everything as one JSON object (see docs/json.md).
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, _global: &GlobalOpts) -> Result<ExitCode> {
    let wasm = super::read_wasm(&args.file)?;
    let name = wct_io::display_name(&args.file);
    let inspection = inspect(&wasm).map_err(|e| crate::report::about(&name, e))?;
    if args.json {
        output::json(&inspection)?;
    } else {
        output::stdout(&render(&name, &inspection))?;
    }
    Ok(ExitCode::SUCCESS)
}
