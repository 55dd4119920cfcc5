//! `wct link`: shared libraries linked into one component.

use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;
use wct_component::link::{link, Library, LinkError, LinkOptions, SymbolKind};

/// Link shared libraries (`dylink.0` modules) into one component, shared-everything.
///
/// How componentize-py builds every Python component and how C/C++ `-shared` libraries become
/// one: each library is a core module with a `dylink.0` section, named as the others' `needed`
/// lists name it (by default its file name). Symbols resolve in the order given. A library
/// that imports `wasi_snapshot_preview1` gets the bundled Preview 1 adapter (command when a
/// library exports `_start`, else reactor) unless `--adapt wasi_snapshot_preview1=FILE` is
/// given. The component exports the world embedded in the libraries (`wct embed`).
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct link tests/fixtures/link/libmain.so tests/fixtures/link/libgreet.so -o hello.wasm
  wct link tests/fixtures/link/libcalc.so tests/fixtures/link/libbase.so -o calc.wasm
  wct link tests/fixtures/link/libloader.so libc.so=tests/fixtures/link/libminic.so \\
    --dl-openable tests/fixtures/link/libplugin.so --use-built-in-libdl \\
    --stub-missing-functions -o loader.wasm

Exit status:
  0  linked
  2  unreadable or invalid input, a missing library, an unresolved symbol, or an output that
     cannot be written")]
pub struct Args {
    /// The shared libraries, as FILE or NAME=FILE (NAME: how other libraries' `dylink.0`
    /// `needed` lists call it; default: the file name).
    #[arg(value_name = "[NAME=]LIB", required = true, value_parser = named_file)]
    libraries: Vec<(String, PathBuf)>,
    /// A library whose exports `dlopen`/`dlsym` can find at run time (repeatable).
    #[arg(long = "dl-openable", value_name = "[NAME=]LIB", value_parser = named_file)]
    dl_openable: Vec<(String, PathBuf)>,
    /// An adapter for the core imports of module NAME, e.g.
    /// `wasi_snapshot_preview1=adapter.wasm` (replaces the bundled Preview 1 adapter).
    #[arg(long = "adapt", value_name = "[NAME=]MODULE", value_parser = named_file)]
    adapters: Vec<(String, PathBuf)>,
    /// Link trapping stubs for functions no library defines (they trap only when called).
    #[arg(long)]
    stub_missing_functions: bool,
    /// Link wit-component's own `libdl.so`: `dlopen`/`dlsym` over the `--dl-openable`
    /// libraries.
    #[arg(long)]
    use_built_in_libdl: bool,
    /// Bytes of stack for the synthesized main module (default: wit-component's, 1 MiB).
    #[arg(long, value_name = "BYTES")]
    stack_size: Option<u32>,
    /// Do not validate the result.
    #[arg(long)]
    skip_validation: bool,
    #[command(flatten)]
    out: output::WasmOutputArgs,
}

/// `NAME=FILE` or `FILE` (named by its file name), as `wasm-tools component link` reads them.
fn named_file(value: &str) -> Result<(String, PathBuf), String> {
    if let Some((name, path)) = value.split_once('=') {
        if name.is_empty() || path.is_empty() {
            return Err(format!("`{value}`: expected NAME=FILE or FILE"));
        }
        return Ok((name.to_string(), PathBuf::from(path)));
    }
    let path = PathBuf::from(value);
    match path.file_name().and_then(|n| n.to_str()) {
        Some(name) => Ok((name.to_string(), path)),
        None => Err(format!(
            "`{value}` has no file name to name it by: use NAME=FILE"
        )),
    }
}

