//! A signature as cosign attaches it to an OCI artifact: an image manifest at the tag
//! `sha256-<hex>.sig` (the signed manifest's digest) in the same repository, with one layer
//! per signature. Each layer is a simple-signing payload (media type
//! `application/vnd.dev.cosign.simplesigning.v1+json`) whose annotation
//! `dev.cosignproject.cosign/signature` holds the base64 of the ECDSA signature (ASN.1 DER)
//! over the payload's bytes. The manifest's config is the OCI image config cosign writes
//! (its `rootfs.diff_ids` are the payloads' digests).

use crate::keys::{PrivateKey, PublicKey};
use crate::payload::Payload;
use crate::{sha256_digest, SignError};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

/// The media type of a signature layer.
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

/// The layer annotation that holds the signature.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";

/// The media type of the signature manifest's config.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";

/// The tag a signature of the manifest `digest` (`sha256:<hex>`) is attached at.
pub fn signature_tag(digest: &str) -> Result<String, SignError> {
    let hex = digest
        .strip_prefix("sha256:")
        .filter(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| SignError::Malformed {
            reason: format!("`{digest}` is not a sha256 digest"),
        })?;
    Ok(format!("sha256-{hex}.sig"))
}

/// One signature layer: the payload's bytes and the signature annotation's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureLayer {
    /// The simple-signing payload.
    pub payload: Vec<u8>,
    /// The base64 of the DER signature over `payload`.
    pub signature: String,
}

/// Signs the manifest `digest` pushed to `repository` (`REGISTRY/REPO`) with `key`.
pub fn sign(key: &PrivateKey, repository: &str, digest: &str) -> SignatureLayer {
    let payload = Payload::new(repository, digest).to_bytes();
    let signature = BASE64.encode(key.sign(&payload));
    SignatureLayer { payload, signature }
}

/// Checks one layer against `key` and the manifest `digest`: the signature must be the
/// key's over the payload, and the payload must name `digest`.
pub fn check(layer: &SignatureLayer, key: &PublicKey, digest: &str) -> Result<Payload, SignError> {
    let signature = BASE64
        .decode(layer.signature.trim())
        .map_err(|_| SignError::BadSignature)?;
    key.verify(&layer.payload, &signature)?;
    let payload = Payload::parse(&layer.payload)?;
    if payload.critical.image.docker_manifest_digest != digest {
        return Err(SignError::OtherManifest {
            signed: payload.critical.image.docker_manifest_digest,
            actual: digest.to_string(),
        });
    }
    Ok(payload)
}

/// The config blob of a signature manifest with these layers, as cosign writes it.
pub fn config_json(layers: &[SignatureLayer]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha256_digest(&l.payload)).collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": "",
        "config": {},
        "created": "0001-01-01T00:00:00Z",
        "history": [{ "created": "0001-01-01T00:00:00Z" }],
        "os": "",
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
    }))
    .expect("a config serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_checks_for_its_manifest_and_key_only() {
        let pair = crate::keys::generate_at_cost(b"p", 10).unwrap();
        let key = PrivateKey::from_pem(&pair.private_pem, b"p").unwrap();
        let public = key.public();
        let digest = format!("sha256:{}", "ab".repeat(32));
        let layer = sign(&key, "localhost:5000/wct/hello", &digest);
        let payload = check(&layer, &public, &digest).unwrap();
        assert_eq!(
            payload.critical.identity.docker_reference,
            "localhost:5000/wct/hello"
        );
        let other = format!("sha256:{}", "cd".repeat(32));
        assert!(matches!(
            check(&layer, &public, &other),
            Err(SignError::OtherManifest { .. })
        ));
        let mut tampered = layer.clone();
        tampered.payload = Payload::new("localhost:5000/wct/hello", &other).to_bytes();
        assert!(matches!(
            check(&tampered, &public, &other),
            Err(SignError::BadSignature)
        ));
        assert_eq!(
            signature_tag(&digest).unwrap(),
            format!("sha256-{}.sig", "ab".repeat(32))
        );
        assert!(signature_tag("sha512:00").is_err());
    }
}
