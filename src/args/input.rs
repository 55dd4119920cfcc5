//! Reading a wasm input named on the command line.

use miette::Result;
use std::path::Path;

/// Reads `path` (or stdin for `-`) and returns its wasm binary, assembling WAT text if needed.
/// Errors name the file.
pub fn read_wasm(path: &Path) -> Result<wct_io::Bytes> {
    wasm_of(wct_io::read_input(path).map_err(miette::Report::new)?, path)
}

/// [`read_wasm`] for a caller that keeps the bytes: read into memory, never mapped.
pub fn read_wasm_owned(path: &Path) -> Result<Vec<u8>> {
    wasm_of(
        wct_io::read_input_owned(path).map_err(miette::Report::new)?,
        path,
    )
    .map(wct_io::Bytes::into_vec)
}

fn wasm_of(input: wct_io::Input, path: &Path) -> Result<wct_io::Bytes> {
    let name = input.display_name();
    let wasm = wct_component::kind::into_binary(input.bytes, path)
        .map_err(|e| crate::report::about(&name, e))?;
    if wct_component::detect(&wasm) == wct_component::WasmKind::BadBinary {
        miette::bail!(
            "{name}: truncated or unknown wasm header (expected version 1 module or component layer 1)"
        );
    }
    Ok(wasm)
}
