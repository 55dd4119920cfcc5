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
    /// Components: which WASI they use and their asynchronous parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub async_profile: Option<AsyncProfile>,
}

/// Which WASI a component uses (0.2, 0.3 or both), and what of the component model's async
/// features it has: `async func` imports and exports, `stream`/`future`/`error-context`
/// types, and the async canonical built-ins its core code calls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AsyncProfile {
    /// `0.2`, `0.3`, `mixed` (both) or `none`.
    pub wasi: &'static str,
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
    /// Nested modules and components.
    pub children: Vec<Node>,
    /// Async canonical built-ins defined here (summed up in [`AsyncProfile`]).
    #[serde(skip)]
    pub async_builtins: BTreeMap<&'static str, u32>,
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
#[error("{0:#}")]
pub struct InspectError(pub anyhow::Error);

/// Inspects a binary module or component. Fails only when the binary cannot be parsed.
pub fn inspect(wasm: &[u8]) -> Result<Inspection, InspectError> {
    // The three reads of the binary are independent: the WIT decoder (most of the time on a
    // large component) runs beside the structure walk and the metadata reader.
    let is_component = crate::detect(wasm) == crate::WasmKind::Component;
    let ((walked, metadata), decoded) = rayon::join(
        || (walk(wasm), wasm_metadata::Payload::from_binary(wasm).ok()),
        || is_component.then(|| wit_component::decode(wasm)),
    );
    let (structure, sections) = walked.map_err(InspectError)?;
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
    };
    match (inspection.kind, decoded) {
        (InspectKind::CoreModule, _) => add_module_wit(wasm, &mut inspection),
        (_, Some(decoded)) => add_component_wit(decoded, &mut inspection),
        (_, None) => add_component_wit(wit_component::decode(wasm), &mut inspection),
    }
    Ok(inspection)
}

