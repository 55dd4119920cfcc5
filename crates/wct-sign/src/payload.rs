//! The simple-signing payload cosign signs: JSON naming the signed manifest's digest and the
//! repository it was pushed to,
//! `{"critical":{"identity":{"docker-reference":REPO},"image":{"docker-manifest-digest":
//! DIGEST},"type":"cosign container image signature"},"optional":null}`, written in that
//! order as cosign (Go's encoder) writes it.

use crate::SignError;
use serde::{Deserialize, Serialize};

/// The payload's `type`.
pub const SIGNATURE_TYPE: &str = "cosign container image signature";

/// What a payload says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    /// Its `critical` part.
    pub critical: Critical,
    /// Its `optional` part (annotations), kept as it is.
    pub optional: Option<serde_json::Value>,
}

/// The `critical` part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Critical {
    /// Where it was pushed.
    pub identity: Identity,
    /// What is signed.
    pub image: Image,
    /// Always [`SIGNATURE_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
}

/// The `identity` part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// `REGISTRY/REPOSITORY`.
    #[serde(rename = "docker-reference")]
    pub docker_reference: String,
}

/// The `image` part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// `sha256:<hex>` of the manifest.
    #[serde(rename = "docker-manifest-digest")]
    pub docker_manifest_digest: String,
}

impl Payload {
    /// The payload for the manifest `digest` pushed to `repository` (`REGISTRY/REPO`).
    pub fn new(repository: &str, digest: &str) -> Payload {
        Payload {
            critical: Critical {
                identity: Identity {
                    docker_reference: repository.to_string(),
                },
                image: Image {
                    docker_manifest_digest: digest.to_string(),
                },
                kind: SIGNATURE_TYPE.to_string(),
            },
            optional: None,
        }
    }

    /// The bytes that are signed.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a payload serializes")
    }

    /// Reads a payload; its type must be cosign's.
    pub fn parse(bytes: &[u8]) -> Result<Payload, SignError> {
        let payload: Payload = serde_json::from_slice(bytes).map_err(|e| SignError::Malformed {
            reason: format!("the payload is not simple signing JSON ({e})"),
        })?;
        if payload.critical.kind != SIGNATURE_TYPE {
            return Err(SignError::Malformed {
                reason: format!("the payload's type is `{}`", payload.critical.kind),
            });
        }
        Ok(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_cosign_writes() {
        let payload = Payload::new("localhost:5000/wct/hello", "sha256:ab");
        assert_eq!(
            String::from_utf8(payload.to_bytes()).unwrap(),
            r#"{"critical":{"identity":{"docker-reference":"localhost:5000/wct/hello"},"image":{"docker-manifest-digest":"sha256:ab"},"type":"cosign container image signature"},"optional":null}"#
        );
        assert_eq!(Payload::parse(&payload.to_bytes()).unwrap(), payload);
        assert!(Payload::parse(br#"{"critical":{"identity":{"docker-reference":"x"},"image":{"docker-manifest-digest":"y"},"type":"other"},"optional":null}"#).is_err());
    }
}
