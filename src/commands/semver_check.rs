//! `wct semver-check`: is the declared version bump right?

use crate::args::diff_inputs::DiffInputs;
use crate::output;
use crate::report::{GlobalOpts, EXIT_FAILED};
use miette::Result;
use std::process::ExitCode;
use wct_diff::versioning::semver_check;

/// Check that the version NEW declares is a correct semver bump from OLD's.
///
/// The bump needed follows from the changes, with semver's 0.x rules (in 0.y.z a breaking
/// change needs y to grow).
///
/// For two builds of a component (which declare no versions) it answers whether NEW is a
/// drop-in replacement for OLD: it imports nothing new and drops no export.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct semver-check tests/fixtures/wasi-history/0.2.0 \\
      tests/fixtures/wasi-history/0.2.12
  wct semver-check --against HEAD wit/demo

Exit status:
  0  the declared bump is enough (or NEW is a drop-in replacement)
  1  it is not: the findings that need more are listed, with the smallest correct version
  2  unreadable input or invalid WIT")]
pub struct Args {
    #[command(flatten)]
    inputs: DiffInputs,
    /// Print the verdict as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    let report = args.inputs.report()?;
    let result = semver_check(&report);
    let verdict = &result.verdict;
    if args.json {
        output::json_sorted(&result)?;
    } else {
        let mut text = format!("{}: {}\n", report.package, verdict.summary);
        let yes_no = |b: bool| if b { "no" } else { "yes" };
        text.push_str(&format!(
            "  hosts of OLD can run NEW: {}; components built for OLD fit NEW: {}\n",
            yes_no(report.breaks_hosts()),
            yes_no(report.breaks_components())
        ));
        for f in &result.culprits {
            text.push_str(&format!(
                "  needs {}: {} {}: {}\n",
                f.bump.name(),
                f.rule,
                f.path,
                f.message
            ));
        }
        if verdict.ok || !global.quiet {
            output::stdout(&text)?;
        }
    }
    Ok(if verdict.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_FAILED)
    })
}