/// The report for a link error, with the help said in this command's flags where one helps.
fn with_flags(error: LinkError) -> miette::Report {
    let help = match &error {
        LinkError::NoLibraries => Some(
            "give the shared libraries as [NAME=]FILE: `wct link app.so libc.so -o app.wasm`"
                .to_string(),
        ),
        LinkError::DuplicateName { name } => Some(format!(
            "name the other one as its `needed` lists call it: `OTHER.so=FILE` (not `{name}`)"
        )),
        LinkError::LibdlTwice => Some(
            "drop `--use-built-in-libdl` to link the given libdl.so, or drop that one".to_string(),
        ),
        LinkError::IsAComponent { .. } => Some("compose components with `wct compose`".to_string()),
        LinkError::NotASharedLibrary { .. } => Some(
            "build it with `-fPIC -shared` (wasm-ld: `-shared --experimental-pic`); a Preview 1 \
             program becomes a component with `wct adapt`, a module with a world with `wct new`"
                .to_string(),
        ),
        LinkError::MissingLibraries { missing } => {
            let names: std::collections::BTreeSet<&str> =
                missing.iter().map(|m| m.name.as_str()).collect();
            let names: Vec<&str> = names.into_iter().collect();
            let mut help = format!(
                "add {} as NAME=FILE (NAME as the `needed` list says it)",
                names.join(", ")
            );
            if names.contains(&"libdl.so") {
                help.push_str(", or `--use-built-in-libdl` for libdl.so");
            }
            Some(help)
        }
        LinkError::MissingPreview1Imports { .. } => Some(format!(
            "give an adapter that does: `--adapt {}=ADAPTER.wasm`",
            wct_component::adapt::PREVIEW1
        )),
        LinkError::UnresolvedSymbols { symbols } => {
            let them = if symbols.len() == 1 { "it" } else { "them" };
            let mut help = format!("add the library that defines {them}");
            if symbols
                .iter()
                .any(|s| matches!(s.symbol.as_str(), "dlopen" | "dlsym"))
            {
                help.push_str(", or `--use-built-in-libdl` for `dlopen`/`dlsym`");
            }
            if symbols.iter().all(|s| s.kind == SymbolKind::Function) {
                help.push_str(
                    ", or `--stub-missing-functions` to link stubs that trap when called",
                );
            }
            Some(help)
        }
        _ => None,
    };
    match help {
        Some(help) => crate::report::with_help(error, help),
        None => miette::Report::new(error),
    }
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    let given = args.libraries.iter().map(|l| (l, false));
    let given = given.chain(args.dl_openable.iter().map(|l| (l, true)));
    let mut read = Vec::new();
    for ((name, path), dl_openable) in given {
        read.push((name.as_str(), super::read_wasm(path)?, dl_openable));
    }
    let libraries: Vec<Library<'_>> = read
        .iter()
        .map(|(name, bytes, dl_openable)| Library {
            name,
            bytes,
            dl_openable: *dl_openable,
        })
        .collect();
    let mut adapters = Vec::new();
    for (name, path) in &args.adapters {
        adapters.push((name.clone(), super::read_wasm_owned(path)?));
    }
    let opts = LinkOptions {
        adapters,
        stack_size: args.stack_size,
        stub_missing_functions: args.stub_missing_functions,
        use_built_in_libdl: args.use_built_in_libdl,
        skip_validation: args.skip_validation,
    };
    let linked = link(&libraries, &opts).map_err(with_flags)?;
    let inputs: Vec<&std::path::Path> = args
        .libraries
        .iter()
        .chain(&args.dl_openable)
        .chain(&args.adapters)
        .map(|(_, path)| path.as_path())
        .collect();
    args.out.write(&linked.component, &inputs)?;
    if !global.quiet {
        let names: Vec<&str> = libraries.iter().map(|l| l.name).collect();
        eprintln!(
            "linked {} librar{}: {}",
            names.len(),
            if names.len() == 1 { "y" } else { "ies" },
            names.join(", ")
        );
        if let Some((kind, reason)) = linked.bundled_adapter {
            eprintln!(
                "with the bundled Preview 1 {} adapter ({reason})",
                kind.name()
            );
        }
        if !linked.with_world.is_empty() {
            eprintln!("world from: {}", linked.with_world.join(", "));
        }
        for warning in &linked.warnings {
            eprintln!("warning: {warning}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
