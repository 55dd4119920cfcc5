//! `--registry` and the other flags that say where packages live and how to reach them:
//! shared by `publish`, `pull`, `compose`/`run --plug`, `diff --published` and `wit fetch`.

use miette::Result;
use std::path::PathBuf;
use wct_registry::credentials::BasicAuth;
use wct_registry::{Cache, Location, PackageSpec, Registry, RegistryConfig, RegistryOptions};

/// Where packages live and how to reach them; shared by the registry commands.
#[derive(clap::Args, Debug, Clone)]
pub struct RegistryArgs {
    /// The registry, `HOST[:PORT][/PREFIX]` (default: wkg's config.toml, `default_registry`
    /// and `[namespace_registries]`).
    #[arg(long, value_name = "HOST[:PORT]")]
    registry: Option<String>,
    /// Allow plain HTTP to a registry that is not on a loopback address.
    #[arg(long)]
    insecure: bool,
    /// Trust this PEM certificate (a private CA) beside the system's roots (repeatable).
    #[arg(long, value_name = "FILE")]
    ca_cert: Vec<PathBuf>,
}

impl RegistryArgs {
    /// wkg's configuration file (empty when there is none).
    pub(crate) fn config(&self) -> Result<RegistryConfig> {
        match RegistryConfig::default_path() {
            Some(path) => RegistryConfig::load(&path).map_err(miette::Report::new),
            None => Ok(RegistryConfig::default()),
        }
    }

    /// A client keeping pulled layers in the default cache (`$XDG_CACHE_HOME/wct`).
    pub(crate) fn client(&self) -> Result<Registry> {
        self.client_caching_in(Cache::default_dir().map(|dir| Cache::at(&dir)))
    }

    /// A client keeping pulled layers in `cache`. Credentials: `WCT_REGISTRY_USERNAME`/
    /// `WCT_REGISTRY_PASSWORD` when set, else the docker configuration's for each registry
    /// (they never appear in messages).
    pub(crate) fn client_caching_in(&self, cache: Option<Cache>) -> Result<Registry> {
        let basic_auth = match (
            std::env::var("WCT_REGISTRY_USERNAME"),
            std::env::var("WCT_REGISTRY_PASSWORD"),
        ) {
            (Ok(username), Ok(password)) => Some(BasicAuth { username, password }),
            _ => None,
        };
        let ca_certs = self
            .ca_cert
            .iter()
            .map(|path| {
                let pem = std::fs::read(path).map_err(|source| {
                    crate::report::about(
                        "--ca-cert",
                        wct_io::IoError::Read {
                            path: path.clone(),
                            source,
                        },
                    )
                })?;
                if !pem.windows(11).any(|w| w == b"-----BEGIN ") {
                    miette::bail!("--ca-cert {}: not a PEM certificate", path.display());
                }
                Ok(pem)
            })
            .collect::<Result<Vec<_>>>()?;
        Registry::new(RegistryOptions {
            insecure: self.insecure,
            basic_auth,
            docker_config: wct_registry::credentials::docker_config_path(),
            ca_certs,
            cache,
        })
        .map_err(miette::Report::new)
    }

    pub(crate) fn connect(&self) -> Result<(Registry, RegistryConfig)> {
        Ok((self.client()?, self.config()?))
    }

    /// `--registry`, as given.
    pub(crate) fn registry(&self) -> Option<&str> {
        self.registry.as_deref()
    }

    pub(crate) fn locate(&self, config: &RegistryConfig, spec: &PackageSpec) -> Result<Location> {
        config
            .locate(spec, self.registry.as_deref())
            .map_err(miette::Report::new)
    }
}

/// `, from cache` when the wasm was not downloaded (for the line that reports a pull).
pub(crate) fn from_cache(pulled: &wct_registry::Pulled) -> &'static str {
    if pulled.from_cache {
        ", from cache"
    } else {
        ""
    }
}
