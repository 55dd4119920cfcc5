//! Building and encoding the composition with wac-graph.

use crate::plan::{Component, Fill, Matched, NearMiss, Plan, Unfilled};
use crate::spliced::ComposedWasm;
use crate::{graph_error, ComposeError, GraphStep};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use wac_graph::types::{are_semver_compatible, ItemKind, Package, SubtypeChecker, Types};
use wac_graph::{CompositionGraph, EncodeOptions, NodeId, PackageId};
use wct_wit::semver_key::{base_name, semver_key, version_of};

/// An explicit edge: `consumer`'s `import` gets `provider`'s `export`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wire {
    /// The instance importing.
    pub consumer: String,
    /// The import name.
    pub import: String,
    /// The instance exporting.
    pub provider: String,
    /// The export name.
    pub export: String,
}

/// How to compose.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Explicit edges, applied before automatic matching.
    pub wires: Vec<Wire>,
    /// For ambiguous imports: import name -> the instance to take it from.
    pub prefer: BTreeMap<String, String>,
    /// Turn automatic matching off (only `wires` are used).
    pub no_auto: bool,
    /// Instantiate every component, not only those whose exports are needed (a config file
    /// lists instances on purpose, possibly the same component under several names).
    pub instantiate_all: bool,
}

/// The composed component and the report.
#[derive(Debug, Clone)]
pub struct Composed {
    /// The component (validated).
    pub wasm: ComposedWasm,
    /// What was filled and what was left.
    pub plan: Plan,
}

struct Builder {
    graph: CompositionGraph,
    /// The instance name of each component, socket first.
    names: Vec<String>,
    packages: Vec<PackageId>,
    instances: Vec<Option<NodeId>>,
    aliases: HashMap<(usize, String), NodeId>,
    /// depends_on[i] = instances whose exports `i` consumes.
    depends_on: Vec<BTreeSet<usize>>,
    plan: Plan,
    filled: HashSet<(usize, String)>,
    queue: VecDeque<usize>,
}

impl Builder {
    fn imports(&self, i: usize) -> Vec<(String, ItemKind)> {
        let ty = self.graph[self.packages[i]].ty();
        self.graph.types()[ty]
            .imports
            .iter()
            .map(|(n, k)| (n.clone(), *k))
            .collect()
    }

    fn exports(&self, i: usize) -> Vec<(String, ItemKind)> {
        let ty = self.graph[self.packages[i]].ty();
        self.graph.types()[ty]
            .exports
            .iter()
            .map(|(n, k)| (n.clone(), *k))
            .collect()
    }

    fn instance(&mut self, i: usize) -> NodeId {
        if let Some(node) = self.instances[i] {
            return node;
        }
        let node = self.graph.instantiate(self.packages[i]);
        self.graph.set_node_name(node, self.names[i].clone());
        self.instances[i] = Some(node);
        self.plan.instances.push(self.names[i].clone());
        self.queue.push_back(i);
        node
    }

