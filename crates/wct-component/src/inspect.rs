//! A structured summary of a wasm binary: what `wct inspect` prints and serializes.
//!
//! One walk over the binary with wasmparser builds a tree of every (nested) module and
//! component with its imports, exports and item counts, plus the top-level section table and
//! custom sections. wit-component then decodes the WIT view: the world a component targets,
//! the package a wasm-encoded WIT package defines, or the `component-type` metadata a core
//! module carries. wasm-metadata reads producers and the other metadata sections.

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

/// An import or export of a component, seen through WIT.
#[derive(Debug, Clone, Serialize)]
pub struct WitItem {
    /// The name, e.g. `wasi:cli/stdout@0.2.0` or `greet`.
    pub name: String,
    /// `interface`, `func` or `type`.
    pub kind: &'static str,
    /// The WIT text of the item: the function signature, or the interface name.
    pub wit: String,
}

/// A module or component in the structure tree.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// `module` or `component`.
    pub kind: &'static str,
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
    /// Nested modules and components.
    pub children: Vec<Node>,
}

/// One import or export of a module or component.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// For core imports, the module part of the name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// The name.
    pub name: String,
    /// The kind of item (`func`, `memory`, `instance`, ...).
    pub kind: String,
    /// The type, when it can be said briefly (core function signatures, limits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
}

impl Node {
    fn new(kind: &'static str, offset: u64) -> Self {
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
            children: Vec::new(),
        }
    }

    fn count(&mut self, what: &'static str, n: u32) {
        if n > 0 {
            *self.counts.entry(what).or_default() += n;
        }
    }
}

/// Inspects a binary module or component. Fails only when the binary cannot be parsed.
pub fn inspect(wasm: &[u8]) -> anyhow::Result<Inspection> {
    let (structure, sections) = walk(wasm)?;
    let mut inspection = Inspection {
        schema_version: SCHEMA_VERSION,
        kind: if structure.kind == "module" {
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
        metadata: wasm_metadata::Payload::from_binary(wasm).ok(),
    };
    match inspection.kind {
        InspectKind::CoreModule => add_module_wit(wasm, &mut inspection),
        _ => add_component_wit(wasm, &mut inspection),
    }
    Ok(inspection)
}

fn add_component_wit(wasm: &[u8], inspection: &mut Inspection) {
    match wit_component::decode(wasm) {
        Ok(DecodedWasm::WitPackage(resolve, pkg)) => {
            inspection.kind = InspectKind::WitPackage;
            inspection.wit = print_package(&resolve, pkg).ok();
        }
        Ok(DecodedWasm::Component(resolve, world)) => {
            let w = &resolve.worlds[world];
            inspection.wit_imports = w
                .imports
                .iter()
                .map(|(k, i)| wit_item(&resolve, k, i))
                .collect();
            inspection.wit_exports = w
                .exports
                .iter()
                .map(|(k, i)| wit_item(&resolve, k, i))
                .collect();
            if let Some(pkg) = w.package {
                inspection.wit = print_package(&resolve, pkg).ok();
            }
        }
        Err(e) => inspection.wit_error = Some(format!("{e:#}")),
    }
}

fn add_module_wit(wasm: &[u8], inspection: &mut Inspection) {
    let has_metadata = inspection
        .structure
        .custom_sections
        .iter()
        .any(|s| s.name.starts_with("component-type"));
    if !has_metadata {
        return;
    }
    match wit_component::metadata::decode(wasm) {
        Ok((_, bindgen)) => {
            let world = &bindgen.resolve.worlds[bindgen.world];
            if let Some(pkg) = world.package {
                inspection.wit = print_package(&bindgen.resolve, pkg).ok();
            }
        }
        Err(e) => inspection.wit_error = Some(format!("{e:#}")),
    }
}

/// Prints one package of `resolve` as WIT text.
pub fn print_package(resolve: &Resolve, pkg: wit_parser::PackageId) -> anyhow::Result<String> {
    let mut printer = WitPrinter::default();
    printer.print(resolve, pkg, &[])?;
    Ok(printer.output.to_string())
}

fn wit_item(resolve: &Resolve, key: &WorldKey, item: &WorldItem) -> WitItem {
    let name = resolve.name_world_key(key);
    match item {
        WorldItem::Interface { id, .. } => WitItem {
            wit: resolve.id_of(*id).unwrap_or_else(|| name.clone()),
            name,
            kind: "interface",
        },
        WorldItem::Function(func) => WitItem {
            wit: func_signature(resolve, func),
            name,
            kind: "func",
        },
        WorldItem::Type { id, .. } => WitItem {
            wit: type_name(resolve, &Type::Id(*id)),
            name,
            kind: "type",
        },
    }
}

/// Walks the binary once, building the structure tree and the top-level section table.
fn walk(wasm: &[u8]) -> anyhow::Result<(Node, Vec<Section>)> {
    let mut stack: Vec<(Node, Vec<String>)> = Vec::new();
    let mut sections = Vec::new();
    let mut root = None;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload?;
        if let Payload::Version {
            encoding, range, ..
        } = &payload
        {
            let kind = match encoding {
                Encoding::Module => "module",
                Encoding::Component => "component",
            };
            stack.push((Node::new(kind, range.start), Vec::new()));
            continue;
        }
        let depth = stack.len();
        let Some((node, func_types)) = stack.last_mut() else {
            anyhow::bail!("malformed binary: payload outside of a module or component");
        };
        if depth == 1 {
            if let Some((id, range)) = payload.as_section() {
                sections.push(Section {
                    name: section_name(node.kind, id, &payload),
                    offset: range.start,
                    size: range.end - range.start,
                });
            }
        }
        if let Payload::End(_) = payload {
            let (done, _) = stack.pop().expect("stack is non-empty here");
            match stack.last_mut() {
                Some((parent, _)) => parent.children.push(done),
                None => root = Some(done),
            }
            continue;
        }
        record(node, func_types, payload)?;
    }
    let root = root.ok_or_else(|| anyhow::anyhow!("unexpected end of binary"))?;
    Ok((root, sections))
}

