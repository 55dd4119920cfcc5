//! WIT packages and components in OCI registries, the way `wkg` (wasm-pkg-tools) stores them.
//!
//! - [`naming`]: `ns:name@version` and `oci://` references, and where a package lives
//!   (`REGISTRY/ns/name:version`, per-namespace registries from wkg's `config.toml`).
//! - [`artifact`]: the Wasm OCI artifact layout: config `application/vnd.wasm.config.v0+json`
//!   listing the imports and exports, one `application/wasm` layer, standard annotations.
//! - [`client`]: publish, pull (digest verified), and the versions a package has.
//! - [`credentials`]: registry credentials from the docker config (`auths`, `credHelpers`,
//!   `credsStore`) or the environment.
//! - [`attachments`]: an SBOM attached beside a manifest (`sha256-<hex>.sbom`), as cosign
//!   attaches one.
//! - [`signatures`]: signatures attached as cosign attaches them (`sha256-<hex>.sig`),
//!   made and checked by wct-sign; `pull` verifies before it downloads when given a key.
//! - [`cache`]: the content-addressed layer cache pulls share.
//! - [`lock`]: `wkg.lock`, wkg's lock file format.
//! - [`fetch`](mod@fetch): filling a WIT folder's `deps/` from registries, pinned by the lock.
#![deny(missing_docs)]

pub mod artifact;
pub mod attachments;
pub mod cache;
pub mod client;
pub mod credentials;
pub mod fetch;
pub mod lock;
pub mod naming;
pub mod signatures;

pub use cache::Cache;
pub use client::{Published, Pulled, Registry, RegistryOptions};
pub use fetch::{fetch, FetchOptions, FetchReport};
pub use lock::LockFile;
pub use naming::{Location, PackageSpec, RegistryConfig, VersionSpec};
pub use signatures::{Signed, Verified};

/// What can go wrong talking to a registry. Secrets never appear in these messages.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum Error {
    /// A package reference that does not parse.
    #[error("'{text}' is not a package reference: {reason}")]
    InvalidReference {
        /// The text given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Plain HTTP to a registry that is not on a loopback address.
    #[error("registry '{registry}' is not on a loopback address: plain HTTP is refused")]
    InsecureRefused {
        /// The registry.
        registry: String,
    },
    /// The registry could not be reached.
    #[error("registry '{registry}' is unreachable: {reason}")]
    Unreachable {
        /// The registry.
        registry: String,
        /// The cause, as the transport said it.
        reason: String,
    },
    /// The registry refused the credentials (or asked for some).
    #[error("registry '{registry}' refused access to {repository} (HTTP {status})")]
    Denied {
        /// The registry.
        registry: String,
        /// The repository.
        repository: String,
        /// 401 or 403.
        status: u16,
    },
    /// No version of the package matches.
    #[error("{reference}: no version matching {wanted}; published: {}", if available.is_empty() { "none".to_string() } else { available.join(", ") })]
    VersionNotFound {
        /// The repository.
        reference: String,
        /// The version or requirement asked for.
        wanted: String,
        /// The versions that exist, oldest first.
        available: Vec<String>,
    },
    /// No registry is configured for the package's namespace.
    #[error("'{text}' is not a package reference: no registry for namespace '{namespace}' (give one, or set default_registry or namespace_registries in wkg's config.toml)")]
    #[diagnostic(help("give --registry HOST[:PORT]"))]
    NoRegistry {
        /// The reference as given.
        text: String,
        /// Its namespace.
        namespace: String,
    },
    /// The version exists already and `force` was not given.
    #[diagnostic(help("--force replaces it"))]
    #[error("{reference} is already published (manifest {digest})")]
    AlreadyPublished {
        /// The full reference.
        reference: String,
        /// The digest of the manifest that is there.
        digest: String,
    },
    /// The artifact is not wasm: its layer has another media type.
    #[error("{reference} is not a wasm artifact: its layers are {media_types:?}")]
    NotWasm {
        /// The full reference.
        reference: String,
        /// The media types found.
        media_types: Vec<String>,
    },
    /// What was downloaded does not have the digest it should.
    #[error("{reference}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// The full reference.
        reference: String,
        /// The digest asked for (from a lock file or the manifest).
        expected: String,
        /// The digest of the bytes received.
        actual: String,
    },
    /// The bytes to publish are neither a component nor a wasm-encoded WIT package.
    #[error("cannot publish: {0}")]
    NotPublishable(String),
    /// The registry configuration file is invalid.
    #[error("{path}: {message}")]
    Config {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A fetched package is not a WIT package (a component, say).
    #[error("{name} is not a WIT package")]
    NotWitPackage {
        /// The package and version.
        name: String,
    },
    /// WIT that does not parse, or packages that do not fit together.
    #[error("{path}: {message}")]
    Wit {
        /// The file or folder.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// `--locked` and the lock file would change.
    #[error("{path} is not up to date and --locked forbids changing it: {}", changes.join("; "))]
    #[diagnostic(help("run `wct wit fetch` without --locked"))]
    LockOutdated {
        /// The lock file.
        path: String,
        /// What would change, one entry each.
        changes: Vec<String>,
    },
    /// `--offline` (or no registry) and the package is not in the cache.
    #[error("{package} is needed but {reason}, and fetching is offline")]
    #[diagnostic(help("run `wct wit fetch` without --offline once"))]
    NotCached {
        /// The package and requirement.
        package: String,
        /// Why the cache cannot serve it.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The system's message.
        message: String,
    },
    /// There is no manifest to sign or verify at the reference.
    #[error("{reference}: nothing is published there")]
    NothingToSign {
        /// The full reference.
        reference: String,
    },
    /// No signature is attached to the manifest.
    #[error("{reference} is not signed (no signature attached to manifest {digest})")]
    #[diagnostic(help("`wct sign REFERENCE --key KEY` or `wct publish --sign KEY` signs it"))]
    Unsigned {
        /// The full reference.
        reference: String,
        /// The digest of its manifest.
        digest: String,
    },
    /// Signatures are attached, but none by this key for this manifest.
    #[error("{reference} is not signed by this key (manifest {digest}): {}", reasons.join("; "))]
    NotSignedByKey {
        /// The full reference.
        reference: String,
        /// The digest of its manifest.
        digest: String,
        /// Why each attached signature was refused.
        reasons: Vec<String>,
    },
    /// A signature could not be made or read.
    #[error("signature")]
    Signature(#[source] wct_sign::SignError),
    /// Any other answer of the registry.
    #[error("registry '{registry}': {message}")]
    Registry {
        /// The registry.
        registry: String,
        /// The registry's message.
        message: String,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
