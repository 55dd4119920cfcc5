//! Compositions written in WAC, the Bytecode Alliance's composition language (wac 0.12's
//! `wac-parser`, the release of the `wac-graph` the rest of this crate uses): parsing, the
//! packages a document refers to, resolution and encoding, and the same [`Plan`] report as
//! automatic composition.
//!
//! Errors keep wac's labels and carry the document, so they render as source excerpts with
//! the span underlined (a [`WacError`] is a [`miette::Diagnostic`] with its source code).
//! Finding the packages is the caller's: [`packages`] lists what the document refers to,
//! [`compose`] takes their bytes.

use crate::plan::{Fill, Matched, Plan, Unfilled};
use crate::{Composed, ComposedWasm};
use indexmap::IndexMap;
use miette::{Diagnostic, NamedSource, SourceSpan};
use std::sync::Arc;
use wac_graph::types::BorrowedPackageKey;
use wac_graph::{EncodeOptions, NodeId, NodeKind};
use wac_parser::{
    Document, ExternType, ImportStatement, ImportType, InstantiationArgument, InterfaceItem,
    PrimaryExpr, Statement, TypeStatement, UsePath, WorldItem, WorldItemPath, WorldRef,
};

/// A package a document refers to, where it first does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageRef {
    /// `ns:name`.
    pub name: String,
    /// The version written after `@`, if any.
    pub version: Option<semver::Version>,
    /// Where the reference is in the document.
    pub span: SourceSpan,
}

impl std::fmt::Display for PackageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.version {
            Some(v) => write!(f, "{}@{v}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// An error in or about a WAC document, with the document to show it in.
#[derive(Debug)]
pub struct WacError {
    source_code: Arc<NamedSource<String>>,
    error: Box<dyn Diagnostic + Send + Sync + 'static>,
}

impl WacError {
    /// An error `error` located in the document `name` with text `text`.
    pub fn new(name: &str, text: &str, error: impl Diagnostic + Send + Sync + 'static) -> Self {
        Self {
            source_code: Arc::new(NamedSource::new(name, text.to_string())),
            error: Box::new(error),
        }
    }

    fn in_document(
        source: &Arc<NamedSource<String>>,
        error: impl Diagnostic + Send + Sync + 'static,
    ) -> Self {
        Self {
            source_code: source.clone(),
            error: Box::new(error),
        }
    }
}

impl std::fmt::Display for WacError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for WacError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

/// wac's diagnostic codes (`failed to resolve document`) are left out: the message says more.
impl Diagnostic for WacError {
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.error.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.error.labels()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source_code.as_ref())
    }
}

/// Problems wct finds in a document itself (wac's own errors are passed on as they are).
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum DocumentError {
    /// A package the document refers to was found nowhere.
    #[error("unknown package `{name}`")]
    UnknownPackage {
        /// The package (with its version).
        name: String,
        /// Where the document refers to it.
        #[label(primary, "unknown package `{name}`")]
        span: SourceSpan,
        /// Where it was looked for.
        #[help]
        looked: String,
    },
    /// A package that was found but cannot be read.
    #[error("package `{name}`: {message}")]
    BadPackage {
        /// The package.
        name: String,
        /// Where the document refers to it.
        #[label(primary, "package `{name}` is this one")]
        span: SourceSpan,
        /// Why it cannot be used.
        message: String,
    },
    /// The document instantiates the package it defines.
    #[error("a document cannot instantiate the package it defines")]
    InstantiatesItself {
        /// Where.
        #[label(primary, "instantiates itself")]
        span: SourceSpan,
    },
    /// The composition does not validate.
    #[error("the composed component does not validate: {0}")]
    InvalidOutput(wct_component::ValidationError),
}

/// Parses a WAC document; `name` is how errors name it.
pub fn parse<'a>(name: &str, text: &'a str) -> Result<Document<'a>, WacError> {
    Document::parse(text).map_err(|e| WacError::new(name, text, e))
}

