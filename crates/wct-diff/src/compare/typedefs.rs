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
                let names = |e: &'a wit_parser::Enum| e.cases.iter().map(|c| (&c.name, c.span));
                self.names(
                    path,
                    names(x).collect(),
                    names(y).collect(),
                    (oa, na),
                    &ENUM_CASES,
                );
            }
            (K::Flags(x), K::Flags(y)) => {
                let names = |f: &'a wit_parser::Flags| f.flags.iter().map(|c| (&c.name, c.span));
                self.names(
                    path,
                    names(x).collect(),
                    names(y).collect(),
                    (oa, na),
                    &FLAGS,
                );
            }
            _ => {
                let msg = format!("`{}` -> `{}`", describe(old, a), describe(new, b));
                self.push(Change {
                    rule: RuleId::TypeChanged,
                    path: path.into(),
                    message: msg,
                    old: Some(oa),
                    new: Some(na),
                });
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
                    self.push(Change {
                        rule: kind.removed,
                        path: item,
                        message: msg,
                        old: Some(at(*s, oa.stability)),
                        new: Some(na),
                    });
                }
                (None, Some((t, s))) => {
                    // Fields always have a type and show it; cases only name themselves.
                    let msg = match (noun, t) {
                        ("field", Some(t)) => {
                            format!("field `{name}: {}` was added", type_name(new, t))
                        }
                        _ => format!("{noun} `{name}` was added"),
                    };
                    self.push(Change {
                        rule: kind.added,
                        path: item,
                        message: msg,
                        old: Some(oa),
                        new: Some(at(*s, na.stability)),
                    });
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
                    self.push(Change {
                        rule: kind.changed,
                        path: item,
                        message: msg,
                        old: Some(at(*s, oa.stability)),
                        new: Some(at(*r, na.stability)),
                    });
                }
                (None, None) => continue,
            }
            changed_members = true;
        }
        if !changed_members {
            self.push(Change {
                rule: RuleId::TypeChanged,
                path: path.into(),
                message: kind.reordered.into(),
                old: Some(oa),
                new: Some(na),
            });
        }
    }

    /// Enum cases and flags: additions and removals by name; a pure reordering is a change.
    fn names(
        &mut self,
        path: &str,
        xs: Vec<(&String, Span)>,
        ys: Vec<(&String, Span)>,
        (oa, na): (At<'_>, At<'_>),
        kind: &NamedKind,
    ) {
        let (rules, what) = ((kind.added, kind.removed), kind.noun);
        let before = self.findings.len();
        for (name, span) in &xs {
            if !ys.iter().any(|(n, _)| n == name) {
                self.push(Change {
                    rule: rules.1,
                    path: format!("{path}.{name}"),
                    message: format!("{what} `{name}` was removed"),
                    old: Some(at(*span, oa.stability)),
                    new: Some(na),
                });
            }
        }
        for (name, span) in &ys {
            if !xs.iter().any(|(n, _)| n == name) {
                self.push(Change {
                    rule: rules.0,
                    path: format!("{path}.{name}"),
                    message: format!("{what} `{name}` was added"),
                    old: Some(oa),
                    new: Some(at(*span, na.stability)),
                });
            }
        }
        if self.findings.len() == before {
            self.push(Change {
                rule: RuleId::TypeChanged,
                path: path.into(),
                message: format!("{what}s were reordered (order is part of the type)"),
                old: Some(oa),
                new: Some(na),
            });
        }
    }
}

/// The rules and word for one kind of named member (enum cases, flags).
struct NamedKind {
    noun: &'static str,
    added: RuleId,
    removed: RuleId,
}

/// Enum cases.
const ENUM_CASES: NamedKind = NamedKind {
    noun: "case",
    added: RuleId::EnumCaseAdded,
    removed: RuleId::EnumCaseRemoved,
};

/// Flags.
const FLAGS: NamedKind = NamedKind {
    noun: "flag",
    added: RuleId::FlagsFlagAdded,
    removed: RuleId::FlagsFlagRemoved,
};

/// The rules and words for one kind of typed member (record fields, variant cases).
struct MemberKind {
    noun: &'static str,
    added: RuleId,
    removed: RuleId,
    changed: RuleId,
    reordered: &'static str,
}
