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

use crate::{Bump, Report, RuleId};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;
pub use wct_io::config_file::ConfigError;
use wct_io::config_file::ConfigFileError;

/// The file's own shape, with the places of the rule ids kept for error messages.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, RuleOverride>,
}

/// The parsed configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Paths (or `prefix*`) whose findings are dropped.
    pub ignore: Vec<String>,
    /// Overrides by rule id.
    pub rules: BTreeMap<RuleId, RuleOverride>,
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
    /// Reads and parses the config file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = wct_io::config_file::read(path)?;
        Config::parse(path, &text)
    }

    /// Parses `text`, the contents of the config file at `path` (named in errors); unknown
    /// rule ids are errors.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let invalid = ConfigError::from;
        let file: File = toml::from_str(text).map_err(|e| {
            invalid(ConfigFileError::new(
                path,
                text,
                e.span(),
                e.message().trim_end(),
            ))
        })?;
        let mut rules = BTreeMap::new();
        for (id, rule_override) in file.rules {
            let Some(rule) = RuleId::from_name(id.get_ref()) else {
                return Err(invalid(
                    ConfigFileError::new(
                        path,
                        text,
                        Some(id.span()),
                        format!("unknown rule `{}` in [rules]", id.get_ref()),
                    )
                    .with_label("no such rule")
                    .with_help("the rules are listed in docs/diff-rules.md"),
                ));
            };
            rules.insert(rule, rule_override);
        }
        Ok(Config {
            ignore: file.ignore,
            rules,
        })
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
            !self.ignored(&f.path) && !self.rules.get(&f.rule).is_some_and(|o| o.ignore)
        });
        for f in &mut report.findings {
            if let Some(bump) = self.rules.get(&f.rule).and_then(|o| o.bump) {
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
        let parse = |text: &str| Config::parse(Path::new("wct-diff.toml"), text);
        let c = parse("ignore = [\"a:b/c#*\"]\n[rules.func-added]\nbump = \"minor\"\n").unwrap();
        assert!(c.ignored("a:b/c#f"));
        assert!(!c.ignored("a:b/d#f"));
        assert_eq!(c.rules[&RuleId::FuncAdded].bump, Some(Bump::Minor));
        let ConfigError::Invalid(unknown) =
            parse("[rules.no-such-rule]\nignore = true\n").unwrap_err()
        else {
            panic!("an unknown rule is a located error")
        };
        assert!(unknown.message.contains("no-such-rule"), "{unknown}");
        assert_eq!(unknown.line_col, Some((1, 8)));
        let ConfigError::Invalid(huge) =
            parse("[rules.func-added]\nbump = \"huge\"\n").unwrap_err()
        else {
            panic!("an unknown bump is a located error")
        };
        assert!(huge.message.contains("unknown bump `huge`"), "{huge}");
        assert_eq!(huge.line_col.map(|(line, _)| line), Some(2));
    }
}
