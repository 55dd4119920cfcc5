//! Flags shared by `wct run` and `wct serve`: what the guest may reach, its limits, and how
//! it is compiled.

use crate::report::GlobalOpts;
use clap::ValueEnum;
use miette::Result;
use std::path::PathBuf;
use wct_run::http_policy::HttpGrant;
use wct_run::{cache, limits, Compiler, DirGrant, EngineOptions, Limits, Sandbox};

/// Sandbox, limits and engine flags.
#[derive(clap::Args)]
pub struct HostArgs {
    /// Grant a directory: HOST[::GUEST][:ro] (repeatable).
    #[arg(long, value_name = "HOST[::GUEST][:ro]")]
    pub dir: Vec<String>,
    /// Set an environment variable for the guest (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Pass the whole host environment to the guest.
    #[arg(long)]
    pub env_inherit: bool,
    /// Allow network sockets to loopback addresses, and name lookups.
    #[arg(long)]
    pub net: bool,
    /// With --net: also allow this address (IP or IP:PORT; repeatable).
    #[arg(long, value_name = "ADDR", requires = "net")]
    pub net_allow: Vec<String>,
    /// Allow outgoing wasi:http requests to HOST or HOST:PORT (repeatable; none by default).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub allow_http: Vec<String>,
    /// Stop the guest after this much fuel (roughly, instructions).
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,
    /// Stop the guest after this much wall-clock time (e.g. 10s, 500ms).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// Stop the guest if a linear memory grows past this size (e.g. 64MiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
    /// Compiler: auto (cached optimized code, else Winch now and Cranelift in the background),
    /// cranelift, or winch.
    #[arg(long, value_enum)]
    pub compiler: Option<CompilerArg>,
    /// Compile cache folder (default: $XDG_CACHE_HOME/wct).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Do not read or write the compile cache.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,
}

/// `--compiler`.
#[derive(Clone, Copy, ValueEnum)]
pub enum CompilerArg {
    Auto,
    Cranelift,
    Winch,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    limits::parse_duration(s).map_err(|e| e.to_string())
}

fn parse_size(s: &str) -> Result<u64, String> {
    limits::parse_size(s).map_err(|e| e.to_string())
}

impl HostArgs {
    /// The sandbox the flags grant.
    pub fn sandbox(&self) -> Result<Sandbox> {
        let dirs = self
            .dir
            .iter()
            .map(|d| DirGrant::parse(d).map_err(|e| miette::miette!("{e}")))
            .collect::<Result<Vec<_>>>()?;
        let env = self
            .env
            .iter()
            .map(|kv| {
                kv.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .ok_or_else(|| miette::miette!("--env expects KEY=VALUE, got `{kv}`"))
            })
            .collect::<Result<Vec<_>>>()?;
        let allow_http = self
            .allow_http
            .iter()
            .map(|g| HttpGrant::parse(g).map_err(|e| miette::miette!("{e}")))
            .collect::<Result<Vec<_>>>()?;
        Ok(Sandbox {
            dirs,
            env,
            inherit_env: self.env_inherit,
            network: self.net,
            allowed_addrs: self.net_allow.clone(),
            allow_http,
        })
    }

    /// The limits the flags set.
    pub fn limits(&self) -> Limits {
        Limits {
            fuel: self.fuel,
            timeout: self.timeout,
            max_memory: self.max_memory,
        }
    }

    /// Engine settings; `default` is the compiler when `--compiler` is not given.
    pub fn engine(&self, global: &GlobalOpts, default: Compiler) -> EngineOptions {
        let cache = if self.no_cache {
            None
        } else {
            self.cache_dir
                .clone()
                .or_else(cache::default_dir)
                .map(cache::Cache::new)
        };
        EngineOptions {
            compiler: match self.compiler {
                None => default,
                Some(CompilerArg::Auto) => Compiler::Auto,
                Some(CompilerArg::Cranelift) => Compiler::Cranelift,
                Some(CompilerArg::Winch) => Compiler::Winch,
            },
            cache,
            progress: !global.quiet,
            serving: None,
        }
    }
}