/// The packages `document` refers to (each name and version once, in order of first
/// reference), not counting the package it defines.
pub fn packages(
    name: &str,
    text: &str,
    document: &Document<'_>,
) -> Result<Vec<PackageRef>, WacError> {
    let mut visitor = Visitor {
        this: document.directive.package.name,
        found: Vec::new(),
        error: None,
    };
    visitor.document(document);
    if let Some(span) = visitor.error {
        return Err(WacError::new(
            name,
            text,
            DocumentError::InstantiatesItself { span },
        ));
    }
    Ok(visitor.found)
}

/// Walks a document's statements and records every package reference.
struct Visitor<'a> {
    this: &'a str,
    found: Vec<PackageRef>,
    error: Option<SourceSpan>,
}

impl<'a> Visitor<'a> {
    fn add(&mut self, name: &str, version: Option<&semver::Version>, span: SourceSpan) {
        if name == self.this {
            return;
        }
        let known = self
            .found
            .iter()
            .any(|p| p.name == name && p.version.as_ref() == version);
        if !known {
            self.found.push(PackageRef {
                name: name.to_string(),
                version: version.cloned(),
                span,
            });
        }
    }

    fn document(&mut self, document: &'a Document<'a>) {
        if let Some(targets) = &document.directive.targets {
            self.add(
                targets.name,
                targets.version.as_ref(),
                targets.package_name_span(),
            );
        }
        for statement in &document.statements {
            match statement {
                Statement::Import(i) => self.import(i),
                Statement::Type(t) => self.type_statement(t),
                Statement::Let(l) => self.expr(&l.expr),
                Statement::Export(e) => self.expr(&e.expr),
            }
        }
    }

    fn import(&mut self, statement: &'a ImportStatement<'a>) {
        match &statement.ty {
            ImportType::Package(p) => self.add(p.name, p.version.as_ref(), p.package_name_span()),
            ImportType::Interface(i) => i.items.iter().for_each(|item| self.interface_item(item)),
            ImportType::Func(_) | ImportType::Ident(_) => {}
        }
    }

    fn type_statement(&mut self, statement: &'a TypeStatement<'a>) {
        match statement {
            TypeStatement::Interface(i) => {
                i.items.iter().for_each(|item| self.interface_item(item))
            }
            TypeStatement::World(w) => w.items.iter().for_each(|item| self.world_item(item)),
            TypeStatement::Type(_) => {}
        }
    }

    fn use_path(&mut self, path: &'a UsePath<'a>) {
        if let UsePath::Package(p) = path {
            self.add(p.name, p.version.as_ref(), p.package_name_span());
        }
    }

    fn interface_item(&mut self, item: &'a InterfaceItem<'a>) {
        if let InterfaceItem::Use(u) = item {
            self.use_path(&u.path);
        }
    }

    fn world_item(&mut self, item: &'a WorldItem<'a>) {
        match item {
            WorldItem::Use(u) => self.use_path(&u.path),
            WorldItem::Import(i) => self.world_item_path(&i.path),
            WorldItem::Export(e) => self.world_item_path(&e.path),
            WorldItem::Include(i) => {
                if let WorldRef::Package(p) = &i.world {
                    self.add(p.name, p.version.as_ref(), p.package_name_span());
                }
            }
            WorldItem::Type(_) => {}
        }
    }

    fn world_item_path(&mut self, path: &'a WorldItemPath<'a>) {
        match path {
            WorldItemPath::Named(named) => {
                if let ExternType::Interface(i) = &named.ty {
                    i.items.iter().for_each(|item| self.interface_item(item));
                }
            }
            WorldItemPath::Package(p) => {
                self.add(p.name, p.version.as_ref(), p.package_name_span())
            }
            WorldItemPath::Ident(_) => {}
        }
    }

    fn expr(&mut self, expr: &'a wac_parser::Expr<'a>) {
        match &expr.primary {
            PrimaryExpr::New(new) => {
                if new.package.name == self.this {
                    self.error.get_or_insert(new.package.span);
                    return;
                }
                self.add(
                    new.package.name,
                    new.package.version.as_ref(),
                    new.package.span,
                );
                for argument in &new.arguments {
                    if let InstantiationArgument::Named(named) = argument {
                        self.expr(&named.expr);
                    }
                }
            }
            PrimaryExpr::Nested(nested) => self.expr(&nested.inner),
            PrimaryExpr::Ident(_) => {}
        }
    }
}

