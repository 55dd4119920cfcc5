//! The composition report for people and for tools: [`render_text`] (one line per fill, per
//! unfilled import, per unused plug) and [`JsonReport`] (`wct compose --json`).
//!
//! WASI imports that no plug offers are passed through to the host; a componentize-py or
//! componentize-js component has thirty of them, so the text report sums them up as one line
//! per WASI package unless asked for every line. The JSON report always lists every import.

use crate::plan::{Matched, Plan, Unfilled};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use wct_wit::semver_key::split_versioned;

/// The version of the `--json` report's shape (docs/schemas/compose.json).
pub const SCHEMA_VERSION: u32 = 1;

/// The `--json` report: the plan, with its schema version first.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// What was composed.
    #[serde(flatten)]
    pub plan: &'a Plan,
}

impl<'a> JsonReport<'a> {
    /// The report of `plan`.
    pub fn new(plan: &'a Plan) -> Self {
        JsonReport {
            schema_version: SCHEMA_VERSION,
            plan,
        }
    }
}

/// How much of the report to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// WASI imports passed through to the host are one line per package.
    #[default]
    Summary,
    /// Every import is its own line.
    Every,
}

/// The human report: fills, then what is left with the near misses, then unused plugs.
pub fn render_text(plan: &Plan, detail: Detail) -> String {
    let mut out = String::new();
    for f in &plan.fills {
        let how = if f.matched == Matched::Exact {
            String::new()
        } else {
            format!(" ({})", f.matched)
        };
        out.push_str(&format!(
            "filled   {}: {} <- {}: {}{how}\n",
            f.consumer, f.import, f.provider, f.export
        ));
    }
    let mut passed_through = PassedThrough::default();
    for u in &plan.unfilled {
        if detail == Detail::Summary && passed_through.take(u) {
            continue;
        }
        let merged = if u.becomes != u.import {
            format!(" (merged into {})", u.becomes)
        } else {
            String::new()
        };
        out.push_str(&format!(
            "unfilled {}: {} -> import of the result{merged}\n",
            u.consumer, u.import
        ));
        for m in &u.near_misses {
            out.push_str(&format!(
                "           not {}: {}: {}\n",
                m.provider, m.export, m.reason
            ));
        }
    }
    out.push_str(&passed_through.render(&plan.instances));
    for name in &plan.unused {
        out.push_str(&format!(
            "unused   {name}: none of its exports was needed\n"
        ));
    }
    out
}

/// The imports `--require-full` refuses, one line per package (with version) with its
/// interfaces and who needs them, then the `--allow-unfilled` patterns (one per package,
/// `wasi:cli/*`) that would let them through.
pub fn render_missing(missing: &[&Unfilled]) -> (String, Vec<String>) {
    let mut packages: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    let mut patterns = BTreeSet::new();
    for u in missing {
        let (name, version) = split_versioned(&u.import);
        let (package, interface) = name.split_once('/').unwrap_or((name, ""));
        let key = match version {
            Some(v) => format!("{package}@{v}"),
            None => package.to_string(),
        };
        let entry = packages.entry(key).or_default();
        entry.0.insert(interface.to_string());
        entry.1.insert(u.consumer.clone());
        patterns.insert(format!("{package}/*"));
    }
    let mut out = String::new();
    for (package, (interfaces, consumers)) in &packages {
        let join = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(", ");
        out.push_str(&format!(
            "  {package}/{{{}}} (imported by {})\n",
            join(interfaces),
            join(consumers)
        ));
    }
    (out, patterns.into_iter().collect())
}

/// WASI imports no plug came close to filling, grouped by the package (with version) the
/// result imports them from.
#[derive(Default)]
struct PassedThrough {
    packages: BTreeMap<String, Group>,
}

#[derive(Default)]
struct Group {
    interfaces: BTreeSet<String>,
    consumers: BTreeSet<String>,
    merged_from: BTreeSet<String>,
}

