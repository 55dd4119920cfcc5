//! The composition read from the binary: in every component (the outermost and each nested
//! one), which nested component or core module each instantiation is given for each import,
//! followed through the index spaces (an instance's export aliased, a bag of exports, a
//! lowered function), and the names each component imports and exports.
//!
//! One pass of wasmparser over the file; parts are named by where their bytes start, which is
//! how [`crate::parts`] matches them to the metadata tree.

use std::collections::BTreeMap;
use wasmparser::{
    CanonicalFunction, ComponentAlias, ComponentExternalKind, ComponentInstance,
    ComponentOuterAliasKind, ComponentTypeRef, Encoding, ExternalKind, Instance, Parser, Payload,
};

/// What one item of an index space comes from.
#[derive(Debug, Clone)]
enum Origin {
    /// A core instance of the same component (its index).
    CoreInstance(u32),
    /// A component instance of the same component (its index).
    Instance(u32),
    /// An import of the component, by name.
    Import(String),
    /// Nothing this walk follows (a type, an outer alias, a built-in).
    Unknown,
}

/// How a core or component instance was made.
#[derive(Debug, Clone)]
enum Made {
    /// By instantiating the module or component that starts at this offset (`None`: one
    /// imported or aliased, not in the file as such).
    Instantiated(Option<u64>),
    /// From exports of other items.
    Bag(Vec<Origin>),
    /// The same as another item.
    Same(Origin),
    /// Imported by name.
    Import(String),
}

/// What fills an import, by where the provider starts or by the enclosing import's name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Filler {
    /// The part that starts at this offset.
    Part(u64),
    /// An import of the enclosing component.
    Import(String),
}

/// One filled import: the part at `dependent` (an offset) gets `filler` as `import`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Filled {
    pub(crate) dependent: u64,
    pub(crate) filler: Filler,
    pub(crate) import: String,
}

/// What the walk found.
#[derive(Debug, Default)]
pub(crate) struct Composition {
    /// Every filled import, sorted and without repeats.
    pub(crate) filled: Vec<Filled>,
    /// Each component's imported and exported names, by where it starts.
    pub(crate) names: BTreeMap<u64, (Vec<String>, Vec<String>)>,
}

/// The index spaces of one component being read.
#[derive(Default)]
struct Frame {
    offset: u64,
    modules: Vec<Option<u64>>,
    components: Vec<Option<u64>>,
    core_instances: Vec<Made>,
    instances: Vec<Made>,
    /// Core functions, tables, memories, globals and tags, each space by its kind.
    core_items: BTreeMap<u8, Vec<Origin>>,
    funcs: Vec<Origin>,
    imports: Vec<String>,
    exports: Vec<String>,
}

/// The core index space of `kind` (functions and exact functions share one).
fn core_space(kind: ExternalKind) -> u8 {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => 0,
        ExternalKind::Table => 1,
        ExternalKind::Memory => 2,
        ExternalKind::Global => 3,
        ExternalKind::Tag => 4,
    }
}

impl Frame {
    /// Where component function `index` comes from.
    fn func(&self, index: u32) -> Origin {
        self.funcs
            .get(index as usize)
            .cloned()
            .unwrap_or(Origin::Unknown)
    }

    /// Where an instantiation argument or an export of `kind` at `index` comes from
    /// (instances and functions; nothing this walk follows otherwise).
    fn item(&self, kind: ComponentExternalKind, index: u32) -> Option<Origin> {
        match kind {
            ComponentExternalKind::Instance => Some(Origin::Instance(index)),
            ComponentExternalKind::Func => Some(self.func(index)),
            _ => None,
        }
    }

    fn core_item(&self, kind: ExternalKind, index: u32) -> Origin {
        self.core_items
            .get(&core_space(kind))
            .and_then(|space| space.get(index as usize))
            .cloned()
            .unwrap_or(Origin::Unknown)
    }

    fn push_core(&mut self, kind: ExternalKind, origin: Origin) {
        self.core_items
            .entry(core_space(kind))
            .or_default()
            .push(origin);
    }

    /// The parts or imports `origin` comes from, through bags and aliases.
    fn fillers(&self, origin: &Origin, out: &mut Vec<Filler>) {
        let made = match origin {
            Origin::CoreInstance(i) => self.core_instances.get(*i as usize),
            Origin::Instance(i) => self.instances.get(*i as usize),
            Origin::Import(name) => {
                out.push(Filler::Import(name.clone()));
                return;
            }
            Origin::Unknown => None,
        };
        match made {
            Some(Made::Instantiated(Some(offset))) => out.push(Filler::Part(*offset)),
            Some(Made::Bag(origins)) => {
                for origin in origins {
                    self.fillers(origin, out);
                }
            }
            Some(Made::Same(origin)) => self.fillers(origin, out),
            Some(Made::Import(name)) => out.push(Filler::Import(name.clone())),
            Some(Made::Instantiated(None)) | None => {}
        }
    }
}

