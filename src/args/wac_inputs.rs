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
    for reference in references {
        let bytes = match inputs.local.find(&reference) {
            Ok(Some(found)) => {
                if global.verbose {
                    eprintln!("{reference}: {}", wct_io::display_name(&found.path));
                }
                found.bytes
            }
            Ok(None) => match pull(&reference, inputs, &mut client, global)? {
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
    wac::compose(&name, &text, &document, packages, inputs.options).map_err(WacFailure::Document)
}

/// `reference` from the registry its namespace is configured for (`--registry`, wkg's
/// config), or `None` when no registry is configured for it.
fn pull(
    reference: &PackageRef,
    inputs: &WacInputs<'_>,
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
    if inputs.offline {
        let cache = wct_registry::Cache::default_dir().map(|dir| wct_registry::Cache::at(&dir));
        let Some(pulled) = cache.and_then(|c| c.pulled(&location, &spec.version)) else {
            miette::bail!(
                help = "compose once without --offline to pull it into the cache",
                "{text} is not in the cache, and --offline asks for no registry"
            );
        };
        if !global.quiet {
            eprintln!(
                "{text}: {} ({}, from cache)",
                pulled.reference, pulled.digest
            );
        }
        return Ok(Some(pulled.bytes));
    }
    if client.is_none() {
        *client = Some(inputs.registry.client()?);
    }
    let pulled = client
        .as_ref()
        .expect("connected above")
        .pull(&location, &spec.version, None)
        .map_err(|e| crate::report::about(&text, e))?;
    if !global.quiet {
        eprintln!(
            "pulled {text} as {} ({}{})",
            pulled.reference,
            pulled.digest,
            crate::args::registry::from_cache(&pulled)
        );
    }
    Ok(Some(pulled.bytes))
}
