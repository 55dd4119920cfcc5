//! The one WIT loader behind every `wct` subcommand that takes WIT.
//!
//! A WIT source may be a directory with an optional `deps/` folder, a single `.wit` file, a
//! wasm-encoded WIT package, a component (its imports and exports read back as a world), a
//! core module carrying `component-type` metadata, or the name of a built-in standard world
//! (`wasi:cli/command`, `wasi:cli/imports`), which is decoded from the Preview 1 adapter that
//! `wct` bundles rather than from text copied into this repository.
//!
//! - [`load`](mod@load): reading any of these into a [`WitSet`]; [`builtin`]: the built-in worlds;
//! - [`diagnostic`]: wit-parser errors located in the source, underlined;
//! - [`fmt`]: `wct wit fmt` over files and folders; [`out_dir`]: writing a package and its
//!   deps as a WIT folder;
//! - [`worlds`]: a world flattened to its items; [`semver_key`]: names compared across
//!   semver-compatible versions; [`wasi_name`]: names taken apart and the WASI generation of
//!   a version, by one rule.
//!
//! Errors that point into WIT source are [`miette::Diagnostic`]s with the span underlined.
#![deny(missing_docs)]

pub mod builtin;
pub mod diagnostic;
pub mod fmt;
pub mod load;
pub mod out_dir;
pub mod semver_key;
pub mod wasi_name;
pub mod worlds;

pub use load::{load, LoadOptions, Origin, WitSet};

/// Errors from loading WIT or selecting a world.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WitError {
    /// The input could not be read.
    #[error("failed to read '{path}': {source}")]
    Read {
        /// The path.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Neither a path nor a built-in world name.
    #[error("'{0}' is not a file or directory, nor a built-in world")]
    #[diagnostic(help(
        "built-in worlds: {}, {}",
        builtin::NAMES.join(", "),
        builtin::P3_NAMES.join(", ")
    ))]
    NotFound(String),
    /// WIT source that does not parse or resolve, located in the source.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Source(Box<diagnostic::SourceDiagnostic>),
    /// WIT that is invalid but whose location is not in a readable source file.
    #[error("{path}: {message}")]
    Invalid {
        /// The input.
        path: String,
        /// The rendered message with its cause chain.
        message: String,
    },
    /// A binary that is not a component or module with WIT in it.
    #[error("{path}: {message}")]
    NotWit {
        /// The input.
        path: String,
        /// What was found instead.
        message: String,
    },
    /// A core module without `component-type` metadata: it names no world.
    #[error("{path}: core module has no `component-type` metadata")]
    #[diagnostic(help("embed a world first with `wct embed`"))]
    NoWorldMetadata {
        /// The input.
        path: String,
    },
    /// The requested world does not exist.
    #[error("world '{requested}' not found in {source_name}")]
    #[diagnostic(help("available worlds: {}", if available.is_empty() { "(none)".to_string() } else { available.join(", ") }))]
    UnknownWorld {
        /// The name asked for.
        requested: String,
        /// The WIT source searched.
        source_name: String,
        /// Fully qualified names of the worlds that exist.
        available: Vec<String>,
    },
    /// The requested package does not exist.
    #[error("package '{requested}' not found in {source_name}")]
    #[diagnostic(help("available packages: {}", available.join(", ")))]
    UnknownPackage {
        /// The name asked for.
        requested: String,
        /// The WIT source searched.
        source_name: String,
        /// The packages that exist.
        available: Vec<String>,
    },
}

impl WitError {
    /// True when the input could not be read at all (exit status 2), as opposed to being read
    /// and found invalid.
    pub fn is_unreadable(&self) -> bool {
        matches!(self, WitError::Read { .. } | WitError::NotFound(_))
    }
}
