//! Where the bytes of a module or component go: an attribution tree in which every byte of
//! the file belongs to exactly one leaf (nested components, core modules, their sections,
//! functions, data segments, custom sections), with labels for the parts a toolchain adds
//! (the WASI Preview 1 adapter, libc, a language runtime, a pre-initialisation snapshot,
//! debug info, names), each decided from facts in the binary and saying which.
//!
//! - [`analyze`] / [`analyze_bytes`]: one streaming pass over the input (a file of any size
//!   is held a window at a time); a truncated or invalid file still yields what was
//!   attributed up to where parsing stopped;
//! - [`query`]: the largest items across the tree, depth cuts;
//! - [`diff`]: what grew or shrank between two builds;
//! - [`render`]: the text tree; [`html`]: a self-contained page with a zoomable treemap.

mod data_hint;
pub mod diff;
mod facts;
pub mod html;
pub mod query;
pub mod render;
mod stream;
mod walk;

pub use data_hint::{DataHint, Looks};

use serde::Serialize;
use std::io::Read;

/// The attribution of one file.
#[derive(Debug, Clone, Serialize)]
pub struct SizeReport {
    /// Bytes in the file.
    pub file_size: u64,
    /// The tree; `root.size == file_size`.
    pub root: Item,
    /// Set when the file is truncated or invalid: where parsing stopped. What was read up to
    /// there is attributed; the rest is one `unparsed` item under the root.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Stop>,
}

/// One node of the attribution tree.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// A name unique among its siblings: `module libc.so`, `code`, `custom "name"`, a
    /// function's name, `segment 3`.
    pub name: String,
    /// What it is.
    pub kind: ItemKind,
    /// Offset of its first byte in the file.
    pub offset: u64,
    /// Bytes it covers, its children's included. Bytes not in a child are its own (section
    /// headers, counts, a module's preamble).
    pub size: u64,
    /// How many entries it holds when it stands for several (functions of a code section,
    /// segments of a data section, sections of one kind).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// What it is known to be, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
    /// For a data segment: what its bytes look like.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Box<DataHint>>,
    /// The parts, in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Item>,
}

/// What an [`Item`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    /// A component (the root or a nested one).
    Component,
    /// A core module.
    Module,
    /// The 8-byte preamble (magic and version).
    Header,
    /// A section (for a component, all sections of one kind together).
    Section,
    /// A custom section.
    Custom,
    /// The `.debug_*` custom sections of a module, together.
    DebugInfo,
    /// A function body in a code section.
    Function,
    /// A data segment.
    DataSegment,
    /// Bytes after the point where parsing stopped.
    Unparsed,
}

/// A fact-based label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// What the item is.
    pub kind: LabelKind,
    /// The facts in the binary that decided it.
    pub reason: String,
}

/// The parts of a component a toolchain adds, which [`Label`]s name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabelKind {
    /// The WASI Preview 1 adapter (Preview 1 calls implemented on WASI 0.2).
    WasiAdapter,
    /// The C library (wasi-libc), as its own module or linked into one.
    Libc,
    /// The CPython interpreter.
    PythonRuntime,
    /// A JavaScript engine.
    JsEngine,
    /// A memory image written by pre-initialisation (Wizer, component-init).
    Snapshot,
    /// DWARF debug information.
    DebugInfo,
    /// The names of functions, locals and other items (the `name` section).
    Names,
}

impl LabelKind {
    /// The words shown in the text and HTML reports.
    pub fn describe(self) -> &'static str {
        match self {
            LabelKind::WasiAdapter => "WASI Preview 1 adapter",
            LabelKind::Libc => "libc",
            LabelKind::PythonRuntime => "Python runtime",
            LabelKind::JsEngine => "JavaScript engine",
            LabelKind::Snapshot => "pre-initialisation snapshot",
            LabelKind::DebugInfo => "debug info",
            LabelKind::Names => "names",
        }
    }
}

/// Where and why parsing stopped on a truncated or invalid file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error, miette::Diagnostic)]
#[error("parsing stopped at offset {offset:#x}: {message}")]
pub struct Stop {
    /// The file offset.
    pub offset: u64,
    /// What was wrong there.
    pub message: String,
}

impl Stop {
    pub(crate) fn new(offset: u64, message: String) -> Self {
        Stop { offset, message }
    }
}

impl Item {
    /// A leaf item.
    pub(crate) fn new(name: impl Into<String>, kind: ItemKind, offset: u64, size: u64) -> Self {
        Item {
            name: name.into(),
            kind,
            offset,
            size,
            count: None,
            labels: Vec::new(),
            data: None,
            children: Vec::new(),
        }
    }

    /// Whether any label of `kind` is on this item.
    pub fn has_label(&self, kind: LabelKind) -> bool {
        self.labels.iter().any(|l| l.kind == kind)
    }

    /// Bytes of this item not in any child.
    pub fn own_size(&self) -> u64 {
        self.size - self.children.iter().map(|c| c.size).sum::<u64>()
    }

    /// Every item below this one, depth first, with its path of names from this one.
    pub fn walk(&self, visit: &mut dyn FnMut(&[&str], &Item)) {
        fn go<'a>(item: &'a Item, path: &mut Vec<&'a str>, visit: &mut dyn FnMut(&[&str], &Item)) {
            path.push(&item.name);
            visit(path, item);
            for child in &item.children {
                go(child, path, visit);
            }
            path.pop();
        }
        go(self, &mut Vec::new(), visit);
    }
}

/// Attributes every byte read from `input` (a module or component, binary).
pub fn analyze(input: impl Read) -> SizeReport {
    walk::walk(stream::Stream::new(input))
}

/// [`analyze`] over bytes in memory.
pub fn analyze_bytes(wasm: &[u8]) -> SizeReport {
    analyze(wasm)
}

/// The attribution tree of `wasm` down to sections, with its modules and components named:
/// no item per function or data segment and no data measured (so no labels from data bytes).
/// What naming nested modules and components as `wct size` does takes, at a fraction of the
/// time and memory.
pub fn analyze_names(wasm: &[u8]) -> SizeReport {
    let mut stream = stream::Stream::new(wasm);
    stream.names_only = true;
    walk::walk(stream)
}
