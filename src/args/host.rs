//! Flags shared by `wct run` and `wct serve`: what the guest may reach, its limits, and how
//! it is compiled.

use crate::args::host_report::host_error;
use crate::report::GlobalOpts;
use clap::ValueEnum;
use miette::Result;
use std::path::{Path, PathBuf};
use wct_run::http_policy::HttpGrant;
use wct_run::{cache, limits, Compiler, DirGrant, EngineOptions, Limits, NetListen, Sandbox};

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
    /// Grant a `wasi:config` variable (repeatable; wins over --config-file and
    /// --allow-config-env).
    #[arg(long = "config", value_name = "KEY=VALUE")]
    pub config: Vec<String>,
    /// Grant the `wasi:config` variables of a file: TOML (`[db] url = ...` is `db.url`) or
    /// KEY=VALUE lines.
    #[arg(long, value_name = "FILE")]
    pub config_file: Option<PathBuf>,
    /// Grant the host's environment variables that start with PREFIX as `wasi:config`
    /// variables, without the prefix (repeatable).
    #[arg(long, value_name = "PREFIX")]
    pub allow_config_env: Vec<String>,
    /// Grant a `wasi:keyvalue` store: `memory` (this process's, empty unless
    /// --keyvalue-data), a folder whose store is kept across runs, or
    /// `redis://HOST:PORT[/DB]` (shared by processes and machines).
    #[arg(long, value_name = "STORE")]
    pub keyvalue: Option<String>,
    /// With --keyvalue: a key and its value set in bucket `""` at start (repeatable).
    #[arg(long, value_name = "KEY=VALUE", requires = "keyvalue")]
    pub keyvalue_data: Vec<String>,
    /// With --keyvalue: a bucket the guest may open besides `""` (repeatable).
    #[arg(long, value_name = "NAME", requires = "keyvalue")]
    pub keyvalue_bucket: Vec<String>,
    /// With --keyvalue: the longest key the guest may use (default 4KiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, requires = "keyvalue")]
    pub keyvalue_max_key: Option<u64>,
    /// With --keyvalue: the largest value the guest may store (default 1MiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, requires = "keyvalue")]
    pub keyvalue_max_value: Option<u64>,
    /// With --keyvalue: how many key operations the whole run may do (each key of a batch
    /// counts one); after that every call answers an error.
    #[arg(long, value_name = "N", requires = "keyvalue")]
    pub keyvalue_ops: Option<u64>,
    /// Allow network addresses: connecting to and accepting from loopback, binding and
    /// listening, name lookups. Sockets can be created and configured without it; every
    /// use of an address needs it.
    #[arg(long)]
    pub net: bool,
    /// With --net: also allow this address (IP or IP:PORT; repeatable).
    #[arg(long, value_name = "ADDR", requires = "net")]
    pub net_allow: Vec<String>,
    /// With --net: where the guest may listen. `any` (default): also on the wildcard address,
    /// as a listen without bind does (peers that are not granted are still refused);
    /// `granted`: only on loopback and --net-allow addresses.
    #[arg(long, value_enum, value_name = "WHERE", requires = "net")]
    pub net_listen: Option<NetListenArg>,
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
    /// Compile cache folder (default: $XDG_CACHE_HOME/wct); it keeps at most
    /// $WCT_CACHE_MAX_SIZE of compiled code (default 1GiB), the least recently used deleted
    /// first.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Do not read or write the compile cache.
    #[arg(long, conflicts_with = "cache_dir")]
    pub no_cache: bool,
    /// Take the core modules the component imports instead of carrying them from DIR
    /// (DIR/NAME.wasm for the import NAME, as `wct unbundle --module-dir DIR` writes them);
    /// each is compiled into the cache once, for every component that imports it.
    #[arg(long, value_name = "DIR")]
    pub module_dir: Option<PathBuf>,
    /// wasmtime's spelling of the limits: fuel=N, timeout=DURATION, max-memory-size=BYTES
    /// (repeatable or comma-separated), so `wasmtime run` scripts work unchanged;
    /// component-model-async is accepted and always on.
    #[arg(short = 'W', value_name = "OPT=VALUE")]
    pub wasmtime_w: Vec<String>,
    /// wasmtime's spelling of the grants: inherit-env, inherit-network (= --net); cli, http
    /// and p3 (WASI 0.3) are accepted and always on.
    #[arg(short = 'S', value_name = "OPT[=y|n]")]
    pub wasmtime_s: Vec<String>,
}

/// `--net-listen`.
#[derive(Clone, Copy, ValueEnum)]
pub enum NetListenArg {
    Any,
    Granted,
}

/// `--compiler`.
#[derive(Clone, Copy, ValueEnum)]
pub enum CompilerArg {
    Auto,
    Cranelift,
    Winch,
}

/// A duration like `30s` or `500ms` (a clap value parser: its typed error is what clap shows).
use limits::parse_duration;

/// A size like `64MiB` or `4096`, in bytes (a clap value parser, for other commands too).
pub(crate) use limits::parse_size;

