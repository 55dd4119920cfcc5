//! Walks OLD and NEW side by side and records a [`Finding`] for every change: the entry point,
//! the walker's state and how a finding is recorded (rule, gates, bump). What is walked is split
//! by kind: [`functions`] (interfaces and their functions), [`typedefs`] (type definitions and
//! their members), [`worlds`] (imports and exports of worlds).

use crate::rules::{Bump, Effect, RuleId, Side};
use crate::types::Pair;
use crate::{Finding, Report, SideEffect};
use std::collections::{BTreeMap, BTreeSet};
use wct_wit::worlds::{func_signature, gate, type_name};
use wct_wit::WitSet;
use wit_parser::{
    Function, InterfaceId, Resolve, Span, Stability, Type, TypeDefKind, TypeId, WorldId, WorldItem,
    WorldKey,
};

/// What is being compared, which decides whose breakage needs a major bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Two versions of a WIT package: both sides of every change count.
    Package,
    /// Two builds of a component: is NEW a drop-in replacement for OLD? Only hosts count
    /// (NEW may import less and export more, not the reverse).
    ComponentBuild,
}

/// Options for [`diff`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DiffOptions {
    /// Force a mode; by default components are compared as builds, anything else as packages.
    pub mode: Option<Mode>,
}

use crate::Direction;

mod functions;
mod typedefs;
mod worlds;

struct Differ<'a> {
    pair: Pair<'a>,
    old_version: Option<semver::Version>,
    compared: BTreeSet<(usize, usize)>,
    findings: Vec<Finding>,
}

/// One side of a change: the span and gate of the item in OLD or NEW.
#[derive(Clone, Copy)]
struct At<'s> {
    span: Span,
    stability: &'s Stability,
}

static UNGATED: Stability = Stability::Unknown;

fn at(span: Span, stability: &Stability) -> At<'_> {
    At { span, stability }
}

/// Compares the main packages of OLD and NEW.
pub fn diff(old: &WitSet, new: &WitSet, opts: DiffOptions) -> Report {
    let mode = opts.mode.unwrap_or(
        if old.origin == wct_wit::Origin::Component && new.origin == wct_wit::Origin::Component {
            Mode::ComponentBuild
        } else {
            Mode::Package
        },
    );
    let old_pkg = &old.resolve.packages[old.package];
    let new_pkg = &new.resolve.packages[new.package];
    let mut d = Differ {
        pair: Pair {
            old: &old.resolve,
            new: &new.resolve,
        },
        old_version: old_pkg.name.version.clone(),
        compared: BTreeSet::new(),
        findings: Vec::new(),
    };
    let prefix = format!("{}:{}", new_pkg.name.namespace, new_pkg.name.name);

    d.pair_up(
        &prefix,
        Whole::Interface,
        (&old_pkg.interfaces, &new_pkg.interfaces),
        |resolve, id| {
            let i = &resolve.interfaces[id];
            (i.span, i.stability.clone())
        },
        Differ::interface,
    );
    d.pair_up(
        &prefix,
        Whole::World,
        (&old_pkg.worlds, &new_pkg.worlds),
        |resolve, id| {
            let w = &resolve.worlds[id];
            (w.span, w.stability.clone())
        },
        Differ::world,
    );

    let usage = interface_usage(&[(&old.resolve, old_pkg), (&new.resolve, new_pkg)]);
    let mut findings = d.findings;
    for f in &mut findings {
        let group = f.path.split('#').next().unwrap_or(&f.path);
        if let Some(dirs) = usage.get(group) {
            f.used_as = dirs.iter().copied().collect();
        }
        // A component build is a drop-in replacement unless hosts break.
        if mode == Mode::ComponentBuild && f.bump == Bump::Major && !f.breaks(Side::Hosts) {
            f.bump = Bump::Minor;
        }
    }
    findings.sort_by(|a, b| (&a.path, a.rule.as_str()).cmp(&(&b.path, b.rule.as_str())));
    findings.dedup();
    Report {
        package: prefix,
        old_version: old_pkg.name.version.as_ref().map(|v| v.to_string()),
        new_version: new_pkg.name.version.as_ref().map(|v| v.to_string()),
        findings,
    }
}