fn add_component_wit(decoded: anyhow::Result<DecodedWasm>, inspection: &mut Inspection) {
    match decoded {
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
            inspection.async_profile = Some(async_profile(&resolve, world, &inspection.structure));
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

/// The async profile of a component whose world is `world`.
fn async_profile(resolve: &Resolve, world: wit_parser::WorldId, structure: &Node) -> AsyncProfile {
    let w = &resolve.worlds[world];
    let mut profile = AsyncProfile::default();
    let mut versions = std::collections::BTreeSet::new();
    let mut types = TypeCounter::default();
    for (items, asyncs) in [
        (&w.imports, &mut profile.async_imports),
        (&w.exports, &mut profile.async_exports),
    ] {
        for (key, item) in items {
            let name = resolve.name_world_key(key);
            if let Some(version) = name.strip_prefix("wasi:").and_then(|n| n.rsplit_once('@')) {
                versions.insert(version.1.to_string());
            }
            match item {
                WorldItem::Interface { id, .. } => {
                    for (fname, func) in &resolve.interfaces[*id].functions {
                        if func.kind.is_async() {
                            asyncs.push(format!("{name}#{fname}"));
                        }
                        types.function(resolve, func);
                    }
                }
                WorldItem::Function(func) => {
                    if func.kind.is_async() {
                        asyncs.push(name);
                    }
                    types.function(resolve, func);
                }
                WorldItem::Type { id, .. } => types.ty(resolve, &Type::Id(*id)),
            }
        }
    }
    let generation = |v: &String| v.split('.').take(2).collect::<Vec<_>>().join(".");
    let generations: std::collections::BTreeSet<String> = versions.iter().map(generation).collect();
    profile.wasi = match (generations.contains("0.2"), generations.contains("0.3")) {
        (true, true) => "mixed",
        (false, true) => "0.3",
        (true, false) => "0.2",
        (false, false) => "none",
    };
    profile.wasi_versions = versions.into_iter().collect();
    profile.async_types = types.counts;
    fn sum(node: &Node, into: &mut BTreeMap<&'static str, u32>) {
        for (name, n) in &node.async_builtins {
            *into.entry(name).or_default() += n;
        }
        for child in &node.children {
            sum(child, into);
        }
    }
    sum(structure, &mut profile.async_builtins);
    profile
}

/// Counts the `stream`, `future` and `error-context` types reachable from functions, each
/// type definition once.
#[derive(Default)]
struct TypeCounter {
    seen: std::collections::HashSet<wit_parser::TypeId>,
    error_context: bool,
    counts: BTreeMap<&'static str, u32>,
}

impl TypeCounter {
    fn function(&mut self, resolve: &Resolve, func: &wit_parser::Function) {
        for param in &func.params {
            self.ty(resolve, &param.ty);
        }
        if let Some(result) = &func.result {
            self.ty(resolve, result);
        }
    }

    fn ty(&mut self, resolve: &Resolve, ty: &Type) {
        use wit_parser::TypeDefKind as K;
        match ty {
            Type::ErrorContext if !self.error_context => {
                self.error_context = true;
                *self.counts.entry("error-context").or_default() += 1;
            }
            Type::Id(id) if self.seen.insert(*id) => {
                let mut inner = Vec::new();
                match &resolve.types[*id].kind {
                    K::Stream(t) | K::Future(t) => {
                        let what = if matches!(resolve.types[*id].kind, K::Stream(_)) {
                            "stream"
                        } else {
                            "future"
                        };
                        *self.counts.entry(what).or_default() += 1;
                        inner.extend(t);
                    }
                    K::Record(r) => inner.extend(r.fields.iter().map(|f| f.ty)),
                    K::Tuple(t) => inner.extend(t.types.iter().copied()),
                    K::Variant(v) => inner.extend(v.cases.iter().filter_map(|c| c.ty)),
                    K::Option(t) | K::List(t) | K::Type(t) | K::FixedLengthList(t, _) => {
                        inner.push(*t)
                    }
                    K::Result(r) => inner.extend(r.ok.iter().chain(&r.err).copied()),
                    K::Map(k, v) => inner.extend([*k, *v]),
                    _ => {}
                }
                for t in inner {
                    self.ty(resolve, &t);
                }
            }
            _ => {}
        }
    }
}

/// The spec name of an async canonical built-in (`task.return`, `stream.read`, ...); `None` for
/// lifts, lowers, resources and threads.
fn async_builtin(function: &wasmparser::CanonicalFunction) -> Option<&'static str> {
    use wasmparser::CanonicalFunction as C;
    Some(match function {
        C::BackpressureInc => "backpressure.inc",
        C::BackpressureDec => "backpressure.dec",
        C::TaskReturn { .. } => "task.return",
        C::TaskCancel => "task.cancel",
        C::ContextGet { .. } => "context.get",
        C::ContextSet { .. } => "context.set",
        C::ThreadYield => "thread.yield",
        C::SubtaskDrop => "subtask.drop",
        C::SubtaskCancel { .. } => "subtask.cancel",
        C::StreamNew { .. } => "stream.new",
        C::StreamRead { .. } => "stream.read",
        C::StreamWrite { .. } => "stream.write",
        C::StreamCancelRead { .. } => "stream.cancel-read",
        C::StreamCancelWrite { .. } => "stream.cancel-write",
        C::StreamDropReadable { .. } => "stream.drop-readable",
        C::StreamDropWritable { .. } => "stream.drop-writable",
        C::FutureNew { .. } => "future.new",
        C::FutureRead { .. } => "future.read",
        C::FutureWrite { .. } => "future.write",
        C::FutureCancelRead { .. } => "future.cancel-read",
        C::FutureCancelWrite { .. } => "future.cancel-write",
        C::FutureDropReadable { .. } => "future.drop-readable",
        C::FutureDropWritable { .. } => "future.drop-writable",
        C::ErrorContextNew { .. } => "error-context.new",
        C::ErrorContextDebugMessage { .. } => "error-context.debug-message",
        C::ErrorContextDrop => "error-context.drop",
        C::WaitableSetNew => "waitable-set.new",
        C::WaitableSetWait { .. } => "waitable-set.wait",
        C::WaitableSetPoll { .. } => "waitable-set.poll",
        C::WaitableSetDrop => "waitable-set.drop",
        C::WaitableJoin => "waitable.join",
        _ => return None,
    })
}

/// Prints one package of `resolve` as WIT text.
pub fn print_package(
    resolve: &Resolve,
    pkg: wit_parser::PackageId,
) -> Result<String, crate::text::PrintError> {
    let mut printer = WitPrinter::default();
    printer
        .print(resolve, pkg, &[])
        .map_err(crate::text::PrintError)?;
    Ok(printer.output.to_string())
}

fn wit_item(resolve: &Resolve, key: &WorldKey, item: &WorldItem) -> WitItem {
    let name = resolve.name_world_key(key);
    match item {
        WorldItem::Interface { id, .. } => WitItem {
            wit: resolve.id_of(*id).unwrap_or_else(|| name.clone()),
            name,
            kind: WitItemKind::Interface,
        },
        WorldItem::Function(func) => WitItem {
            wit: func_signature(resolve, func),
            name,
            kind: WitItemKind::Func,
        },
        WorldItem::Type { id, .. } => WitItem {
            wit: type_name(resolve, &Type::Id(*id)),
            name,
            kind: WitItemKind::Type,
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
                Encoding::Module => NodeKind::Module,
                Encoding::Component => NodeKind::Component,
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
            node.count("canonical functions", reader.count());
            for function in reader {
                let function = function?;
                if let Some(name) = async_builtin(&function) {
                    *node.async_builtins.entry(name).or_default() += 1;
                }
            }
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

fn section_name(encoding: NodeKind, id: u8, payload: &Payload<'_>) -> String {
    if let Payload::CustomSection(c) = payload {
        return format!("custom:{}", c.name());
    }
    let names: &[&str] = if encoding == NodeKind::Module {
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
        assert_eq!(i.structure.children[1].children[0].kind, NodeKind::Module);
        assert_eq!(i.structure.counts.get("core instances"), Some(&1));
    }
}