/// How to encode a WAC composition.
#[derive(Debug, Clone, Copy, Default)]
pub struct WacOptions {
    /// Import the instantiated components instead of embedding them (wac's
    /// `--import-dependencies`).
    pub import_dependencies: bool,
    /// Resolve and type-check only: no encoding, no validation (`Composed::bytes` is empty).
    pub check_only: bool,
}

/// Resolves `document` against `packages` (the bytes of every package [`packages`] listed,
/// components or WIT packages encoded as wasm) and encodes it as wac does, byte for byte; the
/// result is validated (function bodies in parallel) and described as a [`Plan`].
pub fn compose(
    name: &str,
    text: &str,
    document: &Document<'_>,
    packages: Vec<(PackageRef, Vec<u8>)>,
    opts: WacOptions,
) -> Result<Composed, WacError> {
    let source = Arc::new(NamedSource::new(name, text.to_string()));
    let (refs, contents): (Vec<PackageRef>, Vec<Vec<u8>>) = packages.into_iter().unzip();
    let refused = |package: &PackageRef, refusal: crate::ComposeError| {
        let message = match refusal {
            crate::ComposeError::CannotEncode { items, .. } => {
                crate::graph::unencodable_message(&items)
            }
            other => other.to_string(),
        };
        WacError::in_document(
            &source,
            DocumentError::BadPackage {
                name: package.to_string(),
                span: package.span,
                message,
            },
        )
    };
    // wac-graph cannot encode a module import (it panics): refuse an unbundled package first.
    for (package, bytes) in refs.iter().zip(&contents) {
        crate::graph::unbundled("it", bytes).map_err(|e| refused(package, e))?;
    }
    let mut map = IndexMap::new();
    for (package, bytes) in refs.iter().zip(contents) {
        map.insert(
            BorrowedPackageKey::from_name_and_version(&package.name, package.version.as_ref()),
            bytes,
        );
    }
    let resolution = document
        .resolve(map)
        .map_err(|e| WacError::in_document(&source, e))?;
    // Nor modules or components among a package's imports and exports (it panics).
    let graph = resolution.graph();
    for package in graph.packages() {
        let reference = refs
            .iter()
            .find(|r| r.name == package.name() && r.version.as_ref() == package.version());
        if let Some(reference) = reference {
            // Any instance's exports may be exported (`export x...`): all are checked.
            crate::graph::encodable("it", package, graph.types(), true)
                .map_err(|e| refused(reference, e))?;
        }
    }
    let plan = plan_of(resolution.graph());
    if opts.check_only {
        return Ok(Composed {
            wasm: ComposedWasm::whole(Vec::new()),
            plan,
        });
    }
    let bytes = resolution
        .encode(EncodeOptions {
            define_components: !opts.import_dependencies,
            // Validated below, function bodies in parallel (wac validates on one thread).
            validate: false,
            // wac-parser's own name and version, as `wac compose` writes them.
            processor: None,
        })
        .map_err(|e| WacError::in_document(&source, e))?;
    drop(resolution);
    wct_component::validate(&bytes, wasmparser::WasmFeatures::all())
        .map_err(|e| WacError::in_document(&source, DocumentError::InvalidOutput(e)))?;
    Ok(Composed {
        wasm: ComposedWasm::whole(bytes),
        plan,
    })
}

