//! `wct-diff.toml`: ignore paths and override rules, as buf and cargo-semver-checks allow.
//!
//! ```toml
//! # Paths to ignore: exact, or a prefix ending in `*`.
//! ignore = ["wct:demo/debug#*", "wct:demo/store#entry.note"]
//!
//! # Per-rule overrides: the bump the rule requires ("none", "patch", "minor", "major"),
//! # or `ignore = true` to drop its findings.
//! [rules.record-field-added]
//! bump = "minor"
//! [rules.since-gate-changed]
//! ignore = true
//! ```

use crate::{rules, Bump, Report};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The parsed configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Paths (or `prefix*`) whose findings are dropped.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Overrides by rule id.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleOverride>,
}

/// An override for one rule.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOverride {
    /// The bump to require instead of the computed one.
    pub bump: Option<Bump>,
    /// Drop the rule's findings.
    #[serde(default)]
    pub ignore: bool,
}

impl<'de> Deserialize<'de> for Bump {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "none" => Ok(Bump::None),
            "patch" => Ok(Bump::Patch),
            "minor" => Ok(Bump::Minor),
            "major" => Ok(Bump::Major),
            other => Err(serde::de::Error::custom(format!(
                "unknown bump `{other}` (none, patch, minor, major)"
            ))),
        }
    }
}

impl Config {
    /// Parses the TOML text; unknown rule ids are errors.
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        for id in config.rules.keys() {
            if rules::rule(id).is_none() {
                return Err(format!(
                    "unknown rule `{id}` in [rules] (see docs/diff-rules.md)"
                ));
            }
        }
        Ok(config)
    }

    fn ignored(&self, path: &str) -> bool {
        self.ignore.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == p,
        })
    }

    /// Applies the configuration to a report.
    pub fn apply(&self, report: &mut Report) {
        report.findings.retain(|f| {
            !self.ignored(&f.path) && !self.rules.get(f.rule).is_some_and(|o| o.ignore)
        });
        for f in &mut report.findings {
            if let Some(bump) = self.rules.get(f.rule).and_then(|o| o.bump) {
                f.bump = bump;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_unknown_rules() {
        let c = Config::parse("ignore = [\"a:b/c#*\"]\n[rules.func-added]\nbump = \"minor\"\n")
            .unwrap();
        assert!(c.ignored("a:b/c#f"));
        assert!(!c.ignored("a:b/d#f"));
        assert_eq!(c.rules["func-added"].bump, Some(Bump::Minor));
        assert!(Config::parse("[rules.no-such-rule]\nignore = true\n")
            .unwrap_err()
            .contains("no-such-rule"));
        assert!(Config::parse("[rules.func-added]\nbump = \"huge\"\n").is_err());
    }
}
