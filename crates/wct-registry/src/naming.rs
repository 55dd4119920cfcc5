//! Package references and where they live.
//!
//! `ns:name@version` maps to the OCI reference `REGISTRY/[PREFIX/]ns/name:version`. The
//! registry is `--registry` when given, else the namespace's registry, else the default one,
//! both read from wkg's `config.toml` (`default_registry`, `[namespace_registries]`), so one
//! file serves both tools. `oci://REGISTRY/REPOSITORY[:TAG]` names a location directly.

use crate::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Which version of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSpec {
    /// `@1.2.3`
    Exact(semver::Version),
    /// `@^0.2`, `@>=1.0, <2`: the newest published version that matches.
    Requirement(semver::VersionReq),
    /// No version: the newest published one.
    Newest,
}

impl std::fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VersionSpec::Exact(v) => write!(f, "{v}"),
            VersionSpec::Requirement(r) => write!(f, "{r}"),
            VersionSpec::Newest => write!(f, "any version"),
        }
    }
}

impl VersionSpec {
    /// True when `version` satisfies this spec.
    pub fn matches(&self, version: &semver::Version) -> bool {
        match self {
            VersionSpec::Exact(v) => v == version,
            VersionSpec::Requirement(r) => r.matches(version),
            VersionSpec::Newest => version.pre.is_empty(),
        }
    }
}

/// A package reference: `ns:name@version`, or a direct `oci://` location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSpec {
    /// `ns:name` (for `oci://` references, the repository path).
    pub name: String,
    /// The namespace, `ns` (empty for `oci://` references).
    pub namespace: String,
    /// Which version.
    pub version: VersionSpec,
    /// For `oci://` references: the location as written.
    pub direct: Option<Location>,
}

impl std::str::FromStr for PackageSpec {
    type Err = Error;

    fn from_str(text: &str) -> Result<PackageSpec> {
        let invalid = |reason: &str| Error::InvalidReference {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        if let Some(rest) = text.strip_prefix("oci://") {
            let (registry, path) = rest
                .split_once('/')
                .ok_or_else(|| invalid("expected oci://REGISTRY/REPOSITORY[:TAG]"))?;
            let (repository, tag) = match path.rsplit_once(':') {
                Some((repo, tag)) => (repo, Some(tag)),
                None => (path, None),
            };
            if registry.is_empty() || repository.is_empty() {
                return Err(invalid("expected oci://REGISTRY/REPOSITORY[:TAG]"));
            }
            let version = match tag {
                Some(tag) => VersionSpec::Exact(
                    semver::Version::parse(tag)
                        .map_err(|e| invalid(&format!("tag '{tag}' is not a version: {e}")))?,
                ),
                None => VersionSpec::Newest,
            };
            return Ok(PackageSpec {
                name: repository.to_string(),
                namespace: String::new(),
                version,
                direct: Some(Location {
                    registry: registry.to_string(),
                    repository: repository.to_string(),
                    tls: None,
                }),
            });
        }
        let (name, version) = wct_wit::semver_key::split_versioned(text);
        let (namespace, package) = name
            .split_once(':')
            .ok_or_else(|| invalid("expected ns:name[@version]"))?;
        let valid_id = |s: &str| {
            !s.is_empty()
                && s.starts_with(|c: char| c.is_ascii_lowercase())
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        };
        if !valid_id(namespace) || !valid_id(package) {
            return Err(invalid(
                "namespace and name are lowercase letters, digits and '-' (ns:name@version)",
            ));
        }
        let version = match version {
            None => VersionSpec::Newest,
            Some(v) => match semver::Version::parse(v) {
                Ok(exact) => VersionSpec::Exact(exact),
                Err(_) => VersionSpec::Requirement(semver::VersionReq::parse(v).map_err(|e| {
                    invalid(&format!(
                        "'{v}' is neither a version nor a requirement: {e}"
                    ))
                })?),
            },
        };
        Ok(PackageSpec {
            name: name.to_string(),
            namespace: namespace.to_string(),
            version,
            direct: None,
        })
    }
}

/// A repository in a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// `host[:port]`.
    pub registry: String,
    /// `[prefix/]ns/name`.
    pub repository: String,
    /// `https://` (true) or `http://` (false) written before the registry; `None`: HTTPS,
    /// except plain HTTP for a loopback registry.
    pub tls: Option<bool>,
}

impl Location {
    /// `registry/repository:tag`.
    pub fn reference(&self, tag: &str) -> String {
        format!("{}/{}:{tag}", self.registry, self.repository)
    }

    /// True when the registry's host is a loopback address (plain HTTP is allowed there).
    pub fn is_loopback(&self) -> bool {
        let host = match self.registry.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(""),
            None => self.registry.split(':').next().unwrap_or(""),
        };
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

/// Which registry serves which namespace: wkg's `config.toml` keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryConfig {
    /// `default_registry`: for namespaces without their own.
    pub default_registry: Option<String>,
    /// `[namespace_registries]`: `ns = "host[:port][/prefix]"`.
    pub namespace_registries: BTreeMap<String, String>,
}

#[derive(serde::Deserialize)]
struct WkgConfig {
    default_registry: Option<String>,
    #[serde(default)]
    namespace_registries: BTreeMap<String, NamespaceRegistry>,
}

/// wkg accepts a registry name, or a table whose `metadata.oci` names the registry and a
/// namespace prefix.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum NamespaceRegistry {
    Name(String),
    Table { metadata: Option<Metadata> },
}

