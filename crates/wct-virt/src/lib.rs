//! Virtualizing what a component sees of WASI 0.2: the component is composed with small
//! virtualizing components that export the WASI interfaces it imports, answering from a
//! configuration baked into them (environment, arguments, a fixed clock, a seeded random
//! generator) or refusing (files, sockets, HTTP, stdio, clocks, randomness), so the result
//! behaves the same on any host.
//!
//! - [`patch`]: fitting a bundled virtualizing module to the component (WASI versions, the
//!   interfaces kept, the configuration as data);
//! - [`config`]: the configuration layout the modules read;
//! - [`virtualize`]: deciding what to virtualize from the [`Grants`], building each
//!   virtualizing component with wit-component and composing with wct-compose.
//!
//! The virtualizing modules are written in WAT (`crates/wct-virt/virt/*.wat`), assembled by
//! `cargo xtask fixtures` into the `.wasm` files next to them and bundled here; no compiler
//! runs at virtualization time.
#![deny(missing_docs)]

pub mod config;
pub mod patch;

use serde::Serialize;
use std::collections::BTreeMap;
use wit_component::{ComponentEncoder, DecodedWasm, StringEncoding};
use wit_parser::{Resolve, WorldKey};

/// What the component may reach; everything not granted is denied.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    /// Environment variables baked in.
    pub env: Vec<(String, String)>,
    /// Environment variables passed through from the host, by name.
    pub allow_env: Vec<String>,
    /// Arguments baked in; `None` passes the host's through.
    pub args: Option<Vec<String>>,
    /// The wall clock and the monotonic clock.
    pub clock: Clock,
    /// `wasi:random` (all three interfaces).
    pub random: Random,
    /// `wasi:cli/stdin`.
    pub stdin: Access,
    /// `wasi:cli/stdout`.
    pub stdout: Access,
    /// `wasi:cli/stderr`.
    pub stderr: Access,
    /// The host's preopened directories.
    pub files: Access,
    /// Creating TCP and UDP sockets.
    pub network: Access,
    /// Outgoing HTTP requests.
    pub http: Access,
}

/// Allowed (the host's own) or denied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// The host's.
    Allow,
    /// Refused.
    #[default]
    Deny,
}

/// What the clocks say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    /// The host's clocks.
    Allow,
    /// Reading a clock traps.
    #[default]
    Deny,
    /// The wall clock always says this time (seconds and nanoseconds since the Unix epoch);
    /// the monotonic clock starts at 0 and advances 1 ms per reading.
    Fixed {
        /// Seconds since 1970-01-01T00:00:00Z.
        seconds: u64,
        /// Nanoseconds.
        nanoseconds: u32,
    },
}

/// Where random bytes come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Random {
    /// The host's.
    Allow,
    /// Asking traps.
    #[default]
    Deny,
    /// A deterministic generator with this seed.
    Seeded(u64),
}

/// The monotonic clock's step per reading when the clock is fixed.
pub const MONOTONIC_STEP_NS: u64 = 1_000_000;

/// How one imported interface is provided in the result.
#[derive(Debug, Clone, Serialize)]
pub struct Virtualized {
    /// The import, with its version (`wasi:cli/environment@0.2.9`).
    pub import: String,
    /// How it answers.
    pub how: String,
    /// Whether every call is refused.
    pub denied: bool,
}

/// The result of [`virtualize`].
#[derive(Debug, Clone, Serialize)]
pub struct VirtReport {
    /// The virtualized imports.
    pub virtualized: Vec<Virtualized>,
    /// Imports left to the host, as the result imports them.
    pub host_imports: Vec<String>,
    /// Grants for interfaces the component does not import.
    pub unused_grants: Vec<String>,
}

/// The virtualized component and what was done.
#[derive(Debug, Clone)]
pub struct Virtual {
    /// The composed component.
    pub bytes: Vec<u8>,
    /// What is virtualized and how.
    pub report: VirtReport,
}

