//! `wct adapt`: WASI Preview 1 module -> Preview 2 component with the bundled adapter.

use crate::output;
use crate::report::GlobalOpts;
use clap::ValueEnum;
use miette::Result;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wct_component::adapt::{adapt, AdaptError, Adapted, AdapterKind};

/// Turn a WASI Preview 1 module into a Preview 2 component, with the adapter bundled in wct.
///
/// A module exporting `_start` becomes a `wasi:cli/command` component, anything else a
/// reactor; `--kind` overrides. Works for modules from clang/wasi-libc, Go `GOOS=wasip1`,
/// Rust `wasm32-wasip1` and others.
///
/// Several modules are adapted in one run, in parallel, into `--out-dir` (each as
/// `DIR/<name>.wasm`); a module that cannot be adapted is reported and the others are still
/// written (exit 2 if any failed).
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct adapt tests/fixtures/c/hello.wasm -o hello.component.wasm
  wct adapt tests/fixtures/wat/p1-reactor.wat --kind reactor -o reactor.wasm
  wct adapt tests/fixtures/c/*.wasm --out-dir components")]
pub struct Args {
    /// The Preview 1 core module(s).
    #[arg(value_name = "MODULE", required = true, num_args = 1..)]
    modules: Vec<PathBuf>,
    /// Write each result as `DIR/<name>.wasm` (the module's file name, `.wasm`): needed for
    /// several modules.
    #[arg(long, value_name = "DIR", conflicts_with = "output")]
    out_dir: Option<PathBuf>,
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
    let kind = args.kind.map(|k| match k {
        Kind::Command => AdapterKind::Command,
        Kind::Reactor => AdapterKind::Reactor,
        Kind::Proxy => AdapterKind::Proxy,
    });
    let Some(dir) = &args.out_dir else {
        let [module] = args.modules.as_slice() else {
            miette::bail!(
                help = "pass `--out-dir DIR` to write each as DIR/<name>.wasm",
                "{} modules given: one output file cannot hold them",
                args.modules.len()
            );
        };
        let adapted = adapt_one(module, kind)?;
        report(module, &adapted, global);
        args.out.write(&adapted.component, &[module])?;
        return Ok(ExitCode::SUCCESS);
    };
    let outputs = output_paths(&args.modules, dir)?;
    std::fs::create_dir_all(dir).map_err(|source| {
        miette::Report::new(wct_io::IoError::Write {
            path: dir.clone(),
            source,
        })
    })?;
    let read: Vec<Result<wct_io::Bytes>> =
        args.modules.iter().map(|m| super::read_wasm(m)).collect();
    let readable: Vec<(usize, &[u8])> = read
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r.as_deref().ok()?)))
        .collect();
    let inputs: Vec<&Path> = args.modules.iter().map(PathBuf::as_path).collect();
    // Each component is written by the thread that made it, while the others are adapted.
    let mut adapted = wct_component::adapt::adapt_all(
        &readable.iter().map(|(_, bytes)| *bytes).collect::<Vec<_>>(),
        kind,
        |index, result| {
            let module_index = readable[index].0;
            let adapted = result.map_err(|e| adapt_error(&args.modules[module_index], e))?;
            output::WasmOutputArgs {
                output: Some(outputs[module_index].clone()),
                wat: args.out.wat,
            }
            .write(&adapted.component, &inputs)?;
            Ok(adapted)
        },
    )
    .into_iter();
    let mut failed = 0;
    for ((module, out), read) in args.modules.iter().zip(&outputs).zip(read) {
        let result = read.and_then(|_| adapted.next().expect("one result per readable module"));
        match result {
            Ok(adapted) => {
                report(module, &adapted, global);
                if !global.quiet {
                    eprintln!("{}: wrote {}", wct_io::display_name(module), out.display());
                }
            }
            Err(error) => {
                failed += 1;
                crate::report::print_error(&error);
            }
        }
    }
    if failed > 0 {
        eprintln!(
            "error: {failed} of {} module(s) not adapted",
            args.modules.len()
        );
        return Ok(ExitCode::from(crate::report::EXIT_USAGE));
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads and adapts one module; errors name it.
fn adapt_one(path: &Path, kind: Option<AdapterKind>) -> Result<Adapted> {
    let module = super::read_wasm(path)?;
    adapt(&module, kind).map_err(|e| adapt_error(path, e))
}

/// An adapting error, naming the module.
fn adapt_error(path: &Path, error: AdaptError) -> miette::Report {
    let name = wct_io::display_name(path);
    match error {
        AdaptError::AlreadyAComponent => crate::report::about(
            &name,
            crate::report::WithHelp::new(error, "`wct adapt` takes a WASI Preview 1 core module"),
        ),
        e => crate::report::about(&name, e),
    }
}

/// Says which adapter was used and why, and the module's hazards (unless `-q`).
fn report(path: &Path, adapted: &Adapted, global: &GlobalOpts) {
    if global.quiet {
        return;
    }
    let name = wct_io::display_name(path);
    eprintln!(
        "{name}: adapting as a {} ({})",
        adapted.kind.name(),
        adapted.reason
    );
    for warning in &adapted.warnings {
        eprintln!("warning: {name}: {warning}");
    }
}

/// `DIR/<name>.wasm` for each module; refused before anything is done when two modules
/// would be written to one file or a module is read from stdin.
fn output_paths(modules: &[PathBuf], dir: &Path) -> Result<Vec<PathBuf>> {
    let mut seen: BTreeMap<PathBuf, &Path> = BTreeMap::new();
    modules
        .iter()
        .map(|module| {
            let Some(stem) = module
                .file_stem()
                .filter(|_| module != Path::new(wct_io::STDIO))
            else {
                miette::bail!(
                    "{}: `--out-dir` names each result after its module's file",
                    wct_io::display_name(module)
                );
            };
            let out = dir.join(stem).with_extension("wasm");
            if let Some(other) = seen.insert(out.clone(), module) {
                miette::bail!(
                    help = "adapt them in separate runs, or rename one",
                    "{} and {} would both be written to {}",
                    other.display(),
                    module.display(),
                    out.display()
                );
            }
            Ok(out)
        })
        .collect()
}