/// What the resolved graph instantiates, which argument each instance gets from where, and
/// what is left to the composition's own imports.
fn plan_of(graph: &wac_graph::CompositionGraph) -> Plan {
    let name_of = |id: NodeId| -> String {
        let node = &graph[id];
        match (node.name(), node.package()) {
            (Some(name), _) => name.to_string(),
            (None, Some(package)) => graph[package].name().to_string(),
            (None, None) => node.import_name().unwrap_or("?").to_string(),
        }
    };
    let mut plan = Plan::default();
    for id in graph.node_ids() {
        if !matches!(graph[id].kind(), NodeKind::Instantiation(_)) {
            continue;
        }
        let consumer = name_of(id);
        plan.instances.push(consumer.clone());
        let mut arguments: Vec<(String, NodeId)> = graph
            .get_instantiation_arguments(id)
            .map(|(import, source)| (import.to_string(), source))
            .collect();
        arguments.sort();
        for (import, source) in arguments {
            let (provider, export) = match graph[source].kind() {
                NodeKind::Alias => match graph.get_alias_source(source) {
                    Some((instance, export)) => (name_of(instance), export.to_string()),
                    None => (name_of(source), String::new()),
                },
                NodeKind::Import(import_name) => ("import".to_string(), import_name.clone()),
                _ => (name_of(source), String::new()),
            };
            plan.fills.push(Fill {
                consumer: consumer.clone(),
                import,
                provider,
                export,
                matched: Matched::Wired,
            });
        }
        if let Some(package) = graph[id].package() {
            let world = &graph.types()[graph[package].ty()];
            let filled: Vec<&str> = plan
                .fills
                .iter()
                .filter(|f| f.consumer == consumer)
                .map(|f| f.import.as_str())
                .collect();
            for import in world.imports.keys() {
                if !filled.contains(&import.as_str()) {
                    plan.unfilled.push(Unfilled {
                        consumer: consumer.clone(),
                        import: import.clone(),
                        becomes: import.clone(),
                        near_misses: Vec::new(),
                    });
                }
            }
        }
    }
    plan
}

/// `name` as a WAC identifier: lower-case words of letters and digits joined by `-`, each
/// word starting with a letter.
fn kebab(name: &str) -> String {
    let words: Vec<String> = name
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.starts_with(|c: char| c.is_ascii_digit()) {
                format!("n{w}")
            } else {
                w.to_string()
            }
        })
        .collect();
    if words.is_empty() {
        "component".to_string()
    } else {
        words.join("-")
    }
}

/// A WAC document that composes what `plan` says: one `let` per instance (providers before
/// the instances that use them), each filled import as a named argument, `...` for the
/// imports left to the host, and the socket's exports (`instances[0]`) exported. Each
/// instance's component is the package `NAMESPACE:INSTANCE`; `files` gives the file of each
/// instance for the `--dep` flags listed in the header.
pub fn emit(plan: &Plan, namespace: &str, files: &[(String, String)]) -> String {
    let package = |instance: &str| format!("{namespace}:{}", kebab(instance));
    let mut out = String::from(
        "// Written by `wct compose --emit-wac`. Compose it again with wct or wac:\n//   wct compose THIS.wac",
    );
    for (instance, file) in files {
        if plan.instances.contains(instance) {
            out.push_str(&format!(" \\\n//     --dep {}={file}", package(instance)));
        }
    }
    out.push_str(" -o OUT.wasm\n");
    out.push_str(&format!("package {namespace}:composition;\n\n"));
    // Providers first: an instance is written once every instance it takes exports from is.
    let mut written: Vec<&str> = Vec::new();
    while written.len() < plan.instances.len() {
        let before = written.len();
        for instance in &plan.instances {
            if written.contains(&instance.as_str()) {
                continue;
            }
            let ready = plan
                .fills
                .iter()
                .filter(|f| &f.consumer == instance)
                .all(|f| written.contains(&f.provider.as_str()));
            if !ready {
                continue;
            }
            let mut arguments: Vec<String> = plan
                .fills
                .iter()
                .filter(|f| &f.consumer == instance)
                .map(|f| format!("\"{}\": {}[\"{}\"]", f.import, kebab(&f.provider), f.export))
                .collect();
            arguments.push("...".to_string());
            out.push_str(&format!(
                "let {} = new {} {{ {} }};\n",
                kebab(instance),
                package(instance),
                arguments.join(", ")
            ));
            written.push(instance);
        }
        if written.len() == before {
            // A cycle cannot be composed; the automatic composer never makes one.
            break;
        }
    }
    if let Some(socket) = plan.instances.first() {
        out.push_str(&format!("\nexport {}...;\n", kebab(socket)));
    }
    out
}
