//! Making a bundled virtualizing module fit one component: its WASI names renumbered to the
//! versions the component imports, its exports cut to the interfaces being virtualized, and
//! its configuration added as a data segment (with enough memory for it). The module's code
//! is untouched; every other section is copied byte for byte.
//!
//! A module written in WAT has no data of its own and reads its configuration at
//! [`CONFIG_BASE`]; a module compiled from C (clang, wasm-ld) exports `__heap_base`, and its
//! configuration is placed there, after its own data and stack (the export is then removed).

use std::collections::BTreeMap;
use wasm_encoder::{
    ConstExpr, DataSection, EntityType, ExportKind, ExportSection, ImportSection, MemorySection,
    MemoryType, Module, RawSection,
};
use wasmparser::{Parser, Payload};
use wct_wit::semver_key::{base_name, split_versioned};

/// Where the configuration starts in every virtualizing module's memory.
pub const CONFIG_BASE: u32 = 128;

/// What to change in a module.
pub struct Patch<'a> {
    /// Unversioned package (`wasi:cli`) -> the version to use (`0.2.9`).
    pub versions: &'a BTreeMap<String, String>,
    /// Unversioned interfaces (`wasi:cli/environment`) whose exports are kept.
    pub keep: &'a [String],
    /// The configuration, written at [`CONFIG_BASE`].
    pub config: &'a [u8],
    /// Names that differ in the target WASI generation, written unversioned: after
    /// renumbering, an export `wasi:cli/environment@V#initial-cwd` (or an import written the
    /// same way, `MODULE#NAME`) matching `wasi:cli/environment#initial-cwd` becomes the
    /// second name at the same version V.
    pub renames: &'a [(&'a str, &'a str)],
    /// New bodies for exported functions, by export name (as in the module, before
    /// renumbering).
    pub bodies: &'a [(&'a str, wasm_encoder::Function)],
}

/// The prefixes wit-component puts before an interface name in core import modules and
/// export names (`[export]wasi:io/streams@0.2.12`, `cabi_post_wasi:io/streams@0.2.12#...`,
/// `[async-lift]wasi:http/client@0.3.0#send`).
const NAME_PREFIXES: &[&str] = &[
    "[export]",
    "cabi_post_",
    "[callback][async-lift]",
    "[async-lift]",
];

/// `name` split into a wit-component prefix (or "") and the rest.
fn split_prefix(name: &str) -> (&str, &str) {
    NAME_PREFIXES
        .iter()
        .find_map(|p| name.strip_prefix(p).map(|rest| (*p, rest)))
        .unwrap_or(("", name))
}

/// Exports named with this prefix only mark a function whose body is generated at
/// `wct virt` time ([`Patch::bodies`]); they are removed.
pub const GENERATED_PREFIX: &str = "wct-virt:";

/// The export through which a compiled module says where its heap starts.
const HEAP_BASE: &str = "__heap_base";

/// `name` after `renames`, which are written unversioned
/// (`wasi:cli/environment#initial-cwd` -> `wasi:cli/environment#get-initial-cwd`): the
/// version `name` has stays.
fn rename(name: &str, renames: &[(&str, &str)]) -> String {
    let (prefix, rest) = split_prefix(name);
    let (interface, Some(versioned)) = split_versioned(rest) else {
        return name.to_string();
    };
    let (version, tail) = versioned.split_at(versioned.find(['#', '/']).unwrap_or(versioned.len()));
    let unversioned = format!("{interface}{tail}");
    match renames.iter().find(|(from, _)| *from == unversioned) {
        Some((_, to)) => {
            let (to_interface, to_tail) = to.split_at(to.find('#').unwrap_or(to.len()));
            format!("{prefix}{to_interface}@{version}{to_tail}")
        }
        None => name.to_string(),
    }
}

