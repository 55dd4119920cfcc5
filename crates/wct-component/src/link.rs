//! Shared-everything dynamic linking (`wct link`): shared libraries (core modules with a
//! `dylink.0` section, as `clang -shared` and componentize-py's toolchain make them) linked
//! into one component by wit-component's [`Linker`](wit_component::Linker), the same code
//! `wasm-tools component link` wraps.
//!
//! What wct adds around it: every library is checked first (a core module, valid, a shared
//! library, a unique name) so an error names the file; the libraries each one needs are
//! checked against the ones given; the bundled WASI Preview 1 adapter is used when a library
//! imports `wasi_snapshot_preview1` and no adapter for it is given (command when a library
//! exports `_start`, as [`adapt`](crate::adapt) chooses); unresolved symbols become a typed
//! list (the CLI adds the flag that would help).

use crate::adapt::{module_facts, AdapterKind, ModuleFacts, PREVIEW1};
use crate::kind::{detect, WasmKind};
use serde::Serialize;
use std::collections::BTreeSet;

/// The name wit-component's own `libdl.so` links under; it needs `libc.so` (for `strlen`
/// and `memcmp`).
const BUILT_IN_LIBDL: &str = "libdl.so";

/// One shared library to link.
#[derive(Debug, Clone, Copy)]
pub struct Library<'a> {
    /// The name other libraries' `dylink.0` `needed` lists use for it (`libc.so`).
    pub name: &'a str,
    /// The core module.
    pub bytes: &'a [u8],
    /// Whether its exports are added to the `dlopen`/`dlsym` table.
    pub dl_openable: bool,
}

/// Options for [`link`].
#[derive(Debug, Clone, Default)]
pub struct LinkOptions {
    /// Adapters as (import module name, adapter module bytes); a Preview 1 adapter given here
    /// replaces the bundled one.
    pub adapters: Vec<(String, Vec<u8>)>,
    /// Bytes of stack the synthesized main module allocates (wit-component's default when
    /// `None`).
    pub stack_size: Option<u32>,
    /// Link trapping stubs for functions no library defines.
    pub stub_missing_functions: bool,
    /// Link wit-component's own `libdl.so` (`dlopen`/`dlsym` over the dl-openable libraries).
    pub use_built_in_libdl: bool,
    /// Skip validating the result.
    pub skip_validation: bool,
}

/// What [`link`] made.
#[derive(Debug, Clone)]
pub struct Linked {
    /// The component.
    pub component: Vec<u8>,
    /// The bundled Preview 1 adapter linked in, and why that one; `None` when no library
    /// imports `wasi_snapshot_preview1` or an adapter for it was given.
    pub bundled_adapter: Option<(AdapterKind, &'static str)>,
    /// The libraries that carry a world (`component-type` sections), in link order.
    pub with_world: Vec<String>,
    /// Things worth telling the user about.
    pub warnings: Vec<String>,
}

/// A library that needs one that was not given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingLibrary {
    /// The library whose `dylink.0` section lists it.
    pub needed_by: String,
    /// The name it is needed under.
    pub name: String,
}

/// What kind of item a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SymbolKind {
    /// A function.
    Function,
    /// A global (a data address through `GOT.mem`, or `env` globals).
    Global,
    /// An exception tag.
    Tag,
}

/// A symbol a library imports that no library defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnresolvedSymbol {
    /// The library that imports it.
    pub needed_by: String,
    /// The symbol.
    pub symbol: String,
    /// Its kind.
    pub kind: SymbolKind,
    /// Its type as the linker prints it (`[I32] -> [I32]`, `mut I32`).
    pub ty: String,
}

