//! Writing a package and its dependencies as a directory tree that the loader reads back:
//! `DIR/<name>.wit` for the main package and `DIR/deps/<ns>-<name>[@version]/package.wit` for
//! each dependency. Every file is written atomically.

use crate::WitSet;
use std::path::{Path, PathBuf};
use wit_parser::PackageId;

/// Why a WIT folder could not be written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum OutDirError {
    /// A folder could not be created.
    #[error("cannot create '{path}': {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A package could not be printed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Print(#[from] crate::WitError),
    /// A file could not be written.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Write(#[from] wct_io::IoError),
}

/// Writes `main` and its dependencies under `dir`; returns the files written, in order.
pub fn write(set: &WitSet, main: PackageId, dir: &Path) -> Result<Vec<PathBuf>, OutDirError> {
    let mut written = Vec::new();
    let mut emit = |path: PathBuf, pkg: PackageId| -> Result<(), OutDirError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| OutDirError::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let text = set.print(pkg, false)?;
        wct_io::write_atomic(&path, text.as_bytes())?;
        written.push(path);
        Ok(())
    };
    let name = &set.resolve.packages[main].name;
    emit(dir.join(format!("{}.wit", name.name)), main)?;
    for dep in set.dependencies_of(main) {
        let folder = dep_folder(&set.resolve.packages[dep].name);
        emit(dir.join("deps").join(folder).join("package.wit"), dep)?;
    }
    Ok(written)
}

/// The folder under `deps/` that holds a dependency: `ns-name@version` (`ns-name` without a
/// version).
pub fn dep_folder(name: &wit_parser::PackageName) -> String {
    match &name.version {
        Some(v) => format!("{}-{}@{v}", name.namespace, name.name),
        None => format!("{}-{}", name.namespace, name.name),
    }
}