/// Adds what one payload says to the node being built.
fn record(
    node: &mut Node,
    func_types: &mut Vec<String>,
    payload: Payload<'_>,
) -> anyhow::Result<()> {
    match payload {
        Payload::TypeSection(reader) => {
            let before = func_types.len();
            for group in reader {
                for sub in group?.into_types() {
                    func_types.push(match &sub.composite_type.inner {
                        wasmparser::CompositeInnerType::Func(f) => core_func_type(f),
                        other => format!("{other:?}"),
                    });
                }
            }
            node.count("types", (func_types.len() - before) as u32);
        }
        Payload::ImportSection(reader) => {
            for import in reader.into_imports() {
                let import = import?;
                let (kind, ty) = core_type_ref(&import.ty, func_types);
                node.imports.push(Entry {
                    module: Some(import.module.to_string()),
                    name: import.name.to_string(),
                    kind: kind.to_string(),
                    ty,
                });
            }
        }
        Payload::FunctionSection(reader) => node.count("functions", reader.count()),
        Payload::TableSection(reader) => {
            for table in reader {
                let t = table?.ty;
                node.tables.push(format!(
                    "{} {}",
                    ref_type(&t.element_type),
                    limits(t.initial, t.maximum)
                ));
            }
        }
        Payload::MemorySection(reader) => {
            for memory in reader {
                let m = memory?;
                node.memories.push(memory_type(&m));
            }
        }
        Payload::GlobalSection(reader) => node.count("globals", reader.count()),
        Payload::TagSection(reader) => node.count("tags", reader.count()),
        Payload::ExportSection(reader) => {
            for export in reader {
                let export = export?;
                node.exports.push(Entry {
                    module: None,
                    name: export.name.to_string(),
                    kind: external_kind(export.kind).to_string(),
                    ty: Some(format!("index {}", export.index)),
                });
            }
        }
        Payload::StartSection { func, .. } => node.start = Some(func),
        Payload::ElementSection(reader) => node.count("element segments", reader.count()),
        Payload::DataSection(reader) => node.count("data segments", reader.count()),
        Payload::CustomSection(section) => node.custom_sections.push(Section {
            name: section.name().to_string(),
            offset: section.data_offset(),
            size: section.data().len() as u64,
        }),
        Payload::InstanceSection(reader) => node.count("core instances", reader.count()),
        Payload::CoreTypeSection(reader) => node.count("core types", reader.count()),
        Payload::ComponentInstanceSection(reader) => node.count("instances", reader.count()),
        Payload::ComponentAliasSection(reader) => node.count("aliases", reader.count()),
        Payload::ComponentTypeSection(reader) => node.count("types", reader.count()),
        Payload::ComponentCanonicalSection(reader) => {
            node.count("canonical functions", reader.count())
        }
        Payload::ComponentImportSection(reader) => {
            for import in reader {
                let import = import?;
                node.imports.push(Entry {
                    module: None,
                    name: import.name.name.to_string(),
                    kind: component_type_ref(&import.ty).to_string(),
                    ty: None,
                });
            }
        }
        Payload::ComponentExportSection(reader) => {
            for export in reader {
                let export = export?;
                node.exports.push(Entry {
                    module: None,
                    name: export.name.name.to_string(),
                    kind: component_external_kind(export.kind).to_string(),
                    ty: None,
                });
            }
        }
        Payload::ComponentStartSection { .. } => node.count("start functions", 1),
        _ => {}
    }
    Ok(())
}