#[derive(serde::Deserialize)]
struct Metadata {
    oci: Option<OciMetadata>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct OciMetadata {
    registry: String,
    namespace_prefix: Option<String>,
}

impl RegistryConfig {
    /// wkg's config file: `$WKG_CONFIG_FILE`, else `$XDG_CONFIG_HOME/wasm-pkg/config.toml`,
    /// else `~/.config/wasm-pkg/config.toml`.
    pub fn default_path() -> Option<PathBuf> {
        if let Some(file) = std::env::var_os("WKG_CONFIG_FILE").filter(|f| !f.is_empty()) {
            return Some(PathBuf::from(file));
        }
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("wasm-pkg").join("config.toml"))
    }

    /// Reads `path`; a missing file is an empty configuration.
    pub fn load(path: &Path) -> Result<RegistryConfig> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(RegistryConfig::default())
            }
            Err(e) => {
                return Err(Error::Config {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })
            }
        };
        let file: WkgConfig = toml::from_str(&text).map_err(|e| Error::Config {
            path: path.display().to_string(),
            message: e.message().to_string(),
        })?;
        let namespace_registries = file
            .namespace_registries
            .into_iter()
            .filter_map(|(ns, reg)| match reg {
                NamespaceRegistry::Name(name) => Some((ns, name)),
                NamespaceRegistry::Table { metadata } => {
                    let oci = metadata?.oci?;
                    let prefix = oci.namespace_prefix.unwrap_or_default();
                    let prefix = prefix.trim_end_matches('/');
                    Some((
                        ns,
                        if prefix.is_empty() {
                            oci.registry
                        } else {
                            format!("{}/{prefix}", oci.registry)
                        },
                    ))
                }
            })
            .collect();
        Ok(RegistryConfig {
            default_registry: file.default_registry,
            namespace_registries,
        })
    }

    /// Where `spec` lives: `registry` (from `--registry`) first, then the namespace's
    /// registry, then the default one.
    pub fn locate(&self, spec: &PackageSpec, registry: Option<&str>) -> Result<Location> {
        if let Some(direct) = &spec.direct {
            return Ok(direct.clone());
        }
        let target = registry
            .map(str::to_string)
            .or_else(|| self.namespace_registries.get(&spec.namespace).cloned())
            .or_else(|| self.default_registry.clone())
            .ok_or_else(|| Error::NoRegistry {
                text: spec.name.clone(),
                namespace: spec.namespace.clone(),
            })?;
        let (tls, target) = match (
            target.strip_prefix("https://"),
            target.strip_prefix("http://"),
        ) {
            (Some(rest), _) => (Some(true), rest.to_string()),
            (None, Some(rest)) => (Some(false), rest.to_string()),
            (None, None) => (None, target),
        };
        let (registry, prefix) = match target.split_once('/') {
            Some((registry, prefix)) => (
                registry.to_string(),
                format!("{}/", prefix.trim_matches('/')),
            ),
            None => (target, String::new()),
        };
        let (ns, name) = spec.name.split_once(':').unwrap_or(("", &spec.name));
        Ok(Location {
            registry,
            repository: format!("{prefix}{ns}/{name}"),
            tls,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse() {
        let spec: PackageSpec = "wasi:http@0.2.3".parse().unwrap();
        assert_eq!(spec.namespace, "wasi");
        assert_eq!(spec.version, VersionSpec::Exact("0.2.3".parse().unwrap()));
        let spec: PackageSpec = "wasi:http@^0.2".parse().unwrap();
        assert!(spec.version.matches(&"0.2.9".parse().unwrap()));
        assert!(!spec.version.matches(&"0.3.0".parse().unwrap()));
        let spec: PackageSpec = "oci://127.0.0.1:5000/a/b:1.0.0".parse().unwrap();
        assert_eq!(spec.direct.unwrap().repository, "a/b");
        assert!("nope".parse::<PackageSpec>().is_err());
        assert!("Wasi:http".parse::<PackageSpec>().is_err());
        assert!("a:b@x.y".parse::<PackageSpec>().is_err());
    }

    #[test]
    fn namespaces_map_to_registries() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "default_registry = \"example.com\"\n[namespace_registries]\nwasi = { registry = \"wasi.dev\", metadata = { preferredProtocol = \"oci\", oci = { registry = \"ghcr.io\", namespacePrefix = \"webassembly/\" } } }\nmine = \"127.0.0.1:5000/team\"\n",
        )
        .unwrap();
        let config = RegistryConfig::load(&file).unwrap();
        let locate = |s: &str| config.locate(&s.parse().unwrap(), None).unwrap();
        assert_eq!(
            locate("wasi:http@0.2.0").reference("0.2.0"),
            "ghcr.io/webassembly/wasi/http:0.2.0"
        );
        assert_eq!(locate("mine:lib").repository, "team/mine/lib");
        assert_eq!(locate("other:x").registry, "example.com");
        let over = config
            .locate(&"other:x".parse().unwrap(), Some("localhost:1"))
            .unwrap();
        assert!(over.is_loopback());
        assert!(!locate("other:x").is_loopback());
        let tls = config
            .locate(&"other:x".parse().unwrap(), Some("https://127.0.0.1:9/p"))
            .unwrap();
        assert_eq!(
            (tls.registry.as_str(), tls.repository.as_str(), tls.tls),
            ("127.0.0.1:9", "p/other/x", Some(true))
        );
        assert_eq!(
            RegistryConfig::load(&dir.path().join("absent.toml")).unwrap(),
            RegistryConfig::default()
        );
    }
}
