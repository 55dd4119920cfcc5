//! `wct wit fetch`: the packages a WIT folder uses, from OCI registries into its `deps/`.

use crate::args::registry::RegistryArgs;
use crate::output;
use crate::report::{print_error, GlobalOpts, EXIT_FAILED};
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;
use wct_registry::{Cache, FetchOptions};

/// Fetch the packages a WIT folder uses from OCI registries into its deps/.
///
/// Every package the WIT in DIR names but does not define is resolved (`ns:name@1.2.3`: that
/// version; `ns:name`: the newest release), pulled with its digest checked, and written to
/// `DIR/deps/ns-name-version/package.wit` (as wkg names it) with the packages it depends on. `wkg.lock` (wkg's
/// format: either tool honours the other's) pins each to a version and digest; a pinned
/// package already in the cache needs no network. A package in `deps/` that the lock does not
/// list was put there by hand and is kept.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct wit fetch tests/fixtures/registry/consumer --registry 127.0.0.1:5000
  wct wit fetch tests/fixtures/registry/consumer --locked --offline

Exit status:
  0  deps/ and the lock are up to date
  1  a registry refused, a package or version is missing, --locked and the lock would change,
     --offline and the cache lacks a package
  2  the WIT does not parse, bad flags")]
pub struct Args {
    /// The WIT folder (default: `wit`).
    #[arg(value_name = "DIR", default_value = "wit")]
    dir: PathBuf,
    /// The lock file (default: `wkg.lock` in the current folder, where wkg keeps it).
    #[arg(long, value_name = "FILE", default_value = wct_registry::lock::LOCK_FILE_NAME)]
    lock: PathBuf,
    /// Fail if the lock file would change.
    #[arg(long)]
    locked: bool,
    /// No network: use only what the lock pins and the cache holds.
    #[arg(long)]
    offline: bool,
    /// Package cache folder (default: $XDG_CACHE_HOME/wct).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Print what was fetched as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    registry: RegistryArgs,
}

/// `wct wit fetch --json`.
#[derive(serde::Serialize)]
struct FetchJson<'a> {
    schema_version: u32,
    #[serde(flatten)]
    report: &'a wct_registry::FetchReport,
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    if !args.dir.is_dir() {
        miette::bail!(
            help = "give the folder that holds the package's .wit files",
            "{}: not a folder",
            args.dir.display()
        );
    }
    let cache_dir = match args.cache_dir.clone().or_else(Cache::default_dir) {
        Some(dir) => dir,
        None => miette::bail!("no cache folder: set XDG_CACHE_HOME or give --cache-dir"),
    };
    let config = args.registry.config()?;
    let client = if args.offline {
        None
    } else {
        Some(
            args.registry
                .client_caching_in(Some(Cache::at(&cache_dir)))?,
        )
    };
    let options = FetchOptions {
        registry: args.registry.registry().map(str::to_string),
        locked: args.locked,
        offline: args.offline,
        lock_path: args.lock.clone(),
        cache: Cache::at(&cache_dir),
    };
    let report = match wct_registry::fetch(&args.dir, &config, client.as_ref(), &options) {
        Ok(report) => report,
        // The folder's own WIT or a reference in it is wrong: a usage error.
        Err(
            e @ (wct_registry::Error::Wit { .. } | wct_registry::Error::InvalidReference { .. }),
        ) => return Err(miette::Report::new(e)),
        Err(e) => {
            print_error(&miette::Report::new(e));
            return Ok(ExitCode::from(EXIT_FAILED));
        }
    };
    if args.json {
        output::json(&FetchJson {
            schema_version: 1,
            report: &report,
        })?;
    } else if !global.quiet {
        let mut text = String::new();
        for fetched in &report.fetched {
            let from = fetched.reference.as_deref().unwrap_or("cache");
            text.push_str(&format!(
                "fetched {}@{} ({}) from {from}\n",
                fetched.name, fetched.version, fetched.digest
            ));
        }
        for local in &report.local {
            text.push_str(&format!("kept {local}: in deps/, not in the lock\n"));
        }
        text.push_str(&format!(
            "{} package{} in {}, {}\n",
            report.written.len(),
            if report.written.len() == 1 { "" } else { "s" },
            args.dir.join("deps").display(),
            if report.lock_changed {
                format!("{} written", args.lock.display())
            } else {
                format!("{} unchanged", args.lock.display())
            }
        ));
        eprint!("{text}");
    }
    Ok(ExitCode::SUCCESS)
}
