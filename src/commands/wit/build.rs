//! `wct wit build`: the binary (wasm-encoded) form of a WIT package.

use super::FeatureArgs;
use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::process::ExitCode;

/// Encode a WIT package as wasm (what registries and `wct wit print` read back).
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct wit build wit/demo -o demo.wasm
  wct wit build wit/demo -o demo.wasm && wct wit print demo.wasm")]
pub struct Args {
    /// The WIT source.
    #[arg(value_name = "PATH")]
    path: String,
    /// Encode this package (`ns:name[@version]`) instead of the main one.
    #[arg(long, value_name = "PACKAGE")]
    package: Option<String>,
    #[command(flatten)]
    out: output::WasmOutputArgs,
    #[command(flatten)]
    features: FeatureArgs,
}

pub fn run(args: Args, _global: &GlobalOpts) -> Result<ExitCode> {
    let set = super::load(&args.path, &args.features)?;
    let pkg = set
        .select_package(args.package.as_deref())
        .map_err(super::report)?;
    let bytes = set.encode(pkg).map_err(miette::Report::new)?;
    args.out
        .write(&bytes, &[std::path::Path::new(&args.path)])?;
    Ok(ExitCode::SUCCESS)
}
