//! What gets compiled and cached: the two compilers, and the two kinds of compiled code
//! (components and core modules) with how each is compiled, serialized and loaded.

use wasmtime::Engine;

/// Which compiler to use (in JSON: `auto`, `cranelift`, `winch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compiler {
    /// Cached optimized code if available, else Winch now (optimized code later).
    #[default]
    Auto,
    /// Cranelift, the optimizing compiler.
    Cranelift,
    /// Winch, the baseline compiler.
    Winch,
}

impl std::fmt::Display for Compiler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Compiler {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Compiler::Auto => "auto",
            Compiler::Cranelift => "cranelift",
            Compiler::Winch => "winch",
        }
    }
}

/// Kinds of compiled artifacts the cache handles.
pub trait Artifact: Sized {
    /// `component` or `module`, part of the cache key.
    const KIND: &'static str;
    /// Compiles from wasm bytes.
    fn compile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Self>;
    /// Serializes compiled code for the cache.
    fn precompile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Vec<u8>>;
    /// Loads serialized code that the cache has verified.
    fn load(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Self>;
    /// Loads serialized code from a cache file that has been verified, mapping it rather
    /// than reading it (the cache replaces files only by renaming, never writes one in place).
    fn load_file(engine: &Engine, path: &std::path::Path) -> wasmtime::Result<Self>;
}

impl Artifact for wasmtime::component::Component {
    const KIND: &'static str = "component";
    fn compile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Self> {
        wasmtime::component::Component::new(engine, wasm)
    }
    fn precompile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Vec<u8>> {
        engine.precompile_component(wasm)
    }
    #[allow(unsafe_code)]
    fn load(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Self> {
        // SAFETY: `bytes` were produced by `Engine::precompile_component` of this same wasmtime
        // build (the cache key includes the engine's compatibility hash) and their checksum was
        // verified against the one recorded when they were written, so they are not corrupt.
        // wasmtime itself rejects artifacts from other versions or settings.
        unsafe { wasmtime::component::Component::deserialize(engine, bytes) }
    }
    #[allow(unsafe_code)]
    fn load_file(engine: &Engine, path: &std::path::Path) -> wasmtime::Result<Self> {
        // SAFETY: as for `load`: the file was produced by this wasmtime build and its checksum
        // verified just before; it is mapped, and the cache never writes a file in place (a
        // new entry is renamed over the old one, which keeps the mapped inode alive).
        unsafe { wasmtime::component::Component::deserialize_file(engine, path) }
    }
}

impl Artifact for wasmtime::Module {
    const KIND: &'static str = "module";
    fn compile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Self> {
        wasmtime::Module::new(engine, wasm)
    }
    fn precompile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Vec<u8>> {
        engine.precompile_module(wasm)
    }
    #[allow(unsafe_code)]
    fn load(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Self> {
        // SAFETY: as for components above: produced by this wasmtime build, checksum verified.
        unsafe { wasmtime::Module::deserialize(engine, bytes) }
    }
    #[allow(unsafe_code)]
    fn load_file(engine: &Engine, path: &std::path::Path) -> wasmtime::Result<Self> {
        // SAFETY: as for components above: verified just before, never written in place.
        unsafe { wasmtime::Module::deserialize_file(engine, path) }
    }
}
