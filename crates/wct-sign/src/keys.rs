//! ECDSA P-256 keys in cosign's files.
//!
//! The private key file is PEM with the label `ENCRYPTED SIGSTORE PRIVATE KEY` (older cosign:
//! `ENCRYPTED COSIGN PRIVATE KEY`) around JSON, go-securesystemslib's `encrypted` format:
//! `{"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":B64},
//! "cipher":{"name":"nacl/secretbox","nonce":B64},"ciphertext":B64}`, where the ciphertext is
//! the PKCS#8 DER of the key sealed by NaCl's secretbox (XSalsa20-Poly1305) under the 32-byte
//! key scrypt derives from the passphrase and salt. The public key is PEM `PUBLIC KEY`
//! (SubjectPublicKeyInfo).

use crate::SignError;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::XSalsa20Poly1305;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};

/// The PEM label cosign writes its private keys under.
pub const PRIVATE_KEY_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";

/// The label older cosign releases wrote (still read).
pub const LEGACY_PRIVATE_KEY_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

/// scrypt's cost as cosign sets it (N = 2^15, r = 8, p = 1).
pub const SCRYPT_LOG_N: u8 = 15;

/// The largest scrypt cost a key file may ask for (N = 2^20).
const MAX_SCRYPT_LOG_N: u8 = 20;

/// A new key pair's two files.
#[derive(Debug, Clone)]
pub struct KeyPair {
    /// The encrypted private key (PEM).
    pub private_pem: String,
    /// The public key (PEM).
    pub public_pem: String,
}

/// A private key, opened.
pub struct PrivateKey(SigningKey);

impl std::fmt::Debug for PrivateKey {
    /// Never the key itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(..)")
    }
}

/// A public key.
#[derive(Debug, Clone)]
pub struct PublicKey(VerifyingKey);

#[derive(Serialize, Deserialize)]
struct Encrypted {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: ScryptParams,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct ScryptParams {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

/// Makes a key pair from the OS's randomness, the private key encrypted with `passphrase`
/// at cosign's scrypt cost.
pub fn generate(passphrase: &[u8]) -> Result<KeyPair, SignError> {
    generate_at_cost(passphrase, SCRYPT_LOG_N)
}

/// [`generate`] with scrypt's N = 2^`log_n` (what the file then says, so any reader opens it).
pub fn generate_at_cost(passphrase: &[u8], log_n: u8) -> Result<KeyPair, SignError> {
    let key = SigningKey::random(&mut OsRng);
    let der = key.to_pkcs8_der().map_err(|e| SignError::Malformed {
        reason: e.to_string(),
    })?;
    let mut salt = [0u8; 32];
    OsRng.fill_bytes(&mut salt);
    let mut nonce = [0u8; 24];
    OsRng.fill_bytes(&mut nonce);
    let params = ScryptParams {
        n: 1 << log_n,
        r: 8,
        p: 1,
    };
    let secret = derive(passphrase, &salt, &params)?;
    let ciphertext = XSalsa20Poly1305::new(&secret.into())
        .encrypt(&nonce.into(), der.as_bytes())
        .map_err(|_| SignError::Malformed {
            reason: "sealing the key failed".into(),
        })?;
    let encrypted = Encrypted {
        kdf: Kdf {
            name: "scrypt".into(),
            params,
            salt: BASE64.encode(salt),
        },
        cipher: Cipher {
            name: "nacl/secretbox".into(),
            nonce: BASE64.encode(nonce),
        },
        ciphertext: BASE64.encode(ciphertext),
    };
    let json = serde_json::to_vec(&encrypted).map_err(|e| SignError::Malformed {
        reason: e.to_string(),
    })?;
    let private_pem =
        pem_rfc7468::encode_string(PRIVATE_KEY_LABEL, pem_rfc7468::LineEnding::LF, &json).map_err(
            |e| SignError::Malformed {
                reason: e.to_string(),
            },
        )?;
    Ok(KeyPair {
        private_pem,
        public_pem: PublicKey(*key.verifying_key()).to_pem()?,
    })
}

/// scrypt's 32-byte key for `params`.
fn derive(passphrase: &[u8], salt: &[u8], params: &ScryptParams) -> Result<[u8; 32], SignError> {
    if !params.n.is_power_of_two() || params.n < 2 {
        return Err(SignError::Malformed {
            reason: format!("scrypt's N is {}, not a power of two", params.n),
        });
    }
    let log_n = params.n.trailing_zeros() as u8;
    // 128 * r * N bytes of memory: cosign's 2^15 with r = 8 takes 32 MiB; a file asking for
    // more than 2^20 (1 GiB) is refused rather than allowed to exhaust memory.
    if log_n > MAX_SCRYPT_LOG_N || params.r > 16 || params.p > 16 {
        return Err(SignError::Malformed {
            reason: format!(
                "scrypt parameters N = {}, r = {}, p = {} ask for more memory than a key needs",
                params.n, params.r, params.p
            ),
        });
    }
    let scrypt =
        scrypt::Params::new(log_n, params.r, params.p, 32).map_err(|e| SignError::Malformed {
            reason: format!("scrypt parameters: {e}"),
        })?;
    let mut out = [0u8; 32];
    scrypt::scrypt(passphrase, salt, &scrypt, &mut out).map_err(|e| SignError::Malformed {
        reason: format!("scrypt: {e}"),
    })?;
    Ok(out)
}

fn base64_field(name: &str, value: &str) -> Result<Vec<u8>, SignError> {
    BASE64.decode(value).map_err(|e| SignError::Malformed {
        reason: format!("{name} is not base64: {e}"),
    })
}

impl PrivateKey {
    /// Opens a private key file (cosign's or wct's) with `passphrase`.
    pub fn from_pem(pem: &str, passphrase: &[u8]) -> Result<PrivateKey, SignError> {
        let not_a_key = |reason: String| SignError::NotAKey {
            wanted: "cosign private key",
            reason,
        };
        let (label, json) = pem_rfc7468::decode_vec(pem.trim().as_bytes())
            .map_err(|e| not_a_key(format!("no PEM block ({e})")))?;
        if label != PRIVATE_KEY_LABEL && label != LEGACY_PRIVATE_KEY_LABEL {
            return Err(not_a_key(format!("a PEM block labelled `{label}`")));
        }
        let encrypted: Encrypted = serde_json::from_slice(&json)
            .map_err(|e| not_a_key(format!("its contents are not cosign's ({e})")))?;
        if encrypted.kdf.name != "scrypt" {
            return Err(SignError::Unsupported {
                what: "key derivation",
                name: encrypted.kdf.name,
            });
        }
        if encrypted.cipher.name != "nacl/secretbox" {
            return Err(SignError::Unsupported {
                what: "cipher",
                name: encrypted.cipher.name,
            });
        }
        let salt = base64_field("the salt", &encrypted.kdf.salt)?;
        let nonce = base64_field("the nonce", &encrypted.cipher.nonce)?;
        let ciphertext = base64_field("the ciphertext", &encrypted.ciphertext)?;
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| SignError::Malformed {
            reason: "the nonce is not 24 bytes".into(),
        })?;
        let secret = derive(passphrase, &salt, &encrypted.kdf.params)?;
        let der = XSalsa20Poly1305::new(&secret.into())
            .decrypt(&nonce.into(), ciphertext.as_slice())
            .map_err(|_| SignError::WrongPassphrase)?;
        let key = SigningKey::from_pkcs8_der(&der)
            .map_err(|e| not_a_key(format!("the sealed key is not an ECDSA P-256 key ({e})")))?;
        Ok(PrivateKey(key))
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey(*self.0.verifying_key())
    }