/// `wasi:cli/environment@0.2.12#f` with `wasi:cli` at 0.2.9 -> `wasi:cli/environment@0.2.9#f`.
fn renumber(name: &str, versions: &BTreeMap<String, String>) -> String {
    let (prefix, name) = split_prefix(name);
    let (interface, Some(rest)) = split_versioned(name) else {
        return name.to_string();
    };
    let package = interface.split('/').next().unwrap_or(interface);
    let tail = rest.find(['#', '/']).map_or("", |i| &rest[i..]);
    match versions.get(package) {
        Some(version) => format!("{prefix}{interface}@{version}{tail}"),
        None => format!("{prefix}{name}"),
    }
}

/// The unversioned interface an export implements (`wasi:cli/environment`), if any.
fn exported_interface(name: &str) -> Option<&str> {
    let (qualified, _) = split_prefix(name).1.split_once('#')?;
    Some(base_name(qualified))
}

/// Why a bundled module could not be fitted (a fault of the bundled module, never of the
/// component being virtualized).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PatchError {
    /// It does not parse.
    #[error("a bundled virtualizing module does not parse: {0}")]
    Parse(#[from] wasmparser::BinaryReaderError),
    /// It has something a virtualizing module must not have.
    #[error("a bundled virtualizing module {0}")]
    Shape(&'static str),
}

/// Where a module's configuration goes and what data it has of its own.
struct Layout {
    /// The configuration's address: [`CONFIG_BASE`], or the module's `__heap_base`.
    config_base: u32,
    /// Whether the module has a data section (the configuration joins it).
    has_data: bool,
}

/// Reads the [`Layout`] of `module`.
fn layout(module: &[u8]) -> Result<Layout, PatchError> {
    let mut globals: Vec<Option<u32>> = Vec::new();
    let mut heap_base = None;
    let mut has_data = false;
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let mut ops = global?.init_expr.get_operators_reader();
                    globals.push(match ops.read()? {
                        wasmparser::Operator::I32Const { value } => u32::try_from(value).ok(),
                        _ => None,
                    });
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    if export.name == HEAP_BASE && export.kind == wasmparser::ExternalKind::Global {
                        heap_base = Some(
                            globals
                                .get(export.index as usize)
                                .copied()
                                .flatten()
                                .ok_or(PatchError::Shape(
                                    "exports a __heap_base that is not a constant",
                                ))?,
                        );
                    }
                }
            }
            Payload::DataSection(_) => has_data = true,
            _ => {}
        }
    }
    if has_data && heap_base.is_none() {
        return Err(PatchError::Shape(
            "has data of its own but does not export __heap_base",
        ));
    }
    Ok(Layout {
        config_base: heap_base.map_or(CONFIG_BASE, |b| b.next_multiple_of(16)),
        has_data,
    })
}

