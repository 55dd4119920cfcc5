//! A structured summary of a wasm binary: what `wct inspect` prints and serializes.
//!
//! One walk over the binary with wasmparser builds a tree of every (nested) module and
//! component with its imports, exports and item counts, plus the top-level section table and
//! custom sections. wit-component then decodes the WIT view: the world a component targets,
//! the package a wasm-encoded WIT package defines, or the `component-type` metadata a core
//! module carries. wasm-metadata reads producers and the other metadata sections.
//!
//! - `walk`: the structure tree and section table; `wit`: the WIT view; `async_profile`: what
//!   a component does with WASI 0.3's async features; [`capabilities`]: what its WASI imports
//!   reach, as `wct run` grants it; [`render`]: the text `wct inspect` prints.

mod async_profile;
pub mod capabilities;
pub mod render;
mod walk;
mod wit;

use async_profile::{async_builtin, async_profile};
use walk::walk;
use wit::{add_component_wit, add_module_wit};

pub use wit::print_package;

use serde::Serialize;
use std::collections::BTreeMap;
use wasmparser::{
    ComponentExternalKind, ComponentTypeRef, Encoding, ExternalKind, Parser, Payload, TypeRef,
};
use wct_wit::worlds::{func_signature, type_name};
use wit_component::{DecodedWasm, WitPrinter};
use wit_parser::{Resolve, Type, WorldItem, WorldKey};

/// Version of the JSON shape produced for [`Inspection`]; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything `wct inspect` reports about one binary.
#[derive(Debug, Serialize)]
pub struct Inspection {
    /// Version of this JSON shape.
    pub schema_version: u32,
    /// `core-module`, `component` or `wit-package`.
    pub kind: InspectKind,
    /// Size of the binary in bytes.
    pub size: u64,
    /// The top-level sections in binary order.
    pub sections: Vec<Section>,
    /// The WIT view: a component's world, a WIT package's definitions, or the world embedded in
    /// a core module's `component-type` section. Absent when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wit: Option<String>,
    /// Why the WIT view could not be decoded, when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wit_error: Option<String>,
    /// The component's imports as WIT items (components only).
    pub wit_imports: Vec<WitItem>,
    /// The component's exports as WIT items (components only).
    pub wit_exports: Vec<WitItem>,
    /// The structure: this binary and its nested modules and components.
    pub structure: Node,
    /// Producers and other metadata (from wasm-metadata), for this binary and nested ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<wasm_metadata::Payload>,
    /// Components: which WASI they use and their asynchronous parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub async_profile: Option<AsyncProfile>,
    /// Components: what their WASI imports reach, grouped as `wct run` grants it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<capabilities::Capability>,
}

/// Which WASI a component uses (0.2, 0.3 or both), and what of the component model's async
/// features it has: `async func` imports and exports, `stream`/`future`/`error-context`
/// types, and the async canonical built-ins its core code calls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AsyncProfile {
    /// The WASI generations it uses.
    pub wasi: WasiUse,
    /// Every WASI version among its imports and exports, in order (`0.2.9`, `0.3.0`).
    pub wasi_versions: Vec<String>,
    /// Imported `async func`s (`interface#function`, or the name of a world function).
    pub async_imports: Vec<String>,
    /// Exported `async func`s.
    pub async_exports: Vec<String>,
    /// How many `stream`, `future` and `error-context` types its world uses.
    pub async_types: BTreeMap<&'static str, u32>,
    /// The async canonical built-ins defined anywhere in it (`task.return`: 2, ...).
    pub async_builtins: BTreeMap<&'static str, u32>,
}

/// The WASI generations a component uses (in JSON: `0.2`, `0.3`, `mixed` or `none`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum WasiUse {
    /// No WASI release package.
    #[default]
    #[serde(rename = "none")]
    None,
    /// WASI 0.2 only.
    #[serde(rename = "0.2")]
    P2,
    /// WASI 0.3 only.
    #[serde(rename = "0.3")]
    P3,
    /// Both (a 0.3 component whose libc still calls 0.2, as componentize-py's do).
    #[serde(rename = "mixed")]
    Mixed,
}

