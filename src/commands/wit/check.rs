//! `wct wit check`: parse and resolve WIT, report problems with their source location.

use super::FeatureArgs;
use crate::output;
use crate::report::{print_error, GlobalOpts, EXIT_FAILED, EXIT_USAGE};
use miette::Result;
use std::process::ExitCode;

/// Parse and resolve WIT; report each problem with the source line and span.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct wit check wit/demo
  wct wit check --features my-feature wit/demo \\
      tests/fixtures/components/demo-package.wasm

Exit status:
  0  all inputs are valid WIT
  1  some input is invalid WIT
  2  some input could not be read")]
pub struct Args {
    /// WIT sources: directories, .wit files, wasm packages, components, built-in world names.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    #[command(flatten)]
    features: FeatureArgs,
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    let mut worst = 0u8;
    let mut text = String::new();
    for path in &args.paths {
        match wct_wit::load(path, &args.features.options()) {
            Ok(set) => {
                if !global.quiet {
                    let pkg = &set.resolve.packages[set.package];
                    text.push_str(&format!(
                        "{path}: ok (package {}: {} interfaces, {} worlds; {} dependencies)\n",
                        pkg.name,
                        pkg.interfaces.len(),
                        pkg.worlds.len(),
                        set.dependencies_of(set.package).len()
                    ));
                }
            }
            Err(err) => {
                worst = worst.max(if err.is_unreadable() {
                    EXIT_USAGE
                } else {
                    EXIT_FAILED
                });
                output::stdout(&text)?;
                text.clear();
                print_error(&super::report(err));
            }
        }
    }
    output::stdout(&text)?;
    Ok(ExitCode::from(worst))
}
