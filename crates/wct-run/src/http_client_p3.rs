//! Outgoing HTTP for WASI 0.3 guests (`wasi:http/client@0.3.0`), as the specification and the
//! wasi-testsuite expect it where wasmtime-wasi-http 48 differs. wct links wasmtime-wasi-http's
//! implementation and replaces two of its functions (linker shadowing; the crate is not
//! forked):
//!
//! - `client.send`: a request whose `path-with-query` is `none` is sent as `/` (upstream
//!   fails it with `HTTP-request-URI-invalid`); a relative path (`a/b`, `../x`, `?q`) is
//!   resolved against `/`; and a request that is never transmitted — denied by the sandbox,
//!   an authority that does not resolve, a refused connection — resolves the transmission
//!   future `request.new` returned to the same error `send` returns (upstream reports
//!   success there).
//! - `request.set-path-with-query` / `get-path-with-query`: relative references are accepted
//!   and read back unchanged (wasi-http issue 178; upstream accepts only `/...`, `?...` and the
//!   empty string). The request keeps the `http` crate's form, which must start with `/`
//!   (`/` + the reference); [`crate::state::RelativePaths`] remembers the text the guest
//!   gave.
//!
//! Everything else — bodies, trailers, limits, the [`crate::http_policy`] hook that decides
//! which destinations are granted — is wasmtime-wasi-http's own, through its public API.

use crate::state::ComponentState;
use http::uri::PathAndQuery;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use tokio::sync::oneshot;
use wasmtime::component::{Accessor, Linker, Resource};
use wasmtime_wasi_http::p3::bindings::http::types::ErrorCode;
use wasmtime_wasi_http::p3::{Request, Response};
use wasmtime_wasi_http::{Error, WasiHttpCtxView, WasiHttpView};

/// The WASI 0.3 HTTP interfaces whose functions are replaced.
const CLIENT: &str = "wasi:http/client@0.3.0";
const TYPES: &str = "wasi:http/types@0.3.0";

/// Replaces `client.send`, `request.set-path-with-query` and `request.get-path-with-query`
/// in `linker`, which already holds wasmtime-wasi-http's WASI 0.3 functions.
pub fn link_corrections(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    linker.instance(CLIENT)?.func_wrap_concurrent(
        "send",
        |accessor, (request,): (Resource<Request>,)| {
            Box::pin(async move { Ok((send(accessor, request).await?,)) })
        },
    )?;
    let mut types = linker.instance(TYPES)?;
    types.func_wrap(
        "[method]request.set-path-with-query",
        |mut store, (request, path): (Resource<Request>, Option<String>)| {
            let (relative, table) = store.data_mut().requests();
            let stored = table.get_mut(&request)?;
            Ok((set_path_with_query(stored, path)
                .map(|reference| relative.set(&request, reference)),))
        },
    )?;
    types.func_wrap(
        "[method]request.get-path-with-query",
        |mut store, (request,): (Resource<Request>,)| {
            let (relative, table) = store.data_mut().requests();
            let stored = table.get(&request)?.path_with_query.as_ref();
            let path = match relative.get(&request, stored) {
                Some(reference) => Some(reference.to_string()),
                None => stored.map(|p| p.as_str().to_string()),
            };
            Ok((path,))
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// `request.set-path-with-query`: any path and query the URI grammar allows, relative
/// references included (`None` unsets it, `""` is `/`). Returns the relative reference to
/// remember, if the path is one.
fn set_path_with_query(request: &mut Request, path: Option<String>) -> Result<Option<String>, ()> {
    let Some(path) = path else {
        request.path_with_query = None;
        return Ok(None);
    };
    let relative = !(path.is_empty() || path.starts_with(['/', '?']) || path == "*");
    let stored = if relative {
        format!("/{path}")
    } else if path.is_empty() {
        "/".to_string()
    } else {
        path.clone()
    };
    request.path_with_query = Some(PathAndQuery::try_from(stored).map_err(|_| ())?);
    Ok(relative.then_some(path))
}

/// The path and query put on the wire: `/` for none, a relative reference resolved against
/// `/` (RFC 3986 section 5.2), an absolute one as it is.
fn wire_path(path: Option<&PathAndQuery>, relative: Option<&str>) -> PathAndQuery {
    let text = match (relative, path) {
        (Some(relative), _) => relative,
        (None, Some(path)) if path.as_str().starts_with('?') => path.as_str(),
        (None, Some(path)) => return path.clone(),
        (None, None) => return PathAndQuery::from_static("/"),
    };
    let (relative, query) = match text.split_once('?') {
        Some((relative, query)) => (relative, Some(query)),
        None => (text, None),
    };
    let mut resolved = remove_dot_segments(&format!("/{relative}"));
    if let Some(query) = query {
        resolved.push('?');
        resolved.push_str(query);
    }
    PathAndQuery::try_from(resolved).unwrap_or_else(|_| PathAndQuery::from_static("/"))
}

/// RFC 3986 section 5.2.4 for an absolute path: `.` and `..` segments removed, never above
/// the root.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." | ".." => {
                if *segment == ".." {
                    out.pop();
                }
                // A trailing dot segment leaves the path ending in `/`.
                if last {
                    out.push("");
                }
            }
            other => out.push(other),
        }
    }
    format!("/{}", out.join("/"))
}

