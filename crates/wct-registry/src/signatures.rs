//! Signatures attached as cosign attaches them (wct-sign makes and checks them; this module
//! moves them): [`Registry::sign`] signs the manifest a tag names and pushes the signature to
//! `sha256-<hex>.sig` beside it, keeping the signatures already there; [`Registry::verify`]
//! reads the manifest's bytes, computes their digest here (never trusting the registry's), and
//! accepts it only when one signature layer verifies with the key and names that digest.
//! [`Registry::pull`] verifies before it downloads when given a key.

use crate::client::{classify, is_not_found, reference};
use crate::naming::Location;
use crate::{Error, Registry, Result};
use oci_client::client::{Config, ImageLayer};
use oci_client::manifest::{OciImageManifest, OCI_IMAGE_MEDIA_TYPE};
use serde::Serialize;
use std::collections::BTreeMap;
use wct_sign::attachment::{self, SignatureLayer, SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE};
use wct_sign::{PrivateKey, PublicKey};

/// A signature pushed.
#[derive(Debug, Clone, Serialize)]
pub struct Signed {
    /// The reference signed (`REGISTRY/REPOSITORY:TAG`).
    pub reference: String,
    /// The digest of the manifest signed.
    pub manifest_digest: String,
    /// Where the signature is (`REGISTRY/REPOSITORY:sha256-<hex>.sig`).
    pub signature: String,
}

/// A signature found and verified.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    /// The reference verified.
    pub reference: String,
    /// The digest of its manifest, as computed here.
    pub manifest_digest: String,
    /// Where the signature is.
    pub signature: String,
    /// The repository the signer pushed to, as the signed payload says.
    pub identity: String,
}

/// A manifest as the registry stores it: its bytes, parsed, and their digest.
pub(crate) struct RawManifest {
    pub(crate) manifest: OciImageManifest,
    pub(crate) digest: String,
}

impl Registry {
    /// The manifest `tag_or_digest` names in `location`, its digest computed from its bytes.
    pub(crate) fn raw_manifest(
        &self,
        location: &Location,
        tag_or_digest: &str,
    ) -> Result<Option<RawManifest>> {
        let client = self.client(location)?;
        let image = reference(location, tag_or_digest);
        let fetched = self.runtime.block_on(client.pull_manifest_raw(
            &image,
            &self.auth(location),
            &[
                OCI_IMAGE_MEDIA_TYPE,
                oci_client::manifest::IMAGE_MANIFEST_MEDIA_TYPE,
            ],
        ));
        let bytes = match fetched {
            Ok((bytes, _)) => bytes,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(classify(location, e)),
        };
        let manifest = serde_json::from_slice(&bytes).map_err(|e| Error::Registry {
            registry: location.registry.clone(),
            message: format!(
                "{}: the manifest does not parse: {e}",
                location.reference(tag_or_digest)
            ),
        })?;
        Ok(Some(RawManifest {
            manifest,
            digest: crate::cache::sha256_digest(&bytes),
        }))
    }

    /// Signs the manifest `tag` names in `location` with `key` and attaches the signature.
    pub fn sign(&self, location: &Location, tag: &str, key: &PrivateKey) -> Result<Signed> {
        let raw = self
            .raw_manifest(location, tag)?
            .ok_or_else(|| Error::NothingToSign {
                reference: location.reference(tag),
            })?;
        self.sign_digest(location, tag, &raw.digest, key)
    }

