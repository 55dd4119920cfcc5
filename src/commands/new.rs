//! `wct new`: core module with embedded metadata -> component.

use super::wit::FeatureArgs;
use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;
use wct_component::encode::{has_component_type, new_component, NewOptions};

/// Make a component from a core module that carries `component-type` metadata.
///
/// Use `--wit PATH --world W` for a module without metadata (the world is embedded first),
/// and `--adapt NAME=FILE` to satisfy imports of module NAME with an adapter module (for WASI
/// Preview 1 programs `wct adapt` does this with the bundled adapter).
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct new tests/fixtures/components/greeter-core.wasm -o greeter.wasm
  wct new tests/fixtures/components/greeter-core.wasm \\
      --wit wit/demo --world greeter -o greeter.wasm")]
pub struct Args {
    /// The core module.
    #[arg(value_name = "MODULE")]
    module: PathBuf,
    /// Adapter for imports from module NAME, as NAME=FILE (repeatable).
    #[arg(long, value_name = "NAME=FILE")]
    adapt: Vec<String>,
    /// WIT to embed when the module carries no metadata.
    #[arg(long, value_name = "PATH", requires = "world")]
    wit: Option<String>,
    /// The world in `--wit`.
    #[arg(short, long, value_name = "WORLD")]
    world: Option<String>,
    /// Do not validate the resulting component.
    #[arg(long)]
    skip_validation: bool,
    #[command(flatten)]
    out: output::WasmOutputArgs,
    #[command(flatten)]
    features: FeatureArgs,
}

pub fn run(args: Args, _global: &GlobalOpts) -> Result<ExitCode> {
    let name = wct_io::display_name(&args.module);
    let mut module = super::read_wasm_owned(&args.module)?;
    if let Some(wit) = &args.wit {
        let mut set = super::wit::load(wit, &args.features)?;
        let world = set
            .select_world(args.world.as_deref())
            .map_err(super::wit::report)?;
        if !has_component_type(&module) {
            module = wct_component::embed::embed(
                Some(&module),
                &set.resolve,
                world,
                wit_component::StringEncoding::UTF8,
            )
            .map_err(|e| crate::report::about(&name, e))?;
        }
    }
    let mut adapters = Vec::new();
    for spec in &args.adapt {
        let (adapter_name, file) = spec
            .split_once('=')
            .ok_or_else(|| miette::miette!("--adapt expects NAME=FILE, got `{spec}`"))?;
        adapters.push((
            adapter_name.to_string(),
            super::read_wasm_owned(std::path::Path::new(file))?,
        ));
    }
    let component = new_component(
        &module,
        &NewOptions {
            adapters,
            skip_validation: args.skip_validation,
        },
    )
    .map_err(|e| match e {
        wct_component::encode::EncodeError::NoMetadata => crate::report::about(
            &name,
            crate::report::WithHelp::new(
                e,
                "pass `--wit PATH --world W`, or embed a world first with `wct embed`",
            ),
        ),
        e => crate::report::about(&name, e),
    })?;
    args.out.write(&component, &[&args.module])?;
    Ok(ExitCode::SUCCESS)
}
