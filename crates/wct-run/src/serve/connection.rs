//! One connection's requests: each one waits for a slot, runs the guest (a fresh 0.2
//! instance or a pooled 0.3 one) and is logged; the slot is held until the body ends.

use super::*;
use crate::error::{AtStep, HostStep};

/// What every serving thread shares: the store recipe, the slots and the counts.
pub(super) struct Shared {
    pub(super) recipe: StoreRecipe,
    pub(super) max_concurrency: usize,
    pub(super) permits: Arc<Semaphore>,
    pub(super) requests: AtomicU64,
    pub(super) failures: AtomicU64,
}

/// Accepts connections for `lanes` until `shutdown` completes.
pub(super) async fn accept_until(
    listener: std::net::TcpListener,
    lanes: &lanes::Lanes,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener).at(HostStep::Serve)?;
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

/// Serves one connection's requests with `backend` until the client closes it or `stop`
/// turns true (then the request in flight finishes first).
pub(super) async fn serve_connection(
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
pub(super) fn hold_until_body_ends(
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
