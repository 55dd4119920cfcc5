//! Software bills of materials of WebAssembly components: what is inside a component, in
//! the two formats security tools read (CycloneDX 1.6 JSON, SPDX 2.3 JSON).
//!
//! - [`describe`]: the [`Sbom`] of a file, format-independent ([`model`]): the component and
//!   every component and core module nested in it, each with its SHA-256, name and role
//!   (a language runtime, libc, the Preview 1 adapter, a snapshot: `wct size`'s facts),
//!   producers, metadata (version, licences, authors, source, revision, homepage,
//!   description), the Rust crates of its `.dep-v0` section, its imports and exports, and the
//!   composition (which instance fills which import);
//! - [`cyclonedx`] and [`spdx`]: the document in each format ([`cyclonedx::document`],
//!   [`spdx::document`]), deterministic (sorted, no time stamp unless one is given).
//!
//! Private: `parts` (the part tree from the metadata, size and composition facts) and
//! `composition` (the instantiations read from the binary).
#![deny(missing_docs)]

mod composition;
pub mod cyclonedx;
pub mod model;
mod parts;
pub mod spdx;

pub use model::{Crate, Link, Part, PartKind, Provider, Role, RoleKind, Sbom, Tool};

use std::collections::BTreeMap;
use wct_component::metadata::{self, MetadataError};
use wct_component::size::{self, Stop};

/// Why a file has no SBOM.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SbomError {
    /// It is not a module or component wasm-metadata can read.
    #[error("not a module or component")]
    Unreadable(#[source] MetadataError),
    /// It is truncated or malformed.
    #[error("the binary is malformed")]
    Malformed(#[source] Stop),
}

/// The SBOM of `wasm` (a component or core module), named `file_name` in the documents.
pub fn describe(wasm: &[u8], file_name: &str) -> Result<Sbom, SbomError> {
    let entry = metadata::show(wasm).map_err(SbomError::Unreadable)?;
    let sizes = size::analyze_bytes(wasm);
    if let Some(stop) = sizes.stopped {
        return Err(SbomError::Malformed(stop));
    }
    let composition = composition::read(wasm);
    let mut crates = BTreeMap::new();
    let root = parts::gather(wasm, &entry, &sizes.root, &composition, &mut crates);
    let ids: BTreeMap<u64, String> = root
        .walk()
        .into_iter()
        .map(|p| (p.offset, p.id.clone()))
        .collect();
    let mut links: Vec<Link> = composition
        .filled
        .iter()
        .filter_map(|f| {
            let dependent = ids.get(&f.dependent)?.clone();
            let provider = match &f.filler {
                composition::Filler::Part(at) => Provider::Part(ids.get(at)?.clone()),
                composition::Filler::Import(name) => Provider::Import(name.clone()),
            };
            Some(Link {
                dependent,
                provider,
                import: f.import.clone(),
            })
        })
        .collect();
    links.sort();
    links.dedup();
    Ok(Sbom {
        file_name: file_name.to_string(),
        root,
        crates: crates.into_values().collect(),
        links,
    })
}

/// The SHA-256 (hex) of the file a CycloneDX or SPDX JSON document describes: the
/// `metadata.component`'s `SHA-256` hash, or the `SHA256` checksum of the package the SPDX
/// document `DESCRIBES`. `None` when the document is neither or names no digest. What
/// `wct pull --sbom` checks an attached SBOM against.
pub fn described_sha256(document: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(document).ok()?;
    if value["bomFormat"] == "CycloneDX" {
        return value["metadata"]["component"]["hashes"]
            .as_array()?
            .iter()
            .find(|h| h["alg"] == "SHA-256")?["content"]
            .as_str()
            .map(str::to_lowercase);
    }
    let described = value["relationships"].as_array()?.iter().find(|r| {
        r["spdxElementId"] == "SPDXRef-DOCUMENT" && r["relationshipType"] == "DESCRIBES"
    })?["relatedSpdxElement"]
        .clone();
    value["packages"]
        .as_array()?
        .iter()
        .find(|p| p["SPDXID"] == described)?["checksums"]
        .as_array()?
        .iter()
        .find(|c| c["algorithm"] == "SHA256")?["checksumValue"]
        .as_str()
        .map(str::to_lowercase)
}

/// What a document says of itself beyond the SBOM.
#[derive(Debug, Clone, Default)]
pub struct DocumentOptions {
    /// When it was made (RFC 3339, UTC); `None` leaves it out where the format allows and
    /// says the Unix epoch where it requires one (SPDX), so the same input gives the same
    /// bytes.
    pub timestamp: Option<String>,
}

/// The tool named in the documents: wct, at this crate's (the workspace's) version.
pub(crate) const TOOL_NAME: &str = "wct";

/// This crate's version, which is wct's.
pub(crate) const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A URN UUID derived from `sha256` (hex): version 8 (RFC 9562's custom layout), so the same
/// file always gets the same serial number.
pub(crate) fn urn_uuid(sha256: &str) -> String {
    let mut hex: Vec<char> = sha256.chars().take(32).collect();
    hex.resize(32, '0');
    hex[12] = '8';
    hex[16] = match hex[16].to_digit(16).unwrap_or(0) & 0x3 {
        0 => '8',
        1 => '9',
        2 => 'a',
        _ => 'b',
    };
    let s: String = hex.into_iter().collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &s[0..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_say_which_file_they_describe() {
        let wasm = wat::parse_str("(component)").unwrap();
        let sbom = describe(&wasm, "empty.wasm").unwrap();
        let options = DocumentOptions::default();
        for document in [
            cyclonedx::document(&sbom, &options),
            spdx::document(&sbom, &options),
        ] {
            let bytes = serde_json::to_vec(&document).unwrap();
            assert_eq!(
                described_sha256(&bytes).as_deref(),
                Some(sbom.root.sha256.as_str())
            );
        }
        assert_eq!(described_sha256(b"{}"), None);
        assert_eq!(described_sha256(b"not json"), None);
    }

    #[test]
    fn serials_are_derived_from_the_digest() {
        let digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(
            urn_uuid(digest),
            "urn:uuid:01234567-89ab-8def-8123-456789abcdef"
        );
    }
}
