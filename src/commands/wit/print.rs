//! `wct wit print`: normalized WIT text, or a directory tree with `--out-dir`.

use super::FeatureArgs;
use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;

/// Print WIT normalized: of a package, a component's imports and exports, a module's
/// embedded world, or a built-in world.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct wit print wasi:cli/command
  wct wit print tests/fixtures/compose/greeter.wasm
  wct wit print wit/demo --out-dir wit-copy && wct wit check wit-copy")]
pub struct Args {
    /// The WIT source.
    #[arg(value_name = "PATH")]
    path: String,
    /// Print only this world of the package (interfaces of the package are kept).
    #[arg(short, long, value_name = "WORLD")]
    world: Option<String>,
    /// Print this package (`ns:name[@version]`) instead of the main one.
    #[arg(long, value_name = "PACKAGE")]
    package: Option<String>,
    /// Print only the selected package, without its dependencies nested after it.
    #[arg(long)]
    no_deps: bool,
    /// Write the package as `DIR/<name>.wit` and each dependency under `DIR/deps/`.
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    out_dir: Option<PathBuf>,
    /// Write the text to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    features: FeatureArgs,
}

pub fn run(args: Args, _global: &GlobalOpts) -> Result<ExitCode> {
    let mut set = super::load(&args.path, &args.features)?;
    let mut pkg = set
        .select_package(args.package.as_deref())
        .map_err(super::report)?;
    if args.world.is_some() || (args.package.is_none() && set.origin == wct_wit::Origin::Builtin) {
        let world = set
            .select_world(args.world.as_deref())
            .map_err(super::report)?;
        pkg = set.resolve.worlds[world]
            .package
            .ok_or_else(|| miette::miette!("world belongs to no package"))?;
        let keep = set.resolve.worlds[world].name.clone();
        set.resolve.packages[pkg]
            .worlds
            .retain(|name, _| *name == keep);
    }
    if let Some(dir) = &args.out_dir {
        let files = wct_wit::out_dir::write(&set, pkg, dir)
            .map_err(|e| crate::report::about(format!("writing {}", dir.display()), e))?;
        for file in files {
            eprintln!("wrote {}", file.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let text = set.print(pkg, !args.no_deps).map_err(miette::Report::new)?;
    let input = std::path::Path::new(&args.path);
    output::write(args.output.as_ref(), text.as_bytes(), false, &[input])?;
    Ok(ExitCode::SUCCESS)
}
