//! From findings to a semver verdict: the smallest correct bump, what OLD -> NEW declares,
//! and whether that is enough. Follows semver's 0.x rules: in `0.y.z` a breaking change needs
//! `y` to grow and an addition needs at least `z` to grow.

use crate::{Bump, Finding, Report};
use semver::Version;
use serde::Serialize;

/// The outcome of a semver check.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// The bump the findings require.
    pub required: Bump,
    /// What OLD -> NEW declares (`None` when either version is missing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<Bump>,
    /// Whether the declared versions are acceptable.
    pub ok: bool,
    /// The smallest correct version after OLD's, when OLD has a version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimal_version: Option<String>,
    /// A sentence explaining the verdict.
    pub summary: String,
}

/// NEW's version is lower than OLD's: no bump can describe that.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("the version went backwards ({old} -> {new})")]
pub struct VersionWentBackwards {
    /// OLD's version.
    pub old: Version,
    /// NEW's version.
    pub new: Version,
}

/// What moving from `old` to `new` declares, in semver terms (0.x rules applied).
pub fn declared_bump(old: &Version, new: &Version) -> Result<Bump, VersionWentBackwards> {
    if new < old {
        return Err(VersionWentBackwards {
            old: old.clone(),
            new: new.clone(),
        });
    }
    Ok(if old.major == 0 {
        if new.major > 0 || new.minor > old.minor {
            Bump::Major
        } else if new.patch > old.patch {
            Bump::Minor
        } else {
            Bump::None
        }
    } else if new.major > old.major {
        Bump::Major
    } else if new.minor > old.minor {
        Bump::Minor
    } else if new.patch > old.patch {
        Bump::Patch
    } else {
        Bump::None
    })
}

/// The smallest version after `old` that expresses `bump`.
pub fn minimal_version(old: &Version, bump: Bump) -> Version {
    let (major, minor, patch) = (old.major, old.minor, old.patch);
    match (bump, major) {
        (Bump::None, _) => Version::new(major, minor, patch),
        (Bump::Major, 0) => Version::new(0, minor + 1, 0),
        (Bump::Major, _) => Version::new(major + 1, 0, 0),
        (Bump::Minor, 0) | (Bump::Patch, _) => Version::new(major, minor, patch + 1),
        (Bump::Minor, _) => Version::new(major, minor + 1, 0),
    }
}

/// Checks the versions a report's packages declare against its findings.
pub fn check(report: &Report) -> Verdict {
    let required = report.required_bump();
    let versions = report
        .old_version
        .as_deref()
        .and_then(|v| Version::parse(v).ok())
        .zip(
            report
                .new_version
                .as_deref()
                .and_then(|v| Version::parse(v).ok()),
        );
    let Some((old, new)) = versions else {
        let ok = required != Bump::Major;
        return Verdict {
            required,
            declared: None,
            ok,
            minimal_version: None,
            summary: format!(
                "no versions to compare; the changes need a {} bump{}",
                required.name(),
                if ok {
                    ""
                } else {
                    " (NEW is not a drop-in replacement for OLD)"
                }
            ),
        };
    };
    let minimal = minimal_version(&old, required);
    match declared_bump(&old, &new) {
        Err(why) => Verdict {
            required,
            declared: None,
            ok: false,
            minimal_version: Some(minimal.to_string()),
            summary: why.to_string(),
        },
        Ok(declared) => {
            let ok = declared >= required;
            let summary = if ok {
                format!(
                    "{old} -> {new} declares a {} change; the changes need {}: ok",
                    declared.name(),
                    required.name()
                )
            } else {
                format!(
                    "{old} -> {new} declares a {} change but the changes need a {} bump: use {minimal} or later",
                    declared.name(),
                    required.name()
                )
            };
            Verdict {
                required,
                declared: Some(declared),
                ok,
                minimal_version: Some(minimal.to_string()),
                summary,
            }
        }
    }
}

/// The version of the `semver-check --json` report's shape
/// (docs/schemas/semver-check.json).
pub const SCHEMA_VERSION: u32 = 1;

/// A semver check of a report: the verdict, whom the changes break, and the findings that need
/// more than the declared bump (none when the verdict is ok). `wct semver-check --json` prints
/// it as it is.
#[derive(Debug, Serialize)]
pub struct SemverCheck<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `ns:name` of the package compared.
    pub package: &'a str,
    /// OLD's version, if it has one.
    pub old_version: Option<&'a str>,
    /// NEW's version, if it has one.
    pub new_version: Option<&'a str>,
    /// The verdict.
    pub verdict: Verdict,
    /// Whether hosts of OLD can no longer run NEW.
    pub breaks_hosts: bool,
    /// Whether components built for OLD no longer fit NEW.
    pub breaks_components: bool,
    /// The findings that exceed the declared bump, when the verdict is not ok.
    pub culprits: Vec<&'a Finding>,
}

/// Checks `report`'s declared versions against its findings: [`check`], plus the findings
/// that are to blame when the declared bump is not enough.
pub fn semver_check(report: &Report) -> SemverCheck<'_> {
    let verdict = check(report);
    let declared = verdict.declared.unwrap_or(Bump::None);
    let culprits = report
        .findings
        .iter()
        .filter(|f| !verdict.ok && f.bump > declared)
        .collect();
    SemverCheck {
        schema_version: SCHEMA_VERSION,
        package: &report.package,
        old_version: report.old_version.as_deref(),
        new_version: report.new_version.as_deref(),
        breaks_hosts: report.breaks_hosts(),
        breaks_components: report.breaks_components(),
        verdict,
        culprits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn zero_x_rules() {
        assert_eq!(
            declared_bump(&v("0.2.0"), &v("0.2.1")).unwrap(),
            Bump::Minor
        );
        assert_eq!(
            declared_bump(&v("0.2.0"), &v("0.3.0")).unwrap(),
            Bump::Major
        );
        assert_eq!(
            declared_bump(&v("1.2.0"), &v("1.2.1")).unwrap(),
            Bump::Patch
        );
        assert_eq!(
            declared_bump(&v("1.2.0"), &v("1.3.0")).unwrap(),
            Bump::Minor
        );
        assert!(declared_bump(&v("1.2.0"), &v("1.1.0")).is_err());
        assert_eq!(minimal_version(&v("0.2.3"), Bump::Major), v("0.3.0"));
        assert_eq!(minimal_version(&v("0.2.3"), Bump::Minor), v("0.2.4"));
        assert_eq!(minimal_version(&v("1.2.3"), Bump::Major), v("2.0.0"));
        assert_eq!(minimal_version(&v("1.2.3"), Bump::Minor), v("1.3.0"));
    }
}
