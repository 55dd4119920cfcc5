//! What a component may reach ([`Grants`]: everything not granted is denied) and how each
//! virtualized interface answers under them.

use crate::config;
use serde::Serialize;
use wct_wit::wasi_name::WasiGeneration as Generation;

/// What the component may reach; everything not granted is denied.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    /// Environment variables baked in.
    pub env: Vec<(String, String)>,
    /// Environment variables passed through from the host, by name.
    pub allow_env: Vec<String>,
    /// Arguments baked in; `None` passes the host's through.
    pub args: Option<Vec<String>>,
    /// The wall clock and the monotonic clock.
    pub clock: Clock,
    /// `wasi:random` (all three interfaces).
    pub random: Random,
    /// `wasi:cli/stdin`.
    pub stdin: Stream,
    /// `wasi:cli/stdout`.
    pub stdout: Stream,
    /// `wasi:cli/stderr`.
    pub stderr: Stream,
    /// The host's preopened directories (all of them).
    pub files: Access,
    /// With `files` denied: the host's preopens at these guest paths are passed through.
    pub preopen: Vec<String>,
    /// Host folders baked into the result, read-only, at guest paths.
    pub mounts: Vec<Mount>,
    /// Guest paths with an in-memory writable layer: over the mount at that path, or an
    /// empty folder.
    pub overlay: Vec<String>,
    /// The most bytes of files the mounts may bake ([`DEFAULT_MAX_BAKE_SIZE`] when `None`).
    pub max_bake_size: Option<u64>,
    /// Creating TCP and UDP sockets.
    pub network: Access,
    /// Outgoing HTTP requests.
    pub http: Access,
    /// With `http` denied: destinations allowed anyway, `HOST` (any port) or `HOST:PORT`.
    pub allow_http: Vec<String>,
    /// `wasi:config/store`.
    pub config: ConfigGrant,
    /// `wasi:keyvalue` (store, atomics, batch).
    pub keyvalue: KeyValueGrant,
}

/// What `wasi:keyvalue` answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum KeyValueGrant {
    /// The host's store.
    Allow,
    /// Opening any bucket fails with `access-denied`.
    #[default]
    Deny,
    /// A store in the component's own memory, for as long as the instance lives.
    Memory {
        /// The buckets that open (others fail with `no-such-store`).
        buckets: Vec<String>,
        /// Entries it starts with: (bucket, key, value); the bucket is one of `buckets`.
        data: Vec<(String, String, Vec<u8>)>,
    },
}

/// What `wasi:config/store` answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ConfigGrant {
    /// The host's configuration store.
    Allow,
    /// No variables: `get` finds none, `get-all` is empty.
    #[default]
    Deny,
    /// These variables, baked in; `get-all` lists them in this order.
    Baked(Vec<(String, String)>),
}

/// A host folder baked in at a guest path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// The folder on the host.
    pub host: std::path::PathBuf,
    /// Where the component sees it (`/data`).
    pub guest: String,
}

/// The default for [`Grants::max_bake_size`]: 64 MiB.
pub const DEFAULT_MAX_BAKE_SIZE: u64 = 64 << 20;

/// What a standard stream is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stream {
    /// The host's.
    Allow,
    /// Getting it traps.
    #[default]
    Deny,
    /// Output is discarded; input is empty.
    Ignore,
}

/// Allowed (the host's own) or denied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// The host's.
    Allow,
    /// Refused.
    #[default]
    Deny,
}

/// What the clocks say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    /// The host's clocks.
    Allow,
    /// Reading a clock traps.
    #[default]
    Deny,
    /// The wall clock always says this time (seconds and nanoseconds since the Unix epoch);
    /// the monotonic clock starts at 0 and advances 1 ms per reading.
    Fixed {
        /// Seconds since 1970-01-01T00:00:00Z.
        seconds: u64,
        /// Nanoseconds.
        nanoseconds: u32,
    },
}

/// Where random bytes come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Random {
    /// The host's.
    Allow,
    /// Asking traps.
    #[default]
    Deny,
    /// A deterministic generator with this seed.
    Seeded(u64),
}

/// The monotonic clock's step per reading when the clock is fixed.
pub const MONOTONIC_STEP_NS: u64 = 1_000_000;

/// How a standard stream answers when the `stdio` modules (not the `files` one) serve it.
/// WASI 0.2's (`stdio.wat`, used only where the `files` module cannot be) traps when the
/// stream is taken. WASI 0.3's (`stdio-p3.wat`) refuses where the stream is used: stdin has
/// ended, a write finds the stream closed; so an ignored stdin is the same stream, while an
/// ignored output cannot be served (a component cannot keep reading a stream after the
/// synchronous call that took it returns) and is denied, as the report says.
fn stream(s: Stream, output: bool, generation: Generation) -> Option<(String, bool, Vec<u8>)> {
    let (how, denied) = match (s, generation, output) {
        (Stream::Allow, ..) => return None,
        (_, Generation::P2, _) => ("denied: getting the stream traps", true),
        (Stream::Deny, Generation::P3, false) => ("denied: reading finds the end at once", true),
        (Stream::Ignore, Generation::P3, false) => {
            ("ignored: reading finds the end at once", false)
        }
        (Stream::Deny, Generation::P3, true) => ("denied: writing fails with closed", true),
        (Stream::Ignore, Generation::P3, true) => (
            "denied: writing fails with closed (ignore is served through WASI 0.2 streams only)",
            true,
        ),
    };
    Some((how.into(), denied, config::empty()))
}

