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

/// Prints `value` as pretty JSON with the keys of every object sorted: the form the reports of
/// compose, diff, semver-check, targets and `wit worlds` have always had (they were built as
/// `serde_json::Value`s, whose maps are sorted).
pub fn json_sorted<T: serde::Serialize>(value: &T) -> Result<()> {
    json(&serde_json::to_value(value).into_diagnostic()?)
}

/// `-o/--output` and `-t/--wat`, shared by every command that writes wasm.
#[derive(clap::Args)]
pub struct WasmOutputArgs {
    /// Where to write the result (atomically, never over an input); `-` for stdout, which
    /// must not be a terminal for binary output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write WAT text instead of the binary (as `wasm-tools -t`).
    #[arg(short = 't', long)]
    pub wat: bool,
}

impl WasmOutputArgs {
    /// Writes `wasm` as [`write`](fn@write) does, or as WAT text with `--wat`.
    pub fn write(&self, wasm: &[u8], inputs: &[&Path]) -> Result<()> {
        self.write_pieces(&[wasm], inputs)
    }

    /// [`Self::write`] for a binary made of `pieces` one after the other, written piece by
    /// piece (joined only for `--wat`).
    pub fn write_pieces(&self, pieces: &[&[u8]], inputs: &[&Path]) -> Result<()> {
        if self.wat {
            let text = wct_component::text::print(&pieces.concat(), false)
                .map_err(|e| crate::report::about("cannot print the result as WAT", e))?;
            return write(self.output.as_ref(), text.as_bytes(), false, inputs);
        }
        let to_file = self
            .output
            .as_ref()
            .is_some_and(|path| path != Path::new(wct_io::STDIO));
        if !to_file {
            refuse_a_terminal()?;
        }
        stream(self.output.as_ref(), inputs, &mut |out| {
            pieces.iter().try_for_each(|piece| out.write_all(piece))
        })
    }
}

/// [`write`] for text that `fill` produces piece by piece: streamed to stdout or into the
/// temporary file that becomes `-o` (never held whole in memory). A closed stdout pipe ends
/// the program quietly.
pub fn stream(
    dest: Option<&PathBuf>,
    inputs: &[&Path],
    fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let dest = dest.map_or(Path::new(wct_io::STDIO), PathBuf::as_path);
    match wct_io::stream_output(dest, inputs, fill) {
        Err(wct_io::IoError::Write { source, .. })
            if dest == Path::new(wct_io::STDIO) && source.kind() == io::ErrorKind::BrokenPipe =>
        {
            std::process::exit(0)
        }
        other => other.map_err(miette::Report::new),
    }
}

/// Writes a result to `-o` (or stdout when absent or `-`), atomically, never over an input.
/// Binary data is not written to a terminal.
pub fn write(dest: Option<&PathBuf>, bytes: &[u8], binary: bool, inputs: &[&Path]) -> Result<()> {
    match dest {
        Some(path) if path != Path::new(wct_io::STDIO) => {
            wct_io::write_output(path, bytes, inputs).map_err(miette::Report::new)
        }
        _ => {
            if binary {
                refuse_a_terminal()?;
            }
            raw_stdout(bytes)
        }
    }
}

/// Binary output is not written to a terminal.
fn refuse_a_terminal() -> Result<()> {
    if io::stdout().is_terminal() {
        miette::bail!(
            help = "pass `-o FILE` to write a file, or `-t`/`--wat` for text",
            "refusing to write a binary to the terminal"
        );
    }
    Ok(())
}
