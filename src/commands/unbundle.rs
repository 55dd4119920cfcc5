//! `wct unbundle`: large core modules moved out of a component into files it imports.

use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wct_component::size::render::human;
use wct_component::unbundle::{unbundle, MovedModule};

/// Move the core modules bigger than a threshold out of a component; it imports them instead.
///
/// As `wasm-tools component unbundle`: each module bigger than `--threshold` (any depth) is
/// written to `--module-dir` as `unbundled-moduleN.wasm` and the component imports it as
/// `unbundled-moduleN`, so a host or registry can store and compile a runtime that many
/// components carry once (the host provides each import when it instantiates the component).
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct unbundle tests/fixtures/compose/hello-app.wasm --module-dir modules -o app.wasm
  wct unbundle tests/fixtures/js/polite-greeter.wasm --module-dir modules --threshold 1MiB \\
    -o greeter.wasm --json

Exit status:
  0  written
  2  unreadable or invalid input, a core module, or an output that cannot be written")]
pub struct Args {
    /// The component (binary or WAT; `-` reads stdin).
    #[arg(value_name = "COMPONENT")]
    file: PathBuf,
    /// Where to write the moved modules (created if missing).
    #[arg(long, value_name = "DIR")]
    module_dir: PathBuf,
    /// Move modules bigger than this many bytes (`10240`, `64KiB`, `1MiB`).
    #[arg(long, value_name = "SIZE", default_value = "10240", value_parser = crate::args::host::parse_size)]
    threshold: u64,
    /// Print what was moved as JSON on stdout.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    out: output::WasmOutputArgs,
}

/// The `--json` report.
#[derive(serde::Serialize)]
struct Json<'a> {
    schema_version: u32,
    input: String,
    output: Option<String>,
    module_dir: String,
    threshold: u64,
    old_size: u64,
    new_size: u64,
    moved: Vec<JsonModule<'a>>,
    kept: usize,
}

/// One moved module in the `--json` report.
#[derive(serde::Serialize)]
struct JsonModule<'a> {
    import: &'a str,
    file: String,
    path: &'a str,
    size: u64,
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    let name = wct_io::display_name(&args.file);
    let wasm = super::read_wasm(&args.file)?;
    let unbundled = unbundle(&wasm, args.threshold).map_err(|e| crate::report::about(&name, e))?;
    if args.json
        && args
            .out
            .output
            .as_deref()
            .is_none_or(|o| o == Path::new("-"))
    {
        miette::bail!("--json prints the report on stdout: write the component with -o FILE");
    }
    // Every destination is checked before the first is written.
    let file_of = |module: &MovedModule| args.module_dir.join(format!("{}.wasm", module.import));
    let destinations = unbundled
        .moved
        .iter()
        .map(file_of)
        .chain(args.out.output.clone());
    for destination in destinations {
        wct_io::check_output(&destination, &[&args.file]).map_err(miette::Report::new)?;
    }
    std::fs::create_dir_all(&args.module_dir).map_err(|source| {
        miette::Report::new(wct_io::IoError::Write {
            path: args.module_dir.clone(),
            source,
        })
    })?;
    for module in &unbundled.moved {
        let bytes = unbundled.module_bytes(&wasm, module);
        output::write(Some(&file_of(module)), bytes, true, &[&args.file])?;
    }
    args.out.write(&unbundled.component, &[&args.file])?;
    if args.json {
        output::json(&Json {
            schema_version: 1,
            input: name,
            output: args.out.output.as_deref().map(wct_io::display_name),
            module_dir: wct_io::display_name(&args.module_dir),
            threshold: args.threshold,
            old_size: wasm.len() as u64,
            new_size: unbundled.component.len() as u64,
            moved: unbundled
                .moved
                .iter()
                .map(|m| JsonModule {
                    import: &m.import,
                    file: wct_io::display_name(&file_of(m)),
                    path: &m.path,
                    size: m.size,
                })
                .collect(),
            kept: unbundled.kept,
        })?;
    } else if !global.quiet {
        eprintln!(
            "{name}: {} -> {}, {} module(s) moved to {}, {} kept",
            human(wasm.len() as u64),
            human(unbundled.component.len() as u64),
            unbundled.moved.len(),
            wct_io::display_name(&args.module_dir),
            unbundled.kept
        );
        for module in &unbundled.moved {
            eprintln!(
                "  {:<22} {:>10}  {}",
                format!("{}.wasm", module.import),
                human(module.size),
                module.path
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
