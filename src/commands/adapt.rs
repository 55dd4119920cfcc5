//! `wct adapt`: WASI Preview 1 module -> Preview 2 component with the bundled adapter.

use crate::output;
use crate::report::GlobalOpts;
use clap::ValueEnum;
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;
use wct_component::adapt::{adapt, AdapterKind};

/// Turn a WASI Preview 1 module into a Preview 2 component, with the adapter bundled in wct.
///
/// A module exporting `_start` becomes a `wasi:cli/command` component, anything else a
/// reactor; `--kind` overrides. Works for modules from clang/wasi-libc, Go `GOOS=wasip1`,
/// Rust `wasm32-wasip1` and others.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct adapt tests/fixtures/c/hello.wasm -o hello.component.wasm
  wct adapt tests/fixtures/wat/p1-reactor.wat --kind reactor -o reactor.wasm")]
pub struct Args {
    /// The Preview 1 core module.
    #[arg(value_name = "MODULE")]
    module: PathBuf,
    /// Which adapter to use instead of the automatic choice.
    #[arg(long, value_enum)]
    kind: Option<Kind>,
    #[command(flatten)]
    out: output::WasmOutputArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Command,
    Reactor,
    Proxy,
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    let name = wct_io::display_name(&args.module);
    let module = super::read_wasm(&args.module)?;
    let kind = args.kind.map(|k| match k {
        Kind::Command => AdapterKind::Command,
        Kind::Reactor => AdapterKind::Reactor,
        Kind::Proxy => AdapterKind::Proxy,
    });
    let adapted = adapt(&module, kind).map_err(|e| match e {
        wct_component::adapt::AdaptError::AlreadyAComponent => crate::report::about(
            &name,
            crate::report::WithHelp::new(e, "`wct adapt` takes a WASI Preview 1 core module"),
        ),
        e => crate::report::about(&name, e),
    })?;
    if !global.quiet {
        eprintln!(
            "{name}: adapting as a {} ({})",
            adapted.kind.name(),
            adapted.reason
        );
        for warning in &adapted.warnings {
            eprintln!("warning: {name}: {warning}");
        }
    }
    args.out.write(&adapted.component, &[&args.module])?;
    Ok(ExitCode::SUCCESS)
}