/// Why a component could not be virtualized.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum VirtError {
    /// The input is not a component.
    #[error("not a component: {0}")]
    NotAComponent(String),
    /// It imports no interface this virtualizes.
    #[error("the component imports no WASI 0.2 interface that can be virtualized (it imports: {})", if imports.is_empty() { "nothing".to_string() } else { imports.join(", ") })]
    #[diagnostic(help("virtualized are wasi:cli/environment, stdin, stdout, stderr, wasi:clocks, wasi:random, wasi:filesystem/preopens, the socket creation interfaces and wasi:http/outgoing-handler"))]
    NothingToVirtualize {
        /// What it imports.
        imports: Vec<String>,
    },
    /// A grant denies an interface that cannot be virtualized yet.
    #[error("the component imports {import}, which wct virt cannot virtualize yet, so it cannot be denied")]
    #[diagnostic(help("leave it to the host with {flag}"))]
    CannotDeny {
        /// The import.
        import: String,
        /// The flag that allows it.
        flag: &'static str,
    },
    /// Building or composing failed.
    #[error("virtualizing failed: {0:#}")]
    Build(anyhow::Error),
    /// Composing failed.
    #[error(transparent)]
    Compose(#[from] wct_compose::ComposeError),
}

/// A WASI generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Generation {
    /// 0.2.x.
    P2,
    /// 0.3.0.
    P3,
}

impl Generation {
    /// The generation of a WASI version, if it is one virtualized.
    fn of(version: &str) -> Option<Generation> {
        if version.starts_with("0.2.") {
            Some(Generation::P2)
        } else if version == "0.3.0" {
            Some(Generation::P3)
        } else {
            None
        }
    }
}

/// A bundled virtualizing module: the interfaces it exports (unversioned) in one WASI
/// generation, and the names to change when its source is written for another.
struct Module {
    name: &'static str,
    generation: Generation,
    wasm: &'static [u8],
    interfaces: &'static [&'static str],
    renames: &'static [(&'static str, &'static str)],
}

const fn module(
    name: &'static str,
    generation: Generation,
    wasm: &'static [u8],
    interfaces: &'static [&'static str],
) -> Module {
    Module {
        name,
        generation,
        wasm,
        interfaces,
        renames: &[],
    }
}

const ENVIRONMENT: &[u8] = include_bytes!("../virt/environment.wasm");
const RANDOM: &[u8] = include_bytes!("../virt/random.wasm");
const PREOPENS: &[u8] = include_bytes!("../virt/preopens.wasm");
const RANDOM_INTERFACES: &[&str] = &[
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
];

const MODULES: &[Module] = &[
    module(
        "environment",
        Generation::P2,
        ENVIRONMENT,
        &["wasi:cli/environment"],
    ),
    module(
        "wall-clock",
        Generation::P2,
        include_bytes!("../virt/wall-clock.wasm"),
        &["wasi:clocks/wall-clock"],
    ),
    module(
        "monotonic-clock",
        Generation::P2,
        include_bytes!("../virt/monotonic-clock.wasm"),
        &["wasi:clocks/monotonic-clock"],
    ),
    module("random", Generation::P2, RANDOM, RANDOM_INTERFACES),
    module(
        "stdio",
        Generation::P2,
        include_bytes!("../virt/stdio.wasm"),
        &["wasi:cli/stdin", "wasi:cli/stdout", "wasi:cli/stderr"],
    ),
    module(
        "preopens",
        Generation::P2,
        PREOPENS,
        &["wasi:filesystem/preopens"],
    ),
    module(
        "sockets",
        Generation::P2,
        include_bytes!("../virt/sockets.wasm"),
        &[
            "wasi:sockets/tcp-create-socket",
            "wasi:sockets/udp-create-socket",
        ],
    ),
    module(
        "outgoing-handler",
        Generation::P2,
        include_bytes!("../virt/outgoing-handler.wasm"),
        &["wasi:http/outgoing-handler"],
    ),
    Module {
        renames: &[(
            "wasi:cli/environment@0.3.0#initial-cwd",
            "wasi:cli/environment@0.3.0#get-initial-cwd",
        )],
        ..module(
            "environment",
            Generation::P3,
            ENVIRONMENT,
            &["wasi:cli/environment"],
        )
    },
    module(
        "system-clock",
        Generation::P3,
        include_bytes!("../virt/system-clock.wasm"),
        &["wasi:clocks/system-clock"],
    ),
    module(
        "monotonic-clock-p3",
        Generation::P3,
        include_bytes!("../virt/monotonic-clock-p3.wasm"),
        &["wasi:clocks/monotonic-clock"],
    ),
    Module {
        renames: &[(
            "wasi:random/insecure-seed@0.3.0#insecure-seed",
            "wasi:random/insecure-seed@0.3.0#get-insecure-seed",
        )],
        ..module("random", Generation::P3, RANDOM, RANDOM_INTERFACES)
    },
    module(
        "stdio-p3",
        Generation::P3,
        include_bytes!("../virt/stdio-p3.wasm"),
        &["wasi:cli/stdin", "wasi:cli/stdout", "wasi:cli/stderr"],
    ),
    module(
        "preopens",
        Generation::P3,
        PREOPENS,
        &["wasi:filesystem/preopens"],
    ),
];