/// The body the I/O task's handle rides along with, so the connection is driven as long as
/// either body is alive and stopped when both are gone.
struct WithState<B, S> {
    body: B,
    _state: S,
}

impl<B: Body + Unpin, S: Unpin> Body for WithState<B, S> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The connection's I/O task, aborted when the last body holding it is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A future of a request's or response's processing result, as wasmtime-wasi-http passes
/// them.
type ResultFuture = Box<dyn Future<Output = Result<(), Error>> + Send>;

/// What the hooks' `send_request` returns: the response and the connection's I/O future.
type Sending = Box<
    dyn Future<Output = Result<(http::Response<wasmtime_wasi_http::WasiBody>, ResultFuture), Error>>
        + Send,
>;

/// `client.send`: converts the request, hands it to the hooks ([`crate::http_policy`]) and
/// turns their answer into a `response`, reporting the transmission's outcome on the future
/// `request.new` returned.
async fn send(
    accessor: &Accessor<ComponentState>,
    request: Resource<Request>,
) -> wasmtime::Result<Result<Resource<Response>, ErrorCode>> {
    let getter: fn(&mut ComponentState) -> WasiHttpCtxView<'_> = ComponentState::http;
    // Whether the request was transmitted: what the guest's transmission future resolves to.
    let (outcome_tx, outcome_rx) = oneshot::channel::<Result<(), Error>>();
    let transmitted = async move { outcome_rx.await.unwrap_or(Ok(())) };
    // The I/O task's handle, once there is one, for the request body to hold.
    let (io_task_tx, io_task_rx) = oneshot::channel::<Arc<AbortOnDrop>>();
    // The response body's processing result, for the hooks.
    let (response_result_tx, response_result_rx) = oneshot::channel::<ResultFuture>();

    let sending = accessor.with(
        |mut access| -> wasmtime::Result<Result<Sending, ErrorCode>> {
            let (relative_paths, table) = access.data_mut().requests();
            let relative = relative_paths
                .get(&request, table.get(&request)?.path_with_query.as_ref())
                .map(str::to_string);
            relative_paths.set(&request, None);
            let mut request = table.delete(request)?;
            request.path_with_query = Some(wire_path(
                request.path_with_query.as_ref(),
                relative.as_deref(),
            ));
            let (http_request, options) =
                match request.into_http_with_getter(&mut access, transmitted, getter) {
                    Ok(converted) => converted,
                    Err(error) => return Ok(Err(error.downcast()?)),
                };
            let http_request = http_request.map(|body| {
                WithState {
                    body,
                    _state: io_task_rx,
                }
                .boxed_unsync()
            });
            let response_result: ResultFuture = Box::new(async move {
                match response_result_rx.await {
                    Ok(result) => Box::into_pin(result).await,
                    Err(_) => Ok(()),
                }
            });
            let hooks = getter(access.data_mut()).hooks;
            Ok(Ok(hooks.send_request(
                http_request,
                options.as_deref().copied(),
                response_result,
            )))
        },
    )?;
    let sending = match sending {
        Ok(sending) => sending,
        Err(code) => {
            let _ = outcome_tx.send(Err(Error::from(code.clone())));
            return Ok(Err(code));
        }
    };
    let fail = |error: Error, outcome_tx: oneshot::Sender<Result<(), Error>>| {
        let code = accessor.with(|mut access| error_code(getter(access.data_mut()).hooks, &error));
        let _ = outcome_tx.send(Err(Error::from(code.clone())));
        Ok(Err(code))
    };
    let (response, io) = match Box::into_pin(sending).await {
        Ok(sent) => sent,
        Err(error) => return fail(error, outcome_tx),
    };
    let (parts, body) = response.into_parts();
    let mut io = Box::into_pin(io);
    let body = match io.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Ok(())) => {
            let _ = outcome_tx.send(Ok(()));
            body
        }
        Poll::Ready(Err(error)) => return fail(error, outcome_tx),
        Poll::Pending => {
            // The connection still needs driving: a task of its own, tied to both bodies.
            let task = tokio::task::spawn(async move {
                let _ = outcome_tx.send(io.await);
            });
            let task = Arc::new(AbortOnDrop(task));
            let _ = io_task_tx.send(task.clone());
            WithState { body, _state: task }.boxed_unsync()
        }
    };
    accessor.with(|mut access| {
        let view = getter(access.data_mut());
        let (response, processed) =
            Response::from_http(view.hooks, http::Response::from_parts(parts, body));
        let _ = response_result_tx.send(Box::new(processed));
        Ok(Ok(view.table.push(response)?))
    })
}