/// Errors from [`link`]; each names the library it is about.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LinkError {
    /// Nothing to link.
    #[error("no libraries to link")]
    NoLibraries,
    /// A library given twice under one name.
    #[error("two libraries are named `{name}`")]
    #[diagnostic(help("give one of them another name"))]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// A `libdl.so` given while the built-in one was asked for too.
    #[error("a library named `libdl.so` is given and the built-in libdl.so is asked for too")]
    #[diagnostic(help("drop one of the two"))]
    LibdlTwice,
    /// A library (or adapter) that is a component, not a core module.
    #[error("`{name}` is a component; only core modules (shared libraries) can be linked")]
    #[diagnostic(help("components are composed, not linked"))]
    IsAComponent {
        /// The library name.
        name: String,
    },
    /// Not a core module at all.
    #[error("`{name}` is not a core wasm module")]
    NotACoreModule {
        /// The library name.
        name: String,
    },
    /// The library does not validate.
    #[error("`{name}` is not a valid module")]
    Invalid {
        /// The library name.
        name: String,
        /// What is wrong.
        #[source]
        source: crate::validate::ValidationError,
    },
    /// A core module without a `dylink.0` section.
    #[error("`{name}` is not a shared library: it has no `dylink.0` section")]
    #[diagnostic(help(
        "build it as one (clang: `-fPIC -shared`, wasm-ld: `-shared --experimental-pic`)"
    ))]
    NotASharedLibrary {
        /// The library name.
        name: String,
    },
    /// Libraries named in `dylink.0` `needed` lists that were not given.
    #[error("{}", missing_libraries_message(.missing))]
    #[diagnostic(help("{}", missing_libraries_help(.missing)))]
    MissingLibraries {
        /// Each (needed by, name) pair.
        missing: Vec<MissingLibrary>,
    },
    /// The bundled Preview 1 adapter lacks functions a library imports.
    #[error("the bundled {} adapter does not provide {}", .kind.name(), .missing.iter().map(|m| format!("`{PREVIEW1}::{m}`")).collect::<Vec<_>>().join(", "))]
    #[diagnostic(help("give an adapter for `{PREVIEW1}` that does"))]
    MissingPreview1Imports {
        /// The adapter kind.
        kind: AdapterKind,
        /// The missing function names.
        missing: Vec<String>,
    },
    /// Symbols no library defines.
    #[error("{}", unresolved_message(.symbols))]
    #[diagnostic(help("{}", unresolved_help(.symbols)))]
    UnresolvedSymbols {
        /// Each unresolved symbol with the library that needs it.
        symbols: Vec<UnresolvedSymbol>,
    },
    /// wit-component could not link or encode the component.
    #[error("wit-component could not link the libraries")]
    Link(#[source] Box<dyn std::error::Error + Send + Sync>),
}

fn missing_libraries_message(missing: &[MissingLibrary]) -> String {
    let lines: Vec<String> = missing
        .iter()
        .map(|m| format!("  {} needs {}", m.needed_by, m.name))
        .collect();
    format!("missing libraries:\n{}", lines.join("\n"))
}

fn missing_libraries_help(missing: &[MissingLibrary]) -> String {
    let names: BTreeSet<&str> = missing.iter().map(|m| m.name.as_str()).collect();
    format!(
        "add {} under the name{} `dylink.0` uses",
        names.iter().copied().collect::<Vec<_>>().join(", "),
        if names.len() == 1 { "" } else { "s" }
    )
}

fn unresolved_message(symbols: &[UnresolvedSymbol]) -> String {
    let lines: Vec<String> = symbols
        .iter()
        .map(|s| {
            let kind = match s.kind {
                SymbolKind::Function => "function",
                SymbolKind::Global => "global",
                SymbolKind::Tag => "tag",
            };
            format!("  {} needs {kind} `{}` ({})", s.needed_by, s.symbol, s.ty)
        })
        .collect();
    format!(
        "unresolved symbol{}: no library defines {}:\n{}",
        if symbols.len() == 1 { "" } else { "s" },
        if symbols.len() == 1 { "it" } else { "them" },
        lines.join("\n")
    )
}

fn unresolved_help(symbols: &[UnresolvedSymbol]) -> String {
    let them = if symbols.len() == 1 { "it" } else { "them" };
    format!("add the library that defines {them}")
}

/// Checks that one library or adapter is a core module (its code is validated only when
/// linking fails: see [`invalid_input`]).
fn check_module(name: &str, bytes: &[u8]) -> Result<(), LinkError> {
    match detect(bytes) {
        WasmKind::CoreModule => Ok(()),
        WasmKind::Component => Err(LinkError::IsAComponent {
            name: name.to_string(),
        }),
        _ => Err(LinkError::NotACoreModule {
            name: name.to_string(),
        }),
    }
}

