//! How to serve ([`ServeOptions`], with the CLI's defaults) and what serving did
//! ([`ServeSummary`]).

use super::*;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The address to listen on (port 0 picks a free port).
    pub addr: SocketAddr,
    /// What each instance may reach.
    pub sandbox: Sandbox,
    /// Per-request limits (per instance for reused WASI 0.3 instances).
    pub limits: Limits,
    /// Engine and cache settings.
    pub engine: EngineOptions,
    /// Requests handled at once; further ones wait.
    pub max_concurrency: usize,
    /// How WASI 0.3 instances are reused (0.2 instances never are).
    pub reuse: Reuse,
    /// Serving threads, each with its own connections and instances; `None`: one per CPU.
    pub threads: Option<NonZeroUsize>,
    /// Where the access log, failed requests, denied HTTP requests and the comings and goings
    /// of slots and instances are told ([`Event`]).
    pub events: Events,
}

impl ServeOptions {
    /// The address served by default, as `wasmtime serve`'s (loopback only).
    pub const DEFAULT_ADDR: SocketAddr =
        SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);
    /// Requests handled at once by default.
    pub const DEFAULT_MAX_CONCURRENCY: usize = 64;
}

/// `127.0.0.1:8080`, a deny-by-default sandbox, no limits, 64 requests at once, 0.3 instances
/// reused as `wasmtime serve` does, one serving thread per CPU, events to stderr: set the
/// fields that matter and take the rest with `..ServeOptions::default()`, so that a field
/// added later does not break the caller.
impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            addr: ServeOptions::DEFAULT_ADDR,
            sandbox: Sandbox::default(),
            limits: Limits::default(),
            engine: EngineOptions::default(),
            max_concurrency: ServeOptions::DEFAULT_MAX_CONCURRENCY,
            reuse: Reuse::DEFAULT,
            threads: None,
            events: Events::default(),
        }
    }
}

/// What a server did, when it stops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServeSummary {
    /// Requests answered (any status).
    pub requests: u64,
    /// Requests whose guest failed (trap, limit, no response).
    pub failures: u64,
}
