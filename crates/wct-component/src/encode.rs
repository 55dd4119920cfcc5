//! Turning a core module that carries `component-type` metadata into a component
//! (`wct new`), with optional adapters for imports such as `wasi_snapshot_preview1`.

use crate::kind::{detect, WasmKind};

/// Errors from building a component.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EncodeError {
    /// The input is already a component.
    #[error("the input is already a component (nothing to do)")]
    AlreadyAComponent,
    /// The input is not a core module.
    #[error("expected a core wasm module")]
    NotACoreModule,
    /// The module (or an adapter) is not valid.
    #[error("invalid module: {0}")]
    Invalid(crate::validate::ValidationError),
    /// The module is a WASI Preview 1 program and no adapter for its imports was given.
    #[error("a WASI Preview 1 program (it imports `wasi_snapshot_preview1`): make it a component with `wct adapt`, which bundles the Preview 1 adapter")]
    PreviewOneProgram,
    /// The module has no metadata saying which world it implements.
    #[error("the module has no `component-type` metadata saying which world it implements")]
    NoMetadata,
    /// The inputs are valid but the component made of them is not (a wit-component bug).
    #[error("the component made of the module does not validate: {0}")]
    InvalidResult(crate::validate::ValidationError),
    /// wit-component could not build the component.
    #[error("cannot make a component of the module")]
    Encode(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// wit-component's reason, its chain of causes kept.
fn encode_error(source: anyhow::Error) -> EncodeError {
    EncodeError::Encode(source.into())
}

/// Options for [`new_component`].
#[derive(Debug, Clone, Default)]
pub struct NewOptions {
    /// Adapters as (import module name, adapter module bytes).
    pub adapters: Vec<(String, Vec<u8>)>,
    /// Skip validating the result.
    pub skip_validation: bool,
}

/// True when the module has a `component-type*` custom section.
pub fn has_component_type(module: &[u8]) -> bool {
    wasmparser::Parser::new(0)
        .parse_all(module)
        .filter_map(Result::ok)
        .any(|p| matches!(p, wasmparser::Payload::CustomSection(c) if c.name().starts_with("component-type")))
}

/// Builds a component from a core module with embedded metadata.
///
/// Function bodies are validated once: in the result, which holds the module's and what is
/// used of each adapter, in parallel. Only when something fails are the inputs validated on
/// their own, so that an invalid input is reported at its own offsets and function names
/// rather than the result's. With `skip_validation` the inputs are validated instead of the
/// result.
pub fn new_component(module: &[u8], opts: &NewOptions) -> Result<Vec<u8>, EncodeError> {
    match detect(module) {
        WasmKind::CoreModule => {}
        WasmKind::Component => return Err(EncodeError::AlreadyAComponent),
        _ => return Err(EncodeError::NotACoreModule),
    }
    let preview1_adapter = opts
        .adapters
        .iter()
        .any(|(name, _)| name == PREVIEW1_MODULE);
    if !preview1_adapter && import_modules(module).any(|m| m == PREVIEW1_MODULE) {
        return Err(validate_inputs(module, opts)
            .err()
            .unwrap_or(EncodeError::PreviewOneProgram));
    }
    if lacks_world(module, &opts.adapters) {
        return Err(validate_inputs(module, opts)
            .err()
            .unwrap_or(EncodeError::NoMetadata));
    }
    if opts.skip_validation {
        validate_inputs(module, opts)?;
    }
    let mut encoder = wit_component::ComponentEncoder::default();
    encoder.validate(false);
    let encoded = encoder.module(module).and_then(|encoder| {
        for (name, bytes) in &opts.adapters {
            encoder.adapter(name, bytes)?;
        }
        encoder.encode()
    });
    let component = match encoded {
        Ok(component) => component,
        Err(e) => {
            validate_inputs(module, opts)?;
            return Err(encode_error(e));
        }
    };
    if !opts.skip_validation {
        if let Err(invalid) = crate::validate(&component, wasmparser::WasmFeatures::all()) {
            validate_inputs(module, opts)?;
            return Err(EncodeError::InvalidResult(invalid));
        }
    }
    Ok(component)
}

/// Validates the module and the adapters on their own (an adapter's errors name it).
fn validate_inputs(module: &[u8], opts: &NewOptions) -> Result<(), EncodeError> {
    crate::validate(module, wasmparser::WasmFeatures::all()).map_err(EncodeError::Invalid)?;
    for (name, bytes) in &opts.adapters {
        crate::validate(bytes, wasmparser::WasmFeatures::all()).map_err(|e| {
            EncodeError::Invalid(crate::validate::ValidationError {
                message: format!("adapter `{name}`: {}", e.message),
                ..e
            })
        })?;
    }
    Ok(())
}

/// The import module of WASI Preview 1 programs.
const PREVIEW1_MODULE: &str = "wasi_snapshot_preview1";

/// The module names `module` imports from.
fn import_modules(module: &[u8]) -> impl Iterator<Item = &str> {
    wasmparser::Parser::new(0)
        .parse_all(module)
        .flatten()
        .filter_map(|payload| match payload {
            wasmparser::Payload::ImportSection(imports) => Some(imports),
            _ => None,
        })
        .flat_map(|imports| imports.into_imports().flatten().map(|i| i.module))
}

/// True when `module` has no `component-type` metadata yet imports from a module no adapter
/// provides: nothing says what those imports are, and wit-component's own error ("module
/// requires an import interface named `env`") does not say why.
fn lacks_world(module: &[u8], adapters: &[(String, Vec<u8>)]) -> bool {
    let mut has_metadata = false;
    let mut foreign_import = false;
    for payload in wasmparser::Parser::new(0).parse_all(module).flatten() {
        match payload {
            wasmparser::Payload::CustomSection(c) if c.name().starts_with("component-type") => {
                has_metadata = true;
            }
            wasmparser::Payload::ImportSection(imports) => {
                for import in imports.into_imports().flatten() {
                    // Preview 1 imports are an adapter's business (wit-component names it).
                    let preview1 = import.module == "wasi_snapshot_preview1";
                    if !preview1 && !adapters.iter().any(|(name, _)| name == import.module) {
                        foreign_import = true;
                    }
                }
            }
            _ => {}
        }
    }
    foreign_import && !has_metadata
}
