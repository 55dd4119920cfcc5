//! `wct compose FILE.wac`: reading the document and finding its packages — `--dep`,
//! `--deps-dir` (wac's layout), then the registry — with errors shown in the document.

use crate::report::GlobalOpts;
use miette::Result;
use std::path::{Path, PathBuf};
use wct_compose::deps::LocalPackages;
use wct_compose::wac::{self, DocumentError, PackageRef, WacError, WacOptions};
use wct_compose::Composed;

/// Whether `path` names a WAC document (by its extension, as wac's users name them).
pub fn is_wac(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "wac")
}

/// `--dep PKG=PATH`, checked as clap reads it.
pub fn dep(value: &str) -> std::result::Result<(String, PathBuf), String> {
    match value.split_once('=') {
        Some((name, path)) if name.contains(':') && !path.is_empty() => {
            Ok((name.trim().to_string(), PathBuf::from(path.trim())))
        }
        _ => Err(format!(
            "`{value}`: expected PKG=PATH, e.g. my:greeter=greeter.wasm"
        )),
    }
}

/// What resolving a document needs besides the document.
pub struct WacInputs<'a> {
    /// Local packages.
    pub local: LocalPackages,
    /// The registry to pull the rest from.
    pub registry: &'a crate::args::registry::RegistryArgs,
    /// Take registry packages only from the cache (those pulled before).
    pub offline: bool,
    /// The lock file of registry packages (default: `wkg.lock` beside the document).
    pub lock: Option<PathBuf>,
    /// Refuse to add to or change the lock.
    pub locked: bool,
    /// Encoding options.
    pub options: WacOptions,
}

/// A WAC failure: a problem in the document (exit 1, shown in the document) or a usage or
/// input error (exit 2).
pub enum WacFailure {
    /// The document is wrong: it was checked and failed.
    Document(WacError),
    /// Anything else.
    Usage(miette::Report),
}

impl From<miette::Report> for WacFailure {
    fn from(report: miette::Report) -> Self {
        WacFailure::Usage(report)
    }
}

