//! One walk over the binary with wasmparser: the tree of every (nested) module and component
//! with its imports, exports and item counts, and the top-level section table.

use super::*;

/// Walks the binary once, building the structure tree and the top-level section table.
pub(super) fn walk(wasm: &[u8]) -> anyhow::Result<(Node, Vec<Section>)> {
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
                    kind,
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
                    kind: external_kind(export.kind),
                    ty: Some(format!("index {}", export.index)),
                });
            }
        }
        Payload::StartSection { func, .. } => node.start = Some(func),
        Payload::ElementSection(reader) => node.count("element segments", reader.count()),
        Payload::DataSection(reader) => node.count("data segments", reader.count()),
        Payload::CustomSection(section) => {
            if section.name() == "wct-virt" {
                node.virtualizes = String::from_utf8_lossy(section.data())
                    .lines()
                    .map(str::to_string)
                    .collect();
            }
            node.custom_sections.push(Section {
                name: section.name().to_string(),
                offset: section.data_offset(),
                size: section.data().len() as u64,
            })
        }
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
                    kind: component_type_ref(&import.ty),
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
                    kind: component_external_kind(export.kind),
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

fn core_type_ref(ty: &TypeRef, func_types: &[String]) -> (EntryKind, Option<String>) {
    match ty {
        TypeRef::Func(i) | TypeRef::FuncExact(i) => {
            (EntryKind::Func, func_types.get(*i as usize).cloned())
        }
        TypeRef::Table(t) => (
            EntryKind::Table,
            Some(format!(
                "{} {}",
                ref_type(&t.element_type),
                limits(t.initial, t.maximum)
            )),
        ),
        TypeRef::Memory(m) => (EntryKind::Memory, Some(memory_type(m))),
        TypeRef::Global(g) => (
            EntryKind::Global,
            Some(format!(
                "{}{}",
                if g.mutable { "mut " } else { "" },
                g.content_type
            )),
        ),
        TypeRef::Tag(_) => (EntryKind::Tag, None),
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

fn external_kind(kind: ExternalKind) -> EntryKind {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => EntryKind::Func,
        ExternalKind::Table => EntryKind::Table,
        ExternalKind::Memory => EntryKind::Memory,
        ExternalKind::Global => EntryKind::Global,
        ExternalKind::Tag => EntryKind::Tag,
    }
}

fn component_external_kind(kind: ComponentExternalKind) -> EntryKind {
    match kind {
        ComponentExternalKind::Module => EntryKind::Module,
        ComponentExternalKind::Func => EntryKind::Func,
        ComponentExternalKind::Value => EntryKind::Value,
        ComponentExternalKind::Type => EntryKind::Type,
        ComponentExternalKind::Instance => EntryKind::Instance,
        ComponentExternalKind::Component => EntryKind::Component,
    }
}

fn component_type_ref(ty: &ComponentTypeRef) -> EntryKind {
    match ty {
        ComponentTypeRef::Module(_) => EntryKind::Module,
        ComponentTypeRef::Func(_) => EntryKind::Func,
        ComponentTypeRef::Value(_) => EntryKind::Value,
        ComponentTypeRef::Type(_) => EntryKind::Type,
        ComponentTypeRef::Instance(_) => EntryKind::Instance,
        ComponentTypeRef::Component(_) => EntryKind::Component,
    }
}
