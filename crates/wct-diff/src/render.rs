//! Renderers of a [`Report`]: the text report (`human`), the migration summary, JSON, Markdown,
//! GitHub Actions annotations and SARIF. Each is a pure function of the report, so a build
//! script or another tool can print what `wct diff` prints.

use crate::{Bump, Effect, Finding, Report};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

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
pub fn summary(report: &Report) -> String {
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

/// The text report, grouped by interface or world; `color` adds ANSI colours.
pub fn human(report: &Report, color: bool) -> String {
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

/// The version of the `--json` report's shape (docs/schemas/diff.json).
pub const SCHEMA_VERSION: u32 = 1;

/// The `wct diff --json` report.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `ns:name` of the package compared.
    pub package: &'a str,
    /// OLD's version, if it has one.
    pub old_version: Option<&'a str>,
    /// NEW's version, if it has one.
    pub new_version: Option<&'a str>,
    /// The largest bump any finding needs.
    pub required_bump: Bump,
    /// Whether some finding needs a major bump.
    pub breaking: bool,
    /// Every finding.
    pub findings: &'a [Finding],
}

impl<'a> JsonReport<'a> {
    /// The JSON form of `report`.
    pub fn new(report: &'a Report) -> Self {
        JsonReport {
            schema_version: SCHEMA_VERSION,
            package: &report.package,
            old_version: report.old_version.as_deref(),
            new_version: report.new_version.as_deref(),
            required_bump: report.required_bump(),
            breaking: report.is_breaking(),
            findings: &report.findings,
        }
    }
}

/// The `--json` report, pretty-printed with the keys of every object sorted, with a final
/// newline.
pub fn json(report: &Report) -> serde_json::Result<String> {
    let value = serde_json::to_value(JsonReport::new(report))?;
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    Ok(text)
}

/// A Markdown table, for pull-request comments.
pub fn markdown(report: &Report) -> String {
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

/// GitHub Actions workflow commands (`::error file=...::`), one per finding.
pub fn github(report: &Report) -> String {
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

/// SARIF 2.1.0, for code-scanning dashboards.
pub fn sarif(report: &Report) -> serde_json::Result<String> {
    let rules: Vec<_> = crate::rules::CATALOGUE
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
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    Ok(text)
}
