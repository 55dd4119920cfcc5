//! Serving HTTP components over HTTP/1.1 (hyper, through wasmtime-wasi-http): WASI 0.2
//! `wasi:http/proxy` components and WASI 0.3 `wasi:http/service` ones, chosen by what the
//! component exports (0.3 first, as `wasmtime serve` does).
//!
//! The component is compiled and linked once at startup. A 0.2 request gets a fresh instance
//! (`p2`); 0.3 requests share instances from a pool (`p3`, wasmtime-wasi-http's handler),
//! unless [`Reuse::NONE`] is asked for. Connections are spread over serving threads, one
//! single-threaded runtime each with its own instances (`lanes`); at most `max_concurrency`
//! requests run at a time across all of them. The engine is interruptible, so a guest that
//! computes for long yields to the others and `timeout` cuts off even a guest stuck in a loop. A guest that
//! traps, runs out of fuel or memory, or times out before responding gets a 500 and one log
//! line naming the cause (`failure`); the server keeps serving.
//!
//! The host links all of WASI 0.2 and 0.3 besides `wasi:http` (componentize-py and
//! componentize-js components import `wasi:cli`, filesystem and sockets even in the HTTP
//! worlds); the [`Sandbox`] decides what the guest may actually reach, and outgoing HTTP is
//! denied unless granted ([`crate::http_policy`]).
//!
//! Modules: `options` (what to serve and how), `bind` (compile, link, listen, run), `lanes`
//! (the serving threads), `connection` (a connection's requests, slots, logging), `p2` and
//! `p3` (the two backends), `request_uri` (scheme and authority of a served request),
//! `failure` (why a request got a 500), `ticker` (the epoch clock).

mod bind;
mod connection;
mod failure;
mod lanes;
mod options;
mod p2;
mod p3;
mod request_uri;
mod ticker;

pub use bind::Server;
pub use options::{ServeOptions, ServeSummary};
pub use p3::{Reuse, IDLE_INSTANCE_TIMEOUT};
pub use wct_wit::wasi_name::WasiGeneration;

use bind::{Backend, StoreRecipe};
use connection::{accept_until, serve_connection, Shared};
use ticker::EpochTicker;

use crate::engine::{compile, CompileSummary, Compiled, EngineOptions};
use crate::error::{Error, Result};
use crate::events::{Event, Events};
use crate::limits::Limits;
use crate::run::{prepare_store, ComponentState, Program};
use crate::sandbox::Sandbox;
use crate::wasi_p3::{async_linker, WasiGenerations};
use crate::WasmtimeResultExt;
use failure::{error_response, Failure};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore, TryAcquireError};
use wasmtime::component::Component;
use wasmtime::{Engine, Store};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::WasiBody;

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
