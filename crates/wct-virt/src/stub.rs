//! Cutting a bundled module's imports down to what the component being virtualized has: the
//! functions a module imports from interfaces the component does not import (the host's
//! `wasi:filesystem/types` in the `files` module, or its own `[export]wasi:filesystem/types`
//! resource built-ins) become local functions whose body is `unreachable`. They are reached
//! only through exports of those same interfaces, which [`patch`](crate::patch) has cut, so
//! the code that called them is dead; the result neither exports nor imports the interface.
//!
//! Every function index moves (imports come first), so the module is re-encoded with
//! wasm-encoder's `Reencode`, which renumbers calls, exports, elements and the name section.

use std::collections::BTreeMap;
use wasm_encoder::reencode::{utils, Error, Reencode};
use wasm_encoder::{
    CodeSection, Function, FunctionSection, ImportSection, IndirectNameMap, Instruction, NameMap,
};
use wasmparser::{Parser, Payload, TypeRef};

/// The unversioned interface a core import module names (`[export]wasi:filesystem/types@0.2.12`
/// -> `wasi:filesystem/types`).
fn interface_of(module: &str) -> &str {
    let module = module.strip_prefix("[export]").unwrap_or(module);
    wct_wit::semver_key::base_name(module)
}

/// Renumbers functions around the removed imports and appends their stubs.
struct Stubber {
    /// Old function index -> new one.
    map: BTreeMap<u32, u32>,
    /// The type of each stub, in order.
    stub_types: Vec<u32>,
    /// Whether an import is removed, in import order (functions only).
    removed: Vec<bool>,
}

impl Reencode for Stubber {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, Error<Self::Error>> {
        Ok(self.map.get(&func).copied().unwrap_or(func))
    }

    fn parse_import_section(
        &mut self,
        imports: &mut ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        let mut function = 0;
        for import in section.into_imports() {
            let import = import?;
            if let TypeRef::Func(_) = import.ty {
                function += 1;
                if self.removed[function - 1] {
                    continue;
                }
            }
            let ty = self.entity_type(import.ty)?;
            imports.import(import.module, import.name, ty);
        }
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        utils::parse_function_section(self, functions, section)?;
        for ty in &self.stub_types {
            functions.function(*ty);
        }
        Ok(())
    }

    /// Function names (and their locals' and labels') are renumbered like the functions;
    /// the stubs, now last, would put them out of order, which readers refuse: they are
    /// written sorted by the new index.
    fn parse_custom_name_subsection(
        &mut self,
        names: &mut wasm_encoder::NameSection,
        section: wasmparser::Name<'_>,
    ) -> Result<(), Error<Self::Error>> {
        match section {
            wasmparser::Name::Function(map) => {
                names.functions(&self.sorted(map)?);
            }
            wasmparser::Name::Local(map) => names.locals(&self.sorted_indirect(map)?),
            wasmparser::Name::Label(map) => names.labels(&self.sorted_indirect(map)?),
            other => utils::parse_custom_name_subsection(self, names, other)?,
        }
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        utils::parse_code_section(self, code, section)?;
        for _ in &self.stub_types {
            let mut f = Function::new([]);
            f.instruction(&Instruction::Unreachable);
            f.instruction(&Instruction::End);
            code.function(&f);
        }
        Ok(())
    }
}

impl Stubber {
    /// A function name map, renumbered and sorted.
    fn sorted(
        &mut self,
        map: wasmparser::NameMap<'_>,
    ) -> Result<NameMap, Error<std::convert::Infallible>> {
        let mut named: Vec<(u32, &str)> = Vec::new();
        for naming in map {
            let naming = naming?;
            named.push((self.function_index(naming.index)?, naming.name));
        }
        named.sort_by_key(|(index, _)| *index);
        let mut out = NameMap::new();
        for (index, name) in named {
            out.append(index, name);
        }
        Ok(out)
    }

