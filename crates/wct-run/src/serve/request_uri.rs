//! What a served request's URI says to the guest: scheme and authority filled in.
//!
//! An HTTP/1.1 request line carries only the path (`GET /x HTTP/1.1`), so hyper's URI has no
//! scheme and no authority, and wasmtime-wasi-http 48 hands exactly that to the guest: WASI
//! 0.3's `request.get-scheme`/`get-authority` answer `none`, and a 0.2 request without a
//! `Host` header is refused before the guest sees it. The server knows both: the scheme is
//! `http` (the listener has no TLS) and the authority is the `Host` header, or the address the
//! connection was accepted on when the client sent none (HTTP/1.0).

use http::uri::{Authority, Scheme, Uri};
use std::net::SocketAddr;

/// `req` with an absolute URI: scheme `http`, the authority the client named in the URI or the
/// `Host` header (the listening address `local` when neither is usable), and its own path and
/// query (`/` when it had none).
pub(super) fn with_scheme_and_authority<B>(
    req: http::Request<B>,
    local: SocketAddr,
) -> http::Request<B> {
    let (mut parts, body) = req.into_parts();
    let authority = parts
        .uri
        .authority()
        .cloned()
        .or_else(|| host_header(&parts.headers))
        .unwrap_or_else(|| {
            Authority::try_from(local.to_string()).expect("a socket address is an authority")
        });
    let path = parts
        .uri
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| http::uri::PathAndQuery::from_static("/"));
    if let Ok(uri) = Uri::builder()
        .scheme(Scheme::HTTP)
        .authority(authority)
        .path_and_query(path)
        .build()
    {
        parts.uri = uri;
    }
    http::Request::from_parts(parts, body)
}

/// The `Host` header, when it is one valid authority.
fn host_header(headers: &http::HeaderMap) -> Option<Authority> {
    let host = headers.get(http::header::HOST)?.to_str().ok()?;
    // `Authority` also accepts `user@host`; a Host header never carries user information.
    if host.is_empty() || host.contains('@') {
        return None;
    }
    Authority::try_from(host).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> SocketAddr {
        "127.0.0.1:8080".parse().unwrap()
    }

    fn uri_of(req: http::Request<()>) -> String {
        with_scheme_and_authority(req, local()).uri().to_string()
    }

    #[test]
    fn the_host_header_names_the_authority() {
        let req = http::Request::get("/a?b=1")
            .header("host", "example.com:81")
            .body(())
            .unwrap();
        assert_eq!(uri_of(req), "http://example.com:81/a?b=1");
    }

    #[test]
    fn without_a_usable_host_the_listening_address_is_the_authority() {
        let req = http::Request::get("/").body(()).unwrap();
        assert_eq!(uri_of(req), "http://127.0.0.1:8080/");
        for bad in ["", "user@evil.example", "a b"] {
            let req = http::Request::get("/x")
                .header("host", http::HeaderValue::from_str(bad).unwrap())
                .body(())
                .unwrap();
            assert_eq!(uri_of(req), "http://127.0.0.1:8080/x", "{bad:?}");
        }
    }

    #[test]
    fn an_absolute_uri_keeps_its_authority() {
        let req = http::Request::get("http://other.example/p")
            .header("host", "example.com")
            .body(())
            .unwrap();
        assert_eq!(uri_of(req), "http://other.example/p");
    }
}
