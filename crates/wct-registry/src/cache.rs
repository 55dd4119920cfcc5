//! The local cache of fetched packages: content-addressed by the sha256 of the wasm
//! (`CACHE/registry/sha256/HEX.wasm`), checked on every read, written atomically. What a lock
//! file pins and the cache holds needs no network. Which digest a tag pointed at when it was
//! last pulled is kept beside (`CACHE/registry/tags/REGISTRY/REPOSITORY/TAG`), so a package
//! pulled once by name and version can be used again offline ([`Cache::pulled`]).

use sha2::Digest;
use std::path::{Path, PathBuf};

/// A package cache folder.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    tags: PathBuf,
}

impl Cache {
    /// The cache under `dir` (`dir/registry/sha256/`).
    pub fn at(dir: &Path) -> Cache {
        Cache {
            dir: dir.join("registry").join("sha256"),
            tags: dir.join("registry").join("tags"),
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

impl Cache {
    /// The folder of `location`'s tags (`:` in a registry's port made `_`).
    fn tag_dir(&self, location: &crate::Location) -> PathBuf {
        let mut dir = self.tags.join(location.registry.replace(':', "_"));
        for segment in location.repository.split('/') {
            dir.push(segment);
        }
        dir
    }

    /// Remembers that `location:tag` pointed at `digest` (a cache that cannot be written is
    /// not an error).
    pub fn put_tag(&self, location: &crate::Location, tag: &str, digest: &str) {
        let dir = self.tag_dir(location);
        if std::fs::create_dir_all(&dir).is_ok() {
            let _ = wct_io::write_atomic(&dir.join(tag), digest.as_bytes());
        }
    }

    /// The newest version of `location` that `spec` accepts among those pulled before and
    /// still in the cache, with its wasm: what `--offline` uses.
    pub fn pulled(
        &self,
        location: &crate::Location,
        spec: &crate::VersionSpec,
    ) -> Option<crate::Pulled> {
        let dir = self.tag_dir(location);
        let mut versions: Vec<semver::Version> = std::fs::read_dir(&dir)
            .ok()?
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
            .filter(|v| spec.matches(v))
            .collect();
        versions.sort();
        versions.into_iter().rev().find_map(|version| {
            let tag = version.to_string();
            let digest = std::fs::read_to_string(dir.join(&tag)).ok()?;
            let bytes = self.get(digest.trim())?;
            Some(crate::Pulled {
                reference: location.reference(&tag),
                version,
                digest: digest.trim().to_string(),
                bytes,
                from_cache: true,
                signature: None,
                manifest_digest: None,
            })
        })
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