/// The WASI 0.3 error code for a failure of the hooks, as wasmtime-wasi-http 48 converts it
/// for its own `send` (its conversion is private to the crate).
fn error_code(hooks: &mut dyn wasmtime_wasi_http::WasiHttpHooks, error: &Error) -> ErrorCode {
    use std::error::Error as _;
    use wasmtime_wasi_http::p3::bindings::http::types::{
        DnsErrorPayload, FieldSizePayload, TlsAlertReceivedPayload,
    };
    let dns = |rcode: &str| {
        ErrorCode::DnsError(DnsErrorPayload {
            rcode: Some(rcode.to_string()),
            info_code: None,
        })
    };
    let field = |name: &Option<String>, size: &Option<u32>| FieldSizePayload {
        field_name: name.clone(),
        field_size: *size,
    };
    match error {
        Error::Hyper(err) => match err.source() {
            Some(cause) if cause.is::<ErrorCode>() => {
                cause.downcast_ref::<ErrorCode>().cloned().unwrap()
            }
            Some(cause) if cause.is::<Error>() => {
                error_code(hooks, cause.downcast_ref::<Error>().unwrap())
            }
            _ => hooks.p3_error_from_hyper(err),
        },
        Error::Connect(err)
            if err.kind() == std::io::ErrorKind::AddrNotAvailable
                || err
                    .to_string()
                    .starts_with("failed to lookup address information") =>
        {
            dns("address not available")
        }
        Error::Connect(err) => hooks.p3_error_from_connect(err),
        Error::Tls(err) => hooks.p3_error_from_tls(err),
        Error::InvalidDnsNameError(err) => hooks.p3_error_from_dns(err),
        Error::DnsTimeout => ErrorCode::DnsTimeout,
        Error::DnsError { rcode, info_code } => ErrorCode::DnsError(DnsErrorPayload {
            rcode: rcode.clone(),
            info_code: *info_code,
        }),
        Error::DestinationNotFound => ErrorCode::DestinationNotFound,
        Error::DestinationUnavailable => ErrorCode::DestinationUnavailable,
        Error::DestinationIpProhibited => ErrorCode::DestinationIpProhibited,
        Error::DestinationIpUnroutable => ErrorCode::DestinationIpUnroutable,
        Error::ConnectionRefused => ErrorCode::ConnectionRefused,
        Error::ConnectionTerminated => ErrorCode::ConnectionTerminated,
        Error::ConnectionTimeout => ErrorCode::ConnectionTimeout,
        Error::ConnectionReadTimeout => ErrorCode::ConnectionReadTimeout,
        Error::ConnectionWriteTimeout => ErrorCode::ConnectionWriteTimeout,
        Error::ConnectionLimitReached => ErrorCode::ConnectionLimitReached,
        Error::TlsProtocolError => ErrorCode::TlsProtocolError,
        Error::TlsCertificateError => ErrorCode::TlsCertificateError,
        Error::TlsAlertReceived {
            alert_id,
            alert_message,
        } => ErrorCode::TlsAlertReceived(TlsAlertReceivedPayload {
            alert_id: *alert_id,
            alert_message: alert_message.clone(),
        }),
        Error::HttpRequestDenied => ErrorCode::HttpRequestDenied,
        Error::HttpRequestLengthRequired => ErrorCode::HttpRequestLengthRequired,
        Error::HttpRequestBodySize(size) => ErrorCode::HttpRequestBodySize(*size),
        Error::HttpRequestMethodInvalid => ErrorCode::HttpRequestMethodInvalid,
        Error::HttpRequestUriInvalid => ErrorCode::HttpRequestUriInvalid,
        Error::HttpRequestUriTooLong => ErrorCode::HttpRequestUriTooLong,
        Error::HttpRequestHeaderSectionSize(size) => ErrorCode::HttpRequestHeaderSectionSize(*size),
        Error::HttpRequestHeaderSize {
            field_name,
            field_size,
        } => ErrorCode::HttpRequestHeaderSize(Some(field(field_name, field_size))),
        Error::HttpRequestTrailerSectionSize(size) => {
            ErrorCode::HttpRequestTrailerSectionSize(*size)
        }
        Error::HttpRequestTrailerSize {
            field_name,
            field_size,
        } => ErrorCode::HttpRequestTrailerSize(field(field_name, field_size)),
        Error::HttpResponseIncomplete => ErrorCode::HttpResponseIncomplete,
        Error::HttpResponseHeaderSectionSize(size) => {
            ErrorCode::HttpResponseHeaderSectionSize(*size)
        }
        Error::HttpResponseHeaderSize {
            field_name,
            field_size,
        } => ErrorCode::HttpResponseHeaderSize(field(field_name, field_size)),
        Error::HttpResponseBodySize(size) => ErrorCode::HttpResponseBodySize(*size),
        Error::HttpResponseTrailerSectionSize(size) => {
            ErrorCode::HttpResponseTrailerSectionSize(*size)
        }
        Error::HttpResponseTrailerSize {
            field_name,
            field_size,
        } => ErrorCode::HttpResponseTrailerSize(field(field_name, field_size)),
        Error::HttpResponseTransferCoding(coding) => {
            ErrorCode::HttpResponseTransferCoding(coding.clone())
        }
        Error::HttpResponseContentCoding(coding) => {
            ErrorCode::HttpResponseContentCoding(coding.clone())
        }
        Error::HttpResponseTimeout => ErrorCode::HttpResponseTimeout,
        Error::HttpUpgradeFailed => ErrorCode::HttpUpgradeFailed,
        Error::HttpProtocolError => ErrorCode::HttpProtocolError,
        Error::LoopDetected => ErrorCode::LoopDetected,
        Error::ConfigurationError => ErrorCode::ConfigurationError,
        Error::InternalError(message) => ErrorCode::InternalError(message.clone()),
        other => ErrorCode::InternalError(Some(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::body::Bytes;

    fn wire(path: Option<&str>) -> String {
        let (mut request, _) = new_request();
        let relative = set_path_with_query(&mut request, path.map(str::to_string)).unwrap();
        wire_path(request.path_with_query.as_ref(), relative.as_deref())
            .as_str()
            .to_string()
    }

    fn new_request() -> (Request, impl Future<Output = Result<(), Error>>) {
        Request::new(
            http::Method::GET,
            None,
            None,
            None,
            wasmtime_wasi_http::FieldMap::default(),
            None,
            http_body_util::Empty::<Bytes>::new(),
        )
    }

    #[test]
    fn no_path_is_sent_as_the_root() {
        assert_eq!(wire(None), "/");
        assert_eq!(wire(Some("")), "/");
    }

    #[test]
    fn relative_paths_are_resolved_against_the_root() {
        assert_eq!(wire(Some("/a/../b?x=1")), "/a/../b?x=1");
        assert_eq!(wire(Some("a/b/c")), "/a/b/c");
        assert_eq!(wire(Some("../..")), "/");
        assert_eq!(wire(Some("?foo")), "/?foo");
        assert_eq!(wire(Some("a/./b/../c/")), "/a/c/");
        assert_eq!(wire(Some("a/..")), "/");
    }

    #[test]
    fn relative_references_are_kept_apart_from_the_stored_path() {
        let (mut request, _) = new_request();
        for path in ["/", "/a/b/c", "/a/../../bar", "/?foo", "?foo"] {
            assert_eq!(
                set_path_with_query(&mut request, Some(path.into())),
                Ok(None)
            );
            assert_eq!(request.path_with_query.as_ref().unwrap().as_str(), path);
        }
        for path in ["a/b/c", "../.."] {
            let relative = set_path_with_query(&mut request, Some(path.into()));
            assert_eq!(relative, Ok(Some(path.to_string())));
            let stored = request.path_with_query.as_ref().unwrap().as_str();
            assert_eq!(stored, format!("/{path}"));
        }
        assert_eq!(
            set_path_with_query(&mut request, Some(String::new())),
            Ok(None)
        );
        assert_eq!(request.path_with_query.as_ref().unwrap().as_str(), "/");
        assert!(set_path_with_query(&mut request, Some("/a b".into())).is_err());
        assert!(set_path_with_query(&mut request, Some("a b".into())).is_err());
        assert_eq!(set_path_with_query(&mut request, None), Ok(None));
        assert!(request.path_with_query.is_none());
    }
}
