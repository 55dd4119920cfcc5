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

mod failure;
mod lanes;
mod p2;
mod p3;
mod request_uri;

pub use p3::{Reuse, IDLE_INSTANCE_TIMEOUT};

use crate::engine::{compile, CompileSummary, Compiled, EngineOptions};
use crate::error::{Error, Result};
use crate::events::{Event, Events};
use crate::limits::Limits;
use crate::run::{prepare_store, ComponentState, Program};
use crate::sandbox::Sandbox;
use crate::wasi_p3::{async_linker, WasiGenerations};
use crate::WasmtimeResultExt;
use anyhow::Context;
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
use wasmtime::component::types::ComponentItem;
use wasmtime::component::Component;
use wasmtime::{Engine, Store};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::WasiBody;

/// The WASI generation of the HTTP interface a component is served through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasiVersion {
    /// `wasi:http/proxy` (WASI 0.2): a fresh instance per request.
    P2,
    /// `wasi:http/service` (WASI 0.3): instances reused.
    P3,
}

impl std::fmt::Display for WasiVersion {
    /// `0.2` or `0.3`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WasiVersion::P2 => "0.2",
            WasiVersion::P3 => "0.3",
        })
    }
}

/// How often the engine's epoch advances.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// A busy guest yields to the other requests after running this many epoch ticks (100 ms),
/// which also lets a request's timeout stop a guest stuck in a loop. Yielding on every tick
/// put about a third of short requests at the back of the queue once each and made the p99
/// latency four times `wasmtime serve`'s (`cargo xtask bench serve`); at 10 ticks ordinary
/// requests never yield and p99 is at parity.
const YIELD_AFTER_TICKS: u64 = 10;

/// The export of a WASI 0.2 HTTP component.
const P2_HANDLER: &str = "wasi:http/incoming-handler";

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

/// Which WASI generation the component speaks, and how a serving thread makes its instances.
enum Backend {
    /// `wasi:http/incoming-handler@0.2`: a fresh instance per request.
    P2(wasmtime_wasi_http::p2::bindings::ProxyPre<ComponentState>),
    /// `wasi:http/handler@0.3`: a pool of reusable instances (one per serving thread).
    P3(p3::Handler),
}

/// What each serving thread's [`Backend`] is made from.
enum BackendRecipe {
    P2(wasmtime_wasi_http::p2::bindings::ProxyPre<ComponentState>),
    P3(Box<p3::PoolRecipe>),
}

impl BackendRecipe {
    fn backend(&self) -> Backend {
        match self {
            BackendRecipe::P2(pre) => Backend::P2(pre.clone()),
            BackendRecipe::P3(pool) => Backend::P3(pool.handler()),
        }
    }
}

/// A compiled, linked component bound to a listening socket, ready to [`Server::run`].
pub struct Server {
    listener: std::net::TcpListener,
    compile_summary: CompileSummary,
    shared: Arc<Shared>,
    backend: BackendRecipe,
    threads: usize,
    engine: Engine,
    wasi_version: WasiVersion,
}

/// How each instance's store is made: sandbox, limits, the program's name; and where events
/// go.
#[derive(Clone)]
struct StoreRecipe {
    name: String,
    sandbox: Sandbox,
    limits: Limits,
    events: Events,
}

impl StoreRecipe {
    /// A fresh store: WASI sandboxed, limits applied, guests yielding to each other.
    fn store(&self, engine: &Engine) -> Result<Store<ComponentState>> {
        let mut builder = WasiCtxBuilder::new();
        self.sandbox
            .configure(&mut builder, std::slice::from_ref(&self.name))?;
        // Many instances at once: none of them reads the server's stdin.
        builder.stdin(std::io::empty());
        let state =
            ComponentState::from_builder(builder, &self.sandbox, &self.limits, &self.events);
        let mut store = Store::new(engine, state);
        prepare_store(&mut store, &self.limits, ComponentState::limiter)?;
        store.epoch_deadline_async_yield_and_update(YIELD_AFTER_TICKS);
        store.set_epoch_deadline(YIELD_AFTER_TICKS);
        if self.limits.fuel.is_some() {
            store.fuel_async_yield_interval(Some(100_000)).any()?;
        }
        Ok(store)
    }
}

/// What every serving thread shares: the store recipe, the slots and the counts.
struct Shared {
    recipe: StoreRecipe,
    max_concurrency: usize,
    permits: Arc<Semaphore>,
    requests: AtomicU64,
    failures: AtomicU64,
}