/// Applies `patch` to `module`.
pub fn apply(module: &[u8], patch: &Patch<'_>) -> Result<Vec<u8>, PatchError> {
    let layout = layout(module)?;
    let mut out = Module::new();
    let mut imported_funcs = 0u32;
    // Function index -> its new body.
    let mut replaced: BTreeMap<u32, &wasm_encoder::Function> = BTreeMap::new();
    let mut code: Option<(wasm_encoder::CodeSection, u32, u32)> = None;
    let config_end = u64::from(layout.config_base) + patch.config.len() as u64;
    let pages = config_end.div_ceil(65536).max(1);
    // The configuration data segment, when it does not join the module's own data section.
    let own_section = (!layout.has_data).then(|| config_data(patch.config, layout.config_base));
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload?;
        match &payload {
            Payload::ImportSection(reader) => {
                let mut imports = ImportSection::new();
                for import in reader.clone().into_imports() {
                    let import = import?;
                    let wasmparser::TypeRef::Func(ty) = import.ty else {
                        return Err(PatchError::Shape("imports something other than a function"));
                    };
                    imported_funcs += 1;
                    let module = renumber(import.module, patch.versions);
                    let full = format!("{module}#{}", import.name);
                    let full = rename(&full, patch.renames);
                    let (module, name) = full.split_once('#').expect("MODULE#NAME");
                    imports.import(module, name, EntityType::Function(ty));
                }
                out.section(&imports);
            }
            Payload::MemorySection(reader) => {
                let mut memories = MemorySection::new();
                for memory in reader.clone() {
                    let memory = memory?;
                    memories.memory(MemoryType {
                        minimum: memory.initial.max(pages),
                        maximum: memory.maximum,
                        memory64: memory.memory64,
                        shared: memory.shared,
                        page_size_log2: memory.page_size_log2,
                    });
                }
                out.section(&memories);
            }
            Payload::ExportSection(reader) => {
                let mut exports = ExportSection::new();
                for export in reader.clone() {
                    let export = export?;
                    if let Some((_, body)) = patch.bodies.iter().find(|(n, _)| *n == export.name) {
                        replaced.insert(export.index, body);
                    }
                    if export.name == HEAP_BASE || export.name.starts_with(GENERATED_PREFIX) {
                        continue;
                    }
                    let renamed = renumber(export.name, patch.versions);
                    let renamed = rename(&renamed, patch.renames);
                    if let Some(interface) = exported_interface(&renamed) {
                        if !patch.keep.iter().any(|k| k == interface) {
                            continue;
                        }
                    }
                    let kind = match export.kind {
                        wasmparser::ExternalKind::Func => ExportKind::Func,
                        wasmparser::ExternalKind::Memory => ExportKind::Memory,
                        wasmparser::ExternalKind::Global => ExportKind::Global,
                        wasmparser::ExternalKind::Table => ExportKind::Table,
                        _ => return Err(PatchError::Shape("exports a tag")),
                    };
                    exports.export(&renamed, kind, export.index);
                }
                out.section(&exports);
            }
            Payload::DataCountSection { count, .. } => {
                out.section(&wasm_encoder::DataCountSection { count: count + 1 });
            }
            Payload::DataSection(reader) => {
                let mut data = DataSection::new();
                for segment in reader.clone() {
                    let range = segment?.range;
                    data.raw(&module[range.start as usize..range.end as usize]);
                }
                data.active(
                    0,
                    &ConstExpr::i32_const(layout.config_base as i32),
                    patch.config.iter().copied(),
                );
                out.section(&data);
            }
            Payload::CodeSectionStart { count, .. } if !patch.bodies.is_empty() => {
                code = Some((wasm_encoder::CodeSection::new(), *count, 0));
                if *count == 0 {
                    finish_code(&mut out, &mut code, own_section.as_ref());
                }
            }
            Payload::CodeSectionEntry(body) => {
                if let Some((section, count, done)) = &mut code {
                    match replaced.get(&(imported_funcs + *done)) {
                        Some(new) => section.function(new),
                        None => section
                            .raw(&module[body.range().start as usize..body.range().end as usize]),
                    };
                    *done += 1;
                    if done == count {
                        finish_code(&mut out, &mut code, own_section.as_ref());
                    }
                }
            }
            Payload::End(_) => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    out.section(&RawSection {
                        id,
                        data: &module[range.start as usize..range.end as usize],
                    });
                    if id == wasm_encoder::SectionId::Code as u8 {
                        if let Some(section) = &own_section {
                            out.section(section);
                        }
                    }
                }
            }
        }
    }
    Ok(out.finish())
}

/// The data section holding only the configuration, at `base`.
fn config_data(config: &[u8], base: u32) -> DataSection {
    let mut data = DataSection::new();
    data.active(
        0,
        &ConstExpr::i32_const(base as i32),
        config.iter().copied(),
    );
    data
}

/// Emits the rebuilt code section and, after it, the configuration's own data section.
fn finish_code(
    out: &mut Module,
    code: &mut Option<(wasm_encoder::CodeSection, u32, u32)>,
    config: Option<&DataSection>,
) {
    if let Some((section, _, _)) = code.take() {
        out.section(&section);
        if let Some(config) = config {
            out.section(config);
        }
    }
}

