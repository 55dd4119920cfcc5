//! Rewriting the custom sections of a module or component, and of every module and
//! component nested in it, with every other byte copied as it is (`wct strip`, `wct
//! demangle`). A nested module or component whose sections change is re-framed with its new
//! size; each one is named as `wct size` names it, for reports.

use crate::size::{analyze_names, Item, ItemKind};
use wasm_encoder::Encode;
use wasmparser::{CustomSectionReader, Parser, Payload};

/// What becomes of one custom section.
pub(crate) enum Action {
    /// Copied unchanged.
    Keep,
    /// Left out.
    Remove,
    /// Replaced by these contents (name and data, without the id and size).
    Replace(Vec<u8>),
}

/// Where a custom section is: the module or component it is in, and whether that is a core
/// module.
pub(crate) struct Place<'a> {
    /// The module or component, as `wct size` names it (`component / module main`).
    pub(crate) path: &'a str,
    /// Whether it sits in a core module (not in a component).
    pub(crate) in_module: bool,
}

/// Why a file could not be rewritten.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RewriteError {
    /// It does not parse as wasm.
    #[error("not a valid module or component")]
    Parse(#[from] wasmparser::BinaryReaderError),
    /// A `name` section that cannot be rewritten.
    #[error("the name section at offset {offset} cannot be rewritten: {message}")]
    Names {
        /// Where its contents start.
        offset: u64,
        /// Why.
        message: String,
    },
    /// A section runs past the end of the file.
    #[error("truncated: a section at offset {offset} runs past the end of the file")]
    Truncated {
        /// Where the section starts.
        offset: u64,
    },
}

/// `wasm` with each custom section, at every depth, decided by `decide`.
pub(crate) fn rewrite(
    wasm: &[u8],
    decide: &mut dyn FnMut(&Place<'_>, &CustomSectionReader<'_>) -> Action,
) -> Result<Vec<u8>, RewriteError> {
    let report = analyze_names(wasm);
    // One buffer for the whole output: nested modules are written into it where they go.
    let mut out = Vec::with_capacity(wasm.len());
    rewrite_one(wasm, 0, &report.root, &report.root.name, decide, &mut out)?;
    Ok(out)
}

/// Bytes taken by a section whose contents are `len` bytes: its id, its size, its contents.
pub(crate) fn framed_len(len: u64) -> u64 {
    let mut value = len;
    let mut leb = 1;
    while value >= 0x80 {
        value >>= 7;
        leb += 1;
    }
    1 + leb + len
}

/// The bytes of `range` (offsets in the file) in `bytes`, which start at `base`.
fn slice(bytes: &[u8], base: u64, range: std::ops::Range<u64>) -> Result<&[u8], RewriteError> {
    let truncated = || RewriteError::Truncated {
        offset: range.start,
    };
    let start = range.start.checked_sub(base).ok_or_else(truncated)?;
    let end = range.end.checked_sub(base).ok_or_else(truncated)?;
    bytes
        .get(start as usize..end as usize)
        .ok_or_else(truncated)
}

/// Appends a section: `id`, the size of `contents`, `contents`.
fn push_section(out: &mut Vec<u8>, id: u8, contents: &[u8]) {
    out.push(id);
    contents.len().encode(out);
    out.extend_from_slice(contents);
}

/// Rewrites one module or component, `bytes`, which sits at `base` in the file and which
/// `item` (`wct size`'s) describes and `path` names, appending it to `out`. Nested modules
/// and components are skipped over by the parser (not walked) and rewritten into `out` in
/// place, their size written in front of them afterwards.
fn rewrite_one(
    bytes: &[u8],
    base: u64,
    item: &Item,
    path: &str,
    decide: &mut dyn FnMut(&Place<'_>, &CustomSectionReader<'_>) -> Action,
    out: &mut Vec<u8>,
) -> Result<(), RewriteError> {
    out.extend_from_slice(&bytes[..8.min(bytes.len())]);
    let mut in_module = true;
    let mut parser = Parser::new(base);
    let mut remaining = bytes;
    while !remaining.is_empty() {
        let payload = match parser.parse(remaining, true)? {
            wasmparser::Chunk::Parsed { consumed, payload } => {
                remaining = &remaining[consumed..];
                payload
            }
            // With `eof` set the parser reports a truncated input as an error instead.
            wasmparser::Chunk::NeedMoreData(_) => {
                return Err(RewriteError::Truncated {
                    offset: base + (bytes.len() - remaining.len()) as u64,
                })
            }
        };
        match &payload {
            Payload::Version { encoding, .. } => {
                in_module = *encoding == wasmparser::Encoding::Module;
            }
            Payload::End(_) => break,
            Payload::CodeSectionStart {
                size,
                unchecked_range: range,
                ..
            } => {
                // Function bodies are copied as one section, not read one by one.
                parser.skip_section();
                remaining = remaining
                    .get(*size as usize..)
                    .ok_or(RewriteError::Truncated {
                        offset: range.start,
                    })?;
                let contents = slice(bytes, base, range.start..range.end)?;
                push_section(out, 10, contents);
            }
            Payload::ModuleSection {
                unchecked_range, ..
            }
            | Payload::ComponentSection {
                unchecked_range, ..
            } => {
                let start = unchecked_range.start;
                let nested = slice(bytes, base, start..unchecked_range.end)?;
                remaining = &remaining[nested.len()..];
                let child = item.children.iter().find(|c| {
                    matches!(c.kind, ItemKind::Module | ItemKind::Component)
                        && c.offset <= start
                        && start < c.offset + c.size
                });
                let (id, word) = match payload {
                    Payload::ModuleSection { .. } => (1u8, "module"),
                    _ => (4u8, "component"),
                };
                let child_path = match child {
                    Some(c) => format!("{path} / {}", c.name),
                    None => format!("{path} / {word}"),
                };
                let empty = Item::new("", ItemKind::Module, 0, 0);
                out.push(id);
                let size_at = out.len();
                rewrite_one(
                    nested,
                    start,
                    child.unwrap_or(&empty),
                    &child_path,
                    decide,
                    out,
                )?;
                frame_in_place(out, size_at);
            }
            Payload::CustomSection(section) => {
                let (_, range) = payload.as_section().expect("a section");
                let contents = slice(bytes, base, range.start..range.end)?;
                let place = Place { path, in_module };
                match decide(&place, section) {
                    Action::Keep => push_section(out, 0, contents),
                    Action::Remove => {}
                    Action::Replace(new) => push_section(out, 0, &new),
                }
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    let contents = slice(bytes, base, range.start..range.end)?;
                    push_section(out, id, contents);
                }
            }
        }
    }
    Ok(())
}

/// Puts the size of the contents `out[at..]` in front of them (as a LEB128 at `at`).
fn frame_in_place(out: &mut Vec<u8>, at: usize) {
    let len = out.len() - at;
    let mut size = Vec::with_capacity(5);
    len.encode(&mut size);
    out.extend_from_slice(&size);
    out.copy_within(at..at + len, at + size.len());
    out[at..at + size.len()].copy_from_slice(&size);
}