impl std::fmt::Display for WasiUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WasiUse::None => "none",
            WasiUse::P2 => "0.2",
            WasiUse::P3 => "0.3",
            WasiUse::Mixed => "mixed 0.2 and 0.3",
        })
    }
}

/// The three things `inspect` tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InspectKind {
    /// A core wasm module.
    CoreModule,
    /// A component.
    Component,
    /// A component that encodes a WIT package (types only, no code).
    WitPackage,
}

impl InspectKind {
    /// Human-readable name.
    pub fn describe(self) -> &'static str {
        match self {
            InspectKind::CoreModule => "core module",
            InspectKind::Component => "component",
            InspectKind::WitPackage => "WIT package",
        }
    }
}

/// One top-level section.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Section name (`code`, `import`, `core module`, `custom:name`, ...).
    pub name: String,
    /// Offset of the section contents.
    pub offset: u64,
    /// Size of the section contents in bytes.
    pub size: u64,
}

/// What a component's WIT import or export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WitItemKind {
    /// An interface.
    Interface,
    /// A function.
    Func,
    /// A type.
    Type,
}

/// Whether a tree node is a core module or a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// A core module.
    Module,
    /// A component.
    Component,
}

impl std::fmt::Display for NodeKind {
    /// `module` or `component`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NodeKind::Module => "module",
            NodeKind::Component => "component",
        })
    }
}

/// An import or export of a component, seen through WIT.
#[derive(Debug, Clone, Serialize)]
pub struct WitItem {
    /// The name, e.g. `wasi:cli/stdout@0.2.0` or `greet`.
    pub name: String,
    /// An interface, a function or a type.
    pub kind: WitItemKind,
    /// The WIT text of the item: the function signature, or the interface name.
    pub wit: String,
}

/// A module or component in the structure tree.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// A core module or a component.
    pub kind: NodeKind,
    /// Byte offset where it starts in the outermost binary.
    pub offset: u64,
    /// Imports, in order.
    pub imports: Vec<Entry>,
    /// Exports, in order.
    pub exports: Vec<Entry>,
    /// How many of each item it defines (`functions`, `memories`, `instances`, `aliases`, ...).
    pub counts: BTreeMap<&'static str, u32>,
    /// Core modules only: memories as `min..max` page limits.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub memories: Vec<String>,
    /// Core modules only: tables as `element type min..max`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<String>,
    /// Core modules only: the start function index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<u32>,
    /// Custom sections by name with their sizes.
    pub custom_sections: Vec<Section>,
    /// For a component `wct virt` made: what it virtualizes and how, one line per interface
    /// (its `wct-virt` custom section).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub virtualizes: Vec<String>,
    /// Nested modules and components.
    pub children: Vec<Node>,
    /// Async canonical built-ins defined here (summed up in [`AsyncProfile`]).
    #[serde(skip)]
    pub async_builtins: BTreeMap<&'static str, u32>,
}

/// The kind of an import or export (in JSON and text: `func`, `memory`, `instance`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// A function (core or component).
    Func,
    /// A core table.
    Table,
    /// A core memory.
    Memory,
    /// A core global.
    Global,
    /// A core exception tag.
    Tag,
    /// A core module.
    Module,
    /// A component value.
    Value,
    /// A type.
    Type,
    /// A component instance.
    Instance,
    /// A component.
    Component,
}

impl std::fmt::Display for EntryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            EntryKind::Func => "func",
            EntryKind::Table => "table",
            EntryKind::Memory => "memory",
            EntryKind::Global => "global",
            EntryKind::Tag => "tag",
            EntryKind::Module => "module",
            EntryKind::Value => "value",
            EntryKind::Type => "type",
            EntryKind::Instance => "instance",
            EntryKind::Component => "component",
        })
    }
}

/// One import or export of a module or component.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// For core imports, the module part of the name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// The name.
    pub name: String,
    /// The kind of item.
    pub kind: EntryKind,
    /// The type, when it can be said briefly (core function signatures, limits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
}

