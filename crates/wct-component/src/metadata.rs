//! What a module or component says about itself, and adding to it: names, producers
//! (languages, tools, SDKs), the OCI-style annotations a registry shows (authors,
//! description, licences, source, homepage, revision, version) and the Rust dependency list
//! of a cargo-auditable `.dep-v0` section — for the component and every module and component
//! nested in it.
//!
//! Reading and writing are wasm-metadata's (the Bytecode Alliance crate `wasm-tools metadata`
//! is built on, so both tools agree field for field); this module gives the result a stable
//! shape of its own for `wct metadata show --json`.

use crate::size::{Item, ItemKind};
use serde::Serialize;
use std::collections::BTreeMap;
pub use wasm_metadata::AddMetadata;

/// A module or a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A component.
    Component,
    /// A core module.
    Module,
}

/// A tool, language or SDK of the producers section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Producer {
    /// Its name.
    pub name: String,
    /// Its version (may be empty).
    pub version: String,
}

/// A Rust crate in a cargo-auditable dependency list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// The crate.
    pub name: String,
    /// Its version.
    pub version: String,
    /// `runtime` or `build`.
    pub kind: String,
    /// Whether it is the root package (the one built).
    pub root: bool,
}

/// The metadata of one module or component, and of those nested in it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Module or component.
    pub kind: EntryKind,
    /// Where it is, as `wct size` names it (`component / module main`: names from the
    /// enclosing component's `component-name` section, else positions).
    pub path: String,
    /// Its own name (its `name` or `component-name` section's), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where it is in the file: offset and length.
    pub offset: u64,
    /// Its length in bytes.
    pub size: u64,
    /// The producers section: field (`language`, `processed-by`, `sdk`) -> entries.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub producers: BTreeMap<String, Vec<Producer>>,
    /// The annotations a registry shows: `authors`, `description`, `licenses`, `source`,
    /// `homepage`, `revision`, `version`, each when present.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The cargo-auditable dependency list, when present.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    /// Nested modules and components, in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Entry>,
}

/// Why metadata could not be read or written.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum MetadataError {
    /// The input is not a module or component that parses.
    #[error("not a valid module or component")]
    Invalid(#[source] Box<dyn std::error::Error + Send + Sync>),
}

fn invalid(e: anyhow::Error) -> MetadataError {
    MetadataError::Invalid(e.into())
}

/// The metadata of `wasm` (a module or component), nested items included.
pub fn show(wasm: &[u8]) -> Result<Entry, MetadataError> {
    let payload = wasm_metadata::Payload::from_binary(wasm).map_err(invalid)?;
    let sizes = crate::size::analyze_names(wasm);
    Ok(entry(&payload, Some(&sizes.root), &sizes.root.name))
}

/// `wasm` with `add` applied to its outermost module or component. The input is validated
/// first: wasm-metadata's rewriter assumes well-formed input (on a truncated file it would
/// index past the end).
pub fn add(wasm: &[u8], add: &AddMetadata) -> Result<Vec<u8>, MetadataError> {
    crate::validate(wasm, wasmparser::WasmFeatures::all())
        .map_err(|e| MetadataError::Invalid(Box::new(e)))?;
    add.to_wasm(wasm).map_err(invalid)
}

