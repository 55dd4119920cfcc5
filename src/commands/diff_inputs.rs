//! OLD/NEW arguments shared by `wct diff` and `wct semver-check`: two WIT sources, or NEW plus
//! `--against REV[:PATH]` to read OLD from a git revision; and the `wct-diff.toml` config.

use miette::Result;
use std::path::{Path, PathBuf};
use wct_diff::baseline::checkout;
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

impl DiffInputs {
    /// Loads both sides (every feature enabled, so unstable items are seen), diffs them and
    /// applies the configuration.
    pub fn report(&self) -> Result<Report> {
        let (old_spec, new_spec, _checkout) = match (&self.against, self.paths.as_slice()) {
            (None, [old, new]) => (old.clone(), new.clone(), None),
            (Some(rev), [new]) => {
                let checkout = checkout(rev, Path::new(new)).map_err(|e| miette::miette!("{e}"))?;
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
