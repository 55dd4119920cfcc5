//! The guest's view of the world: deny by default, grant explicitly.
//!
//! No preopened directories, no environment variables, no network unless the user grants
//! them; stdin/stdout/stderr are inherited. Directory grants are enforced by wasmtime-wasi's
//! capability-based filesystem (no `..` or absolute path or symlink leads outside a grant).

use crate::error::{Error, Result, SpecKind};
use std::path::PathBuf;
use wasmtime_wasi::sockets::SocketAddrUse;
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

use crate::events::Events;
use crate::http_policy::{HttpGrant, HttpPolicy};

/// A directory the guest may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirGrant {
    /// The host directory.
    pub host: PathBuf,
    /// Where the guest sees it.
    pub guest: String,
    /// Whether writes are refused.
    pub read_only: bool,
}

impl DirGrant {
    /// Parses `HOST[::GUEST][:ro]`.
    pub fn parse(spec: &str) -> Result<DirGrant> {
        let (spec, read_only) = match spec.strip_suffix(":ro") {
            Some(rest) => (rest, true),
            None => (spec, false),
        };
        let (host, guest) = match spec.split_once("::") {
            Some((host, guest)) => (host, guest.to_string()),
            None => (spec, spec.to_string()),
        };
        if host.is_empty() || guest.is_empty() {
            return Err(Error::InvalidSpec {
                what: SpecKind::Directory,
                text: spec.to_string(),
                expected: "HOST[::GUEST][:ro]",
            });
        }
        Ok(DirGrant {
            host: PathBuf::from(host),
            guest,
            read_only,
        })
    }
}

/// Everything the guest is allowed to reach.
#[derive(Debug, Clone, Default)]
pub struct Sandbox {
    /// Preopened directories.
    pub dirs: Vec<DirGrant>,
    /// Environment variables given explicitly.
    pub env: Vec<(String, String)>,
    /// Pass the host's whole environment.
    pub inherit_env: bool,
    /// Allow TCP/UDP sockets to loopback addresses, and name lookups.
    pub network: bool,
    /// Further addresses the guest may use (with `network`): `IP` or `IP:PORT`.
    pub allowed_addrs: Vec<String>,
    /// Destinations of outgoing `wasi:http` requests (`--allow-http`).
    pub allow_http: Vec<HttpGrant>,
    /// With `network`: whether a listener may use the wildcard address (`--net-listen`).
    pub net_listen: NetListen,
    /// Discard what the guest writes to stdout and stderr (stdin is still inherited), as a
    /// profiler does so its own report stays readable.
    pub discard_output: bool,
    /// `wasi:config` variables the guest may read (none unless granted).
    pub config: Vec<(String, String)>,
    /// The `wasi:keyvalue` store and buckets the guest may use (none unless granted).
    pub keyvalue: crate::keyvalue::KeyValueGrant,
}

/// Where a guest with `--net` may listen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NetListen {
    /// On the wildcard address too (every interface), as an implicit bind before `listen`
    /// does; connections from peers that are not granted are still closed before the guest
    /// sees them.
    #[default]
    Any,
    /// Only on addresses that are granted (loopback, `--net-allow`): a listen or server bind
    /// on the wildcard address is denied.
    Granted,
}

/// The address check behind every socket call that uses an address.
struct NetGrant {
    /// `--net` was given; without it no address is usable.
    enabled: bool,
    /// `--net-allow` entries.
    allowed: std::sync::Arc<Vec<String>>,
    /// [`NetListen::Any`].
    listen_any: bool,
}

impl NetGrant {
    /// Whether the guest may use `addr` for `usage`.
    fn allows(&self, addr: std::net::SocketAddr, usage: SocketAddrUse) -> bool {
        if !self.enabled {
            return false;
        }
        let wildcard = addr.ip().is_unspecified();
        match usage {
            // The implicit bind before a connect or send uses the wildcard address with an
            // ephemeral port: not a listener, always allowed with the grant.
            SocketAddrUse::TcpBind | SocketAddrUse::UdpBind if wildcard && addr.port() == 0 => true,
            // A server bind on every interface: its peers are still checked one by one.
            SocketAddrUse::TcpBind | SocketAddrUse::UdpBind | SocketAddrUse::TcpListen
                if wildcard =>
            {
                self.listen_any
            }
            // An address that no interface of this machine has cannot be bound at all: let
            // the guest get the system's own "not bindable" error.
            SocketAddrUse::TcpBind | SocketAddrUse::UdpBind if !is_local_address(addr.ip()) => true,
            _ => address_allowed(addr, &self.allowed),
        }
    }
}

/// Whether some interface of this machine has `ip` (binding a socket to it works).
fn is_local_address(ip: std::net::IpAddr) -> bool {
    ip.is_unspecified() || std::net::UdpSocket::bind(std::net::SocketAddr::new(ip, 0)).is_ok()
}

/// Whether `addr` is loopback or matches one of `allowed` (`IP` or `IP:PORT`).
pub fn address_allowed(addr: std::net::SocketAddr, allowed: &[String]) -> bool {
    addr.ip().is_loopback()
        || allowed
            .iter()
            .any(|a| match a.parse::<std::net::SocketAddr>() {
                Ok(exact) => exact == addr,
                Err(_) => a
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip == addr.ip()),
            })
}

impl Sandbox {
    /// The outgoing-HTTP policy these grants make; denials are told to `events`.
    pub fn http_policy(&self, events: Events) -> HttpPolicy {
        HttpPolicy::new(self.allow_http.clone(), events)
    }

