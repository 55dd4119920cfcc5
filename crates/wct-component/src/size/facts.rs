//! Facts gathered while a module or component streams past, and what they decide: the names
//! of nested modules, components, functions and segments, and the labels. A label is only
//! given when the binary states something that settles it (an export, a function name, a
//! producers entry, a string in the data), and its reason quotes that fact.

use super::{Item, ItemKind, Label, LabelKind};
use memchr::memmem::Finder;
use std::collections::{BTreeSet, HashMap};
use wasmparser::{BinaryReader, Name, Result};

/// Tools that write a pre-initialised memory image into the module they produce, as their
/// `processed-by` entry names them; the second part says how when the tool's name alone
/// does not.
const PRE_INITIALISERS: &[(&str, &str)] = &[
    ("component-init-transform", ""),
    ("component-init", ""),
    ("wizer", ""),
    ("weval", ""),
    (
        "ComponentizeJS",
        ", which pre-initialises its engine with Wizer",
    ),
];

/// Preview 1 functions every adapter exports.
const PREVIEW1: &[&str] = &[
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_time_get",
    "fd_close",
    "fd_fdstat_get",
    "fd_read",
    "fd_write",
    "fd_seek",
    "fd_prestat_get",
    "path_open",
    "poll_oneoff",
    "proc_exit",
    "random_get",
];

/// CPython's entry points: a module defining one of these holds the interpreter.
const PYTHON_ENTRY: &[&str] = &[
    "Py_InitializeFromConfig",
    "Py_InitializeEx",
    "Py_Initialize",
    "Py_RunMain",
];

/// How many of wasi-libc's internal functions ([`is_wasilibc_internal`]) a module must define
/// to be said to contain libc (the smallest C program links several; a module that only
/// calls into libc defines none).
const MIN_WASILIBC: usize = 3;

/// Functions only wasi-libc defines: its own helpers (`__wasilibc_*`), its Preview 1
/// wrappers (`__wasi_*`), and the stdio internals of musl it is built from.
fn is_wasilibc_internal(name: &str) -> bool {
    name.starts_with("__wasilibc_")
        || name.starts_with("__wasi_")
        || matches!(
            name,
            "__stdio_write"
                | "__stdio_read"
                | "__stdio_seek"
                | "__towrite"
                | "__toread"
                | "__fwritex"
                | "printf_core"
        )
}

/// Strings a JavaScript engine keeps in its data.
const JS_MARKERS: &[&str] = &["StarlingMonkey", "SpiderMonkey"];

/// Searches data segments for [`JS_MARKERS`] as they stream past, across chunk boundaries.
pub(super) struct Markers {
    finders: Vec<Finder<'static>>,
    found: Vec<bool>,
    carry: Vec<u8>,
}

impl Default for Markers {
    fn default() -> Self {
        Markers {
            finders: JS_MARKERS
                .iter()
                .map(|m| Finder::new(m.as_bytes()))
                .collect(),
            found: vec![false; JS_MARKERS.len()],
            carry: Vec::new(),
        }
    }
}

impl Markers {
    /// Looks at the next bytes of a segment.
    pub(super) fn feed(&mut self, chunk: &[u8]) {
        let longest = JS_MARKERS.iter().map(|m| m.len()).max().unwrap_or(0);
        for (finder, found) in self.finders.iter().zip(&mut self.found) {
            if *found {
                continue;
            }
            // A match that starts in the carried tail of the previous chunk.
            let head = &chunk[..chunk.len().min(longest)];
            let mut seam = self.carry.clone();
            seam.extend_from_slice(head);
            *found = finder.find(&seam).is_some() || finder.find(chunk).is_some();
        }
        let keep = longest.saturating_sub(1);
        if chunk.len() >= keep {
            self.carry.clear();
            self.carry.extend_from_slice(&chunk[chunk.len() - keep..]);
        } else {
            self.carry.extend_from_slice(chunk);
            let excess = self.carry.len().saturating_sub(keep);
            self.carry.drain(..excess);
        }
    }

    /// Called between segments so a marker is not matched across two of them.
    pub(super) fn end_segment(&mut self) {
        self.carry.clear();
    }

    /// The markers seen.
    fn seen(&self) -> impl Iterator<Item = &'static str> + '_ {
        JS_MARKERS
            .iter()
            .zip(&self.found)
            .filter(|(_, f)| **f)
            .map(|(m, _)| *m)
    }
}

/// What a `producers` section says.
#[derive(Default, Debug)]
pub(super) struct Producers {
    /// `processed-by` entries: (tool, version).
    pub processed_by: Vec<(String, String)>,
    /// `language` entries.
    pub languages: Vec<String>,
}