    /// A per-function name map (locals, labels), renumbered and sorted by function.
    fn sorted_indirect(
        &mut self,
        map: wasmparser::IndirectNameMap<'_>,
    ) -> Result<IndirectNameMap, Error<std::convert::Infallible>> {
        let mut named: Vec<(u32, NameMap)> = Vec::new();
        for naming in map {
            let naming = naming?;
            let mut inner = NameMap::new();
            for local in naming.names {
                let local = local?;
                inner.append(local.index, local.name);
            }
            named.push((self.function_index(naming.index)?, inner));
        }
        named.sort_by_key(|(index, _)| *index);
        let mut out = IndirectNameMap::new();
        for (index, names) in &named {
            out.append(*index, names);
        }
        Ok(out)
    }
}

/// `module` with the functions it imports from `interfaces` (unversioned, with or without
/// `[export]`) made local and `unreachable`. Returns `module` unchanged when it imports none.
pub(crate) fn stub_imports(module: &[u8], interfaces: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut removed = Vec::new();
    let mut stub_types = Vec::new();
    let mut defined = 0u32;
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    if let TypeRef::Func(ty) = import.ty {
                        let cut = interfaces.iter().any(|i| i == interface_of(import.module));
                        if cut {
                            stub_types.push(ty);
                        }
                        removed.push(cut);
                    }
                }
            }
            Payload::FunctionSection(reader) => defined = reader.count(),
            _ => {}
        }
    }
    if stub_types.is_empty() {
        return Ok(module.to_vec());
    }
    if defined == 0 {
        anyhow::bail!("a bundled virtualizing module defines no function to keep its stubs beside");
    }
    let kept = (removed.len() - stub_types.len()) as u32;
    let mut map = BTreeMap::new();
    let (mut next_kept, mut next_stub) = (0u32, kept + defined);
    for (old, cut) in removed.iter().enumerate() {
        let new = if *cut {
            next_stub += 1;
            next_stub - 1
        } else {
            next_kept += 1;
            next_kept - 1
        };
        map.insert(old as u32, new);
    }
    let imported = removed.len() as u32;
    for old in imported..imported + defined {
        map.insert(old, old - stub_types.len() as u32);
    }
    let mut stubber = Stubber {
        map,
        stub_types,
        removed,
    };
    let mut out = wasm_encoder::Module::new();
    stubber
        .parse_core_module(&mut out, Parser::new(0), module)
        .map_err(|e| anyhow::anyhow!("re-encoding a bundled virtualizing module: {e:?}"))?;
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_imports_become_unreachable_and_calls_are_renumbered() {
        let module = wat::parse_str(
            r#"(module
                 (import "a:b/keep@1.0.0" "f" (func $keep (result i32)))
                 (import "[export]a:b/cut@1.0.0" "[resource-new]r" (func $cut (param i32) (result i32)))
                 (import "a:b/keep@1.0.0" "g" (func $keep2))
                 (func (export "uses-keep") (result i32) call $keep2 call $keep)
                 (func (export "uses-cut") (result i32) i32.const 1 call $cut)
                 (table 1 funcref) (elem (i32.const 0) func $cut))"#,
        )
        .unwrap();
        let out = stub_imports(&module, &["a:b/cut".to_string()]).unwrap();
        wasmparser::Validator::new().validate_all(&out).unwrap();
        let text = wasmprinter::print_bytes(&out).unwrap();
        assert!(!text.contains("a:b/cut"), "{text}");
        assert_eq!(text.matches("(import").count(), 2, "{text}");
        // The stub is the last function; the export that used the import now calls it.
        assert!(text.contains("i32.const 1\n    call $cut\n"), "{text}");
        assert!(text.contains("(func $cut (;4;)"), "{text}");
        assert!(text.contains("call $keep2\n    call $keep\n"), "{text}");
        assert!(text.contains("unreachable"), "{text}");
        let same = stub_imports(&module, &["a:b/other".to_string()]).unwrap();
        assert_eq!(same, module);
    }
}
