//! `wct virt`: compose a component with virtualizing components so that it sees only what is
//! granted of WASI, on any host.

use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;
use wct_virt::{
    virtualize, Access, Clock, ConfigGrant, Grants, KeyValueGrant, Mount, Random, Stream,
};

/// Virtualize what a WASI component sees: baked environment and files, fixed clock, seeded
/// random, ignored stdio.
///
/// OUT is COMPONENT composed with small virtualizing components that export the WASI
/// interfaces it imports (at the versions it imports them) and answer from what is baked in:
/// environment variables and arguments, folders (read-only, or with a writable layer in
/// memory), a fixed clock, a seeded random generator, `wasi:config` variables, a
/// `wasi:keyvalue` store in the component's memory. Everything
/// not granted is denied: no environment, no arguments, no clock, no randomness, no stdin,
/// stdout or stderr, no preopened directory, no socket, no outgoing HTTP request, no
/// configuration variable, no key-value bucket. A denied
/// call returns WASI's error where the interface has one (`access-denied`,
/// `HTTP-request-denied`, no directories) and traps otherwise, in a function named after the
/// call. OUT runs on any host (`wct run`, `wasmtime run`).
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct virt tests/fixtures/compose/greeter.wasm -o greeter-sealed.wasm
  wct virt tests/fixtures/net/connect.wasm -o sealed.wasm --env GREETING=hi --stdio allow \\
      --clock 2026-01-01T00:00:00Z --random-seed 42
  wct virt --json tests/fixtures/net/connect.wasm -o sealed.wasm --stdio allow
  wct virt tests/fixtures/wasi-keyvalue/c/kv_config.wasm -o kv-sealed.wasm --stdio allow \\
      --config greeting=hi --keyvalue memory --keyvalue-data seed=1
  wct virt tests/fixtures/components/hello-wasm-tools.wasm -o hello-sealed.wasm \\
      --stdio allow --stderr ignore --mount tests/fixtures/virt/data::/data --overlay /tmp

Exit status:
  0  written
  2  usage error, unreadable input, nothing to virtualize, a grant that cannot be honoured
     for what the component imports, or a folder to mount that cannot be baked (nothing is
     written)")]
