//! Serving `wasi:http/proxy` (WASI 0.2) components: a fresh instance for every request.

use super::failure::Failure;
use super::Shared;
use crate::events::Event;
use crate::events::FailureKind;
use crate::run::ComponentState;
use hyper::body::Incoming;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::OwnedSemaphorePermit;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::{WasiBody, WasiHttpView};

/// Runs `wasi:http/incoming-handler.handle` on `req` in a new instance. The instance runs in its
/// own task, which holds `permit` until the guest returns (it may stream the body on after
/// setting the response).
pub(super) async fn call(
    shared: &Arc<Shared>,
    pre: ProxyPre<ComponentState>,
    req: hyper::Request<Incoming>,
    line: String,
    start: Instant,
    permit: Arc<OwnedSemaphorePermit>,
) -> Result<hyper::Response<WasiBody>, Failure> {
    let mut store = shared
        .recipe
        .store(pre.engine())
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
    let limits = shared.recipe.limits;
    let responded = Arc::new(AtomicBool::new(false));
    let responded_in_task = responded.clone();
    let shared = shared.clone();
    let task = tokio::spawn(async move {
        let _permit = permit;
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
                Err(_) => Err(Failure::timeout(t)),
            },
            None => call.await.map_err(|e| Failure::from_guest(e, &limits)),
        };
        if let Err(failure) = &result {
            if responded_in_task.load(Ordering::Acquire) {
                shared.failures.fetch_add(1, Ordering::Relaxed);
                shared.recipe.events.emit(Event::RequestFailed {
                    request: &line,
                    failure,
                    after_response: Some(start.elapsed()),
                });
            }
        }
        result
    });
    match receiver.await {
        Ok(Ok(response)) => {
            responded.store(true, Ordering::Release);
            Ok(response)
        }
        Ok(Err(code)) => Err(Failure {
            kind: FailureKind::ErrorCode,
            message: format!("the guest responded with the error {code:?}"),
        }),
        Err(_) => match task.await {
            Ok(Ok(())) => Err(Failure {
                kind: FailureKind::NoResponse,
                message: "the guest returned without setting a response".into(),
            }),
            Ok(Err(failure)) => Err(failure),
            Err(join) => Err(Failure::host(format!("the request task failed: {join}"))),
        },
    }
}
