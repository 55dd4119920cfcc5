//! The local cache of fetched packages: content-addressed by the sha256 of the wasm
//! (`CACHE/registry/sha256/HEX.wasm`), checked on every read, written atomically. What a lock
//! file pins and the cache holds needs no network.

use sha2::Digest;
use std::path::{Path, PathBuf};

/// A package cache folder.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache under `dir` (`dir/registry/sha256/`).
    pub fn at(dir: &Path) -> Cache {
        Cache {
            dir: dir.join("registry").join("sha256"),
        }
    }

    /// The platform cache folder: `$XDG_CACHE_HOME/wct`, else `~/.cache/wct` (the one the
    /// compile cache uses too).
    pub fn default_dir() -> Option<PathBuf> {
        wct_io::cache_dir()
    }

    fn path(&self, digest: &str) -> Option<PathBuf> {
        let hex = digest.strip_prefix("sha256:")?;
        (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| self.dir.join(format!("{hex}.wasm")))
    }

    /// The wasm with `digest`, if the cache holds it intact (a damaged entry is a miss).
    pub fn get(&self, digest: &str) -> Option<Vec<u8>> {
        let bytes = std::fs::read(self.path(digest)?).ok()?;
        (sha256_digest(&bytes) == digest).then_some(bytes)
    }

    /// Stores `bytes` (whose digest is `digest`); a cache that cannot be written is not an
    /// error, only a later miss.
    pub fn put(&self, digest: &str, bytes: &[u8]) {
        let Some(path) = self.path(digest) else {
            return;
        };
        if std::fs::create_dir_all(&self.dir).is_ok() {
            let _ = wct_io::write_atomic(&path, bytes);
        }
    }
}

/// `sha256:HEX` of `bytes`: the digest OCI gives a layer.
pub fn sha256_digest(bytes: &[u8]) -> String {
    let hash = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for byte in hash {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_checked_on_read() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path());
        let digest = sha256_digest(b"wasm");
        assert!(cache.get(&digest).is_none());
        cache.put(&digest, b"wasm");
        assert_eq!(cache.get(&digest).unwrap(), b"wasm");
        // A damaged entry is a miss, not wrong bytes.
        std::fs::write(cache.path(&digest).unwrap(), b"other").unwrap();
        assert!(cache.get(&digest).is_none());
        assert!(cache.get("sha256:../../etc/passwd").is_none());
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
