//! Loading any WIT source into a [`WitSet`]: a resolved `Resolve` plus the package(s) and,
//! where the source implies one, the world it is about.

use crate::{builtin, diagnostic, WitError};
use std::path::Path;
use wit_component::{DecodedWasm, WitPrinter};
use wit_parser::{PackageId, Resolve, WorldId};

/// Options that change how WIT is resolved.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Features whose `@unstable(feature = ...)` items are enabled.
    pub features: Vec<String>,
    /// Enable every `@unstable` item.
    pub all_features: bool,
}

/// What kind of source the WIT came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// A directory of `.wit` files, with `deps/`.
    Directory,
    /// A single `.wit` file.
    WitFile,
    /// A wasm-encoded WIT package.
    WasmPackage,
    /// A component, read back as the world of its imports and exports.
    Component,
    /// A core module with `component-type` metadata.
    CoreModule,
    /// A built-in standard world.
    Builtin,
}

/// Resolved WIT and what in it the user pointed at.
#[derive(Debug, Clone)]
pub struct WitSet {
    /// All packages, the main one and its dependencies.
    pub resolve: Resolve,
    /// The main package.
    pub package: PackageId,
    /// The world the source implies (a component's or module's world, a built-in world name).
    pub world: Option<WorldId>,
    /// Where the WIT came from.
    pub origin: Origin,
    /// The source as the user named it, for messages.
    pub source_name: String,
}

/// Loads `spec`: a path (directory, `.wit` file, wasm package, component, core module with
/// metadata) or the name of a built-in world such as `wasi:cli/command`.
pub fn load(spec: &str, opts: &LoadOptions) -> Result<WitSet, WitError> {
    let path = Path::new(spec);
    if path.exists() {
        return load_path(path, opts);
    }
    if builtin::is_builtin(spec) {
        return load_builtin(spec);
    }
    Err(WitError::NotFound(spec.to_string()))
}

fn new_resolve(opts: &LoadOptions) -> Resolve {
    let mut resolve = Resolve {
        all_features: opts.all_features,
        ..Resolve::default()
    };
    for feature in &opts.features {
        for f in feature.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            resolve.features.insert(f.to_string());
        }
    }
    resolve
}

fn load_builtin(spec: &str) -> Result<WitSet, WitError> {
    let invalid = |message: String| WitError::Invalid {
        path: spec.to_string(),
        message,
    };
    let (resolve, world) = builtin::load(spec).map_err(|e| invalid(e.to_string()))?;
    let package = resolve.worlds[world]
        .package
        .expect("built-in worlds belong to a package");
    Ok(WitSet {
        resolve,
        package,
        world: Some(world),
        origin: Origin::Builtin,
        source_name: spec.to_string(),
    })
}

fn load_path(path: &Path, opts: &LoadOptions) -> Result<WitSet, WitError> {
    let name = path.display().to_string();
    let mut resolve = new_resolve(opts);
    let located = |resolve: &Resolve, err: anyhow::Error| match diagnostic::locate(resolve, &err) {
        Some(d) => WitError::Source(Box::new(d)),
        None => WitError::Invalid {
            path: name.clone(),
            message: format!("{err:#}"),
        },
    };
    if path.is_dir() {
        let (package, _) = resolve.push_dir(path).map_err(|e| located(&resolve, e))?;
        return Ok(WitSet {
            resolve,
            package,
            world: None,
            origin: Origin::Directory,
            source_name: name,
        });
    }
    let bytes = wct_io::read_file(path).map_err(|source| WitError::Read {
        path: name.clone(),
        source,
    })?;
    if path.extension().is_some_and(|e| e == "wat") {
        let wasm = wat::parse_bytes(&bytes).map_err(|mut e| {
            e.set_path(path);
            WitError::NotWit {
                path: name.clone(),
                message: format!("invalid WAT: {e}"),
            }
        })?;
        return load_binary(&wasm, name, resolve);
    }
    if !bytes.starts_with(b"\0asm") {
        let text = std::str::from_utf8(&bytes).map_err(|_| WitError::NotWit {
            path: name.clone(),
            message: "neither a wasm binary nor UTF-8 WIT text".into(),
        })?;
        let package = resolve
            .push_source(&name, text)
            .map_err(|e| located(&resolve, e))?;
        return Ok(WitSet {
            resolve,
            package,
            world: None,
            origin: Origin::WitFile,
            source_name: name,
        });
    }
    load_binary(&bytes, name, resolve)
}

