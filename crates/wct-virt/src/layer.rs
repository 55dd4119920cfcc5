//! The virtualizing components made for one component: each bundled module fitted to the
//! interfaces it imports ([`Layer::module`]), the streams-and-files module
//! ([`Layer::files`]), and the generated components that deny sockets, name lookup and WASI
//! 0.3's HTTP client.

use crate::catalogue::{Generation, Module, FILES, FILES_INTERFACES, P3_SOCKETS};
use crate::grants::{self, Grants, Stream};
use crate::streams::FilesPlan;
use crate::wasi_wit::{self, split_import};
use crate::{assemble, build_error, files, generated, VirtError, Virtualized};
use std::collections::BTreeMap;
use wit_parser::Resolve;

/// One virtualized import and how: the interface (unversioned), the import, the
/// configuration of its module, the description, and whether it is denied.
pub(crate) struct Chosen {
    pub(crate) interface: String,
    pub(crate) import: String,
    pub(crate) config: Vec<u8>,
    pub(crate) how: String,
    pub(crate) denied: bool,
}

/// The virtualizing components being made for one component, and what they virtualize.
pub(crate) struct Layer {
    /// The WASI 0.2 package versions the component imports.
    pub(crate) versions: BTreeMap<String, String>,
    /// The bundled WASI WIT per generation, loaded on first use.
    pub(crate) p2: Option<Resolve>,
    pub(crate) p3: Option<Resolve>,
    pub(crate) plugs: Vec<wct_compose::Component>,
    pub(crate) virtualized: Vec<Virtualized>,
    /// WASI 0.2 interfaces served by the `files` module or a generated component rather
    /// than by a bundled WAT module.
    pub(crate) served_elsewhere: Vec<&'static str>,
}

impl Layer {
    /// The WASI WIT of `generation`.
    pub(crate) fn wasi(&mut self, generation: Generation) -> Result<&Resolve, VirtError> {
        let (slot, sources, versions) = match generation {
            Generation::P2 => (
                &mut self.p2,
                wasi_wit::bundled_sources(generation),
                &self.versions,
            ),
            Generation::P3 => (
                &mut self.p3,
                wasi_wit::bundled_sources(generation),
                &BTreeMap::new(),
            ),
        };
        if slot.is_none() {
            let mut resolve = wasi_wit::wasi_resolve(sources, versions)
                .map_err(build_error("the vendored WASI WIT"))?;
            if generation == Generation::P2 {
                wasi_wit::add_proposals(&mut resolve)
                    .map_err(build_error("the vendored proposals' WIT"))?;
            }
            *slot = Some(resolve);
        }
        Ok(slot.as_ref().expect("loaded"))
    }

