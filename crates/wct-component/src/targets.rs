//! Does a component fit a world? Every import must be provided by the world, every export the
//! world requires must be present, and the functions on both sides must have the same types.
//!
//! Items are matched by name with semver-compatible versions (`wasi:cli/stdout@0.2.3` matches
//! `@0.2.12`, never `@0.3.0`). Each problem is reported as its own [`Mismatch`]; when the
//! item-by-item comparison finds nothing, wit-component's structural `targets` check (a real
//! instantiation type check) is run as the final word.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use wct_wit::semver_key::semver_key;
use wct_wit::wasi_name::{wasi_generation, WasiGeneration, WasiName};
use wct_wit::worlds::func_signature;
use wit_component::DecodedWasm;
use wit_parser::{Resolve, WorldId, WorldItem, WorldKey};

/// Where a mismatch is: on one import or export, or the component as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// An import.
    Import,
    /// An export.
    Export,
    /// The whole component (a type error wit-component's check found).
    Component,
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Direction::Import => "import",
            Direction::Export => "export",
            Direction::Component => "component",
        })
    }
}

/// One way in which a component does not fit a world.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// On an import or an export, or on the whole component.
    pub direction: Direction,
    /// The import/export name, with `#function` for a function inside an interface.
    pub name: String,
    /// What the world has there (`None`: the world has nothing by that name).
    pub expected: Option<String>,
    /// What the component has there (`None`: the component lacks it).
    pub found: Option<String>,
    /// For a missing export: what the component exports instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exports_instead: Option<Vec<String>>,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.expected, &self.found) {
            (None, Some(found)) => write!(
                f,
                "{} {}: not provided by the world (component has {found})",
                self.direction, self.name
            ),
            (Some(expected), None) => {
                write!(
                    f,
                    "{} {}: missing from the component (world expects {expected}",
                    self.direction, self.name
                )?;
                match self.exports_instead.as_deref() {
                    Some([]) => write!(f, "; the component exports nothing)"),
                    Some(names) => write!(f, "; the component exports {})", names.join(", ")),
                    None => write!(f, ")"),
                }
            }
            (Some(expected), Some(found)) => write!(
                f,
                "{} {}: expected {expected}, found {found}",
                self.direction, self.name
            ),
            (None, None) => write!(f, "{} {}", self.direction, self.name),
        }
    }
}

/// WASI imports of one version that the world does not provide: what a component mixing WASI
/// 0.2 and 0.3 has (componentize-py and the Rust `wasm32-wasip3` target import 0.2 interfaces
/// for their libc beside the 0.3 world). Hosts such as `wct run` and `wasmtime run` link both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherWasi {
    /// The version they share, e.g. `0.2.9`.
    pub version: String,
    /// How many interfaces of each package (`wasi:cli`: 10).
    pub packages: BTreeMap<String, usize>,
}

impl std::fmt::Display for OtherWasi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count: usize = self.packages.values().sum();
        let packages: Vec<String> = self
            .packages
            .iter()
            .map(|(p, n)| format!("{p} ({n})"))
            .collect();
        write!(
            f,
            "{count} WASI {} imports not provided by the world: {}",
            self.version,
            packages.join(", ")
        )
    }
}

/// The WASI generations a world imports.
pub fn world_wasi_generations(resolve: &Resolve, world: WorldId) -> Vec<WasiGeneration> {
    let generations: BTreeSet<WasiGeneration> = resolve.worlds[world]
        .imports
        .keys()
        .filter_map(|key| wasi_generation(&resolve.name_world_key(key)))
        .collect();
    generations.into_iter().collect()
}

/// Splits off the unprovided `wasi:*@VERSION` imports of another generation than the world's
/// (`world_generations`), grouped by version, from the other mismatches (kept in order).
pub fn group_other_wasi<'m>(
    mismatches: &'m [Mismatch],
    world_generations: &[WasiGeneration],
) -> (Vec<OtherWasi>, Vec<&'m Mismatch>) {
    let mut groups: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut rest = Vec::new();
    for m in mismatches {
        let wasi = (m.direction == Direction::Import && m.expected.is_none() && m.found.is_some())
            .then(|| WasiName::parse(&m.name))
            .flatten()
            .filter(|name| {
                name.wasi_generation().is_some_and(|g| {
                    !world_generations.is_empty() && !world_generations.contains(&g)
                })
            });
        match wasi {
            Some(name) => {
                *groups
                    .entry(name.version.unwrap_or_default().to_string())
                    .or_default()
                    .entry(name.package_name().to_string())
                    .or_default() += 1;
            }
            None => rest.push(m),
        }
    }
    let groups = groups
        .into_iter()
        .map(|(version, packages)| OtherWasi { version, packages })
        .collect();
    (groups, rest)
}