/// Reads the composition of `wasm`. A binary that does not parse yields what was read up to
/// where it stopped (the metadata step reports the error itself).
pub(crate) fn read(wasm: &[u8]) -> Composition {
    let mut found = Composition::default();
    // `None` marks a core module being skipped.
    let mut stack: Vec<Option<Frame>> = Vec::new();
    let mut next_offset = 0u64;
    for payload in Parser::new(0).parse_all(wasm) {
        let Ok(payload) = payload else { break };
        if let Payload::Version { encoding, .. } = &payload {
            stack.push(match encoding {
                Encoding::Component => Some(Frame {
                    offset: next_offset,
                    ..Frame::default()
                }),
                Encoding::Module => None,
            });
            continue;
        }
        if let Payload::End(_) = &payload {
            if let Some(Some(frame)) = stack.pop() {
                found
                    .names
                    .insert(frame.offset, (frame.imports, frame.exports));
            }
            continue;
        }
        let Some(Some(frame)) = stack.last_mut() else {
            continue;
        };
        if section(frame, payload, &mut next_offset, &mut found.filled).is_err() {
            break;
        }
    }
    found.filled.sort();
    found.filled.dedup();
    found
}

/// Reads one section of the component `frame`.
fn section(
    frame: &mut Frame,
    payload: Payload<'_>,
    next_offset: &mut u64,
    filled: &mut Vec<Filled>,
) -> wasmparser::Result<()> {
    match payload {
        Payload::ModuleSection {
            unchecked_range, ..
        } => {
            frame.modules.push(Some(unchecked_range.start));
            *next_offset = unchecked_range.start;
        }
        Payload::ComponentSection {
            unchecked_range, ..
        } => {
            frame.components.push(Some(unchecked_range.start));
            *next_offset = unchecked_range.start;
        }
        Payload::ComponentImportSection(reader) => {
            for import in reader {
                let import = import?;
                let name = import.name.full_name().into_owned();
                match import.ty {
                    ComponentTypeRef::Module(_) => frame.modules.push(None),
                    ComponentTypeRef::Component(_) => frame.components.push(None),
                    ComponentTypeRef::Func(_) => {
                        frame.imports.push(name.clone());
                        frame.funcs.push(Origin::Import(name));
                    }
                    ComponentTypeRef::Instance(_) => {
                        frame.imports.push(name.clone());
                        frame.instances.push(Made::Import(name));
                    }
                    ComponentTypeRef::Value(_) | ComponentTypeRef::Type(_) => {}
                }
            }
        }
        Payload::ComponentExportSection(reader) => {
            for export in reader {
                let export = export?;
                let i = export.index as usize;
                match export.kind {
                    ComponentExternalKind::Func => {
                        frame.exports.push(export.name.full_name().into_owned());
                        let origin = frame.func(export.index);
                        frame.funcs.push(origin);
                    }
                    ComponentExternalKind::Instance => {
                        frame.exports.push(export.name.full_name().into_owned());
                        frame
                            .instances
                            .push(Made::Same(Origin::Instance(export.index)));
                    }
                    ComponentExternalKind::Component => {
                        let at = frame.components.get(i).copied().flatten();
                        frame.components.push(at);
                    }
                    ComponentExternalKind::Module => {
                        let at = frame.modules.get(i).copied().flatten();
                        frame.modules.push(at);
                    }
                    ComponentExternalKind::Value | ComponentExternalKind::Type => {}
                }
            }
        }
        Payload::ComponentAliasSection(reader) => {
            for alias in reader {
                match alias? {
                    ComponentAlias::InstanceExport {
                        kind,
                        instance_index,
                        ..
                    } => match kind {
                        ComponentExternalKind::Func => {
                            frame.funcs.push(Origin::Instance(instance_index))
                        }
                        ComponentExternalKind::Instance => frame
                            .instances
                            .push(Made::Same(Origin::Instance(instance_index))),
                        ComponentExternalKind::Component => frame.components.push(None),
                        ComponentExternalKind::Module => frame.modules.push(None),
                        ComponentExternalKind::Value | ComponentExternalKind::Type => {}
                    },
                    ComponentAlias::CoreInstanceExport {
                        kind,
                        instance_index,
                        ..
                    } => frame.push_core(kind, Origin::CoreInstance(instance_index)),
                    ComponentAlias::Outer { kind, .. } => match kind {
                        ComponentOuterAliasKind::CoreModule => frame.modules.push(None),
                        ComponentOuterAliasKind::Component => frame.components.push(None),
                        ComponentOuterAliasKind::CoreType | ComponentOuterAliasKind::Type => {}
                    },
                }
            }
        }
        Payload::ComponentCanonicalSection(reader) => {
            for function in reader {
                match function? {
                    CanonicalFunction::Lift {
                        core_func_index, ..
                    } => {
                        let origin = frame.core_item(ExternalKind::Func, core_func_index);
                        frame.funcs.push(origin);
                    }
                    CanonicalFunction::Lower { func_index, .. } => {
                        let origin = frame.func(func_index);
                        frame.push_core(ExternalKind::Func, origin);
                    }
                    // Every other canonical function is a built-in core function.
                    _ => frame.push_core(ExternalKind::Func, Origin::Unknown),
                }
            }
        }
        Payload::InstanceSection(reader) => {
            for instance in reader {
                match instance? {
                    Instance::Instantiate { module_index, args } => {
                        let dependent = frame.modules.get(module_index as usize).copied().flatten();
                        for arg in args.iter() {
                            let origin = Origin::CoreInstance(arg.index);
                            record(frame, dependent, arg.name, &origin, filled);
                        }
                        frame.core_instances.push(Made::Instantiated(dependent));
                    }
                    Instance::FromExports(exports) => {
                        let mut bag = Vec::new();
                        for export in exports.iter() {
                            bag.push(frame.core_item(export.kind, export.index));
                        }
                        frame.core_instances.push(Made::Bag(bag));
                    }
                }
            }
        }
        Payload::ComponentInstanceSection(reader) => {
            for instance in reader {
                match instance? {
                    ComponentInstance::Instantiate {
                        component_index,
                        args,
                    } => {
                        let dependent = frame
                            .components
                            .get(component_index as usize)
                            .copied()
                            .flatten();
                        for arg in args.iter() {
                            let Some(origin) = frame.item(arg.kind, arg.index) else {
                                continue;
                            };
                            record(frame, dependent, arg.name, &origin, filled);
                        }
                        frame.instances.push(Made::Instantiated(dependent));
                    }
                    ComponentInstance::FromExports(exports) => {
                        let mut bag = Vec::new();
                        for export in exports.iter() {
                            bag.push(
                                frame
                                    .item(export.kind, export.index)
                                    .unwrap_or(Origin::Unknown),
                            );
                        }
                        frame.instances.push(Made::Bag(bag));
                    }
                }
            }
        }
        Payload::CoreTypeSection(_) | Payload::ComponentTypeSection(_) => {}
        _ => {}
    }
    Ok(())
}

