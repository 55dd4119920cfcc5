//! A baseline to diff against, read from git: `REV[:PATH]` is extracted with `git archive` into
//! a temporary folder that lives as long as the [`Checkout`]. This is what `wct diff --against`
//! and `wct semver-check --against` use, and what a build script that checks its own WIT
//! against the last release would call.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// OLD, checked out from a git revision into a temporary folder (removed on drop).
#[derive(Debug)]
pub struct Checkout {
    _dir: tempfile::TempDir,
    /// Where the requested path is in the checkout.
    pub path: PathBuf,
}

/// Why a baseline could not be checked out.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    /// `git` (or `tar`) could not be started, or the temporary folder made.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// A git command failed.
    #[error("git {command}: {stderr}")]
    Git {
        /// The git arguments.
        command: String,
        /// What git said.
        stderr: String,
    },
    /// NEW is not inside the repository, so its path at REV is unknown.
    #[error("'{}' is not inside the git repository at {}", new.display(), repository.display())]
    OutsideRepository {
        /// NEW's path.
        new: PathBuf,
        /// The repository's top folder.
        repository: PathBuf,
    },
    /// The path does not exist at that revision (or the revision does not exist).
    #[error("cannot read '{}' at {rev}: {stderr}", path.display())]
    NotAtRevision {
        /// The path inside the repository.
        path: PathBuf,
        /// The revision.
        rev: String,
        /// What git said.
        stderr: String,
    },
    /// The archive git produced could not be unpacked.
    #[error("could not unpack '{}' at {rev}", path.display())]
    Unpack {
        /// The path inside the repository.
        path: PathBuf,
        /// The revision.
        rev: String,
    },
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BaselineError {
    let what = what.into();
    move |source| BaselineError::Io { what, source }
}

/// Extracts `spec` = `REV[:PATH]` (PATH defaults to NEW's path relative to the repository
/// root, `new` being NEW's path on disk) into a temporary folder.
pub fn checkout(spec: &str, new: &Path) -> Result<Checkout, BaselineError> {
    let (rev, path) = match spec.split_once(':') {
        Some((rev, path)) => (rev.to_string(), Some(PathBuf::from(path))),
        None => (spec.to_string(), None),
    };
    let new_dir = if new.is_dir() {
        new.to_path_buf()
    } else {
        new.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let new_dir = if new_dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        new_dir
    };
    let git = |args: &[&str]| -> Result<String, BaselineError> {
        let out = Command::new("git")
            .arg("-C")
            .arg(&new_dir)
            .args(args)
            .output()
            .map_err(io("cannot run git"))?;
        if !out.status.success() {
            return Err(BaselineError::Git {
                command: args.join(" "),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    let rel = match path {
        Some(p) => p,
        None => {
            let abs = std::fs::canonicalize(new)
                .map_err(io(format!("cannot resolve '{}'", new.display())))?;
            let top = std::fs::canonicalize(&top)
                .map_err(io(format!("cannot resolve '{}'", top.display())))?;
            abs.strip_prefix(&top)
                .map_err(|_| BaselineError::OutsideRepository {
                    new: new.to_path_buf(),
                    repository: top.clone(),
                })?
                .to_path_buf()
        }
    };
    let dir = tempfile::tempdir().map_err(io("cannot make a temporary folder"))?;
    let archive = Command::new("git")
        .arg("-C")
        .arg(&top)
        .args(["archive", "--format=tar", &rev, "--"])
        .arg(&rel)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(io("cannot run git archive"))?;
    if !archive.status.success() {
        return Err(BaselineError::NotAtRevision {
            path: rel,
            rev,
            stderr: String::from_utf8_lossy(&archive.stderr).trim().to_string(),
        });
    }
    let mut tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(dir.path())
        .stdin(Stdio::piped())
        .spawn()
        .map_err(io("cannot run tar"))?;
    if let Some(mut stdin) = tar.stdin.take() {
        stdin
            .write_all(&archive.stdout)
            .map_err(io("cannot unpack the archive"))?;
    }
    let unpacked = tar.wait().map_err(io("cannot run tar"))?.success();
    if !unpacked {
        return Err(BaselineError::Unpack { path: rel, rev });
    }
    let path = dir.path().join(&rel);
    Ok(Checkout { _dir: dir, path })
}
