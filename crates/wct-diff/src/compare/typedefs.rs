//! Type definitions: records, variants, enums, flags, resources, aliases, and their members.

use super::*;

impl<'a> Differ<'a> {
    pub(super) fn typedef(&mut self, path: &str, a: TypeId, b: TypeId) {
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
}

/// The rules and words for one kind of typed member (record fields, variant cases).
struct MemberKind {
    noun: &'static str,
    added: RuleId,
    removed: RuleId,
    changed: RuleId,
    reordered: &'static str,
}