/// The version of the `targets --json` report's shape (docs/schemas/targets.json).
pub const SCHEMA_VERSION: u32 = 1;

/// The `wct targets --json` report: whether a component fits a world, and how not.
#[derive(Debug, Serialize)]
pub struct TargetsReport<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The component, as named on the command line.
    pub component: &'a str,
    /// The world checked against.
    pub world: &'a str,
    /// Whether there is no mismatch.
    pub fits: bool,
    /// Every mismatch.
    pub mismatches: &'a [Mismatch],
}

impl<'a> TargetsReport<'a> {
    /// The report for `component` against `world`, given the mismatches found.
    pub fn new(component: &'a str, world: &'a str, mismatches: &'a [Mismatch]) -> Self {
        TargetsReport {
            schema_version: SCHEMA_VERSION,
            component,
            world,
            fits: mismatches.is_empty(),
            mismatches,
        }
    }
}

/// What a file given as a component was instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundInstead {
    /// A core wasm module.
    CoreModule,
    /// A WIT package encoded as wasm.
    WitPackage,
    /// Not wasm at all.
    NotWasm,
}

impl std::fmt::Display for FoundInstead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FoundInstead::CoreModule => "a core module",
            FoundInstead::WitPackage => "a WIT package",
            FoundInstead::NotWasm => "something that is not wasm",
        })
    }
}

/// Errors that prevent the check from running.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum TargetsError {
    /// The input is not a component.
    #[error("expected a component, found {0}")]
    NotAComponent(FoundInstead),
    /// The component's types could not be decoded.
    #[error("cannot decode the component's WIT")]
    Decode(#[source] Box<dyn std::error::Error + Send + Sync>),
}

struct Side<'a> {
    resolve: &'a Resolve,
    items: BTreeMap<String, (String, &'a WorldItem)>,
}

impl<'a> Side<'a> {
    fn new(resolve: &'a Resolve, map: &'a wit_parser::IndexMap<WorldKey, WorldItem>) -> Self {
        let items = map
            .iter()
            .map(|(k, item)| {
                let name = resolve.name_world_key(k);
                (semver_key(&name), (name, item))
            })
            .collect();
        Side { resolve, items }
    }

    fn describe(&self, item: &WorldItem) -> String {
        describe(self.resolve, item)
    }
}

fn describe(resolve: &Resolve, item: &WorldItem) -> String {
    match item {
        WorldItem::Interface { id, .. } => format!(
            "interface {}",
            resolve.id_of(*id).unwrap_or_else(|| "(inline)".into())
        ),
        WorldItem::Function(f) => func_signature(resolve, f),
        WorldItem::Type { id, .. } => format!(
            "type {}",
            resolve.types[*id].name.clone().unwrap_or_default()
        ),
    }
}

/// Compares one item present on both sides. `required` is the side whose functions must all
/// exist on the other (`provided`) side.
fn compare(
    direction: Direction,
    name: &str,
    world: (&Resolve, &WorldItem),
    component: (&Resolve, &WorldItem),
    world_must_cover_component: bool,
    out: &mut Vec<Mismatch>,
) {
    match (world.1, component.1) {
        (WorldItem::Interface { id: w, .. }, WorldItem::Interface { id: c, .. }) => {
            let wi = &world.0.interfaces[*w];
            let ci = &component.0.interfaces[*c];
            // Imports: every function the component uses must be offered by the world.
            // Exports: every function the world requires must be implemented by the component.
            let (needed, needed_resolve, offered, offered_resolve) = if world_must_cover_component {
                (ci, component.0, wi, world.0)
            } else {
                (wi, world.0, ci, component.0)
            };
            for (fname, f) in &needed.functions {
                let want = func_signature(needed_resolve, f);
                let (expected, found) = match offered.functions.get(fname) {
                    Some(g) => {
                        let have = func_signature(offered_resolve, g);
                        if have == want {
                            continue;
                        }
                        if world_must_cover_component {
                            (Some(have), Some(want))
                        } else {
                            (Some(want), Some(have))
                        }
                    }
                    None if world_must_cover_component => (None, Some(want)),
                    None => (Some(want), None),
                };
                out.push(Mismatch {
                    direction,
                    name: format!("{name}#{fname}"),
                    expected,
                    found,
                    exports_instead: None,
                });
            }
        }
        (WorldItem::Function(w), WorldItem::Function(c)) => {
            let (want, have) = (func_signature(world.0, w), func_signature(component.0, c));
            if want != have {
                out.push(Mismatch {
                    direction,
                    name: name.to_string(),
                    expected: Some(want),
                    found: Some(have),
                    exports_instead: None,
                });
            }
        }
        (WorldItem::Type { .. }, WorldItem::Type { .. }) => {}
        (w, c) => out.push(Mismatch {
            direction,
            name: name.to_string(),
            expected: Some(describe(world.0, w)),
            found: Some(describe(component.0, c)),
            exports_instead: None,
        }),
    }
}

