//! Demangling the function names of `name` sections (Rust's legacy and v0 manglings, C++'s
//! Itanium one), in a core module and in every module nested in a component, so that tools
//! that read names but run no demangler (profilers, debuggers, wasmprinter) show
//! `core::fmt::write` rather than `_ZN4core3fmt5write17h...E`. Every other byte is kept.

use crate::rewrite::{rewrite, Action, RewriteError};
use wasm_encoder::reencode::{utils, RoundtripReencoder};
use wasm_encoder::{Encode, NameMap, NameSection};
use wasmparser::{BinaryReader, Name, NameSectionReader};

/// The demangled file and how many names changed.
#[derive(Debug, Clone)]
pub struct Demangled {
    /// The new file.
    pub bytes: Vec<u8>,
    /// Function names demangled, in all modules.
    pub renamed: usize,
}

/// `name` demangled, when it is a Rust or C++ symbol.
pub fn demangle_name(name: &str) -> Option<String> {
    if let Ok(rust) = rustc_demangle::try_demangle(name) {
        return Some(rust.to_string());
    }
    let symbol = cpp_demangle::Symbol::new(name).ok()?;
    symbol.demangle().ok()
}

/// `wasm` (a module or component) with the function names of every core module's `name`
/// section demangled.
pub fn demangle(wasm: &[u8]) -> Result<Demangled, RewriteError> {
    let mut renamed = 0;
    let mut failed = None;
    let bytes = rewrite(wasm, &mut |place, section| {
        if !place.in_module || section.name() != "name" {
            return Action::Keep;
        }
        match rewrite_names(section.data(), section.data_offset(), &mut renamed) {
            Ok(Some(contents)) => Action::Replace(contents),
            Ok(None) => Action::Keep,
            Err(e) => {
                failed.get_or_insert(e);
                Action::Keep
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e);
    }
    Ok(Demangled { bytes, renamed })
}

/// The contents (name and data) of a `name` section with its function names demangled, or
/// `None` when none changes.
fn rewrite_names(
    data: &[u8],
    offset: u64,
    renamed: &mut usize,
) -> Result<Option<Vec<u8>>, RewriteError> {
    let mut names = NameSection::new();
    let before = *renamed;
    for subsection in NameSectionReader::new(BinaryReader::new(data, offset)) {
        match subsection? {
            Name::Function(map) => {
                let mut functions = NameMap::new();
                for naming in map {
                    let naming = naming?;
                    match demangle_name(naming.name) {
                        Some(readable) if readable != naming.name => {
                            *renamed += 1;
                            functions.append(naming.index, &readable);
                        }
                        _ => functions.append(naming.index, naming.name),
                    }
                }
                names.functions(&functions);
            }
            other => {
                utils::parse_custom_name_subsection(&mut RoundtripReencoder, &mut names, other)
                    .map_err(|e| match e {
                        wasm_encoder::reencode::Error::ParseError(e) => RewriteError::Parse(e),
                        other => RewriteError::Names {
                            offset,
                            message: other.to_string(),
                        },
                    })?
            }
        }
    }
    if *renamed == before {
        return Ok(None);
    }
    let custom = names.as_custom();
    let mut contents = Vec::new();
    custom.name.as_ref().encode(&mut contents);
    contents.extend_from_slice(&custom.data);
    Ok(Some(contents))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_and_cpp_names_are_demangled_in_nested_modules() {
        assert_eq!(
            demangle_name("_ZN4core3fmt5write17h0123456789abcdefE").as_deref(),
            Some("core::fmt::write::h0123456789abcdef")
        );
        assert_eq!(demangle_name("_Z3fooi").as_deref(), Some("foo(int)"));
        assert_eq!(demangle_name("main"), None);
        let component = wat::parse_str(
            r#"(component
                 (core module
                   (func $_ZN4core3fmt5write17h0123456789abcdefE (local $x i32))
                   (func $_Z3fooi)
                   (func $main)))"#,
        )
        .unwrap();
        let out = demangle(&component).unwrap();
        assert_eq!(out.renamed, 2);
        crate::validate(&out.bytes, wasmparser::WasmFeatures::all()).unwrap();
        let text = wasmprinter::print_bytes(&out.bytes).unwrap();
        assert!(
            text.contains("core::fmt::write") && text.contains("foo(int)"),
            "{text}"
        );
        assert!(text.contains("$x"), "local names kept: {text}");
        assert_eq!(demangle(&out.bytes).unwrap().bytes, out.bytes);
    }
}
