//! Outgoing HTTP from the guest (`wasi:http/outgoing-handler`): denied unless the user named
//! the destination (`wct`'s `--allow-http HOST[:PORT]`).
//!
//! The check runs when the guest sends a request, so components that merely import
//! `wasi:http` (every componentize-js component does, for `fetch`) instantiate and run; only
//! an actual request to a host that was not granted fails, with the WASI error
//! `HTTP-request-denied` and an [`Event`] naming the destination.

use crate::error::{Error as RunError, Result, SpecKind};
use crate::events::{Event, Events};
use std::future::Future;
use std::sync::Arc;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

/// The destinations a guest may send HTTP requests to.
#[derive(Debug, Clone, Default)]
pub struct HttpPolicy {
    allowed: Arc<Vec<HttpGrant>>,
    events: Events,
}

/// One `--allow-http` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpGrant {
    /// Host name or IP address, lower case.
    pub host: String,
    /// The port, or any port when `None`.
    pub port: Option<u16>,
}

impl HttpGrant {
    /// Parses `HOST` or `HOST:PORT` (`[v6]:PORT` for IPv6).
    pub fn parse(spec: &str) -> Result<HttpGrant> {
        let invalid = || RunError::InvalidSpec {
            what: SpecKind::HttpDestination,
            text: spec.to_string(),
            expected: "HOST or HOST:PORT",
        };
        if spec.is_empty() || spec.contains('/') {
            return Err(invalid());
        }
        let (host, port) = match spec.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && !host.ends_with(':') => {
                (host, Some(port.parse::<u16>().map_err(|_| invalid())?))
            }
            Some(_) => return Err(invalid()),
            None => (spec, None),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        Ok(HttpGrant {
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

impl HttpPolicy {
    /// A policy allowing exactly `grants`; a denied request is told to `events`.
    pub fn new(grants: Vec<HttpGrant>, events: Events) -> HttpPolicy {
        HttpPolicy {
            allowed: Arc::new(grants),
            events,
        }
    }

    /// Whether a request to `host` on `port` is allowed.
    pub fn allows(&self, host: &str, port: u16) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        self.allowed
            .iter()
            .any(|g| g.host == host && g.port.is_none_or(|p| p == port))
    }
}

type SendResult = wasmtime_wasi_http::Result<(
    http::Response<WasiBody>,
    Box<dyn Future<Output = Result<(), Error>> + Send>,
)>;

impl WasiHttpHooks for HttpPolicy {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Box<dyn Future<Output = SendResult> + Send> {
        let uri = request.uri();
        let host = uri.host().unwrap_or_default().to_string();
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some("https") => 443,
            _ => 80,
        });
        if !self.allows(&host, port) {
            self.events
                .emit(Event::HttpRequestDenied { host: &host, port });
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        let _ = fut;
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_match_host_and_port() {
        let policy = HttpPolicy::new(
            vec![
                HttpGrant::parse("example.com").unwrap(),
                HttpGrant::parse("127.0.0.1:8080").unwrap(),
                HttpGrant::parse("[::1]:9000").unwrap(),
            ],
            Events::default(),
        );
        assert!(policy.allows("EXAMPLE.com", 443));
        assert!(policy.allows("127.0.0.1", 8080));
        assert!(!policy.allows("127.0.0.1", 8081));
        assert!(policy.allows("[::1]", 9000));
        assert!(!policy.allows("example.org", 80));
        assert!(!HttpPolicy::default().allows("localhost", 80));
    }

    #[test]
    fn bad_grants_are_refused() {
        for bad in ["", "http://x", "x:y", "x:99999", ":80", "a/b"] {
            assert!(HttpGrant::parse(bad).is_err(), "{bad}");
        }
    }
}