/// How a standard stream answers when the `files` module serves it.
pub(crate) fn stream_how(s: Stream, output: bool) -> (String, bool) {
    match (s, output) {
        (Stream::Allow, _) => ("the host's, through wct's streams".into(), false),
        // Refused where it is used, not when taken (a Preview 1 program takes all three).
        (Stream::Deny, false) => ("denied: reading finds the end at once".into(), true),
        (Stream::Deny, true) => ("denied: writing fails with closed".into(), true),
        (Stream::Ignore, true) => ("ignored: what is written is discarded".into(), false),
        (Stream::Ignore, false) => ("ignored: reading finds the end at once".into(), false),
    }
}

/// Whether `interface` (unversioned) is virtualized under `grants`, with how it answers and
/// its module's configuration.
pub(crate) fn decide(
    interface: &str,
    g: &Grants,
    generation: Generation,
) -> Option<(String, bool, Vec<u8>)> {
    let access = |a: Access, what: &str| match a {
        Access::Allow => None,
        Access::Deny => Some((format!("denied: {what}"), true, config::empty())),
    };
    match interface {
        "wasi:cli/environment" => {
            let mut how = vec![format!("{} baked variable(s)", g.env.len())];
            if !g.allow_env.is_empty() {
                how.push(format!("passed through: {}", g.allow_env.join(", ")));
            }
            how.push(match &g.args {
                Some(args) => format!("{} baked argument(s)", args.len()),
                None => "the host's arguments".to_string(),
            });
            let c = config::EnvironmentConfig {
                env: g.env.clone(),
                pass: g.allow_env.clone(),
                args: g.args.clone(),
            };
            Some((how.join("; "), false, config::environment(&c)))
        }
        "wasi:clocks/wall-clock" | "wasi:clocks/system-clock" => match g.clock {
            Clock::Allow => None,
            Clock::Deny => Some((
                "denied: reading the clock traps".into(),
                true,
                config::wall_clock(None),
            )),
            Clock::Fixed {
                seconds,
                nanoseconds,
            } => Some((
                format!("fixed at {seconds}.{nanoseconds:09} s since the Unix epoch"),
                false,
                config::wall_clock(Some((seconds, nanoseconds))),
            )),
        },
        "wasi:clocks/monotonic-clock" => match g.clock {
            Clock::Allow => None,
            Clock::Deny => Some((
                "denied: reading the clock traps".into(),
                true,
                config::monotonic_clock(None),
            )),
            Clock::Fixed { .. } => Some((
                format!("from 0, {MONOTONIC_STEP_NS} ns per reading"),
                false,
                config::monotonic_clock(Some(MONOTONIC_STEP_NS)),
            )),
        },
        "wasi:random/random" | "wasi:random/insecure" | "wasi:random/insecure-seed" => {
            match g.random {
                Random::Allow => None,
                Random::Deny => Some((
                    "denied: asking for random bytes traps".into(),
                    true,
                    config::random(None),
                )),
                Random::Seeded(seed) => Some((
                    format!("seeded with {seed}"),
                    false,
                    config::random(Some(seed)),
                )),
            }
        }
        "wasi:config/store" => match &g.config {
            ConfigGrant::Allow => None,
            ConfigGrant::Deny => Some((
                "denied: no variables (get finds none, get-all is empty)".into(),
                true,
                config::config_store(&[]),
            )),
            ConfigGrant::Baked(variables) => Some((
                format!("{} baked variable(s)", variables.len()),
                false,
                config::config_store(variables),
            )),
        },
        "wasi:keyvalue/store" | "wasi:keyvalue/atomics" | "wasi:keyvalue/batch" => {
            match &g.keyvalue {
                KeyValueGrant::Allow => None,
                KeyValueGrant::Deny => Some((
                    "denied: opening a bucket fails with access-denied".into(),
                    true,
                    config::keyvalue(None, &[]),
                )),
                KeyValueGrant::Memory { buckets, data } => {
                    let names: Vec<String> = buckets.iter().map(|b| format!("{b:?}")).collect();
                    Some((
                        format!(
                            "a store in the component's memory: bucket(s) {}; {} seeded key(s)",
                            names.join(", "),
                            data.len()
                        ),
                        false,
                        config::keyvalue(Some(buckets), data),
                    ))
                }
            }
        }
        "wasi:cli/stdin" => stream(g.stdin, false, generation),
        "wasi:cli/stdout" => stream(g.stdout, true, generation),
        "wasi:cli/stderr" => stream(g.stderr, true, generation),
        "wasi:filesystem/preopens" => match (g.files, g.preopen.is_empty()) {
            (Access::Allow, _) => None,
            (Access::Deny, true) => Some((
                "denied: no preopened directory".into(),
                true,
                config::preopens(None),
            )),
            (Access::Deny, false) => Some((
                format!("the host's preopens at {} only", g.preopen.join(", ")),
                false,
                config::preopens(Some(&g.preopen)),
            )),
        },
        "wasi:sockets/tcp-create-socket" | "wasi:sockets/udp-create-socket" => {
            access(g.network, "creating a socket fails with access-denied")
        }
        "wasi:http/client" if !g.allow_http.is_empty() => Some((
            format!(
                "requests to {} only; others fail with HTTP-request-denied",
                g.allow_http.join(", ")
            ),
            false,
            config::allowed_authorities(&g.allow_http),
        )),
        "wasi:http/outgoing-handler" => match (g.http, g.allow_http.is_empty()) {
            (Access::Allow, _) => None,
            (Access::Deny, true) => access(g.http, "requests fail with HTTP-request-denied"),
            (Access::Deny, false) => Some((
                format!(
                    "requests to {} only; others fail with HTTP-request-denied",
                    g.allow_http.join(", ")
                ),
                false,
                config::allowed_authorities(&g.allow_http),
            )),
        },
        _ => None,
    }
}
