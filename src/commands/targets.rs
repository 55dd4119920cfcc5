//! `wct targets`: does a component fit a world?

use super::wit::FeatureArgs;
use crate::output;
use crate::report::{GlobalOpts, EXIT_FAILED};
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;
use wct_component::targets::check_targets;
use wct_component::targets::{FoundInstead, TargetsError};

/// Check that a component fits a world, with one line per mismatch.
///
/// Each import of the component must be provided by the world, and each export the world
/// requires must be present, with matching types.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct targets tests/fixtures/http/echo.wasm --world wasi:http/proxy
  wct targets tests/fixtures/components/greeter-dummy.wasm \\
      --wit wit/demo --world greeter --json
  wct targets tests/fixtures/http/echo.wasm \\
      --world wasi:http/proxy@0.2.0 --world wasi:cli/imports

Exit status:
  0  the component fits the world
  1  it does not (each mismatch is listed)
  2  unreadable input, unknown world, invalid WIT")]
pub struct Args {
    /// The component.
    #[arg(value_name = "COMPONENT")]
    component: PathBuf,
    /// The world: a name in `--wit`, or a built-in world such as `wasi:cli/command` (any
    /// semver-compatible version of the bundled one, like `@0.2.4`). Repeat it to check
    /// against the union of several worlds (a WASI 0.3 component that also imports 0.2).
    #[arg(short, long, value_name = "WORLD", required = true)]
    world: Vec<String>,
    /// Where the world is defined (not needed for built-in worlds).
    #[arg(long, value_name = "PATH")]
    wit: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    features: FeatureArgs,
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    let name = wct_io::display_name(&args.component);
    let component = super::read_wasm(&args.component)?;
    let mut worlds = Vec::new();
    let mut names = Vec::new();
    for world in &args.world {
        let source = match &args.wit {
            Some(wit) if !wct_wit::builtin::is_builtin(world) => wit.clone(),
            _ => world.clone(),
        };
        let mut set = super::wit::load(&source, &args.features)?;
        let id = set.select_world(Some(world)).map_err(super::wit::report)?;
        names.push(wct_wit::worlds::view(&set.resolve, id).name);
        worlds.push((set.resolve, id));
    }
    let world_name = names.join(" + ");
    let (resolve, world) = wct_wit::worlds::union(worlds).map_err(miette::Report::new)?;
    let mismatches = check_targets(&component, &resolve, world).map_err(|e| match e {
        TargetsError::NotAComponent(FoundInstead::CoreModule) => crate::report::about(
            &name,
            crate::report::WithHelp::new(e, "make a component with `wct new` or `wct adapt`"),
        ),
        e => crate::report::about(&name, e),
    })?;
    if args.json {
        output::json_sorted(&wct_component::targets::TargetsReport::new(
            &name,
            &world_name,
            &mismatches,
        ))?;
    } else if mismatches.is_empty() {
        if !global.quiet {
            output::stdout(&format!("{name}: fits {world_name}\n"))?;
        }
    } else {
        let mut text = format!(
            "{name}: does not fit {world_name} ({} mismatch{})\n",
            mismatches.len(),
            if mismatches.len() == 1 { "" } else { "es" }
        );
        // A component mixing WASI 0.2 and 0.3 has dozens of imports of the other version:
        // one line per version (every import with --verbose).
        let generations = wct_component::targets::world_wasi_generations(&resolve, world);
        let (other_wasi, rest) =
            wct_component::targets::group_other_wasi(&mismatches, &generations);
        for group in &other_wasi {
            text.push_str(&format!("  {group}\n"));
        }
        let listed: Vec<&wct_component::targets::Mismatch> = if global.verbose {
            mismatches.iter().collect()
        } else {
            rest
        };
        for m in listed {
            text.push_str(&format!("  {m}\n"));
        }
        if !other_wasi.is_empty() {
            text.push_str(
                "  (-v lists every import; a component mixing WASI versions runs on a host that \
                 provides 0.2 and 0.3 together, as `wct run` and `wasmtime run` do)\n",
            );
        }
        output::stdout(&text)?;
    }
    Ok(if mismatches.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    })
}
