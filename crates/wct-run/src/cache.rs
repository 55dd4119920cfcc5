//! The on-disk compile cache.
//!
//! Entries are keyed by the BLAKE3 hash of the wasm bytes, the artifact kind, the compiler and
//! wasmtime's own compatibility hash of the engine (its version and every setting that changes
//! generated code). Each entry `KEY.cwasm` has a `KEY.blake3` with the checksum of its
//! contents; an entry whose checksum does not match, or that wasmtime refuses to load, is
//! deleted and rebuilt, never trusted. Writes are atomic (a new file renamed into place, never
//! one written in place), so a hit is hashed through a read-only map and handed to wasmtime
//! as a file to map: a warm start copies none of the artifact.
//!
//! The cache is bounded ([`DEFAULT_MAX_SIZE`], or [`Cache::with_max_size`]): every store that
//! takes it over the bound deletes the least recently used entries (a hit renews an entry's
//! modification time) until it holds 70% of the bound, as wasmtime's own cache does. Only
//! wct's entries and its abandoned temporary files are ever deleted; anything else in the
//! folder (the registry's packages, a user's files) is left alone.
//!
//! BLAKE3 rather than SHA-256: a warm run hashes the whole input and the whole artifact, and
//! on a 2.7 MB component SHA-256 was a sixth of the run's time; BLAKE3 is a cryptographic hash
//! too (a key cannot be forged to load another program's code) at several times the speed.

use crate::artifact::{Artifact, Compiler};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use wasmtime::Engine;

/// A cache folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    dir: PathBuf,
    max_size: u64,
}

/// The bound on a cache's entries unless [`Cache::with_max_size`] sets another: 1 GiB,
/// wasmtime's default. A component's compiled code is 1 to 40 MB.
pub const DEFAULT_MAX_SIZE: u64 = 1 << 30;

/// A store that takes the cache over its bound prunes it to this share of the bound, so that
/// the next stores do not each prune again.
const PRUNE_TO_PERCENT: u64 = 70;

/// A temporary file of an atomic write older than this was abandoned by a killed process.
const ABANDONED_AFTER: Duration = Duration::from_secs(3600);

/// The platform cache folder: `$XDG_CACHE_HOME/wct`, else `~/.cache/wct`
/// ([`wct_io::cache_dir`], shared with the registry's package cache).
pub fn default_dir() -> Option<PathBuf> {
    wct_io::cache_dir()
}