/// The first library or adapter that does not validate, as the error to give instead of
/// wit-component's when linking failed. Validating every input up front costs a quarter of
/// the link time of componentize-py's libraries, and wit-component validates the linked
/// result anyway; this only names the culprit.
fn invalid_input(libraries: &[Library<'_>], adapters: &[(String, Vec<u8>)]) -> Option<LinkError> {
    let inputs = libraries.iter().map(|l| (l.name, l.bytes));
    let adapters = adapters.iter().map(|(n, b)| (n.as_str(), b.as_slice()));
    inputs.chain(adapters).find_map(|(name, bytes)| {
        crate::validate(bytes, wasmparser::WasmFeatures::all())
            .err()
            .map(|source| LinkError::Invalid {
                name: name.to_string(),
                source,
            })
    })
}

/// Links `libraries` (in priority order: the first library exporting a symbol provides it)
/// into one component.
pub fn link(libraries: &[Library<'_>], opts: &LinkOptions) -> Result<Linked, LinkError> {
    if libraries.is_empty() {
        return Err(LinkError::NoLibraries);
    }
    let mut names = BTreeSet::new();
    let mut facts = Vec::with_capacity(libraries.len());
    for library in libraries {
        if !names.insert(library.name) {
            return Err(LinkError::DuplicateName {
                name: library.name.to_string(),
            });
        }
        check_module(library.name, library.bytes)?;
        let library_facts = module_facts(library.bytes).map_err(|e| LinkError::Invalid {
            name: library.name.to_string(),
            source: crate::validate::ValidationError {
                message: e.message().to_string(),
                offset: e.offset(),
                function: None,
            },
        })?;
        if !library_facts.shared {
            return Err(LinkError::NotASharedLibrary {
                name: library.name.to_string(),
            });
        }
        facts.push(library_facts);
    }
    for (name, bytes) in &opts.adapters {
        check_module(name, bytes)?;
    }

    let mut needs: Vec<(&str, &str)> = libraries
        .iter()
        .zip(&facts)
        .flat_map(|(library, facts)| facts.needed.iter().map(|n| (library.name, n.as_str())))
        .collect();
    if opts.use_built_in_libdl {
        if !names.insert(BUILT_IN_LIBDL) {
            return Err(LinkError::LibdlTwice);
        }
        needs.push((BUILT_IN_LIBDL, "libc.so"));
    }
    let missing: Vec<MissingLibrary> = needs
        .into_iter()
        .filter(|(_, name)| !names.contains(name))
        .map(|(needed_by, name)| MissingLibrary {
            needed_by: if needed_by == BUILT_IN_LIBDL && opts.use_built_in_libdl {
                "the built-in libdl.so".to_string()
            } else {
                needed_by.to_string()
            },
            name: name.to_string(),
        })
        .collect();
    if !missing.is_empty() {
        return Err(LinkError::MissingLibraries { missing });
    }

    let bundled_adapter = bundled_adapter(&facts, opts)?;
    let with_world: Vec<String> = libraries
        .iter()
        .zip(&facts)
        .filter(|(_, facts)| facts.has_world)
        .map(|(library, _)| library.name.to_string())
        .collect();
    let mut warnings = Vec::new();
    if with_world.is_empty() && !facts.iter().any(|f| f.exports.contains("_start")) {
        warnings.push(
            "no library carries a world (a `component-type` section) and none exports \
             `_start`: the component exports nothing. Embed the world the libraries implement \
             into the library that exports it (`wct embed WIT --world WORLD lib.so -o lib.world.so`, \
             then link `lib.so=lib.world.so`)"
                .to_string(),
        );
    }

    let mut linker = wit_component::Linker::default();
    linker
        .stub_missing_functions(opts.stub_missing_functions)
        .use_built_in_libdl(opts.use_built_in_libdl);
    if let Some(size) = opts.stack_size {
        linker.stack_size(size);
    }
    linker.encoder().validate(!opts.skip_validation);
    for library in libraries {
        linker
            .library(library.name, library.bytes, library.dl_openable)
            .map_err(wit_component_error)?;
    }
    let adapters = opts
        .adapters
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()));
    let bundled = bundled_adapter.map(|(kind, _)| (PREVIEW1, kind.adapter()));
    for (name, bytes) in adapters.chain(bundled) {
        linker
            .encoder()
            .adapter(name, bytes)
            .map_err(wit_component_error)?;
    }
    let component = linker.encode().map_err(|error| {
        invalid_input(libraries, &opts.adapters).unwrap_or_else(|| wit_component_error(error))
    })?;
    Ok(Linked {
        component,
        bundled_adapter,
        with_world,
        warnings,
    })
}