/// Validates everything but function bodies: the structure and the types the WIT comes from.
fn validate_structure(bytes: &[u8]) -> Result<(), wasmparser::BinaryReaderError> {
    let mut validator = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        validator.payload(&payload?)?;
    }
    Ok(())
}

fn load_binary(bytes: &[u8], name: String, base: Resolve) -> Result<WitSet, WitError> {
    let not_wit = |message: String| WitError::NotWit {
        path: name.clone(),
        message,
    };
    let invalid = |e: wasmparser::BinaryReaderError| {
        not_wit(format!(
            "invalid wasm: {} (at offset {:#x})",
            e.message(),
            e.offset()
        ))
    };
    if bytes.get(4..8) == Some(&[1, 0, 0, 0]) {
        let has_metadata = wasmparser::Parser::new(0)
            .parse_all(bytes)
            .filter_map(Result::ok)
            .any(|p| matches!(p, wasmparser::Payload::CustomSection(c) if c.name().starts_with("component-type")));
        // wit-component's metadata reader expects a well-formed module: check the structure
        // and types first (function bodies are `wct validate`'s job).
        validate_structure(bytes).map_err(invalid)?;
        if !has_metadata {
            return Err(WitError::NoWorldMetadata { path: name });
        }
        let (_, bindgen) = wit_component::metadata::decode(bytes)
            .map_err(|e| not_wit(format!("invalid component-type metadata: {e:#}")))?;
        let mut resolve = bindgen.resolve;
        resolve.features = base.features;
        resolve.all_features = base.all_features;
        let world = bindgen.world;
        let package = resolve.worlds[world]
            .package
            .ok_or_else(|| not_wit("embedded world belongs to no package".into()))?;
        return Ok(WitSet {
            resolve,
            package,
            world: Some(world),
            origin: Origin::CoreModule,
            source_name: name,
        });
    }
    // The decoder validates the structure and types as it goes (function bodies are skipped,
    // as with `wasm-tools component wit`); when it fails, the validator words the error if
    // the binary itself is invalid.
    let decoded = wit_component::decode(bytes).map_err(|e| match validate_structure(bytes) {
        Err(invalid_wasm) => invalid(invalid_wasm),
        Ok(()) => not_wit(format!("cannot decode WIT: {e:#}")),
    })?;
    match decoded {
        DecodedWasm::WitPackage(resolve, package) => Ok(WitSet {
            resolve,
            package,
            world: None,
            origin: Origin::WasmPackage,
            source_name: name,
        }),
        DecodedWasm::Component(resolve, world) => {
            let package = resolve.worlds[world]
                .package
                .ok_or_else(|| not_wit("decoded world belongs to no package".into()))?;
            Ok(WitSet {
                resolve,
                package,
                world: Some(world),
                origin: Origin::Component,
                source_name: name,
            })
        }
    }
}

impl WitSet {
    /// Picks a world: by name (`w`, `pkg:name/w`, `pkg:name/w@1.0.0`, or a built-in world,
    /// which is merged in when this set does not have it), else the one the source implies,
    /// else the only world of the main package.
    pub fn select_world(&mut self, name: Option<&str>) -> Result<WorldId, WitError> {
        if name.is_none() {
            if let Some(world) = self.world {
                return Ok(world);
            }
        }
        if let Ok(world) = self.resolve.select_world(&[self.package], name) {
            return Ok(world);
        }
        if let Some(name) = name {
            if builtin::is_builtin(name) {
                return self.merge_builtin(name);
            }
        }
        Err(WitError::UnknownWorld {
            requested: name.unwrap_or("(default)").to_string(),
            source_name: self.source_name.clone(),
            available: self.world_names(),
        })
    }

