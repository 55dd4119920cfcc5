//! The standard WASI worlds available by name, with no WIT files from the user.
//!
//! They are decoded from the `component-type` custom section of the Preview 1 command
//! adapter bundled through `wasi-preview1-component-adapter-provider`, which carries the
//! complete `wasi:cli` command world and every interface it uses. `wasi:cli/imports` (the
//! command world without its `run` export) is derived from it when the section lacks it.
//!
//! `wasi:http/proxy` and `wasi:http/imports` come from the WASI 0.2.12 WIT files vendored in
//! `crates/wct-wit/wit/wasi-0.2.12/` (the ones wasmtime-wasi-http 48, the engine of
//! `wct serve`, implements), since no bundled adapter carries the HTTP package.
//!
//! `wasi:config/imports` (0.2.0-rc.1) and `wasi:keyvalue/imports` and `watch-service`
//! (0.2.0-draft) come from the WIT of wasmtime-wasi-config and wasmtime-wasi-keyvalue 48,
//! vendored in `crates/wct-wit/wit/wasi-config/` and `wasi-keyvalue/`: the versions the
//! bundled engine links.
//!
//! The WASI 0.3.0 worlds (`wasi:cli/command@0.3.0`, `wasi:cli/imports@0.3.0`,
//! `wasi:http/service@0.3.0`, `wasi:http/middleware@0.3.0`) come from the 0.3.0 WIT files
//! vendored in `crates/wct-wit/wit/wasi-0.3.0/` (wasmtime-wasi-http 48's p3 WIT, the final
//! 0.3.0). They are named with their version: a bare `wasi:cli/command` means the newest 0.2.

use crate::semver_key::split_versioned;
use crate::wasi_name::{WasiGeneration, WasiName};
use wit_parser::{PackageId, Resolve, WorldId};

/// The built-in world names.
pub const NAMES: &[&str] = &[
    "wasi:cli/command",
    "wasi:cli/imports",
    "wasi:http/proxy",
    "wasi:http/imports",
    "wasi:config/imports",
    "wasi:keyvalue/imports",
    "wasi:keyvalue/watch-service",
];

/// Packages beyond the CLI and HTTP worlds, at the versions the bundled engine implements
/// (wasmtime-wasi-config and wasmtime-wasi-keyvalue 48): (`ns:name`, its files).
const EXTRA_PACKAGES: &[(&str, &[(&str, &str)])] = &[
    (
        "wasi:config",
        &[
            ("store.wit", include_str!("../wit/wasi-config/store.wit")),
            ("world.wit", include_str!("../wit/wasi-config/world.wit")),
        ],
    ),
    (
        "wasi:keyvalue",
        &[
            ("store.wit", include_str!("../wit/wasi-keyvalue/store.wit")),
            (
                "atomic.wit",
                include_str!("../wit/wasi-keyvalue/atomic.wit"),
            ),
            ("batch.wit", include_str!("../wit/wasi-keyvalue/batch.wit")),
            ("watch.wit", include_str!("../wit/wasi-keyvalue/watch.wit")),
            ("world.wit", include_str!("../wit/wasi-keyvalue/world.wit")),
        ],
    ),
];

/// The vendored package `ns:name` (`wasi:config`, `wasi:keyvalue`),
/// each a package of several files.
pub fn wasi_extra(package: &str) -> Result<(Resolve, PackageId), BuiltinError> {
    let (_, files) = EXTRA_PACKAGES
        .iter()
        .find(|(name, _)| *name == package)
        .ok_or_else(|| anyhow::anyhow!("no vendored package {package}"))?;
    let mut sources = wit_parser::SourceMap::new();
    for (file, text) in *files {
        sources.push(std::path::Path::new(&format!("{package}/{file}")), *text);
    }
    let group = sources.parse().map_err(|(_, e)| anyhow::anyhow!("{e}"))?;
    let mut resolve = Resolve::default();
    let pkg = resolve
        .push_group(group)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((resolve, pkg))
}

/// The WASI 0.3 worlds, always named with their version.
pub const P3_NAMES: &[&str] = &[
    "wasi:cli/command@0.3.0",
    "wasi:cli/imports@0.3.0",
    "wasi:http/service@0.3.0",
    "wasi:http/middleware@0.3.0",
];