    /// The ECDSA P-256 signature of SHA-256(`message`), ASN.1 DER (what cosign writes,
    /// base64-encoded, in the signature annotation).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signature: Signature = self.0.sign(message);
        signature.to_der().as_bytes().to_vec()
    }
}

impl PublicKey {
    /// Reads a PEM `PUBLIC KEY` (an ECDSA P-256 SubjectPublicKeyInfo).
    pub fn from_pem(pem: &str) -> Result<PublicKey, SignError> {
        if let Ok((label, _)) = pem_rfc7468::decode_vec(pem.trim().as_bytes()) {
            if label != "PUBLIC KEY" {
                let hint = if label == PRIVATE_KEY_LABEL || label == LEGACY_PRIVATE_KEY_LABEL {
                    " (a private key: give its public half, the .pub file)"
                } else {
                    ""
                };
                return Err(SignError::NotAKey {
                    wanted: "public key",
                    reason: format!("a PEM block labelled `{label}`{hint}"),
                });
            }
        }
        VerifyingKey::from_public_key_pem(pem.trim())
            .map(PublicKey)
            .map_err(|e| SignError::NotAKey {
                wanted: "public key",
                reason: format!("not a PEM ECDSA P-256 public key ({e})"),
            })
    }

    /// The PEM text.
    pub fn to_pem(&self) -> Result<String, SignError> {
        self.0
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| SignError::Malformed {
                reason: e.to_string(),
            })
    }

    /// Whether `signature` (ASN.1 DER) is this key's over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), SignError> {
        let signature = Signature::from_der(signature).map_err(|_| SignError::BadSignature)?;
        self.0
            .verify(message, &signature)
            .map_err(|_| SignError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_opens_with_its_passphrase_only_and_signs() {
        let pair = generate_at_cost(b"secret", 10).unwrap();
        assert!(pair
            .private_pem
            .starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        assert!(pair.public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        let key = PrivateKey::from_pem(&pair.private_pem, b"secret").unwrap();
        assert!(matches!(
            PrivateKey::from_pem(&pair.private_pem, b"wrong"),
            Err(SignError::WrongPassphrase)
        ));
        let public = PublicKey::from_pem(&pair.public_pem).unwrap();
        let signature = key.sign(b"payload");
        public.verify(b"payload", &signature).unwrap();
        assert!(public.verify(b"payload!", &signature).is_err());
        let other = generate_at_cost(b"x", 10).unwrap();
        let other = PublicKey::from_pem(&other.public_pem).unwrap();
        assert!(other.verify(b"payload", &signature).is_err());
        assert!(matches!(
            PrivateKey::from_pem(&pair.public_pem, b"secret"),
            Err(SignError::NotAKey { .. })
        ));
        // A file asking scrypt for 2^30 rounds of memory is refused, not obeyed.
        let (label, json) = pem_rfc7468::decode_vec(pair.private_pem.as_bytes()).unwrap();
        let mut document: serde_json::Value = serde_json::from_slice(&json).unwrap();
        document["kdf"]["params"]["N"] = serde_json::json!(1u64 << 30);
        let greedy = pem_rfc7468::encode_string(
            label,
            pem_rfc7468::LineEnding::LF,
            &serde_json::to_vec(&document).unwrap(),
        )
        .unwrap();
        let refused = PrivateKey::from_pem(&greedy, b"secret").unwrap_err();
        assert!(refused.to_string().contains("more memory"), "{refused}");
        let swapped = PublicKey::from_pem(&pair.private_pem).unwrap_err();
        assert!(
            swapped.to_string().contains("give its public half"),
            "{swapped}"
        );
    }
}
