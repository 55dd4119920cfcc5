//! Moving large core modules out of a component (`wct unbundle`), as `wasm-tools component
//! unbundle` does: every core module bigger than a threshold, at any depth, is taken out and
//! the component imports it instead, as `unbundled-moduleN` with its module type (its imports
//! and exports). A host or registry can then store, cache and compile those modules once and
//! share them between components (a language runtime that every component of a fleet carries).
//!
//! The new component starts with one core type per moved module and one import per moved
//! module; everything else is re-encoded with wasm-encoder's `ReencodeComponent`, shifting
//! core type and core module indices at the top level (and outer aliases that reach it) past
//! what was added. A moved module's place is taken by an outer alias to its import.

use crate::kind::{detect, WasmKind};
use crate::size::{analyze_names, Item, ItemKind};
use serde::Serialize;
use std::collections::HashMap;
use wasm_encoder::reencode::{
    Error as ReencodeError, Reencode, ReencodeComponent, RoundtripReencoder,
};
use wasmparser::types::{CoreTypeId, EntityType, Types};
use wasmparser::{Parser, Payload, ValidPayload, Validator, WasmFeatures};

/// The import name of the `index`th moved module, as wasm-tools names it.
pub fn import_name(index: usize) -> String {
    format!("unbundled-module{index}")
}

/// The names of the core modules `component` imports at its top level (what [`unbundle`]
/// leaves it importing), in import order; empty for anything that is not a component or does
/// not parse.
pub fn imported_modules(component: &[u8]) -> Vec<String> {
    top_level_imports(component, |ty| {
        matches!(ty, wasmparser::ComponentTypeRef::Module(_))
    })
}

