//! The on-disk compile cache.
//!
//! Entries are keyed by the BLAKE3 hash of the wasm bytes, the artifact kind, the compiler and
//! wasmtime's own compatibility hash of the engine (its version and every setting that changes
//! generated code). Each entry `KEY.cwasm` has a `KEY.blake3` with the checksum of its
//! contents; an entry whose checksum does not match, or that wasmtime refuses to load, is
//! deleted and rebuilt, never trusted. Writes are atomic.
//!
//! BLAKE3 rather than SHA-256: a warm run hashes the whole input and the whole artifact, and
//! on a 2.7 MB component SHA-256 was a sixth of the run's time; BLAKE3 is a cryptographic hash
//! too (a key cannot be forged to load another program's code) at several times the speed.

use crate::artifact::{Artifact, Compiler};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;

/// A cache folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    dir: PathBuf,
}

/// The platform cache folder: `$XDG_CACHE_HOME/wct`, else `~/.cache/wct`
/// ([`wct_io::cache_dir`], shared with the registry's package cache).
pub fn default_dir() -> Option<PathBuf> {
    wct_io::cache_dir()
}

impl Cache {
    /// A cache in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of `wasm` compiled by `engine` with `compiler`.
    pub fn key<T: Artifact>(engine: &Engine, wasm: &[u8], compiler: Compiler) -> String {
        let mut engine_hash = std::collections::hash_map::DefaultHasher::new();
        engine
            .precompile_compatibility_hash()
            .hash(&mut engine_hash);
        let mut h = blake3::Hasher::new();
        h.update(T::KIND.as_bytes());
        h.update(&[0]);
        h.update(compiler.name().as_bytes());
        h.update(&[0]);
        h.update(&engine_hash.finish().to_le_bytes());
        h.update(writer_version().as_bytes());
        h.update(blake3::hash(wasm).as_bytes());
        h.finalize().to_hex().to_string()
    }

    fn paths(&self, key: &str) -> (PathBuf, PathBuf) {
        (
            self.dir.join(format!("{key}.cwasm")),
            self.dir.join(format!("{key}.blake3")),
        )
    }

    /// Loads a verified entry, or `None` (removing a corrupt or stale one).
    pub fn load<T: Artifact>(&self, engine: &Engine, wasm: &[u8], compiler: Compiler) -> Option<T> {
        let key = Self::key::<T>(engine, wasm, compiler);
        let (data, sum) = self.paths(&key);
        let bytes = std::fs::read(&data).ok()?;
        let expected = std::fs::read_to_string(&sum).ok();
        let valid = expected.is_some_and(|e| e.trim() == blake3::hash(&bytes).to_hex().as_str());
        if valid {
            if let Ok(artifact) = T::load(engine, &bytes) {
                return Some(artifact);
            }
        }
        let _ = std::fs::remove_file(&data);
        let _ = std::fs::remove_file(&sum);
        None
    }

    /// Stores compiled bytes; failures only cost a later recompile, so they are ignored.
    pub fn store<T: Artifact>(
        &self,
        engine: &Engine,
        wasm: &[u8],
        compiler: Compiler,
        bytes: &[u8],
    ) {
        let key = Self::key::<T>(engine, wasm, compiler);
        let (data, sum) = self.paths(&key);
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        if wct_io::write_atomic(&data, bytes).is_ok() {
            let _ = wct_io::write_atomic(&sum, blake3::hash(bytes).to_hex().as_bytes());
        }
    }

    /// Number of entries (for tests and `--verbose`).
    pub fn len(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
                    .count()
            })
            .unwrap_or(0)
    }

    /// True when the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The version of wct that wrote an entry: part of every key, so a wct upgrade never reads
/// what an older wct wrote. (The wasmtime version and engine settings are covered by the
/// engine's compatibility hash, which the key also holds.)
fn writer_version() -> &'static str {
    concat!("wct-", env!("CARGO_PKG_VERSION"))
}
