//! Classifying why a request got no response from the guest ([`Failure`]), and the 500 the
//! client gets instead.

pub use crate::events::Failure;
use crate::events::FailureKind;
use crate::limits::Limits;
use crate::outcome::{Limit, Outcome};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use std::convert::Infallible;
use wasmtime_wasi_http::WasiBody;

impl Failure {
    /// A failure of the host (not the guest's doing).
    pub(crate) fn host(message: impl std::fmt::Display) -> Failure {
        Failure {
            kind: FailureKind::Host,
            message: message.to_string(),
        }
    }

    /// The guest stopped at the request's `--timeout`.
    pub(crate) fn timeout(limit: std::time::Duration) -> Failure {
        Failure {
            kind: FailureKind::Timeout,
            message: format!("timeout: the guest ran longer than {limit:?} and was stopped"),
        }
    }

    /// Classifies an error of the guest's call: trap, limit, exit or host failure.
    pub(crate) fn from_guest(err: wasmtime::Error, limits: &Limits) -> Failure {
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
                    kind: FailureKind::Trap,
                    message,
                }
            }
            Ok(Outcome::Stopped { limit, message }) => Failure {
                kind: match limit {
                    Limit::Timeout => FailureKind::Timeout,
                    Limit::Fuel => FailureKind::Fuel,
                    Limit::Memory => FailureKind::Memory,
                },
                message,
            },
            Ok(Outcome::Exited { code }) => Failure {
                kind: FailureKind::Exit,
                message: format!("the guest exited with status {code}"),
            },
            Err(other) => Failure::host(format!("{other:#}")),
        }
    }
}

/// The 500 a client gets: the failure's class in a header, details only in the server log.
pub(crate) fn error_response(failure: &Failure) -> hyper::Response<WasiBody> {
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
        hyper::header::HeaderValue::from_static(failure.kind.as_str()),
    );
    response
}
