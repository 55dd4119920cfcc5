//! Serving `wasi:http/service@0.3` components, whose `handle` is an `async func`: the 0.3
//! spec lets a host send several requests to one instance, at once and one after another.
//!
//! The instance pool is wasmtime-wasi-http's own [`ProxyHandler`] (the one `wasmtime serve`
//! uses), so reuse behaves as there: an instance takes up to [`Reuse::max_concurrent`] requests
//! at once and [`Reuse::max_requests`] in all, then a new one is made; an idle instance is
//! dropped after [`IDLE_INSTANCE_TIMEOUT`]. What wct adds is policy: an instance whose guest
//! trapped, ran out of a limit or outlived `--timeout` is dropped and never sees another
//! request, and every request on it gets a 500 saying why.

use super::failure::Failure;
use super::StoreRecipe;
use crate::events::FailureKind;
use crate::events::{Event, Events};
use crate::limits::Limits;
use crate::run::ComponentState;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use wasmtime::component::GuestTaskId;
use wasmtime::{Store, StoreContextMut};
use wasmtime_wasi_http::handler::{
    ExpirationError, HandlerState, Instance, InstantiationError, Proxy, ProxyHandler, ShouldAccept,
    TrapOrPanicError, WorkerExpiration, WorkerState, WorkerStatus,
};
use wasmtime_wasi_http::p3::bindings::ServicePre;
use wasmtime_wasi_http::{WasiBody, WasiHttpView};

/// How long an idle 0.3 instance is kept for further requests (as `wasmtime serve`).
pub const IDLE_INSTANCE_TIMEOUT: Duration = Duration::from_secs(1);

/// How many requests one WASI 0.3 instance serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reuse {
    /// Requests one instance handles in all before a new instance takes over.
    pub max_requests: usize,
    /// Requests one instance handles at the same time.
    pub max_concurrent: usize,
}

impl Reuse {
    /// `wasmtime serve`'s defaults for 0.3 components: 128 requests, 16 at a time.
    pub const DEFAULT: Reuse = Reuse {
        max_requests: 128,
        max_concurrent: 16,
    };
    /// A fresh instance for every request.
    pub const NONE: Reuse = Reuse {
        max_requests: 1,
        max_concurrent: 1,
    };
}

impl Default for Reuse {
    fn default() -> Reuse {
        Reuse::DEFAULT
    }
}

/// How to make an instance, and the policy each one gets; shared by the serving threads'
/// pools, which number their instances in one sequence.
#[derive(Clone)]
pub(super) struct PoolRecipe {
    pre: ServicePre<ComponentState>,
    recipe: StoreRecipe,
    reuse: Reuse,
    instances: Arc<AtomicU64>,
}