/// The vendored WASI 0.3.0 packages, in dependency order, as (file name, text).
const WASI_P3_SOURCES: &[(&str, &str)] = &[
    ("clocks.wit", include_str!("../wit/wasi-0.3.0/clocks.wit")),
    ("random.wit", include_str!("../wit/wasi-0.3.0/random.wit")),
    (
        "filesystem.wit",
        include_str!("../wit/wasi-0.3.0/filesystem.wit"),
    ),
    ("sockets.wit", include_str!("../wit/wasi-0.3.0/sockets.wit")),
    ("cli.wit", include_str!("../wit/wasi-0.3.0/cli.wit")),
    ("http.wit", include_str!("../wit/wasi-0.3.0/http.wit")),
];

/// The vendored WASI 0.2.12 packages, in dependency order, as (file name, text).
const WASI_SOURCES: &[(&str, &str)] = &[
    ("io.wit", include_str!("../wit/wasi-0.2.12/io.wit")),
    ("clocks.wit", include_str!("../wit/wasi-0.2.12/clocks.wit")),
    ("random.wit", include_str!("../wit/wasi-0.2.12/random.wit")),
    (
        "filesystem.wit",
        include_str!("../wit/wasi-0.2.12/filesystem.wit"),
    ),
    (
        "sockets.wit",
        include_str!("../wit/wasi-0.2.12/sockets.wit"),
    ),
    ("cli.wit", include_str!("../wit/wasi-0.2.12/cli.wit")),
    ("http.wit", include_str!("../wit/wasi-0.2.12/http.wit")),
];

/// A parsed world name: `ns:pkg/world[@version]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualifiedWorld {
    /// `ns:pkg`.
    pub package: String,
    /// The world's name.
    pub world: String,
    /// The version, if given.
    pub version: Option<semver::Version>,
}

/// Parses `ns:pkg/world[@version]`; `None` for anything else (such as a bare world name).
pub fn parse_qualified(name: &str) -> Option<QualifiedWorld> {
    let parsed = WasiName::parse(name)?;
    let version = match parsed.version {
        Some(v) => Some(semver::Version::parse(v).ok()?),
        None => None,
    };
    Some(QualifiedWorld {
        package: parsed.package_name().to_string(),
        world: parsed.interface?.to_string(),
        version,
    })
}

/// True when `name` is a built-in world: a 0.2 one in any version spelling, or a 0.3 one
/// named with a 0.3 version.
pub fn is_builtin(name: &str) -> bool {
    parse_qualified(name).is_some_and(|q| {
        let unversioned = format!("{}/{}", q.package, q.world);
        if q.version.as_ref().is_some_and(is_p3) {
            P3_NAMES.iter().any(|n| split_versioned(n).0 == unversioned)
        } else {
            NAMES.contains(&unversioned.as_str())
        }
    })
}

/// A WASI 0.3 version (`0.3.x`, pre-releases included).
fn is_p3(version: &semver::Version) -> bool {
    WasiGeneration::of_version(&version.to_string()) == Some(WasiGeneration::P3)
}

/// The `wasi:cli` package as bundled: its resolve and package id, with `imports` present.
pub fn wasi_cli() -> Result<(Resolve, PackageId), BuiltinError> {
    let adapter = wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER;
    let (_, bindgen) = wit_component::metadata::decode(adapter)?;
    let mut resolve = bindgen.resolve;
    let pkg = resolve
        .packages
        .iter()
        .find(|(_, p)| p.name.namespace == "wasi" && p.name.name == "cli")
        .map(|(id, _)| id)
        .ok_or_else(|| anyhow::anyhow!("the bundled adapter carries no wasi:cli package"))?;
    if !resolve.packages[pkg].worlds.contains_key("imports") {
        let command = *resolve.packages[pkg]
            .worlds
            .get("command")
            .ok_or_else(|| anyhow::anyhow!("the bundled wasi:cli package has no command world"))?;
        let mut imports = resolve.worlds[command].clone();
        imports.name = "imports".to_string();
        imports.exports.clear();
        imports.includes.clear();
        imports.docs = Default::default();
        let id = resolve.worlds.alloc(imports);
        resolve.packages[pkg]
            .worlds
            .insert("imports".to_string(), id);
    }
    Ok((resolve, pkg))
}