impl PassedThrough {
    /// Takes `u` into a group when it is a WASI interface with no near miss.
    fn take(&mut self, u: &Unfilled) -> bool {
        if !u.near_misses.is_empty() || !u.becomes.starts_with("wasi:") {
            return false;
        }
        let (name, version) = split_versioned(&u.becomes);
        let Some((package, interface)) = name.split_once('/') else {
            return false;
        };
        let key = match version {
            Some(v) => format!("{package}@{v}"),
            None => package.to_string(),
        };
        let group = self.packages.entry(key).or_default();
        group.interfaces.insert(interface.to_string());
        group.consumers.insert(u.consumer.clone());
        if let (_, Some(from)) = split_versioned(&u.import) {
            if u.import != u.becomes {
                group.merged_from.insert(from.to_string());
            }
        }
        true
    }

    /// One line per package; consumers in instantiation order (`instances`).
    fn render(&self, instances: &[String]) -> String {
        let mut out = String::new();
        for (package, g) in &self.packages {
            let join = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(", ");
            let mut consumers: Vec<&String> = g.consumers.iter().collect();
            consumers.sort_by_key(|c| instances.iter().position(|i| i == *c));
            let consumers: Vec<&str> = consumers.into_iter().map(String::as_str).collect();
            let merged = if g.merged_from.is_empty() {
                String::new()
            } else {
                format!(" (merged from {})", join(&g.merged_from))
            };
            out.push_str(&format!(
                "unfilled {}: {package}/{{{}}} -> imports of the result{merged}\n",
                consumers.join(", "),
                join(&g.interfaces),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Fill, NearMiss};

    fn unfilled(consumer: &str, import: &str, becomes: &str) -> Unfilled {
        Unfilled {
            consumer: consumer.into(),
            import: import.into(),
            becomes: becomes.into(),
            near_misses: vec![],
        }
    }

    fn plan() -> Plan {
        let mut near = unfilled("app", "wasi:cli/stdout@0.2.0", "wasi:cli/stdout@0.2.0");
        near.near_misses.push(NearMiss {
            provider: "fake".into(),
            export: "wasi:cli/stdout@0.2.0".into(),
            reason: "the types differ".into(),
        });
        Plan {
            instances: vec!["app".into(), "lib".into()],
            fills: vec![Fill {
                consumer: "app".into(),
                import: "a:b/c@1.0.0".into(),
                provider: "lib".into(),
                export: "a:b/c@1.0.0".into(),
                matched: Matched::Exact,
            }],
            unfilled: vec![
                unfilled(
                    "app",
                    "wasi:cli/environment@0.2.12",
                    "wasi:cli/environment@0.2.12",
                ),
                unfilled(
                    "lib",
                    "wasi:cli/environment@0.2.9",
                    "wasi:cli/environment@0.2.12",
                ),
                unfilled("lib", "wasi:cli/exit@0.2.12", "wasi:cli/exit@0.2.12"),
                unfilled("app", "wasi:io/streams@0.2.12", "wasi:io/streams@0.2.12"),
                unfilled("app", "x:y/z@1.0.0", "x:y/z@1.0.0"),
                near,
            ],
            unused: vec!["spare".into()],
        }
    }

    #[test]
    fn wasi_imports_passed_through_are_one_line_per_package() {
        assert_eq!(
            render_text(&plan(), Detail::Summary),
            "filled   app: a:b/c@1.0.0 <- lib: a:b/c@1.0.0\n\
             unfilled app: x:y/z@1.0.0 -> import of the result\n\
             unfilled app: wasi:cli/stdout@0.2.0 -> import of the result\n\
             \x20          not fake: wasi:cli/stdout@0.2.0: the types differ\n\
             unfilled app, lib: wasi:cli@0.2.12/{environment, exit} -> imports of the result (merged from 0.2.9)\n\
             unfilled app: wasi:io@0.2.12/{streams} -> imports of the result\n\
             unused   spare: none of its exports was needed\n"
        );
    }

    #[test]
    fn every_import_is_a_line_when_asked() {
        let text = render_text(&plan(), Detail::Every);
        assert!(text.contains(
            "unfilled lib: wasi:cli/environment@0.2.9 -> import of the result (merged into wasi:cli/environment@0.2.12)\n"
        ));
        assert_eq!(text.matches("unfilled ").count(), 6);
    }

    #[test]
    fn the_json_report_starts_with_its_schema_version() {
        let plan = plan();
        let json = serde_json::to_string(&JsonReport::new(&plan)).unwrap();
        assert!(
            json.starts_with("{\"schema_version\":1,\"instances\":[\"app\",\"lib\"]"),
            "{json}"
        );
    }
}