    fn merge_builtin(&mut self, name: &str) -> Result<WorldId, WitError> {
        let invalid = |message: String| WitError::Invalid {
            path: name.to_string(),
            message,
        };
        let (builtin, world) = builtin::load(name).map_err(|e| invalid(e.to_string()))?;
        let remap = self
            .resolve
            .merge(builtin)
            .map_err(|e| invalid(format!("cannot merge the built-in WASI packages: {e:#}")))?;
        Ok(remap.worlds[world.index()].expect("merged worlds are remapped"))
    }

    /// Fully qualified names of every world in every package, sorted.
    pub fn world_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .resolve
            .worlds
            .iter()
            .filter_map(|(_, w)| {
                let pkg = &self.resolve.packages[w.package?];
                Some(qualified(&pkg.name, &w.name))
            })
            .collect();
        names.sort();
        names
    }

    /// Picks a package by name (`ns:name` or `ns:name@version`); `None` is the main package.
    pub fn select_package(&self, name: Option<&str>) -> Result<PackageId, WitError> {
        let Some(name) = name else {
            return Ok(self.package);
        };
        self.resolve
            .packages
            .iter()
            .find(|(_, p)| {
                let full = p.name.to_string();
                full == name || format!("{}:{}", p.name.namespace, p.name.name) == name
            })
            .map(|(id, _)| id)
            .ok_or_else(|| WitError::UnknownPackage {
                requested: name.to_string(),
                source_name: self.source_name.clone(),
                available: self
                    .resolve
                    .packages
                    .iter()
                    .map(|(_, p)| p.name.to_string())
                    .collect(),
            })
    }

    /// The packages `main` depends on, directly or not, in dependency order.
    pub fn dependencies_of(&self, main: PackageId) -> Vec<PackageId> {
        let mut needed = std::collections::HashSet::new();
        let mut stack = vec![main];
        while let Some(pkg) = stack.pop() {
            for dep in self.resolve.package_direct_deps(pkg) {
                if needed.insert(dep) {
                    stack.push(dep);
                }
            }
        }
        self.resolve
            .topological_packages()
            .into_iter()
            .filter(|p| *p != main && needed.contains(p))
            .collect()
    }

    /// Normalized WIT text of `pkg`; with `with_deps`, other packages follow as nested
    /// `package ... { }` blocks so the text resolves on its own. For WIT that was read (files,
    /// folders, wasm), that is every other package of the set in the order they were loaded —
    /// its dependencies and the other packages of the same file or folder — exactly as
    /// `wasm-tools component wit` prints them, so nothing is left out; for a built-in world,
    /// whose set holds all of vendored WASI, only the packages `pkg` depends on.
    pub fn print(&self, pkg: PackageId, with_deps: bool) -> Result<String, WitError> {
        let nested: Vec<PackageId> = match (with_deps, self.origin) {
            (false, _) => Vec::new(),
            (true, Origin::Builtin) => self.dependencies_of(pkg),
            (true, _) => self
                .resolve
                .packages
                .iter()
                .map(|(id, _)| id)
                .filter(|id| *id != pkg)
                .collect(),
        };
        let mut printer = WitPrinter::default();
        printer
            .print(&self.resolve, pkg, &nested)
            .map_err(|e| self.cannot("print", e))?;
        Ok(printer.output.to_string())
    }

    /// The binary (wasm-encoded) form of `pkg`.
    pub fn encode(&self, pkg: PackageId) -> Result<Vec<u8>, WitError> {
        wit_component::encode(&self.resolve, pkg, false).map_err(|e| self.cannot("encode", e))
    }

    /// The error for WIT that loaded but cannot be printed or encoded.
    fn cannot(&self, what: &str, error: anyhow::Error) -> WitError {
        WitError::Invalid {
            path: self.source_name.clone(),
            message: format!("cannot {what}: {error:#}"),
        }
    }
}

/// `ns:pkg/name@version`.
pub fn qualified(pkg: &wit_parser::PackageName, item: &str) -> String {
    match &pkg.version {
        Some(v) => format!("{}:{}/{item}@{v}", pkg.namespace, pkg.name),
        None => format!("{}:{}/{item}", pkg.namespace, pkg.name),
    }
}
