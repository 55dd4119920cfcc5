//! WASI Preview 1 modules into Preview 2 components with the adapter bundled in `wct`
//! (from `wasi-preview1-component-adapter-provider`).
//!
//! Chooses command vs reactor from the module (a `_start` export means command), checks that
//! every Preview 1 function the module imports exists in the adapter (naming the ones that do
//! not), and warns about the `cabi_realloc` hazard described on [`REALLOC_HAZARD`].

use crate::encode::{new_component, EncodeError, NewOptions};
use crate::kind::{detect, WasmKind};
use serde::Serialize;
use std::collections::BTreeSet;
use wasi_preview1_component_adapter_provider as provider;
use wasmparser::{Parser, Payload};

/// The import module name Preview 1 programs use.
pub const PREVIEW1: &str = provider::WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME;

/// Which bundled adapter to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdapterKind {
    /// For programs with `_start`: the component exports `wasi:cli/run`.
    Command,
    /// For libraries: the component exports what the module exports.
    Reactor,
    /// For `wasi:http/proxy` components: only the proxy world's imports.
    Proxy,
}

impl AdapterKind {
    /// The adapter module's bytes.
    pub fn adapter(self) -> &'static [u8] {
        match self {
            AdapterKind::Command => provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
            AdapterKind::Reactor => provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
            AdapterKind::Proxy => provider::WASI_SNAPSHOT_PREVIEW1_PROXY_ADAPTER,
        }
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            AdapterKind::Command => "command",
            AdapterKind::Reactor => "reactor",
            AdapterKind::Proxy => "proxy",
        }
    }
}

/// The warning given for modules that export no `cabi_realloc`.
pub const REALLOC_HAZARD: &str = "the module exports no `cabi_realloc`, so the adapter takes \
its state page with `memory.grow`; allocators that claim all memory up to `memory.size` at \
start-up (Debian's 2022 wasi-libc linked by lld 14, for one) overwrite that page, and the \
program then dies at its first WASI call after the heap grows. Fix: export `cabi_realloc` \
from the module, or link against a newer wasi-libc";

/// Errors from adapting.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AdaptError {
    /// Already a component.
    #[error("the input is already a component, not a WASI Preview 1 core module")]
    AlreadyAComponent,
    /// Not a core module.
    #[error("expected a WASI Preview 1 core module")]
    NotACoreModule,
    /// Imports the adapter does not provide.
    #[error("the {} adapter does not provide {}: {}", kind.name(), if missing.len() == 1 { "this Preview 1 import" } else { "these Preview 1 imports" }, missing.iter().map(|m| format!("`{PREVIEW1}::{m}`")).collect::<Vec<_>>().join(", "))]
    MissingImports {
        /// The adapter kind used.
        kind: AdapterKind,
        /// The function names missing from the adapter.
        missing: Vec<String>,
    },
    /// The module could not be parsed.
    #[error("malformed module: {0}")]
    Parse(#[from] wasmparser::BinaryReaderError),
    /// The encoder failed.
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// The result of [`adapt`].
#[derive(Debug, Clone)]
pub struct Adapted {
    /// The component.
    pub component: Vec<u8>,
    /// The adapter used.
    pub kind: AdapterKind,
    /// Why that adapter was chosen.
    pub reason: &'static str,
    /// Hazards worth telling the user about.
    pub warnings: Vec<String>,
}

/// What adapting (and linking, [`crate::link`]) needs to know about a module.
pub(crate) struct ModuleFacts {
    pub(crate) preview1_imports: Vec<String>,
    pub(crate) exports: BTreeSet<String>,
    /// Exported functions named as plain core functions (`add`), not as the ABI or a world
    /// names them (`_start`, `cabi_realloc`, `iface#f`).
    pub(crate) plain_functions: Vec<String>,
    /// Whether it carries a `component-type` section (a world embedded by `wct embed`).
    pub(crate) has_world: bool,
    /// Whether it has a `dylink.0` section (a shared library).
    pub(crate) shared: bool,
    /// The libraries its `dylink.0` section says it needs.
    pub(crate) needed: Vec<String>,
}

/// Whether `name` is a core function export that only a world could make a component
/// export: not an ABI name (`_start`, `_initialize`, `cabi_*`) nor a world's
/// (`wasi:cli/run@0.2.0#run`, `[async-lift]...`).
fn is_plain_function(name: &str) -> bool {
    !name.starts_with('_') && !name.starts_with("cabi_") && !name.contains(['#', ':', '['])
}

pub(crate) fn module_facts(module: &[u8]) -> Result<ModuleFacts, wasmparser::BinaryReaderError> {
    let mut facts = ModuleFacts {
        preview1_imports: Vec::new(),
        exports: BTreeSet::new(),
        plain_functions: Vec::new(),
        has_world: false,
        shared: false,
        needed: Vec::new(),
    };
    for payload in Parser::new(0).parse_all(module) {
        match payload? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    if import.module == PREVIEW1 {
                        facts.preview1_imports.push(import.name.to_string());
                    }
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    if export.kind == wasmparser::ExternalKind::Func
                        && is_plain_function(export.name)
                    {
                        facts.plain_functions.push(export.name.to_string());
                    }
                    facts.exports.insert(export.name.to_string());
                }
            }
            Payload::CustomSection(section) => match section.as_known() {
                wasmparser::KnownCustom::Dylink0(reader) => {
                    facts.shared = true;
                    for subsection in reader {
                        if let wasmparser::Dylink0Subsection::Needed(names) = subsection? {
                            facts.needed.extend(names.into_iter().map(String::from));
                        }
                    }
                }
                _ if section.name().starts_with("component-type") => facts.has_world = true,
                _ => {}
            },
            _ => {}
        }
    }
    Ok(facts)
}

