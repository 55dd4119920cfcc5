//! The bundled engine: runs WASI 0.2 and 0.3 command components and WASI Preview 1 modules on
//! wasmtime, sandboxed by default, with limits, a compile cache, and typed calls of exported
//! functions (`--invoke`, WAVE syntax). This is the only crate of the workspace that links
//! wasmtime.
//!
//! - [`sandbox`]: what the guest may reach (directories, environment, network): nothing
//!   unless granted; [`config_store`]: the `wasi:config` variables granted; [`keyvalue`]:
//!   the `wasi:keyvalue` store and buckets granted ([`keyvalue_disk`]: the one kept on disk; [`keyvalue_redis`]: the one in Redis).
//! - [`limits`]: fuel, wall-clock timeout (epoch interruption), memory; each stops the guest
//!   with its own [`Outcome`].
//! - [`engine`]: engine configuration and compilation (Cranelift or Winch, [`artifact`])
//!   through the [`cache`] of compiled code.
//! - [`run`](mod@run): running commands; [`invoke`]: calling exported functions; [`outcome`]:
//!   how a run ended (exit status, trap, limit).
//! - [`startup`]: how long a program takes to compile, instantiate and answer a first call,
//!   and what instantiation commits, from the [`timeline`] the run paths report to.
//! - [`serve`]: serving `wasi:http` components over HTTP; [`state`]: the host state a
//!   component's store holds.
//! - [`wasi_p3`]: WASI 0.3 beside 0.2: the asynchronous host that links both;
//!   [`http_client_p3`]: where its outgoing HTTP is corrected; [`http_policy`]: which
//!   destinations a guest may send requests to.
//! - [`error`]: the typed errors of the public functions; [`events`]: what the host tells
//!   while a guest runs or a server serves, through a sink the embedder chooses.
#![deny(missing_docs)]

pub mod artifact;
pub mod cache;
mod call;
pub mod config_store;
pub mod engine;
pub mod error;
pub mod events;
pub mod http_client_p3;
pub mod http_policy;
pub mod invoke;
mod invoke_core;
pub mod keyvalue;
pub mod keyvalue_disk;
pub mod keyvalue_redis;
pub mod limits;
pub mod outcome;
pub mod run;
pub mod sandbox;
pub mod serve;
pub mod startup;
pub mod state;
pub mod timeline;
pub mod wasi_p3;

pub use engine::{Compiler, EngineOptions};
pub use error::{CallError, Error, Result, SpecKind};
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
pub use outcome::{Limit, Outcome, TrapReport};
pub use run::{run, Program, RunOptions};
pub use sandbox::{DirGrant, NetListen, Sandbox};