impl Node {
    fn new(kind: NodeKind, offset: u64) -> Self {
        Node {
            kind,
            offset,
            imports: Vec::new(),
            exports: Vec::new(),
            counts: BTreeMap::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            start: None,
            custom_sections: Vec::new(),
            virtualizes: Vec::new(),
            children: Vec::new(),
            async_builtins: BTreeMap::new(),
        }
    }

    fn count(&mut self, what: &'static str, n: u32) {
        if n > 0 {
            *self.counts.entry(what).or_default() += n;
        }
    }
}

/// A binary too malformed to inspect (where the walk stopped and why).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("the binary is malformed")]
pub struct InspectError {
    /// Where the walk stopped and why.
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

/// Inspects a binary module or component. Fails only when the binary cannot be parsed.
pub fn inspect(wasm: &[u8]) -> Result<Inspection, InspectError> {
    // The three reads of the binary are independent: the WIT decoder (most of the time on a
    // large component) runs beside the structure walk and the metadata reader.
    let is_component = crate::detect(wasm) == crate::WasmKind::Component;
    let ((walked, metadata), decoded) = rayon::join(
        || (walk(wasm), wasm_metadata::Payload::from_binary(wasm).ok()),
        || is_component.then(|| wit_component::decode(wasm)),
    );
    let (structure, sections) = walked.map_err(|e| InspectError { source: e.into() })?;
    let mut inspection = Inspection {
        schema_version: SCHEMA_VERSION,
        kind: if structure.kind == NodeKind::Module {
            InspectKind::CoreModule
        } else {
            InspectKind::Component
        },
        size: wasm.len() as u64,
        sections,
        wit: None,
        wit_error: None,
        wit_imports: Vec::new(),
        wit_exports: Vec::new(),
        structure,
        metadata,
        async_profile: None,
        capabilities: Vec::new(),
    };
    match (inspection.kind, decoded) {
        (InspectKind::CoreModule, _) => add_module_wit(wasm, &mut inspection),
        (_, Some(decoded)) => add_component_wit(decoded, &mut inspection),
        (_, None) => add_component_wit(wit_component::decode(wasm), &mut inspection),
    }
    Ok(inspection)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_release_candidate_of_wasi_0_3_is_wasi_0_3() {
        let wasm = wat::parse_str(
            r#"(component
                (import "wasi:cli/stdout@0.3.0-rc-2025-09-16" (instance (export "f" (func))))
            )"#,
        )
        .unwrap();
        let profile = inspect(&wasm).unwrap().async_profile.unwrap();
        assert_eq!(profile.wasi, WasiUse::P3);
        assert_eq!(profile.wasi_versions, ["0.3.0-rc-2025-09-16"]);
    }

    #[test]
    fn core_module_summary() {
        let wasm = wat::parse_str(
            r#"(module
                (import "env" "log" (func (param i32)))
                (memory (export "memory") 1 2)
                (func $main (export "main"))
                (start $main))"#,
        )
        .unwrap();
        let i = inspect(&wasm).unwrap();
        assert_eq!(i.kind, InspectKind::CoreModule);
        assert_eq!(
            i.structure.imports[0].ty.as_deref(),
            Some("func(i32) -> ()")
        );
        assert_eq!(i.structure.memories, ["1..2 pages"]);
        assert_eq!(i.structure.start, Some(1));
        let names: Vec<_> = i.sections.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names[..3], ["type", "import", "function"]);
    }

    #[test]
    fn nested_component_tree() {
        let wasm = wat::parse_str(
            r#"(component
                (core module $m (func (export "f")))
                (core instance (instantiate $m))
                (component (core module)))"#,
        )
        .unwrap();
        let i = inspect(&wasm).unwrap();
        assert_eq!(i.kind, InspectKind::Component);
        assert_eq!(i.structure.children.len(), 2);
        assert_eq!(i.structure.children[0].exports[0].name, "f");
        assert_eq!(i.structure.children[1].children[0].kind, NodeKind::Module);
        assert_eq!(i.structure.counts.get("core instances"), Some(&1));
    }
}