impl Server {
    /// Compiles `program`, checks that it is an HTTP component (0.3 `wasi:http/handler` or
    /// 0.2 `wasi:http/incoming-handler`), links it and binds `opts.addr`. Errors here are the
    /// user's to fix (wrong component, address in use).
    pub fn bind(program: &Program<'_>, opts: &ServeOptions) -> Result<Server> {
        if wct_component::detect(program.wasm) != wct_component::WasmKind::Component {
            return Err(Error::NotAComponent {
                name: program.name.clone(),
            });
        }
        let engine_opts = EngineOptions {
            serving: Some(opts.max_concurrency.max(1)),
            ..opts.engine.clone()
        };
        let compiled =
            compile::<Component>(program.wasm, &program.name, &opts.limits, &engine_opts)?;
        let compile_summary = compiled.summary();
        let Compiled {
            engine,
            artifact: component,
            ..
        } = compiled;
        let p3 = WasiGenerations::of(&engine, &component).exports_http_handler_p3;
        if !p3 {
            check_exports_handler(&engine, &component, &program.name)?;
        }
        let world = if p3 {
            "wasi:http/service@0.3"
        } else {
            "wasi:http/proxy"
        };
        let pre = async_linker(&engine)?
            .instantiate_pre(&component)
            .any()
            .with_context(|| format!("{}: cannot link as a {world} component", program.name))?;
        let recipe = StoreRecipe {
            name: program.name.clone(),
            sandbox: opts.sandbox.clone(),
            limits: opts.limits,
            events: opts.events.clone(),
        };
        let backend = if p3 {
            let pre = wasmtime_wasi_http::p3::bindings::ServicePre::new(pre)
                .any()
                .with_context(|| format!("{}: cannot link as a {world} component", program.name))?;
            BackendRecipe::P3(Box::new(p3::PoolRecipe::new(
                pre,
                recipe.clone(),
                opts.reuse,
            )))
        } else {
            let pre = wasmtime_wasi_http::p2::bindings::ProxyPre::new(pre)
                .any()
                .with_context(|| format!("{}: cannot link as a {world} component", program.name))?;
            BackendRecipe::P2(pre)
        };
        let listener = std::net::TcpListener::bind(opts.addr).map_err(|source| Error::Bind {
            addr: opts.addr,
            source,
        })?;
        listener
            .set_nonblocking(true)
            .context("making the listener non-blocking")?;
        Ok(Server {
            listener,
            compile_summary,
            engine,
            wasi_version: if p3 { WasiVersion::P3 } else { WasiVersion::P2 },
            backend,
            threads: opts
                .threads
                .or_else(|| std::thread::available_parallelism().ok())
                .map_or(1, NonZeroUsize::get),
            shared: Arc::new(Shared {
                recipe,
                max_concurrency: opts.max_concurrency.max(1),
                permits: Arc::new(Semaphore::new(opts.max_concurrency.max(1))),
                requests: AtomicU64::new(0),
                failures: AtomicU64::new(0),
            }),
        })
    }

    /// The WASI version of the HTTP interface served.
    pub fn wasi_version(&self) -> WasiVersion {
        self.wasi_version
    }

    /// How many threads serve (each with its own connections and instances).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// How the component's code was obtained (`--verbose`).
    pub fn compile_summary(&self) -> CompileSummary {
        self.compile_summary
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self
            .listener
            .local_addr()
            .context("reading the listener's address")?)
    }

    /// Serves until `shutdown` completes, then stops accepting, lets in-flight requests
    /// finish and returns.
    pub fn run(self, shutdown: impl Future<Output = ()>) -> Result<ServeSummary> {
        // The acceptor's runtime: the listener and the shutdown signal.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let _ticker = EpochTicker::start(&self.engine);
        let (stop_tx, stop_rx) = watch::channel(false);
        let lanes = lanes::Lanes::start(
            self.threads,
            &self.shared,
            || self.backend.backend(),
            &stop_rx,
        )?;
        let accepted = runtime.block_on(accept_until(self.listener, &lanes, shutdown));
        // Stop taking requests on open connections; let the ones in flight finish.
        let _ = stop_tx.send(true);
        lanes.finish();
        accepted?;
        Ok(ServeSummary {
            requests: self.shared.requests.load(Ordering::Relaxed),
            failures: self.shared.failures.load(Ordering::Relaxed),
        })
    }
}

/// Accepts connections for `lanes` until `shutdown` completes.
async fn accept_until(
    listener: std::net::TcpListener,
    lanes: &lanes::Lanes,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)
        .context("registering the listener with the async runtime")?;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => lanes.dispatch(stream, peer),
                // Out of file descriptors and the like: wait, do not spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
        }
    }
}

