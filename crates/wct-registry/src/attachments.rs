//! An SBOM attached to a published artifact as cosign attaches one (`cosign attach sbom`,
//! read back by `cosign download sbom`): an OCI image manifest at the tag `sha256-<hex>.sbom`
//! beside the manifest it describes, with the document as its one layer, typed by format
//! (`application/vnd.cyclonedx+json`, `text/spdx+json`).

use crate::client::{classify, reference};
use crate::naming::Location;
use crate::{Error, Registry, Result};
use oci_client::client::{Config, ImageLayer};
use oci_client::manifest::{OciImageManifest, OCI_IMAGE_MEDIA_TYPE};

/// The media type of a CycloneDX JSON document.
pub const CYCLONEDX_MEDIA_TYPE: &str = "application/vnd.cyclonedx+json";

/// The media type of an SPDX JSON document.
pub const SPDX_MEDIA_TYPE: &str = "text/spdx+json";

/// The tag an SBOM of the manifest `digest` is attached at (`sha256-<hex>.sbom`).
pub fn sbom_tag(digest: &str) -> Result<String> {
    let signature = wct_sign::attachment::signature_tag(digest).map_err(Error::Signature)?;
    Ok(format!("{}.sbom", signature.trim_end_matches(".sig")))
}

/// An SBOM fetched: its media type and bytes.
#[derive(Debug, Clone)]
pub struct AttachedSbom {
    /// `application/vnd.cyclonedx+json` or `text/spdx+json` (as attached).
    pub media_type: String,
    /// Where it is attached.
    pub reference: String,
    /// The document.
    pub bytes: Vec<u8>,
}

impl Registry {
    /// Attaches `document` (of `media_type`) as the SBOM of the manifest `digest` in
    /// `location`, replacing an SBOM attached before; returns where it is.
    pub fn attach_sbom(
        &self,
        location: &Location,
        digest: &str,
        document: &[u8],
        media_type: &str,
    ) -> Result<String> {
        let tag = sbom_tag(digest)?;
        let layer = ImageLayer::new(document.to_vec(), media_type.to_string(), None);
        let config = Config::new(
            b"{}".to_vec(),
            "application/vnd.oci.image.config.v1+json".to_string(),
            None,
        );
        let mut manifest = OciImageManifest::build(std::slice::from_ref(&layer), &config, None);
        manifest.media_type = Some(OCI_IMAGE_MEDIA_TYPE.to_string());
        let client = self.client(location)?;
        self.runtime
            .block_on(client.push(
                &reference(location, &tag),
                &[layer],
                config,
                &self.auth(location),
                Some(manifest),
            ))
            .map_err(|e| classify(location, e))?;
        Ok(location.reference(&tag))
    }

    /// The SBOM attached to the manifest `digest` in `location`, if there is one; its layer's
    /// digest is checked as it downloads.
    pub fn fetch_sbom(&self, location: &Location, digest: &str) -> Result<Option<AttachedSbom>> {
        let tag = sbom_tag(digest)?;
        let Some(raw) = self.raw_manifest(location, &tag)? else {
            return Ok(None);
        };
        let Some(layer) = raw.manifest.layers.first() else {
            return Ok(None);
        };
        let client = self.client(location)?;
        let mut bytes = Vec::new();
        self.runtime
            .block_on(client.pull_blob(&reference(location, &tag), layer, &mut bytes))
            .map_err(|e| classify(location, e))?;
        if crate::cache::sha256_digest(&bytes) != layer.digest {
            return Err(Error::DigestMismatch {
                reference: location.reference(&tag),
                expected: layer.digest.clone(),
                actual: crate::cache::sha256_digest(&bytes),
            });
        }
        Ok(Some(AttachedSbom {
            media_type: layer.media_type.clone(),
            reference: location.reference(&tag),
            bytes,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sbom_tag_follows_cosign() {
        let digest = format!("sha256:{}", "0f".repeat(32));
        assert_eq!(
            sbom_tag(&digest).unwrap(),
            format!("sha256-{}.sbom", "0f".repeat(32))
        );
    }
}