/// For every interface (`ns:pkg/iface`, no version) that a world of either package imports or
/// exports, how it is used.
fn interface_usage(
    packages: &[(&Resolve, &wit_parser::Package)],
) -> BTreeMap<String, BTreeSet<Direction>> {
    let mut usage: BTreeMap<String, BTreeSet<Direction>> = BTreeMap::new();
    for (resolve, pkg) in packages {
        for world in pkg.worlds.values() {
            let w = &resolve.worlds[*world];
            for (dir, map) in [
                (Direction::Import, &w.imports),
                (Direction::Export, &w.exports),
            ] {
                for key in map.keys() {
                    if let WorldKey::Interface(_) = key {
                        usage
                            .entry(world_key(resolve, key).0)
                            .or_default()
                            .insert(dir);
                    }
                }
            }
        }
    }
    usage
}

/// Pairs two name-keyed maps: every name with (OLD, NEW), in a stable order.
fn pair_maps<'m, K: Ord + Clone + 'm, V: 'm>(
    old: impl IntoIterator<Item = (&'m K, &'m V)>,
    new: impl IntoIterator<Item = (&'m K, &'m V)>,
) -> BTreeMap<K, (Option<&'m V>, Option<&'m V>)> {
    let mut out: BTreeMap<K, (Option<&V>, Option<&V>)> = BTreeMap::new();
    for (k, v) in old {
        out.entry(k.clone()).or_default().0 = Some(v);
    }
    for (k, v) in new {
        out.entry(k.clone()).or_default().1 = Some(v);
    }
    out
}

/// `[method]r.m` -> (`r.m`, true); plain functions -> (name, false).
fn member_name(func: &str) -> (String, bool) {
    for prefix in ["[method]", "[static]", "[async method]", "[async static]"] {
        if let Some(rest) = func.strip_prefix(prefix) {
            return (rest.to_string(), true);
        }
    }
    if let Some(rest) = func.strip_prefix("[constructor]") {
        return (format!("{rest}.constructor"), true);
    }
    (func.to_string(), false)
}

/// A world key without its version, plus the semver-significant part of the version.
fn world_key(resolve: &Resolve, key: &WorldKey) -> (String, Option<String>) {
    match key {
        WorldKey::Name(n) => (n.clone(), None),
        WorldKey::Interface(id) => {
            let iface = &resolve.interfaces[*id];
            let Some(pkg) = iface.package else {
                return (resolve.name_world_key(key), None);
            };
            let pkg = &resolve.packages[pkg];
            let base = format!(
                "{}:{}/{}",
                pkg.name.namespace,
                pkg.name.name,
                iface.name.clone().unwrap_or_default()
            );
            let compat = pkg.name.version.as_ref().map(|v| {
                let version = v.to_string();
                wct_wit::semver_key::compat_track(&version)
                    .unwrap_or(&version)
                    .to_string()
            });
            (base, compat)
        }
    }
}

/// One change found, before the rule's effects and the gates decide its bump.
struct Change<'s> {
    /// The rule it falls under.
    rule: RuleId,
    /// Where: `interface/item` or `world/import` and the like.
    path: String,
    /// What changed, for people.
    message: String,
    /// The item on the old side, if it is there.
    old: Option<At<'s>>,
    /// The item on the new side, if it is there.
    new: Option<At<'s>>,
}

/// Something that exists on one side only and is reported whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Whole {
    /// An interface of the package.
    Interface,
    /// A world of the package.
    World,
}

impl<'a> Differ<'a> {
    fn location(resolve: &Resolve, span: Span) -> Option<String> {
        span.is_known().then(|| resolve.render_location(span))
    }

    /// Records a finding, deciding its bump from the rule, the gates and the mode.
    fn push(&mut self, change: Change<'_>) {
        let Change {
            rule: id,
            path,
            message,
            old,
            new,
        } = change;
        let rule = id.rule();
        let mut effects = rule
            .effects
            .map(|(side, effect)| SideEffect { side, effect });
        let mut bump = rule.bump;
        let mut gate_note = None;
        let new_stability = new.map(|a| a.stability).unwrap_or(&UNGATED);
        let old_stability = old.map(|a| a.stability).unwrap_or(&UNGATED);
        let unstable = |s: &Stability| matches!(s, Stability::Unstable { .. });
        let gate_rule = rule.about_stability_gates;

        if !gate_rule && (unstable(new_stability) || unstable(old_stability)) {
            // Only users who opted into the feature see this item.
            bump = Bump::None;
            for e in &mut effects {
                e.effect = Effect::Compatible;
            }
            gate_note = gate(if unstable(new_stability) {
                new_stability
            } else {
                old_stability
            });
        } else if rule.softened_by_since {
            if let Stability::Stable { since, .. } = new_stability {
                let newer = self.old_version.as_ref().is_none_or(|old| since > old);
                if newer {
                    bump = Bump::Minor;
                    gate_note = gate(new_stability);
                }
            }
        }
        self.findings.push(Finding {
            rule: id,
            path,
            message,
            impact: effects,
            bump,
            gate: gate_note,
            used_as: Vec::new(),
            old_location: old.and_then(|a| Self::location(self.pair.old, a.span)),
            new_location: new.and_then(|a| Self::location(self.pair.new, a.span)),
        });
    }

