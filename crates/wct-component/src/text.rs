//! Binary <-> text: printing wasm as WAT (optionally as a skeleton without function bodies)
//! and assembling WAT into a binary.

use std::path::Path;

/// A binary that wasmprinter cannot print (or WIT that cannot be printed), with the cause.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot print it as text")]
pub struct PrintError {
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl PrintError {
    /// The error for the printer's `source`.
    pub(crate) fn new(source: anyhow::Error) -> PrintError {
        PrintError {
            source: source.into(),
        }
    }
}

/// Prints a binary module or component as WAT. With `skeleton`, function bodies and data
/// segments are elided, which keeps the output of large binaries readable.
pub fn print(wasm: &[u8], skeleton: bool) -> Result<String, PrintError> {
    let mut config = wasmprinter::Config::new();
    config.print_skeleton(skeleton);
    let mut out = String::new();
    config
        .print(wasm, &mut wasmprinter::PrintFmtWrite(&mut out))
        .map_err(PrintError::new)?;
    Ok(out)
}

/// [`print()`] straight into `out`, as the text is produced: the memory used does not grow with
/// the size of the text (a large component prints to hundreds of megabytes). Errors of the
/// binary and of `out` are both returned as I/O errors; an error of `out` keeps its kind.
pub fn print_to(wasm: &[u8], skeleton: bool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut config = wasmprinter::Config::new();
    config.print_skeleton(skeleton);
    config
        .print(wasm, &mut wasmprinter::PrintIoWrite(out))
        .map_err(|e| match e.downcast::<std::io::Error>() {
            Ok(io) => io,
            Err(other) => {
                std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{other:#}"))
            }
        })
}

/// Assembles WAT text into a binary; syntax errors name `path` with line and column.
pub fn parse(text: &[u8], path: &Path) -> Result<Vec<u8>, crate::kind::NotWasm> {
    if text.starts_with(crate::kind::MAGIC) {
        return Err(crate::kind::NotWasm::AlreadyBinary);
    }
    let text = std::str::from_utf8(text).map_err(crate::kind::NotWasm::NotUtf8)?;
    wat::parse_str(text).map_err(|mut e| {
        e.set_path(path);
        crate::kind::NotWasm::InvalidWatText(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let wasm = parse(
            b"(module (func (export \"f\") (result i32) i32.const 7))",
            Path::new("t.wat"),
        )
        .unwrap();
        let text = print(&wasm, false).unwrap();
        assert!(text.contains("i32.const 7"), "{text}");
        let skeleton = print(&wasm, true).unwrap();
        assert!(!skeleton.contains("i32.const 7"), "{skeleton}");
        assert_eq!(parse(text.as_bytes(), Path::new("t.wat")).unwrap(), wasm);
    }
}
