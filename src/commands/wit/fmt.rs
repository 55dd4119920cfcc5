//! `wct wit fmt`: format `.wit` source files in place, or check that they are formatted.

use crate::output;
use crate::report::{print_error, GlobalOpts, EXIT_FAILED, EXIT_USAGE};
use miette::{IntoDiagnostic, Result};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wct_wit::fmt::{self, FileOutcome, FileResult, FormatReport};

/// Format WIT source files, keeping every comment.
///
/// Files are rewritten in place (atomically, and only when they change). Directories are
/// searched for `*.wit` files, leaving their `deps/` folders alone unless `--deps` is given.
/// A file that does not parse is reported with its span and never rewritten. The style is the
/// one of the official WASI WIT files; a `[fmt]` table in the nearest `wct.toml` (in the
/// file's folder or a parent) may set `width` (default 100) and `indent` (default 2).
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct wit fmt wit/
  wct wit fmt --check tests/fixtures/wit/nested    # CI: a diff of what would change
  wct wit fmt - < wit/demo/greet.wit
  wct wit fmt --json --deps tests/fixtures/wasi-history/0.2.0

Exit status:
  0  every file is formatted (or was formatted now)
  1  with --check, some file is not formatted; or some file does not parse
  2  a path could not be read, or names no .wit file")]
pub struct Args {
    /// `.wit` files or directories; `-` reads standard input and writes standard output.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Write nothing: print a unified diff for each file that would change and exit 1.
    #[arg(long)]
    check: bool,
    /// Also format the `deps/` folders of directories.
    #[arg(long)]
    deps: bool,
    /// Print a JSON report: every file and whether it changed (or would).
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    if args.paths.iter().any(|p| p == Path::new(wct_io::STDIO)) {
        if args.paths.len() > 1 {
            miette::bail!("`-` (standard input) cannot be combined with other paths");
        }
        return stdin(&args);
    }
    let files = fmt::wit_files(&args.paths, args.deps).map_err(miette::Report::new)?;
    if files.is_empty() {
        miette::bail!(
            help = "point at .wit files or folders holding them (deps/ only with --deps)",
            "no .wit files in {}",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut report = FormatReport {
        schema_version: fmt::SCHEMA_VERSION,
        files: Vec::new(),
    };
    let mut worst = 0u8;
    let mut diffs = String::new();
    for (file, result) in fmt::format_files(&files, args.check).map_err(miette::Report::new)? {
        let name = file.display().to_string();
        match result {
            FileResult::Unchanged => report.files.push(outcome(&name, false, None)),
            FileResult::Changed { diff } => {
                if let Some(diff) = diff {
                    diffs.push_str(&diff);
                    worst = worst.max(EXIT_FAILED);
                }
                report.files.push(outcome(&name, true, None));
            }
            FileResult::Unreadable(source) => {
                let message = source.to_string();
                print_error(&miette::Report::new(wct_io::IoError::Read {
                    path: file.clone(),
                    source,
                }));
                worst = worst.max(EXIT_USAGE);
                report.files.push(outcome(&name, false, Some(message)));
            }
            FileResult::Invalid(err) => {
                let message = err.to_string();
                print_error(&super::report(err));
                worst = worst.max(EXIT_FAILED);
                report.files.push(outcome(&name, false, Some(message)));
            }
        }
    }
    if args.json {
        output::json(&report)?;
    } else {
        output::stdout(&diffs)?;
        if global.verbose {
            let changed = report.files.iter().filter(|f| f.changed).count();
            eprintln!(
                "wct wit fmt: {changed} of {} files {}",
                report.files.len(),
                if args.check {
                    "would change"
                } else {
                    "changed"
                }
            );
        }
    }
    Ok(ExitCode::from(worst))
}

fn outcome(path: &str, changed: bool, error: Option<String>) -> FileOutcome {
    FileOutcome {
        path: path.to_string(),
        changed,
        error,
    }
}

/// `-`: standard input to standard output (with `--check`, the diff instead).
fn stdin(args: &Args) -> Result<ExitCode> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .into_diagnostic()?;
    let (style, _) = fmt::style_for(Path::new(".")).map_err(miette::Report::new)?;
    let formatted = match fmt::format_source("<stdin>", &text, &style) {
        Ok(formatted) => formatted,
        Err(err) => {
            print_error(&super::report(err));
            return Ok(ExitCode::from(EXIT_FAILED));
        }
    };
    let changed = formatted != text;
    if args.json {
        output::json(&FormatReport {
            schema_version: fmt::SCHEMA_VERSION,
            files: vec![outcome("<stdin>", changed, None)],
        })?;
    } else if args.check {
        output::stdout(&fmt::unified_diff("<stdin>", &text, &formatted))?;
    } else {
        output::stdout(&formatted)?;
    }
    Ok(ExitCode::from(if args.check && changed {
        EXIT_FAILED
    } else {
        0
    }))
}