pub struct Args {
    /// The component.
    #[arg(value_name = "COMPONENT")]
    component: PathBuf,
    /// Where to write the virtualized component.
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,
    /// Bake an environment variable in (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Bake the variables of a file in (KEY=VALUE lines; `#` comments).
    #[arg(long, value_name = "FILE")]
    env_file: Vec<PathBuf>,
    /// Pass this variable through from the host when it has it (repeatable).
    #[arg(long, value_name = "NAME")]
    allow_env: Vec<String>,
    /// Bake an argument in (repeatable; argument 0 included).
    #[arg(long = "arg", value_name = "ARG", conflicts_with = "allow_args")]
    args: Vec<String>,
    /// Pass the host's arguments through.
    #[arg(long)]
    allow_args: bool,
    /// The clocks: `allow` (the host's), `deny` (default), or a fixed time
    /// (`2026-01-01T00:00:00Z`; the monotonic clock then starts at 0, 1 ms per reading).
    #[arg(long, value_name = "allow|deny|TIME", value_parser = parse_clock)]
    clock: Option<Clock>,
    /// Randomness: `allow` (the host's) or `deny` (default).
    #[arg(
        long,
        value_enum,
        value_name = "allow|deny",
        conflicts_with = "random_seed"
    )]
    random: Option<AccessArg>,
    /// Deterministic random bytes from this seed.
    #[arg(long, value_name = "N")]
    random_seed: Option<u64>,
    /// Standard input, output and error together: allow, deny (default) or ignore (output
    /// discarded, input empty; WASI 0.2 streams); --stdin, --stdout and --stderr override it
    /// per stream. (A denied stream is refused where it is used: stdin reads as ended,
    /// writes fail with `closed`, so a Preview 1 program, which takes all three at start,
    /// still runs; only in a WASI 0.2 component that imports wasi:http/types@0.2 or TCP
    /// with the network allowed does it trap when taken.)
    #[arg(long, value_enum, value_name = "allow|deny|ignore")]
    stdio: Option<StreamArg>,
    /// Standard input: allow, deny (default) or ignore (empty).
    #[arg(long, value_enum, value_name = "allow|deny|ignore")]
    stdin: Option<StreamArg>,
    /// Standard output: allow, deny (default) or ignore (discarded).
    #[arg(long, value_enum, value_name = "allow|deny|ignore")]
    stdout: Option<StreamArg>,
    /// Standard error: allow, deny (default) or ignore (discarded).
    #[arg(long, value_enum, value_name = "allow|deny|ignore")]
    stderr: Option<StreamArg>,
    /// The host's preopened directories: allow or deny (default: none is seen).
    #[arg(long, value_enum, value_name = "allow|deny")]
    files: Option<AccessArg>,
    /// Pass the host's preopen at this guest path through, and no other (repeatable).
    #[arg(long, value_name = "/GUEST", conflicts_with = "files")]
    preopen: Vec<String>,
    /// Bake the host folder HOSTDIR into OUT, read-only, seen at /GUEST (repeatable; WASI
    /// 0.2 filesystem).
    #[arg(long, value_name = "HOSTDIR::/GUEST")]
    mount: Vec<String>,
    /// A writable layer in memory at /GUEST, over the mount there or an empty folder: writes
    /// are seen by the component while it runs and never reach the host (repeatable).
    #[arg(long, value_name = "/GUEST")]
    overlay: Vec<String>,
    /// The most bytes of files --mount may bake (default 64MiB).
    #[arg(long, value_name = "SIZE", value_parser = crate::args::host::parse_size)]
    max_bake_size: Option<u64>,
    /// Creating sockets: allow or deny (default: access-denied).
    #[arg(long, value_enum, value_name = "allow|deny")]
    network: Option<AccessArg>,
    /// Outgoing HTTP requests: allow or deny (default: HTTP-request-denied).
    #[arg(long, value_enum, value_name = "allow|deny")]
    http: Option<AccessArg>,
    /// Allow outgoing HTTP requests to HOST (any port) or HOST:PORT only (repeatable; WASI
    /// 0.2 and 0.3), as `wct run --allow-http` spells it.
    #[arg(long, value_name = "HOST[:PORT]", conflicts_with = "http")]
    allow_http: Vec<String>,
    /// Bake a `wasi:config` variable in (repeatable; wins over --config-file).
    #[arg(long = "config", value_name = "KEY=VALUE")]
    config: Vec<String>,
    /// Bake the `wasi:config` variables of a file in: TOML (`[db] url = ...` is `db.url`) or
    /// KEY=VALUE lines, as `wct run --config-file` reads it.
    #[arg(long, value_name = "FILE")]
    config_file: Option<PathBuf>,
    /// Leave `wasi:config` to the host (default: no variables).
    #[arg(long, conflicts_with_all = ["config", "config_file"])]
    allow_config: bool,
    /// `wasi:keyvalue`: `memory` (a store inside OUT, for as long as the instance lives),
    /// `allow` (the host's store) or `deny` (default: opening a bucket is access-denied).
    #[arg(long, value_enum, value_name = "memory|allow|deny")]
    keyvalue: Option<KeyValueArg>,
    /// A bucket the in-memory store opens (repeatable; default: the empty identifier `""`,
    /// the one bucket wasmtime's store opens). Others are no-such-store.
    #[arg(long, value_name = "NAME", requires = "keyvalue")]
    keyvalue_bucket: Vec<String>,
    /// A key the in-memory store starts with, in its first bucket (repeatable).
    #[arg(long, value_name = "KEY=VALUE", requires = "keyvalue")]
    keyvalue_data: Vec<String>,
    /// Print what was virtualized, and how, as JSON (docs/schemas/virt.json).
    #[arg(long)]
    json: bool,
}

/// `allow` or `deny`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum AccessArg {
    Allow,
    Deny,
}

/// `memory`, `allow` or `deny`.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum KeyValueArg {
    Memory,
    Allow,
    Deny,
}

