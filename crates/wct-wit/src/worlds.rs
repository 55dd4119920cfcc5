//! A flattened view of worlds for `wct wit worlds`: each world with every import and export
//! (including what `include`s and `use`s pulled in, as wit-parser elaborates them), every
//! interface's functions and types, and the `@since`/`@unstable` gate of each item.

use serde::Serialize;
use std::collections::BTreeSet;
use wit_component::WitPrinter;
use wit_parser::{Function, Resolve, Stability, Type, TypeDefKind, WorldId, WorldItem, WorldKey};

/// The version of the `wit worlds --json` report's shape (docs/schemas/wit-worlds.json).
pub const SCHEMA_VERSION: u32 = 1;

/// The `wct wit worlds --json` report.
#[derive(Debug, Clone, Serialize)]
pub struct WorldsReport {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Every world listed.
    pub worlds: Vec<WorldView>,
}

impl WorldsReport {
    /// The report listing `worlds`.
    pub fn new(worlds: Vec<WorldView>) -> Self {
        WorldsReport {
            schema_version: SCHEMA_VERSION,
            worlds,
        }
    }
}

/// One world, flattened.
#[derive(Debug, Clone, Serialize)]
pub struct WorldView {
    /// `ns:pkg/world@version`.
    pub name: String,
    /// The world's own gate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
    /// Worlds included into this one.
    pub includes: Vec<String>,
    /// Imports in order.
    pub imports: Vec<ItemView>,
    /// Exports in order.
    pub exports: Vec<ItemView>,
}

/// An import or export of a world.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    /// The import/export name (an interface id or a plain name).
    pub name: String,
    /// `interface`, `func` or `type`.
    pub kind: &'static str,
    /// The `@since`/`@unstable` gate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
    /// The included world this item came from, when it came from an `include`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_include: Option<String>,
    /// A function's signature, or a type's definition kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// For interfaces: their types and functions.
    pub members: Vec<Member>,
}

/// A type or function inside an interface.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    /// Its name.
    pub name: String,
    /// `func` or the type's kind (`record`, `resource`, ...).
    pub kind: String,
    /// Function signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The `@since`/`@unstable` gate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
}

/// Renders a gate as WIT spells it, or `None` for ungated items.
pub fn gate(stability: &Stability) -> Option<String> {
    match stability {
        Stability::Unknown => None,
        Stability::Unstable { feature, .. } => Some(format!("@unstable(feature = {feature})")),
        Stability::Stable { since, .. } => Some(format!("@since(version = {since})")),
    }
}

/// Every feature name some item in `resolve` is gated on.
pub fn gated_features(resolve: &Resolve) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |s: &Stability| {
        if let Stability::Unstable { feature, .. } = s {
            out.insert(feature.clone());
        }
    };
    for (_, i) in resolve.interfaces.iter() {
        add(&i.stability);
        i.functions.values().for_each(|f| add(&f.stability));
    }
    resolve.types.iter().for_each(|(_, t)| add(&t.stability));
    resolve.worlds.iter().for_each(|(_, w)| add(&w.stability));
    out
}

/// Renders `func(a: T, ...) -> R` for a WIT function.
pub fn func_signature(resolve: &Resolve, func: &Function) -> String {
    let params: Vec<String> = func
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, type_name(resolve, &p.ty)))
        .collect();
    let keyword = if func.kind.is_async() {
        "async func"
    } else {
        "func"
    };
    let mut out = format!("{keyword}({})", params.join(", "));
    if let Some(result) = &func.result {
        out.push_str(" -> ");
        out.push_str(&type_name(resolve, result));
    }
    out
}

/// Renders a WIT type reference (`list<u8>`, `option<string>`, a named type).
pub fn type_name(resolve: &Resolve, ty: &Type) -> String {
    let mut printer = WitPrinter::default();
    match printer.print_type_name(resolve, ty) {
        Ok(()) => printer.output.to_string(),
        Err(_) => "<unprintable>".into(),
    }
}

fn type_kind(kind: &TypeDefKind) -> String {
    match kind {
        TypeDefKind::Type(_) => "type".into(),
        other => other.as_str().to_string(),
    }
}