impl PoolRecipe {
    /// Instances of `pre`, made as `recipe` says, reused as `reuse` says.
    pub(super) fn new(
        pre: ServicePre<ComponentState>,
        recipe: StoreRecipe,
        reuse: Reuse,
    ) -> PoolRecipe {
        PoolRecipe {
            pre,
            recipe,
            reuse,
            instances: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A new, empty pool (one per serving thread).
    pub(super) fn handler(&self) -> Handler {
        ProxyHandler::new(Pool(self.clone()))
    }
}

/// The server's side of one pool.
pub(super) struct Pool(PoolRecipe);

/// A pool of 0.3 instances.
pub(super) type Handler = ProxyHandler<Pool>;

impl HandlerState for Pool {
    type StoreData = ComponentState;
    type WorkerExpiration = Expiry;
    type WorkerState = InstancePolicy;

    async fn instantiate(
        &self,
    ) -> wasmtime::Result<Instance<ComponentState, Expiry, InstancePolicy>> {
        let Pool(this) = self;
        let mut store = this
            .recipe
            .store(this.pre.engine())
            .map_err(|e| wasmtime::format_err!("{e:#}"))?;
        let service = this.pre.instantiate_async(&mut store).await?;
        let number = this.instances.fetch_add(1, Ordering::Relaxed) + 1;
        this.recipe.events.emit(Event::InstanceCreated { number });
        Ok(Instance {
            store,
            proxy: Proxy::P3(service),
            view: <ComponentState as WasiHttpView>::http,
            expiration: Expiry::new(this.recipe.limits.timeout),
            state: InstancePolicy {
                number,
                reuse: this.reuse,
                limits: this.recipe.limits,
                events: this.recipe.events.clone(),
                waiting: Mutex::new(Vec::new()),
            },
        })
    }
}

/// What one instance accepts, and who hears why it was dropped.
pub(super) struct InstancePolicy {
    number: u64,
    reuse: Reuse,
    limits: Limits,
    events: Events,
    /// One sender per request the instance took: told the failure if the instance dies.
    waiting: Mutex<Vec<oneshot::Sender<Failure>>>,
}

impl WorkerState for InstancePolicy {
    type StoreData = ComponentState;
    type RequestData = oneshot::Sender<Failure>;

    fn should_accept_request(&self, concurrent: usize, total: usize) -> ShouldAccept {
        if total >= self.reuse.max_requests {
            ShouldAccept::Never
        } else if concurrent >= self.reuse.max_concurrent {
            ShouldAccept::No
        } else {
            ShouldAccept::Yes
        }
    }

    fn on_request_start(
        &self,
        _store: StoreContextMut<'_, ComponentState>,
        failure: oneshot::Sender<Failure>,
        _task: GuestTaskId,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + Sync>> {
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(failure);
        match self.limits.timeout {
            Some(timeout) => Box::pin(tokio::time::sleep(timeout)),
            None => Box::pin(std::future::pending()),
        }
    }

    fn drop(&self, _store: Store<ComponentState>, result: wasmtime::Result<()>) {
        let Err(error) = result else {
            self.events.emit(Event::InstanceRetired {
                number: self.number,
            });
            return;
        };
        // The pool's own expiry (a guest busy past `--timeout`) says only this.
        let failure = if error.to_string() == "guest timed out" {
            Failure::timeout(self.limits.timeout.unwrap_or_default())
        } else {
            Failure::from_guest(error, &self.limits)
        };
        self.events.emit(Event::InstanceDropped {
            number: self.number,
            failure: &failure,
        });
        let waiting = std::mem::take(
            &mut *self
                .waiting
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        for request in waiting {
            let _ = request.send(failure.clone());
        }
    }
}

/// When an instance is dropped: `--timeout` after its latest request started (or after it
/// returned, for work the guest does after responding), or [`IDLE_INSTANCE_TIMEOUT`] idle.
/// Polled from outside the instance's event loop, so a guest stuck in a loop is stopped too.
pub(super) struct Expiry {
    timeout: Option<Duration>,
    sleep: Pin<Box<tokio::time::Sleep>>,
    armed_for: Option<(WorkerStatus, Instant)>,
}

impl Expiry {
    fn new(timeout: Option<Duration>) -> Expiry {
        Expiry {
            timeout,
            sleep: Box::pin(tokio::time::sleep(IDLE_INSTANCE_TIMEOUT)),
            armed_for: None,
        }
    }
}

impl WorkerExpiration for Expiry {
    fn poll(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        status: WorkerStatus,
        start: Instant,
    ) -> Poll<()> {
        let this = self.get_mut();
        let after = match status {
            WorkerStatus::Idle => Some(IDLE_INSTANCE_TIMEOUT),
            WorkerStatus::Requests | WorkerStatus::PostReturn => this.timeout,
        };
        let Some(after) = after else {
            return Poll::Pending;
        };
        if this.armed_for != Some((status, start)) {
            this.armed_for = Some((status, start));
            this.sleep.as_mut().reset((start + after).into());
        }
        this.sleep.as_mut().poll(cx)
    }
}

/// Hands `req` to the pool and waits for the guest's response.
pub(super) async fn call(
    handler: &Handler,
    req: hyper::Request<Incoming>,
    limits: &Limits,
) -> Result<hyper::Response<WasiBody>, Failure> {
    let req = req.map(|body| body.map_err(wasmtime_wasi_http::Error::from).boxed_unsync());
    let (failure_tx, failure_rx) = oneshot::channel();
    match handler.handle(failure_tx, req).await {
        Ok(response) => Ok(response),
        Err(error) => Err(classify(error, failure_rx, limits).await),
    }
}

/// Why the pool gave no response.
async fn classify(
    error: wasmtime::Error,
    instance_failure: oneshot::Receiver<Failure>,
    limits: &Limits,
) -> Failure {
    if error.is::<ExpirationError>() {
        return Failure::timeout(limits.timeout.unwrap_or_default());
    }
    if error.is::<TrapOrPanicError>() {
        // The instance died while this request was in it: its drop says why.
        return instance_failure.await.unwrap_or(Failure {
            kind: FailureKind::Trap,
            message: "the instance handling the request trapped".into(),
        });
    }
    if let Some(failed) = error.downcast_ref::<InstantiationError<oneshot::Sender<Failure>>>() {
        let memory = failed.error.is::<crate::limits::MemoryLimitExceeded>();
        return Failure {
            kind: if memory {
                FailureKind::Memory
            } else {
                FailureKind::Host
            },
            message: format!("cannot instantiate the component: {:#}", failed.error),
        };
    }
    if let Some(code) =
        error.downcast_ref::<wasmtime_wasi_http::p3::bindings::http::types::ErrorCode>()
    {
        return Failure {
            kind: FailureKind::ErrorCode,
            message: format!("the guest responded with the error {code:?}"),
        };
    }
    Failure::from_guest(error, limits)
}
