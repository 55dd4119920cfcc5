//! Code offsets to source locations through a module's DWARF (`wct addr2line`): the function
//! (inlined frames first), file, line and column of an address — in a core module, or in one
//! of the modules a component holds, picked by the address (an offset in the file) or by
//! name (`--module`, as `wct size` names it, with addresses counted from that module's start,
//! as engines print them in backtraces).
//!
//! The DWARF is read with gimli and addr2line (the crates wasmtime symbolizes with).

use crate::demangle::demangle_name;
use crate::size::{analyze_names, Item, ItemKind};
use addr2line::gimli;
use serde::Serialize;
use std::collections::HashMap;
use wasmparser::{Parser, Payload};

/// One frame at an address: innermost (inlined) first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Frame {
    /// The function, demangled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// The source file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The line (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The column (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

/// What one address maps to.
#[derive(Debug, Clone, Serialize)]
pub struct Located {
    /// The address as given.
    pub address: u64,
    /// The module it is in, as `wct size` names it.
    pub module: String,
    /// The offset within that module's code section.
    pub code_offset: u64,
    /// The frames, innermost first (empty when the DWARF has nothing for it).
    pub frames: Vec<Frame>,
}

/// Why an address could not be looked up.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Addr2LineError {
    /// The input does not parse.
    #[error("not a valid module or component")]
    Parse(#[from] wasmparser::BinaryReaderError),
    /// No module's code section holds the address.
    #[error("no module's code holds address {address:#x}")]
    #[diagnostic(help(
        "addresses are offsets in the file, or with a module named, from that module's start"
    ))]
    NoModule {
        /// The address.
        address: u64,
    },
    /// No module has that name.
    #[error("no module named `{name}` (modules: {})", known.join(", "))]
    UnknownModule {
        /// The name asked for.
        name: String,
        /// The modules there are.
        known: Vec<String>,
    },
    /// The module has no DWARF.
    #[error("{module} has no DWARF debug information (.debug_info); build it with -g")]
    NoDwarf {
        /// The module.
        module: String,
    },
    /// The DWARF does not read.
    #[error("{module}: its DWARF does not read: {message}")]
    BadDwarf {
        /// The module.
        module: String,
        /// gimli's reason.
        message: String,
    },
}

/// A core module found in the file.
struct Module<'a> {
    /// Its name, as `wct size` gives it (`component / module main`, or `module`).
    path: String,
    /// Where its bytes start in the file.
    start: u64,
    /// Where its code section's contents are, in the file.
    code: std::ops::Range<u64>,
    /// Its custom sections by name.
    sections: HashMap<&'a str, &'a [u8]>,
}

