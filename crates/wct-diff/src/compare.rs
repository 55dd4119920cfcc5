//! Walks OLD and NEW side by side and records a [`Finding`] for every change.

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

    for (name, change) in pair_maps(&old_pkg.interfaces, &new_pkg.interfaces) {
        let path = format!("{prefix}/{name}");
        let side = |resolve: &'_ Resolve, id: &InterfaceId| {
            let i = &resolve.interfaces[*id];
            (i.span, i.stability.clone())
        };
        match change {
            (Some(o), Some(n)) => d.interface(&path, *o, *n),
            (o, n) => {
                let (o, n) = (
                    o.map(|o| side(&old.resolve, o)),
                    n.map(|n| side(&new.resolve, n)),
                );
                d.one_sided("interface", path, &name, o.as_ref(), n.as_ref());
            }
        }
    }
    for (name, change) in pair_maps(&old_pkg.worlds, &new_pkg.worlds) {
        let path = format!("{prefix}/{name}");
        let side = |resolve: &'_ Resolve, id: &WorldId| {
            let w = &resolve.worlds[*id];
            (w.span, w.stability.clone())
        };
        match change {
            (Some(o), Some(n)) => d.world(&path, *o, *n),
            (o, n) => {
                let (o, n) = (
                    o.map(|o| side(&old.resolve, o)),
                    n.map(|n| side(&new.resolve, n)),
                );
                d.one_sided("world", path, &name, o.as_ref(), n.as_ref());
            }
        }
    }

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

impl<'a> Differ<'a> {
    fn location(resolve: &Resolve, span: Span) -> Option<String> {
        span.is_known().then(|| resolve.render_location(span))
    }