/// Builds the flattened view of `world`.
pub fn view(resolve: &Resolve, world: WorldId) -> WorldView {
    let w = &resolve.worlds[world];
    let name = match w.package {
        Some(pkg) => crate::load::qualified(&resolve.packages[pkg].name, &w.name),
        None => w.name.clone(),
    };
    let include_name = |id: WorldId| {
        let iw = &resolve.worlds[id];
        match iw.package {
            Some(pkg) => crate::load::qualified(&resolve.packages[pkg].name, &iw.name),
            None => iw.name.clone(),
        }
    };
    let via = |key: &WorldKey, exports: bool| {
        w.includes.iter().find_map(|inc| {
            let iw = &resolve.worlds[inc.id];
            let map = if exports { &iw.exports } else { &iw.imports };
            map.contains_key(key).then(|| include_name(inc.id))
        })
    };
    let items = |map: &wit_parser::IndexMap<WorldKey, WorldItem>, exports: bool| {
        map.iter()
            .map(|(key, item)| {
                let mut view = item_view(resolve, key, item);
                view.via_include = via(key, exports);
                view
            })
            .collect()
    };
    WorldView {
        gate: gate(&w.stability),
        includes: w.includes.iter().map(|i| include_name(i.id)).collect(),
        imports: items(&w.imports, false),
        exports: items(&w.exports, true),
        name,
    }
}

fn item_view(resolve: &Resolve, key: &WorldKey, item: &WorldItem) -> ItemView {
    let name = resolve.name_world_key(key);
    match item {
        WorldItem::Interface { id, stability, .. } => {
            let iface = &resolve.interfaces[*id];
            let mut members: Vec<Member> = iface
                .types
                .iter()
                .map(|(n, t)| Member {
                    name: n.clone(),
                    kind: type_kind(&resolve.types[*t].kind),
                    signature: None,
                    gate: gate(&resolve.types[*t].stability),
                })
                .collect();
            members.extend(iface.functions.iter().map(|(n, f)| Member {
                name: n.clone(),
                kind: "func".into(),
                signature: Some(func_signature(resolve, f)),
                gate: gate(&f.stability),
            }));
            ItemView {
                name,
                kind: "interface",
                gate: gate(stability).or_else(|| gate(&iface.stability)),
                via_include: None,
                signature: None,
                members,
            }
        }
        WorldItem::Function(f) => ItemView {
            name,
            kind: "func",
            gate: gate(&f.stability),
            via_include: None,
            signature: Some(func_signature(resolve, f)),
            members: Vec::new(),
        },
        WorldItem::Type { id, .. } => ItemView {
            name,
            kind: "type",
            gate: gate(&resolve.types[*id].stability),
            via_include: None,
            signature: Some(type_kind(&resolve.types[*id].kind)),
            members: Vec::new(),
        },
    }
}

/// The union of `worlds`, each in its own [`Resolve`]: every import and export of each, as
/// one world (named `union`) in the first resolve with the others merged into it. A world
/// given alone is returned as it is.
pub fn union(worlds: Vec<(Resolve, WorldId)>) -> Result<(Resolve, WorldId), UnionError> {
    let names = worlds
        .iter()
        .map(|(r, w)| r.worlds[*w].name.clone())
        .collect::<Vec<_>>()
        .join(" + ");
    union_of(worlds).map_err(|reason| UnionError {
        worlds: names,
        reason: format!("{reason:#}"),
    })
}

/// Why worlds have no union: two of them give the same import or export different types.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("the worlds {worlds} cannot be combined: {reason}")]
pub struct UnionError {
    /// The worlds, joined by ` + `.
    pub worlds: String,
    /// What clashed.
    pub reason: String,
}

fn union_of(mut worlds: Vec<(Resolve, WorldId)>) -> anyhow::Result<(Resolve, WorldId)> {
    use anyhow::Context;
    if worlds.is_empty() {
        anyhow::bail!("no world to take the union of");
    }
    let (mut resolve, first) = worlds.remove(0);
    if worlds.is_empty() {
        return Ok((resolve, first));
    }
    let names = std::iter::once(resolve.worlds[first].name.clone())
        .chain(worlds.iter().map(|(r, w)| r.worlds[*w].name.clone()))
        .collect::<Vec<_>>()
        .join(" + ");
    let mut others = Vec::new();
    for (other, world) in worlds {
        let name = other.worlds[world].name.clone();
        let remap = resolve
            .merge(other)
            .with_context(|| format!("merging the WIT of world {name}"))?;
        others.push(
            remap.worlds[world.index()]
                .with_context(|| format!("world {name} was lost merging its WIT"))?,
        );
    }
    // The union is a copy of the first world, in its package under a name of its own.
    let mut union = resolve.worlds[first].clone();
    let package = union
        .package
        .context("the first world belongs to no package")?;
    let mut name = "union".to_string();
    while resolve.packages[package].worlds.contains_key(&name) {
        name.push('_');
    }
    union.name = name.clone();
    let into = resolve.worlds.alloc(union);
    resolve.packages[package].worlds.insert(name, into);
    for from in others {
        resolve
            .merge_worlds(from, into, &mut wit_parser::CloneMaps::default())
            .with_context(|| format!("taking the union of worlds {names}"))?;
    }
    Ok((resolve, into))
}
