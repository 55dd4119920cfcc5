//! `wct wit fetch`: the foreign packages a WIT directory uses, from registries into `deps/`,
//! pinned by a `wkg.lock`.
//!
//! What is fetched: every package the directory's WIT names but does not define, except one
//! that `deps/` holds and the lock does not list (put there by hand: kept as it is). A
//! requirement is what wkg derives from the source: `=VERSION` for `ns:name@VERSION`, `*` (the
//! newest release) for an unversioned name. A locked requirement is taken from the cache when
//! it holds the locked digest (no network), else pulled with the digest checked. Every
//! download and check happens before anything is written; each package lands in
//! `deps/ns-name-version/package.wit`, as wkg names it (a fetched WIT package carries its own
//! dependencies, which are written beside it), then the lock, each file atomically.

use crate::cache::Cache;
use crate::lock::{LockFile, LockedVersion};
use crate::naming::{PackageSpec, RegistryConfig, VersionSpec};
use crate::{Error, Registry, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use wit_component::DecodedWasm;
use wit_parser::{Resolve, UnresolvedPackageGroup};

/// How to fetch.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// `--registry`: the registry for every package (else the configuration's).
    pub registry: Option<String>,
    /// Fail instead of changing the lock file.
    pub locked: bool,
    /// Use only the cache: no network.
    pub offline: bool,
    /// The lock file to read and write.
    pub lock_path: PathBuf,
    /// The package cache.
    pub cache: Cache,
}

/// Where a fetched package came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The local cache (pinned by the lock).
    Cache,
    /// A registry.
    Registry,
}

/// One package fetched.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Fetched {
    /// `ns:name`.
    pub name: String,
    /// What the source asks for (`=0.2.0`, `*`).
    pub requirement: String,
    /// The version fetched.
    pub version: semver::Version,
    /// `sha256:HEX` of the wasm.
    pub digest: String,
    /// Where it came from.
    pub source: Source,
    /// The full reference pulled (`REGISTRY/REPOSITORY:VERSION`); none from the cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// What a fetch did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FetchReport {
    /// The packages the WIT asks for, by name and requirement.
    pub fetched: Vec<Fetched>,
    /// Packages in `deps/` that the lock does not list: kept, not fetched.
    pub local: Vec<String>,
    /// The `package.wit` files written.
    pub written: Vec<PathBuf>,
    /// Whether the lock file changed (and was written).
    pub lock_changed: bool,
}

/// Fetches what the WIT in `dir` needs into `dir/deps/` and updates the lock. `registry` is
/// `None` only with `options.offline`.
pub fn fetch(
    dir: &Path,
    config: &RegistryConfig,
    registry: Option<&Registry>,
    options: &FetchOptions,
) -> Result<FetchReport> {
    let old_lock = LockFile::load(&options.lock_path)?;
    let (wanted, local) = wanted_packages(dir, &old_lock)?;
    let mut new_lock = LockFile::default();
    let mut fetched = Vec::new();
    let mut merged = Resolve::default();
    for (name, requirement) in &wanted {
        let (bytes, record, lock_registry) =
            obtain(name, requirement, &old_lock, config, registry, options)?;
        let (resolve, package) = match wit_component::decode(&bytes) {
            Ok(DecodedWasm::WitPackage(resolve, package)) => (resolve, package),
            _ => {
                return Err(Error::NotWitPackage {
                    name: format!("{name}@{}", record.version),
                })
            }
        };
        let found = &resolve.packages[package].name;
        if format!("{}:{}", found.namespace, found.name) != *name {
            return Err(Error::NotWitPackage {
                name: format!("{name}@{} (it is package {found})", record.version),
            });
        }
        merged.merge(resolve).map_err(|e| Error::Wit {
            path: dir.display().to_string(),
            message: format!(
                "{name}@{} does not fit the other packages: {e:#}",
                record.version
            ),
        })?;
        new_lock.insert(
            name,
            lock_registry,
            LockedVersion {
                requirement: requirement.clone(),
                version: record.version.clone(),
                digest: record.digest.clone(),
            },
        );
        fetched.push(record);
    }
    let lock_changed = new_lock != old_lock;
    if lock_changed && options.locked {
        return Err(Error::LockOutdated {
            path: options.lock_path.display().to_string(),
            changes: lock_changes(&old_lock, &new_lock),
        });
    }
    let written = write_packages(&merged, &dir.join("deps"))?;
    if lock_changed {
        wct_io::write_atomic(&options.lock_path, new_lock.to_text().as_bytes())
            .map_err(|e| io_error(&options.lock_path, e))?;
    }
    Ok(FetchReport {
        fetched,
        local,
        written,
        lock_changed,
    })
}

