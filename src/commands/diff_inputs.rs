//! OLD/NEW arguments shared by `wct diff` and `wct semver-check`: two WIT sources, or NEW plus
//! `--against REV[:PATH]` to read OLD from a git revision; and the `wct-diff.toml` config.

use miette::{IntoDiagnostic, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use wct_diff::config::Config;
use wct_diff::{DiffOptions, Report};
use wct_wit::LoadOptions;

/// The inputs to compare.
#[derive(clap::Args)]
pub struct DiffInputs {
    /// OLD and NEW (anything the WIT loader takes), or only NEW with `--against`.
    #[arg(value_name = "OLD NEW", num_args = 1..=2, required = true)]
    paths: Vec<String>,
    /// Read OLD from git revision REV (at PATH, by default NEW's own path).
    #[arg(long, value_name = "REV[:PATH]")]
    against: Option<String>,
    /// Configuration file (default: `wct-diff.toml` in the current directory, if present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// A checked-out OLD that lives as long as the comparison.
struct Checkout {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl DiffInputs {
    /// Loads both sides (every feature enabled, so unstable items are seen), diffs them and
    /// applies the configuration.
    pub fn report(&self) -> Result<Report> {
        let (old_spec, new_spec, _checkout) = match (&self.against, self.paths.as_slice()) {
            (None, [old, new]) => (old.clone(), new.clone(), None),
            (Some(rev), [new]) => {
                let checkout = checkout(rev, Path::new(new))?;
                (
                    checkout.path.display().to_string(),
                    new.clone(),
                    Some(checkout),
                )
            }
            (Some(_), _) => miette::bail!("with --against, give only NEW"),
            (None, _) => miette::bail!("give OLD and NEW, or NEW with --against REV"),
        };
        let opts = LoadOptions {
            features: Vec::new(),
            all_features: true,
        };
        let old = wct_wit::load(&old_spec, &opts).map_err(super::wit::report)?;
        let new = wct_wit::load(&new_spec, &opts).map_err(super::wit::report)?;
        let mut report = wct_diff::diff(&old, &new, DiffOptions::default());
        if let Some(config) = self.config()? {
            config.apply(&mut report);
        }
        Ok(report)
    }

    fn config(&self) -> Result<Option<Config>> {
        let path = match &self.config {
            Some(path) => path.clone(),
            None if Path::new("wct-diff.toml").exists() => PathBuf::from("wct-diff.toml"),
            None => return Ok(None),
        };
        Config::load(&path).map(Some).map_err(miette::Report::new)
    }
}

/// Extracts `PATH` (default: NEW's path relative to the repository root) at `REV` into a
/// temporary folder with `git archive`.
fn checkout(spec: &str, new: &Path) -> Result<Checkout> {
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
    let git = |args: &[&str]| -> Result<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(&new_dir)
            .args(args)
            .output()
            .into_diagnostic()?;
        if !out.status.success() {
            miette::bail!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    let rel = match path {
        Some(p) => p,
        None => {
            let abs = std::fs::canonicalize(new).into_diagnostic()?;
            let top = std::fs::canonicalize(&top).into_diagnostic()?;
            abs.strip_prefix(&top)
                .map_err(|_| {
                    miette::miette!(
                        "'{}' is not inside the git repository at {}",
                        new.display(),
                        top.display()
                    )
                })?
                .to_path_buf()
        }
    };
    let dir = tempfile::tempdir().into_diagnostic()?;
    let archive = Command::new("git")
        .arg("-C")
        .arg(&top)
        .args(["archive", "--format=tar", &rev, "--"])
        .arg(&rel)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .into_diagnostic()?;
    if !archive.status.success() {
        miette::bail!(
            "cannot read '{}' at {rev}: {}",
            rel.display(),
            String::from_utf8_lossy(&archive.stderr).trim()
        );
    }
    let mut tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(dir.path())
        .stdin(Stdio::piped())
        .spawn()
        .into_diagnostic()?;
    use std::io::Write;
    tar.stdin
        .take()
        .expect("piped")
        .write_all(&archive.stdout)
        .into_diagnostic()?;
    if !tar.wait().into_diagnostic()?.success() {
        miette::bail!("could not unpack '{}' at {rev}", rel.display());
    }
    let path = dir.path().join(&rel);
    Ok(Checkout { _dir: dir, path })
}
