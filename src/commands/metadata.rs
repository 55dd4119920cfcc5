//! `wct metadata show` and `wct metadata add`: what a module or component says about itself.

use crate::output;
use crate::report::GlobalOpts;
use clap::Subcommand;
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;
use wct_component::metadata;

/// Show or add names, producers and registry annotations (wasm-tools' `metadata`).
#[derive(Subcommand)]
#[command(after_help = "Examples:
  wct metadata show tests/fixtures/compose/greeter.wasm
  wct metadata add tests/fixtures/c/hello.wasm --version 1.0.0 -o hello.wasm.out")]
pub enum MetadataCommand {
    Show(ShowArgs),
    // Boxed: wasm-tools' flag set is large.
    Add(Box<AddArgs>),
}

impl MetadataCommand {
    /// Runs the subcommand.
    pub fn run(self, global: &GlobalOpts) -> Result<ExitCode> {
        match self {
            MetadataCommand::Show(args) => show(args, global),
            MetadataCommand::Add(args) => add(*args, global),
        }
    }
}

/// Show the metadata of a module or component and of every module in it.
///
/// Name, producers (language, processed-by, sdk), authors, description, licences, source,
/// homepage, revision, version, and the Rust dependency list of a cargo-auditable `.dep-v0`
/// section.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct metadata show tests/fixtures/compose/greeter.wasm
  wct metadata show --json tests/fixtures/c/hello.wasm

Exit status:
  0  shown
  2  unreadable or invalid input")]
pub struct ShowArgs {
    /// The module or component (`-` reads stdin).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Print the tree as JSON.
    #[arg(long)]
    json: bool,
}

fn show(args: ShowArgs, _global: &GlobalOpts) -> Result<ExitCode> {
    let name = wct_io::display_name(&args.file);
    let wasm = super::read_wasm(&args.file)?;
    let entry = metadata::show(&wasm).map_err(|e| crate::report::about(&name, e))?;
    if args.json {
        #[derive(serde::Serialize)]
        struct Json<'a> {
            schema_version: u32,
            file: String,
            #[serde(flatten)]
            entry: &'a metadata::Entry,
        }
        output::json(&Json {
            schema_version: 1,
            file: name,
            entry: &entry,
        })?;
    } else {
        output::stdout(&metadata::render(&entry))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Add a name, producers or registry annotations to a module or component.
///
/// The flags are those of `wasm-tools metadata add`; `--clear-*` removes a field. A licence
/// must be a valid SPDX expression. The outermost module or component gets them.
#[derive(clap::Args)]
#[command(
    disable_version_flag = true,
    after_help = "Examples:
  wct metadata add tests/fixtures/compose/greeter.wasm --version 1.2.0 \\
      --licenses 'Apache-2.0 WITH LLVM-exception' --source https://example.com/greeter \\
      -o greeter.wasm.out
  wct metadata add tests/fixtures/c/hello.wasm --sdk wasi-sdk=25 -o hello.wasm.out

Exit status:
  0  written
  2  unreadable or invalid input, a bad value (a licence that is not SPDX), or an output
     that cannot be written"
)]
pub struct AddArgs {
    /// The module or component (`-` reads stdin).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    fields: wasm_metadata::AddMetadataOpts,
    #[command(flatten)]
    out: output::WasmOutputArgs,
}

fn add(args: AddArgs, _global: &GlobalOpts) -> Result<ExitCode> {
    let name = wct_io::display_name(&args.file);
    let wasm = super::read_wasm(&args.file)?;
    let written = metadata::add(&wasm, &args.fields.clone().into())
        .map_err(|e| crate::report::about(&name, e))?;
    args.out.write(&written, &[&args.file])?;
    Ok(ExitCode::SUCCESS)
}
