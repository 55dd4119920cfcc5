//! `wct wit json`: the resolved WIT as JSON.

use super::FeatureArgs;
use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::process::ExitCode;

/// Print the resolved WIT as JSON (wit-parser's serde shape; see docs/json.md).
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct wit json wit/demo > demo.json
  wct wit json tests/fixtures/compose/greeter.wasm")]
pub struct Args {
    /// The WIT source.
    #[arg(value_name = "PATH")]
    path: String,
    #[command(flatten)]
    features: FeatureArgs,
}

#[derive(serde::Serialize)]
struct WitJson<'a> {
    schema_version: u32,
    origin: wct_wit::Origin,
    /// Index of the main package in `resolve.packages`.
    package: usize,
    /// Index of the implied world in `resolve.worlds`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    world: Option<usize>,
    resolve: &'a wit_parser::Resolve,
}

pub fn run(args: Args, _global: &GlobalOpts) -> Result<ExitCode> {
    let set = super::load(&args.path, &args.features)?;
    output::json(&WitJson {
        schema_version: 1,
        origin: set.origin,
        package: set.package.index(),
        world: set.world.map(|w| w.index()),
        resolve: &set.resolve,
    })?;
    Ok(ExitCode::SUCCESS)
}