/// Refuses a component without `wasi:http/incoming-handler` (or the 0.3 handler, checked
/// before), naming what it exports instead.
fn check_exports_handler(engine: &Engine, component: &Component, name: &str) -> Result<()> {
    let exports: Vec<String> = component
        .component_type()
        .exports(engine)
        .map(|(n, item)| match item.ty {
            ComponentItem::ComponentFunc(_) => format!("function {n}"),
            _ => n.to_string(),
        })
        .collect();
    let unversioned = |n: &str| n.split('@').next().unwrap_or(n).to_string();
    if exports.iter().any(|e| unversioned(e) == P2_HANDLER) {
        return Ok(());
    }
    Err(Error::NotHttpComponent {
        name: name.to_string(),
        exports,
    })
}

/// Serves one connection's requests with `backend` until the client closes it or `stop`
/// turns true (then the request in flight finishes first).
async fn serve_connection(
    shared: Arc<Shared>,
    backend: Arc<Backend>,
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    mut stop: watch::Receiver<bool>,
) {
    // The authority of a request that names none (no Host header) is the address it came in on.
    let local = stream
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
    let service = hyper::service::service_fn(move |req| {
        let shared = shared.clone();
        let backend = backend.clone();
        let req = request_uri::with_scheme_and_authority(req, local);
        async move { Ok::<_, Infallible>(shared.handle(&backend, req, peer).await) }
    });
    let conn = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = async { let _ = stop.wait_for(|stop| *stop).await; } => {
            // Finish the request in flight on this connection, accept no further ones.
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

impl Shared {
    async fn handle(
        self: Arc<Self>,
        backend: &Backend,
        req: hyper::Request<Incoming>,
        peer: SocketAddr,
    ) -> hyper::Response<WasiBody> {
        let start = Instant::now();
        let line = format!(
            "{peer} \"{} {}\"",
            req.method(),
            req.uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/")
        );
        // The slot is given back only after the request's log lines: a request waiting for
        // it (on another serving thread) starts after this one is logged as ended.
        let mut slot = None;
        let response = match self
            .clone()
            .call_guest(backend, req, line.clone(), start, &mut slot)
            .await
        {
            Ok(response) => response,
            Err(failure) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                self.recipe.events.emit(Event::RequestFailed {
                    request: &line,
                    failure: &failure,
                    after_response: None,
                });
                error_response(&failure)
            }
        };
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.recipe.events.emit(Event::RequestAnswered {
            request: &line,
            status: response.status().as_u16(),
            elapsed: start.elapsed(),
        });
        drop(slot);
        response
    }

    /// Runs the guest on `req` in a free slot (kept in `slot` for the caller too): a fresh 0.2
    /// instance, or a 0.3 instance from the pool. The response comes back as soon as the guest
    /// sets it, while the guest goes on streaming the body; the slot is held until the body
    /// ends.
    async fn call_guest(
        self: Arc<Self>,
        backend: &Backend,
        req: hyper::Request<Incoming>,
        line: String,
        start: Instant,
        slot: &mut Option<Arc<OwnedSemaphorePermit>>,
    ) -> Result<hyper::Response<WasiBody>, Failure> {
        let permit = slot
            .insert(Arc::new(self.acquire_slot(&line).await?))
            .clone();
        let response = match backend {
            Backend::P2(pre) => {
                p2::call(&self, pre.clone(), req, line, start, permit.clone()).await?
            }
            Backend::P3(handler) => p3::call(handler, req, &self.recipe.limits).await?,
        };
        Ok(hold_until_body_ends(response, permit))
    }

    /// Waits for one of the `max_concurrency` slots. The slot is held from before the
    /// instance is created until the guest has returned and the response body is finished or
    /// cut, so at most `max_concurrency` instances (and their bodies) exist at once.
    async fn acquire_slot(&self, line: &str) -> Result<OwnedSemaphorePermit, Failure> {
        let permit = match self.permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(TryAcquireError::Closed) => return Err(Failure::host("the server is stopping")),
            Err(TryAcquireError::NoPermits) => {
                self.recipe.events.emit(Event::WaitingForSlot {
                    request: line,
                    slots: self.max_concurrency,
                });
                self.permits
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(Failure::host)?
            }
        };
        self.recipe.events.emit(Event::RequestStarted {
            request: line,
            in_use: self.max_concurrency - self.permits.available_permits(),
            slots: self.max_concurrency,
        });
        Ok(permit)
    }
}

/// Keeps `permit` until hyper has sent the last byte of the response body or dropped it (the
/// client went away): a body still streaming out counts against `--max-concurrency`.
fn hold_until_body_ends(
    response: hyper::Response<WasiBody>,
    permit: Arc<OwnedSemaphorePermit>,
) -> hyper::Response<WasiBody> {
    response.map(|body| {
        body.map_frame(move |frame| {
            let _held = &permit;
            frame
        })
        .boxed_unsync()
    })
}

/// Advances the engine's epoch every [`EPOCH_TICK`] while the server runs.
struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: &Engine) -> EpochTicker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let engine = engine.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        });
        EpochTicker {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

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