/// Reads, resolves and encodes the document at `path`.
pub fn compose(
    path: &Path,
    inputs: &WacInputs<'_>,
    global: &GlobalOpts,
) -> std::result::Result<Composed, WacFailure> {
    let name = wct_io::display_name(path);
    let bytes = std::fs::read(path).map_err(|source| {
        miette::Report::new(wct_io::IoError::Read {
            path: path.to_path_buf(),
            source,
        })
    })?;
    if bytes.starts_with(wct_component::kind::MAGIC) {
        return Err(WacFailure::Usage(miette::miette!(
            help = "a component is composed as SOCKET or PLUG: `wct compose SOCKET PLUG... -o OUT`",
            "{name}: a wasm binary, not a WAC document"
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| miette::miette!("{name}: not UTF-8 text, so not a WAC document"))?;
    let document = wac::parse(&name, &text).map_err(WacFailure::Document)?;
    let references = wac::packages(&name, &text, &document).map_err(WacFailure::Document)?;
    let mut packages = Vec::with_capacity(references.len());
    let mut client = None;
    let lock_path = inputs
        .lock
        .clone()
        .unwrap_or_else(|| path.parent().unwrap_or(Path::new(".")).join("wkg.lock"));
    let mut lock = Lock::load(lock_path, inputs.locked)?;
    for reference in references {
        let bytes = match inputs.local.find(&reference) {
            Ok(Some(found)) => {
                if global.verbose {
                    eprintln!("{reference}: {}", wct_io::display_name(&found.path));
                }
                found.bytes
            }
            Ok(None) => match pull(&reference, inputs, &mut lock, &mut client, global)? {
                Some(bytes) => bytes,
                None => {
                    let looked: Vec<String> = inputs
                        .local
                        .candidates(&reference)
                        .iter()
                        .map(|p| wct_io::display_name(p))
                        .collect();
                    let looked = if looked.is_empty() {
                        "give it with --dep PKG=PATH or --deps-dir DIR, or configure a registry \
                         for its namespace (--registry)"
                            .to_string()
                    } else {
                        format!(
                            "looked in {}; give it with --dep {}=PATH or configure a registry \
                             for its namespace (--registry)",
                            looked.join(", "),
                            reference.name
                        )
                    };
                    return Err(WacFailure::Document(WacError::new(
                        &name,
                        &text,
                        DocumentError::UnknownPackage {
                            name: reference.to_string(),
                            span: reference.span,
                            looked,
                        },
                    )));
                }
            },
            Err(e) => {
                return Err(WacFailure::Document(WacError::new(
                    &name,
                    &text,
                    DocumentError::BadPackage {
                        name: reference.to_string(),
                        span: reference.span,
                        message: e.to_string(),
                    },
                )))
            }
        };
        packages.push((reference, bytes));
    }
    lock.save()?;
    wac::compose(&name, &text, &document, packages, inputs.options).map_err(WacFailure::Document)
}

/// The lock of a document's registry packages (wkg's `wkg.lock` format) and whether it may
/// change.
pub struct Lock {
    /// The file.
    pub path: PathBuf,
    /// What it holds, updated as packages are pulled.
    pub file: wct_registry::LockFile,
    /// `--locked`: every registry package must be in it, and it must not change.
    pub locked: bool,
    /// Whether a package was added or changed.
    pub changed: bool,
}

impl Lock {
    /// The lock at `path` (a missing file is an empty lock).
    pub fn load(path: PathBuf, locked: bool) -> Result<Lock> {
        let file = wct_registry::LockFile::load(&path).map_err(miette::Report::new)?;
        Ok(Lock {
            path,
            file,
            locked,
            changed: false,
        })
    }

    /// Writes the lock if a package was added or changed.
    pub fn save(&self) -> Result<()> {
        if self.changed {
            wct_io::write_atomic(&self.path, self.file.to_text().as_bytes())
                .map_err(miette::Report::new)?;
        }
        Ok(())
    }
}

/// `reference` from the registry its namespace is configured for (`--registry`, wkg's
/// config), or `None` when no registry is configured for it. A version the lock holds is
/// pulled by its digest; a new one is added to the lock (refused under `--locked`).
fn pull(
    reference: &PackageRef,
    inputs: &WacInputs<'_>,
    lock: &mut Lock,
    client: &mut Option<wct_registry::Registry>,
    global: &GlobalOpts,
) -> Result<Option<Vec<u8>>> {
    let text = match &reference.version {
        Some(version) => format!("{}@{version}", reference.name),
        None => reference.name.clone(),
    };
    let Ok(spec) = text.parse::<wct_registry::PackageSpec>() else {
        return Ok(None);
    };
    let config = inputs.registry.config()?;
    let Ok(location) = config.locate(&spec, inputs.registry.registry()) else {
        return Ok(None);
    };
    let requirement = match &reference.version {
        Some(version) => format!("={version}"),
        None => "*".to_string(),
    };
    let locked = lock
        .file
        .find(&reference.name, &requirement)
        .map(|(_, v)| v.clone());
    if locked.is_none() && lock.locked {
        miette::bail!(
            help = "compose once without --locked to add it",
            "{text} is not in {} and --locked forbids adding it",
            lock.path.display()
        );
    }
    let cache = wct_registry::Cache::default_dir().map(|dir| wct_registry::Cache::at(&dir));
    let pulled = if inputs.offline {
        let from_cache = match &locked {
            Some(v) => cache
                .and_then(|c| c.get(&v.digest))
                .map(|bytes| wct_registry::Pulled {
                    reference: location.reference(&v.version.to_string()),
                    version: v.version.clone(),
                    digest: v.digest.clone(),
                    bytes,
                    from_cache: true,
                    signature: None,
                    manifest_digest: None,
                }),
            None => cache.and_then(|c| c.pulled(&location, &spec.version)),
        };
        let Some(pulled) = from_cache else {
            miette::bail!(
                help = "compose once without --offline to pull it into the cache",
                "{text} is not in the cache, and --offline asks for no registry"
            );
        };
        pulled
    } else {
        if client.is_none() {
            *client = Some(inputs.registry.client()?);
        }
        let (version, digest) = match &locked {
            Some(v) => (
                wct_registry::VersionSpec::Exact(v.version.clone()),
                Some(v.digest.as_str()),
            ),
            None => (spec.version.clone(), None),
        };
        client
            .as_ref()
            .expect("connected above")
            .pull(&location, &version, digest)
            .map_err(|e| crate::report::about(&text, e))?
    };
    if !global.quiet {
        eprintln!(
            "pulled {text} as {} ({}{})",
            pulled.reference,
            pulled.digest,
            crate::args::registry::from_cache(&pulled)
        );
    }
    if locked.is_none() {
        lock.file.insert(
            &reference.name,
            Some(location.registry.clone()),
            wct_registry::lock::LockedVersion {
                requirement,
                version: pulled.version.clone(),
                digest: pulled.digest.clone(),
            },
        );
        lock.changed = true;
    }
    Ok(Some(pulled.bytes))
}