impl Cache {
    /// A cache in `dir` (created on first write), bounded by [`DEFAULT_MAX_SIZE`].
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache {
            dir: dir.into(),
            max_size: DEFAULT_MAX_SIZE,
        }
    }

    /// The same cache bounded by `bytes` of entries instead. An entry larger than the bound
    /// is still kept until the next store.
    pub fn with_max_size(self, bytes: u64) -> Cache {
        Cache {
            max_size: bytes,
            ..self
        }
    }

    /// The bound on the entries' total size, in bytes.
    pub fn max_size(&self) -> u64 {
        self.max_size
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
        h.update(
            blake3::Hasher::new()
                .update_rayon(wasm)
                .finalize()
                .as_bytes(),
        );
        h.finalize().to_hex().to_string()
    }

    fn paths(&self, key: &str) -> (PathBuf, PathBuf) {
        (
            self.dir.join(format!("{key}.cwasm")),
            self.dir.join(format!("{key}.blake3")),
        )
    }

    /// Whether optimized (Cranelift) code compiled by `engine` is here for every core module
    /// the component `component` imports from `dir` (`DIR/NAME.wasm`, as `wct unbundle`
    /// writes them); false when it imports none or a file cannot be read. Entries are only
    /// looked for: loading verifies them.
    pub fn holds_imported_modules(&self, engine: &Engine, component: &[u8], dir: &Path) -> bool {
        let imported = wct_component::unbundle::imported_modules(component);
        !imported.is_empty()
            && imported.iter().all(|name| {
                wct_io::read_file(&dir.join(format!("{name}.wasm"))).is_ok_and(|bytes| {
                    let key = Self::key::<wasmtime::Module>(engine, &bytes, Compiler::Cranelift);
                    let (data, sum) = self.paths(&key);
                    data.is_file() && sum.is_file()
                })
            })
    }

    /// Loads a verified entry, or `None` (removing a corrupt or stale one).
    pub fn load<T: Artifact>(&self, engine: &Engine, wasm: &[u8], compiler: Compiler) -> Option<T> {
        let key = Self::key::<T>(engine, wasm, compiler);
        let (data, sum) = self.paths(&key);
        let expected = std::fs::read_to_string(&sum).ok()?;
        // Hashed through a read-only map on both cores, then mapped by wasmtime: the entry is
        // never copied into memory.
        let actual = blake3::Hasher::new()
            .update_mmap_rayon(&data)
            .ok()?
            .finalize();
        if expected.trim() == actual.to_hex().as_str() {
            if let Ok(artifact) = T::load_file(engine, &data) {
                renew(&data);
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
        // Not synced to the disk: `load` checks the entry against its sum, so a crash can
        // only cost a recompile (syncing a large component's code took as long as loading it).
        if wct_io::write_verified(&data, bytes).is_ok() {
            let _ = wct_io::write_verified(&sum, blake3::hash(bytes).to_hex().as_bytes());
        }
        self.prune(&key);
    }

    /// Claims the compile of `wasm` by `engine` with `compiler` for this process, or `None`
    /// when another process has claimed it within the hour (it is compiling the same
    /// code: a second compile would only cost time). The claim is a `KEY.lock` file made with
    /// `create_new` (atomic), removed when the [`Claim`] drops; a process killed meanwhile
    /// leaves one that expires. A cache whose folder cannot be written claims nothing.
    pub fn claim<T: Artifact>(
        &self,
        engine: &Engine,
        wasm: &[u8],
        compiler: Compiler,
    ) -> Option<Claim> {
        let key = Self::key::<T>(engine, wasm, compiler);
        let path = self.dir.join(format!("{key}.lock"));
        std::fs::create_dir_all(&self.dir).ok()?;
        for _ in 0..2 {
            match std::fs::File::options()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Some(Claim { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let expired = std::fs::metadata(&path)
                        .ok()
                        .and_then(|m| m.modified().ok())
                        .and_then(|m| m.elapsed().ok())
                        .is_some_and(|age| age > ABANDONED_AFTER);
                    if !expired {
                        return None;
                    }
                    let _ = std::fs::remove_file(&path);
                }
                Err(_) => return None,
            }
        }
        None
    }

    /// Deletes the least recently used entries but `keep` while the entries exceed the bound,
    /// down to [`PRUNE_TO_PERCENT`] of it, and temporary files abandoned by killed writers.
    /// Another process may prune at the same time: what it deleted first is skipped.
    fn prune(&self, keep: &str) {
        let Ok(listing) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut entries: Vec<Entry> = Vec::new();
        let mut checksums: Vec<(String, u64)> = Vec::new();
        for file in listing.filter_map(Result::ok) {
            let name = file.file_name().to_string_lossy().into_owned();
            let Ok(meta) = file.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            if let Some(key) = entry_key(&name, ".cwasm") {
                entries.push(Entry {
                    key: key.to_string(),
                    size: meta.len(),
                    used: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                });
            } else if let Some(key) = entry_key(&name, ".blake3") {
                checksums.push((key.to_string(), meta.len()));
            } else if is_abandoned(&name, &meta) {
                let _ = std::fs::remove_file(file.path());
            }
        }
        for (key, size) in checksums {
            match entries.iter_mut().find(|e| e.key == key) {
                Some(entry) => entry.size += size,
                // A checksum whose entry is gone (a prune or a load deleted it).
                None => {
                    let _ = std::fs::remove_file(self.dir.join(format!("{key}.blake3")));
                }
            }
        }
        let mut total: u64 = entries.iter().map(|e| e.size).sum();
        if total <= self.max_size {
            return;
        }
        let target = self.max_size / 100 * PRUNE_TO_PERCENT;
        entries.sort_by(|a, b| a.used.cmp(&b.used).then_with(|| a.key.cmp(&b.key)));
        for entry in entries.iter().filter(|e| e.key != keep) {
            if total <= target {
                break;
            }
            let (data, sum) = self.paths(&entry.key);
            let _ = std::fs::remove_file(&data);
            let _ = std::fs::remove_file(&sum);
            total -= entry.size;
        }
    }

    /// Total size in bytes of the entries and their checksums.
    pub fn size(&self) -> u64 {
        std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        entry_key(&name, ".cwasm").is_some()
                            || entry_key(&name, ".blake3").is_some()
                    })
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
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

/// A compile this process has claimed ([`Cache::claim`]); dropping it releases the claim.
#[derive(Debug)]
pub struct Claim {
    path: PathBuf,
}

impl Drop for Claim {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// One compiled entry as a prune sees it.
struct Entry {
    key: String,
    /// Bytes of the entry and its checksum.
    size: u64,
    /// When it was written or last loaded.
    used: SystemTime,
}

/// The key of a file named `KEY{suffix}` where KEY is a cache key (64 hex digits).
fn entry_key<'a>(name: &'a str, suffix: &str) -> Option<&'a str> {
    let key = name.strip_suffix(suffix)?;
    (key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit())).then_some(key)
}