/// The names of `component`'s top-level imports whose type `wanted` accepts.
fn top_level_imports(
    component: &[u8],
    wanted: impl Fn(&wasmparser::ComponentTypeRef) -> bool,
) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(component) {
        let Ok(payload) = payload else {
            return names;
        };
        match payload {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(imports) if depth == 0 => {
                for import in imports.into_iter().flatten() {
                    if wanted(&import.ty) {
                        names.push(import.name.name.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    names
}

/// One moved module.
#[derive(Debug, Clone, Serialize)]
pub struct MovedModule {
    /// The name the component imports it by (`unbundled-module0`), which is also its file
    /// name without `.wasm`.
    pub import: String,
    /// Where it was, as `wct size` names it (`module libpython3.14.so`, `component
    /// exports-shim / module 0`).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its offset in the input.
    pub offset: u64,
}

/// What [`unbundle`] made.
#[derive(Debug, Clone)]
pub struct Unbundled {
    /// The component that imports the moved modules.
    pub component: Vec<u8>,
    /// The moved modules, in file order (the order of their imports).
    pub moved: Vec<MovedModule>,
    /// Core modules left in place because they are not bigger than the threshold.
    pub kept: usize,
}

impl Unbundled {
    /// The bytes of a moved module, from the `input` given to [`unbundle`].
    pub fn module_bytes<'a>(&self, input: &'a [u8], module: &MovedModule) -> &'a [u8] {
        &input[module.offset as usize..(module.offset + module.size) as usize]
    }
}

/// Errors from [`unbundle`].
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum UnbundleError {
    /// A core module: there is nothing to move out of it.
    #[error("expected a component, found a core module (its code is already one module)")]
    NotAComponent,
    /// Neither a module nor a component.
    #[error("expected a component")]
    NotWasm,
    /// The input or a module in it does not parse.
    #[error("malformed component: {0}")]
    Parse(#[from] wasmparser::BinaryReaderError),
    /// A moved module's type cannot be written as a module type.
    #[error("{path}: its {what} uses a type a module type cannot describe here (GC types, subtyping or shared types)")]
    UnsupportedType {
        /// The module, as `wct size` names it.
        path: String,
        /// The import or export.
        what: String,
    },
    /// Re-encoding failed.
    #[error("re-encoding the component failed: {0}")]
    Reencode(String),
}

impl From<ReencodeError<std::convert::Infallible>> for UnbundleError {
    fn from(error: ReencodeError<std::convert::Infallible>) -> Self {
        match error {
            ReencodeError::ParseError(e) => UnbundleError::Parse(e),
            other => UnbundleError::Reencode(other.to_string()),
        }
    }
}

/// Moves every core module bigger than `threshold` bytes out of `component`.
pub fn unbundle(component: &[u8], threshold: u64) -> Result<Unbundled, UnbundleError> {
    match detect(component) {
        WasmKind::Component => {}
        WasmKind::CoreModule => return Err(UnbundleError::NotAComponent),
        _ => return Err(UnbundleError::NotWasm),
    }
    let modules = module_sections(component)?;
    let names = module_paths(component);
    let mut moved = Vec::new();
    let mut types = wasm_encoder::CoreTypeSection::new();
    let mut imports = wasm_encoder::ComponentImportSection::new();
    let mut extracted = Vec::with_capacity(modules.len());
    for range in &modules {
        let size = range.end - range.start;
        let take = size > threshold;
        extracted.push(take);
        if !take {
            continue;
        }
        let path = names
            .iter()
            .find(|(item, _)| item.offset <= range.start && range.end <= item.offset + item.size)
            .map_or_else(
                || format!("module at {:#x}", range.start),
                |(_, p)| p.clone(),
            );
        let bytes = &component[range.start as usize..range.end as usize];
        let module_type = module_type(bytes, &path)?;
        let import = import_name(moved.len());
        imports.import(&import, wasm_encoder::ComponentTypeRef::Module(types.len()));
        types.ty().module(&module_type);
        moved.push(MovedModule {
            import,
            path,
            size,
            offset: range.start,
        });
    }
    let kept = extracted.iter().filter(|taken| !**taken).count();
    let mut out = wasm_encoder::Component::new();
    if !moved.is_empty() {
        out.section(&types);
        out.section(&imports);
    }
    let mut mover = Mover {
        added_types: types.len(),
        added_modules: imports.len(),
        depth: 0,
        extracted: extracted.into_iter(),
        next_import: 0,
    };
    mover.parse_component(&mut out, Parser::new(0), component)?;
    Ok(Unbundled {
        component: out.finish(),
        moved,
        kept,
    })
}

/// The byte ranges of every core module in `component`, at every depth, in file order.
fn module_sections(component: &[u8]) -> Result<Vec<std::ops::Range<u64>>, UnbundleError> {
    let mut ranges = Vec::new();
    for payload in Parser::new(0).parse_all(component) {
        if let Payload::ModuleSection {
            unchecked_range, ..
        } = payload?
        {
            ranges.push(unchecked_range);
        }
    }
    Ok(ranges)
}

/// Every module item of `wct size`'s tree with its path (`component x / module y`).
fn module_paths(component: &[u8]) -> Vec<(Item, String)> {
    fn walk(item: &Item, path: &str, out: &mut Vec<(Item, String)>) {
        for child in &item.children {
            let child_path = if path.is_empty() {
                child.name.clone()
            } else {
                format!("{path} / {}", child.name)
            };
            match child.kind {
                ItemKind::Module => {
                    let mut leaf = child.clone();
                    leaf.children.clear();
                    out.push((leaf, child_path));
                }
                ItemKind::Component => walk(child, &child_path, out),
                _ => {}
            }
        }
    }
    let report = analyze_names(component);
    let mut out = Vec::new();
    walk(&report.root, "", &mut out);
    out
}

/// The module type of `module`: its imports and exports, with the function types they use
/// defined inside it.
fn module_type(module: &[u8], path: &str) -> Result<wasm_encoder::ModuleType, UnbundleError> {
    // Validating without function bodies is what gives the types of imports and exports.
    let mut validator = Validator::new_with_features(WasmFeatures::all());
    let mut types = None;
    for payload in Parser::new(0).parse_all(module) {
        if let ValidPayload::End(t) = validator.payload(&payload?)? {
            types = Some(t);
        }
    }
    let types = types.expect("a parsed module ends");
    let mut builder = ModuleTypeBuilder {
        types: &types,
        local: HashMap::new(),
        module: wasm_encoder::ModuleType::new(),
    };
    let view = types.as_ref();
    let unsupported = |what: String| UnbundleError::UnsupportedType {
        path: path.to_string(),
        what,
    };
    for (module_name, name, ty) in view.core_imports().into_iter().flatten() {
        let ty = builder
            .entity(ty)
            .ok_or_else(|| unsupported(format!("import `{module_name}::{name}`")))?;
        builder.module.import(module_name, name, ty);
    }
    for (name, ty) in view.core_exports().into_iter().flatten() {
        // The validator types a defined function's export as exact; the module type says
        // what an importer may rely on, which is the plain function type (exact function
        // types need the custom-descriptors proposal).
        let ty = match ty {
            EntityType::FuncExact(id) => EntityType::Func(id),
            other => other,
        };
        let ty = builder
            .entity(ty)
            .ok_or_else(|| unsupported(format!("export `{name}`")))?;
        builder.module.export(name, ty);
    }
    Ok(builder.module)
}

/// Writes one module type, each function type once.
struct ModuleTypeBuilder<'a> {
    types: &'a Types,
    local: HashMap<CoreTypeId, u32>,
    module: wasm_encoder::ModuleType,
}

impl ModuleTypeBuilder<'_> {
    /// `ty` in the module type, or `None` for what it cannot describe.
    fn entity(&mut self, ty: EntityType) -> Option<wasm_encoder::EntityType> {
        let mut enc = RoundtripReencoder;
        Some(match ty {
            EntityType::Func(id) => wasm_encoder::EntityType::Function(self.func(id)?),
            EntityType::FuncExact(id) => wasm_encoder::EntityType::FunctionExact(self.func(id)?),
            EntityType::Table(t) => wasm_encoder::EntityType::Table(enc.table_type(t).ok()?),
            EntityType::Memory(m) => wasm_encoder::EntityType::Memory(enc.memory_type(m).ok()?),
            EntityType::Global(g) => wasm_encoder::EntityType::Global(enc.global_type(g).ok()?),
            EntityType::Tag(id) => wasm_encoder::EntityType::Tag(wasm_encoder::TagType {
                kind: wasm_encoder::TagKind::Exception,
                func_type_idx: self.func(id)?,
            }),
        })
    }

    /// The index of function type `id` in the module type, defined on first use. Only plain
    /// function types over non-concrete value types can be described without the module's
    /// own type section.
    fn func(&mut self, id: CoreTypeId) -> Option<u32> {
        if let Some(index) = self.local.get(&id) {
            return Some(*index);
        }
        let sub = &self.types[id];
        if !sub.is_final || !sub.supertype_idxs.is_empty() || sub.composite_type.shared {
            return None;
        }
        let wasmparser::CompositeInnerType::Func(f) = &sub.composite_type.inner else {
            return None;
        };
        let concrete = |t: &wasmparser::ValType| matches!(t, wasmparser::ValType::Ref(r) if r.is_concrete_type_ref());
        if f.params().iter().chain(f.results()).any(concrete) {
            return None;
        }
        let mut enc = RoundtripReencoder;
        let params: Vec<_> = f
            .params()
            .iter()
            .map(|p| enc.val_type(*p).ok())
            .collect::<Option<_>>()?;
        let results: Vec<_> = f
            .results()
            .iter()
            .map(|p| enc.val_type(*p).ok())
            .collect::<Option<_>>()?;
        let index = self.module.type_count();
        self.module.ty().function(params, results);
        self.local.insert(id, index);
        Some(index)
    }
}

/// Re-encodes the component: top-level core type and core module indices shifted past the
/// added types and imports, moved modules replaced by outer aliases to their imports.
struct Mover {
    added_types: u32,
    added_modules: u32,
    depth: u32,
    extracted: std::vec::IntoIter<bool>,
    next_import: u32,
}

impl Reencode for Mover {
    type Error = std::convert::Infallible;

    fn type_index(&mut self, index: u32) -> Result<u32, ReencodeError<Self::Error>> {
        Ok(if self.depth == 0 {
            index + self.added_types
        } else {
            index
        })
    }
}

impl ReencodeComponent for Mover {
    fn module_index(&mut self, index: u32) -> u32 {
        if self.depth == 0 {
            index + self.added_modules
        } else {
            index
        }
    }

    fn outer_type_index(
        &mut self,
        count: u32,
        index: u32,
    ) -> Result<u32, ReencodeError<Self::Error>> {
        Ok(if self.depth == count {
            index + self.added_types
        } else {
            index
        })
    }

    fn outer_module_index(&mut self, count: u32, index: u32) -> u32 {
        if self.depth == count {
            index + self.added_modules
        } else {
            index
        }
    }

    fn push_depth(&mut self) {
        self.depth += 1;
    }

    fn pop_depth(&mut self) {
        self.depth -= 1;
    }

    fn parse_component_submodule(
        &mut self,
        component: &mut wasm_encoder::Component,
        _parser: Parser,
        module: &[u8],
    ) -> Result<(), ReencodeError<Self::Error>> {
        if self.extracted.next().unwrap_or(false) {
            let mut aliases = wasm_encoder::ComponentAliasSection::new();
            aliases.alias(wasm_encoder::Alias::Outer {
                kind: wasm_encoder::ComponentOuterAliasKind::CoreModule,
                count: self.depth,
                index: self.next_import,
            });
            self.next_import += 1;
            component.section(&aliases);
        } else {
            component.section(&wasm_encoder::RawSection {
                id: wasm_encoder::ComponentSectionId::CoreModule as u8,
                data: module,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_over_the_threshold_become_imports() {
        let component = wat::parse_str(
            r#"(component
                (core module $small)
                (core module $big
                  (import "env" "f" (func (param i32) (result i64)))
                  (memory (export "memory") 1)
                  (func (export "g") (param i32) (result i64) local.get 0 call 0))
                (core instance (instantiate $small))
                (component $inner
                  (core module $nested (func (export "h"))))
              )"#,
        )
        .unwrap();
        let out = unbundle(&component, 60).unwrap();
        assert_eq!(out.moved.len(), 1, "{:?}", out.moved);
        assert_eq!(out.kept, 2);
        assert_eq!(out.moved[0].import, "unbundled-module0");
        assert_eq!(out.moved[0].path, "module big");
        let moved = out.module_bytes(&component, &out.moved[0]);
        assert!(moved.starts_with(b"\0asm"));
        let mut validator = Validator::new_with_features(WasmFeatures::all());
        validator.validate_all(&out.component).unwrap();

        let all = unbundle(&component, 0).unwrap();
        assert_eq!((all.moved.len(), all.kept), (3, 0));
        Validator::new_with_features(WasmFeatures::all())
            .validate_all(&all.component)
            .unwrap();

        // What the result imports is what was moved; the input imports no module.
        assert_eq!(imported_modules(&out.component), ["unbundled-module0"]);
        assert_eq!(
            imported_modules(&all.component),
            [
                "unbundled-module0",
                "unbundled-module1",
                "unbundled-module2"
            ]
        );
        assert!(imported_modules(&component).is_empty());
        let importer = wat::parse_str(
            r#"(component (import "m" (core module)) (import "c" (component)) (import "f" (func)))"#,
        )
        .unwrap();
        assert_eq!(imported_modules(&importer), ["m"]);
    }

    #[test]
    fn a_core_module_is_refused() {
        let module = wat::parse_str("(module)").unwrap();
        assert!(matches!(
            unbundle(&module, 0),
            Err(UnbundleError::NotAComponent)
        ));
    }
}
