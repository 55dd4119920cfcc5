//! The core modules a component imports instead of carrying them (as `wct unbundle` leaves
//! it), provided from a folder: the import `NAME` is `DIR/NAME.wasm`, compiled on the
//! component's engine through the compile cache (so a language runtime that many components
//! share is compiled once) and defined in the linker before instantiation.

use crate::artifact::Compiler;
use crate::cache::Cache;
use crate::engine::{compile_on, Compiled, EngineOptions};
use crate::error::{AtStep, Error, HostStep, Result};
use std::path::Path;
use wasmtime::component::Linker;
use wasmtime::{Engine, Module};

/// Compiled core modules for a component's module imports, by import name.
#[derive(Clone, Default)]
pub struct ProvidedModules(Vec<(String, Module)>);

impl ProvidedModules {
    /// Compiles, on `engine` (made for `compiler`), `dir/NAME.wasm` for each core module
    /// `component` (named `name` in messages) imports; none when it imports none. A component
    /// that imports modules with no `dir` given is refused here, naming them.
    fn load(
        engine: &Engine,
        compiler: Compiler,
        cache: Option<&Cache>,
        component: &[u8],
        name: &str,
        dir: Option<&Path>,
    ) -> Result<ProvidedModules> {
        let imported = wct_component::unbundle::imported_modules(component);
        if imported.is_empty() {
            return Ok(ProvidedModules::default());
        }
        let Some(dir) = dir else {
            return Err(Error::ModulesNotProvided {
                name: name.to_string(),
                modules: imported,
            });
        };
        imported
            .into_iter()
            .map(|module| {
                let path = dir.join(format!("{module}.wasm"));
                let unreadable = |source| Error::ModuleFile {
                    name: name.to_string(),
                    module: module.clone(),
                    path: path.clone(),
                    source,
                };
                let bytes = wct_io::read_file(&path).map_err(unreadable)?;
                if wct_component::detect(&bytes) != wct_component::WasmKind::CoreModule {
                    return Err(unreadable(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "not a core wasm module",
                    )));
                }
                let compiled =
                    compile_on::<Module>(engine, &bytes, compiler, cache).map_err(|source| {
                        Error::Compile {
                            name: path.display().to_string(),
                            source: source.into(),
                        }
                    })?;
                Ok((module, compiled))
            })
            .collect::<Result<_>>()
            .map(ProvidedModules)
    }

    /// The core modules the component `wasm` (named `name`) imports, from
    /// [`EngineOptions::module_dir`], compiled on `compiled`'s engine.
    pub(crate) fn for_compiled<T>(
        compiled: &Compiled<T>,
        wasm: &[u8],
        name: &str,
        opts: &EngineOptions,
    ) -> Result<ProvidedModules> {
        ProvidedModules::load(
            &compiled.engine,
            compiled.compiler,
            opts.cache_for(compiled.compiler),
            wasm,
            name,
            opts.module_dir.as_deref(),
        )
    }

    /// Defines each module in `linker` under the name the component imports it by.
    pub(crate) fn define<T: 'static>(&self, linker: &mut Linker<T>) -> Result<()> {
        for (name, module) in &self.0 {
            linker.root().module(name, module).at(HostStep::Link)?;
        }
        Ok(())
    }
}