    /// Adds a virtualizing component named `name` (with `bytes` describing `chosen`).
    pub(crate) fn add(&mut self, name: String, mut bytes: Vec<u8>, chosen: Vec<Chosen>) {
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
    pub(crate) fn module(
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
            if Generation::of_version(version) != Some(module.generation)
                || !module.interfaces.contains(&interface)
                || !(module.when)(grants)
                || (module.generation == Generation::P2
                    && self.served_elsewhere.contains(&interface))
            {
                continue;
            }
            if let Some((mut how, denied, config)) =
                grants::decide(interface, grants, module.generation)
            {
                if module.generation == Generation::P3
                    && interface == "wasi:filesystem/preopens"
                    && (!grants.mounts.is_empty() || !grants.overlay.is_empty())
                {
                    how.push_str(" (mounts and overlays are served through WASI 0.2 only)");
                }
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
                .map_err(build_error(format!("the {} module", module.name)))?;
            let name = format!(
                "wct-virt-{}-{}",
                module.name.trim_end_matches("-p3"),
                version.replace('.', "-")
            );
            self.add(name, bytes, chosen);
        }
        Ok(())
    }

    /// The `files` module for the WASI 0.2 streams, stdio and filesystem interfaces the
    /// component imports.
    pub(crate) fn files(
        &mut self,
        imports: &[String],
        grants: &Grants,
        plan: &FilesPlan,
    ) -> Result<(), VirtError> {
        let chosen: Vec<Chosen> = imports
            .iter()
            .filter_map(|i| {
                let (interface, _, version) = split_import(i)?;
                if Generation::of_version(version) != Some(Generation::P2) {
                    return None;
                }
                let interface = *FILES_INTERFACES.iter().find(|f| **f == interface)?;
                let (how, denied) = match interface {
                    "wasi:io/streams" => (
                        "wct's streams: files in memory and ignored or denied stdio served here, the host's wrapped".to_string(),
                        false,
                    ),
                    "wasi:cli/stdin" => grants::stream_how(grants.stdin, false),
                    "wasi:cli/stdout" => grants::stream_how(grants.stdout, true),
                    "wasi:cli/stderr" => grants::stream_how(grants.stderr, true),
                    "wasi:filesystem/types" => (
                        "files in memory served here; the host's passed through".to_string(),
                        false,
                    ),
                    _ => (plan.preopens_how.clone(), plan.preopens_denied),
                };
                Some(Chosen {
                    interface: interface.to_string(),
                    import: i.clone(),
                    config: Vec::new(),
                    how,
                    denied,
                })
            })
            .collect();
        if chosen.is_empty() {
            return Ok(());
        }
        self.served_elsewhere.extend_from_slice(FILES_INTERFACES);
        let keep: Vec<String> = chosen.iter().map(|c| c.interface.clone()).collect();
        let versions = self.versions.clone();
        let wasi = self.wasi(Generation::P2)?;
        // What the component does not import, the module neither exports nor calls; nor
        // does it ask the host for a standard stream it ignores or denies.
        let unused_streams = [
            (grants.stdin, "wasi:cli/stdin"),
            (grants.stdout, "wasi:cli/stdout"),
            (grants.stderr, "wasi:cli/stderr"),
        ]
        .into_iter()
        .filter(|(stream, _)| *stream != Stream::Allow)
        .map(|(_, name)| name);
        let stub: Vec<String> = FILES_INTERFACES
            .iter()
            .copied()
            .filter(|f| !keep.iter().any(|k| k == f))
            .chain(unused_streams)
            .map(str::to_string)
            .collect();
        let bytes = assemble::build_stubbed(
            &FILES,
            wasi,
            &versions,
            &keep,
            &stub,
            &files::config(&plan.config),
        )
        .map_err(build_error("the files module"))?;
        let version = versions.get("wasi:io").cloned().unwrap_or_default();
        self.add(component_name("files", &version), bytes, chosen);
        Ok(())
    }

    /// WASI 0.2's `wasi:sockets/tcp` and `tcp-create-socket`, denied by a generated
    /// component whose sockets' streams are the `files` module's.
    pub(crate) fn p2_tcp_denied(&mut self, imports: &[String]) -> Result<(), VirtError> {
        let chosen = denied_imports(
            imports,
            P2_TCP,
            Generation::P2,
            "denied: creating a socket fails with access-denied",
        );
        if chosen.is_empty() {
            return Ok(());
        }
        self.served_elsewhere.extend_from_slice(P2_TCP);
        let interfaces: Vec<String> = chosen.iter().map(|c| c.interface.clone()).collect();
        let version = self.package_version("wasi:sockets");
        let wasi = self.wasi(Generation::P2)?;
        let bytes = generated::tcp_denied(wasi, &interfaces, &version)
            .map_err(build_error("the component that denies TCP"))?;
        self.add(component_name("tcp", &version), bytes, chosen);
        Ok(())
    }

    /// WASI 0.2's `wasi:sockets/ip-name-lookup`, denied by a generated component: resolving
    /// a name is a use of the network.
    pub(crate) fn p2_name_lookup_denied(&mut self, imports: &[String]) -> Result<(), VirtError> {
        let chosen = denied_imports(
            imports,
            &[P2_NAME_LOOKUP],
            Generation::P2,
            "denied: resolving a name fails with access-denied",
        );
        if chosen.is_empty() {
            return Ok(());
        }
        let version = self.package_version("wasi:sockets");
        let wasi = self.wasi(Generation::P2)?;
        let bytes = generated::name_lookup_denied(wasi, &version)
            .map_err(build_error("the component that denies name lookup"))?;
        self.add(component_name("name-lookup", &version), bytes, chosen);
        Ok(())
    }

    /// The version of a WASI 0.2 package the component imports (`wasi:sockets`).
    pub(crate) fn package_version(&self, package: &str) -> String {
        self.versions.get(package).cloned().unwrap_or_default()
    }

    /// WASI 0.3's HTTP client, denied by a generated component.
    pub(crate) fn p3_http_client(&mut self) -> Result<(), VirtError> {
        let wasi = self.wasi(Generation::P3)?;
        let bytes = generated::http_client_denied(wasi)
            .map_err(build_error("the component that denies the HTTP client"))?;
        let chosen = vec![Chosen {
            interface: "wasi:http/client".into(),
            import: p3_http_client(),
            config: Vec::new(),
            how: "denied: send drops the request and fails with HTTP-request-denied".into(),
            denied: true,
        }];
        self.add(
            component_name("http-client", &wasi_wit::p3_version()),
            bytes,
            chosen,
        );
        Ok(())
    }

    /// WASI 0.3's socket interfaces, denied by a generated component.
    pub(crate) fn p3_sockets(&mut self, imports: &[String]) -> Result<(), VirtError> {
        let chosen = denied_imports(
            imports,
            P3_SOCKETS,
            Generation::P3,
            "denied: creating a socket and resolving a name fail with access-denied",
        );
        if chosen.is_empty() {
            return Ok(());
        }
        let interfaces: Vec<String> = chosen.iter().map(|c| c.interface.clone()).collect();
        let wasi = self.wasi(Generation::P3)?;
        let bytes = generated::sockets_denied(wasi, &interfaces)
            .map_err(build_error("the component that denies sockets"))?;
        self.add(
            component_name("sockets", &wasi_wit::p3_version()),
            bytes,
            chosen,
        );
        Ok(())
    }
}

/// The instance name of a virtualizing component of `kind` at WASI `version`
/// (`wct-virt-tcp-0-2-9`).
fn component_name(kind: &str, version: &str) -> String {
    format!("wct-virt-{kind}-{}", version.replace('.', "-"))
}

/// The imports of `interfaces` (unversioned) in `generation`, each denied as `how` says.
fn denied_imports(
    imports: &[String],
    interfaces: &[&str],
    generation: Generation,
    how: &str,
) -> Vec<Chosen> {
    imports
        .iter()
        .filter_map(|i| {
            let (interface, _, version) = split_import(i)?;
            (Generation::of_version(version) == Some(generation) && interfaces.contains(&interface))
                .then(|| Chosen {
                    interface: interface.to_string(),
                    import: i.clone(),
                    config: Vec::new(),
                    how: how.to_string(),
                    denied: true,
                })
        })
        .collect()
}

/// WASI 0.2's TCP interfaces: their sockets' streams must be the `files` module's when it
/// serves the component's streams.
const P2_TCP: &[&str] = &["wasi:sockets/tcp", "wasi:sockets/tcp-create-socket"];

/// WASI 0.2's name lookup, denied with the network.
const P2_NAME_LOOKUP: &str = "wasi:sockets/ip-name-lookup";

/// WASI 0.3's HTTP client interface at the bundled version, denied by a generated component.
pub(crate) fn p3_http_client() -> String {
    format!("wasi:http/client@{}", wasi_wit::p3_version())
}
