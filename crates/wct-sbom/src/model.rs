//! What an SBOM says about one component, independent of the format it is written in: the
//! parts (the component and every component and core module nested in it) with their digests,
//! roles, producers and metadata; the Rust crates their `.dep-v0` sections list; and the
//! composition (which instance fills which import).

use serde::Serialize;
use std::collections::BTreeMap;

/// The bill of materials of one component or module.
#[derive(Debug, Clone, Serialize)]
pub struct Sbom {
    /// The file's name as the user gave it (the document's name).
    pub file_name: String,
    /// The outermost part, with the nested ones as its children.
    pub root: Part,
    /// Every Rust crate a `.dep-v0` section lists, once each, sorted by package URL.
    pub crates: Vec<Crate>,
    /// Which part fills which import of which other part, sorted.
    pub links: Vec<Link>,
}

/// A component or core module in the file.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    /// Its reference within the document: its path as `wct size` names it
    /// (`component / module libc.so`), unique in the file.
    pub id: String,
    /// Component or module.
    pub kind: PartKind,
    /// Its own name (`name` or `component-name` section), else the last step of its path.
    pub name: String,
    /// The SHA-256 of its bytes, in lowercase hex.
    pub sha256: String,
    /// Where it is in the file.
    pub offset: u64,
    /// Its length in bytes.
    pub size: u64,
    /// What it is known to be (a language runtime, libc, the Preview 1 adapter, ...), with
    /// the facts that decided it.
    pub roles: Vec<Role>,
    /// The version it states (the `version` annotation), or for a language runtime the
    /// version its name carries (`libpython3.14.so`: `3.14`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The producers section: `language`, `processed-by`, `sdk` -> tools.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub producers: BTreeMap<String, Vec<Tool>>,
    /// The registry annotations it carries: `authors`, `description`, `licenses`, `source`,
    /// `homepage`, `revision`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The package URLs of the crates its `.dep-v0` section lists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub crates: Vec<String>,
    /// Components: the names it imports (`wasi:cli/environment@0.2.9`), in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<String>,
    /// Components: the names it exports, in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exports: Vec<String>,
    /// The parts nested in it, in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Part>,
}

impl Part {
    /// This part and every part nested in it, depth first.
    pub fn walk(&self) -> Vec<&Part> {
        let mut out = vec![self];
        for child in &self.children {
            out.extend(child.walk());
        }
        out
    }
}

/// Whether a [`Part`] is a component or a core module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartKind {
    /// A component.
    Component,
    /// A core module.
    Module,
}

/// A part a toolchain adds, identified from facts in the binary (those of `wct size`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Role {
    /// What it is.
    pub kind: RoleKind,
    /// The facts that decided it.
    pub reason: String,
}

/// The kinds of [`Role`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoleKind {
    /// The WASI Preview 1 adapter.
    WasiAdapter,
    /// The C library (wasi-libc).
    Libc,
    /// The CPython interpreter.
    PythonRuntime,
    /// A JavaScript engine.
    JsEngine,
    /// Holds a pre-initialisation snapshot (Wizer, component-init).
    Snapshot,
}

impl RoleKind {
    /// The name used in properties and package URLs (`python-runtime`).
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::WasiAdapter => "wasi-adapter",
            RoleKind::Libc => "libc",
            RoleKind::PythonRuntime => "python-runtime",
            RoleKind::JsEngine => "js-engine",
            RoleKind::Snapshot => "snapshot",
        }
    }
}

/// A tool of a producers section.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Tool {
    /// Its name.
    pub name: String,
    /// Its version (may be empty).
    pub version: String,
}

/// A Rust crate of a `.dep-v0` section.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Crate {
    /// `pkg:cargo/NAME@VERSION`.
    pub purl: String,
    /// The crate.
    pub name: String,
    /// Its version.
    pub version: String,
    /// `runtime` or `build`.
    pub kind: String,
}

/// One filled import: `dependent` is instantiated with `provider` as its `import`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Link {
    /// The part instantiated.
    pub dependent: String,
    /// What fills the import.
    pub provider: Provider,
    /// The import's name (`wasi:cli/environment@0.2.9`, a core module name such as `env`).
    pub import: String,
}

/// What fills an import.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "name")]
pub enum Provider {
    /// Another part of the file (its id).
    Part(String),
    /// An import of the enclosing component (ultimately the host's).
    Import(String),
}
