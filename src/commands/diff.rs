//! `wct diff`: every change between two versions of an interface, and whom it breaks.

use crate::args::diff_inputs::DiffInputs;
use crate::output;
use crate::report::{GlobalOpts, EXIT_FAILED};
use clap::ValueEnum;
use miette::{IntoDiagnostic, Result};
use std::process::ExitCode;
use wct_diff::render;

/// Compare two versions of a WIT package, world or component, change by change.
///
/// The diff is structural (resolved types, not text). Each finding has a stable rule id
/// (docs/diff-rules.md), the item's path, its effect on both sides (callers/implementers of an
/// interface, hosts/components of a world), the bump it needs and where it is in OLD and NEW.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct diff wit/demo tests/fixtures/wit/greet-v2    # exits 1: breaking
  wct diff --against HEAD wit/demo --format github
  wct diff tests/fixtures/wasi-history/0.2.0 \\
      tests/fixtures/wasi-history/0.2.12 --json

Exit status:
  0  no finding reaches --fail-on
  1  some finding does (default: a breaking change)
  2  unreadable input or invalid WIT")]
pub struct Args {
    #[command(flatten)]
    inputs: DiffInputs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Shorthand for `--format json`.
    #[arg(long, conflicts_with = "summary")]
    json: bool,
    /// Shorthand for `--format summary`.
    #[arg(long)]
    summary: bool,
    /// Which findings make the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Breaking)]
    fail_on: FailOn,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    /// Counts by rule and by interface: a migration report for large changes (such as WASI
    /// 0.2 -> 0.3).
    Summary,
    Json,
    Markdown,
    Github,
    Sarif,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// Findings that need a major bump.
    Breaking,
    /// Any finding.
    Any,
    /// Never fail (report only).
    Never,
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    let report = args.inputs.report()?;
    let format = if args.json {
        Format::Json
    } else if args.summary {
        Format::Summary
    } else {
        args.format
    };
    let text = match format {
        Format::Human => render::human(&report, global.stdout_color()),
        Format::Summary => render::summary(&report),
        Format::Json => render::json(&report).into_diagnostic()?,
        Format::Markdown => render::markdown(&report),
        Format::Github => render::github(&report),
        Format::Sarif => render::sarif(&report).into_diagnostic()?,
    };
    output::stdout(&text)?;
    let fail = match args.fail_on {
        FailOn::Breaking => report.is_breaking(),
        FailOn::Any => !report.findings.is_empty(),
        FailOn::Never => false,
    };
    Ok(if fail {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}