/// Splits wasmtime's `-W a=1,b=2` / `-S a,b=n` lists into (key, value) pairs.
fn wasmtime_options(values: &[String]) -> impl Iterator<Item = (&str, Option<&str>)> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| match o.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (o, None),
        })
}

/// wasmtime's boolean option values: absent, `y`, `yes`, `true` are on; `n`, `no`, `false` off.
fn wasmtime_bool(key: &str, value: Option<&str>) -> Result<bool> {
    match value {
        None | Some("y" | "yes" | "true") => Ok(true),
        Some("n" | "no" | "false") => Ok(false),
        Some(other) => miette::bail!("-S {key}={other}: expected y or n"),
    }
}

impl HostArgs {
    /// Folds wasmtime's `-W`/`-S` options into the native flags; giving a limit both ways,
    /// or an option wct does not have, is a usage error.
    pub fn apply_wasmtime_options(&mut self) -> Result<()> {
        fn once<T>(slot: &mut Option<T>, value: T, flag: &str) -> Result<()> {
            if slot.is_some() {
                miette::bail!("the {flag} limit is given twice (as a wct flag and as -W)");
            }
            *slot = Some(value);
            Ok(())
        }
        let w: Vec<(String, Option<String>)> = wasmtime_options(&self.wasmtime_w)
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect();
        for (key, value) in w {
            // WASI 0.3 support is always on in wct.
            if key == "component-model-async" {
                wasmtime_bool(&key, value.as_deref())?;
                continue;
            }
            let value =
                value.ok_or_else(|| miette::miette!("-W {key} needs a value: -W {key}=VALUE"))?;
            let bad = |e| crate::report::about(format!("-W {key}={value}"), e);
            match key.as_str() {
                "fuel" => {
                    let n = value.parse().map_err(|_| {
                        miette::miette!("-W fuel={value}: expected a number of units of fuel")
                    })?;
                    once(&mut self.fuel, n, "fuel")?
                }
                "timeout" => once(
                    &mut self.timeout,
                    parse_duration(&value).map_err(bad)?,
                    "timeout",
                )?,
                "max-memory-size" => once(
                    &mut self.max_memory,
                    parse_size(&value).map_err(bad)?,
                    "memory",
                )?,
                _ => miette::bail!(
                    "-W {key}: wct understands -W fuel=N, timeout=DURATION, \
                     max-memory-size=BYTES and component-model-async (see docs/migrating.md)"
                ),
            }
        }
        let s: Vec<(String, Option<String>)> = wasmtime_options(&self.wasmtime_s)
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect();
        for (key, value) in s {
            // wasmtime's value options: `-S config-var=K=V`, `-S keyvalue-in-memory-data=K=V`.
            match (key.as_str(), value) {
                ("config-var", Some(pair)) => {
                    self.config.push(pair);
                    continue;
                }
                ("keyvalue-in-memory-data", Some(pair)) => {
                    self.keyvalue.get_or_insert_with(|| "memory".to_string());
                    self.keyvalue_data.push(pair);
                    continue;
                }
                (_, value) => {
                    let on = wasmtime_bool(&key, value.as_deref())?;
                    match key.as_str() {
                        "inherit-env" => self.env_inherit |= on,
                        "inherit-network" | "allow-ip-name-lookup" | "tcp" | "udp" => {
                            self.net |= on
                        }
                        // wasmtime's in-memory store.
                        "keyvalue" if on => {
                            self.keyvalue.get_or_insert_with(|| "memory".to_string());
                        }
                        // Always linked: WASI 0.2 and 0.3, wasi:cli, wasi:http, wasi:config
                        // (empty unless variables are granted), wasi:keyvalue (denied unless
                        // a store is).
                        "cli" | "http" | "p3" | "config" | "keyvalue" => {}
                        _ => miette::bail!(
                            "-S {key}: wct understands -S inherit-env, inherit-network, cli, \
                             http, p3, config, config-var, keyvalue and keyvalue-in-memory-data \
                             (see docs/migrating.md)"
                        ),
                    }
                }
            }
        }
        Ok(())
    }

    /// The sandbox the flags grant.
    pub fn sandbox(&self) -> Result<Sandbox> {
        let dirs = self
            .dir
            .iter()
            .map(|d| DirGrant::parse(d).map_err(host_error))
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
            .map(|g| HttpGrant::parse(g).map_err(host_error))
            .collect::<Result<Vec<_>>>()?;
        Ok(Sandbox {
            config: self.config_variables()?,
            keyvalue: self.keyvalue_grant()?,
            dirs,
            env,
            inherit_env: self.env_inherit,
            network: self.net,
            allowed_addrs: self.net_allow.clone(),
            allow_http,
            net_listen: match self.net_listen {
                None | Some(NetListenArg::Any) => NetListen::Any,
                Some(NetListenArg::Granted) => NetListen::Granted,
            },
            discard_output: false,
        })
    }

