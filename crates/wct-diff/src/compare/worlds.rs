//! Worlds: their imports and exports, item by item.

use super::*;

impl<'a> Differ<'a> {
    pub(super) fn world(&mut self, path: &str, o: WorldId, n: WorldId) {
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
                        self.push(Change {
                            rule: removed,
                            path: item,
                            message: msg,
                            old: Some(at(item_span(v, ow.span), v.stability(old))),
                            new: None,
                        });
                    }
                    (None, Some((_, k, v))) => {
                        let msg = format!("{label} `{}` was added", new.name_world_key(k));
                        self.push(Change {
                            rule: added,
                            path: item,
                            message: msg,
                            old: None,
                            new: Some(at(item_span(v, nw.span), v.stability(new))),
                        });
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
                                    self.push(Change {
                                        rule: changed,
                                        path: item.clone(),
                                        message: msg,
                                        old: Some(oa),
                                        new: Some(na),
                                    });
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
                                    if finding.rule.rule().subject
                                        == crate::rules::Subject::Function
                                    {
                                        finding.message = format!("{label} {}", finding.message);
                                    }
                                }
                            }
                            (WorldItem::Type { id: a, .. }, WorldItem::Type { id: b, .. }) => {
                                self.typedef(&item, *a, *b)
                            }
                            _ => {
                                let msg = format!("{label} `{name}` changed kind");
                                self.push(Change {
                                    rule: changed,
                                    path: item,
                                    message: msg,
                                    old: Some(oa),
                                    new: Some(na),
                                });
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