/// The vendored WASI 0.2.12 WIT sources, (file name, text), in dependency order: every
/// package (`io`, `clocks`, `random`, `filesystem`, `sockets`, `cli`, `http`).
pub fn wasi_0_2_sources() -> &'static [(&'static str, &'static str)] {
    WASI_SOURCES
}

/// The vendored WASI 0.3.0 WIT sources, (file name, text), in dependency order.
pub fn wasi_0_3_sources() -> &'static [(&'static str, &'static str)] {
    WASI_P3_SOURCES
}

/// The `wasi:http` package (with every WASI package it uses) from the vendored WIT files.
pub fn wasi_http() -> Result<(Resolve, PackageId), BuiltinError> {
    let mut resolve = Resolve::default();
    let mut last = None;
    for (name, text) in WASI_SOURCES {
        last = Some(resolve.push_str(format!("wasi-0.2.12/{name}"), text)?);
    }
    last.ok_or_else(|| anyhow::anyhow!("no vendored WASI packages").into())
        .map(|pkg| (resolve, pkg))
}

/// Every WASI 0.3.0 package from the vendored WIT files, and the id of `ns:name` among them.
pub fn wasi_p3(package: &str) -> Result<(Resolve, PackageId), BuiltinError> {
    let mut resolve = Resolve::default();
    for (name, text) in WASI_P3_SOURCES {
        resolve.push_str(format!("wasi-0.3.0/{name}"), text)?;
    }
    let pkg = resolve
        .packages
        .iter()
        .find(|(_, p)| format!("{}:{}", p.name.namespace, p.name.name) == package)
        .map(|(id, _)| id)
        .ok_or_else(|| anyhow::anyhow!("no package {package} in the vendored WASI 0.3.0"))?;
    Ok((resolve, pkg))
}