/// `allow`, `deny` or `ignore`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum StreamArg {
    Allow,
    Deny,
    Ignore,
}

fn stream(s: Option<StreamArg>) -> Stream {
    match s {
        Some(StreamArg::Allow) => Stream::Allow,
        Some(StreamArg::Ignore) => Stream::Ignore,
        Some(StreamArg::Deny) | None => Stream::Deny,
    }
}

fn access(a: Option<AccessArg>) -> Access {
    match a {
        Some(AccessArg::Allow) => Access::Allow,
        _ => Access::Deny,
    }
}

fn parse_clock(text: &str) -> std::result::Result<Clock, String> {
    match text {
        "allow" => Ok(Clock::Allow),
        "deny" => Ok(Clock::Deny),
        time => parse_rfc3339(time)
            .map(|(seconds, nanoseconds)| Clock::Fixed {
                seconds,
                nanoseconds,
            })
            .ok_or_else(|| {
                format!("`{time}` is not allow, deny or a UTC time like 2026-01-01T00:00:00Z")
            }),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z` -> seconds and nanoseconds since the Unix epoch.
fn parse_rfc3339(text: &str) -> Option<(u64, u32)> {
    let text = text.strip_suffix('Z').or_else(|| text.strip_suffix('z'))?;
    let (date, time) = text.split_once(['T', 't'])?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut t = hms.split(':').map(|p| p.parse::<u64>().ok());
    let (h, min, s) = (t.next()??, t.next()??, t.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || min > 59 || s > 60 {
        return None;
    }
    if fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanoseconds = format!("{fraction:0<9}").parse::<u32>().ok()?;
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = u64::try_from(days).ok()? * 86_400 + h * 3600 + min * 60 + s;
    Some((seconds, nanoseconds))
}

impl Args {
    /// `--config`, `--config-file`, `--allow-config`: the file's variables, then `--config`
    /// (a later one wins), sorted by key as `wct run`'s store lists them.
    fn config_grant(&self) -> Result<ConfigGrant> {
        if self.allow_config {
            return Ok(ConfigGrant::Allow);
        }
        let mut variables = std::collections::BTreeMap::new();
        if let Some(path) = &self.config_file {
            variables.extend(
                wct_run::config_store::read_config_file(path).map_err(miette::Report::new)?,
            );
        }
        for pair in &self.config {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| miette::miette!("--config {pair}: expected KEY=VALUE"))?;
            variables.insert(k.to_string(), v.to_string());
        }
        Ok(if variables.is_empty() && self.config_file.is_none() {
            ConfigGrant::Deny
        } else {
            ConfigGrant::Baked(variables.into_iter().collect())
        })
    }

    /// `--keyvalue`, `--keyvalue-bucket`, `--keyvalue-data`.
    fn keyvalue_grant(&self) -> Result<KeyValueGrant> {
        let memory_only = !self.keyvalue_bucket.is_empty() || !self.keyvalue_data.is_empty();
        match self.keyvalue {
            Some(KeyValueArg::Memory) => {}
            _ if memory_only => {
                return Err(miette::miette!(
                    help = "add --keyvalue memory",
                    "--keyvalue-bucket and --keyvalue-data name the in-memory store"
                ))
            }
            Some(KeyValueArg::Allow) => return Ok(KeyValueGrant::Allow),
            Some(KeyValueArg::Deny) | None => return Ok(KeyValueGrant::Deny),
        }
        let buckets = if self.keyvalue_bucket.is_empty() {
            vec![String::new()]
        } else {
            self.keyvalue_bucket.clone()
        };
        let data = self
            .keyvalue_data
            .iter()
            .map(|pair| {
                let (k, v) = pair
                    .split_once('=')
                    .ok_or_else(|| miette::miette!("--keyvalue-data {pair}: expected KEY=VALUE"))?;
                Ok((buckets[0].clone(), k.to_string(), v.as_bytes().to_vec()))
            })
            .collect::<Result<_>>()?;
        Ok(KeyValueGrant::Memory { buckets, data })
    }

    fn grants(&self) -> Result<Grants> {
        let mut env = Vec::new();
        for file in &self.env_file {
            let text = std::fs::read_to_string(file).map_err(|source| {
                miette::Report::new(wct_io::IoError::Read {
                    path: file.clone(),
                    source,
                })
            })?;
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let (k, v) = line.split_once('=').ok_or_else(|| {
                    miette::miette!(
                        "{}:{}: expected KEY=VALUE, found `{line}`",
                        file.display(),
                        n + 1
                    )
                })?;
                env.push((k.to_string(), v.to_string()));
            }
        }
        for pair in &self.env {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| miette::miette!("--env {pair}: expected KEY=VALUE"))?;
            env.push((k.to_string(), v.to_string()));
        }
        Ok(Grants {
            env,
            allow_env: self.allow_env.clone(),
            args: (!self.allow_args).then(|| self.args.clone()),
            clock: self.clock.unwrap_or_default(),
            random: match (self.random_seed, self.random) {
                (Some(seed), _) => Random::Seeded(seed),
                (None, Some(AccessArg::Allow)) => Random::Allow,
                _ => Random::Deny,
            },
            stdin: stream(self.stdin.or(self.stdio)),
            stdout: stream(self.stdout.or(self.stdio)),
            stderr: stream(self.stderr.or(self.stdio)),
            files: access(self.files),
            preopen: self.preopen.clone(),
            mounts: self
                .mount
                .iter()
                .map(|m| {
                    let (host, guest) = m
                        .rsplit_once("::")
                        .ok_or_else(|| miette::miette!("--mount {m}: expected HOSTDIR::/GUEST"))?;
                    if host.is_empty() || guest.is_empty() {
                        return Err(miette::miette!("--mount {m}: expected HOSTDIR::/GUEST"));
                    }
                    Ok(Mount {
                        host: PathBuf::from(host),
                        guest: guest.to_string(),
                    })
                })
                .collect::<Result<_>>()?,
            overlay: self.overlay.clone(),
            max_bake_size: self.max_bake_size,
            network: access(self.network),
            http: access(self.http),
            allow_http: self.allow_http.clone(),
            config: self.config_grant()?,
            keyvalue: self.keyvalue_grant()?,
        })
    }
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    let name = wct_io::display_name(&args.component);
    let grants = args.grants()?;
    let input = super::read_wasm(&args.component)?;
    let virtualized = virtualize(&input, &grants).map_err(|e| crate::report::about(&name, e))?;
    wct_io::write_output(&args.output, &virtualized.bytes, &[&args.component])
        .map_err(miette::Report::new)?;
    let report = &virtualized.report;
    for warning in report.unused_grants.iter().chain(&report.startup_hazards) {
        eprintln!("warning: {name}: {warning}");
    }
    if args.json {
        #[derive(serde::Serialize)]
        struct Json<'a> {
            schema_version: u32,
            input: String,
            output: String,
            #[serde(flatten)]
            report: &'a wct_virt::VirtReport,
        }
        output::json(&Json {
            schema_version: 1,
            input: name,
            output: wct_io::display_name(&args.output),
            report,
        })?;
    } else if !global.quiet {
        let mut text = format!(
            "wrote {}: {} virtualized, {} left to the host\n",
            args.output.display(),
            report.virtualized.len(),
            report.host_imports.len()
        );
        for v in &report.virtualized {
            if global.verbose || !v.denied {
                text.push_str(&format!("  {}: {}\n", v.import, v.how));
            }
        }
        let denied = report.virtualized.iter().filter(|v| v.denied).count();
        if denied > 0 && !global.verbose {
            text.push_str(&format!("  {denied} denied (-v lists them)\n"));
        }
        output::stdout(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(
            parse_rfc3339("2026-01-01T00:00:00Z"),
            Some((1_767_225_600, 0))
        );
        assert_eq!(
            parse_rfc3339("2000-02-29T12:34:56.5Z"),
            Some((951_827_696, 500_000_000))
        );
        assert_eq!(parse_rfc3339("2026-01-01T00:00:00"), None);
        assert_eq!(parse_rfc3339("2026-13-01T00:00:00Z"), None);
    }
}
