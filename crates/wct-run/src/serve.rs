//! Serving `wasi:http/proxy` components over HTTP/1.1 (hyper, through wasmtime-wasi-http).
//!
//! Every request gets a fresh instance, made from an [`InstancePre`] prepared once at startup
//! (the component is compiled and linked once; per request only the instance is created).
//! Instances run on a multi-threaded tokio runtime, at most `max_concurrency` at a time; the
//! engine is interruptible, so a guest that computes for long yields to the others and a
//! per-request `timeout` cuts off even a guest stuck in a loop. A guest that traps, runs out of
//! fuel or memory, or times out before responding gets a 500 and one log line naming the
//! cause; the server keeps serving.
//!
//! The host links all of WASI 0.2 besides `wasi:http` (componentize-py and componentize-js
//! components import `wasi:cli`, filesystem and sockets even in the proxy world); the
//! [`Sandbox`] decides what the guest may actually reach, and outgoing HTTP is denied unless
//! granted ([`crate::http_policy`]).
//!
//! [`InstancePre`]: wasmtime::component::InstancePre

use crate::engine::{compile, CompileSummary, Compiled, EngineOptions};
use crate::limits::Limits;
use crate::outcome::{Limit, Outcome};
use crate::run::{prepare_store, ComponentState, Program};
use crate::sandbox::Sandbox;
use crate::WasmtimeResultExt;
use anyhow::{bail, Context, Result};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore, TryAcquireError};
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::WasiHttpView;

/// How often the engine's epoch advances: the interval at which busy guests yield.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The export a proxy component must have.
const HANDLER: &str = "wasi:http/incoming-handler";

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The address to listen on (port 0 picks a free port).
    pub addr: SocketAddr,
    /// What each instance may reach.
    pub sandbox: Sandbox,
    /// Per-request limits.
    pub limits: Limits,
    /// Engine and cache settings.
    pub engine: EngineOptions,
    /// Requests handled at once; further ones wait.
    pub max_concurrency: usize,
    /// One line per request on stderr.
    pub access_log: bool,
    /// Also one line when a request starts running in an instance, and one when it has to
    /// wait for a free slot first (`--verbose`): what the guest is doing, as it happens.
    pub log_request_starts: bool,
}

/// What a server did, when it stops.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServeSummary {
    /// Requests answered (any status).
    pub requests: u64,
    /// Requests whose guest failed (trap, limit, no response).
    pub failures: u64,
}

/// A compiled, linked component bound to a listening socket, ready to [`Server::run`].
pub struct Server {
    listener: std::net::TcpListener,
    compile_summary: CompileSummary,
    shared: Arc<Shared>,
    engine: Engine,
}

struct Shared {
    pre: ProxyPre<ComponentState>,
    name: String,
    sandbox: Sandbox,
    limits: Limits,
    access_log: bool,
    log_request_starts: bool,
    max_concurrency: usize,
    permits: Arc<Semaphore>,
    requests: AtomicU64,
    failures: AtomicU64,
}

impl Server {
    /// Compiles `program`, checks that it is a proxy component, links it and binds
    /// `opts.addr`. Errors here are the user's to fix (wrong component, address in use).
    pub fn bind(program: &Program<'_>, opts: &ServeOptions) -> Result<Server> {
        if wct_component::detect(program.wasm) != wct_component::WasmKind::Component {
            bail!(
                "{}: not a component; `wct serve` needs a wasi:http/proxy component",
                program.name
            );
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
        check_exports_handler(&engine, &component, &program.name)?;
        let linker = proxy_linker(&engine)?;
        let pre = linker
            .instantiate_pre(&component)
            .any()
            .and_then(|pre| ProxyPre::new(pre).any())
            .with_context(|| {
                format!(
                    "{}: cannot link as a wasi:http/proxy component",
                    program.name
                )
            })?;
        let listener = std::net::TcpListener::bind(opts.addr)
            .with_context(|| format!("cannot listen on {}", opts.addr))?;
        listener.set_nonblocking(true)?;
        Ok(Server {
            listener,
            compile_summary,
            engine,
            shared: Arc::new(Shared {
                pre,
                name: program.name.clone(),
                sandbox: opts.sandbox.clone(),
                limits: opts.limits,
                access_log: opts.access_log,
                log_request_starts: opts.log_request_starts,
                max_concurrency: opts.max_concurrency.max(1),
                permits: Arc::new(Semaphore::new(opts.max_concurrency.max(1))),
                requests: AtomicU64::new(0),
                failures: AtomicU64::new(0),
            }),
        })
    }

    /// How the component's code was obtained (`--verbose`).
    pub fn compile_summary(&self) -> CompileSummary {
        self.compile_summary
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until `shutdown` completes, then stops accepting, lets in-flight requests
    /// finish and returns.
    pub fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<ServeSummary> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let _ticker = EpochTicker::start(&self.engine);
        runtime.block_on(self.accept_loop(shutdown))
    }

    async fn accept_loop(self, shutdown: impl Future<Output = ()> + Send) -> Result<ServeSummary> {
        let listener = tokio::net::TcpListener::from_std(self.listener)?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut connections = tokio::task::JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(conn) => conn,
                        // Out of file descriptors and the like: wait, do not spin.
                        Err(_) => {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let shared = self.shared.clone();
                    connections.spawn(serve_connection(shared, stream, peer, stop_rx.clone()));
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        drop(listener);
        let _ = stop_tx.send(true);
        while connections.join_next().await.is_some() {}
        Ok(ServeSummary {
            requests: self.shared.requests.load(Ordering::Relaxed),
            failures: self.shared.failures.load(Ordering::Relaxed),
        })
    }
}

/// Refuses a component without `wasi:http/incoming-handler`, naming what it exports instead.
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
    if exports.iter().any(|e| unversioned(e) == HANDLER) {
        return Ok(());
    }
    let found = if exports.is_empty() {
        "it exports nothing".to_string()
    } else {
        format!("it exports {}", exports.join(", "))
    };
    bail!(
        "{name} does not export {HANDLER}, so it is not a wasi:http/proxy component ({found}); \
         check it with `wct targets {name} --world wasi:http/proxy`"
    )
}

/// The asynchronous linker: all of WASI 0.2 and `wasi:http`.
fn proxy_linker(engine: &Engine) -> Result<Linker<ComponentState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).any()?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).any()?;
    Ok(linker)
}

