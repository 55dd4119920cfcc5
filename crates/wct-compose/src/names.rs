//! Names for the components a composition defines. wac-graph names the instances it
//! creates (`app`, `greeter`) in the `component-name` section, but not the components they
//! are instances of, so tools that name nested components (`wct size`, `wct inspect`,
//! backtraces) would say `component 0`. Each defined component is given the name of the
//! instance made from it (the first, if several).

use std::collections::BTreeMap;
use wasm_encoder::{ComponentNameSection, NameMap};
use wasmparser::{
    ComponentAlias, ComponentExternalKind, ComponentInstance, ComponentName,
    ComponentNameSectionReader, ComponentOuterAliasKind, ComponentTypeRef, Parser, Payload,
};

/// The section's name.
const SECTION: &str = "component-name";

/// Index spaces of the outer component that matter here, counted as its sections go by.
#[derive(Default)]
struct Spaces {
    components: u32,
    instances: u32,
    /// Instance index -> the component it instantiates.
    instantiates: BTreeMap<u32, u32>,
}

impl Spaces {
    fn add(&mut self, kind: ComponentExternalKind) {
        match kind {
            ComponentExternalKind::Component => self.components += 1,
            ComponentExternalKind::Instance => self.instances += 1,
            _ => {}
        }
    }
}

/// `component` with its defined components named after their instances. Returned unchanged
/// when it has no `component-name` section naming instances.
pub(crate) fn name_components(
    component: Vec<u8>,
) -> Result<Vec<u8>, wasmparser::BinaryReaderError> {
    let mut spaces = Spaces::default();
    let mut depth = 0u32;
    let mut names_at = None;
    for payload in Parser::new(0).parse_all(&component) {
        let payload = payload?;
        let outer = depth == 0;
        match payload {
            Payload::ModuleSection { .. } => depth += 1,
            Payload::ComponentSection { .. } => {
                if outer {
                    spaces.components += 1;
                }
                depth += 1;
            }
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if outer => {
                for import in reader {
                    match import?.ty {
                        ComponentTypeRef::Component(_) => spaces.components += 1,
                        ComponentTypeRef::Instance(_) => spaces.instances += 1,
                        _ => {}
                    }
                }
            }
            Payload::ComponentInstanceSection(reader) if outer => {
                for instance in reader {
                    if let ComponentInstance::Instantiate {
                        component_index, ..
                    } = instance?
                    {
                        spaces
                            .instantiates
                            .insert(spaces.instances, component_index);
                    }
                    spaces.instances += 1;
                }
            }
            Payload::ComponentAliasSection(reader) if outer => {
                for alias in reader {
                    match alias? {
                        ComponentAlias::InstanceExport { kind, .. } => spaces.add(kind),
                        ComponentAlias::Outer {
                            kind: ComponentOuterAliasKind::Component,
                            ..
                        } => spaces.components += 1,
                        _ => {}
                    }
                }
            }
            Payload::ComponentExportSection(reader) if outer => {
                for export in reader {
                    spaces.add(export?.kind);
                }
            }
            Payload::CustomSection(section) if outer && section.name() == SECTION => {
                names_at = Some((
                    section.range(),
                    section.data_offset(),
                    section.data().to_vec(),
                ));
            }
            _ => {}
        }
    }
    let Some((range, data_offset, data)) = names_at else {
        return Ok(component);
    };
    let mut rebuilt = ComponentNameSection::new();
    let mut component_names: BTreeMap<u32, String> = BTreeMap::new();
    let mut instance_names: BTreeMap<u32, String> = BTreeMap::new();
    let reader = wasmparser::BinaryReader::new(&data, data_offset);
    for part in ComponentNameSectionReader::new(reader) {
        let part = part?;
        // wac-graph writes names in its graph's order, not always by index, which readers
        // refuse ("names out of order"): they are read as they are and written sorted.
        let map =
            |names: wasmparser::NameMap<'_>| -> Result<NameMap, wasmparser::BinaryReaderError> {
                let mut map = NameMap::new();
                for (index, name) in sorted(names)? {
                    map.append(index, &name);
                }
                Ok(map)
            };
        match part {
            ComponentName::Component { name, .. } => rebuilt.component(name),
            ComponentName::CoreFuncs(m) => rebuilt.core_funcs(&map(m)?),
            ComponentName::CoreGlobals(m) => rebuilt.core_globals(&map(m)?),
            ComponentName::CoreMemories(m) => rebuilt.core_memories(&map(m)?),
            ComponentName::CoreTables(m) => rebuilt.core_tables(&map(m)?),
            ComponentName::CoreTags(m) => rebuilt.core_tags(&map(m)?),
            ComponentName::CoreModules(m) => rebuilt.core_modules(&map(m)?),
            ComponentName::CoreInstances(m) => rebuilt.core_instances(&map(m)?),
            ComponentName::CoreTypes(m) => rebuilt.core_types(&map(m)?),
            ComponentName::Types(m) => rebuilt.types(&map(m)?),
            ComponentName::Funcs(m) => rebuilt.funcs(&map(m)?),
            ComponentName::Values(m) => rebuilt.values(&map(m)?),
            ComponentName::Instances(m) => {
                instance_names.extend(sorted(m.clone())?);
                rebuilt.instances(&map(m)?);
            }
            ComponentName::Components(m) => component_names.extend(sorted(m)?),
            ComponentName::Unknown { ty, data, .. } => rebuilt.raw(ty, data),
        }
    }
    for (instance, component_index) in &spaces.instantiates {
        if let Some(name) = instance_names.get(instance) {
            component_names
                .entry(*component_index)
                .or_insert_with(|| name.clone());
        }
    }
    if component_names.is_empty() {
        return Ok(component);
    }
    let mut components = NameMap::new();
    for (index, name) in &component_names {
        components.append(*index, name);
    }
    rebuilt.components(&components);
    // The section is replaced where it was (its id and size come before `range`, the name
    // and contents): every other byte is kept.
    let range = range.start as usize..range.end as usize;
    let size_bytes = leb128_len(range.len() as u64);
    let start = range.start - 1 - size_bytes;
    // Spliced in place: only the bytes after the section move (it is the last one wac-graph
    // writes), where a copy would fault in and fill as many fresh pages as the composition has.
    use wasm_encoder::Encode;
    let mut section = vec![0];
    rebuilt.as_custom().encode(&mut section);
    let mut component = component;
    component.splice(start..range.end, section);
    Ok(component)
}

/// The names of a name map by index, whatever order they were written in (the first name
/// given to an index wins).
fn sorted(
    names: wasmparser::NameMap<'_>,
) -> Result<BTreeMap<u32, String>, wasmparser::BinaryReaderError> {
    let mut out = BTreeMap::new();
    for naming in names.names {
        let naming = naming?;
        out.entry(naming.index)
            .or_insert_with(|| naming.name.to_string());
    }
    Ok(out)
}

/// How many bytes the unsigned LEB128 encoding of `value` takes.
fn leb128_len(mut value: u64) -> usize {
    let mut len = 1;
    while value >= 0x80 {
        value >>= 7;
        len += 1;
    }
    len
}
