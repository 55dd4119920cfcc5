//! Talking to a registry: the versions a package has, publishing, pulling. A blocking API
//! (a current-thread tokio runtime inside) over the `oci-client` crate.

use crate::artifact::{self, CONFIG_MEDIA_TYPE, WASM_MEDIA_TYPE};
use crate::cache::{sha256_digest, Cache};
use crate::credentials::{self, BasicAuth};
use crate::naming::{Location, VersionSpec};
use crate::{Error, Result};
use oci_client::client::{
    Certificate, CertificateEncoding, ClientConfig, ClientProtocol, Config, ImageLayer,
};
use oci_client::errors::OciDistributionError;
use oci_client::manifest::OciImageManifest;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// How to reach registries.
#[derive(Debug, Clone, Default)]
pub struct RegistryOptions {
    /// Allow plain HTTP to registries that are not on a loopback address.
    pub insecure: bool,
    /// Credentials for every registry (from the environment, say); when `None`, the docker
    /// configuration's for each registry, else anonymous.
    pub basic_auth: Option<BasicAuth>,
    /// The docker configuration to take credentials from (`None`: none).
    pub docker_config: Option<PathBuf>,
    /// PEM certificates to trust beside the system's roots (a private CA).
    pub ca_certs: Vec<Vec<u8>>,
    /// Where pulled layers are kept by digest: a layer the cache already holds is not
    /// downloaded again (the manifest still is: it says which digest a version has).
    pub cache: Option<Cache>,
}

/// A registry client.
pub struct Registry {
    options: RegistryOptions,
    pub(crate) runtime: tokio::runtime::Runtime,
    /// Credentials found per registry, so a credential helper runs once per registry.
    auths: Mutex<BTreeMap<String, RegistryAuth>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The credentials stay out of debug output.
        f.debug_struct("Registry")
            .field("insecure", &self.options.insecure)
            .finish_non_exhaustive()
    }
}

/// What `publish` did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Published {
    /// `registry/repository:version`.
    pub reference: String,
    /// The digest of the wasm (the layer): what `pull --digest` and lock files check, and
    /// what `sha256sum` of the file prints.
    pub digest: String,
    /// The manifest's digest.
    pub manifest_digest: String,
    /// Component or WIT package.
    pub kind: artifact::Kind,
}

/// What `pull` fetched.
#[derive(Debug, Clone)]
pub struct Pulled {
    /// `registry/repository:version`.
    pub reference: String,
    /// The version pulled.
    pub version: semver::Version,
    /// The layer's digest (verified).
    pub digest: String,
    /// The wasm.
    pub bytes: Vec<u8>,
    /// Whether the wasm came from the local cache (the manifest came from the registry).
    pub from_cache: bool,
    /// The signature verified before the wasm was taken, when a key was given.
    pub signature: Option<crate::Verified>,
    /// The digest of the manifest the wasm was taken from (not known for a pull served
    /// wholly from the cache offline).
    pub manifest_digest: Option<String>,
}