/// The bytes of `name` at `requirement`, the record of where they came from, and the registry
/// the lock names for it (as wkg writes it: the registry the package resolved to; a locked
/// package keeps the registry its lock entry has).
fn obtain(
    name: &str,
    requirement: &str,
    lock: &LockFile,
    config: &RegistryConfig,
    registry: Option<&Registry>,
    options: &FetchOptions,
) -> Result<(Vec<u8>, Fetched, Option<String>)> {
    let record = |version: semver::Version, digest: String, reference: Option<String>| Fetched {
        name: name.to_string(),
        requirement: requirement.to_string(),
        version,
        digest,
        source: if reference.is_some() {
            Source::Registry
        } else {
            Source::Cache
        },
        reference,
    };
    let found = lock.find(name, requirement);
    let locked_registry = found.and_then(|(registry, _)| registry.map(str::to_string));
    let locked = found.map(|(_, locked)| locked);
    if let Some(locked) = locked {
        if let Some(bytes) = options.cache.get(&locked.digest) {
            let fetched = record(locked.version.clone(), locked.digest.clone(), None);
            return Ok((bytes, fetched, locked_registry));
        }
    }
    let registry = match registry {
        Some(registry) if !options.offline => registry,
        _ => {
            return Err(Error::NotCached {
                package: format!("{name} ({requirement})"),
                reason: if locked.is_some() {
                    "its locked version is not in the cache".to_string()
                } else {
                    "it is not in the lock file".to_string()
                },
            })
        }
    };
    if locked.is_none() && options.locked {
        return Err(Error::LockOutdated {
            path: options.lock_path.display().to_string(),
            changes: vec![format!("add {name} {requirement}")],
        });
    }
    let spec: PackageSpec = name.parse()?;
    let location = config.locate(&spec, options.registry.as_deref())?;
    let (version, expected) = match locked {
        Some(locked) => (
            VersionSpec::Exact(locked.version.clone()),
            Some(locked.digest.as_str()),
        ),
        None => (requirement_spec(requirement)?, None),
    };
    let pulled = registry.pull(&location, &version, expected)?;
    options.cache.put(&pulled.digest, &pulled.bytes);
    let fetched = record(pulled.version, pulled.digest, Some(pulled.reference));
    let lock_registry = match locked {
        Some(_) => locked_registry,
        None => Some(location.registry.clone()),
    };
    Ok((pulled.bytes, fetched, lock_registry))
}

/// `=1.2.3` → that version; `*` → the newest release; any other requirement as written.
fn requirement_spec(requirement: &str) -> Result<VersionSpec> {
    if requirement == "*" {
        return Ok(VersionSpec::Newest);
    }
    if let Some(exact) = requirement.strip_prefix('=') {
        if let Ok(version) = semver::Version::parse(exact.trim()) {
            return Ok(VersionSpec::Exact(version));
        }
    }
    semver::VersionReq::parse(requirement)
        .map(VersionSpec::Requirement)
        .map_err(|e| Error::InvalidReference {
            text: requirement.to_string(),
            reason: e.to_string(),
        })
}

/// A package the WIT asks for: `(ns:name, requirement)`.
type Wanted = (String, String);

/// The foreign packages the WIT of `dir` uses, as (ns:name, requirement), without those that
/// `deps/` holds and the lock does not list (local packages, kept as they are); and the names
/// of those local packages.
fn wanted_packages(dir: &Path, lock: &LockFile) -> Result<(BTreeSet<Wanted>, Vec<String>)> {
    let main = parse_wit(dir)?;
    let mut defined: BTreeSet<String> = std::iter::once(&main.main)
        .chain(&main.nested)
        .map(|p| p.name.to_string())
        .collect();
    let in_deps = packages_in(&dir.join("deps"))?;
    let mut wanted = BTreeSet::new();
    let mut local = BTreeSet::new();
    for package in std::iter::once(&main.main).chain(&main.nested) {
        for foreign in package.foreign_deps.keys() {
            let full = foreign.to_string();
            if defined.contains(&full) {
                continue;
            }
            let name = format!("{}:{}", foreign.namespace, foreign.name);
            let requirement = match &foreign.version {
                Some(v) => format!("={v}"),
                None => "*".to_string(),
            };
            if in_deps.contains(&full) && lock.find(&name, &requirement).is_none() {
                local.insert(full.clone());
                defined.insert(full);
                continue;
            }
            wanted.insert((name, requirement));
        }
    }
    Ok((wanted, local.into_iter().collect()))
}

