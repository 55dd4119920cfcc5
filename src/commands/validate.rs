//! `wct validate`: validate modules, components, WIT packages and WAT files.

use crate::output;
use crate::report::{GlobalOpts, EXIT_FAILED, EXIT_USAGE};
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;
use wct_component::batch::{validate_files, Status};

/// Validate WebAssembly modules, components, WIT packages (wasm-encoded or as `.wit` source)
/// and WAT.
///
/// Inputs are detected by content: binary wasm or WAT text; a `.wit` file, or a directory
/// named here that holds `.wit` files (a package folder, with its `deps/`), is parsed and
/// resolved as WIT (as `wct wit check` does). A directory validates every `.wasm` and `.wat`
/// file below it. Files, and function bodies inside each file, are validated
/// in parallel. The default feature set is the one `wasm-tools validate` uses, plus the
/// component model's `error-context`, which WASI 0.3 components may use. Arguments that name
/// no file at all (an empty directory) are an error, unless --allow-empty.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct validate tests/fixtures/c/hello.wasm tests/fixtures/http/echo.wasm
  wct validate --json tests/fixtures/compose/ > report.json
  wct validate --features=-simd tests/fixtures/wat/names.wat
  wct validate wit/demo
  cat tests/fixtures/c/hello.wasm | wct validate -

Exit status:
  0  every file is valid
  1  at least one file is invalid
  2  a file could not be read (or bad flags)")]
pub struct Args {
    /// Files or directories to validate (`-` reads stdin).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Wasm features, comma-separated: `name` enables, `-name` disables; `all`, `mvp`,
    /// `wasm1`, `wasm2`, `wasm3`, `lime1` select groups. Applied to the default set in order.
    #[arg(long, short = 'f', value_name = "LIST")]
    features: Vec<String>,
    /// Print one JSON array with a result per file.
    #[arg(long)]
    json: bool,
    /// Succeed when the arguments name no file at all (a directory without .wasm/.wat).
    #[arg(long)]
    allow_empty: bool,
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    let features = wct_component::features::parse(&args.features).map_err(miette::Report::new)?;
    // A folder named on the command line that holds a WIT package is validated as WIT, as
    // well as for the wasm and WAT files below it.
    let mut paths = Vec::new();
    for file in &args.files {
        if file.is_dir() && wct_component::batch::is_wit(file) {
            paths.push(file.clone());
        }
        paths.extend(
            wct_io::expand_paths(std::slice::from_ref(file), &["wasm", "wat"])
                .map_err(miette::Report::new)?,
        );
    }
    if paths.is_empty() && !args.allow_empty {
        let named: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
        miette::bail!(
            "no .wasm or .wat file in {}: nothing to validate (--allow-empty accepts that)",
            named.join(", ")
        );
    }
    let progress = wct_io::progress::Progress::start(
        !global.quiet,
        format!("validating {} files", paths.len()),
    );
    let reports = validate_files(&paths, features);
    drop(progress);

    if args.json {
        let versioned: Vec<Versioned<'_>> = reports
            .iter()
            .map(|report| Versioned {
                schema_version: 1,
                report,
            })
            .collect();
        output::json(&versioned)?;
    } else {
        let mut text = String::new();
        for r in &reports {
            match (&r.status, &r.error) {
                (Status::Valid, _) if global.quiet => {}
                (Status::Valid, _) if global.verbose => text.push_str(&format!(
                    "{}: ok ({}{})\n",
                    r.path,
                    match r.kind {
                        Some(wct_component::WasmKind::Component) => "component",
                        _ => "core module",
                    },
                    if r.text { ", from WAT" } else { "" }
                )),
                (Status::Valid, _) if r.wit_package.is_some() => text.push_str(&format!(
                    "{}: ok (WIT package {})\n",
                    r.path,
                    r.wit_package.as_deref().unwrap_or_default()
                )),
                (Status::Valid, _) => text.push_str(&format!("{}: ok\n", r.path)),
                (_, Some(message)) => text.push_str(&format!("{}: error: {message}\n", r.path)),
                (_, None) => text.push_str(&format!("{}: error\n", r.path)),
            }
        }
        output::stdout(&text)?;
    }

    let worst = reports.iter().map(|r| r.status).fold(0u8, |acc, s| {
        acc.max(match s {
            Status::Valid => 0,
            Status::Invalid => EXIT_FAILED,
            Status::Unreadable => EXIT_USAGE,
        })
    });
    Ok(ExitCode::from(worst))
}

/// One element of the `--json` array: a file's report with the schema version, so that each
/// element stands on its own (the array itself is what toolchains iterate).
#[derive(serde::Serialize)]
struct Versioned<'a> {
    schema_version: u32,
    #[serde(flatten)]
    report: &'a wct_component::batch::FileReport,
}