    /// Signs the manifest `digest` (what `tag` names) and attaches the signature beside it,
    /// after the signatures already attached.
    pub fn sign_digest(
        &self,
        location: &Location,
        tag: &str,
        digest: &str,
        key: &PrivateKey,
    ) -> Result<Signed> {
        let repository = format!("{}/{}", location.registry, location.repository);
        let ours = attachment::sign(key, &repository, digest);
        let signature_tag = attachment::signature_tag(digest).map_err(Error::Signature)?;
        let mut layers = self.signature_layers(location, &signature_tag)?;
        if !layers.contains(&ours) {
            layers.push(ours);
        }
        let images: Vec<ImageLayer> = layers
            .iter()
            .map(|l| {
                ImageLayer::new(
                    l.payload.clone(),
                    SIMPLE_SIGNING_MEDIA_TYPE.to_string(),
                    Some(BTreeMap::from([(
                        SIGNATURE_ANNOTATION.to_string(),
                        l.signature.clone(),
                    )])),
                )
            })
            .collect();
        let config = Config::new(
            attachment::config_json(&layers),
            attachment::CONFIG_MEDIA_TYPE.to_string(),
            None,
        );
        let mut manifest = OciImageManifest::build(&images, &config, None);
        manifest.media_type = Some(OCI_IMAGE_MEDIA_TYPE.to_string());
        let client = self.client(location)?;
        self.runtime
            .block_on(client.push(
                &reference(location, &signature_tag),
                &images,
                config,
                &self.auth(location),
                Some(manifest),
            ))
            .map_err(|e| classify(location, e))?;
        Ok(Signed {
            reference: location.reference(tag),
            manifest_digest: digest.to_string(),
            signature: location.reference(&signature_tag),
        })
    }

    /// The signature layers attached at `signature_tag` (none when there is no such tag).
    fn signature_layers(
        &self,
        location: &Location,
        signature_tag: &str,
    ) -> Result<Vec<SignatureLayer>> {
        let Some(raw) = self.raw_manifest(location, signature_tag)? else {
            return Ok(Vec::new());
        };
        let client = self.client(location)?;
        let image = reference(location, signature_tag);
        let mut layers = Vec::new();
        for layer in &raw.manifest.layers {
            let Some(signature) = layer
                .annotations
                .as_ref()
                .and_then(|a| a.get(SIGNATURE_ANNOTATION))
            else {
                continue;
            };
            if layer.media_type != SIMPLE_SIGNING_MEDIA_TYPE {
                continue;
            }
            let mut payload = Vec::new();
            self.runtime
                .block_on(client.pull_blob(&image, layer, &mut payload))
                .map_err(|e| classify(location, e))?;
            if crate::cache::sha256_digest(&payload) != layer.digest {
                continue;
            }
            layers.push(SignatureLayer {
                payload,
                signature: signature.clone(),
            });
        }
        Ok(layers)
    }

    /// Verifies that the manifest `tag` names in `location` is signed by `key`.
    pub fn verify(&self, location: &Location, tag: &str, key: &PublicKey) -> Result<Verified> {
        let raw = self
            .raw_manifest(location, tag)?
            .ok_or_else(|| Error::NothingToSign {
                reference: location.reference(tag),
            })?;
        self.verify_digest(location, tag, &raw.digest, key)
    }

    /// Verifies that the manifest `digest` (what `tag` names) is signed by `key`.
    pub(crate) fn verify_digest(
        &self,
        location: &Location,
        tag: &str,
        digest: &str,
        key: &PublicKey,
    ) -> Result<Verified> {
        let signature_tag = attachment::signature_tag(digest).map_err(Error::Signature)?;
        let layers = self.signature_layers(location, &signature_tag)?;
        if layers.is_empty() {
            return Err(Error::Unsigned {
                reference: location.reference(tag),
                digest: digest.to_string(),
            });
        }
        let mut reasons = Vec::new();
        for layer in &layers {
            match attachment::check(layer, key, digest) {
                Ok(payload) => {
                    return Ok(Verified {
                        reference: location.reference(tag),
                        manifest_digest: digest.to_string(),
                        signature: location.reference(&signature_tag),
                        identity: payload.critical.identity.docker_reference,
                    })
                }
                Err(e) => reasons.push(e.to_string()),
            }
        }
        reasons.sort();
        reasons.dedup();
        Err(Error::NotSignedByKey {
            reference: location.reference(tag),
            digest: digest.to_string(),
            reasons,
        })
    }
}
