//! `wct embed`: put a world's type information into a core module.

use super::wit::FeatureArgs;
use crate::output;
use crate::report::GlobalOpts;
use clap::ValueEnum;
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;
use wit_component::StringEncoding;

/// Embed a world's types in a core module as a `component-type` custom section.
///
/// This is what wit-bindgen generated code normally carries; `wct new` then turns the module
/// into a component. `--dummy` generates a module that implements the world with trapping
/// bodies, to check a world end to end before any code exists.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct embed wit/demo --world greeter tests/fixtures/c/hello.wasm \\
      -o hello-with-types.wasm
  wct embed wit/demo --world greeter --dummy -o dummy.wasm \\
      && wct new dummy.wasm -o greeter.wasm")]
pub struct Args {
    /// The WIT source (directory, file, wasm package, or a built-in world name).
    #[arg(value_name = "WIT_PATH")]
    wit: String,
    /// The core module; omit with `--dummy`.
    #[arg(value_name = "MODULE", required_unless_present = "dummy")]
    module: Option<PathBuf>,
    /// The world to embed (may be omitted when the package has exactly one).
    #[arg(short, long, value_name = "WORLD")]
    world: Option<String>,
    /// Generate a module implementing the world with trapping bodies.
    #[arg(long, conflicts_with = "module")]
    dummy: bool,
    /// String encoding the module's canonical ABI uses.
    #[arg(long, value_enum, default_value_t = Encoding::Utf8)]
    encoding: Encoding,
    #[command(flatten)]
    out: output::WasmOutputArgs,
    #[command(flatten)]
    features: FeatureArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum Encoding {
    Utf8,
    Utf16,
    CompactUtf16,
}

pub fn run(args: Args, _global: &GlobalOpts) -> Result<ExitCode> {
    let mut set = super::wit::load(&args.wit, &args.features)?;
    let world = set
        .select_world(args.world.as_deref())
        .map_err(super::wit::report)?;
    let module = match &args.module {
        Some(path) => Some(super::read_wasm(path)?),
        None => None,
    };
    let encoding = match args.encoding {
        Encoding::Utf8 => StringEncoding::UTF8,
        Encoding::Utf16 => StringEncoding::UTF16,
        Encoding::CompactUtf16 => StringEncoding::CompactUTF16,
    };
    let name = args
        .module
        .as_deref()
        .map(wct_io::display_name)
        .unwrap_or_else(|| "dummy module".into());
    let bytes = wct_component::embed::embed(module.as_deref(), &set.resolve, world, encoding)
        .map_err(|e| crate::report::about(&name, e))?;
    let inputs: Vec<&std::path::Path> = args.module.iter().map(|p| p.as_path()).collect();
    args.out.write(&bytes, &inputs)?;
    Ok(ExitCode::SUCCESS)
}