/// Why a built-in world could not be given.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BuiltinError {
    /// The name is not `ns:pkg/world[@version]`.
    #[error("'{0}' is not a world name")]
    NotAWorldName(String),
    /// The world exists, but in another version than the one asked for.
    #[error("the bundled {world} is version {bundled}, not {requested}")]
    OtherVersion {
        /// `ns:pkg/world`.
        world: String,
        /// The bundled version.
        bundled: semver::Version,
        /// The version asked for.
        requested: semver::Version,
    },
    /// The bundled package has no world of that name.
    #[error("no world '{world}' in the bundled {package}")]
    NoSuchWorld {
        /// The world's name.
        world: String,
        /// The bundled package, with its version.
        package: String,
    },
    /// The vendored WIT did not load (a build defect, not a user error).
    #[error("the vendored WASI WIT does not load")]
    Vendored(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<anyhow::Error> for BuiltinError {
    fn from(error: anyhow::Error) -> Self {
        BuiltinError::Vendored(error.into())
    }
}

/// The package that defines the built-in world `name` (`wasi:cli` or `wasi:http`, 0.2 or
/// 0.3; `wasi:config`, `wasi:keyvalue`), and the world itself.
pub fn load(name: &str) -> Result<(Resolve, WorldId), BuiltinError> {
    let q = parse_qualified(name);
    let package = q.as_ref().map(|q| q.package.as_str());
    let p3 = q
        .as_ref()
        .and_then(|q| q.version.as_ref())
        .is_some_and(is_p3);
    let (resolve, pkg) = match package {
        Some(package) if p3 => wasi_p3(package),
        Some("wasi:http") => wasi_http(),
        Some(package @ ("wasi:config" | "wasi:keyvalue")) => wasi_extra(package),
        _ => wasi_cli(),
    }?;
    let world = find(&resolve, pkg, name)?;
    Ok((resolve, world))
}

/// The version of the bundled `wasi:cli` package.
pub fn wasi_cli_version() -> Option<semver::Version> {
    let (resolve, pkg) = wasi_cli().ok()?;
    resolve.packages[pkg].name.version.clone()
}

/// Looks up a built-in world by name in `resolve` (which must contain the bundled `wasi:cli`),
/// checking that a requested version is the bundled one or an earlier semver-compatible one.
pub fn find(resolve: &Resolve, pkg: PackageId, name: &str) -> Result<WorldId, BuiltinError> {
    let q = parse_qualified(name).ok_or_else(|| BuiltinError::NotAWorldName(name.to_string()))?;
    let package = &resolve.packages[pkg];
    if let (Some(want), Some(have)) = (&q.version, &package.name.version) {
        // An older release of the same compatibility track (0.2.4 for 0.2.12) is served by
        // the bundled one, as a host of 0.2.12 runs components built for 0.2.4.
        let compatible = want.major == have.major
            && (want.major > 0 || want.minor == have.minor)
            && want <= have;
        if !compatible {
            return Err(BuiltinError::OtherVersion {
                world: format!("{}/{}", q.package, q.world),
                bundled: have.clone(),
                requested: want.clone(),
            });
        }
    }
    package
        .worlds
        .get(&q.world)
        .copied()
        .ok_or_else(|| BuiltinError::NoSuchWorld {
            world: q.world.clone(),
            package: package.name.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_world_is_complete() {
        let (resolve, pkg) = wasi_cli().unwrap();
        let command = find(&resolve, pkg, "wasi:cli/command").unwrap();
        let world = &resolve.worlds[command];
        let imports: Vec<String> = world
            .imports
            .keys()
            .map(|k| resolve.name_world_key(k))
            .collect();
        assert!(
            imports
                .iter()
                .any(|n| n.starts_with("wasi:filesystem/types@0.2")),
            "{imports:?}"
        );
        assert!(
            imports.iter().any(|n| n.starts_with("wasi:cli/stdout@0.2")),
            "{imports:?}"
        );
        assert_eq!(world.exports.len(), 1);
        let imports_world = find(&resolve, pkg, "wasi:cli/imports").unwrap();
        assert!(resolve.worlds[imports_world].exports.is_empty());
        assert_eq!(
            resolve.worlds[imports_world].imports.len(),
            world.imports.len()
        );
    }

    #[test]
    fn names_parse() {
        assert!(is_builtin("wasi:cli/command"));
        assert!(is_builtin("wasi:cli/imports@0.2.12"));
        assert!(is_builtin("wasi:http/proxy"));
        assert!(!is_builtin("wasi:http/handler"));
        assert!(!is_builtin("command"));
        assert_eq!(
            parse_qualified("a:b/c@1.2.3").unwrap().version,
            Some(semver::Version::new(1, 2, 3))
        );
    }

    #[test]
    fn proxy_world_exports_the_handler() {
        let (resolve, world) = load("wasi:http/proxy@0.2.12").unwrap();
        let exports: Vec<String> = resolve.worlds[world]
            .exports
            .keys()
            .map(|k| resolve.name_world_key(k))
            .collect();
        assert_eq!(exports, ["wasi:http/incoming-handler@0.2.12"]);
        let (resolve, world) = load("wasi:http/imports").unwrap();
        assert!(resolve.worlds[world].exports.is_empty());
    }

    #[test]
    fn wasi_p3_worlds_are_built_in() {
        for name in P3_NAMES {
            assert!(is_builtin(name), "{name}");
            let (resolve, world) = load(name).unwrap();
            let package = resolve.worlds[world].package.unwrap();
            assert_eq!(
                resolve.packages[package].name.version,
                Some(semver::Version::new(0, 3, 0))
            );
        }
        assert!(!is_builtin("wasi:http/proxy@0.3.0"));
        assert!(!is_builtin("wasi:http/service"));
        let (resolve, world) = load("wasi:cli/command@0.3.0").unwrap();
        let exports: Vec<String> = resolve.worlds[world]
            .exports
            .keys()
            .map(|k| resolve.name_world_key(k))
            .collect();
        assert_eq!(exports, ["wasi:cli/run@0.3.0"]);
        let (resolve, world) = load("wasi:http/service@0.3.0").unwrap();
        let exports: Vec<String> = resolve.worlds[world]
            .exports
            .keys()
            .map(|k| resolve.name_world_key(k))
            .collect();
        assert_eq!(exports, ["wasi:http/handler@0.3.0"]);
    }

    #[test]
    fn wrong_version_is_refused() {
        let (resolve, pkg) = wasi_cli().unwrap();
        let err = find(&resolve, pkg, "wasi:cli/command@0.1.0").unwrap_err();
        assert!(
            matches!(&err, BuiltinError::OtherVersion { requested, .. } if requested.to_string() == "0.1.0"),
            "{err}"
        );
        assert!(err.to_string().ends_with("not 0.1.0"), "{err}");
    }
}
