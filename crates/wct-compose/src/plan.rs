//! What a composition did, in data: instances, filled imports, imports left over (with the
//! candidates that came close), merged imports; and the instance graph as DOT or Mermaid.

use serde::Serialize;

/// A component to instantiate, under an instance name.
#[derive(Debug, Clone)]
pub struct Component {
    /// The instance name shown in reports (unique).
    pub name: String,
    /// The component's bytes.
    pub bytes: Vec<u8>,
}

/// An import filled by an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fill {
    /// The instance whose import was filled.
    pub consumer: String,
    /// The import name.
    pub import: String,
    /// The instance providing the export.
    pub provider: String,
    /// The export name.
    pub export: String,
    /// How it was chosen.
    pub matched: Matched,
}

/// How an export was chosen to fill an import (in JSON: `exact`, `semver`, `wired`,
/// `preferred`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Matched {
    /// The names are the same.
    Exact,
    /// The versions are semver-compatible.
    Semver,
    /// Wired explicitly.
    Wired,
    /// Chosen among several by a preference.
    Preferred,
}

impl std::fmt::Display for Matched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Matched::Exact => "exact",
            Matched::Semver => "semver",
            Matched::Wired => "wired",
            Matched::Preferred => "preferred",
        })
    }
}

/// A candidate that did not fill an import, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NearMiss {
    /// The instance offering it.
    pub provider: String,
    /// Its export name.
    pub export: String,
    /// Why it was not used.
    pub reason: String,
}

/// An import no plug filled: it becomes an import of the composition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unfilled {
    /// The instance whose import it is.
    pub consumer: String,
    /// The import name.
    pub import: String,
    /// The import of the composed component it now goes to (after version merging).
    pub becomes: String,
    /// Candidates that came close.
    pub near_misses: Vec<NearMiss>,
}

/// The whole report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    /// Instance names in instantiation order (the socket first).
    pub instances: Vec<String>,
    /// Filled imports, in the order they were filled.
    pub fills: Vec<Fill>,
    /// Imports left over.
    pub unfilled: Vec<Unfilled>,
    /// Plugs that were given but never used.
    pub unused: Vec<String>,
}

impl Plan {
    /// The instance graph in Graphviz DOT: instances as nodes, filled imports as edges from
    /// provider to consumer, imports of the composition as dashed edges from `host`.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph composition {\n  rankdir=LR;\n  node [shape=box];\n");
        for name in &self.instances {
            out.push_str(&format!("  \"{name}\";\n"));
        }
        for f in &self.fills {
            out.push_str(&format!(
                "  \"{}\" -> \"{}\" [label=\"{}\"];\n",
                f.provider, f.consumer, f.import
            ));
        }
        if !self.unfilled.is_empty() {
            out.push_str("  \"(host)\" [shape=ellipse, style=dashed];\n");
            for u in &self.unfilled {
                out.push_str(&format!(
                    "  \"(host)\" -> \"{}\" [label=\"{}\", style=dashed];\n",
                    u.consumer, u.becomes
                ));
            }
        }
        out.push_str("}\n");
        out
    }

    /// The instance graph as a Mermaid flowchart.
    pub fn to_mermaid(&self) -> String {
        let id = |name: &str| {
            let pos = self
                .instances
                .iter()
                .position(|n| n == name)
                .unwrap_or(usize::MAX);
            format!("n{pos}")
        };
        let mut out = String::from("flowchart LR\n");
        for name in &self.instances {
            out.push_str(&format!("  {}[\"{name}\"]\n", id(name)));
        }
        for f in &self.fills {
            out.push_str(&format!(
                "  {} -->|\"{}\"| {}\n",
                id(&f.provider),
                f.import,
                id(&f.consumer)
            ));
        }
        if !self.unfilled.is_empty() {
            out.push_str("  host((host))\n");
            for u in &self.unfilled {
                out.push_str(&format!(
                    "  host -.->|\"{}\"| {}\n",
                    u.becomes,
                    id(&u.consumer)
                ));
            }
        }
        out
    }
}