async fn serve_connection(
    shared: Arc<Shared>,
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    mut stop: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |req| {
        let shared = shared.clone();
        async move { Ok::<_, Infallible>(shared.handle(req, peer).await) }
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
        req: hyper::Request<Incoming>,
        peer: SocketAddr,
    ) -> hyper::Response<HyperOutgoingBody> {
        let start = Instant::now();
        let line = format!(
            "{peer} \"{} {}\"",
            req.method(),
            req.uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/")
        );
        let response = match self.clone().call_guest(req, line.clone(), start).await {
            Ok(response) => response,
            Err(failure) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                eprintln!("wct serve: {line}: {failure}");
                error_response(&failure)
            }
        };
        self.requests.fetch_add(1, Ordering::Relaxed);
        if self.access_log {
            eprintln!(
                "{line} {} {:.1}ms",
                response.status().as_u16(),
                start.elapsed().as_secs_f64() * 1e3
            );
        }
        response
    }

    /// Runs the guest on `req`; the response comes back as soon as the guest sets it, while
    /// the guest goes on streaming the body in its own task.
    async fn call_guest(
        self: Arc<Self>,
        req: hyper::Request<Incoming>,
        line: String,
        start: Instant,
    ) -> Result<hyper::Response<HyperOutgoingBody>, Failure> {
        let permit = Arc::new(self.acquire_slot(&line).await?);
        let mut store = self
            .new_store()
            .map_err(|e| Failure::host(format!("{e:#}")))?;
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let (req, out) = {
            let mut http = store.data_mut().http();
            let req = http
                .new_incoming_request(Scheme::Http, req)
                .map_err(|e| Failure::host(format!("{e:#}")))?;
            let out = http
                .new_response_outparam(sender)
                .map_err(|e| Failure::host(format!("{e:#}")))?;
            (req, out)
        };
        let pre = self.pre.clone();
        let limits = self.limits;
        let task_permit = permit.clone();
        let responded = Arc::new(AtomicBool::new(false));
        let responded_in_task = responded.clone();
        let shared = self.clone();
        let task = tokio::spawn(async move {
            let _permit = task_permit;
            let call = async {
                let proxy = pre.instantiate_async(&mut store).await?;
                proxy
                    .wasi_http_incoming_handler()
                    .call_handle(&mut store, req, out)
                    .await
            };
            let result = match limits.timeout {
                Some(t) => match tokio::time::timeout(t, call).await {
                    Ok(result) => result.map_err(|e| Failure::from_guest(e, &limits)),
                    Err(_) => Err(Failure {
                        kind: "timeout",
                        message: format!(
                            "timeout: the guest ran longer than {t:?} and was stopped"
                        ),
                    }),
                },
                None => call.await.map_err(|e| Failure::from_guest(e, &limits)),
            };
            if let Err(failure) = &result {
                if responded_in_task.load(Ordering::Acquire) {
                    shared.failures.fetch_add(1, Ordering::Relaxed);
                    eprintln!(
                        "wct serve: {line}: failed after responding ({:.1}ms): {failure}",
                        start.elapsed().as_secs_f64() * 1e3
                    );
                }
            }
            result
        });
        match receiver.await {
            Ok(Ok(response)) => {
                responded.store(true, Ordering::Release);
                Ok(hold_until_body_ends(response, permit))
            }
            Ok(Err(code)) => Err(Failure {
                kind: "error-code",
                message: format!("the guest responded with the error {code:?}"),
            }),
            Err(_) => match task.await {
                Ok(Ok(())) => Err(Failure {
                    kind: "no-response",
                    message: "the guest returned without setting a response".into(),
                }),
                Ok(Err(failure)) => Err(failure),
                Err(join) => Err(Failure::host(format!("the request task failed: {join}"))),
            },
        }
    }

    /// Waits for one of the `max_concurrency` slots. The slot is held from before the
    /// instance is created until the guest has returned and the response body is finished or
    /// cut, so at most `max_concurrency` instances (and their bodies) exist at once.
    async fn acquire_slot(&self, line: &str) -> Result<OwnedSemaphorePermit, Failure> {
        let permit = match self.permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(TryAcquireError::Closed) => return Err(Failure::host("the server is stopping")),
            Err(TryAcquireError::NoPermits) => {
                if self.log_request_starts {
                    eprintln!(
                        "wct serve: {line}: waiting for a free slot (all {} in use)",
                        self.max_concurrency
                    );
                }
                self.permits
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(Failure::host)?
            }
        };
        if self.log_request_starts {
            let in_use = self.max_concurrency - self.permits.available_permits();
            eprintln!(
                "wct serve: {line}: started ({in_use} of {} slots in use)",
                self.max_concurrency
            );
        }
        Ok(permit)
    }

    fn new_store(&self) -> Result<Store<ComponentState>> {
        let mut builder = WasiCtxBuilder::new();
        self.sandbox
            .configure(&mut builder, std::slice::from_ref(&self.name))?;
        // Many instances at once: none of them reads the server's stdin.
        builder.stdin(std::io::empty());
        let state = ComponentState::from_builder(builder, &self.sandbox, &self.limits);
        let mut store = Store::new(self.pre.engine(), state);
        prepare_store(&mut store, &self.limits, ComponentState::limiter)?;
        store.epoch_deadline_async_yield_and_update(1);
        if self.limits.fuel.is_some() {
            store.fuel_async_yield_interval(Some(100_000)).any()?;
        }
        Ok(store)
    }
}