/// The names `module` exports (empty when it does not parse).
pub(crate) fn exports_of(module: &[u8]) -> BTreeSet<String> {
    module_facts(module).map(|f| f.exports).unwrap_or_default()
}

/// [`adapt`] for several modules at once, in parallel, each result handed to `then` (with
/// the module's index) on the thread that adapted it, so that what follows (writing the
/// component) overlaps the adapting of the others; what `then` returns, in the modules' order.
pub fn adapt_all<R: Send>(
    modules: &[&[u8]],
    kind: Option<AdapterKind>,
    then: impl Fn(usize, Result<Adapted, AdaptError>) -> R + Sync,
) -> Vec<R> {
    use rayon::prelude::*;
    modules
        .par_iter()
        .enumerate()
        .map(|(index, module)| then(index, adapt(module, kind)))
        .collect()
}

/// Adapts a Preview 1 module; `kind` overrides the automatic choice.
pub fn adapt(module: &[u8], kind: Option<AdapterKind>) -> Result<Adapted, AdaptError> {
    match detect(module) {
        WasmKind::CoreModule => {}
        WasmKind::Component => return Err(AdaptError::AlreadyAComponent),
        _ => return Err(AdaptError::NotACoreModule),
    }
    let facts = module_facts(module)?;
    let (kind, reason) = match kind {
        Some(kind) => (kind, "as requested"),
        None if facts.exports.contains("_start") => {
            (AdapterKind::Command, "the module exports `_start`")
        }
        None => (AdapterKind::Reactor, "the module exports no `_start`"),
    };
    let adapter = kind.adapter();
    let provided = module_facts(adapter)?.exports;
    let missing: Vec<String> = facts
        .preview1_imports
        .iter()
        .filter(|name| !provided.contains(*name))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(AdaptError::MissingImports { kind, missing });
    }
    let mut warnings = Vec::new();
    if !facts.preview1_imports.is_empty() && !facts.exports.contains("cabi_realloc") {
        warnings.push(REALLOC_HAZARD.to_string());
    }
    if !facts.has_world && !facts.plain_functions.is_empty() {
        warnings.push(format!(
            "the component does not export the module's function(s) {}: a core export becomes \
             a component export only through a WIT world. Describe them in WIT, embed the world \
             (`wct embed WIT --world WORLD module.wasm -o embedded.wasm`), then adapt that",
            facts.plain_functions.join(", ")
        ));
    }
    let component = new_component(
        module,
        &NewOptions {
            adapters: vec![(PREVIEW1.to_string(), adapter.to_vec())],
            skip_validation: false,
        },
    )?;
    Ok(Adapted {
        component,
        kind,
        reason,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(text: &str) -> Vec<u8> {
        wat::parse_str(text).unwrap()
    }

    #[test]
    fn an_import_the_adapter_lacks_is_named() {
        let m = module(
            r#"(module
                (import "wasi_snapshot_preview1" "no_such_call" (func))
                (memory (export "memory") 1)
                (func (export "_start")))"#,
        );
        let err = adapt(&m, None).unwrap_err();
        assert!(matches!(
            err,
            AdaptError::MissingImports {
                kind: AdapterKind::Command,
                ..
            }
        ));
        assert_eq!(
            err.to_string(),
            "the command adapter does not provide this Preview 1 import: \
             `wasi_snapshot_preview1::no_such_call`"
        );
    }

    #[test]
    fn start_export_means_command() {
        let m = module(
            r#"(module
                (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
                (memory (export "memory") 1)
                (func (export "_start")))"#,
        );
        let adapted = adapt(&m, None).unwrap();
        assert_eq!(adapted.kind, AdapterKind::Command);
        assert_eq!(adapted.warnings.len(), 1, "no cabi_realloc: hazard warned");
        assert_eq!(detect(&adapted.component), WasmKind::Component);
    }

    #[test]
    fn plain_exports_without_a_world_are_warned_about() {
        let m = module(
            r#"(module
                (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
                (memory (export "memory") 1)
                (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)
                (func (export "_initialize"))
                (func (export "add") (param i32 i32) (result i32) local.get 0)
                (func (export "fib") (param i32) (result i32) local.get 0))"#,
        );
        let adapted = adapt(&m, None).unwrap();
        assert_eq!(adapted.kind, AdapterKind::Reactor);
        assert_eq!(adapted.warnings.len(), 1, "{:?}", adapted.warnings);
        assert!(
            adapted.warnings[0].contains("add, fib"),
            "{:?}",
            adapted.warnings
        );
        assert!(
            adapted.warnings[0].contains("wct embed"),
            "{:?}",
            adapted.warnings
        );
    }

    #[test]
    fn unknown_preview1_import_is_named() {
        let m = module(
            r#"(module
                (import "wasi_snapshot_preview1" "no_such_call" (func))
                (memory (export "memory") 1)
                (func (export "_start")))"#,
        );
        let err = adapt(&m, None).unwrap_err().to_string();
        assert!(
            err.contains("`wasi_snapshot_preview1::no_such_call`"),
            "{err}"
        );
    }

    #[test]
    fn components_are_refused() {
        let c = wat::parse_str("(component)").unwrap();
        assert!(matches!(
            adapt(&c, None),
            Err(AdaptError::AlreadyAComponent)
        ));
    }
}
