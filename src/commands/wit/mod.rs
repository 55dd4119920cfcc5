//! `wct wit ...`: check, print, build, json and worlds over any WIT source; fmt over WIT text;
//! fetch from registries.

mod build;
mod check;
mod fetch;
mod fmt;
mod json;
mod print;
mod worlds;

use crate::report::GlobalOpts;
use clap::Subcommand;
use miette::Result;
use std::process::ExitCode;
use wct_wit::{LoadOptions, WitError, WitSet};

/// Work with WIT packages and worlds.
///
/// PATH may be a directory (with `deps/`), a `.wit` file, a wasm-encoded WIT package, a
/// component (its imports and exports as a world), a core module with `component-type`
/// metadata, or a built-in world name: `wasi:cli/command`, `wasi:cli/imports`,
/// `wasi:http/proxy`, `wasi:http/imports` (WASI 0.2.12), `wasi:cli/command@0.3.0`,
/// `wasi:cli/imports@0.3.0`, `wasi:http/service@0.3.0`, `wasi:http/middleware@0.3.0`,
/// `wasi:config/imports` (0.2.0-rc.1), `wasi:keyvalue/imports`, `wasi:keyvalue/watch-service`
/// (0.2.0-draft).
#[derive(Subcommand)]
#[command(after_help = "Examples:
  wct wit check wit/demo
  wct wit print wasi:http/service@0.3.0 --no-deps
  wct wit worlds tests/fixtures/compose/greeter.wasm
  wct wit build wit/demo -o demo.wasm
  wct wit fmt --check wit/")]
pub enum WitCommand {
    Check(check::Args),
    Print(print::Args),
    Build(build::Args),
    Json(json::Args),
    Worlds(worlds::Args),
    Fmt(fmt::Args),
    Fetch(fetch::Args),
}

impl WitCommand {
    pub fn run(self, global: &GlobalOpts) -> Result<ExitCode> {
        match self {
            WitCommand::Check(args) => check::run(args, global),
            WitCommand::Print(args) => print::run(args, global),
            WitCommand::Build(args) => build::run(args, global),
            WitCommand::Json(args) => json::run(args, global),
            WitCommand::Worlds(args) => worlds::run(args, global),
            WitCommand::Fmt(args) => fmt::run(args, global),
            WitCommand::Fetch(args) => fetch::run(args, global),
        }
    }
}

/// Flags that control which `@unstable` items are enabled; shared by the `wit` commands.
#[derive(clap::Args, Debug, Clone)]
pub struct FeatureArgs {
    /// Enable `@unstable(feature = NAME)` items (comma-separated, repeatable).
    #[arg(long, value_name = "NAME,...")]
    pub features: Vec<String>,
    /// Enable every `@unstable` item.
    #[arg(long)]
    pub all_features: bool,
}

impl FeatureArgs {
    pub fn options(&self) -> LoadOptions {
        LoadOptions {
            features: self.features.clone(),
            all_features: self.all_features,
        }
    }
}

/// Loads WIT, turning errors into reports (input errors exit 2 through the caller).
pub fn load(spec: &str, features: &FeatureArgs) -> Result<WitSet> {
    wct_wit::load(spec, &features.options()).map_err(report)
}

/// A `WitError` as a miette report (keeps source spans for rendering).
pub fn report(err: WitError) -> miette::Report {
    miette::Report::new(err)
}