/// Every core module in `wasm`, with its code range and custom sections.
fn modules<'a>(wasm: &'a [u8]) -> Result<Vec<Module<'a>>, Addr2LineError> {
    let report = analyze_names(wasm);
    let mut out: Vec<Module<'a>> = Vec::new();
    // The modules being read, innermost last, with the size item of the enclosing component.
    let mut stack: Vec<Option<usize>> = Vec::new();
    let mut items: Vec<(&Item, String)> = vec![(&report.root, report.root.name.clone())];
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::Version {
                encoding, range, ..
            } => {
                let path = items.last().expect("an item").1.clone();
                if encoding == wasmparser::Encoding::Module {
                    out.push(Module {
                        path: path.clone(),
                        start: range.start,
                        code: 0..0,
                        sections: HashMap::new(),
                    });
                    stack.push(Some(out.len() - 1));
                } else {
                    stack.push(None);
                }
            }
            Payload::ModuleSection {
                unchecked_range, ..
            }
            | Payload::ComponentSection {
                unchecked_range, ..
            } => {
                let start = unchecked_range.start;
                let (parent, path) = items.last().cloned().expect("an item");
                let child = parent.children.iter().find(|c| {
                    matches!(c.kind, ItemKind::Module | ItemKind::Component)
                        && c.offset <= start
                        && start < c.offset + c.size
                });
                let entry = match child {
                    Some(c) => (c, format!("{path} / {}", c.name)),
                    None => (parent, format!("{path} / #{start}")),
                };
                items.push(entry);
            }
            Payload::CodeSectionStart {
                unchecked_range: range,
                ..
            } => {
                if let Some(Some(i)) = stack.last() {
                    out[*i].code = range.start..range.end;
                }
            }
            Payload::CustomSection(section) => {
                if let Some(Some(i)) = stack.last() {
                    out[*i].sections.insert(section.name(), section.data());
                }
            }
            Payload::End(_) => {
                stack.pop();
                if !stack.is_empty() {
                    items.pop();
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Looks up each of `addresses` in `wasm`. Without `module`, an address is an offset in the
/// file; with it, an offset from the start of the module named so (its `wct size` path, or
/// the last part of it: `main`, `libc.so`).
pub fn addr2line(
    wasm: &[u8],
    addresses: &[u64],
    module: Option<&str>,
) -> Result<Vec<Located>, Addr2LineError> {
    let modules = modules(wasm)?;
    let named = match module {
        Some(name) => Some(
            modules
                .iter()
                .position(|m| {
                    m.path == name
                        || m.path.rsplit(" / ").next().is_some_and(|last| {
                            last == name || last.strip_prefix("module ") == Some(name)
                        })
                })
                .ok_or_else(|| Addr2LineError::UnknownModule {
                    name: name.to_string(),
                    known: modules.iter().map(|m| m.path.clone()).collect(),
                })?,
        ),
        None => None,
    };
    let mut contexts: HashMap<
        usize,
        addr2line::Context<gimli::EndianSlice<'_, gimli::LittleEndian>>,
    > = HashMap::new();
    let mut out = Vec::new();
    for &address in addresses {
        let (index, in_file) = match named {
            Some(i) => (i, modules[i].start + address),
            None => (
                modules
                    .iter()
                    .position(|m| m.code.contains(&address))
                    .ok_or(Addr2LineError::NoModule { address })?,
                address,
            ),
        };
        let m = &modules[index];
        if !m.code.contains(&in_file) {
            return Err(Addr2LineError::NoModule { address });
        }
        let code_offset = in_file - m.code.start;
        let ctx = match contexts.entry(index) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(context(m)?),
        };
        let bad = |e: gimli::Error| Addr2LineError::BadDwarf {
            module: m.path.clone(),
            message: e.to_string(),
        };
        let mut frames = Vec::new();
        let mut iter = ctx.find_frames(code_offset).skip_all_loads().map_err(bad)?;
        while let Some(frame) = iter.next().map_err(bad)? {
            let function = frame
                .function
                .as_ref()
                .and_then(|f| f.raw_name().ok())
                .map(|raw| demangle_name(&raw).unwrap_or_else(|| raw.into_owned()));
            let (file, line, column) = match &frame.location {
                Some(l) => (l.file.map(str::to_string), l.line, l.column),
                None => (None, None, None),
            };
            frames.push(Frame {
                function,
                file,
                line,
                column,
            });
        }
        out.push(Located {
            address,
            module: m.path.clone(),
            code_offset,
            frames,
        });
    }
    Ok(out)
}

/// The addr2line context of a module's DWARF sections.
fn context<'a>(
    m: &Module<'a>,
) -> Result<addr2line::Context<gimli::EndianSlice<'a, gimli::LittleEndian>>, Addr2LineError> {
    if !m.sections.contains_key(".debug_info") {
        return Err(Addr2LineError::NoDwarf {
            module: m.path.clone(),
        });
    }
    let dwarf = gimli::Dwarf::load(|id: gimli::SectionId| -> Result<_, gimli::Error> {
        let data = m.sections.get(id.name()).copied().unwrap_or(&[]);
        Ok(gimli::EndianSlice::new(data, gimli::LittleEndian))
    })
    .map_err(|e| Addr2LineError::BadDwarf {
        module: m.path.clone(),
        message: e.to_string(),
    })?;
    addr2line::Context::from_dwarf(dwarf).map_err(|e| Addr2LineError::BadDwarf {
        module: m.path.clone(),
        message: e.to_string(),
    })
}

/// One line per frame as `wasm-tools addr2line` prints it: `ADDR: FUNCTION FILE:LINE:COL`,
/// inlined callers below, indented; each address written as `labels` give it (as the user
/// typed it), else in hexadecimal.
pub fn render(located: &[Located], labels: &[String]) -> String {
    let mut out = String::new();
    for (n, l) in located.iter().enumerate() {
        let label = labels
            .get(n)
            .cloned()
            .unwrap_or_else(|| format!("{:#x}", l.address));
        if l.frames.is_empty() {
            out.push_str(&format!("{label}: (no location) in {}\n", l.module));
            continue;
        }
        for (i, f) in l.frames.iter().enumerate() {
            let head = if i == 0 {
                format!("{label}: ")
            } else {
                " ".repeat(label.len() + 2)
            };
            out.push_str(&format!(
                "{head}{} {}:{}:{}\n",
                f.function.as_deref().unwrap_or("??"),
                f.file.as_deref().unwrap_or("??"),
                f.line.unwrap_or(0),
                f.column.unwrap_or(0)
            ));
        }
    }
    out
}