impl Producers {
    fn read(reader: BinaryReader<'_>) -> Result<Self> {
        let mut out = Producers::default();
        for field in wasmparser::ProducersSectionReader::new(reader)? {
            let field = field?;
            for value in field.values {
                let value = value?;
                match field.name {
                    "processed-by" => out
                        .processed_by
                        .push((value.name.to_string(), value.version.to_string())),
                    "language" => out.languages.push(value.name.to_string()),
                    _ => {}
                }
            }
        }
        Ok(out)
    }

    /// The pre-initialiser this producers section names, with how to say it.
    fn pre_initialiser(&self) -> Option<String> {
        self.processed_by.iter().find_map(|(tool, version)| {
            PRE_INITIALISERS
                .iter()
                .find(|(name, _)| name == tool)
                .map(|(_, how)| format!("processed-by {tool} {version}{how}"))
        })
    }
}

/// What one core module says about itself.
#[derive(Default)]
pub(super) struct ModuleFacts {
    /// Imported functions (function indices of the code section start after them).
    pub imported_funcs: u32,
    /// The `wasi:` interfaces it imports from.
    wasi_imports: BTreeSet<String>,
    /// Exported function names.
    exports: Vec<String>,
    /// Whether it defines (rather than imports) a memory.
    defines_memory: bool,
    /// The name its `name` section gives it.
    pub module_name: Option<String>,
    function_names: HashMap<u32, String>,
    data_names: HashMap<u32, String>,
    producers: Producers,
    /// Active data segments and their bytes.
    pub active_segments: u32,
    pub active_bytes: u64,
    pub markers: Markers,
}