    /// The `wasi:config` variables granted: the file's, then the host variables under
    /// `--allow-config-env` prefixes, then `--config` (a later one wins).
    fn config_variables(&self) -> Result<Vec<(String, String)>> {
        let mut out = match &self.config_file {
            Some(path) => {
                wct_run::config_store::read_config_file(path).map_err(miette::Report::new)?
            }
            None => Vec::new(),
        };
        let mut host: Vec<(String, String)> = std::env::vars()
            .flat_map(|(key, value)| {
                self.allow_config_env
                    .iter()
                    .filter_map(move |prefix| key.strip_prefix(prefix.as_str()).map(str::to_string))
                    .filter(|k| !k.is_empty())
                    .map(move |k| (k, value.clone()))
            })
            .collect();
        host.sort();
        out.extend(host);
        for kv in &self.config {
            let (key, value) = kv
                .split_once('=')
                .ok_or_else(|| miette::miette!("--config expects KEY=VALUE, got `{kv}`"))?;
            out.push((key.to_string(), value.to_string()));
        }
        Ok(out)
    }

    /// The `wasi:keyvalue` grant: nothing without `--keyvalue`.
    fn keyvalue_grant(&self) -> Result<wct_run::keyvalue::KeyValueGrant> {
        let mut grant = wct_run::keyvalue::KeyValueGrant::default();
        let Some(store) = &self.keyvalue else {
            return Ok(grant);
        };
        let data = self
            .keyvalue_data
            .iter()
            .map(|kv| {
                kv.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                    .ok_or_else(|| miette::miette!("--keyvalue-data expects KEY=VALUE, got `{kv}`"))
            })
            .collect::<Result<Vec<_>>>()?;
        grant.store = Some(if store == "memory" {
            std::sync::Arc::new(wct_run::keyvalue::MemoryStore::with_data(data))
        } else if store.starts_with("redis://") {
            let redis = wct_run::keyvalue_redis::RedisStore::connect(store)
                .map_err(|e| crate::report::about(format!("--keyvalue {store}"), e))?;
            if !data.is_empty() {
                use wct_run::keyvalue::KeyValueStore;
                redis
                    .set_many("", &data)
                    .map_err(|e| crate::report::about(format!("--keyvalue {store}"), e))?;
            }
            std::sync::Arc::new(redis)
        } else if store.contains("://") {
            miette::bail!(
                help = "give `memory`, a folder for a store kept on disk, or redis://HOST:PORT",
                "--keyvalue {store}: this wct has no client for that store"
            );
        } else {
            let disk = wct_run::keyvalue_disk::DiskStore::open(Path::new(store))
                .map_err(|e| crate::report::about(format!("--keyvalue {store}"), e))?;
            if !data.is_empty() {
                use wct_run::keyvalue::KeyValueStore;
                disk.set_many("", &data)
                    .map_err(|e| crate::report::about(format!("--keyvalue {store}"), e))?;
            }
            std::sync::Arc::new(disk)
        });
        grant.buckets.extend(self.keyvalue_bucket.iter().cloned());
        let size = |value: u64| usize::try_from(value).unwrap_or(usize::MAX);
        if let Some(max) = self.keyvalue_max_key {
            grant.max_key = size(max);
        }
        if let Some(max) = self.keyvalue_max_value {
            grant.max_value = size(max);
        }
        if let Some(ops) = self.keyvalue_ops {
            grant.budget = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(ops));
        }
        Ok(grant)
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
    pub fn engine(&self, global: &GlobalOpts, default: Compiler) -> Result<EngineOptions> {
        let cache = if self.no_cache {
            None
        } else {
            let max_size = cache_max_size()?;
            self.cache_dir
                .clone()
                .or_else(cache::default_dir)
                .map(|dir| cache::Cache::new(dir).with_max_size(max_size))
        };
        Ok(EngineOptions {
            compiler: match self.compiler {
                None => default,
                Some(CompilerArg::Auto) => Compiler::Auto,
                Some(CompilerArg::Cranelift) => Compiler::Cranelift,
                Some(CompilerArg::Winch) => Compiler::Winch,
            },
            cache,
            progress: !global.quiet,
            log_long_compiles: None,
            serving: None,
            module_dir: self.module_dir.clone(),
        })
    }
}

/// The environment variable that bounds the compile cache.
const CACHE_MAX_SIZE_VAR: &str = "WCT_CACHE_MAX_SIZE";

/// The compile cache's bound: `$WCT_CACHE_MAX_SIZE` (a size such as `4GiB`), else
/// [`cache::DEFAULT_MAX_SIZE`].
fn cache_max_size() -> Result<u64> {
    match std::env::var(CACHE_MAX_SIZE_VAR) {
        Ok(text) => limits::parse_size(&text)
            .map_err(|e| crate::report::about(format!("{CACHE_MAX_SIZE_VAR}={text}"), e)),
        Err(std::env::VarError::NotPresent) => Ok(cache::DEFAULT_MAX_SIZE),
        Err(std::env::VarError::NotUnicode(_)) => {
            miette::bail!("{CACHE_MAX_SIZE_VAR} is not valid UTF-8 (expected a size such as 4GiB)")
        }
    }
}
