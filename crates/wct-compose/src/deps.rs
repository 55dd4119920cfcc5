//! Finding the packages a WAC document refers to on disk, as `wac compose` does: a file named
//! for the package (`--dep ns:name=PATH`), then wac's `deps/` layout — `DIR/ns/name.wasm`
//! (or `.wat`), `DIR/ns/name/VERSION.wasm` for a versioned reference, and a folder
//! `DIR/ns/name/` (or a `.wit` file) holding a WIT package, which is encoded as wasm.

use crate::wac::PackageRef;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where local packages are looked for.
#[derive(Debug, Clone, Default)]
pub struct LocalPackages {
    /// Explicit files by package name (`--dep ns:name=PATH`), for any version.
    pub deps: BTreeMap<String, PathBuf>,
    /// A folder in wac's layout (`--deps-dir`).
    pub deps_dir: Option<PathBuf>,
}

/// A package found on disk.
#[derive(Debug, Clone)]
pub struct Found {
    /// Where it was found.
    pub path: PathBuf,
    /// Its bytes: a component, or a WIT package encoded as wasm.
    pub bytes: Vec<u8>,
}

/// Why a package found on disk cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}: {message}")]
pub struct LocalError {
    /// The file or folder.
    pub path: String,
    /// What is wrong with it.
    pub message: String,
}

impl LocalPackages {
    /// The places `package` is looked for, in order.
    pub fn candidates(&self, package: &PackageRef) -> Vec<PathBuf> {
        let mut out = Vec::new();
        if let Some(path) = self.deps.get(&package.name) {
            out.push(path.clone());
        }
        if let Some(dir) = &self.deps_dir {
            let mut base = dir.clone();
            for segment in package.name.split(':') {
                base.push(segment);
            }
            if let Some(version) = &package.version {
                let versioned = base.join(version.to_string());
                out.push(with_extension(&versioned, "wasm"));
                out.push(with_extension(&versioned, "wat"));
                out.push(versioned);
            }
            out.push(with_extension(&base, "wasm"));
            out.push(with_extension(&base, "wat"));
            out.push(with_extension(&base, "wit"));
            out.push(base);
        }
        out
    }

    /// `package` from the first place it is in, or `None` when it is in none.
    pub fn find(&self, package: &PackageRef) -> Result<Option<Found>, LocalError> {
        for path in self.candidates(package) {
            if path.is_dir() || path.extension().is_some_and(|e| e == "wit") && path.is_file() {
                return wit_package(&path).map(|bytes| Some(Found { path, bytes }));
            }
            if path.is_file() {
                let bytes = read_component(&path)?;
                return Ok(Some(Found { path, bytes }));
            }
        }
        Ok(None)
    }
}

fn with_extension(path: &Path, extension: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    PathBuf::from(name)
}

fn local_error(path: &Path, message: impl std::fmt::Display) -> LocalError {
    LocalError {
        path: wct_io::display_name(path),
        message: message.to_string(),
    }
}

/// A component file (binary or WAT); a core module is refused.
fn read_component(path: &Path) -> Result<Vec<u8>, LocalError> {
    let bytes = std::fs::read(path).map_err(|e| local_error(path, e))?;
    // A binary is used as read (no copy of a large component); anything else is WAT.
    let bytes = if bytes.starts_with(wct_component::kind::MAGIC) {
        bytes
    } else {
        wct_component::kind::to_binary(&bytes, path).map_err(|e| local_error(path, e))?
    };
    match wct_component::kind::detect(&bytes) {
        wct_component::kind::WasmKind::Component => Ok(bytes),
        wct_component::kind::WasmKind::CoreModule => Err(local_error(
            path,
            "a core module, not a component (make it one with `wct new` or `wct adapt`)",
        )),
        _ => Err(local_error(path, "not a component")),
    }
}

/// A WIT package (a folder with `deps/`, or a `.wit` file), encoded as wasm.
fn wit_package(path: &Path) -> Result<Vec<u8>, LocalError> {
    let spec = path.to_string_lossy();
    let set =
        wct_wit::load(&spec, &wct_wit::LoadOptions::default()).map_err(|e| local_error(path, e))?;
    set.encode(set.package).map_err(|e| local_error(path, e))
}
