//! Starting a server: compiling and linking the component once, choosing the WASI 0.2 or
//! 0.3 backend by its exports, binding the listener, and running until shutdown.

use super::*;
use crate::error::{AtStep, HostStep};
use wct_wit::wasi_name::WasiGeneration;

/// A busy guest yields to the other requests after running this many epoch ticks (100 ms),
/// which also lets a request's timeout stop a guest stuck in a loop. Yielding on every tick
/// put about a third of short requests at the back of the queue once each and made the p99
/// latency four times `wasmtime serve`'s (`cargo xtask bench serve`); at 10 ticks ordinary
/// requests never yield and p99 is at parity.
pub(super) const YIELD_AFTER_TICKS: u64 = 10;

/// The export of a WASI 0.2 HTTP component.
pub(super) const P2_HANDLER: &str = "wasi:http/incoming-handler";

/// Which WASI generation the component speaks, and how a serving thread makes its instances.
pub(super) enum Backend {
    /// `wasi:http/incoming-handler@0.2`: a fresh instance per request.
    P2(wasmtime_wasi_http::p2::bindings::ProxyPre<ComponentState>),
    /// `wasi:http/handler@0.3`: a pool of reusable instances (one per serving thread).
    P3(p3::Handler),
}

/// What each serving thread's [`Backend`] is made from.
pub(super) enum BackendRecipe {
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
    pub(super) listener: std::net::TcpListener,
    pub(super) compile_summary: CompileSummary,
    pub(super) shared: Arc<Shared>,
    pub(super) backend: BackendRecipe,
    pub(super) threads: usize,
    pub(super) engine: Engine,
    pub(super) wasi_version: WasiGeneration,
}

/// How each instance's store is made: sandbox, limits, the program's name; and where events
/// go.
#[derive(Clone)]
pub(super) struct StoreRecipe {
    pub(super) name: String,
    pub(super) sandbox: Sandbox,
    pub(super) limits: Limits,
    pub(super) events: Events,
}

impl StoreRecipe {
    /// A fresh store: WASI sandboxed, limits applied, guests yielding to each other.
    pub(super) fn store(&self, engine: &Engine) -> Result<Store<ComponentState>> {
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
            store
                .fuel_async_yield_interval(Some(100_000))
                .at(HostStep::Configure)?;
        }
        Ok(store)
    }
}

impl Server {
    /// Binds `opts.addr`, compiles `program`, checks that it is an HTTP component (0.3
    /// `wasi:http/handler` or 0.2 `wasi:http/incoming-handler`) and links it. Errors here are the
    /// user's to fix (wrong component, address in use).
    pub fn bind(program: &Program<'_>, opts: &ServeOptions) -> Result<Server> {
        if wct_component::detect(program.wasm) != wct_component::WasmKind::Component {
            return Err(Error::NotAComponent {
                name: program.name.clone(),
            });
        }
        // The address first: a taken one fails before a compile of many seconds, and a log
        // line about a long compile can carry the address (the first stderr line of a server
        // is where scripts and the wasi-testsuite runner look for it).
        let listener = std::net::TcpListener::bind(opts.addr).map_err(|source| Error::Bind {
            addr: opts.addr,
            source,
        })?;
        let local = listener.local_addr().at(HostStep::Serve)?;
        let engine_opts = EngineOptions {
            serving: Some(opts.max_concurrency.max(1)),
            log_long_compiles: opts.engine.log_long_compiles.as_ref().map(|_| {
                format!(
                    "wct serve: {} will be served on http://{local}/ once compiled (requests wait): ",
                    program.name
                )
            }),
            ..opts.engine.clone()
        };
        let compiled =
            compile::<Component>(program.wasm, &program.name, &opts.limits, &engine_opts)?;
        let modules = crate::modules::ProvidedModules::for_compiled(
            &compiled,
            program.wasm,
            &program.name,
            &engine_opts,
        )?;
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
        let as_what = if p3 {
            " as a wasi:http/service@0.3 component"
        } else {
            " as a wasi:http/proxy component"
        };
        let refused = |e: anyhow::Error| {
            crate::error::cannot_instantiate(&engine, &component, &program.name, as_what, e)
        };
        let pre = async_linker(&engine, &modules)?
            .instantiate_pre(&component)
            .any()
            .map_err(refused)?;
        let recipe = StoreRecipe {
            name: program.name.clone(),
            sandbox: opts.sandbox.clone(),
            limits: opts.limits,
            events: opts.events.clone(),
        };
        let backend = if p3 {
            let pre = wasmtime_wasi_http::p3::bindings::ServicePre::new(pre)
                .any()
                .map_err(refused)?;
            BackendRecipe::P3(Box::new(p3::PoolRecipe::new(
                pre,
                recipe.clone(),
                opts.reuse,
            )))
        } else {
            let pre = wasmtime_wasi_http::p2::bindings::ProxyPre::new(pre)
                .any()
                .map_err(refused)?;
            BackendRecipe::P2(pre)
        };
        listener.set_nonblocking(true).at(HostStep::Serve)?;
        Ok(Server {
            listener,
            compile_summary,
            engine,
            wasi_version: if p3 {
                WasiGeneration::P3
            } else {
                WasiGeneration::P2
            },
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
    pub fn wasi_version(&self) -> WasiGeneration {
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
        self.listener.local_addr().at(HostStep::Serve)
    }

    /// Serves until `shutdown` completes, then stops accepting, lets in-flight requests
    /// finish and returns.
    pub fn run(self, shutdown: impl Future<Output = ()>) -> Result<ServeSummary> {
        self.run_announced(shutdown, || {})
    }

    /// [`run`](Self::run), calling `ready` once `shutdown` has been polled — signal handlers
    /// it installs on its first poll (as [`shutdown_signal`](super::shutdown_signal) does) are
    /// in place — and just before requests are accepted: the moment to say the server is up.
    /// Said earlier, a signal sent on seeing it could come before its handler exists (and a
    /// background job of a non-interactive shell ignores SIGINT until then).
    pub fn run_announced(
        self,
        shutdown: impl Future<Output = ()>,
        ready: impl FnOnce(),
    ) -> Result<ServeSummary> {
        // The acceptor's runtime: the listener and the shutdown signal.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .at(HostStep::Runtime)?;
        let _ticker = EpochTicker::start(&self.engine);
        let (stop_tx, stop_rx) = watch::channel(false);
        let lanes = lanes::Lanes::start(
            self.threads,
            &self.shared,
            || self.backend.backend(),
            &stop_rx,
        )?;
        let listener = self.listener;
        let accepted = runtime.block_on(async {
            let mut shutdown = std::pin::pin!(shutdown);
            let stopped = tokio::select! {
                biased;
                () = &mut shutdown => true,
                () = std::future::ready(()) => false,
            };
            ready();
            if stopped {
                return Ok(());
            }
            accept_until(listener, &lanes, shutdown).await
        });
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

/// Refuses a component without `wasi:http/incoming-handler` (or the 0.3 handler, checked
/// before), naming what it exports instead.
pub(super) fn check_exports_handler(
    engine: &Engine,
    component: &Component,
    name: &str,
) -> Result<()> {
    let exports = crate::run::export_names(engine, component);
    if exports
        .iter()
        .any(|e| wct_wit::semver_key::base_name(e) == P2_HANDLER)
    {
        return Ok(());
    }
    Err(Error::NotHttpComponent {
        name: name.to_string(),
        exports,
    })
}