impl ModuleFacts {
    /// Reads an import (2), memory (5) or export (7) section.
    pub(super) fn section(&mut self, id: u8, reader: BinaryReader<'_>) -> Result<()> {
        match id {
            2 => {
                for import in wasmparser::ImportSectionReader::new(reader)?.into_imports() {
                    let import = import?;
                    if matches!(import.ty, wasmparser::TypeRef::Func(_)) {
                        self.imported_funcs += 1;
                    }
                    if import.module.starts_with("wasi:") {
                        self.wasi_imports.insert(import.module.to_string());
                    }
                }
            }
            5 => {
                self.defines_memory = wasmparser::MemorySectionReader::new(reader)?.count() > 0;
            }
            7 => {
                for export in wasmparser::ExportSectionReader::new(reader)? {
                    let export = export?;
                    if export.kind == wasmparser::ExternalKind::Func {
                        self.exports.push(export.name.to_string());
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Reads a `name` or `producers` section.
    pub(super) fn custom(&mut self, name: &str, at: u64, bytes: &[u8]) -> Result<()> {
        let reader = BinaryReader::new(bytes, at);
        match name {
            "producers" => self.producers = Producers::read(reader)?,
            "name" => {
                for part in wasmparser::NameSectionReader::new(reader) {
                    match part? {
                        Name::Module { name, .. } => self.module_name = Some(name.to_string()),
                        Name::Function(map) => read_names(map, &mut self.function_names)?,
                        Name::Data(map) => read_names(map, &mut self.data_names)?,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Names the module's functions and segments and labels it and its sections; returns
    /// what the enclosing component needs to know.
    pub(super) fn finish(mut self, module: &mut Item) -> Summary {
        let labels = self.labels();
        module.labels.extend(labels);
        let imported = self.imported_funcs;
        for section in &mut module.children {
            match (section.kind, section.name.as_str()) {
                (ItemKind::Section, "code") => {
                    for (i, f) in section.children.iter_mut().enumerate() {
                        let index = imported + i as u32;
                        f.name = self
                            .function_names
                            .remove(&index)
                            .unwrap_or_else(|| format!("func[{index}]"));
                    }
                    unique_names(&mut section.children);
                }
                (ItemKind::Section, "data") => {
                    for (i, segment) in section.children.iter_mut().enumerate() {
                        if let Some(name) = self.data_names.remove(&(i as u32)) {
                            segment.name = format!("segment {i} ({name})");
                        }
                    }
                }
                (ItemKind::DebugInfo, _) => section.labels.push(Label {
                    kind: LabelKind::DebugInfo,
                    reason: format!(
                        "DWARF custom sections {}",
                        section
                            .children
                            .iter()
                            .map(|c| c.name.trim_start_matches("custom ").trim_matches('"'))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }),
                (ItemKind::Custom, "custom \"name\"") => section.labels.push(Label {
                    kind: LabelKind::Names,
                    reason: "the `name` custom section (function, local and other names)".into(),
                }),
                _ => {}
            }
        }
        let image = (self.defines_memory && self.active_segments > 0).then_some(MemoryImage {
            segments: self.active_segments,
            bytes: self.active_bytes,
        });
        if let (Some(how), Some(image)) = (self.producers.pre_initialiser(), image) {
            snapshot(module, image, &how);
        }
        Summary {
            own_name: self.module_name,
            image,
        }
    }

    /// The labels the module itself gets.
    fn labels(&self) -> Vec<Label> {
        // Names the module defines: its function exports and the names of the functions
        // it has code for (the `name` section also names imported functions).
        let defined_names: Vec<&str> = self
            .exports
            .iter()
            .map(String::as_str)
            .chain(
                self.function_names
                    .iter()
                    .filter(|(&index, _)| index >= self.imported_funcs)
                    .map(|(_, n)| n.as_str()),
            )
            .collect();
        let defined = |name: &str| defined_names.contains(&name);
        let mut labels = Vec::new();
        let preview1: Vec<&str> = PREVIEW1
            .iter()
            .copied()
            .filter(|p| self.exports.iter().any(|e| e == p))
            .collect();
        if !preview1.is_empty() && !self.wasi_imports.is_empty() {
            labels.push(Label {
                kind: LabelKind::WasiAdapter,
                reason: format!(
                    "exports {} WASI Preview 1 functions ({}) and imports {} wasi: interfaces ({}, ...)",
                    preview1.len(),
                    preview1.iter().take(3).copied().collect::<Vec<_>>().join(", "),
                    self.wasi_imports.len(),
                    self.wasi_imports.iter().next().map_or("", |s| s.as_str()),
                ),
            });
        }
        let wasilibc: BTreeSet<&str> = defined_names
            .iter()
            .copied()
            .filter(|n| is_wasilibc_internal(n))
            .collect();
        if wasilibc.len() >= MIN_WASILIBC && defined("malloc") {
            labels.push(Label {
                kind: LabelKind::Libc,
                reason: format!(
                    "defines malloc and {} of wasi-libc's own functions ({}, ...)",
                    wasilibc.len(),
                    wasilibc
                        .iter()
                        .take(3)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        if let Some(entry) = PYTHON_ENTRY.iter().find(|e| defined(e)) {
            let py = defined_names
                .iter()
                .filter(|n| n.starts_with("Py") || n.starts_with("_Py"))
                .collect::<BTreeSet<_>>()
                .len();
            labels.push(Label {
                kind: LabelKind::PythonRuntime,
                reason: format!(
                    "defines {entry} (CPython's entry point) and {py} Py*/_Py* functions"
                ),
            });
        }
        let markers: Vec<&str> = self.markers.seen().collect();
        if !markers.is_empty() {
            let languages = if self.producers.languages.is_empty() {
                String::new()
            } else {
                format!(
                    "; its producers section lists {}",
                    self.producers.languages.join(", ")
                )
            };
            labels.push(Label {
                kind: LabelKind::JsEngine,
                reason: format!(
                    "its data contains the engine's name ({}){languages}",
                    markers
                        .iter()
                        .map(|m| format!("{m:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        labels
    }
}

/// What a nested module tells the component that holds it.
#[derive(Default)]
pub(super) struct Summary {
    /// The name its own `name` section gives it.
    pub own_name: Option<String>,
    /// The memory image it initialises, if it defines a memory and fills it.
    image: Option<MemoryImage>,
}

/// The active data segments of a module that defines its memory.
#[derive(Clone, Copy)]
struct MemoryImage {
    segments: u32,
    bytes: u64,
}

/// Labels the data section of `module` a pre-initialisation snapshot; `how` is the
/// producers fact that says a pre-initialiser wrote it.
fn snapshot(module: &mut Item, image: MemoryImage, how: &str) {
    if let Some(data) = module
        .children
        .iter_mut()
        .find(|c| c.kind == ItemKind::Section && c.name == "data")
    {
        if !data.has_label(LabelKind::Snapshot) {
            data.labels.push(Label {
                kind: LabelKind::Snapshot,
                reason: format!(
                    "the producers section says {how}, and this module defines the memory its {} active segments ({} bytes) fill",
                    image.segments, image.bytes
                ),
            });
        }
    }
}

fn read_names(map: wasmparser::NameMap<'_>, into: &mut HashMap<u32, String>) -> Result<()> {
    for naming in map {
        let naming = naming?;
        into.insert(naming.index, naming.name.to_string());
    }
    Ok(())
}

/// Makes sibling names unique (`name`, `name #2`, ...), so a path names one item.
pub(super) fn unique_names(items: &mut [Item]) {
    let mut seen: HashMap<String, u32> = HashMap::new();
    for item in items.iter_mut() {
        let n = seen.entry(item.name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            item.name = format!("{} #{n}", item.name);
        }
    }
}

/// What a component says about the modules and components it defines.
#[derive(Default)]
pub(super) struct ComponentFacts {
    /// Core module index -> the child holding it (`None`: imported or aliased).
    modules: Vec<Option<usize>>,
    /// Component index -> the child holding it.
    components: Vec<Option<usize>>,
    /// Names from the module's own `name` sections, by child.
    own_names: HashMap<usize, String>,
    /// Memory images of nested modules, by child.
    images: HashMap<usize, MemoryImage>,
    module_names: HashMap<u32, String>,
    component_names: HashMap<u32, String>,
    producers: Producers,
}

impl ComponentFacts {
    /// A module or component defined by a section, at child position `child`.
    pub(super) fn nested(&mut self, kind: ItemKind, child: usize, summary: Summary) {
        match kind {
            ItemKind::Module => self.modules.push(Some(child)),
            _ => self.components.push(Some(child)),
        }
        if let Some(own) = summary.own_name {
            self.own_names.insert(child, own);
        }
        if let Some(image) = summary.image {
            self.images.insert(child, image);
        }
    }

    /// Reads an alias (6), import (10) or export (11) section: the items that take a core
    /// module or component index without defining one here.
    pub(super) fn section(&mut self, id: u8, reader: BinaryReader<'_>) -> Result<()> {
        use wasmparser::{
            ComponentAlias, ComponentExternalKind as K, ComponentOuterAliasKind as O,
        };
        match id {
            6 => {
                for alias in wasmparser::ComponentAliasSectionReader::new(reader)? {
                    match alias? {
                        ComponentAlias::InstanceExport {
                            kind: K::Module, ..
                        }
                        | ComponentAlias::Outer {
                            kind: O::CoreModule,
                            ..
                        } => self.modules.push(None),
                        ComponentAlias::InstanceExport {
                            kind: K::Component, ..
                        }
                        | ComponentAlias::Outer {
                            kind: O::Component, ..
                        } => self.components.push(None),
                        _ => {}
                    }
                }
            }
            10 => {
                for import in wasmparser::ComponentImportSectionReader::new(reader)? {
                    match import?.ty {
                        wasmparser::ComponentTypeRef::Module(_) => self.modules.push(None),
                        wasmparser::ComponentTypeRef::Component(_) => self.components.push(None),
                        _ => {}
                    }
                }
            }
            11 => {
                // An export adds an index of its kind too.
                for export in wasmparser::ComponentExportSectionReader::new(reader)? {
                    match export?.kind {
                        K::Module => self.modules.push(None),
                        K::Component => self.components.push(None),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Reads a `component-name` or `producers` section.
    pub(super) fn custom(&mut self, name: &str, at: u64, bytes: &[u8]) -> Result<()> {
        let reader = BinaryReader::new(bytes, at);
        match name {
            "producers" => self.producers = Producers::read(reader)?,
            "component-name" => {
                for part in wasmparser::ComponentNameSectionReader::new(reader) {
                    match part? {
                        wasmparser::ComponentName::CoreModules(map) => {
                            read_names(map, &mut self.module_names)?
                        }
                        wasmparser::ComponentName::Components(map) => {
                            read_names(map, &mut self.component_names)?
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Names the nested modules and components, labels snapshots, makes names unique.
    pub(super) fn finish(mut self, component: &mut Item) {
        let mut name = |indices: &[Option<usize>], names: &mut HashMap<u32, String>, word: &str| {
            for (index, child) in indices.iter().enumerate() {
                let Some(child) = *child else { continue };
                let given = names
                    .remove(&(index as u32))
                    .or_else(|| self.own_names.remove(&child));
                component.children[child].name = match given {
                    Some(given) => format!("{word} {given}"),
                    None => format!("{word} {index}"),
                };
            }
        };
        name(&self.modules, &mut self.module_names, "module");
        name(&self.components, &mut self.component_names, "component");
        if let Some(how) = self.producers.pre_initialiser() {
            for (&child, &image) in &self.images {
                snapshot(&mut component.children[child], image, &how);
            }
        }
        for child in &mut component.children {
            let adapter = child
                .name
                .strip_prefix("module wit-component:adapter:")
                .map(str::to_string);
            if let Some(adapter) = adapter {
                if !child.has_label(LabelKind::WasiAdapter) {
                    child.labels.push(Label {
                        kind: LabelKind::WasiAdapter,
                        reason: format!(
                            "the component-name section names it wit-component:adapter:{adapter}, as wit-component names the adapter it links in"
                        ),
                    });
                }
            }
            if child.kind == ItemKind::Custom && child.name == "custom \"component-name\"" {
                child.labels.push(Label {
                    kind: LabelKind::Names,
                    reason: "the `component-name` custom section (names of nested items)".into(),
                });
            }
        }
        unique_names(&mut component.children);
    }
}