/// The WIT of a folder (its `*.wit` files) or of one file, parsed but not resolved.
fn parse_wit(path: &Path) -> Result<UnresolvedPackageGroup> {
    let wit_error = |message: String| Error::Wit {
        path: path.display().to_string(),
        message,
    };
    if path.is_dir() {
        return UnresolvedPackageGroup::parse_dir(path).map_err(|e| wit_error(format!("{e:#}")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
    UnresolvedPackageGroup::parse(path, &text).map_err(|(map, e)| wit_error(e.render(&map)))
}

/// The names (`ns:name@version`) of the packages in a `deps/` folder.
fn packages_in(deps: &Path) -> Result<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    if !deps.is_dir() {
        return Ok(names);
    }
    let entries = std::fs::read_dir(deps).map_err(|e| io_error(deps, e))?;
    for entry in entries.filter_map(|e| e.ok()) {
        let path = entry.path();
        let is_wit = path.is_dir() || path.extension().is_some_and(|e| e == "wit");
        if let Some(group) = is_wit.then(|| parse_wit(&path).ok()).flatten() {
            names.insert(group.main.name.to_string());
            names.extend(group.nested.iter().map(|p| p.name.to_string()));
        }
    }
    Ok(names)
}

/// Writes every package of `resolve` to `deps/ns-name-version/package.wit`.
fn write_packages(resolve: &Resolve, deps: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let mut ids: Vec<_> = resolve.packages.iter().map(|(id, _)| id).collect();
    ids.sort_by_key(|id| resolve.packages[*id].name.to_string());
    for id in ids {
        let folder = deps.join(dep_folder(&resolve.packages[id].name));
        let mut printer = wit_component::WitPrinter::default();
        printer.print(resolve, id, &[]).map_err(|e| Error::Wit {
            path: folder.display().to_string(),
            message: format!("{e:#}"),
        })?;
        std::fs::create_dir_all(&folder).map_err(|e| io_error(&folder, e))?;
        let file = folder.join("package.wit");
        wct_io::write_atomic(&file, printer.output.to_string().as_bytes())
            .map_err(|e| io_error(&file, e))?;
        written.push(file);
    }
    Ok(written)
}

/// The folder of a fetched package, named as wkg names it (`ns:name@1.2.3` →
/// `ns-name-1.2.3`), so that either tool's fetch replaces the other's instead of adding a
/// second copy of the package.
fn dep_folder(name: &wit_parser::PackageName) -> String {
    name.to_string().replace([':', '@'], "-")
}

/// What would change between two locks, one line each.
fn lock_changes(old: &LockFile, new: &LockFile) -> Vec<String> {
    type Entry = (String, String, Option<String>);
    let flatten = |lock: &LockFile| -> BTreeMap<(String, String), Entry> {
        lock.packages
            .iter()
            .flat_map(|((name, registry), versions)| {
                versions.iter().map(move |v| {
                    (
                        (name.clone(), v.requirement.clone()),
                        (v.version.to_string(), v.digest.clone(), registry.clone()),
                    )
                })
            })
            .collect()
    };
    let (old, new) = (flatten(old), flatten(new));
    let mut changes = Vec::new();
    for ((name, req), now) in &new {
        match old.get(&(name.clone(), req.clone())) {
            None => changes.push(format!("add {name} {req} ({})", now.0)),
            Some(was) if (&was.0, &was.1) != (&now.0, &now.1) => {
                changes.push(format!("update {name} {req}: {} -> {}", was.0, now.0))
            }
            Some(was) if was.2 != now.2 => changes.push(format!(
                "registry of {name} {req}: {} -> {}",
                was.2.as_deref().unwrap_or("none"),
                now.2.as_deref().unwrap_or("none")
            )),
            Some(_) => {}
        }
    }
    for ((name, req), was) in &old {
        if !new.contains_key(&(name.clone(), req.clone())) {
            changes.push(format!("remove {name} {req} ({})", was.0));
        }
    }
    changes
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}