/// Imports a grant would deny that no bundled module can virtualize yet: (unversioned
/// interface, generation, the flag that leaves it to the host).
const NOT_VIRTUALIZABLE: &[(&str, Generation, &str)] = &[
    ("wasi:sockets/types", Generation::P3, "--network allow"),
    ("wasi:http/client", Generation::P3, "--http allow"),
];

/// The names of the bundled modules (their sources are `virt/NAME.wat`).
pub fn module_names() -> impl Iterator<Item = &'static str> {
    let mut names: Vec<&str> = MODULES.iter().map(|m| m.name).collect();
    names.dedup();
    names.into_iter()
}

/// Whether `interface` (unversioned) is virtualized under `grants`, with how it answers and
/// its module's configuration.
fn decide(interface: &str, g: &Grants) -> Option<(String, bool, Vec<u8>)> {
    let access = |a: Access, what: &str| match a {
        Access::Allow => None,
        Access::Deny => Some((format!("denied: {what}"), true, config::empty())),
    };
    match interface {
        "wasi:cli/environment" => {
            let mut how = vec![format!("{} baked variable(s)", g.env.len())];
            if !g.allow_env.is_empty() {
                how.push(format!("passed through: {}", g.allow_env.join(", ")));
            }
            how.push(match &g.args {
                Some(args) => format!("{} baked argument(s)", args.len()),
                None => "the host's arguments".to_string(),
            });
            let c = config::EnvironmentConfig {
                env: g.env.clone(),
                pass: g.allow_env.clone(),
                args: g.args.clone(),
            };
            Some((how.join("; "), false, config::environment(&c)))
        }
        "wasi:clocks/wall-clock" | "wasi:clocks/system-clock" => match g.clock {
            Clock::Allow => None,
            Clock::Deny => Some((
                "denied: reading the clock traps".into(),
                true,
                config::wall_clock(None),
            )),
            Clock::Fixed {
                seconds,
                nanoseconds,
            } => Some((
                format!("fixed at {seconds}.{nanoseconds:09} s since the Unix epoch"),
                false,
                config::wall_clock(Some((seconds, nanoseconds))),
            )),
        },
        "wasi:clocks/monotonic-clock" => match g.clock {
            Clock::Allow => None,
            Clock::Deny => Some((
                "denied: reading the clock traps".into(),
                true,
                config::monotonic_clock(None),
            )),
            Clock::Fixed { .. } => Some((
                format!("from 0, {MONOTONIC_STEP_NS} ns per reading"),
                false,
                config::monotonic_clock(Some(MONOTONIC_STEP_NS)),
            )),
        },
        "wasi:random/random" | "wasi:random/insecure" | "wasi:random/insecure-seed" => {
            match g.random {
                Random::Allow => None,
                Random::Deny => Some((
                    "denied: asking for random bytes traps".into(),
                    true,
                    config::random(None),
                )),
                Random::Seeded(seed) => Some((
                    format!("seeded with {seed}"),
                    false,
                    config::random(Some(seed)),
                )),
            }
        }
        "wasi:cli/stdin" => access(g.stdin, "getting the stream traps"),
        "wasi:cli/stdout" => access(g.stdout, "getting the stream traps"),
        "wasi:cli/stderr" => access(g.stderr, "getting the stream traps"),
        "wasi:filesystem/preopens" => access(g.files, "no preopened directory"),
        "wasi:sockets/tcp-create-socket" | "wasi:sockets/udp-create-socket" => {
            access(g.network, "creating a socket fails with access-denied")
        }
        "wasi:http/outgoing-handler" => access(g.http, "requests fail with HTTP-request-denied"),
        _ => None,
    }
}