/// Records that the part at `dependent` gets what `origin` comes from as `import`.
fn record(
    frame: &Frame,
    dependent: Option<u64>,
    import: &str,
    origin: &Origin,
    filled: &mut Vec<Filled>,
) {
    let Some(dependent) = dependent else { return };
    let mut fillers = Vec::new();
    frame.fillers(origin, &mut fillers);
    for filler in fillers {
        if filler != Filler::Part(dependent) {
            filled.push(Filled {
                dependent,
                filler,
                import: import.to_string(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two nested components: `$b` is given `$a`'s exported instance, `$a` the outer
    /// component's import; a core module is given another's instance.
    #[test]
    fn instantiations_are_followed_through_aliases() {
        let wasm = wat::parse_str(
            r#"(component
                 (import "host:x/y" (instance $host))
                 (component $a
                   (import "host:x/y" (instance))
                   (instance $e)
                   (export "my:p/i" (instance $e)))
                 (component $b (import "my:p/i" (instance)))
                 (instance $ia (instantiate $a (with "host:x/y" (instance $host))))
                 (alias export $ia "my:p/i" (instance $i))
                 (instance $ib (instantiate $b (with "my:p/i" (instance $i))))
                 (core module $m1 (func (export "f")))
                 (core module $m2 (import "env" "f" (func)))
                 (core instance $c1 (instantiate $m1))
                 (core instance $c2 (instantiate $m2 (with "env" (instance $c1)))))"#,
        )
        .unwrap();
        let found = read(&wasm);
        let starts: Vec<u64> = {
            let mut s = Vec::new();
            for payload in Parser::new(0).parse_all(&wasm) {
                match payload.unwrap() {
                    Payload::ComponentSection {
                        unchecked_range, ..
                    }
                    | Payload::ModuleSection {
                        unchecked_range, ..
                    } => s.push(unchecked_range.start),
                    _ => {}
                }
            }
            s
        };
        let [a, b, m1, m2] = starts[..] else {
            panic!("{starts:?}")
        };
        assert_eq!(
            found.filled,
            vec![
                Filled {
                    dependent: a,
                    filler: Filler::Import("host:x/y".into()),
                    import: "host:x/y".into(),
                },
                Filled {
                    dependent: b,
                    filler: Filler::Part(a),
                    import: "my:p/i".into(),
                },
                Filled {
                    dependent: m2,
                    filler: Filler::Part(m1),
                    import: "env".into(),
                },
            ]
        );
        assert_eq!(found.names[&0].0, vec!["host:x/y".to_string()]);
        assert_eq!(found.names[&a].1, vec!["my:p/i".to_string()]);
    }
}