/// The bundled Preview 1 adapter to link, if a library needs one and none was given.
fn bundled_adapter(
    facts: &[ModuleFacts],
    opts: &LinkOptions,
) -> Result<Option<(AdapterKind, &'static str)>, LinkError> {
    let given = opts.adapters.iter().any(|(name, _)| name == PREVIEW1);
    if given || facts.iter().all(|f| f.preview1_imports.is_empty()) {
        return Ok(None);
    }
    let (kind, reason) = if facts.iter().any(|f| f.exports.contains("_start")) {
        (AdapterKind::Command, "a library exports `_start`")
    } else {
        (AdapterKind::Reactor, "no library exports `_start`")
    };
    let provided = crate::adapt::exports_of(kind.adapter());
    let missing: BTreeSet<String> = facts
        .iter()
        .flat_map(|f| &f.preview1_imports)
        .filter(|name| !provided.contains(*name))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(LinkError::MissingPreview1Imports {
            kind,
            missing: missing.into_iter().collect(),
        });
    }
    Ok(Some((kind, reason)))
}

/// wit-component's error: its unresolved-symbol list made typed, anything else kept with
/// its causes.
fn wit_component_error(error: anyhow::Error) -> LinkError {
    match parse_unresolved(&error.to_string()) {
        Some(symbols) => LinkError::UnresolvedSymbols { symbols },
        None => LinkError::Link(error.into()),
    }
}

/// Reads wit-component's "unresolved symbol(s):" message: one `\tIMPORTER needs NAME (TYPE)`
/// line per symbol, TYPE being `function [..] -> [..]`, `global ..` or `tag ..`.
fn parse_unresolved(message: &str) -> Option<Vec<UnresolvedSymbol>> {
    let list = message.strip_prefix("unresolved symbol(s):\n")?;
    let symbols: Option<Vec<UnresolvedSymbol>> = list
        .lines()
        .map(|line| {
            let (needed_by, rest) = line.trim_start_matches('\t').split_once(" needs ")?;
            let rest = rest.strip_suffix(')')?;
            [
                (" (function ", SymbolKind::Function),
                (" (global ", SymbolKind::Global),
                (" (tag ", SymbolKind::Tag),
            ]
            .into_iter()
            .find_map(|(marker, kind)| {
                let at = rest.rfind(marker)?;
                Some(UnresolvedSymbol {
                    needed_by: needed_by.to_string(),
                    symbol: rest[..at].to_string(),
                    kind,
                    ty: rest[at + marker.len()..].to_string(),
                })
            })
        })
        .collect();
    symbols.filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wit_components_unresolved_list() {
        let parsed = parse_unresolved(
            "unresolved symbol(s):\n\tlibmain.so needs greeting (function [] -> [I32])\n\
             \tlibmain.so needs counter (global mut I32)",
        )
        .unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].symbol, "greeting");
        assert_eq!(parsed[0].kind, SymbolKind::Function);
        assert_eq!(parsed[0].ty, "[] -> [I32]");
        assert_eq!(parsed[1].kind, SymbolKind::Global);
        assert_eq!(parsed[1].ty, "mut I32");
        assert!(parse_unresolved("missing libraries:\n\ta needs b").is_none());
    }

    #[test]
    fn a_plain_module_is_not_a_library() {
        let module = wat::parse_str("(module (func (export \"f\")))").unwrap();
        let error = link(
            &[Library {
                name: "plain.wasm",
                bytes: &module,
                dl_openable: false,
            }],
            &LinkOptions::default(),
        )
        .unwrap_err();
        assert!(
            matches!(error, LinkError::NotASharedLibrary { .. }),
            "{error}"
        );
    }
}
