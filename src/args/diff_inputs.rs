//! OLD/NEW arguments shared by `wct diff` and `wct semver-check`: two WIT sources, or NEW plus
//! `--against REV[:PATH]` to read OLD from a git revision, or NEW plus `--published` to pull OLD
//! from a registry; and the `wct-diff.toml` config.

use miette::Result;
use std::path::{Path, PathBuf};
use wct_diff::baseline::checkout;
use wct_diff::config::Config;
use wct_diff::{DiffOptions, Report};
use wct_wit::{LoadOptions, WitSet};

/// The inputs to compare.
#[derive(clap::Args)]
pub struct DiffInputs {
    /// OLD and NEW (anything the WIT loader takes), or only NEW with `--against` or
    /// `--published`.
    #[arg(value_name = "OLD NEW", num_args = 1..=2, required = true)]
    paths: Vec<String>,
    /// Read OLD from git revision REV (at PATH, by default NEW's own path).
    #[arg(long, value_name = "REV[:PATH]", conflicts_with = "published")]
    against: Option<String>,
    /// OLD is the newest version of NEW's package published below NEW's declared version
    /// (pulled from its registry; see `wct publish`).
    #[arg(long)]
    published: bool,
    #[command(flatten)]
    registry: crate::args::registry::RegistryArgs,
    /// Configuration file (default: `wct-diff.toml` in the current directory, if present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

impl DiffInputs {
    /// Loads both sides (every feature enabled, so unstable items are seen), diffs them and
    /// applies the configuration.
    pub fn report(&self) -> Result<Report> {
        let opts = LoadOptions {
            features: Vec::new(),
            all_features: true,
        };
        let load = |spec: &str| wct_wit::load(spec, &opts).map_err(miette::Report::new);
        let (old, new) = match (&self.against, self.published, self.paths.as_slice()) {
            (None, false, [old, new]) => (load(old)?, load(new)?),
            (Some(rev), _, [new]) => {
                let checkout = checkout(rev, Path::new(new)).map_err(miette::Report::new)?;
                (load(&checkout.path.display().to_string())?, load(new)?)
            }
            (None, true, [new]) => {
                let new = load(new)?;
                let baseline = tempfile::Builder::new()
                    .prefix("wct-published-")
                    .suffix(".wasm")
                    .tempfile()
                    .map_err(|source| {
                        miette::Report::new(wct_io::IoError::Write {
                            path: std::env::temp_dir(),
                            source,
                        })
                    })?;
                self.pull_published(&new, baseline.path())?;
                (load(&baseline.path().display().to_string())?, new)
            }
            (Some(_), _, _) => miette::bail!("with --against, give only NEW"),
            (None, true, _) => miette::bail!("with --published, give only NEW"),
            (None, false, _) => {
                miette::bail!("give OLD and NEW, or NEW with --against REV or --published")
            }
        };
        let mut report = wct_diff::diff(&old, &new, DiffOptions::default());
        if let Some(config) = self.config()? {
            config.apply(&mut report);
        }
        Ok(report)
    }

    /// Pulls the newest published version of `new`'s package below its declared version into
    /// `to`, and says which one it is.
    fn pull_published(&self, new: &WitSet, to: &Path) -> Result<()> {
        let name = &new.resolve.packages[new.package].name;
        let Some(version) = &name.version else {
            miette::bail!(
                help = "declare a version (`package ns:name@1.2.3;`), or compare with OLD NEW",
                "{}: package {name} declares no version, so nothing published is below it",
                new.source_name
            );
        };
        let spec: wct_registry::PackageSpec = format!("{}:{}", name.namespace, name.name)
            .parse()
            .map_err(miette::Report::new)?;
        let config = self.registry.config()?;
        let location = config
            .locate(&spec, self.registry.registry())
            .map_err(miette::Report::new)?;
        let client = self.registry.client()?;
        let published = client.versions(&location).map_err(miette::Report::new)?;
        let Some(baseline) = published.iter().rev().find(|v| *v < version) else {
            let list: Vec<String> = published.iter().map(|v| v.to_string()).collect();
            miette::bail!(
                "{}/{}: no version below {version} is published (published: {})",
                location.registry,
                location.repository,
                if list.is_empty() {
                    "none".to_string()
                } else {
                    list.join(", ")
                }
            );
        };
        let pulled = client
            .pull(
                &location,
                &wct_registry::VersionSpec::Exact(baseline.clone()),
                None,
            )
            .map_err(miette::Report::new)?;
        wct_io::write_atomic(to, &pulled.bytes).map_err(miette::Report::new)?;
        eprintln!(
            "comparing with {}:{}@{baseline}, published as {} ({})",
            name.namespace, name.name, pulled.reference, pulled.digest
        );
        Ok(())
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
