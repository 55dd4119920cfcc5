//! Core wasm and component operations used by the `wct` CLI and usable on their own.
//!
//! - [`kind`]: what a byte buffer is (core module, component, WAT text) and turning WAT into
//!   binary;
//! - [`validate`](mod@validate): validation with a configurable feature set, function bodies in parallel,
//!   errors located by byte offset and function;
//! - [`inspect`]: a structured summary of a module or component (sections, imports, exports,
//!   WIT, nested items, metadata);
//! - [`text`]: binary <-> WAT;
//! - [`batch`]: validating many files in parallel with per-file reports;
//! - [`embed`], [`encode`], [`adapt`]: core module -> component (metadata, encoding, the
//!   bundled WASI Preview 1 adapters);
//! - [`link`]: shared libraries (`dylink.0`) linked into one component (wit-component's
//!   linker), with the bundled Preview 1 adapter where a library needs it;
//! - [`targets`]: does a component fit a world, mismatch by mismatch;
//! - [`concurrency`]: whether running a component needs the component model's concurrency
//!   (WASI 0.3, async functions, streams and futures), read before compiling;
//! - [`features`]: wasm feature sets by name (`--features`);
//! - [`metadata`]: names, producers, registry annotations and dependency lists, read and
//!   added (wasm-metadata);
//! - [`demangle`]: Rust and C++ function names made readable in `name` sections, nested
//!   modules included;
//! - [`dwarf`]: code offsets to functions, files and lines through DWARF (addr2line);
//! - [`rewrite`]: the walk over custom sections at every depth that strip and demangle share;
//! - [`strip`]: removing custom sections (debug info, names, or all a file can do without),
//!   nested modules and components included;
//! - [`unbundle`]: large core modules moved out of a component, which then imports them;
//! - [`size`]: where the bytes go: every byte attributed to one part, labelled from facts
//!   in the binary, diffs of two builds, text and HTML reports.
#![deny(missing_docs)]

pub mod adapt;
pub mod batch;
pub mod concurrency;
pub mod demangle;
pub mod dwarf;
pub mod embed;
pub mod encode;
pub mod features;
pub mod inspect;
pub mod kind;
pub mod link;
pub mod metadata;
pub mod rewrite;
pub mod size;
pub mod strip;
pub mod targets;
pub mod text;
pub mod unbundle;
pub mod validate;

pub use kind::{detect, WasmKind};
pub use validate::{validate, validate_pieces, ValidationError};
