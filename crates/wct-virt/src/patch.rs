//! Making a bundled virtualizing module fit one component: its WASI names renumbered to the
//! versions the component imports, its exports cut to the interfaces being virtualized, and
//! its configuration added as a data segment (with enough memory for it). The module's code
//! is untouched; every other section is copied byte for byte.

use std::collections::BTreeMap;
use wasm_encoder::{
    ConstExpr, DataSection, EntityType, ExportKind, ExportSection, ImportSection, MemorySection,
    MemoryType, Module, RawSection,
};
use wasmparser::{Parser, Payload};

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
    /// Names that differ in the target WASI generation, after renumbering: an export
    /// `wasi:cli/environment@0.3.0#initial-cwd` or an import written the same way
    /// (`MODULE#NAME`) becomes the second name.
    pub renames: &'a [(&'a str, &'a str)],
    /// New bodies for exported functions, by export name (as in the module, before
    /// renumbering).
    pub bodies: &'a [(&'a str, wasm_encoder::Function)],
}

/// `name` after `renames`.
fn rename(name: &str, renames: &[(&str, &str)]) -> String {
    renames
        .iter()
        .find(|(from, _)| *from == name)
        .map_or(name, |(_, to)| to)
        .to_string()
}

/// `wasi:cli/environment@0.2.12#f` with `wasi:cli` at 0.2.9 -> `wasi:cli/environment@0.2.9#f`.
fn renumber(name: &str, versions: &BTreeMap<String, String>) -> String {
    let Some((interface, rest)) = name.split_once('@') else {
        return name.to_string();
    };
    let package = interface.split('/').next().unwrap_or(interface);
    let tail = rest.find(['#', '/']).map_or("", |i| &rest[i..]);
    match versions.get(package) {
        Some(version) => format!("{interface}@{version}{tail}"),
        None => name.to_string(),
    }
}

/// The unversioned interface an export implements (`wasi:cli/environment`), if any.
fn exported_interface(name: &str) -> Option<&str> {
    let (qualified, _) = name.split_once('#')?;
    Some(qualified.split('@').next().unwrap_or(qualified))
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

/// Applies `patch` to `module`.
pub fn apply(module: &[u8], patch: &Patch<'_>) -> Result<Vec<u8>, PatchError> {
    let mut out = Module::new();
    let mut imported_funcs = 0u32;
    // Function index -> its new body.
    let mut replaced: BTreeMap<u32, &wasm_encoder::Function> = BTreeMap::new();
    let mut code: Option<(wasm_encoder::CodeSection, u32, u32)> = None;
    let pages = u64::from(CONFIG_BASE + patch.config.len() as u32)
        .div_ceil(65536)
        .max(1);
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
                    let name = renumber(export.name, patch.versions);
                    exports.export(&rename(&name, patch.renames), kind, export.index);
                }
                out.section(&exports);
            }
            Payload::DataSection(_) | Payload::DataCountSection { .. } => {
                return Err(PatchError::Shape("has data of its own"))
            }
            Payload::CodeSectionStart { count, .. } if !patch.bodies.is_empty() => {
                code = Some((wasm_encoder::CodeSection::new(), *count, 0));
                if *count == 0 {
                    finish_code(&mut out, &mut code, patch.config);
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
                        finish_code(&mut out, &mut code, patch.config);
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
                        out.section(&config_data(patch.config));
                    }
                }
            }
        }
    }
    Ok(out.finish())
}

/// The data section holding the configuration.
fn config_data(config: &[u8]) -> DataSection {
    let mut data = DataSection::new();
    data.active(
        0,
        &ConstExpr::i32_const(CONFIG_BASE as i32),
        config.iter().copied(),
    );
    data
}

/// Emits the rebuilt code section and, after it, the configuration.
fn finish_code(
    out: &mut Module,
    code: &mut Option<(wasm_encoder::CodeSection, u32, u32)>,
    config: &[u8],
) {
    if let Some((section, _, _)) = code.take() {
        out.section(&section);
        out.section(&config_data(config));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                renames: &[("a:b/c@1.0.0#f", "a:b/c@1.0.0#get-f")],
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