/// The entry of `payload`, which `item` (`wct size`'s, when found) describes and `path` names.
fn entry(payload: &wasm_metadata::Payload, item: Option<&Item>, path: &str) -> Entry {
    let (kind, metadata, children) = match payload {
        wasm_metadata::Payload::Component { metadata, children } => {
            (EntryKind::Component, metadata, children.as_slice())
        }
        wasm_metadata::Payload::Module(metadata) => (EntryKind::Module, metadata, &[][..]),
    };
    let mut producers = BTreeMap::new();
    if let Some(p) = &metadata.producers {
        for (field, values) in p.iter() {
            let list: Vec<Producer> = values
                .iter()
                .map(|(name, version)| Producer {
                    name: name.clone(),
                    version: version.clone(),
                })
                .collect();
            producers.insert(field.clone(), list);
        }
    }
    let mut annotations = BTreeMap::new();
    let fields: [(&str, Option<String>); 7] = [
        ("authors", metadata.authors.as_ref().map(|v| v.to_string())),
        (
            "description",
            metadata.description.as_ref().map(|v| v.to_string()),
        ),
        (
            "licenses",
            metadata.licenses.as_ref().map(|v| v.to_string()),
        ),
        ("source", metadata.source.as_ref().map(|v| v.to_string())),
        (
            "homepage",
            metadata.homepage.as_ref().map(|v| v.to_string()),
        ),
        (
            "revision",
            metadata.revision.as_ref().map(|v| v.to_string()),
        ),
        ("version", metadata.version.as_ref().map(|v| v.to_string())),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            annotations.insert(key.to_string(), value);
        }
    }
    let dependencies = metadata
        .dependencies
        .as_ref()
        .map(|d| {
            d.version_info()
                .packages
                .iter()
                .map(|p| Dependency {
                    name: p.name.clone(),
                    version: p.version.to_string(),
                    kind: format!("{:?}", p.kind).to_lowercase(),
                    root: p.root,
                })
                .collect()
        })
        .unwrap_or_default();
    Entry {
        kind,
        name: metadata.name.clone(),
        offset: metadata.range.start,
        size: metadata.range.end - metadata.range.start,
        producers,
        annotations,
        dependencies,
        children: children
            .iter()
            .enumerate()
            .map(|(i, child)| {
                let start = child_start(child);
                let found = item.and_then(|item| {
                    item.children.iter().find(|c| {
                        matches!(c.kind, ItemKind::Module | ItemKind::Component)
                            && c.offset <= start
                            && start < c.offset + c.size
                    })
                });
                let child_path = match found {
                    Some(c) => format!("{path} / {}", c.name),
                    None => format!("{path} / #{i}"),
                };
                entry(child, found, &child_path)
            })
            .collect(),
        path: path.to_string(),
    }
}

/// Where a nested module or component starts in the file.
fn child_start(payload: &wasm_metadata::Payload) -> u64 {
    match payload {
        wasm_metadata::Payload::Component { metadata, .. }
        | wasm_metadata::Payload::Module(metadata) => metadata.range.start,
    }
}

/// The text report: one block per module or component, indented by depth; fields that are
/// absent are not shown.
pub fn render(entry: &Entry) -> String {
    let mut out = String::new();
    render_into(entry, 0, &mut out);
    out
}

fn render_into(entry: &Entry, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    let own = match &entry.name {
        Some(name) => format!(", named {name}"),
        None => String::new(),
    };
    out.push_str(&format!(
        "{pad}{} ({} bytes at {}{own})\n",
        entry.path, entry.size, entry.offset
    ));
    for (field, list) in &entry.producers {
        let items: Vec<String> = list
            .iter()
            .map(|p| {
                if p.version.is_empty() {
                    p.name.clone()
                } else {
                    format!("{} {}", p.name, p.version)
                }
            })
            .collect();
        out.push_str(&format!("{pad}  {field}: {}\n", items.join(", ")));
    }
    for (key, value) in &entry.annotations {
        out.push_str(&format!("{pad}  {key}: {value}\n"));
    }
    if !entry.dependencies.is_empty() {
        let list: Vec<String> = entry
            .dependencies
            .iter()
            .map(|d| format!("{} {}", d.name, d.version))
            .collect();
        out.push_str(&format!(
            "{pad}  dependencies ({}): {}\n",
            list.len(),
            list.join(", ")
        ));
    }
    for child in &entry.children {
        render_into(child, depth + 1, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_metadata_reads_back_on_the_outermost_component() {
        let component = wat::parse_str("(component (core module (func)))").unwrap();
        let mut add = AddMetadata::default();
        add.name = wasm_metadata::AddMetadataField::Set("app".into());
        add.language = vec![("C".into(), "17".into())];
        add.licenses = wasm_metadata::AddMetadataField::Set(
            wasm_metadata::Licenses::new("MIT OR Apache-2.0").unwrap(),
        );
        add.version = wasm_metadata::AddMetadataField::Set(wasm_metadata::Version::new("1.2.3"));
        let out = super::add(&component, &add).unwrap();
        let shown = show(&out).unwrap();
        assert_eq!(shown.kind, EntryKind::Component);
        assert_eq!(shown.name.as_deref(), Some("app"));
        assert_eq!(shown.producers["language"][0].name, "C");
        assert_eq!(shown.annotations["licenses"], "MIT OR Apache-2.0");
        assert_eq!(shown.annotations["version"], "1.2.3");
        assert_eq!(shown.children.len(), 1);
        assert_eq!(shown.children[0].kind, EntryKind::Module);
        let text = render(&shown);
        assert!(
            text.contains("component (") && text.contains("named app"),
            "{text}"
        );
        assert!(text.contains("  licenses: MIT OR Apache-2.0"), "{text}");
        assert_eq!(shown.children[0].path, "component / module 0");
        assert!(wasm_metadata::Licenses::new("MIT OR").is_err());
        assert!(show(b"\0asm\x01\0\0\0\x01").is_err());
    }
}
