//! `wct diff`: every change between two versions of an interface, and whom it breaks.

use super::diff_inputs::DiffInputs;
use crate::output;
use crate::report::{GlobalOpts, EXIT_FAILED};
use clap::ValueEnum;
use miette::Result;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::process::ExitCode;
use wct_diff::{Bump, Effect, Finding, Report};

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
        Format::Human => human(&report, global.stdout_color()),
        Format::Summary => summary(&report),
        Format::Json => json(&report)?,
        Format::Markdown => markdown(&report),
        Format::Github => github(&report),
        Format::Sarif => sarif(&report)?,
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

fn versions(report: &Report) -> String {
    match (&report.old_version, &report.new_version) {
        (Some(o), Some(n)) => format!(" {o} -> {n}"),
        _ => String::new(),
    }
}

fn needs(report: &Report) -> String {
    match report.required_bump() {
        Bump::None => "needs no version bump".into(),
        bump => format!("needs a {} bump", bump.name()),
    }
}

fn impact(f: &Finding) -> String {
    f.impact
        .iter()
        .map(|e| {
            let side = format!("{:?}", e.side).to_lowercase();
            match e.effect {
                Effect::Breaking => format!("{side}: breaking"),
                Effect::Compatible => format!("{side}: compatible"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Findings grouped by the item before `#` (an interface or world).
fn grouped(report: &Report) -> BTreeMap<&str, Vec<&Finding>> {
    let mut groups: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        let group = f.path.split('#').next().unwrap_or(&f.path);
        groups.entry(group).or_default().push(f);
    }
    groups
}

/// `pkg OLD -> NEW: N changes, needs a BUMP bump`, the first line of the text reports.
fn headline(report: &Report) -> String {
    let n = report.findings.len();
    format!(
        "{}{}: {n} change{}, {}\n",
        report.package,
        versions(report),
        if n == 1 { "" } else { "s" },
        needs(report)
    )
}

/// How many findings of each rule, overall and per interface or world, as a person reads a
/// migration report: the rules first (with the bump each needs), then where they fall.
fn summary(report: &Report) -> String {
    let mut out = headline(report);
    let mut by_rule: BTreeMap<&str, (usize, Bump)> = BTreeMap::new();
    for f in &report.findings {
        let entry = by_rule.entry(f.rule.as_str()).or_insert((0, f.bump));
        entry.0 += 1;
        entry.1 = entry.1.max(f.bump);
    }
    if !by_rule.is_empty() {
        let _ = writeln!(out, "\nby rule:");
        for (rule, (count, bump)) in &by_rule {
            let _ = writeln!(out, "  {rule:<28} {count:>4}  {}", bump.name());
        }
        let _ = writeln!(out, "\nby interface or world:");
    }
    for (group, findings) in grouped(report) {
        let mut rules: BTreeMap<&str, usize> = BTreeMap::new();
        for f in findings {
            *rules.entry(f.rule.as_str()).or_default() += 1;
        }
        let rules: Vec<String> = rules.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let _ = writeln!(out, "  {group}: {}", rules.join(", "));
    }
    out
}

fn human(report: &Report, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = headline(report);
    for (group, findings) in grouped(report) {
        let _ = writeln!(out, "\n{}", paint("1", group));
        for f in findings {
            let bump = match f.bump {
                Bump::Major => paint("31", "major"),
                Bump::Minor => paint("33", "minor"),
                other => paint("32", other.name()),
            };
            let item = match f.path.split_once('#') {
                Some((_, item)) => format!("{item}: "),
                None => String::new(),
            };
            let _ = writeln!(out, "  {bump:>5}  {:<26} {item}{}", f.rule, f.message);
            let mut detail = impact(f);
            if let Some(gate) = &f.gate {
                let _ = write!(detail, "; gated {gate}");
            }
            let _ = writeln!(out, "         {detail}");
            if let Some(loc) = &f.old_location {
                let _ = writeln!(out, "         old: {loc}");
            }
            if let Some(loc) = &f.new_location {
                let _ = writeln!(out, "         new: {loc}");
            }
        }
    }
    out
}

fn json(report: &Report) -> Result<String> {
    let value = serde_json::json!({
        "schema_version": 1,
        "package": report.package,
        "old_version": report.old_version,
        "new_version": report.new_version,
        "required_bump": report.required_bump(),
        "breaking": report.is_breaking(),
        "findings": report.findings,
    });
    let mut text = serde_json::to_string_pretty(&value).map_err(|e| miette::miette!("{e}"))?;
    text.push('\n');
    Ok(text)
}

fn markdown(report: &Report) -> String {
    let mut out = format!(
        "### `wct diff` {}{}: {} change(s), {}\n\n",
        report.package,
        versions(report),
        report.findings.len(),
        needs(report)
    );
    if report.findings.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    out.push_str("| bump | rule | item | change | impact | where |\n|---|---|---|---|---|---|\n");
    for f in &report.findings {
        let place = f
            .new_location
            .as_deref()
            .or(f.old_location.as_deref())
            .unwrap_or("");
        let gate = f
            .gate
            .as_deref()
            .map(|g| format!(" ({g})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| {}{gate} | `{}` | `{}` | {} | {} | {place} |",
            f.bump.name(),
            f.rule,
            f.path,
            f.message.replace('|', "\\|"),
            impact(f)
        );
    }
    out
}

/// `file:line:col` -> (file, line, col).
fn split_location(loc: &str) -> Option<(&str, &str, &str)> {
    let (rest, col) = loc.rsplit_once(':')?;
    let (file, line) = rest.rsplit_once(':')?;
    Some((file, line, col))
}

fn github(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let level = match f.bump {
            Bump::Major => "error",
            Bump::Minor => "warning",
            _ => "notice",
        };
        let place = f
            .new_location
            .as_deref()
            .or(f.old_location.as_deref())
            .and_then(split_location)
            .map(|(file, line, col)| format!(" file={file},line={line},col={col},"))
            .unwrap_or_else(|| " ".into());
        let message = format!(
            "{}: {} ({}; needs {})",
            f.path,
            f.message,
            impact(f),
            f.bump.name()
        )
        .replace('%', "%25")
        .replace('\n', "%0A");
        let _ = writeln!(out, "::{level}{place}title=wct diff {}::{message}", f.rule);
    }
    out
}

fn sarif(report: &Report) -> Result<String> {
    let rules: Vec<_> = wct_diff::rules::CATALOGUE
        .iter()
        .map(|r| serde_json::json!({ "id": r.id, "shortDescription": { "text": r.summary } }))
        .collect();
    let results: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            let locations: Vec<_> = f
                .new_location
                .as_deref()
                .or(f.old_location.as_deref())
                .and_then(split_location)
                .map(|(file, line, col)| {
                    serde_json::json!({ "physicalLocation": {
                        "artifactLocation": { "uri": file },
                        "region": { "startLine": line.parse::<u64>().unwrap_or(1), "startColumn": col.parse::<u64>().unwrap_or(1) }
                    }})
                })
                .into_iter()
                .collect();
            serde_json::json!({
                "ruleId": f.rule,
                "level": match f.bump { Bump::Major => "error", Bump::Minor => "warning", _ => "note" },
                "message": { "text": format!("{}: {} ({})", f.path, f.message, impact(f)) },
                "locations": locations,
            })
        })
        .collect();
    let value = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "wct diff", "version": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&value).map_err(|e| miette::miette!("{e}"))?;
    text.push('\n');
    Ok(text)
}
