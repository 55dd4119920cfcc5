//! Writing results: text and JSON on stdout (a closed pipe ends the program quietly), binary
//! outputs through `wct-io`'s atomic writer, and refusal to dump binary onto a terminal.

use miette::{IntoDiagnostic, Result};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Writes `text` to stdout. When the reader has gone away (`wct ... | head`), exits quietly.
pub fn stdout(text: &str) -> Result<()> {
    raw_stdout(text.as_bytes())
}

fn raw_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => other.into_diagnostic(),
    }
}

/// Prints `value` as pretty JSON on stdout, followed by a newline.
pub fn json<T: serde::Serialize>(value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).into_diagnostic()?;
    text.push('\n');
    stdout(&text)
}

/// Writes a wasm result as [`write`](fn@write) does, or as WAT text when `wat` (`-t/--wat`).
pub fn write_wasm(dest: Option<&PathBuf>, wasm: &[u8], wat: bool, inputs: &[&Path]) -> Result<()> {
    if wat {
        let text = wct_component::text::print(wasm, false)
            .map_err(|e| miette::miette!("cannot print the result as WAT: {e:#}"))?;
        write(dest, text.as_bytes(), false, inputs)
    } else {
        write(dest, wasm, true, inputs)
    }
}

/// Writes a result to `-o` (or stdout when absent or `-`), atomically, never over an input.
/// Binary data is not written to a terminal.
pub fn write(dest: Option<&PathBuf>, bytes: &[u8], binary: bool, inputs: &[&Path]) -> Result<()> {
    match dest {
        Some(path) if path != Path::new(wct_io::STDIO) => {
            wct_io::write_output(path, bytes, inputs).map_err(|e| miette::miette!("{e}"))
        }
        _ => {
            if binary && io::stdout().is_terminal() {
                miette::bail!(
                    help = "pass `-o FILE` to write a file, or `-t`/`--wat` for text",
                    "refusing to write a binary to the terminal"
                );
            }
            raw_stdout(bytes)
        }
    }
}