/// Checks `component` against `world` in `resolve`; an empty list means it fits.
pub fn check_targets(
    component: &[u8],
    resolve: &Resolve,
    world: WorldId,
) -> Result<Vec<Mismatch>, TargetsError> {
    match crate::detect(component) {
        crate::WasmKind::Component => {}
        crate::WasmKind::CoreModule => {
            return Err(TargetsError::NotAComponent(FoundInstead::CoreModule))
        }
        _ => return Err(TargetsError::NotAComponent(FoundInstead::NotWasm)),
    }
    let (cresolve, cworld) =
        match wit_component::decode(component).map_err(|e| TargetsError::Decode(e.into()))? {
            DecodedWasm::Component(r, w) => (r, w),
            DecodedWasm::WitPackage(..) => {
                return Err(TargetsError::NotAComponent(FoundInstead::WitPackage))
            }
        };
    let w = &resolve.worlds[world];
    let c = &cresolve.worlds[cworld];
    let mut out = Vec::new();

    let world_imports = Side::new(resolve, &w.imports);
    let comp_imports = Side::new(&cresolve, &c.imports);
    for (key, (name, item)) in &comp_imports.items {
        match world_imports.items.get(key) {
            None => out.push(Mismatch {
                direction: Direction::Import,
                name: name.clone(),
                expected: None,
                found: Some(comp_imports.describe(item)),
                exports_instead: None,
            }),
            Some((_, witem)) => compare(
                Direction::Import,
                name,
                (resolve, witem),
                (&cresolve, item),
                true,
                &mut out,
            ),
        }
    }
    let world_exports = Side::new(resolve, &w.exports);
    let comp_exports = Side::new(&cresolve, &c.exports);
    for (key, (name, witem)) in &world_exports.items {
        match comp_exports.items.get(key) {
            None => out.push(Mismatch {
                direction: Direction::Export,
                name: name.clone(),
                expected: Some(world_exports.describe(witem)),
                found: None,
                exports_instead: Some(
                    comp_exports
                        .items
                        .values()
                        .map(|(n, _)| n.clone())
                        .collect(),
                ),
            }),
            Some((_, item)) => compare(
                Direction::Export,
                name,
                (resolve, witem),
                (&cresolve, item),
                false,
                &mut out,
            ),
        }
    }

    if out.is_empty() {
        if let Err(e) = wit_component::targets(resolve, world, component, true) {
            out.push(Mismatch {
                direction: Direction::Component,
                name: "type check".into(),
                expected: None,
                found: Some(format!("{e:#}")),
                exports_instead: None,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unprovided_wasi_imports_are_grouped_by_version() {
        let unprovided = |name: &str| Mismatch {
            direction: Direction::Import,
            name: name.to_string(),
            expected: None,
            found: Some(format!("interface {name}")),
            exports_instead: None,
        };
        let other = Mismatch {
            direction: Direction::Export,
            name: "wasi:cli/run@0.3.0".into(),
            expected: Some("interface".into()),
            found: None,
            exports_instead: None,
        };
        let all = [
            unprovided("wasi:cli/stdout@0.2.9"),
            unprovided("wasi:cli/stdin@0.2.9"),
            other.clone(),
            unprovided("wasi:io/poll@0.2.9"),
            unprovided("acme:x/y@0.2.9"),
        ];
        let (groups, rest) = group_other_wasi(&all, &[WasiGeneration::P3]);
        assert_eq!(groups.len(), 1);
        assert_eq!(
            groups[0].to_string(),
            "3 WASI 0.2.9 imports not provided by the world: wasi:cli (2), wasi:io (1)"
        );
        assert_eq!(rest, [&other, &all[4]]);
        // Imports of the world's own generation are ordinary mismatches.
        let (groups, rest) = group_other_wasi(&all, &[WasiGeneration::P2]);
        assert!(groups.is_empty());
        assert_eq!(rest.len(), all.len());
    }

    #[test]
    fn a_release_candidate_of_wasi_0_3_is_wasi_0_3() {
        let mut resolve = Resolve::default();
        let package = resolve
            .push_str(
                "w.wit",
                "package wasi:cli@0.3.0-rc-2025-09-16;\n\
                 interface stdout { f: func(); }\n\
                 world w { import stdout; }\n",
            )
            .unwrap();
        let world = resolve.select_world(&[package], Some("w")).unwrap();
        assert_eq!(
            world_wasi_generations(&resolve, world),
            [WasiGeneration::P3]
        );
    }
}