fn section_name(encoding: &str, id: u8, payload: &Payload<'_>) -> String {
    if let Payload::CustomSection(c) = payload {
        return format!("custom:{}", c.name());
    }
    let names: &[&str] = if encoding == "module" {
        &[
            "custom",
            "type",
            "import",
            "function",
            "table",
            "memory",
            "global",
            "export",
            "start",
            "element",
            "code",
            "data",
            "datacount",
            "tag",
        ]
    } else {
        &[
            "custom",
            "core module",
            "core instance",
            "core type",
            "component",
            "instance",
            "alias",
            "type",
            "canon",
            "start",
            "import",
            "export",
            "value",
        ]
    };
    names
        .get(usize::from(id))
        .map(|s| s.to_string())
        .unwrap_or_else(|| format!("section {id}"))
}

fn core_func_type(f: &wasmparser::FuncType) -> String {
    let list = |tys: &[wasmparser::ValType]| {
        tys.iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("func({}) -> ({})", list(f.params()), list(f.results()))
}

fn core_type_ref(ty: &TypeRef, func_types: &[String]) -> (&'static str, Option<String>) {
    match ty {
        TypeRef::Func(i) | TypeRef::FuncExact(i) => ("func", func_types.get(*i as usize).cloned()),
        TypeRef::Table(t) => (
            "table",
            Some(format!(
                "{} {}",
                ref_type(&t.element_type),
                limits(t.initial, t.maximum)
            )),
        ),
        TypeRef::Memory(m) => ("memory", Some(memory_type(m))),
        TypeRef::Global(g) => (
            "global",
            Some(format!(
                "{}{}",
                if g.mutable { "mut " } else { "" },
                g.content_type
            )),
        ),
        TypeRef::Tag(_) => ("tag", None),
    }
}

fn ref_type(t: &wasmparser::RefType) -> String {
    t.to_string()
}

fn limits(initial: u64, maximum: Option<u64>) -> String {
    match maximum {
        Some(max) => format!("{initial}..{max}"),
        None => format!("{initial}.."),
    }
}

fn memory_type(m: &wasmparser::MemoryType) -> String {
    let mut out = limits(m.initial, m.maximum);
    out.push_str(" pages");
    if m.memory64 {
        out.push_str(" (64-bit)");
    }
    if m.shared {
        out.push_str(" (shared)");
    }
    out
}

fn external_kind(kind: ExternalKind) -> &'static str {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => "func",
        ExternalKind::Table => "table",
        ExternalKind::Memory => "memory",
        ExternalKind::Global => "global",
        ExternalKind::Tag => "tag",
    }
}

fn component_external_kind(kind: ComponentExternalKind) -> &'static str {
    match kind {
        ComponentExternalKind::Module => "module",
        ComponentExternalKind::Func => "func",
        ComponentExternalKind::Value => "value",
        ComponentExternalKind::Type => "type",
        ComponentExternalKind::Instance => "instance",
        ComponentExternalKind::Component => "component",
    }
}

fn component_type_ref(ty: &ComponentTypeRef) -> &'static str {
    match ty {
        ComponentTypeRef::Module(_) => "module",
        ComponentTypeRef::Func(_) => "func",
        ComponentTypeRef::Value(_) => "value",
        ComponentTypeRef::Type(_) => "type",
        ComponentTypeRef::Instance(_) => "instance",
        ComponentTypeRef::Component(_) => "component",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(i.structure.children[1].children[0].kind, "module");
        assert_eq!(i.structure.counts.get("core instances"), Some(&1));
    }
}