/// `wasi:cli/environment@0.2.9` -> (`wasi:cli/environment`, `wasi:cli`, `0.2.9`).
fn split_import(name: &str) -> Option<(&str, &str, &str)> {
    let (interface, version) = name.split_once('@')?;
    let package = interface.split('/').next()?;
    Some((interface, package, version))
}

/// Composes `component` with virtualizing components for the WASI 0.2 interfaces it
/// imports, as `grants` say.
pub fn virtualize(component: &[u8], grants: &Grants) -> Result<Virtual, VirtError> {
    if component.get(4..8) == Some(&[1, 0, 0, 0]) {
        return Err(VirtError::NotAComponent(
            "a core wasm module: make it a component first (`wct adapt` for a WASI Preview 1 program)".into(),
        ));
    }
    let (resolve, world) = match wit_component::decode(component) {
        Ok(DecodedWasm::Component(resolve, world)) => (resolve, world),
        Ok(DecodedWasm::WitPackage(..)) => {
            return Err(VirtError::NotAComponent(
                "a WIT package, not a component".into(),
            ))
        }
        Err(e) => return Err(VirtError::NotAComponent(format!("{e:#}"))),
    };
    let imports: Vec<String> = resolve.worlds[world]
        .imports
        .keys()
        .filter_map(|k| match k {
            WorldKey::Interface(id) => resolve.id_of(*id),
            WorldKey::Name(_) => None,
        })
        .collect();
    for import in &imports {
        let Some((interface, _, version)) = split_import(import) else {
            continue;
        };
        for (name, generation, flag) in NOT_VIRTUALIZABLE {
            let denied = match *flag {
                "--network allow" => grants.network == Access::Deny,
                _ => grants.http == Access::Deny,
            };
            if interface == *name && Generation::of(version) == Some(*generation) && denied {
                return Err(VirtError::CannotDeny {
                    import: import.clone(),
                    flag,
                });
            }
        }
    }
    let versions = package_versions(&imports);
    let mut resolves: BTreeMap<&str, Resolve> = BTreeMap::new();
    let mut virtualized = Vec::new();
    let mut plugs = Vec::new();
    for module in MODULES {
        // One virtualizing component per version of the module's package the guest imports.
        let mut by_version: BTreeMap<String, Vec<(String, String, Vec<u8>, String, bool)>> =
            BTreeMap::new();
        for import in &imports {
            let Some((interface, package, version)) = split_import(import) else {
                continue;
            };
            if Generation::of(version) != Some(module.generation)
                || !module.interfaces.contains(&interface)
            {
                continue;
            }
            if let Some((how, denied, config)) = decide(interface, grants) {
                by_version
                    .entry(format!("{package}@{version}"))
                    .or_default()
                    .push((interface.to_string(), import.clone(), config, how, denied));
            }
        }
        for (package_version, chosen) in by_version {
            let (package, version) = package_version.split_once('@').expect("package@version");
            let module_versions = BTreeMap::from([(package.to_string(), version.to_string())]);
            let keep: Vec<String> = chosen.iter().map(|c| c.0.clone()).collect();
            let key = if module.generation == Generation::P2 {
                "p2"
            } else {
                "p3"
            };
            if !resolves.contains_key(key) {
                let resolve = match module.generation {
                    Generation::P2 => wasi_resolve(wct_wit::builtin::wasi_0_2_sources(), &versions),
                    Generation::P3 => {
                        wasi_resolve(wct_wit::builtin::wasi_0_3_sources(), &BTreeMap::new())
                    }
                }
                .map_err(VirtError::Build)?;
                resolves.insert(key, resolve);
            }
            let mut bytes = build(
                module,
                &resolves[key],
                &module_versions,
                &keep,
                &chosen[0].2,
            )
            .map_err(VirtError::Build)?;
            let how: Vec<String> = chosen.iter().map(|c| format!("{}: {}", c.1, c.3)).collect();
            describe(&mut bytes, &how);
            plugs.push(wct_compose::Component {
                name: format!(
                    "wct-virt-{}-{}",
                    module.name.trim_end_matches("-p3"),
                    version.replace('.', "-")
                ),
                bytes,
            });
            for (_, import, _, how, denied) in chosen {
                virtualized.push(Virtualized {
                    import,
                    how,
                    denied,
                });
            }
        }
    }
    if plugs.is_empty() {
        return Err(VirtError::NothingToVirtualize { imports });
    }
    let mut components = vec![wct_compose::Component {
        name: "component".to_string(),
        bytes: component.to_vec(),
    }];
    components.extend(plugs);
    let composed = wct_compose::compose(components, &wct_compose::Options::default())?;
    let host_imports = composed
        .plan
        .unfilled
        .iter()
        .map(|u| u.import.clone())
        .collect();
    virtualized.sort_by(|a, b| a.import.cmp(&b.import));
    Ok(Virtual {
        bytes: composed.bytes,
        report: VirtReport {
            virtualized,
            host_imports,
            unused_grants: unused_grants(&imports, grants),
        },
    })
}

