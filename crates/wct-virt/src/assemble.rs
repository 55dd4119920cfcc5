//! Making one virtualizing component: a bundled module fitted to the component
//! ([`patch`](crate::patch)), given a world that exports what it virtualizes and imports
//! what it calls, encoded by wit-component, and labelled with what it does.

use crate::catalogue::Module;
use crate::patch;
use std::collections::BTreeMap;
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::Resolve;

/// The name of the custom section in which each virtualizing component says what it does
/// (one line per interface), for `wct inspect` and people reading the binary.
pub const DESCRIPTION_SECTION: &str = "wct-virt";

/// Appends the [`DESCRIPTION_SECTION`] to a component.
pub(crate) fn describe(component: &mut Vec<u8>, how: &[String]) {
    let text = how.join("\n");
    let section = wasm_encoder::CustomSection {
        name: DESCRIPTION_SECTION.into(),
        data: std::borrow::Cow::Borrowed(text.as_bytes()),
    };
    use wasm_encoder::{ComponentSection, Encode};
    component.push(section.id());
    section.encode(component);
}

/// Builds one virtualizing component: the module fitted to the component's versions, with
/// a world that exports `keep` and imports what the module calls. What the module imports
/// for the interfaces it no longer exports (the stream and future built-ins of a cut
/// `[export]wasi:cli/stdin`) is stubbed out with them.
pub(crate) fn build(
    module: &Module,
    guest: &Resolve,
    versions: &BTreeMap<String, String>,
    keep: &[String],
    config: &[u8],
) -> anyhow::Result<Vec<u8>> {
    let cut: Vec<String> = module
        .interfaces
        .iter()
        .filter(|i| !keep.iter().any(|k| k == *i))
        .map(|i| i.to_string())
        .collect();
    build_stubbed(module, guest, versions, keep, &cut, config)
}

/// [`build`], with the module's imports from `stub` (unversioned interfaces the component
/// does not import) made unreachable local functions ([`stub_imports`](crate::stub)).
pub(crate) fn build_stubbed(
    module: &Module,
    guest: &Resolve,
    versions: &BTreeMap<String, String>,
    keep: &[String],
    stub: &[String],
    config: &[u8],
) -> anyhow::Result<Vec<u8>> {
    let generated = (module.bodies)(guest)?;
    let bodies: Vec<(&str, wasm_encoder::Function)> = generated
        .iter()
        .map(|(name, body)| (name.as_str(), body.clone()))
        .collect();
    let source = module.core()?;
    let core = patch::apply(
        &source,
        &patch::Patch {
            versions,
            keep,
            config,
            renames: module.renames,
            bodies: &bodies,
        },
    )?;
    let core = crate::stub::stub_imports(&core, stub)?;
    let mut wit = format!("package wct:virt-{};\n\nworld virt {{\n", module.name);
    for interface in called_interfaces(&core)? {
        wit.push_str(&format!("  import {interface};\n"));
    }
    for interface in keep {
        let package = interface.split('/').next().unwrap_or(interface);
        let version = versions
            .get(package)
            .ok_or_else(|| anyhow::anyhow!("no version of {package} to export {interface} at"))?;
        wit.push_str(&format!("  export {interface}@{version};\n"));
    }
    wit.push_str("}\n");
    let (resolve, world) = with_world(guest, module.name, &wit)?;
    encode(core, &resolve, world)
}

/// `wasi` with the package `wit` (which defines the world `virt`) added; the world's id.
pub(crate) fn with_world(
    wasi: &Resolve,
    name: &str,
    wit: &str,
) -> anyhow::Result<(Resolve, wit_parser::WorldId)> {
    let mut resolve = wasi.clone();
    let package = resolve.push_str(format!("{name}.wit"), wit)?;
    let world = resolve.select_world(&[package], Some("virt"))?;
    Ok((resolve, world))
}

/// The component of a core module that implements `world`.
pub(crate) fn encode(
    mut core: Vec<u8>,
    resolve: &Resolve,
    world: wit_parser::WorldId,
) -> anyhow::Result<Vec<u8>> {
    wit_component::embed_component_metadata(
        &mut core,
        resolve,
        world,
        StringEncoding::UTF8,
        false,
    )?;
    ComponentEncoder::default()
        .module(&core)?
        .validate(true)
        .encode()
}

/// The interfaces a module imports functions from (`wasi:cli/environment@0.2.9`), without
/// the `[export]...` modules of its own resources' built-ins and the `$root` one of the
/// async built-ins.
fn called_interfaces(module: &[u8]) -> anyhow::Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::ImportSection(reader) = payload? {
            for import in reader.into_imports() {
                let module = import?.module.to_string();
                if !module.starts_with("[export]")
                    && !module.starts_with('$')
                    && !out.contains(&module)
                {
                    out.push(module);
                }
            }
        }
    }
    Ok(out)
}
