//! The Wasm OCI artifact layout (CNCF TAG Runtime's "Wasm OCI Artifact", what wkg writes): a
//! config blob of media type [`CONFIG_MEDIA_TYPE`] listing the component's (or WIT package's)
//! imports and exports, one layer of media type [`WASM_MEDIA_TYPE`] holding the wasm, and the
//! standard OCI annotations (version, created, and description, licenses, source, authors,
//! url and revision when the wasm's metadata has them).

use crate::{Error, Result};
use std::collections::BTreeMap;
use wit_component::DecodedWasm;
use wit_parser::{Resolve, WorldKey};

/// The config blob's media type.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
/// The layer's media type.
pub const WASM_MEDIA_TYPE: &str = "application/wasm";

/// What is published: a component, or a wasm-encoded WIT package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A component.
    Component,
    /// A WIT package (`wct wit build` output).
    WitPackage,
}

/// A wasm file described for a registry.
#[derive(Debug, Clone)]
pub struct Description {
    /// Component or WIT package.
    pub kind: Kind,
    /// For a WIT package: its name (`ns:name`) and version, if it declares one.
    pub package: Option<(String, Option<semver::Version>)>,
    /// Imported interfaces and functions, sorted.
    pub imports: Vec<String>,
    /// Exported interfaces, functions and worlds, sorted.
    pub exports: Vec<String>,
    /// Description, licenses, source, authors, homepage (`url`) and revision from the wasm's
    /// metadata (`wct metadata add`), as OCI annotations.
    pub annotations: BTreeMap<String, String>,
}

/// Describes `wasm`: a component or a wasm-encoded WIT package (anything else is refused).
pub fn describe(wasm: &[u8]) -> Result<Description> {
    // A core module would decode (as a component of its embedded metadata, or of nothing):
    // registries hold components and WIT packages, so it is refused here.
    if !wasmparser::Parser::is_component(wasm) {
        return Err(Error::NotPublishable(
            "a core module or other bytes, not a component or a wasm-encoded WIT package \
             (`wct new` or `wct adapt` makes a component of a module)"
                .to_string(),
        ));
    }
    let decoded = wit_component::decode(wasm).map_err(|e| {
        Error::NotPublishable(format!(
            "neither a component nor a wasm-encoded WIT package ({e:#})"
        ))
    })?;
    let mut description = match &decoded {
        DecodedWasm::WitPackage(resolve, pkg) => {
            let package = &resolve.packages[*pkg];
            let name = &package.name;
            let mut exports: Vec<String> = package
                .interfaces
                .values()
                .map(|id| resolve.id_of(*id).unwrap_or_default())
                .chain(package.worlds.keys().map(|w| qualified(name, w)))
                .collect();
            exports.sort();
            let mut imports: Vec<String> = resolve
                .interfaces
                .iter()
                .filter(|(_, i)| i.package.is_some_and(|p| p != *pkg))
                .filter_map(|(id, _)| resolve.id_of(id))
                .collect();
            imports.sort();
            Description {
                kind: Kind::WitPackage,
                package: Some((
                    format!("{}:{}", name.namespace, name.name),
                    name.version.clone(),
                )),
                imports,
                exports,
                annotations: BTreeMap::new(),
            }
        }
        DecodedWasm::Component(resolve, world) => {
            let world = &resolve.worlds[*world];
            Description {
                kind: Kind::Component,
                package: None,
                imports: item_names(resolve, world.imports.keys()),
                exports: item_names(resolve, world.exports.keys()),
                annotations: BTreeMap::new(),
            }
        }
    };
    if let Ok(payload) = wasm_metadata::Payload::from_binary(wasm) {
        let meta = payload.metadata();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                description
                    .annotations
                    .insert(format!("org.opencontainers.image.{key}"), value);
            }
        };
        put(
            "description",
            meta.description.as_ref().map(|d| d.to_string()),
        );
        put("licenses", meta.licenses.as_ref().map(|l| l.to_string()));
        put("source", meta.source.as_ref().map(|s| s.to_string()));
        put("authors", meta.authors.as_ref().map(|a| a.to_string()));
        put("url", meta.homepage.as_ref().map(|h| h.to_string()));
        put("revision", meta.revision.as_ref().map(|r| r.to_string()));
    }
    Ok(description)
}

fn qualified(name: &wit_parser::PackageName, item: &str) -> String {
    match &name.version {
        Some(v) => format!("{}:{}/{item}@{v}", name.namespace, name.name),
        None => format!("{}:{}/{item}", name.namespace, name.name),
    }
}

fn item_names<'a>(resolve: &Resolve, keys: impl Iterator<Item = &'a WorldKey>) -> Vec<String> {
    let mut names: Vec<String> = keys.map(|k| resolve.name_world_key(k)).collect();
    names.sort();
    names
}

/// The config blob: `{created, architecture, os, layerDigests, component: {imports, exports}}`.
pub fn config_json(description: &Description, created: &str, layer_digest: &str) -> Vec<u8> {
    let config = serde_json::json!({
        "created": created,
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": [layer_digest],
        "component": {
            "exports": description.exports,
            "imports": description.imports,
        },
    });
    serde_json::to_vec(&config).expect("JSON values serialize")
}

/// The current time as RFC 3339 UTC (`SOURCE_DATE_EPOCH` when set, for reproducible pushes).
pub fn now_rfc3339() -> String {
    wct_io::time::now_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_wasm_wit_is_refused() {
        for bytes in [&b"\0asm\x01\0\0\0"[..], b"not wasm"] {
            assert!(matches!(describe(bytes), Err(Error::NotPublishable(_))));
        }
    }
}
