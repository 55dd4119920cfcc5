//! Writing a package and its dependencies as a directory tree that the loader reads back:
//! `DIR/<name>.wit` for the main package and `DIR/deps/<ns>-<name>[@version]/package.wit` for
//! each dependency. Every file is written atomically.

use crate::WitSet;
use std::path::{Path, PathBuf};
use wit_parser::PackageId;

/// Writes `main` and its dependencies under `dir`; returns the files written, in order.
pub fn write(set: &WitSet, main: PackageId, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let mut emit = |path: PathBuf, pkg: PackageId| -> anyhow::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
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
