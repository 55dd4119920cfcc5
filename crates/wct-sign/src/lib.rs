//! Signatures of WebAssembly components in the formats cosign and the OCI tools that verify
//! cosign's signatures already read, key-based (no network service):
//!
//! - [`keys`]: ECDSA P-256 key pairs; the private key as cosign writes it (PEM
//!   `ENCRYPTED SIGSTORE PRIVATE KEY`: PKCS#8 encrypted with scrypt and NaCl's secretbox),
//!   the public key as PEM `PUBLIC KEY`; keys made by cosign are read too;
//! - [`payload`]: the simple-signing payload that names the signed manifest's digest;
//! - [`attachment`]: the signature as cosign attaches it to an OCI artifact (tag
//!   `sha256-<hex>.sig`, one layer per signature, the signature in the
//!   `dev.cosignproject.cosign/signature` annotation), made and checked.
//!
//! Nothing here talks to a registry: wct-registry moves what this crate makes.
#![deny(missing_docs)]

pub mod attachment;
pub mod keys;
pub mod payload;

pub use keys::{KeyPair, PrivateKey, PublicKey};

/// Why a key could not be made or read, or a signature made or checked.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SignError {
    /// The PEM text holds no block of the kind wanted.
    #[error("not a {wanted}: {reason}")]
    NotAKey {
        /// `cosign private key`, `public key`.
        wanted: &'static str,
        /// What was found instead.
        reason: String,
    },
    /// The encrypted private key names a key derivation or cipher cosign does not use.
    #[error("an encrypted key with {what} `{name}`: only scrypt and nacl/secretbox are read")]
    #[diagnostic(help(
        "keys made by `cosign generate-key-pair` and `wct sign generate-key` are read"
    ))]
    Unsupported {
        /// `key derivation`, `cipher`.
        what: &'static str,
        /// Its name in the file.
        name: String,
    },
    /// Decryption failed: the passphrase is not the key's (or the file was changed).
    #[error("the passphrase does not open this key")]
    #[diagnostic(help("the passphrase is read from COSIGN_PASSWORD or --passphrase-file"))]
    WrongPassphrase,
    /// A signature does not verify with the key.
    #[error("the signature does not verify with this public key")]
    BadSignature,
    /// A signed payload names another manifest than the one checked.
    #[error("the signature is for {signed}, not for {actual}")]
    OtherManifest {
        /// The digest the payload names.
        signed: String,
        /// The digest of the manifest checked.
        actual: String,
    },
    /// A payload or attachment that does not parse as cosign's.
    #[error("not a cosign signature: {reason}")]
    Malformed {
        /// What is wrong.
        reason: String,
    },
}

/// The SHA-256 of `bytes` as an OCI digest (`sha256:<hex>`).
pub fn sha256_digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
