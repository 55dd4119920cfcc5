//! Interfaces and their functions: members added or removed, signatures, async-ness.

use super::*;

impl<'a> Differ<'a> {
    pub(super) fn interface(&mut self, path: &str, o: InterfaceId, n: InterfaceId) {
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

    pub(super) fn function(&mut self, path: &str, a: &Function, b: &Function) {
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
}