/// The name of the custom section in which each virtualizing component says what it does
/// (one line per interface), for `wct inspect` and people reading the binary.
pub const DESCRIPTION_SECTION: &str = "wct-virt";

/// Appends the [`DESCRIPTION_SECTION`] to a component.
fn describe(component: &mut Vec<u8>, how: &[String]) {
    let text = how.join("\n");
    let section = wasm_encoder::CustomSection {
        name: DESCRIPTION_SECTION.into(),
        data: std::borrow::Cow::Borrowed(text.as_bytes()),
    };
    use wasm_encoder::{ComponentSection, Encode};
    component.push(section.id());
    section.encode(component);
}

/// Grants that name an interface the component does not import.
fn unused_grants(imports: &[String], g: &Grants) -> Vec<String> {
    let imported = |prefix: &str| imports.iter().any(|i| i.starts_with(prefix));
    let mut unused = Vec::new();
    let mut check = |given: bool, prefix: &str, what: &str| {
        if given && !imported(prefix) {
            unused.push(format!("{what}: the component does not import {prefix}"));
        }
    };
    check(
        !g.env.is_empty() || !g.allow_env.is_empty(),
        "wasi:cli/environment",
        "environment variables",
    );
    check(g.clock != Clock::Deny, "wasi:clocks/", "--clock");
    check(g.random != Random::Deny, "wasi:random/", "--random");
    check(g.files == Access::Allow, "wasi:filesystem/", "--files");
    check(g.network == Access::Allow, "wasi:sockets/", "--network");
    check(g.http == Access::Allow, "wasi:http/", "--http");
    unused
}

/// The WASI 0.2 packages each imported at the version the component imports it
/// (`wasi:cli` -> `0.2.9`), from its imports.
fn package_versions(imports: &[String]) -> BTreeMap<String, String> {
    imports
        .iter()
        .filter_map(|i| split_import(i))
        .filter(|(_, _, v)| Generation::of(v) == Some(Generation::P2))
        .map(|(_, p, v)| (p.to_string(), v.to_string()))
        .collect()
}

/// The bundled WASI 0.2.12 WIT with each package renumbered to the version the component
/// imports (the 0.2.x releases differ in added items only, never in the shape of an
/// existing function), so the virtualizing components' types are the component's own.
/// The component's own WIT is not enough: it holds only the functions it calls.
fn wasi_resolve(
    sources: &[(&str, &str)],
    versions: &BTreeMap<String, String>,
) -> anyhow::Result<Resolve> {
    let mut resolve = Resolve::default();
    for (name, text) in sources {
        let text = renumber_text(text, versions);
        let text = match package_version(&text) {
            Some(version) => clamp_since(&text, &version),
            None => text,
        };
        resolve.push_str(format!("wasi/{name}"), &text)?;
    }
    Ok(resolve)
}

/// The version in a WIT file's `package wasi:NAME@VERSION;` line.
fn package_version(text: &str) -> Option<String> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("package "))?;
    let version = line.split('@').nth(1)?;
    Some(version.trim_end_matches(';').trim().to_string())
}