impl Registry {
    /// A client with `options`.
    pub fn new(options: RegistryOptions) -> Result<Registry> {
        // rustls needs one process-wide crypto provider; ring is the one already in the tree.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Registry {
                registry: String::new(),
                message: format!("cannot start the I/O runtime: {e}"),
            })?;
        Ok(Registry {
            options,
            runtime,
            auths: Mutex::new(BTreeMap::new()),
        })
    }

    pub(crate) fn client(&self, location: &Location) -> Result<Client> {
        // HTTPS, except plain HTTP to loopback (or anywhere with `insecure`); an explicit
        // `https://` or `http://` before the registry decides.
        let https = location
            .tls
            .unwrap_or(!(location.is_loopback() || self.options.insecure));
        if !https && !location.is_loopback() && !self.options.insecure {
            return Err(Error::InsecureRefused {
                registry: location.registry.clone(),
            });
        }
        Ok(Client::new(ClientConfig {
            protocol: if https {
                ClientProtocol::Https
            } else {
                ClientProtocol::Http
            },
            connect_timeout: Some(std::time::Duration::from_secs(10)),
            extra_root_certificates: self
                .options
                .ca_certs
                .iter()
                .map(|pem| Certificate {
                    encoding: CertificateEncoding::Pem,
                    data: pem.clone(),
                })
                .collect(),
            ..ClientConfig::default()
        }))
    }

    pub(crate) fn auth(&self, location: &Location) -> RegistryAuth {
        let mut auths = self.auths.lock().unwrap_or_else(|e| e.into_inner());
        auths
            .entry(location.registry.clone())
            .or_insert_with(|| {
                let found = self.options.basic_auth.clone().or_else(|| {
                    let config = self.options.docker_config.as_deref()?;
                    credentials::from_docker_config(config, &location.registry)
                });
                match found {
                    Some(auth) => RegistryAuth::Basic(auth.username, auth.password),
                    None => RegistryAuth::Anonymous,
                }
            })
            .clone()
    }

    /// The published versions of `location` (tags that are not versions are ignored), oldest
    /// first. A repository that does not exist has none.
    pub fn versions(&self, location: &Location) -> Result<Vec<semver::Version>> {
        let client = self.client(location)?;
        let reference = reference(location, "latest");
        let mut tags = Vec::new();
        let mut last: Option<String> = None;
        loop {
            let page = self.runtime.block_on(client.list_tags(
                &reference,
                &self.auth(location),
                Some(1000),
                last.as_deref(),
            ));
            let page = match page {
                Ok(page) => page,
                Err(e) if is_not_found(&e) => break,
                Err(e) => return Err(classify(location, e)),
            };
            let done = page.tags.len() < 1000;
            last = page.tags.last().cloned();
            tags.extend(page.tags);
            if done || last.is_none() {
                break;
            }
        }
        let mut versions: Vec<semver::Version> = tags
            .iter()
            .filter_map(|t| semver::Version::parse(t).ok())
            .collect();
        versions.sort();
        versions.dedup();
        Ok(versions)
    }

    /// The newest published version of `location` that `spec` accepts.
    pub fn resolve(&self, location: &Location, spec: &VersionSpec) -> Result<semver::Version> {
        let versions = self.versions(location)?;
        versions
            .iter()
            .rev()
            .find(|v| spec.matches(v))
            .cloned()
            .ok_or_else(|| Error::VersionNotFound {
                reference: format!("{}/{}", location.registry, location.repository),
                wanted: spec.to_string(),
                available: versions.iter().map(|v| v.to_string()).collect(),
            })
    }

    /// Publishes `wasm` (a component or WIT package) as `version` of `location`; an existing
    /// version is replaced only with `force`.
    pub fn publish(
        &self,
        location: &Location,
        version: &semver::Version,
        wasm: &[u8],
        force: bool,
    ) -> Result<Published> {
        let description = artifact::describe(wasm)?;
        let client = self.client(location)?;
        let tag = version.to_string();
        let target = reference(location, &tag);
        let full = location.reference(&tag);
        if !force {
            match self
                .runtime
                .block_on(client.fetch_manifest_digest(&target, &self.auth(location)))
            {
                Ok(digest) => {
                    return Err(Error::AlreadyPublished {
                        reference: full,
                        digest,
                    })
                }
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(classify(location, e)),
            }
        }
        let layer = ImageLayer::new(wasm.to_vec(), WASM_MEDIA_TYPE.to_string(), None);
        let layer_digest = layer.sha256_digest();
        let created = artifact::now_rfc3339();
        let config = Config::new(
            artifact::config_json(&description, &created, &layer.sha256_digest()),
            CONFIG_MEDIA_TYPE.to_string(),
            None,
        );
        let mut annotations = description.annotations.clone();
        annotations.insert("org.opencontainers.image.version".into(), tag.clone());
        annotations.insert("org.opencontainers.image.created".into(), created);
        let mut manifest =
            OciImageManifest::build(std::slice::from_ref(&layer), &config, Some(annotations));
        // wkg (wasm-pkg-client) requires the manifest to name its own media type.
        manifest.media_type = Some(oci_client::manifest::OCI_IMAGE_MEDIA_TYPE.to_string());
        self.runtime
            .block_on(client.push(
                &target,
                &[layer],
                config,
                &self.auth(location),
                Some(manifest),
            ))
            .map_err(|e| classify(location, e))?;
        let manifest_digest = self
            .runtime
            .block_on(client.fetch_manifest_digest(&target, &self.auth(location)))
            .map_err(|e| classify(location, e))?;
        Ok(Published {
            reference: full,
            digest: layer_digest,
            manifest_digest,
            kind: description.kind,
        })
    }

    /// Pulls the newest version of `location` that `spec` accepts. The layer's digest is
    /// checked against the manifest (and against `expected_digest`, from a lock file, when
    /// given) before anything is downloaded; the layer must be wasm. A layer the cache holds
    /// is taken from there; a downloaded one is stored there.
    pub fn pull(
        &self,
        location: &Location,
        spec: &VersionSpec,
        expected_digest: Option<&str>,
    ) -> Result<Pulled> {
        self.pull_verified(location, spec, expected_digest, None)
    }

    /// [`pull`](Self::pull), and first, with `key`, the manifest's signature: its digest is
    /// computed from the bytes the registry sent and must be signed by `key`
    /// ([`verify`](Self::verify)); nothing is downloaded otherwise.
    pub fn pull_verified(
        &self,
        location: &Location,
        spec: &VersionSpec,
        expected_digest: Option<&str>,
        key: Option<&wct_sign::PublicKey>,
    ) -> Result<Pulled> {
        let version = match spec {
            VersionSpec::Exact(v) => v.clone(),
            _ => self.resolve(location, spec)?,
        };
        let client = self.client(location)?;
        let tag = version.to_string();
        let full = location.reference(&tag);
        let image = reference(location, &tag);
        let not_found = || match self.versions(location) {
            Ok(versions) => Error::VersionNotFound {
                reference: format!("{}/{}", location.registry, location.repository),
                wanted: tag.clone(),
                available: versions.iter().map(|v| v.to_string()).collect(),
            },
            Err(other) => other,
        };
        let (manifest, signature, manifest_digest) = match key {
            Some(key) => {
                let raw = self.raw_manifest(location, &tag)?.ok_or_else(not_found)?;
                let verified = self.verify_digest(location, &tag, &raw.digest, key)?;
                (raw.manifest, Some(verified), raw.digest)
            }
            None => {
                let (manifest, digest) = self
                    .runtime
                    .block_on(client.pull_image_manifest(&image, &self.auth(location)))
                    .map_err(|e| match e {
                        e if is_not_found(&e) => not_found(),
                        e => classify(location, e),
                    })?;
                (manifest, None, digest)
            }
        };
        let layer = match manifest.layers.as_slice() {
            [layer] if layer.media_type == WASM_MEDIA_TYPE => layer,
            layers => {
                return Err(Error::NotWasm {
                    reference: full,
                    media_types: layers.iter().map(|l| l.media_type.clone()).collect(),
                })
            }
        };
        let digest = layer.digest.clone();
        if let Some(expected) = expected_digest {
            if expected != digest {
                return Err(Error::DigestMismatch {
                    reference: full,
                    expected: expected.to_string(),
                    actual: digest,
                });
            }
        }
        let cache = self.options.cache.as_ref();
        if let Some(cache) = cache {
            cache.put_tag(location, &tag, &digest);
        }
        if let Some(bytes) = cache.and_then(|cache| cache.get(&digest)) {
            return Ok(Pulled {
                reference: full,
                version,
                digest,
                bytes,
                from_cache: true,
                signature,
                manifest_digest: Some(manifest_digest),
            });
        }
        let mut bytes = Vec::new();
        self.runtime
            .block_on(client.pull_blob(&image, layer, &mut bytes))
            .map_err(|e| classify(location, e))?;
        // oci-client checks the digest as it downloads; check again what is kept.
        let actual = sha256_digest(&bytes);
        if actual != digest {
            return Err(Error::DigestMismatch {
                reference: full,
                expected: digest,
                actual,
            });
        }
        if let Some(cache) = cache {
            cache.put(&digest, &bytes);
        }
        Ok(Pulled {
            reference: full,
            version,
            digest,
            bytes,
            from_cache: false,
            signature,
            manifest_digest: Some(manifest_digest),
        })
    }
}

