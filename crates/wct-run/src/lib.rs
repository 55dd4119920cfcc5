//! The bundled engine: runs WASI 0.2 and 0.3 command components and WASI Preview 1 modules on
//! wasmtime, sandboxed by default, with limits, a compile cache, and typed calls of exported
//! functions (`--invoke`, WAVE syntax). This is the only crate of the workspace that links
//! wasmtime.
//!
//! - [`run()`]: running a command ([`Program`], [`RunOptions`]); how it ended is an
//!   [`Outcome`] (exit status, [`TrapReport`], [`Limit`]); [`invoke`]: calling exported
//!   functions.
//! - [`Sandbox`]: what the guest may reach (directories, environment, network): nothing
//!   unless granted; [`config_store`]: the `wasi:config` variables granted; [`keyvalue`]:
//!   the `wasi:keyvalue` store and buckets granted ([`keyvalue_disk`]: the one kept on disk;
//!   [`keyvalue_redis`]: the one in Redis); [`http_policy`]: which destinations a guest may
//!   send requests to.
//! - [`limits`]: fuel, wall-clock timeout (epoch interruption), memory; each stops the guest
//!   with its own [`Outcome`].
//! - [`engine`]: engine configuration and compilation (Cranelift or Winch) through the
//!   [`cache`] of compiled code; [`modules`]: the core modules an unbundled component
//!   imports, from a folder.
//! - [`startup`]: how long a program takes to compile, instantiate and answer a first call,
//!   and what instantiation commits.
//! - [`serve`]: serving `wasi:http` components over HTTP, WASI 0.2 and 0.3.
//! - [`Error`]: the typed errors of the public functions; [`events`]: what the host tells
//!   while a guest runs or a server serves, through a sink the embedder chooses.
//!
//! Private: `wasi_p3` (WASI 0.3 beside 0.2: the asynchronous host that links both),
//! `http_client_p3` (where 0.3's outgoing HTTP is corrected), `state` (the host state a
//! store holds), `timeline` (what the run paths report to `startup`), `artifact` (what is
//! compiled and cached), `call` and `invoke_core`.
#![deny(missing_docs)]

mod artifact;
pub mod cache;
mod call;
pub mod config_store;
pub mod engine;
mod error;
pub mod events;
mod host;
mod http_client_p3;
pub mod http_policy;
pub mod invoke;
mod invoke_core;
pub mod keyvalue;
pub mod keyvalue_disk;
pub mod keyvalue_redis;
pub mod limits;
pub mod modules;
mod outcome;
mod run;
mod sandbox;
pub mod serve;
pub mod startup;
mod state;
mod timeline;
mod wasi_p3;

pub use engine::{Compiler, EngineOptions};
pub use error::{CallError, Error, HostStep, Result, SpecKind};
pub use events::{Event, EventSink, Events, FailureKind};

/// wasmtime 48 has its own error type; this converts its results into `anyhow` ones so they
/// can take context like everything else here.
pub(crate) trait WasmtimeResultExt<T> {
    /// The same result with an `anyhow::Error`.
    fn any(self) -> anyhow::Result<T>;
}

impl<T> WasmtimeResultExt<T> for wasmtime::Result<T> {
    fn any(self) -> anyhow::Result<T> {
        self.map_err(anyhow::Error::from)
    }
}
pub use limits::Limits;
pub use outcome::{Limit, Outcome, TrapKind, TrapReport};
pub use run::{run, Program, RunOptions};
pub use sandbox::{DirGrant, NetListen, Sandbox};