/// Keeps `permit` until hyper has sent the last byte of the response body or dropped it (the
/// client went away): a body still streaming out counts against `--max-concurrency`.
fn hold_until_body_ends(
    response: hyper::Response<HyperOutgoingBody>,
    permit: Arc<OwnedSemaphorePermit>,
) -> hyper::Response<HyperOutgoingBody> {
    response.map(|body| {
        body.map_frame(move |frame| {
            let _held = &permit;
            frame
        })
        .boxed_unsync()
    })
}

/// Why a request got no response from the guest.
#[derive(Debug)]
struct Failure {
    /// Short class, sent to the client in `x-wct-error`: `trap`, `timeout`, `fuel`,
    /// `memory`, `exit`, `no-response`, `error-code` or `host`.
    kind: &'static str,
    /// The log line: the trap with its innermost frames, or the limit that stopped the guest.
    message: String,
}

impl Failure {
    fn host(message: impl std::fmt::Display) -> Failure {
        Failure {
            kind: "host",
            message: message.to_string(),
        }
    }

    fn from_guest(err: wasmtime::Error, limits: &Limits) -> Failure {
        match Outcome::from_error(err, limits.timeout, limits.fuel) {
            Ok(Outcome::Trapped(trap)) => {
                let frames: Vec<&str> = trap.backtrace.iter().take(3).map(String::as_str).collect();
                let message = if frames.is_empty() {
                    format!("the guest trapped: {}", trap.kind)
                } else {
                    format!(
                        "the guest trapped: {} in {}",
                        trap.kind,
                        frames.join(" <- ")
                    )
                };
                Failure {
                    kind: "trap",
                    message,
                }
            }
            Ok(Outcome::Stopped { limit, message }) => Failure {
                kind: match limit {
                    Limit::Timeout => "timeout",
                    Limit::Fuel => "fuel",
                    Limit::Memory => "memory",
                },
                message,
            },
            Ok(Outcome::Exited { code }) => Failure {
                kind: "exit",
                message: format!("the guest exited with status {code}"),
            },
            Err(other) => Failure::host(format!("{other:#}")),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The 500 a client gets: the failure's class in a header, details only in the server log.
fn error_response(failure: &Failure) -> hyper::Response<HyperOutgoingBody> {
    let body = Full::new(Bytes::from_static(
        b"500 Internal Server Error (the component failed; see the server log)\n",
    ))
    .map_err(|never: Infallible| match never {})
    .boxed_unsync();
    let mut response = hyper::Response::new(body);
    *response.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(
        "x-wct-error",
        hyper::header::HeaderValue::from_static(failure.kind),
    );
    response
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