/// The index of the function `module` imports as `from`/`name`.
pub(crate) fn imported_function(module: &[u8], from: &str, name: &str) -> anyhow::Result<u32> {
    let mut index = 0;
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::ImportSection(reader) = payload? {
            for import in reader.into_imports() {
                let import = import?;
                if let wasmparser::TypeRef::Func(_) = import.ty {
                    if import.module == from && import.name == name {
                        return Ok(index);
                    }
                    index += 1;
                }
            }
        }
    }
    anyhow::bail!("the generated module does not import {from}#{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_at_the_version_the_name_has() {
        let renames = [(
            "wasi:cli/environment#initial-cwd",
            "wasi:cli/environment#get-initial-cwd",
        )];
        assert_eq!(
            rename("wasi:cli/environment@0.3.1#initial-cwd", &renames),
            "wasi:cli/environment@0.3.1#get-initial-cwd"
        );
        assert_eq!(
            rename("[export]wasi:cli/environment@0.3.0#initial-cwd", &renames),
            "[export]wasi:cli/environment@0.3.0#get-initial-cwd"
        );
        assert_eq!(
            rename("wasi:cli/environment@0.3.0#get-arguments", &renames),
            "wasi:cli/environment@0.3.0#get-arguments"
        );
    }

    #[test]
    fn renumbers_packages_it_knows() {
        let versions = BTreeMap::from([("wasi:cli".to_string(), "0.2.9".to_string())]);
        assert_eq!(
            renumber("wasi:cli/environment@0.2.12#get-environment", &versions),
            "wasi:cli/environment@0.2.9#get-environment"
        );
        assert_eq!(
            renumber("wasi:cli/environment@0.2.12", &versions),
            "wasi:cli/environment@0.2.9"
        );
        assert_eq!(
            renumber("wasi:io/poll@0.2.12", &versions),
            "wasi:io/poll@0.2.12"
        );
        assert_eq!(renumber("cabi_realloc", &versions), "cabi_realloc");
        assert_eq!(
            exported_interface("wasi:random/insecure@0.2.12#x"),
            Some("wasi:random/insecure")
        );
    }

    #[test]
    fn adds_the_configuration_and_cuts_exports() {
        let module = wat::parse_str(
            r#"(module (memory (export "memory") 1)
                 (func (export "a:b/c@1.0.0#f") (result i32) i32.const 128 i32.load)
                 (func (export "a:b/d@1.0.0#g")))"#,
        )
        .unwrap();
        let versions = BTreeMap::new();
        let keep = vec!["a:b/c".to_string()];
        let config = vec![7u8; 70_000];
        let mut body = wasm_encoder::Function::new([]);
        body.instructions().i32_const(1234567).end();
        let patched = apply(
            &module,
            &Patch {
                versions: &versions,
                keep: &keep,
                config: &config,
                renames: &[("a:b/c#f", "a:b/c#get-f")],
                bodies: &[("a:b/c@1.0.0#f", body)],
            },
        )
        .unwrap();
        wasmparser::Validator::new().validate_all(&patched).unwrap();
        let text = wasmprinter_like(&patched);
        assert!(text.contains("a:b/c@1.0.0#get-f\n") && !text.contains("a:b/d@1.0.0#g"));
        // The new body (i32.const 1234567 is 0x41 0x87 0xad 0xcb 0x00) replaced the old one.
        assert!(patched
            .windows(5)
            .any(|w| w == [0x41, 0x87, 0xad, 0xcb, 0x00]));
    }

    /// Export names of a module.
    fn wasmprinter_like(module: &[u8]) -> String {
        let mut names = String::new();
        for payload in Parser::new(0).parse_all(module) {
            if let Payload::ExportSection(r) = payload.unwrap() {
                for e in r {
                    names.push_str(e.unwrap().name);
                    names.push('\n');
                }
            }
        }
        names
    }
}