/// `@since(version = V)` with V later than `version` says `version` instead: a package
/// renumbered to an earlier 0.2 release keeps the items it shares with it, and wit-parser
/// refuses gates on releases after the package's own.
fn clamp_since(text: &str, version: &str) -> String {
    let minor = |v: &str| -> Option<(u64, u64, u64)> {
        let mut parts = v.split('.').map(|p| p.parse::<u64>().ok());
        Some((parts.next()??, parts.next()??, parts.next()??))
    };
    let Some(target) = minor(version) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    const GATE: &str = "@since(version = ";
    while let Some(at) = rest.find(GATE) {
        let start = at + GATE.len();
        out.push_str(&rest[..start]);
        let end = rest[start..].find(')').map_or(rest.len(), |e| start + e);
        let gate = &rest[start..end];
        match minor(gate) {
            Some(v) if v > target => out.push_str(version),
            _ => out.push_str(gate),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Every `wasi:NAME@0.2.12` and `wasi:NAME/ITEM@0.2.12` in `text` with NAME's version from
/// `versions`.
fn renumber_text(text: &str, versions: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("wasi:") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '-' | '_')))
            .unwrap_or(tail.len());
        let name = &tail[..end];
        let package = name.split('/').next().unwrap_or(name);
        let after = &tail[end..];
        match (after.strip_prefix("@0.2.12"), versions.get(package)) {
            (Some(after), Some(version)) => {
                out.push_str(name);
                out.push('@');
                out.push_str(version);
                rest = after;
            }
            _ => {
                out.push_str(name);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Builds one virtualizing component: the module fitted to the component's versions, with
/// a world that exports `keep` and imports what the module calls.
fn build(
    module: &Module,
    guest: &Resolve,
    versions: &BTreeMap<String, String>,
    keep: &[String],
    config: &[u8],
) -> anyhow::Result<Vec<u8>> {
    let mut core = patch::apply(
        module.wasm,
        &patch::Patch {
            versions,
            keep,
            config,
            renames: module.renames,
        },
    )?;
    let version = versions.values().next().expect("one package");
    let mut wit = format!("package wct:virt-{};\n\nworld virt {{\n", module.name);
    for interface in called_interfaces(&core)? {
        wit.push_str(&format!("  import {interface};\n"));
    }
    for interface in keep {
        wit.push_str(&format!("  export {interface}@{version};\n"));
    }
    wit.push_str("}\n");
    let mut resolve = guest.clone();
    let package = resolve.push_str(format!("{}.wit", module.name), &wit)?;
    let world = resolve.select_world(&[package], Some("virt"))?;
    wit_component::embed_component_metadata(
        &mut core,
        &resolve,
        world,
        StringEncoding::UTF8,
        false,
    )?;
    ComponentEncoder::default()
        .module(&core)?
        .validate(true)
        .encode()
}

/// The interfaces a module imports functions from (`wasi:cli/environment@0.2.9`).
fn called_interfaces(module: &[u8]) -> anyhow::Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::ImportSection(reader) = payload? {
            for import in reader.into_imports() {
                let module = import?.module.to_string();
                if !out.contains(&module) {
                    out.push(module);
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled modules are what their sources assemble to (`cargo xtask fixtures`
    /// rebuilds them).
    #[test]
    fn bundled_modules_are_up_to_date() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("virt");
        for module in MODULES {
            let built = wat::parse_file(dir.join(format!("{}.wat", module.name))).unwrap();
            assert!(
                built == module.wasm,
                "virt/{}.wasm is stale: run cargo xtask fixtures",
                module.name
            );
        }
    }

    #[test]
    fn clamps_feature_gates() {
        assert_eq!(
            clamp_since("@since(version = 0.2.12)\n@since(version = 0.2.0)", "0.2.9"),
            "@since(version = 0.2.9)\n@since(version = 0.2.0)"
        );
    }

    #[test]
    fn renumbers_wit_text() {
        let versions = BTreeMap::from([("wasi:io".to_string(), "0.2.9".to_string())]);
        assert_eq!(
            renumber_text("package wasi:io@0.2.12;\nuse wasi:io/poll@0.2.12.{pollable};\nuse wasi:cli/x@0.2.12;", &versions),
            "package wasi:io@0.2.9;\nuse wasi:io/poll@0.2.9.{pollable};\nuse wasi:cli/x@0.2.12;"
        );
    }
}
