//! Embedding a world's type information into a core module as a `component-type` custom
//! section, optionally generating a dummy module that implements the world with trapping
//! bodies.

use crate::kind::{detect, WasmKind};
use wit_component::StringEncoding;
use wit_parser::{ManglingAndAbi, Resolve, WorldId};

/// Errors from embedding.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EmbedError {
    /// The input is not a core module.
    #[error("expected a core wasm module, found {0}")]
    NotACoreModule(&'static str),
    /// The module is not valid.
    #[error("invalid module: {0}")]
    Invalid(crate::validate::ValidationError),
    /// wit-component refused the world.
    #[error("cannot embed the world")]
    Encode(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Returns `module` (or, when `None`, a dummy module for the world) with the world's
/// `component-type` metadata appended.
pub fn embed(
    module: Option<&[u8]>,
    resolve: &Resolve,
    world: WorldId,
    encoding: StringEncoding,
) -> Result<Vec<u8>, EmbedError> {
    let mut bytes = match module {
        Some(bytes) => {
            match detect(bytes) {
                WasmKind::CoreModule => {}
                WasmKind::Component => return Err(EmbedError::NotACoreModule("a component")),
                _ => return Err(EmbedError::NotACoreModule("something that is not wasm")),
            }
            crate::validate(bytes, wasmparser::WasmFeatures::all()).map_err(EmbedError::Invalid)?;
            bytes.to_vec()
        }
        None => wit_component::dummy_module(resolve, world, ManglingAndAbi::Standard32),
    };
    wit_component::embed_component_metadata(&mut bytes, resolve, world, encoding, false)
        .map_err(|e| EmbedError::Encode(e.into()))?;
    Ok(bytes)
}