    /// Records a finding, deciding its bump from the rule, the gates and the mode.
    fn push(
        &mut self,
        id: RuleId,
        path: String,
        message: String,
        old: Option<At<'_>>,
        new: Option<At<'_>>,
    ) {
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

    /// Records an interface or world that exists on one side only.
    fn one_sided(
        &mut self,
        kind: &'static str,
        path: String,
        name: &str,
        old: Option<&(Span, Stability)>,
        new: Option<&(Span, Stability)>,
    ) {
        let (id, verb) = match (kind, old.is_some()) {
            ("interface", true) => (RuleId::InterfaceRemoved, "removed"),
            ("interface", false) => (RuleId::InterfaceAdded, "added"),
            ("world", true) => (RuleId::WorldRemoved, "removed"),
            _ => (RuleId::WorldAdded, "added"),
        };
        let old = old.map(|(span, stability)| at(*span, stability));
        let new = new.map(|(span, stability)| at(*span, stability));
        self.push(id, path, format!("{kind} `{name}` was {verb}"), old, new);
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
        self.push(id, path.to_string(), message, Some(old), Some(new));
    }

    fn interface(&mut self, path: &str, o: InterfaceId, n: InterfaceId) {
        if !self.compared.insert((o.index(), n.index())) {
            return;
        }
        let (old, new) = (self.pair.old, self.pair.new);
        let (oi, ni) = (&old.interfaces[o], &new.interfaces[n]);
        self.gates(
            path,
            "interface gate",
            at(oi.span, &oi.stability),
            at(ni.span, &ni.stability),
        );

        for (name, change) in pair_maps(&oi.types, &ni.types) {
            let item = format!("{path}#{name}");
            match change {
                (Some(t), None) => {
                    let def = &old.types[*t];
                    self.push(
                        RuleId::TypeRemoved,
                        item,
                        format!("type `{name}` was removed"),
                        Some(at(def.span, &def.stability)),
                        None,
                    );
                }
                (None, Some(t)) => {
                    let def = &new.types[*t];
                    self.push(
                        RuleId::TypeAdded,
                        item,
                        format!("type `{name}` was added"),
                        None,
                        Some(at(def.span, &def.stability)),
                    );
                }
                (Some(a), Some(b)) => self.typedef(&item, *a, *b),
                (None, None) => {}
            }
        }

        for (name, change) in pair_maps(&oi.functions, &ni.functions) {
            let (member, is_method) = member_name(&name);
            let item = format!("{path}#{member}");
            let (added, removed) = if is_method {
                (RuleId::ResourceMethodAdded, RuleId::ResourceMethodRemoved)
            } else {
                (RuleId::FuncAdded, RuleId::FuncRemoved)
            };
            match change {
                (Some(f), None) => {
                    let msg = format!("`{member}: {}` was removed", func_signature(old, f));
                    self.push(removed, item, msg, Some(at(f.span, &f.stability)), None);
                }
                (None, Some(f)) => {
                    let msg = format!("`{member}: {}` was added", func_signature(new, f));
                    self.push(added, item, msg, None, Some(at(f.span, &f.stability)));
                }
                (Some(a), Some(b)) => self.function(&item, a, b),
                (None, None) => {}
            }
        }
    }

    fn function(&mut self, path: &str, a: &Function, b: &Function) {
        let (old, new) = (self.pair.old, self.pair.new);
        let (oa, na) = (at(a.span, &a.stability), at(b.span, &b.stability));
        self.gates(path, "function gate", oa, na);
        if a.kind.is_async() != b.kind.is_async() {
            let became = if b.kind.is_async() {
                "became async"
            } else {
                "is no longer async"
            };
            self.push(
                RuleId::FuncAsyncChanged,
                path.into(),
                format!(
                    "the function {became} (was `{}`, now `{}`)",
                    func_signature(old, a),
                    func_signature(new, b)
                ),
                Some(oa),
                Some(na),
            );
        }
        let sigs = format!(
            "(was `{}`, now `{}`)",
            func_signature(old, a),
            func_signature(new, b)
        );
        for i in 0..a.params.len().max(b.params.len()) {
            match (a.params.get(i), b.params.get(i)) {
                (Some(p), Some(q)) => {
                    if p.name != q.name {
                        self.push(
                            RuleId::FuncParamRenamed,
                            path.into(),
                            format!(
                                "parameter {} renamed `{}` -> `{}` {sigs}",
                                i + 1,
                                p.name,
                                q.name
                            ),
                            Some(oa),
                            Some(na),
                        );
                    } else if !self.pair.same(&p.ty, &q.ty) {
                        self.push(
                            self.pair
                                .async_type_change(&p.ty, &q.ty)
                                .unwrap_or(RuleId::FuncParamTypeChanged),
                            path.into(),
                            format!(
                                "parameter `{}`: `{}` -> `{}`",
                                p.name,
                                type_name(old, &p.ty),
                                type_name(new, &q.ty)
                            ),
                            Some(oa),
                            Some(na),
                        );
                    }
                }
                (Some(p), None) => self.push(
                    RuleId::FuncParamRemoved,
                    path.into(),
                    format!("parameter `{}` was removed {sigs}", p.name),
                    Some(oa),
                    Some(na),
                ),
                (None, Some(q)) => self.push(
                    RuleId::FuncParamAdded,
                    path.into(),
                    format!(
                        "parameter `{}: {}` was added {sigs}",
                        q.name,
                        type_name(new, &q.ty)
                    ),
                    Some(oa),
                    Some(na),
                ),
                (None, None) => {}
            }
        }
        let (same_result, result_rule) = match (&a.result, &b.result) {
            (None, None) => (true, None),
            (Some(x), Some(y)) => (self.pair.same(x, y), self.pair.async_type_change(x, y)),
            _ => (false, None),
        };
        if !same_result {
            let show = |r: &Resolve, t: &Option<Type>| {
                t.as_ref()
                    .map(|t| type_name(r, t))
                    .unwrap_or_else(|| "(none)".into())
            };
            self.push(
                result_rule.unwrap_or(RuleId::FuncResultChanged),
                path.into(),
                format!(
                    "result `{}` -> `{}`",
                    show(old, &a.result),
                    show(new, &b.result)
                ),
                Some(oa),
                Some(na),
            );
        }
    }

    fn typedef(&mut self, path: &str, a: TypeId, b: TypeId) {
        use TypeDefKind as K;
        let (old, new) = (self.pair.old, self.pair.new);
        let (ta, tb) = (&old.types[a], &new.types[b]);
        let (oa, na) = (at(ta.span, &ta.stability), at(tb.span, &tb.stability));
        self.gates(path, "type gate", oa, na);
        if self.pair.same(&Type::Id(a), &Type::Id(b)) {
            return;
        }
        match (&ta.kind, &tb.kind) {
            (K::Record(x), K::Record(y)) => {
                let fields = |r: &'a wit_parser::Record| {
                    named(r.fields.iter().map(|f| (&f.name, (Some(f.ty), f.span))))
                };
                let kind = MemberKind {
                    noun: "field",
                    added: RuleId::RecordFieldAdded,
                    removed: RuleId::RecordFieldRemoved,
                    changed: RuleId::RecordFieldTypeChanged,
                    reordered: "record fields were reordered (field order is part of the type)",
                };
                self.typed_members(path, &fields(x), &fields(y), kind, oa, na);
            }
            (K::Variant(x), K::Variant(y)) => {
                let cases = |v: &'a wit_parser::Variant| {
                    named(v.cases.iter().map(|c| (&c.name, (c.ty, c.span))))
                };
                let kind = MemberKind {
                    noun: "case",
                    added: RuleId::VariantCaseAdded,
                    removed: RuleId::VariantCaseRemoved,
                    changed: RuleId::VariantCaseTypeChanged,
                    reordered: "variant cases were reordered (case order is part of the type)",
                };
                self.typed_members(path, &cases(x), &cases(y), kind, oa, na);
            }
            (K::Enum(x), K::Enum(y)) => {
                let xs: Vec<(&String, Span)> = x.cases.iter().map(|c| (&c.name, c.span)).collect();
                let ys: Vec<(&String, Span)> = y.cases.iter().map(|c| (&c.name, c.span)).collect();
                self.names(
                    path,
                    &xs,
                    &ys,
                    oa,
                    na,
                    (RuleId::EnumCaseAdded, RuleId::EnumCaseRemoved),
                    "case",
                );
            }
            (K::Flags(x), K::Flags(y)) => {
                let xs: Vec<(&String, Span)> = x.flags.iter().map(|c| (&c.name, c.span)).collect();
                let ys: Vec<(&String, Span)> = y.flags.iter().map(|c| (&c.name, c.span)).collect();
                self.names(
                    path,
                    &xs,
                    &ys,
                    oa,
                    na,
                    (RuleId::FlagsFlagAdded, RuleId::FlagsFlagRemoved),
                    "flag",
                );
            }
            _ => {
                let msg = format!("`{}` -> `{}`", describe(old, a), describe(new, b));
                self.push(RuleId::TypeChanged, path.into(), msg, Some(oa), Some(na));
            }
        }
    }

    /// Record fields and variant cases: added, removed, or with another type; when none of
    /// that explains why the types differ, the members were reordered.
    fn typed_members(
        &mut self,
        path: &str,
        xs: &BTreeMap<String, (Option<Type>, Span)>,
        ys: &BTreeMap<String, (Option<Type>, Span)>,
        kind: MemberKind,
        oa: At<'_>,
        na: At<'_>,
    ) {
        let (old, new) = (self.pair.old, self.pair.new);
        let noun = kind.noun;
        let show = |res: &Resolve, t: &Option<Type>| {
            t.as_ref()
                .map(|t| type_name(res, t))
                .unwrap_or_else(|| "(no payload)".into())
        };
        let mut changed_members = false;
        for (name, change) in pair_maps(xs, ys) {
            let item = format!("{path}.{name}");
            match change {
                (Some((_, s)), None) => {
                    let msg = format!("{noun} `{name}` was removed");
                    self.push(
                        kind.removed,
                        item,
                        msg,
                        Some(at(*s, oa.stability)),
                        Some(na),
                    );
                }
                (None, Some((t, s))) => {
                    // Fields always have a type and show it; cases only name themselves.
                    let msg = match (noun, t) {
                        ("field", Some(t)) => {
                            format!("field `{name}: {}` was added", type_name(new, t))
                        }
                        _ => format!("{noun} `{name}` was added"),
                    };
                    self.push(kind.added, item, msg, Some(oa), Some(at(*s, na.stability)));
                }
                (Some((t, s)), Some((u, r))) => {
                    let same = match (t, u) {
                        (None, None) => true,
                        (Some(t), Some(u)) => self.pair.same(t, u),
                        _ => false,
                    };
                    if same {
                        continue;
                    }
                    let msg = format!("{noun} `{name}`: `{}` -> `{}`", show(old, t), show(new, u));
                    self.push(
                        kind.changed,
                        item,
                        msg,
                        Some(at(*s, oa.stability)),
                        Some(at(*r, na.stability)),
                    );
                }
                (None, None) => continue,
            }
            changed_members = true;
        }
        if !changed_members {
            self.push(
                RuleId::TypeChanged,
                path.into(),
                kind.reordered.into(),
                Some(oa),
                Some(na),
            );
        }
    }

    /// Enum cases and flags: additions and removals by name; a pure reordering is a change.
    #[allow(clippy::too_many_arguments)]
    fn names(
        &mut self,
        path: &str,
        xs: &[(&String, Span)],
        ys: &[(&String, Span)],
        oa: At<'_>,
        na: At<'_>,
        rules: (RuleId, RuleId),
        what: &str,
    ) {
        let before = self.findings.len();
        for (name, span) in xs {
            if !ys.iter().any(|(n, _)| n == name) {
                self.push(
                    rules.1,
                    format!("{path}.{name}"),
                    format!("{what} `{name}` was removed"),
                    Some(at(*span, oa.stability)),
                    Some(na),
                );
            }
        }
        for (name, span) in ys {
            if !xs.iter().any(|(n, _)| n == name) {
                self.push(
                    rules.0,
                    format!("{path}.{name}"),
                    format!("{what} `{name}` was added"),
                    Some(oa),
                    Some(at(*span, na.stability)),
                );
            }
        }
        if self.findings.len() == before {
            self.push(
                RuleId::TypeChanged,
                path.into(),
                format!("{what}s were reordered (order is part of the type)"),
                Some(oa),
                Some(na),
            );
        }
    }

    fn world(&mut self, path: &str, o: WorldId, n: WorldId) {
        let (old, new) = (self.pair.old, self.pair.new);
        let (ow, nw) = (&old.worlds[o], &new.worlds[n]);
        self.gates(
            path,
            "world gate",
            at(ow.span, &ow.stability),
            at(nw.span, &nw.stability),
        );
        for (direction, om, nm) in [
            (Direction::Import, &ow.imports, &nw.imports),
            (Direction::Export, &ow.exports, &nw.exports),
        ] {
            let (label, added, removed, changed) = match direction {
                Direction::Import => (
                    "import",
                    RuleId::WorldImportAdded,
                    RuleId::WorldImportRemoved,
                    RuleId::WorldImportChanged,
                ),
                Direction::Export => (
                    "export",
                    RuleId::WorldExportAdded,
                    RuleId::WorldExportRemoved,
                    RuleId::WorldExportChanged,
                ),
            };
            let keyed = |r: &'a Resolve, m: &'a wit_parser::IndexMap<WorldKey, WorldItem>| -> BTreeMap<String, (Option<String>, &'a WorldKey, &'a WorldItem)> {
                m.iter().map(|(k, v)| { let (base, compat) = world_key(r, k); (base, (compat, k, v)) }).collect()
            };
            let (ok, nk) = (keyed(old, om), keyed(new, nm));
            for (name, change) in pair_maps(&ok, &nk) {
                let item = format!("{path}#{label}:{name}");
                match change {
                    (Some((_, k, v)), None) => {
                        let msg = format!("{label} `{}` was removed", old.name_world_key(k));
                        self.push(
                            removed,
                            item,
                            msg,
                            Some(at(item_span(v, ow.span), v.stability(old))),
                            None,
                        );
                    }
                    (None, Some((_, k, v))) => {
                        let msg = format!("{label} `{}` was added", new.name_world_key(k));
                        self.push(
                            added,
                            item,
                            msg,
                            None,
                            Some(at(item_span(v, nw.span), v.stability(new))),
                        );
                    }
                    (Some((oc, ok_, ov)), Some((nc, nk_, nv))) => {
                        let (oa, na) = (
                            at(item_span(ov, ow.span), ov.stability(old)),
                            at(item_span(nv, nw.span), nv.stability(new)),
                        );
                        self.gates(&item, &format!("{label} gate"), oa, na);
                        match (ov, nv) {
                            (
                                WorldItem::Interface { id: oi, .. },
                                WorldItem::Interface { id: ni, .. },
                            ) => {
                                if oc != nc {
                                    let msg = format!(
                                        "`{}` -> `{}` (not semver-compatible)",
                                        old.name_world_key(ok_),
                                        new.name_world_key(nk_)
                                    );
                                    self.push(changed, item.clone(), msg, Some(oa), Some(na));
                                }
                                let before = self.findings.len();
                                let iface_path = match nk_ {
                                    WorldKey::Name(_) => item.clone(),
                                    WorldKey::Interface(_) => name.clone(),
                                };
                                self.interface(&iface_path, *oi, *ni);
                                self.mark_used(before, direction);
                            }
                            (WorldItem::Function(f), WorldItem::Function(g)) => {
                                let before = self.findings.len();
                                self.function(&item, f, g);
                                self.mark_used(before, direction);
                                for finding in &mut self.findings[before..] {
                                    if finding.rule.as_str().starts_with("func-") {
                                        finding.message = format!("{label} {}", finding.message);
                                    }
                                }
                            }
                            (WorldItem::Type { id: a, .. }, WorldItem::Type { id: b, .. }) => {
                                self.typedef(&item, *a, *b)
                            }
                            _ => {
                                let msg = format!("{label} `{name}` changed kind");
                                self.push(changed, item, msg, Some(oa), Some(na));
                            }
                        }
                    }
                    (None, None) => {}
                }
            }
        }
    }
}

/// The item's span, or the world's when the item has none (e.g. `import iface;`).
/// The rules and words for one kind of typed member (record fields, variant cases).
struct MemberKind {
    noun: &'static str,
    added: RuleId,
    removed: RuleId,
    changed: RuleId,
    reordered: &'static str,
}

fn item_span(item: &WorldItem, world: Span) -> Span {
    let span = match item {
        WorldItem::Interface { span, .. } | WorldItem::Type { span, .. } => *span,
        WorldItem::Function(f) => f.span,
    };
    if span.is_known() {
        span
    } else {
        world
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