    /// Pairs a package's interfaces or worlds by name: `both` compares one present on both
    /// sides, one on a single side is reported whole. `span` gives an item's place and gate.
    fn pair_up<Id: Copy>(
        &mut self,
        prefix: &str,
        whole: Whole,
        (old, new): (
            &wit_parser::IndexMap<String, Id>,
            &wit_parser::IndexMap<String, Id>,
        ),
        span: impl Fn(&Resolve, Id) -> (Span, Stability),
        both: impl Fn(&mut Self, &str, Id, Id),
    ) {
        for (name, change) in pair_maps(old, new) {
            let path = format!("{prefix}/{name}");
            match change {
                (Some(o), Some(n)) => both(self, &path, *o, *n),
                (o, n) => {
                    let o = o.map(|o| span(self.pair.old, *o));
                    let n = n.map(|n| span(self.pair.new, *n));
                    self.one_sided(whole, path, &name, o.as_ref(), n.as_ref());
                }
            }
        }
    }

    /// Records an interface or world that exists on one side only.
    fn one_sided(
        &mut self,
        kind: Whole,
        path: String,
        name: &str,
        old: Option<&(Span, Stability)>,
        new: Option<&(Span, Stability)>,
    ) {
        let (id, verb) = match (kind, old.is_some()) {
            (Whole::Interface, true) => (RuleId::InterfaceRemoved, "removed"),
            (Whole::Interface, false) => (RuleId::InterfaceAdded, "added"),
            (Whole::World, true) => (RuleId::WorldRemoved, "removed"),
            (Whole::World, false) => (RuleId::WorldAdded, "added"),
        };
        let kind = match kind {
            Whole::Interface => "interface",
            Whole::World => "world",
        };
        let old = old.map(|(span, stability)| at(*span, stability));
        let new = new.map(|(span, stability)| at(*span, stability));
        self.push(Change {
            rule: id,
            path,
            message: format!("{kind} `{name}` was {verb}"),
            old,
            new,
        });
    }

    /// Records how the world uses the items of the findings pushed since `before`.
    fn mark_used(&mut self, before: usize, direction: Direction) {
        for f in &mut self.findings[before..] {
            if f.used_as.is_empty() {
                f.used_as.push(direction);
            }
        }
    }

    fn gates(&mut self, path: &str, what: &str, old: At<'_>, new: At<'_>) {
        let (o, n) = (old.stability, new.stability);
        let id = match (o, n) {
            (Stability::Unknown, Stability::Stable { .. }) => RuleId::SinceGateAdded,
            (Stability::Stable { .. }, Stability::Unknown) => RuleId::SinceGateRemoved,
            (Stability::Stable { since: a, .. }, Stability::Stable { since: b, .. }) if a != b => {
                RuleId::SinceGateChanged
            }
            (Stability::Unstable { .. }, Stability::Stable { .. } | Stability::Unknown) => {
                RuleId::UnstableFeatureStabilized
            }
            (Stability::Stable { .. } | Stability::Unknown, Stability::Unstable { .. }) => {
                RuleId::ItemMadeUnstable
            }
            _ => return,
        };
        let show = |s: &Stability| gate(s).unwrap_or_else(|| "no gate".into());
        let message = format!("{what}: {} -> {}", show(o), show(n));
        self.push(Change {
            rule: id,
            path: path.to_string(),
            message,
            old: Some(old),
            new: Some(new),
        });
    }
}

fn named<'n, T>(items: impl Iterator<Item = (&'n String, T)>) -> BTreeMap<String, T> {
    items.map(|(n, t)| (n.clone(), t)).collect()
}

fn describe(resolve: &Resolve, id: TypeId) -> String {
    match &resolve.types[id].kind {
        TypeDefKind::Type(t) => format!("type = {}", type_name(resolve, t)),
        kind => kind.as_str().to_string(),
    }
}
