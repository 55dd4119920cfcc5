//! Virtualizing what a component sees of WASI 0.2: the component is composed with small
//! virtualizing components that export the WASI interfaces it imports, answering from a
//! configuration baked into them (environment, arguments, a fixed clock, a seeded random
//! generator) or refusing (files, sockets, HTTP, stdio, clocks, randomness), so the result
//! behaves the same on any host.
//!
//! - [`grants`]: what the component may reach, and how each virtualized interface answers;
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

mod assemble;
mod catalogue;
pub mod config;
mod generated;
pub mod grants;
pub mod patch;
mod wasi_wit;

pub use catalogue::module_names;
pub use grants::{Access, Clock, Grants, Random, MONOTONIC_STEP_NS};

use catalogue::{Generation, Module, MODULES, P3_SOCKETS};
use serde::Serialize;
use std::collections::BTreeMap;
use wasi_wit::split_import;
use wit_component::DecodedWasm;
use wit_parser::{Resolve, WorldKey};

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
    /// A grant cannot be honoured for an interface the component imports.
    #[error(
        "the component imports {import}, whose requests wct virt cannot filter by destination yet"
    )]
    #[diagnostic(help("leave it to the host with {flag}"))]
    CannotHonour {
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

/// One virtualized import and how: the interface (unversioned), the import, the
/// configuration of its module, the description, and whether it is denied.
struct Chosen {
    interface: String,
    import: String,
    config: Vec<u8>,
    how: String,
    denied: bool,
}

/// The virtualizing components being made for one component, and what they virtualize.
struct Layer {
    /// The WASI 0.2 package versions the component imports.
    versions: BTreeMap<String, String>,
    /// The bundled WASI WIT per generation, loaded on first use.
    p2: Option<Resolve>,
    p3: Option<Resolve>,
    plugs: Vec<wct_compose::Component>,
    virtualized: Vec<Virtualized>,
}

impl Layer {
    /// The WASI WIT of `generation`.
    fn wasi(&mut self, generation: Generation) -> Result<&Resolve, VirtError> {
        let (slot, sources, versions) = match generation {
            Generation::P2 => (
                &mut self.p2,
                wct_wit::builtin::wasi_0_2_sources(),
                &self.versions,
            ),
            Generation::P3 => (
                &mut self.p3,
                wct_wit::builtin::wasi_0_3_sources(),
                &BTreeMap::new(),
            ),
        };
        if slot.is_none() {
            *slot = Some(wasi_wit::wasi_resolve(sources, versions).map_err(VirtError::Build)?);
        }
        Ok(slot.as_ref().expect("loaded"))
    }

    /// Adds a virtualizing component named `name` (with `bytes` describing `chosen`).
    fn add(&mut self, name: String, mut bytes: Vec<u8>, chosen: Vec<Chosen>) {
        let lines: Vec<String> = chosen
            .iter()
            .map(|c| format!("{}: {}", c.import, c.how))
            .collect();
        assemble::describe(&mut bytes, &lines);
        self.plugs.push(wct_compose::Component { name, bytes });
        self.virtualized
            .extend(chosen.into_iter().map(|c| Virtualized {
                import: c.import,
                how: c.how,
                denied: c.denied,
            }));
    }

    /// The components of one bundled module: one per version of its package imported.
    fn module(
        &mut self,
        module: &Module,
        imports: &[String],
        grants: &Grants,
    ) -> Result<(), VirtError> {
        let mut by_version: BTreeMap<(String, String), Vec<Chosen>> = BTreeMap::new();
        for import in imports {
            let Some((interface, package, version)) = split_import(import) else {
                continue;
            };
            if Generation::of(version) != Some(module.generation)
                || !module.interfaces.contains(&interface)
                || !(module.when)(grants)
            {
                continue;
            }
            if let Some((how, denied, config)) = grants::decide(interface, grants) {
                by_version
                    .entry((package.to_string(), version.to_string()))
                    .or_default()
                    .push(Chosen {
                        interface: interface.to_string(),
                        import: import.clone(),
                        config,
                        how,
                        denied,
                    });
            }
        }
        for ((package, version), chosen) in by_version {
            let module_versions = BTreeMap::from([(package, version.clone())]);
            let keep: Vec<String> = chosen.iter().map(|c| c.interface.clone()).collect();
            let wasi = self.wasi(module.generation)?;
            let bytes = assemble::build(module, wasi, &module_versions, &keep, &chosen[0].config)
                .map_err(VirtError::Build)?;
            let name = format!(
                "wct-virt-{}-{}",
                module.name.trim_end_matches("-p3"),
                version.replace('.', "-")
            );
            self.add(name, bytes, chosen);
        }
        Ok(())
    }

    /// WASI 0.3's HTTP client, denied by a generated component.
    fn p3_http_client(&mut self) -> Result<(), VirtError> {
        let wasi = self.wasi(Generation::P3)?;
        let bytes = generated::http_client_denied(wasi).map_err(VirtError::Build)?;
        let chosen = vec![Chosen {
            interface: "wasi:http/client".into(),
            import: P3_HTTP_CLIENT.into(),
            config: Vec::new(),
            how: "denied: send drops the request and fails with HTTP-request-denied".into(),
            denied: true,
        }];
        self.add("wct-virt-http-client-0-3-0".into(), bytes, chosen);
        Ok(())
    }

    /// WASI 0.3's socket interfaces, denied by a generated component.
    fn p3_sockets(&mut self, imports: &[String]) -> Result<(), VirtError> {
        let chosen: Vec<Chosen> = imports
            .iter()
            .filter_map(|i| {
                let (interface, _, version) = split_import(i)?;
                (version == "0.3.0" && P3_SOCKETS.contains(&interface)).then(|| Chosen {
                    interface: interface.to_string(),
                    import: i.clone(),
                    config: Vec::new(),
                    how: "denied: creating a socket and resolving a name fail with access-denied"
                        .into(),
                    denied: true,
                })
            })
            .collect();
        if chosen.is_empty() {
            return Ok(());
        }
        let interfaces: Vec<String> = chosen.iter().map(|c| c.interface.clone()).collect();
        let wasi = self.wasi(Generation::P3)?;
        let bytes = generated::sockets_denied(wasi, &interfaces).map_err(VirtError::Build)?;
        self.add("wct-virt-sockets-0-3-0".into(), bytes, chosen);
        Ok(())
    }
}

/// The imports of a component, by name with version.
fn imports_of(component: &[u8]) -> Result<Vec<String>, VirtError> {
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
    Ok(resolve.worlds[world]
        .imports
        .keys()
        .filter_map(|k| match k {
            WorldKey::Interface(id) => resolve.id_of(*id),
            WorldKey::Name(_) => None,
        })
        .collect())
}

/// A grant that cannot be honoured for what the component imports: `--allow-http`
/// destinations for WASI 0.3's `wasi:http/client` (only 0.2's handler can filter yet).
fn cannot_honour(imports: &[String], grants: &Grants) -> Option<VirtError> {
    if grants.allow_http.is_empty() {
        return None;
    }
    imports
        .iter()
        .find(|i| i.as_str() == P3_HTTP_CLIENT)
        .map(|import| VirtError::CannotHonour {
            import: import.clone(),
            flag: "--http allow (or no --allow-http: all requests denied)",
        })
}

/// WASI 0.3's HTTP client interface, denied by a generated component.
const P3_HTTP_CLIENT: &str = "wasi:http/client@0.3.0";

/// Composes `component` with virtualizing components for the WASI 0.2 and 0.3 interfaces
/// it imports, as `grants` say.
pub fn virtualize(component: &[u8], grants: &Grants) -> Result<Virtual, VirtError> {
    let imports = imports_of(component)?;
    if let Some(error) = cannot_honour(&imports, grants) {
        return Err(error);
    }
    let mut layer = Layer {
        versions: wasi_wit::package_versions(&imports),
        p2: None,
        p3: None,
        plugs: Vec::new(),
        virtualized: Vec::new(),
    };
    for module in MODULES {
        layer.module(module, &imports, grants)?;
    }
    if grants.network == Access::Deny {
        layer.p3_sockets(&imports)?;
    }
    if grants.http == Access::Deny && imports.iter().any(|i| i == P3_HTTP_CLIENT) {
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
    let host_imports = composed
        .plan
        .unfilled
        .iter()
        .map(|u| u.import.clone())
        .collect();
    let mut virtualized = layer.virtualized;
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
        g.files == Access::Allow || !g.preopen.is_empty(),
        "wasi:filesystem/",
        "--files/--preopen",
    );
    check(g.network == Access::Allow, "wasi:sockets/", "--network");
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
}
