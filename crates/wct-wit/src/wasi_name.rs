//! Names of WIT items as components import and export them (`wasi:cli/stdout@0.2.9`), taken
//! apart in one place, and the WASI generation of a version by one rule: `0.2.x` is WASI 0.2
//! and `0.3.x` is WASI 0.3, pre-releases included (`0.3.0-rc-2025-09-16` is 0.3, as the
//! proposals' `0.2.0-draft` is 0.2).

use crate::semver_key::split_versioned;

/// A WASI generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum WasiGeneration {
    /// WASI 0.2 (Preview 2): `0.2.x`.
    #[serde(rename = "0.2")]
    P2,
    /// WASI 0.3 (Preview 3, native async): `0.3.x`.
    #[serde(rename = "0.3")]
    P3,
}

impl WasiGeneration {
    /// The generation of `version`: `0.2.x` or `0.3.x` with any pre-release, or the bare
    /// track (`0.3`, a version completed by a suffix); `None` for any other version.
    pub fn of_version(version: &str) -> Option<WasiGeneration> {
        let mut parts = version.splitn(3, '.');
        let major = parts.next()?;
        let minor = parts.next()?;
        let minor = minor.split(['-', '+']).next().unwrap_or(minor);
        match (major, minor, parts.next()) {
            ("0", "2", rest) if rest.is_none_or(is_patch) => Some(WasiGeneration::P2),
            ("0", "3", rest) if rest.is_none_or(is_patch) => Some(WasiGeneration::P3),
            _ => None,
        }
    }

    /// `0.2` or `0.3`.
    pub fn as_str(self) -> &'static str {
        match self {
            WasiGeneration::P2 => "0.2",
            WasiGeneration::P3 => "0.3",
        }
    }
}

/// Whether `rest` (what follows `MAJOR.MINOR.`) starts with a patch number.
fn is_patch(rest: &str) -> bool {
    rest.starts_with(|c: char| c.is_ascii_digit())
}

impl std::fmt::Display for WasiGeneration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name as WASI writes them, `NAMESPACE:PACKAGE[/INTERFACE][@VERSION]` (any namespace),
/// taken apart, borrowing from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WasiName<'a> {
    /// `wasi` in `wasi:cli/stdout@0.2.9`.
    pub namespace: &'a str,
    /// `cli`.
    pub package: &'a str,
    /// `stdout`; `None` for a package's own name.
    pub interface: Option<&'a str>,
    /// `0.2.9`; `None` for an unversioned name.
    pub version: Option<&'a str>,
    unversioned: &'a str,
}

impl<'a> WasiName<'a> {
    /// Takes `name` apart; `None` when it is not `NAMESPACE:PACKAGE...` (a bare world
    /// function's name, say).
    pub fn parse(name: &'a str) -> Option<WasiName<'a>> {
        let (unversioned, version) = split_versioned(name);
        let (namespace, path) = unversioned.split_once(':')?;
        let (package, interface) = match path.split_once('/') {
            Some((package, interface)) => (package, Some(interface)),
            None => (path, None),
        };
        let well_formed = !namespace.is_empty()
            && !package.is_empty()
            && interface.is_none_or(|i| !i.is_empty())
            && version.is_none_or(|v| !v.is_empty());
        well_formed.then_some(WasiName {
            namespace,
            package,
            interface,
            version,
            unversioned,
        })
    }

    /// The name without its version: `wasi:cli/stdout`.
    pub fn unversioned(&self) -> &'a str {
        self.unversioned
    }

    /// The package's name without a version: `wasi:cli`.
    pub fn package_name(&self) -> &'a str {
        &self.unversioned[..self.namespace.len() + 1 + self.package.len()]
    }

    /// Whether it is in the `wasi` namespace.
    pub fn is_wasi(&self) -> bool {
        self.namespace == "wasi"
    }

    /// The WASI generation of a versioned `wasi:` name.
    pub fn wasi_generation(&self) -> Option<WasiGeneration> {
        self.is_wasi()
            .then_some(self.version?)
            .and_then(WasiGeneration::of_version)
    }
}

/// The WASI generation of the item named `name` (`None` for other namespaces, unversioned
/// names and other versions).
pub fn wasi_generation(name: &str) -> Option<WasiGeneration> {
    WasiName::parse(name)?.wasi_generation()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_comes_apart_into_its_pieces() {
        let n = WasiName::parse("wasi:cli/stdout@0.2.9").unwrap();
        assert_eq!(
            (n.namespace, n.package, n.interface, n.version),
            ("wasi", "cli", Some("stdout"), Some("0.2.9"))
        );
        assert_eq!(n.unversioned(), "wasi:cli/stdout");
        assert_eq!(n.package_name(), "wasi:cli");
        let p = WasiName::parse("my:pkg@1.0.0").unwrap();
        assert_eq!((p.interface, p.package_name()), (None, "my:pkg"));
        assert_eq!(WasiName::parse("run"), None);
        assert_eq!(WasiName::parse("wasi:/x@1"), None);
        assert_eq!(WasiName::parse("wasi:cli/x@"), None);
    }

    #[test]
    fn releases_and_pre_releases_of_a_generation_are_that_generation() {
        for (name, generation) in [
            ("wasi:cli/stdout@0.2.0", Some(WasiGeneration::P2)),
            ("wasi:cli/stdout@0.2.12", Some(WasiGeneration::P2)),
            ("wasi:keyvalue/store@0.2.0-draft", Some(WasiGeneration::P2)),
            ("wasi:config/store@0.2.0-rc.1", Some(WasiGeneration::P2)),
            ("wasi:cli/stdout@0.3.0", Some(WasiGeneration::P3)),
            (
                "wasi:cli/stdout@0.3.0-rc-2025-09-16",
                Some(WasiGeneration::P3),
            ),
            ("wasi:http/handler@0.3.1", Some(WasiGeneration::P3)),
            ("wasi:cli/stdout@0.3", Some(WasiGeneration::P3)),
            ("wasi:cli/stdout@0.1.0", None),
            ("wasi:cli/stdout@1.0.0", None),
            ("wasi:cli/stdout@0.30.0", None),
            ("wasi:cli/stdout@0.2x", None),
            ("wasi:cli/stdout", None),
            ("my:cli/stdout@0.3.0", None),
        ] {
            assert_eq!(wasi_generation(name), generation, "{name}");
        }
    }
}