    /// Configures a WASI context builder with these grants and `args` as the command line.
    pub fn configure(&self, builder: &mut WasiCtxBuilder, args: &[String]) -> Result<()> {
        if self.discard_output {
            builder.inherit_stdin();
        } else {
            builder.inherit_stdio();
        }
        builder.args(args);
        if self.inherit_env {
            builder.inherit_env();
        }
        for (k, v) in &self.env {
            builder.env(k, v);
        }
        for dir in &self.dirs {
            if !dir.host.is_dir() {
                return Err(Error::NotADirectory {
                    path: dir.host.clone(),
                });
            }
            let perms = if dir.read_only {
                FsPerms::ReadOnly
            } else {
                FsPerms::ReadWrite
            };
            builder
                .preopened_dir(&dir.host, &dir.guest, perms)
                .map_err(|e| Error::CannotOpenDirectory {
                    path: dir.host.clone(),
                    source: std::io::Error::other(format!("{e:#}")),
                })?;
        }
        if self.network {
            for a in &self.allowed_addrs {
                if a.parse::<std::net::SocketAddr>().is_err()
                    && a.parse::<std::net::IpAddr>().is_err()
                {
                    return Err(Error::InvalidSpec {
                        what: SpecKind::Address,
                        text: a.clone(),
                        expected: "IP or IP:PORT",
                    });
                }
            }
        }
        let grant = NetGrant {
            enabled: self.network,
            allowed: std::sync::Arc::new(self.allowed_addrs.clone()),
            listen_any: self.net_listen == NetListen::Any,
        };
        // Sockets are created and configured without a grant (WASI's capability is the
        // address, not the socket): every use of an address goes through `grant`.
        builder
            .socket_addr_check(move |addr, usage| {
                let ok = grant.allows(addr, usage);
                Box::pin(async move { ok })
            })
            .allow_ip_name_lookup(self.network)
            .allow_tcp(true)
            .allow_udp(true);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(enabled: bool, listen_any: bool) -> NetGrant {
        NetGrant {
            enabled,
            allowed: std::sync::Arc::new(vec!["192.0.2.7".to_string()]),
            listen_any,
        }
    }

    #[test]
    fn without_the_grant_no_address_is_usable() {
        let none = grant(false, true);
        for (addr, usage) in [
            ("127.0.0.1:80", SocketAddrUse::TcpConnect),
            ("0.0.0.0:0", SocketAddrUse::TcpBind),
            ("0.0.0.0:0", SocketAddrUse::UdpBind),
            ("0.0.0.0:0", SocketAddrUse::TcpListen),
            ("127.0.0.1:0", SocketAddrUse::TcpBind),
            ("127.0.0.1:53", SocketAddrUse::UdpSend),
            ("192.0.2.7:80", SocketAddrUse::TcpConnect),
        ] {
            assert!(
                !none.allows(addr.parse().unwrap(), usage),
                "{addr} {usage:?}"
            );
        }
    }

    #[test]
    fn an_implicit_listen_bind_is_a_wildcard_bind() {
        let any = grant(true, true);
        let wildcard = "0.0.0.0:0".parse().unwrap();
        assert!(any.allows(wildcard, SocketAddrUse::TcpBind));
        assert!(any.allows(wildcard, SocketAddrUse::TcpListen));
        assert!(any.allows("0.0.0.0:8080".parse().unwrap(), SocketAddrUse::TcpBind));
        assert!(any.allows("[::]:8080".parse().unwrap(), SocketAddrUse::TcpListen));
        // Peers are still checked one by one.
        assert!(any.allows("127.0.0.1:5000".parse().unwrap(), SocketAddrUse::TcpAccept));
        assert!(!any.allows(
            "198.51.100.1:5000".parse().unwrap(),
            SocketAddrUse::TcpAccept
        ));
        assert!(!any.allows(
            "198.51.100.1:80".parse().unwrap(),
            SocketAddrUse::TcpConnect
        ));
        // The narrower choice: no listener on every interface, connects unchanged.
        let granted = grant(true, false);
        assert!(granted.allows(wildcard, SocketAddrUse::TcpBind));
        assert!(!granted.allows(wildcard, SocketAddrUse::TcpListen));
        assert!(!granted.allows("0.0.0.0:8080".parse().unwrap(), SocketAddrUse::UdpBind));
        assert!(granted.allows("127.0.0.1:8080".parse().unwrap(), SocketAddrUse::TcpListen));
        assert!(granted.allows("192.0.2.7:80".parse().unwrap(), SocketAddrUse::TcpConnect));
    }

    #[test]
    fn network_grants() {
        let allowed = vec!["10.1.2.3".to_string(), "192.0.2.1:80".to_string()];
        assert!(address_allowed("127.0.0.1:9".parse().unwrap(), &[]));
        assert!(address_allowed("[::1]:9".parse().unwrap(), &[]));
        assert!(!address_allowed("192.0.2.1:81".parse().unwrap(), &allowed));
        assert!(address_allowed("192.0.2.1:80".parse().unwrap(), &allowed));
        assert!(address_allowed("10.1.2.3:443".parse().unwrap(), &allowed));
        assert!(is_local_address("127.0.0.1".parse().unwrap()));
        // TEST-NET-1 (RFC 5737) is never assigned to an interface.
        assert!(!is_local_address("192.0.2.1".parse().unwrap()));
        assert!(!address_allowed("8.8.8.8:53".parse().unwrap(), &allowed));
    }

    #[test]
    fn dir_specs() {
        assert_eq!(
            DirGrant::parse("/data").unwrap(),
            DirGrant {
                host: "/data".into(),
                guest: "/data".into(),
                read_only: false
            }
        );
        assert_eq!(
            DirGrant::parse("out::/work:ro").unwrap(),
            DirGrant {
                host: "out".into(),
                guest: "/work".into(),
                read_only: true
            }
        );
        assert!(DirGrant::parse("::/x").is_err());
    }
}