    /// Whether `j` (transitively) depends on `i`: then `i` may not use `j`'s exports.
    fn depends(&self, j: usize, i: usize) -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![j];
        while let Some(k) = stack.pop() {
            if k == i {
                return true;
            }
            if seen.insert(k) {
                stack.extend(self.depends_on[k].iter().copied());
            }
        }
        false
    }

    fn subtype(&self, export: ItemKind, import: ItemKind) -> Result<(), String> {
        let mut cache = Default::default();
        let mut checker = SubtypeChecker::new(&mut cache);
        checker
            .is_subtype(export, self.graph.types(), import, self.graph.types())
            .map_err(|e| format!("{e:#}"))
    }

    fn connect(
        &mut self,
        i: usize,
        import: &str,
        j: usize,
        export: &str,
        matched: Matched,
    ) -> Result<(), ComposeError> {
        let consumer = self.instance(i);
        let provider = self.instance(j);
        let key = (j, export.to_string());
        let alias = match self.aliases.get(&key) {
            Some(a) => *a,
            None => {
                let a = self
                    .graph
                    .alias_instance_export(provider, export)
                    .map_err(graph_error(GraphStep::Alias))?;
                self.aliases.insert(key, a);
                a
            }
        };
        self.graph
            .set_instantiation_argument(consumer, import, alias)
            .map_err(graph_error(GraphStep::Connect))?;
        self.depends_on[i].insert(j);
        self.filled.insert((i, import.to_string()));
        self.plan.fills.push(Fill {
            consumer: self.names[i].clone(),
            import: import.to_string(),
            provider: self.names[j].clone(),
            export: export.to_string(),
            matched,
        });
        Ok(())
    }

    fn index_of(&self, name: &str) -> Result<usize, ComposeError> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| ComposeError::Config(format!("no instance named `{name}`")))
    }

    fn type_mismatch(
        &self,
        i: usize,
        import: &str,
        j: usize,
        export: &str,
        error: &str,
    ) -> ComposeError {
        ComposeError::TypeMismatch {
            consumer: self.names[i].clone(),
            import: import.to_string(),
            provider: self.names[j].clone(),
            export: export.to_string(),
            details: crate::describe::mismatch(
                self.graph[self.packages[i]].bytes(),
                import,
                self.graph[self.packages[j]].bytes(),
                export,
                error,
            ),
        }
    }

    /// Fills the imports of instance `i`.
    fn satisfy(&mut self, i: usize, opts: &Options) -> Result<(), ComposeError> {
        for (import, kind) in self.imports(i) {
            if let Some(wire) = opts
                .wires
                .iter()
                .find(|w| w.consumer == self.names[i] && w.import == import)
            {
                let j = self.index_of(&wire.provider)?;
                let export_kind = self
                    .exports(j)
                    .into_iter()
                    .find(|(n, _)| *n == wire.export)
                    .map(|(_, k)| k)
                    .ok_or_else(|| {
                        ComposeError::Config(format!(
                            "`{}` has no export `{}`",
                            wire.provider, wire.export
                        ))
                    })?;
                if let Err(e) = self.subtype(export_kind, kind) {
                    return Err(self.type_mismatch(i, &import, j, &wire.export, &e));
                }
                self.connect(i, &import, j, &wire.export, Matched::Wired)?;
                continue;
            }
            if opts.no_auto {
                continue;
            }
            let mut passing: Vec<(usize, String, Matched)> = Vec::new();
            let mut mismatched: Vec<(usize, String, String)> = Vec::new();
            for j in 1..self.names.len() {
                if j == i || self.depends(j, i) {
                    continue;
                }
                for (export, export_kind) in self.exports(j) {
                    let matched = if export == import {
                        Matched::Exact
                    } else if are_semver_compatible(&export, &import) {
                        Matched::Semver
                    } else {
                        continue;
                    };
                    match self.subtype(export_kind, kind) {
                        Ok(()) => passing.push((j, export, matched)),
                        Err(e) => mismatched.push((j, export, e)),
                    }
                }
            }
            match passing.len() {
                0 => {
                    if let Some((j, export, e)) = mismatched.into_iter().next() {
                        return Err(self.type_mismatch(i, &import, j, &export, &e));
                    }
                }
                1 => {
                    let (j, export, matched) = passing.remove(0);
                    self.connect(i, &import, j, &export, matched)?;
                }
                _ => {
                    let preferred = opts
                        .prefer
                        .get(&import)
                        .or_else(|| opts.prefer.get(base_name(&import)));
                    match preferred
                        .and_then(|p| passing.iter().find(|(j, _, _)| self.names[*j] == *p))
                    {
                        Some((j, export, _)) => {
                            let (j, export) = (*j, export.clone());
                            self.connect(i, &import, j, &export, Matched::Preferred)?;
                        }
                        None => {
                            return Err(ComposeError::Ambiguous {
                                consumer: self.names[i].clone(),
                                import,
                                candidates: passing
                                    .iter()
                                    .map(|(j, e, _)| format!("{}.{e}", self.names[*j]))
                                    .collect(),
                            })
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Candidates that came close to filling `import` of `i`.
    fn near_misses(&self, i: usize, import: &str) -> Vec<NearMiss> {
        let mut out = Vec::new();
        let last = |n: &str| base_name(n).rsplit('/').next().unwrap_or(n).to_string();
        for j in 1..self.names.len() {
            if j == i {
                continue;
            }
            for (export, _) in self.exports(j) {
                let reason = if base_name(&export) == base_name(import)
                    && export != import
                    && !are_semver_compatible(&export, import)
                {
                    format!(
                        "version incompatible: `{export}` is not semver-compatible with `{import}`"
                    )
                } else if (export == import || are_semver_compatible(&export, import))
                    && self.depends(j, i)
                {
                    "would create a cycle: that instance depends on this one".to_string()
                } else if base_name(&export) != base_name(import) && last(&export) == last(import) {
                    format!(
                        "name differs: `{export}` has the same interface name in another package"
                    )
                } else {
                    continue;
                };
                out.push(NearMiss {
                    provider: self.names[j].clone(),
                    export,
                    reason,
                });
            }
        }
        out
    }

    /// Turns leftover imports into imports of the composition, merging semver-compatible
    /// versions of one interface into a single import of the newest version.
    fn leftovers(&mut self) -> Result<(), ComposeError> {
        let mut groups: BTreeMap<String, Vec<(usize, String, ItemKind)>> = BTreeMap::new();
        for i in 0..self.names.len() {
            if self.instances[i].is_none() {
                continue;
            }
            for (import, kind) in self.imports(i) {
                if !self.filled.contains(&(i, import.clone())) {
                    groups
                        .entry(semver_key(&import))
                        .or_default()
                        .push((i, import, kind));
                }
            }
        }
        for members in groups.into_values() {
            let newest = members
                .iter()
                .max_by(|a, b| version_of(&a.1).cmp(&version_of(&b.1)))
                .map(|(_, n, k)| (n.clone(), *k))
                .expect("groups are never empty");
            // Same-named imports are merged by wac itself (implicit imports). Different
            // semver-compatible versions are merged into one import of the newest version when
            // it can stand in for every one of them (interfaces whose types refer to resources
            // of other imports cannot be re-pointed, and stay separate).
            let distinct: BTreeSet<&String> = members.iter().map(|(_, n, _)| n).collect();
            let merge = distinct.len() > 1
                && members
                    .iter()
                    .all(|(_, _, kind)| self.subtype(newest.1, *kind).is_ok());
            let node = if merge {
                let existing = self
                    .graph
                    .imports()
                    .find(|(n, _, _)| *n == newest.0)
                    .and_then(|(_, _, node)| node);
                Some(match existing {
                    Some(node) => node,
                    None => self
                        .graph
                        .import(newest.0.clone(), newest.1)
                        .map_err(graph_error(GraphStep::Import))?,
                })
            } else {
                None
            };
            for (i, import, _) in members {
                let mut becomes = import.clone();
                if let Some(node) = node {
                    let consumer = self.instances[i].expect("checked above");
                    if self
                        .graph
                        .set_instantiation_argument(consumer, &import, node)
                        .is_ok()
                    {
                        becomes = newest.0.clone();
                    }
                }
                let near_misses = self.near_misses(i, &import);
                self.plan.unfilled.push(Unfilled {
                    consumer: self.names[i].clone(),
                    import,
                    becomes,
                    near_misses,
                });
            }
        }
        Ok(())
    }
}

/// Refuses a component (named `name`) that imports core modules (an unbundled one), before
/// its types are read: wac-graph 0.12 cannot encode a module import (it panics).
pub(crate) fn unbundled(name: &str, bytes: &[u8]) -> Result<(), ComposeError> {
    let modules = wct_component::unbundle::imported_modules(bytes);
    if modules.is_empty() {
        return Ok(());
    }
    Err(ComposeError::Unbundled {
        name: name.to_string(),
        modules,
    })
}

/// Refuses a package (named `name`) whose imports — and its exports when `exports`, as for
/// the socket, whose exports the composition passes on — or the exports of instances among
/// them at any depth, hold a core module or a component: wac-graph 0.12 encodes functions,
/// instances and types only, and panics on the others.
pub(crate) fn encodable(
    name: &str,
    package: &Package,
    types: &Types,
    exports: bool,
) -> Result<(), ComposeError> {
    fn walk(types: &Types, path: String, kind: &ItemKind, found: &mut Vec<String>) {
        match kind {
            ItemKind::Module(_) | ItemKind::Component(_) => found.push(path),
            ItemKind::Instance(id) => {
                for (export, kind) in &types[*id].exports {
                    walk(types, format!("{path}/{export}"), kind, found);
                }
            }
            _ => {}
        }
    }
    let world = &types[package.ty()];
    let mut items = Vec::new();
    let exported = world.exports.iter().filter(|_| exports);
    for (name, kind) in world.imports.iter().chain(exported) {
        walk(types, name.clone(), kind, &mut items);
    }
    if items.is_empty() {
        return Ok(());
    }
    Err(ComposeError::CannotEncode {
        name: name.to_string(),
        items,
    })
}

/// What [`ComposeError::CannotEncode`] says of its items.
pub(crate) fn unencodable_message(items: &[String]) -> String {
    format!(
        "{} {} a core module or a component (among its imports and exports), which a \
         composition cannot pass on: wac 0.12 encodes functions, instances and types only",
        items.join(", "),
        if items.len() == 1 { "is" } else { "are" }
    )
}

/// Composes `components[0]` (the socket) with the others (the plugs). The components are
/// taken by value: their bytes move into the composition graph (no copy of a large input).
pub fn compose(components: Vec<Component>, opts: &Options) -> Result<Composed, ComposeError> {
    if components.is_empty() {
        return Err(ComposeError::Config("nothing to compose".into()));
    }
    let mut graph = CompositionGraph::new();
    let mut packages = Vec::new();
    let mut names = Vec::with_capacity(components.len());
    for (index, c) in components.into_iter().enumerate() {
        if wct_component::kind::detect(&c.bytes) == wct_component::kind::WasmKind::CoreModule {
            return Err(ComposeError::CoreModule { name: c.name });
        }
        unbundled(&c.name, &c.bytes)?;
        let package_name = format!("wct-compose:instance{index}");
        let package = Package::from_bytes(&package_name, None, c.bytes, graph.types_mut())
            .map_err(|e| ComposeError::Load {
                name: c.name.clone(),
                message: format!("{e:#}"),
            })?;
        encodable(&c.name, &package, graph.types(), index == 0)?;
        packages.push(
            graph
                .register_package(package)
                .map_err(graph_error(GraphStep::Register))?,
        );
        names.push(c.name);
    }
    let count = names.len();
    let mut b = Builder {
        graph,
        names,
        packages,
        instances: vec![None; count],
        aliases: HashMap::new(),
        depends_on: vec![BTreeSet::new(); count],
        plan: Plan::default(),
        filled: HashSet::new(),
        queue: VecDeque::new(),
    };
    for wire in &opts.wires {
        b.index_of(&wire.consumer)?;
        b.index_of(&wire.provider)?;
    }
    let socket = b.instance(0);
    if opts.instantiate_all {
        for i in 1..count {
            b.instance(i);
        }
    }
    while let Some(i) = b.queue.pop_front() {
        b.satisfy(i, opts)?;
    }
    b.leftovers()?;
    for (name, _) in b.exports(0) {
        let alias = b
            .graph
            .alias_instance_export(socket, &name)
            .map_err(graph_error(GraphStep::Alias))?;
        b.graph
            .export(alias, &name)
            .map_err(graph_error(GraphStep::Export))?;
    }
    b.plan.unused = b
        .names
        .iter()
        .zip(&b.instances)
        .skip(1)
        .filter(|(_, node)| node.is_none())
        .map(|(name, _)| name.clone())
        .collect();
    // Encoded with the components imported, then each import replaced by the component's
    // own bytes (`spliced`): the composition is never copied whole.
    let skeleton = b
        .graph
        .encode(EncodeOptions {
            define_components: false,
            // Validated below, function bodies in parallel: wac's own check is the same
            // validation on one thread, most of the time a composition takes.
            validate: false,
            processor: None,
        })
        .map_err(graph_error(GraphStep::Encode))?;
    let skeleton = crate::names::name_components(skeleton).map_err(graph_error(GraphStep::Name))?;
    let imported: Vec<(String, PackageId)> = b
        .packages
        .iter()
        .map(|&id| (import_name(&b.graph[id]), id))
        .collect();
    let plan = b.plan;
    let wasm = crate::spliced::splice(skeleton, b.graph, &imported)
        .map_err(graph_error(GraphStep::Encode))?;
    wct_component::validate_pieces(&wasm.pieces(), wasmparser::WasmFeatures::all())
        .map_err(ComposeError::InvalidOutput)?;
    Ok(Composed { wasm, plan })
}

/// The name wac-graph imports a package under when it does not define it.
fn import_name(package: &Package) -> String {
    match package.version() {
        Some(version) => format!("unlocked-dep=<{}@{{>={version}}}>", package.name()),
        None => format!("unlocked-dep=<{}>", package.name()),
    }
}
