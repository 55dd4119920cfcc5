//! Detects what an input is from its content (never from its file name) and turns WAT text
//! into binary so the rest of the crate only sees binaries.

use serde::Serialize;
use std::path::Path;

/// What an input buffer holds, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WasmKind {
    /// A binary core wasm module (`\0asm`, layer 0).
    CoreModule,
    /// A binary component (`\0asm`, layer 1). WIT packages encoded as wasm are components too.
    Component,
    /// Something that starts like wasm but whose header is truncated or unknown.
    BadBinary,
    /// Not a wasm binary; treated as WAT text.
    Text,
}

impl std::fmt::Display for WasmKind {
    /// `module`, `component`, `bad binary` or `text`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WasmKind::CoreModule => "module",
            WasmKind::Component => "component",
            WasmKind::BadBinary => "bad binary",
            WasmKind::Text => "text",
        })
    }
}

/// The wasm magic number.
pub const MAGIC: &[u8; 4] = b"\0asm";

/// Classifies `bytes` by their header.
pub fn detect(bytes: &[u8]) -> WasmKind {
    if !bytes.starts_with(MAGIC) {
        return WasmKind::Text;
    }
    match bytes.get(4..8) {
        Some([1, 0, 0, 0]) => WasmKind::CoreModule,
        Some([_, _, 1, 0]) => WasmKind::Component,
        _ => WasmKind::BadBinary,
    }
}

/// Error for input that is neither a wasm binary nor valid WAT (or, for [`crate::text::parse`],
/// not WAT).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum NotWasm {
    /// Nothing was read.
    #[error("empty input: expected a wasm binary or WAT text")]
    Empty,
    /// Neither the wasm magic number nor UTF-8 text.
    #[error(
        "not a wasm binary (no `\\0asm` magic number; first bytes {first_bytes}) and not UTF-8 \
         WAT text"
    )]
    Unrecognized {
        /// The first bytes in hex (`7f 45 4c 46`).
        first_bytes: String,
    },
    /// A `.wac` composition document.
    #[error(
        "a WAC document, not a module or component: compose it into one first (`wct compose \
         {} --dep PKG=PATH... -o OUT.wasm`)",
        path.display()
    )]
    WacDocument {
        /// The document.
        path: std::path::PathBuf,
    },
    /// Text that does not parse as WAT; the cause says where (`--> file:line:col`).
    #[error("not a wasm binary, and not valid WAT text")]
    InvalidWat(#[source] wat::Error),
    /// WAT was expected ([`crate::text::parse`]) and the text does not parse; the cause says
    /// where.
    #[error("invalid WAT")]
    InvalidWatText(#[source] wat::Error),
    /// WAT was expected and a binary was given.
    #[error("input is already a wasm binary, expected WAT text")]
    AlreadyBinary,
    /// WAT was expected and the bytes are not UTF-8.
    #[error("invalid WAT: not UTF-8 text")]
    NotUtf8(#[source] std::str::Utf8Error),
}

/// [`to_binary`] for bytes the caller owns: a wasm binary is returned as it is, without a
/// copy (an 18 MB component is not duplicated on its way in).
pub fn into_binary(bytes: wct_io::Bytes, path: &Path) -> Result<wct_io::Bytes, NotWasm> {
    if bytes.starts_with(MAGIC) {
        return Ok(bytes);
    }
    to_binary(&bytes, path).map(wct_io::Bytes::Owned)
}

/// Returns the wasm binary for `bytes`: binaries are returned as they are, anything else is
/// parsed as WAT (with `path` used for the location in syntax errors).
pub fn to_binary(bytes: &[u8], path: &Path) -> Result<Vec<u8>, NotWasm> {
    if bytes.starts_with(MAGIC) {
        return Ok(bytes.to_vec());
    }
    if bytes.is_empty() {
        return Err(NotWasm::Empty);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| NotWasm::Unrecognized {
        first_bytes: hex_prefix(bytes),
    })?;
    if path.extension().is_some_and(|e| e == "wac") {
        return Err(NotWasm::WacDocument {
            path: path.to_path_buf(),
        });
    }
    wat::parse_str(text).map_err(|mut e| {
        e.set_path(path);
        NotWasm::InvalidWat(e)
    })
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_header() {
        assert_eq!(detect(b"\0asm\x01\0\0\0"), WasmKind::CoreModule);
        assert_eq!(detect(b"\0asm\x0d\0\x01\0"), WasmKind::Component);
        assert_eq!(detect(b"\0asm\x01"), WasmKind::BadBinary);
        assert_eq!(detect(b"(module)"), WasmKind::Text);
    }

    #[test]
    fn wat_errors_name_the_file() {
        let err = to_binary(b"(module (func (result i32)))x", Path::new("bad.wat")).unwrap_err();
        let text = wct_io::error_text(&err);
        assert!(text.contains("bad.wat"), "{text}");
        let err = to_binary(&[0xff, 0xfe, 0x00], Path::new("x")).unwrap_err();
        assert!(err.to_string().contains("ff fe 00"), "{err}");
    }
}
