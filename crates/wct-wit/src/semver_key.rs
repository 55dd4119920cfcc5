//! The one rule for "`ns:pkg/iface@1.2.3` matches `@1.x`": two versioned names of an interface
//! (or a package) are interchangeable when they agree on the part of the version that semver
//! says must match — the major version, or the minor while the major is 0, or the whole version
//! for `0.0.x` and pre-releases. This is the component model's own rule (wasmparser's
//! `split_canonical_version`, which the validator uses to match imports to exports), so
//! composing, checking targets and diffing all agree with what a runtime will link.

/// `("ns:pkg/iface", Some("1.2.3"))` for `ns:pkg/iface@1.2.3`; no version for a bare name.
pub fn split_versioned(name: &str) -> (&str, Option<&str>) {
    match name.rsplit_once('@') {
        Some((base, version)) => (base, Some(version)),
        None => (name, None),
    }
}

/// `ns:pkg/iface` of `ns:pkg/iface@1.2.3`: the name without its version.
pub fn base_name(name: &str) -> &str {
    split_versioned(name).0
}

/// The version of a versioned name, when it is valid semver.
pub fn version_of(name: &str) -> Option<semver::Version> {
    split_versioned(name)
        .1
        .and_then(|v| semver::Version::parse(v).ok())
}

/// The semver-significant part of a version: `1` for `1.4.0`, `0.2` for `0.2.9`, `0.0.3` for
/// `0.0.3`, `1.0.0-rc.1` for a pre-release (build metadata is ignored). `None` when `version`
/// is not a full semver version.
pub fn compat_track(version: &str) -> Option<&str> {
    wasmparser::names::split_canonical_version(version).map(|(track, _)| track)
}

/// `ns:pkg/iface@0.2` for `ns:pkg/iface@0.2.12`: a versioned name reduced to its semver track,
/// so names that must link together compare equal. Names without a valid version are returned
/// unchanged.
pub fn semver_key(name: &str) -> String {
    match split_versioned(name) {
        (base, Some(version)) => match compat_track(version) {
            Some(track) => format!("{base}@{track}"),
            None => name.to_string(),
        },
        (_, None) => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_match_on_major_or_on_minor_while_major_is_zero() {
        assert_eq!(semver_key("a:b/c@1.4.0"), "a:b/c@1");
        assert_eq!(semver_key("a:b/c@1.0.9"), semver_key("a:b/c@1.7.2"));
        assert_eq!(semver_key("wasi:cli/stdout@0.2.3"), "wasi:cli/stdout@0.2");
        assert_eq!(
            semver_key("wasi:cli/stdout@0.2.3"),
            semver_key("wasi:cli/stdout@0.2.12")
        );
        assert_ne!(
            semver_key("wasi:cli/stdout@0.3.0"),
            semver_key("wasi:cli/stdout@0.2.0")
        );
    }

    #[test]
    fn zero_zero_versions_match_only_themselves() {
        assert_eq!(semver_key("a:b/c@0.0.3"), "a:b/c@0.0.3");
        assert_ne!(semver_key("a:b/c@0.0.3"), semver_key("a:b/c@0.0.4"));
    }

    #[test]
    fn pre_releases_match_only_themselves_and_build_metadata_is_ignored() {
        assert_eq!(semver_key("a:b/c@1.0.0-rc.1"), "a:b/c@1.0.0-rc.1");
        assert_ne!(semver_key("a:b/c@1.0.0-rc.1"), semver_key("a:b/c@1.0.0"));
        assert_eq!(
            semver_key("wasi:cli/run@0.3.0-rc-2025-09-16"),
            "wasi:cli/run@0.3.0-rc-2025-09-16"
        );
        assert_eq!(semver_key("a:b/c@1.2.3+build.7"), "a:b/c@1");
        assert_eq!(compat_track("0.0.1+b"), Some("0.0.1"));
    }

    #[test]
    fn names_without_a_valid_version_are_kept() {
        assert_eq!(semver_key("run"), "run");
        assert_eq!(semver_key("a:b/c@1.2"), "a:b/c@1.2");
        assert_eq!(split_versioned("a:b/c"), ("a:b/c", None));
        assert_eq!(base_name("a:b/c@1.2.3"), "a:b/c");
        assert_eq!(
            version_of("a:b/c@1.2.3"),
            semver::Version::parse("1.2.3").ok()
        );
        assert_eq!(version_of("a:b/c"), None);
    }
}
