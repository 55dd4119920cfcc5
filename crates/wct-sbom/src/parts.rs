//! The parts of a file, gathered from what wct already reads: the metadata tree (names,
//! producers, annotations, `.dep-v0` crates; wasm-metadata's), `wct size`'s labels (the
//! Preview 1 adapter, libc, a language runtime, a snapshot) and the composition walk (each
//! component's imports and exports). Each part's digest is taken over its own bytes.

use crate::composition::Composition;
use crate::model::{Crate, Part, PartKind, Role, RoleKind, Tool};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use wct_component::metadata::{self, Entry, EntryKind};
use wct_component::size::{Item, ItemKind, LabelKind};

/// The part tree of `wasm` and the crates its `.dep-v0` sections list.
pub(crate) fn gather(
    wasm: &[u8],
    entry: &Entry,
    sizes: &Item,
    composition: &Composition,
    crates: &mut BTreeMap<String, Crate>,
) -> Part {
    let kind = match entry.kind {
        EntryKind::Component => PartKind::Component,
        EntryKind::Module => PartKind::Module,
    };
    let item = find_item(sizes, entry.offset);
    let roles = item.map(roles_of).unwrap_or_default();
    let name = entry.name.clone().unwrap_or_else(|| {
        entry
            .path
            .rsplit(" / ")
            .next()
            .map(|step| step.split_once(' ').map_or(step, |(_, n)| n).to_string())
            .unwrap_or_default()
    });
    let mut annotations = entry.annotations.clone();
    let version = annotations
        .remove("version")
        .or_else(|| runtime_version(&roles, &name));
    let part_crates = entry
        .dependencies
        .iter()
        .map(|d| {
            let purl = format!("pkg:cargo/{}@{}", d.name, d.version);
            crates.entry(purl.clone()).or_insert_with(|| Crate {
                purl: purl.clone(),
                name: d.name.clone(),
                version: d.version.clone(),
                kind: d.kind.clone(),
            });
            purl
        })
        .collect();
    let (imports, exports) = composition
        .names
        .get(&entry.offset)
        .cloned()
        .unwrap_or_default();
    let bytes = usize::try_from(entry.offset)
        .ok()
        .and_then(|start| wasm.get(start..start.checked_add(usize::try_from(entry.size).ok()?)?))
        .unwrap_or_default();
    Part {
        id: entry.path.clone(),
        kind,
        name,
        sha256: hex(&Sha256::digest(bytes)),
        offset: entry.offset,
        size: entry.size,
        roles,
        version,
        producers: producers(entry),
        annotations,
        crates: part_crates,
        imports,
        exports,
        children: entry
            .children
            .iter()
            .map(|child| gather(wasm, child, item.unwrap_or(sizes), composition, crates))
            .collect(),
    }
}

/// The item of `wct size`'s tree (at `item` or under it) of the module or component whose
/// bytes start at `offset`: `wct size`'s item starts at its section's header (an id byte
/// and a size of at most five bytes) just before.
fn find_item(item: &Item, offset: u64) -> Option<&Item> {
    let part = |i: &Item| matches!(i.kind, ItemKind::Module | ItemKind::Component);
    if part(item) && item.offset == offset {
        return Some(item);
    }
    item.children
        .iter()
        .filter(|c| c.offset <= offset && offset < c.offset + c.size)
        .find_map(|c| {
            if part(c) && offset - c.offset <= SECTION_HEADER_MAX {
                Some(c)
            } else {
                find_item(c, offset)
            }
        })
}

/// The most bytes a section header takes: its id and a LEB128 `u32` size.
const SECTION_HEADER_MAX: u64 = 6;

/// The roles the labels of `item` and of its sections name (a snapshot is its data
/// section's label), once each.
fn roles_of(item: &Item) -> Vec<Role> {
    fn collect(item: &Item, out: &mut Vec<Role>) {
        for role in item.labels.iter().filter_map(role) {
            if !out.iter().any(|r| r.kind == role.kind) {
                out.push(role);
            }
        }
        for child in &item.children {
            if !matches!(child.kind, ItemKind::Module | ItemKind::Component) {
                collect(child, out);
            }
        }
    }
    let mut out = Vec::new();
    collect(item, &mut out);
    out.sort_by_key(|r| r.kind);
    out
}

/// The role a label of a module or component names (labels of sections, such as `names`
/// and `debug-info`, say nothing of what a part is; a snapshot is a section's label).
fn role(label: &wct_component::size::Label) -> Option<Role> {
    let kind = match label.kind {
        LabelKind::WasiAdapter => RoleKind::WasiAdapter,
        LabelKind::Libc => RoleKind::Libc,
        LabelKind::PythonRuntime => RoleKind::PythonRuntime,
        LabelKind::JsEngine => RoleKind::JsEngine,
        LabelKind::Snapshot => RoleKind::Snapshot,
        LabelKind::DebugInfo | LabelKind::Names => return None,
    };
    Some(Role {
        kind,
        reason: label.reason.clone(),
    })
}

/// The version a language runtime's name carries: `libpython3.14.so` -> `3.14`.
fn runtime_version(roles: &[Role], name: &str) -> Option<String> {
    if !roles.iter().any(|r| r.kind == RoleKind::PythonRuntime) {
        return None;
    }
    let rest = name.strip_prefix("libpython")?;
    let version: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let version = version.trim_end_matches('.');
    (!version.is_empty()).then(|| version.to_string())
}

/// The producers section as tools, by field.
fn producers(entry: &Entry) -> BTreeMap<String, Vec<Tool>> {
    entry
        .producers
        .iter()
        .map(|(field, list)| {
            let tools = list
                .iter()
                .map(|p: &metadata::Producer| Tool {
                    name: p.name.clone(),
                    version: p.version.clone(),
                })
                .collect();
            (field.clone(), tools)
        })
        .collect()
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_python_runtime_is_versioned_by_its_name() {
        let python = Role {
            kind: RoleKind::PythonRuntime,
            reason: String::new(),
        };
        assert_eq!(
            runtime_version(std::slice::from_ref(&python), "libpython3.14.so").as_deref(),
            Some("3.14")
        );
        assert_eq!(runtime_version(&[python], "main"), None);
        assert_eq!(runtime_version(&[], "libpython3.14.so"), None);
    }
}