pub(crate) fn reference(location: &Location, tag: &str) -> Reference {
    Reference::with_tag(
        location.registry.clone(),
        location.repository.clone(),
        tag.to_string(),
    )
}

/// The innermost cause of `e` (a refused connection, an untrusted certificate), with a hint
/// for certificates.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let text = cause.to_string();
    if text.contains("certificate") {
        format!("{text} (a registry with a private CA needs --ca-cert FILE)")
    } else {
        text
    }
}

pub(crate) fn is_not_found(e: &OciDistributionError) -> bool {
    match e {
        OciDistributionError::ImageManifestNotFoundError(_) => true,
        OciDistributionError::ServerError { code, .. } => *code == 404,
        OciDistributionError::RegistryError { envelope, .. } => envelope.errors.iter().any(|e| {
            matches!(
                e.code,
                oci_client::errors::OciErrorCode::NameUnknown
                    | oci_client::errors::OciErrorCode::ManifestUnknown
            )
        }),
        _ => false,
    }
}

/// The registry's failure in this crate's words (never with credentials in them).
pub(crate) fn classify(location: &Location, e: OciDistributionError) -> Error {
    let registry = location.registry.clone();
    match e {
        OciDistributionError::RequestError(e) if e.is_connect() || e.is_timeout() => {
            Error::Unreachable {
                registry,
                reason: root_cause(&e),
            }
        }
        OciDistributionError::UnauthorizedError { .. }
        | OciDistributionError::AuthenticationFailure(_) => Error::Denied {
            registry,
            repository: location.repository.clone(),
            status: 401,
        },
        OciDistributionError::ServerError { code, .. } if code == 401 || code == 403 => {
            Error::Denied {
                registry,
                repository: location.repository.clone(),
                status: code,
            }
        }
        OciDistributionError::DigestError(e) => Error::DigestMismatch {
            reference: format!("{}/{}", location.registry, location.repository),
            expected: "the manifest's digest".into(),
            actual: e.to_string(),
        },
        other => Error::Registry {
            registry,
            message: other.to_string(),
        },
    }
}
