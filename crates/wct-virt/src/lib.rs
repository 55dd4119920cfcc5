//! Virtualizing what a component sees of WASI 0.2 and 0.3: the component is composed with
//! small virtualizing components that export the WASI interfaces it imports, answering from a
//! configuration baked into them (environment, arguments, files, a fixed clock, a seeded
//! random generator) or refusing (files, sockets, HTTP, stdio, clocks, randomness), so the
//! result behaves the same on any host.
//!
//! - [`grants`]: what the component may reach, and how each virtualized interface answers;
//! - [`patch`]: fitting a bundled virtualizing module to the component (WASI versions, the
//!   interfaces kept, the configuration as data);
//! - [`config`]: the configuration layout the modules read;
//! - [`files`]: host folders read to be baked, and the configuration of the `files` module
//!   (WASI 0.2 streams, stdio and filesystem: baked files, the in-memory overlay, ignored
//!   stdio, the host's preopens wrapped);
//! - [`virtualize`]: deciding what to virtualize from the [`Grants`], building each
//!   virtualizing component with wit-component and composing with wct-compose.
//!
//! Private: `layer` (the virtualizing components made for one component), `streams` (when
//! wct's own streams serve WASI 0.2), `catalogue`, `assemble`, `generated`, `stub`,
//! `wasi_wit`, `flatten`, `http_filter` and `hazards`.
//!
//! The virtualizing modules are written in WAT (`crates/wct-virt/virt/*.wat`), bundled as
//! text and assembled when used, with the values the bundled WIT decides filled in
//! (`templates`); the `files` and `keyvalue` modules are written in C
//! (`virt/NAME/NAME.c`), compiled by `cargo xtask fixtures virt` into the `.wasm` files next
//! to them, and checked against their recorded sources by a test; no compiler runs at
//! virtualization time.
#![deny(missing_docs)]

mod abi;
mod assemble;
mod catalogue;
pub mod config;
mod config_layout;
pub mod files;
mod flatten;
mod generated;
pub mod grants;
mod hazards;
mod http_filter;
mod layer;
pub mod patch;
mod streams;
mod stub;
mod templates;
mod wasi_wit;

pub use catalogue::module_names;
pub use grants::{
    Access, Clock, ConfigGrant, Grants, KeyValueGrant, Mount, Random, Stream,
    DEFAULT_MAX_BAKE_SIZE, MONOTONIC_STEP_NS,
};

