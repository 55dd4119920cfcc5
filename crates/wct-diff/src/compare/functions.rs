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
                    self.push(Change {
                        rule: RuleId::TypeRemoved,
                        path: item,
                        message: format!("type `{name}` was removed"),
                        old: Some(at(def.span, &def.stability)),
                        new: None,
                    });
                }
                (None, Some(t)) => {
                    let def = &new.types[*t];
                    self.push(Change {
                        rule: RuleId::TypeAdded,
                        path: item,
                        message: format!("type `{name}` was added"),
                        old: None,
                        new: Some(at(def.span, &def.stability)),
                    });
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
                    self.push(Change {
                        rule: removed,
                        path: item,
                        message: msg,
                        old: Some(at(f.span, &f.stability)),
                        new: None,
                    });
                }
                (None, Some(f)) => {
                    let msg = format!("`{member}: {}` was added", func_signature(new, f));
                    self.push(Change {
                        rule: added,
                        path: item,
                        message: msg,
                        old: None,
                        new: Some(at(f.span, &f.stability)),
                    });
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
            self.push(Change {
                rule: RuleId::FuncAsyncChanged,
                path: path.into(),
                message: format!(
                    "the function {became} (was `{}`, now `{}`)",
                    func_signature(old, a),
                    func_signature(new, b)
                ),
                old: Some(oa),
                new: Some(na),
            });
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
                        self.push(Change {
                            rule: RuleId::FuncParamRenamed,
                            path: path.into(),
                            message: format!(
                                "parameter {} renamed `{}` -> `{}` {sigs}",
                                i + 1,
                                p.name,
                                q.name
                            ),
                            old: Some(oa),
                            new: Some(na),
                        });
                    } else if !self.pair.same(&p.ty, &q.ty) {
                        self.push(Change {
                            rule: self
                                .pair
                                .async_type_change(&p.ty, &q.ty)
                                .unwrap_or(RuleId::FuncParamTypeChanged),
                            path: path.into(),
                            message: format!(
                                "parameter `{}`: `{}` -> `{}`",
                                p.name,
                                type_name(old, &p.ty),
                                type_name(new, &q.ty)
                            ),
                            old: Some(oa),
                            new: Some(na),
                        });
                    }
                }
                (Some(p), None) => self.push(Change {
                    rule: RuleId::FuncParamRemoved,
                    path: path.into(),
                    message: format!("parameter `{}` was removed {sigs}", p.name),
                    old: Some(oa),
                    new: Some(na),
                }),
                (None, Some(q)) => self.push(Change {
                    rule: RuleId::FuncParamAdded,
                    path: path.into(),
                    message: format!(
                        "parameter `{}: {}` was added {sigs}",
                        q.name,
                        type_name(new, &q.ty)
                    ),
                    old: Some(oa),
                    new: Some(na),
                }),
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
            self.push(Change {
                rule: result_rule.unwrap_or(RuleId::FuncResultChanged),
                path: path.into(),
                message: format!(
                    "result `{}` -> `{}`",
                    show(old, &a.result),
                    show(new, &b.result)
                ),
                old: Some(oa),
                new: Some(na),
            });
        }
    }
}
