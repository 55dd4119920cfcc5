//! What a component can reach through the WASI interfaces it imports, grouped as `wct run`
//! grants them: the capability summary of `wct inspect`.

use serde::Serialize;

/// A capability of the host a component imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CapabilityKind {
    /// Environment variables, arguments, the working directory (`wasi:cli/environment`).
    Environment,
    /// Preopened directories and files (`wasi:filesystem`).
    Filesystem,
    /// Sockets and name lookup (`wasi:sockets`).
    Network,
    /// Outgoing HTTP requests (`wasi:http/outgoing-handler`, `wasi:http/client`).
    OutgoingHttp,
    /// A key-value store (`wasi:keyvalue`).
    Keyvalue,
    /// Runtime configuration variables (`wasi:config`).
    Config,
    /// Standard input, output and error, and terminals (`wasi:cli`'s streams).
    Stdio,
    /// The wall, system and monotonic clocks (`wasi:clocks`).
    Clocks,
    /// Random bytes (`wasi:random`).
    Random,
}

impl CapabilityKind {
    /// The capability an imported interface (`wasi:keyvalue/store@0.2.0-draft`) belongs to.
    pub fn of(interface: &str) -> Option<CapabilityKind> {
        let name = wct_wit::semver_key::base_name(interface);
        let (package, item) = name.split_once('/').unwrap_or((name, ""));
        Some(match package {
            "wasi:cli" => match item {
                "environment" => CapabilityKind::Environment,
                "stdin" | "stdout" | "stderr" => CapabilityKind::Stdio,
                _ if item.starts_with("terminal-") => CapabilityKind::Stdio,
                _ => return None,
            },
            "wasi:filesystem" => CapabilityKind::Filesystem,
            "wasi:sockets" => CapabilityKind::Network,
            "wasi:http" if matches!(item, "outgoing-handler" | "client") => {
                CapabilityKind::OutgoingHttp
            }
            "wasi:keyvalue" => CapabilityKind::Keyvalue,
            "wasi:config" => CapabilityKind::Config,
            "wasi:clocks" => CapabilityKind::Clocks,
            "wasi:random" => CapabilityKind::Random,
            _ => return None,
        })
    }

    /// What the summary calls it.
    pub fn label(self) -> &'static str {
        match self {
            CapabilityKind::Environment => "environment",
            CapabilityKind::Filesystem => "filesystem",
            CapabilityKind::Network => "network",
            CapabilityKind::OutgoingHttp => "outgoing HTTP",
            CapabilityKind::Keyvalue => "key-value store",
            CapabilityKind::Config => "configuration",
            CapabilityKind::Stdio => "stdio",
            CapabilityKind::Clocks => "clocks",
            CapabilityKind::Random => "random",
        }
    }

    /// The `wct run` (and `wct serve`) flags that grant it, or `None` when it is always given.
    pub fn granted_by(self) -> Option<&'static str> {
        match self {
            CapabilityKind::Environment => Some("--env, --env-inherit"),
            CapabilityKind::Filesystem => Some("--dir"),
            CapabilityKind::Network => Some("--net"),
            CapabilityKind::OutgoingHttp => Some("--allow-http"),
            CapabilityKind::Keyvalue => Some("--keyvalue"),
            CapabilityKind::Config => Some("--config, --config-file, --allow-config-env"),
            CapabilityKind::Stdio | CapabilityKind::Clocks | CapabilityKind::Random => None,
        }
    }
}

/// One capability and the imports that reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capability {
    /// Which.
    pub kind: CapabilityKind,
    /// The imported interfaces, with versions, in import order.
    pub interfaces: Vec<String>,
    /// The `wct run` flags that grant it (`None`: always given).
    pub granted_by: Option<&'static str>,
}

/// The capabilities `imports` (interface names with versions) reach, in [`CapabilityKind`]
/// order.
pub fn capabilities<'a>(imports: impl IntoIterator<Item = &'a str>) -> Vec<Capability> {
    let mut out: Vec<Capability> = Vec::new();
    for import in imports {
        let Some(kind) = CapabilityKind::of(import) else {
            continue;
        };
        match out.iter_mut().find(|c| c.kind == kind) {
            Some(c) => c.interfaces.push(import.to_string()),
            None => out.push(Capability {
                kind,
                interfaces: vec![import.to_string()],
                granted_by: kind.granted_by(),
            }),
        }
    }
    out.sort_by_key(|c| c.kind);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_group_by_capability() {
        let caps = capabilities([
            "wasi:keyvalue/store@0.2.0-draft",
            "wasi:cli/stdout@0.2.12",
            "wasi:config/store@0.2.0-rc.1",
            "wasi:keyvalue/batch@0.2.0-draft",
            "wasi:http/types@0.2.12",
            "wasi:cli/exit@0.2.12",
        ]);
        let kinds: Vec<CapabilityKind> = caps.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                CapabilityKind::Keyvalue,
                CapabilityKind::Config,
                CapabilityKind::Stdio
            ]
        );
        assert_eq!(
            caps[0].interfaces,
            [
                "wasi:keyvalue/store@0.2.0-draft",
                "wasi:keyvalue/batch@0.2.0-draft"
            ]
        );
        assert_eq!(caps[0].granted_by, Some("--keyvalue"));
        assert_eq!(caps[2].granted_by, None);
    }
}