/// A temporary file of [`wct_io::write_atomic`] (`.wct-*.tmp`) or a [`Claim`]'s lock older
/// than [`ABANDONED_AFTER`]: its process was killed.
fn is_abandoned(name: &str, meta: &std::fs::Metadata) -> bool {
    let temporary = name.starts_with(".wct-") && name.ends_with(".tmp");
    (temporary || entry_key(name, ".lock").is_some())
        && meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > ABANDONED_AFTER)
}

/// Marks an entry as just used: its modification time is what a prune orders by. A cache
/// that cannot be written is still read, so a failure is ignored.
fn renew(data: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(data) {
        let _ = file.set_modified(SystemTime::now());
    }
}

/// The version of wct that wrote an entry: part of every key, so a wct upgrade never reads
/// what an older wct wrote. (The wasmtime version and engine settings are covered by the
/// engine's compatibility hash, which the key also holds.)
fn writer_version() -> &'static str {
    concat!("wct-", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::Module;

    /// A module whose code differs by `n`, and its compiled bytes.
    fn compiled(engine: &Engine, n: u32) -> (Vec<u8>, Vec<u8>) {
        let wasm = wat::parse_str(format!(
            "(module (func (export \"f\") (result i32) i32.const {n}))"
        ))
        .unwrap();
        let bytes = Module::precompile(engine, &wasm).unwrap();
        (wasm, bytes)
    }

    /// Sets `path`'s modification time to `ago` before now.
    fn modified_ago(path: &Path, ago: Duration) {
        let file = std::fs::File::options().append(true).open(path).unwrap();
        file.set_modified(SystemTime::now() - ago).unwrap();
    }

    /// Sets when `key`'s entry was last used.
    fn used_at(cache: &Cache, key: &str, seconds_ago: u64) {
        modified_ago(&cache.paths(key).0, Duration::from_secs(seconds_ago));
    }

    fn has(cache: &Cache, engine: &Engine, wasm: &[u8]) -> bool {
        let key = Cache::key::<Module>(engine, wasm, Compiler::Cranelift);
        cache.paths(&key).0.exists() && cache.paths(&key).1.exists()
    }

    #[test]
    fn a_store_over_the_bound_deletes_the_least_recently_used_entries() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::default();
        let modules: Vec<_> = (0..4).map(|n| compiled(&engine, n)).collect();
        let entry = modules[0].1.len() as u64 + 64;
        // Room for three entries; storing a fourth prunes to 70% of that: two remain.
        let cache = Cache::new(dir.path()).with_max_size(entry * 3 + entry / 2);
        for (age, (wasm, bytes)) in modules[..3].iter().enumerate() {
            cache.store::<Module>(&engine, wasm, Compiler::Cranelift, bytes);
            let key = Cache::key::<Module>(&engine, wasm, Compiler::Cranelift);
            used_at(&cache, &key, 1000 - age as u64 * 100);
        }
        assert_eq!(cache.len(), 3);
        // A hit renews the oldest: the second one is now the least recently used.
        assert!(cache
            .load::<Module>(&engine, &modules[0].0, Compiler::Cranelift)
            .is_some());
        let (wasm, bytes) = &modules[3];
        cache.store::<Module>(&engine, wasm, Compiler::Cranelift, bytes);
        assert_eq!(cache.len(), 2);
        assert!(
            has(&cache, &engine, &modules[0].0),
            "the renewed entry was deleted"
        );
        assert!(!has(&cache, &engine, &modules[1].0));
        assert!(!has(&cache, &engine, &modules[2].0));
        assert!(
            has(&cache, &engine, &modules[3].0),
            "the new entry was deleted"
        );
        assert!(cache.size() <= cache.max_size());
    }

    #[test]
    fn a_prune_keeps_the_new_entry_and_everything_that_is_not_an_entry() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::default();
        let registry = dir.path().join("registry").join("sha256");
        std::fs::create_dir_all(&registry).unwrap();
        std::fs::write(registry.join("package.wasm"), b"\0asm").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
        let fresh_temporary = dir.path().join(".wct-fresh.tmp");
        std::fs::write(&fresh_temporary, b"being written").unwrap();
        let old_temporary = dir.path().join(".wct-old.tmp");
        std::fs::write(&old_temporary, b"abandoned").unwrap();
        modified_ago(&old_temporary, ABANDONED_AFTER * 2);
        let old_lock = dir.path().join(format!("{}.lock", "cd".repeat(32)));
        std::fs::write(&old_lock, b"").unwrap();
        modified_ago(&old_lock, ABANDONED_AFTER * 2);
        let fresh_lock = dir.path().join(format!("{}.lock", "ef".repeat(32)));
        std::fs::write(&fresh_lock, b"").unwrap();
        let orphan = dir.path().join(format!("{}.blake3", "ab".repeat(32)));
        std::fs::write(&orphan, b"checksum of nothing").unwrap();

        // A bound smaller than one entry: the entry just stored stays all the same.
        let cache = Cache::new(dir.path()).with_max_size(1);
        let (first, bytes) = compiled(&engine, 1);
        cache.store::<Module>(&engine, &first, Compiler::Cranelift, &bytes);
        assert!(has(&cache, &engine, &first));
        let (second, bytes) = compiled(&engine, 2);
        cache.store::<Module>(&engine, &second, Compiler::Cranelift, &bytes);
        assert!(has(&cache, &engine, &second));
        assert!(!has(&cache, &engine, &first));
        assert_eq!(cache.len(), 1);

        assert!(registry.join("package.wasm").exists());
        assert!(dir.path().join("notes.txt").exists());
        assert!(fresh_temporary.exists(), "a write in progress was deleted");
        assert!(
            !old_temporary.exists(),
            "an abandoned temporary file was kept"
        );
        assert!(!orphan.exists(), "a checksum without its entry was kept");
        assert!(!old_lock.exists(), "an abandoned claim was kept");
        assert!(fresh_lock.exists(), "a claim in force was deleted");
    }

    #[test]
    fn one_process_at_a_time_claims_a_compile() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::default();
        let cache = Cache::new(dir.path());
        let (wasm, _) = compiled(&engine, 7);
        let claim = cache.claim::<Module>(&engine, &wasm, Compiler::Cranelift);
        assert!(claim.is_some());
        assert!(cache
            .claim::<Module>(&engine, &wasm, Compiler::Cranelift)
            .is_none());
        // Another compiler's code is another compile.
        assert!(cache
            .claim::<Module>(&engine, &wasm, Compiler::Winch)
            .is_some());
        drop(claim);
        let again = cache.claim::<Module>(&engine, &wasm, Compiler::Cranelift);
        assert!(again.is_some(), "a released claim still holds");
        // A claim left by a killed process expires.
        std::mem::forget(again);
        let key = Cache::key::<Module>(&engine, &wasm, Compiler::Cranelift);
        modified_ago(&dir.path().join(format!("{key}.lock")), ABANDONED_AFTER * 2);
        assert!(cache
            .claim::<Module>(&engine, &wasm, Compiler::Cranelift)
            .is_some());
    }

    #[test]
    fn under_the_bound_nothing_is_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::default();
        let cache = Cache::new(dir.path());
        assert_eq!(cache.max_size(), DEFAULT_MAX_SIZE);
        for n in 0..5 {
            let (wasm, bytes) = compiled(&engine, n);
            cache.store::<Module>(&engine, &wasm, Compiler::Cranelift, &bytes);
        }
        assert_eq!(cache.len(), 5);
    }
}
