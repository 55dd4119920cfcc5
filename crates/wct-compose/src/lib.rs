//! Composition: fill the imports of a socket component with the exports of plug components,
//! transitively, and report exactly what was filled and what was left.
//!
//! Built on `wac-graph` (wasm-compose's README defers to wac). [`compose`] matches imports to
//! exports by interface name with semver-compatible versions (the one rule in
//! `wct_wit::semver_key`), type-checks each candidate with wac's subtype checker, refuses
//! ambiguity unless the caller picks, explains every import it could not fill with the
//! candidates that came close, and encodes the result; imports left over become imports of the
//! result, with semver-compatible versions of the same interface merged into one import of the
//! newest version. The [`Plan`] it returns is data: what was filled and what was left;
//! [`report`] renders it for people and tools, [`config`] reads the TOML config, [`wac`] composes
//! what a WAC document says, with its packages found on disk by [`deps`].
#![deny(missing_docs)]

pub mod config;
pub mod deps;
mod describe;
mod graph;
mod names;
mod plan;
pub mod report;
mod spliced;
pub mod wac;

pub use graph::{compose, Composed, Options, Wire};
pub use plan::{Component, Fill, Matched, NearMiss, Plan, Unfilled};
pub use spliced::ComposedWasm;

/// Errors from composing.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ComposeError {
    /// A component could not be loaded.
    #[error("{name}: {message}")]
    Load {
        /// The instance name.
        name: String,
        /// Why.
        message: String,
    },
    /// A file to compose is a core module, which has no component imports or exports yet.
    #[error("{name}: a core wasm module, not a component: make it a component first (`wct adapt` for a WASI Preview 1 program, `wct new` for a module with component-type metadata)")]
    CoreModule {
        /// The instance name.
        name: String,
    },
    /// A file to compose imports core modules (what `wct unbundle` makes), which composition
    /// cannot carry through.
    #[error(
        "{name} imports the core module{} {} (an unbundled component), which a composition \
         cannot pass on: compose the components it was made from, then unbundle the result",
        if modules.len() == 1 { "" } else { "s" },
        modules.join(", ")
    )]
    Unbundled {
        /// The instance name.
        name: String,
        /// The core modules it imports.
        modules: Vec<String>,
    },
    /// A file to compose has a core module or a component among its imports or exports (or
    /// an instance's exports), which wac-graph 0.12 cannot encode in a composition.
    #[error("{name}: {}", graph::unencodable_message(items))]
    CannotEncode {
        /// The instance name.
        name: String,
        /// The items, as `import-or-export[/instance-export...]`.
        items: Vec<String>,
    },
    /// Several plugs offer the same import.
    #[diagnostic(help("pick one with --prefer {import}=NAME"))]
    #[error("import `{import}` of `{consumer}` is exported by more than one plug: {}", candidates.join(", "))]
    Ambiguous {
        /// The instance whose import it is.
        consumer: String,
        /// The import.
        import: String,
        /// `instance.export` of every candidate.
        candidates: Vec<String>,
    },
    /// The only candidate for an import has the wrong type.
    #[error("import `{import}` of `{consumer}` cannot be filled by `{provider}.{export}`: the types differ\n{details}")]
    TypeMismatch {
        /// The instance whose import it is.
        consumer: String,
        /// The import.
        import: String,
        /// The plug.
        provider: String,
        /// Its export.
        export: String,
        /// Both sides as WIT, where they differ.
        details: String,
    },
    /// An explicit wiring refers to something that does not exist.
    #[error("{0}")]
    Config(String),
    /// wac could not build or encode the graph.
    #[error("composition failed while {step}")]
    Graph {
        /// What was being done.
        step: GraphStep,
        /// wac's (or the encoder's) reason.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The composed component does not validate (the composition's fault, not the inputs').
    #[error("composition failed: the composed component does not validate: {0}")]
    InvalidOutput(wct_component::ValidationError),
}

/// A step of building the composition graph, for [`ComposeError::Graph`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphStep {
    /// Adding a component to the graph as a package.
    Register,
    /// Importing an item into the composition.
    Import,
    /// Taking an export of an instance.
    Alias,
    /// Passing an export as an instantiation argument.
    Connect,
    /// Exporting from the composition.
    Export,
    /// Encoding the composed component.
    Encode,
    /// Naming the composed component's inner components after their instances.
    Name,
}

impl std::fmt::Display for GraphStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GraphStep::Register => "registering a component",
            GraphStep::Import => "importing into the composition",
            GraphStep::Alias => "taking an instance's export",
            GraphStep::Connect => "passing an export to an instance",
            GraphStep::Export => "exporting from the composition",
            GraphStep::Encode => "encoding the composed component",
            GraphStep::Name => "naming the composed component's inner components",
        })
    }
}

/// The [`ComposeError::Graph`] of `step` for its cause.
pub(crate) fn graph_error<E>(step: GraphStep) -> impl FnOnce(E) -> ComposeError
where
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    move |source| ComposeError::Graph {
        step,
        source: source.into(),
    }
}

/// Instance names from file stems, made unique.
pub fn instance_names(paths: &[std::path::PathBuf]) -> Vec<String> {
    let mut seen: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    paths
        .iter()
        .map(|p| {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "component".into());
            let n = seen.entry(stem.clone()).or_default();
            *n += 1;
            if *n == 1 {
                stem
            } else {
                format!("{stem}-{n}")
            }
        })
        .collect()
}

/// Whether `import` matches one of `patterns`: exact names, or prefixes ending in `*`
/// (`wasi:*`), as `--allow-unfilled` takes them.
pub fn matches_any(patterns: &[String], import: &str) -> bool {
    patterns.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => import.starts_with(prefix),
        None => import == p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn instance_names_are_file_stems_made_unique() {
        let paths: Vec<PathBuf> = ["a/app.wasm", "greeter.wasm", "b/greeter.wat", "x"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(instance_names(&paths), ["app", "greeter", "greeter-2", "x"]);
    }

    #[test]
    fn patterns_are_exact_names_or_prefixes() {
        let patterns = ["wasi:*".to_string(), "a:b/c@1.0.0".to_string()];
        assert!(matches_any(&patterns, "wasi:cli/stdout@0.2.0"));
        assert!(matches_any(&patterns, "a:b/c@1.0.0"));
        assert!(!matches_any(&patterns, "a:b/c@1.0.1"));
        assert!(!matches_any(&[], "wasi:cli/stdout@0.2.0"));
    }
}