use catalogue::{Generation, KEYVALUE, MODULES};
use layer::{p3_http_client, Layer};
use serde::Serialize;
use streams::{files_wanted, plan_files, streams_refused};
use wasi_wit::split_import;
use wit_component::DecodedWasm;
use wit_parser::WorldKey;

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
    /// What the grants deny that the component's language runtime needs to start.
    pub startup_hazards: Vec<String>,
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
    /// The input is a core module.
    #[error("not a component: a core wasm module")]
    #[diagnostic(help("make it a component first (`wct adapt` for a WASI Preview 1 program)"))]
    CoreModule,
    /// The input is a WIT package.
    #[error("not a component: a WIT package")]
    WitPackage,
    /// The input does not decode as a component; the cause says where.
    #[error("not a component")]
    Undecodable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// It imports no interface this virtualizes.
    #[error("the component imports no WASI 0.2 interface that can be virtualized (it imports: {})", if imports.is_empty() { "nothing".to_string() } else { imports.join(", ") })]
    #[diagnostic(help("virtualized are wasi:cli/environment, stdin, stdout, stderr, wasi:clocks, wasi:random, wasi:filesystem/preopens, the socket creation interfaces, wasi:http/outgoing-handler, wasi:config/store and wasi:keyvalue"))]
    NothingToVirtualize {
        /// What it imports.
        imports: Vec<String>,
    },
    /// A grant needs wct's own streams (virtual files, ignored stdio), which this component
    /// cannot be given.
    #[error("{what} cannot be virtualized for this component: {reason}")]
    #[diagnostic(help("{advice}"))]
    Unsupported {
        /// What was asked.
        what: String,
        /// Why not.
        reason: String,
        /// What to do instead.
        advice: String,
    },
    /// A WASI import of a generation wct virtualizes, at a version it has no WIT for: left to
    /// the host, it would reach past the grants.
    #[error(
        "{import} is WASI {generation}, which wct virt virtualizes at {supported} only, so it \
         cannot place this import"
    )]
    #[diagnostic(help("build the component against WASI {supported}"))]
    UnplacedVersion {
        /// The import, with its version.
        import: String,
        /// Its generation.
        generation: Generation,
        /// The version wct virt has.
        supported: String,
    },
    /// Two grants give the same guest path.
    #[error("{path} is given twice ({first} and {second})")]
    SamePath {
        /// The guest path.
        path: String,
        /// The first grant.
        first: &'static str,
        /// The second.
        second: &'static str,
    },
    /// A folder to mount could not be baked.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Mount(#[from] files::MountError),
    /// Building a virtualizing component failed: wct's fault, not the input's.
    #[error("virtualizing failed: cannot build {what}")]
    Build {
        /// What was being built (a bundled module by name, a generated component, the WIT).
        what: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Composing failed.
    #[error(transparent)]
    Compose(#[from] wct_compose::ComposeError),
}

/// The [`VirtError::Build`] of `what` for its cause.
fn build_error(what: impl Into<String>) -> impl FnOnce(anyhow::Error) -> VirtError {
    let what = what.into();
    move |source| VirtError::Build {
        what,
        source: source.into(),
    }
}

/// The imports of a component, by name with version.
fn imports_of(component: &[u8]) -> Result<Vec<String>, VirtError> {
    if component.get(4..8) == Some(&[1, 0, 0, 0]) {
        return Err(VirtError::CoreModule);
    }
    let (resolve, world) = match wit_component::decode(component) {
        Ok(DecodedWasm::Component(resolve, world)) => (resolve, world),
        Ok(DecodedWasm::WitPackage(..)) => return Err(VirtError::WitPackage),
        Err(e) => return Err(VirtError::Undecodable(e.into())),
    };
    Ok(resolve.worlds[world]
        .imports
        .keys()
        .filter_map(|k| match k {
            WorldKey::Interface(id) => resolve.id_of(*id),
            WorldKey::Name(_) => None,
        })
        .collect())
}

/// Composes `component` with virtualizing components for the WASI 0.2 and 0.3 interfaces
/// it imports, as `grants` say.
pub fn virtualize(component: &[u8], grants: &Grants) -> Result<Virtual, VirtError> {
    let imports = imports_of(component)?;
    if let Some(error) = unplaced_version(&imports) {
        return Err(error);
    }
    if let Some(error) = streams_refused(&imports, grants) {
        return Err(error);
    }
    let mut layer = Layer {
        versions: wasi_wit::package_versions(&imports),
        p2: None,
        p3: None,
        plugs: Vec::new(),
        virtualized: Vec::new(),
        served_elsewhere: Vec::new(),
    };
    if files_wanted(&imports, grants) {
        let plan = plan_files(grants)?;
        layer.files(&imports, grants, &plan)?;
        if !layer.served_elsewhere.is_empty() && grants.network == Access::Deny {
            layer.p2_tcp_denied(&imports)?;
        }
    }
    for module in MODULES.iter().chain([&KEYVALUE]) {
        layer.module(module, &imports, grants)?;
    }
    if grants.network == Access::Deny {
        layer.p2_name_lookup_denied(&imports)?;
        layer.p3_sockets(&imports)?;
    }
    if grants.http == Access::Deny
        && grants.allow_http.is_empty()
        && imports.contains(&p3_http_client())
    {
        layer.p3_http_client()?;
    }
    if layer.plugs.is_empty() {
        return Err(VirtError::NothingToVirtualize { imports });
    }
    let mut components = vec![wct_compose::Component {
        name: "component".to_string(),
        bytes: component.to_vec(),
    }];
    components.extend(layer.plugs);
    let composed = wct_compose::compose(components, &wct_compose::Options::default())?;
    // What the result imports, once each (the composition's unfilled list names an import
    // once per component that leaves it open).
    let bytes = composed.wasm.into_vec();
    let host_imports = imports_of(&bytes)?;
    let mut virtualized = layer.virtualized;
    virtualized.sort_by(|a, b| a.import.cmp(&b.import));
    Ok(Virtual {
        bytes,
        report: VirtReport {
            virtualized,
            host_imports,
            unused_grants: unused_grants(&imports, grants),
            startup_hazards: hazards::startup_hazards(component, &imports, grants),
        },
    })
}

/// The first WASI 0.3 import at another version than the bundled one (a release
/// candidate, a later 0.3.x).
fn unplaced_version(imports: &[String]) -> Option<VirtError> {
    let supported = wasi_wit::p3_version();
    imports.iter().find_map(|import| {
        let (_, _, version) = split_import(import)?;
        (Generation::of_version(version) == Some(Generation::P3) && version != supported).then(
            || VirtError::UnplacedVersion {
                import: import.clone(),
                generation: Generation::P3,
                supported: supported.clone(),
            },
        )
    })
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
    check(
        g.files == Access::Allow
            || !g.preopen.is_empty()
            || !g.mounts.is_empty()
            || !g.overlay.is_empty(),
        "wasi:filesystem/",
        "--files/--preopen/--mount/--overlay",
    );
    for (stream, name, flag) in [
        (g.stdin, "wasi:cli/stdin", "--stdin ignore"),
        (g.stdout, "wasi:cli/stdout", "--stdout ignore"),
        (g.stderr, "wasi:cli/stderr", "--stderr ignore"),
    ] {
        check(stream == Stream::Ignore, name, flag);
    }
    check(g.network == Access::Allow, "wasi:sockets/", "--network");
    check(
        matches!(g.config, ConfigGrant::Baked(_) | ConfigGrant::Allow),
        "wasi:config/",
        "--config/--config-file/--allow-config",
    );
    check(
        g.keyvalue != KeyValueGrant::Deny,
        "wasi:keyvalue/",
        "--keyvalue",
    );
    check(
        g.http == Access::Allow || !g.allow_http.is_empty(),
        "wasi:http/",
        "--http/--allow-http",
    );
    unused
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compiled modules were built from the sources as they are: `cargo xtask fixtures`
    /// records the SHA-256 of `NAME.c`, `NAME.wit` and the shared `heap.h` in
    /// `virt/NAME.sources` when it compiles them (the test needs no compiler).
    #[test]
    fn the_c_modules_are_built_from_their_sources() {
        use sha2::Digest;
        let crate_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let stale = "run cargo xtask fixtures virt";
        for name in ["files", "keyvalue"] {
            let record =
                std::fs::read_to_string(crate_dir.join(format!("virt/{name}.sources"))).unwrap();
            let mut inputs = Vec::new();
            let mut module = None;
            for line in record.lines().filter(|l| !l.starts_with('#')) {
                let fields: Vec<&str> = line.splitn(4, ' ').collect();
                let checked = match fields[..] {
                    ["input", path, "sha256", digest] => {
                        inputs.push(path.to_string());
                        Some((path, digest))
                    }
                    ["module", path, "sha256", digest] => {
                        module = Some(path.to_string());
                        Some((path, digest))
                    }
                    ["tool", ..] => None,
                    _ => panic!("virt/{name}.sources: unexpected line `{line}`"),
                };
                if let Some((path, digest)) = checked {
                    let bytes = std::fs::read(crate_dir.join(path)).unwrap();
                    let hex: String = sha2::Sha256::digest(&bytes)
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    assert_eq!(hex, digest, "virt/{name}.wasm: {path} changed: {stale}");
                }
            }
            for required in [
                format!("virt/{name}/{name}.c"),
                format!("virt/{name}/{name}.wit"),
                "virt/heap.h".to_string(),
                "../wct-wit/wit/wasi-0.2.12/io.wit".to_string(),
            ] {
                assert!(
                    inputs.contains(&required),
                    "{name}: {required} not recorded"
                );
            }
            assert_eq!(
                module.as_deref(),
                Some(format!("virt/{name}.wasm").as_str())
            );
        }
    }

    /// The HTTP filter with its generated `task.return` body validates: every flat value
    /// of `result<response, error-code>` is loaded and converted to its joined type.
    #[test]
    fn the_client_filter_validates_with_its_generated_body() {
        let wasi = crate::wasi_wit::wasi_resolve(
            wct_wit::builtin::wasi_0_3_sources(),
            &std::collections::BTreeMap::new(),
        )
        .unwrap();
        let generated = http_filter::client_filter_bodies(&wasi).unwrap();
        let bodies: Vec<(&str, wasm_encoder::Function)> = generated
            .iter()
            .map(|(n, b)| (n.as_str(), b.clone()))
            .collect();
        let core = crate::patch::apply(
            &templates::assemble("client-filter-p3", http_filter::CLIENT_FILTER_P3_WAT).unwrap(),
            &crate::patch::Patch {
                versions: &std::collections::BTreeMap::new(),
                keep: &["wasi:http/client".to_string()],
                config: &crate::config::allowed_authorities(&["example.com".into()]),
                renames: &[],
                bodies: &bodies,
            },
        )
        .unwrap();
        wasmparser::Validator::new().validate_all(&core).unwrap();
        let exports: Vec<String> = wasmparser::Parser::new(0)
            .parse_all(&core)
            .filter_map(|p| match p.unwrap() {
                wasmparser::Payload::ExportSection(r) => Some(
                    r.into_iter()
                        .map(|e| e.unwrap().name.to_string())
                        .collect::<Vec<_>>(),
                ),
                _ => None,
            })
            .flatten()
            .collect();
        assert!(!exports
            .iter()
            .any(|e| e.starts_with(crate::patch::GENERATED_PREFIX)));
    }

    /// A component importing all of `wasi:cli/imports` at the bundled version of
    /// `generation`, built from the bundled WIT (a dummy core module by wit-component).
    fn cli_imports_component(generation: Generation) -> Vec<u8> {
        let wasi = wasi_wit::wasi_resolve(
            wasi_wit::bundled_sources(generation),
            &std::collections::BTreeMap::new(),
        )
        .unwrap();
        let version = wasi_wit::bundled_version_of(generation);
        let wit = format!(
            "package test:app;\nworld virt {{\n  include wasi:cli/imports@{version};\n}}\n"
        );
        let (resolve, world) = assemble::with_world(&wasi, "app", &wit).unwrap();
        let core = wit_component::dummy_module(
            &resolve,
            world,
            wit_parser::ManglingAndAbi::Legacy(wit_parser::LiftLowerAbi::Sync),
        );
        assemble::encode(core, &resolve, world).unwrap()
    }

    /// Bumping the bundled WASI WIT to a later release needs no change in this crate: no
    /// version, case index or offset here is written for one release. A component built
    /// against the bumped WIT virtualizes with everything denied, each virtualized import
    /// and each import left to the host at the bumped version, and the result validates.
    #[test]
    fn a_bumped_bundled_wit_virtualizes_what_is_built_against_it() {
        for (generation, version, virtualized) in [
            (
                Generation::P2,
                "0.2.99",
                &[
                    "wasi:cli/environment",
                    "wasi:clocks/wall-clock",
                    "wasi:random/random",
                    "wasi:cli/stdout",
                    "wasi:sockets/tcp-create-socket",
                    "wasi:sockets/ip-name-lookup",
                ][..],
            ),
            (
                Generation::P3,
                "0.3.9",
                &[
                    "wasi:cli/environment",
                    "wasi:clocks/system-clock",
                    "wasi:random/random",
                    "wasi:cli/stdout",
                    "wasi:sockets/types",
                    "wasi:sockets/ip-name-lookup",
                ][..],
            ),
        ] {
            wasi_wit::tests::with_bundled(generation, version, || {
                let component = cli_imports_component(generation);
                let virt = virtualize(&component, &Grants::default()).unwrap();
                wasmparser::Validator::new()
                    .validate_all(&virt.bytes)
                    .unwrap();
                for interface in virtualized {
                    let import = format!("{interface}@{version}");
                    assert!(
                        virt.report.virtualized.iter().any(|v| v.import == import),
                        "{import} not virtualized: {:?}",
                        virt.report.virtualized
                    );
                }
                let versioned = |name: &String| {
                    !name.starts_with("wasi:") || name.ends_with(&format!("@{version}"))
                };
                assert!(virt.report.virtualized.iter().all(|v| versioned(&v.import)));
                assert!(
                    virt.report.host_imports.iter().all(versioned),
                    "{:?}",
                    virt.report.host_imports
                );
            });
        }
    }

    /// Every bundled module assembles, for the bundled WIT, into a core module that
    /// validates; and nothing assembled is committed beside its source.
    #[test]
    fn the_bundled_modules_assemble_and_validate() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("virt");
        for module in MODULES.iter().chain([&catalogue::FILES, &KEYVALUE]) {
            let core = module.core().unwrap();
            wasmparser::Validator::new()
                .validate_all(&core)
                .unwrap_or_else(|e| panic!("{}: {e}", module.name));
            if let catalogue::Source::Wat(_) = module.source {
                let stale = dir.join(format!("{}.wasm", module.name));
                assert!(
                    !stale.exists(),
                    "{} is assembled when used",
                    stale.display()
                );
            }
        }
    }
}
