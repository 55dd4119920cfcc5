//! `wct publish` and `wct pull`: components and WIT packages in OCI registries.

use crate::args::registry::{from_cache, RegistryArgs};
use crate::output;
use crate::report::{print_error, GlobalOpts, EXIT_FAILED};
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;
use wct_registry::{PackageSpec, VersionSpec};

/// Publish a component or a wasm-encoded WIT package to an OCI registry.
///
/// The artifact follows the Wasm OCI layout wkg uses: config
/// `application/vnd.wasm.config.v0+json` listing imports and exports, one `application/wasm`
/// layer, and the standard annotations (version, created; description, licenses, source,
/// authors, url and revision from the wasm's metadata, which `wct metadata add` sets). A WIT package names itself; a component needs `--name`. An
/// existing version is never overwritten without `--force`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct wit build wit/demo -o demo.wasm && \\
      wct publish demo.wasm --registry 127.0.0.1:5000
  wct publish tests/fixtures/compose/greeter.wasm --name wct:greeter@0.2.0 \\
      --registry 127.0.0.1:5000
  COSIGN_PASSWORD=s3cret wct sign generate-key --output-key-prefix pub && \\
      COSIGN_PASSWORD=s3cret wct publish tests/fixtures/compose/greeter.wasm \\
      --name wct:greeter@0.3.0 --sign pub.key --sbom --registry 127.0.0.1:5000

Exit status:
  0  published
  1  the registry refused (version exists, access denied, unreachable)
  2  the file or the name is not usable")]
pub struct PublishArgs {
    /// The component or WIT package (`wct wit build` output).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// `ns:name@version` (default: a WIT package's own name and version).
    #[arg(long, value_name = "NS:NAME@VERSION")]
    name: Option<String>,
    /// Replace the version if it is published already.
    #[arg(long)]
    force: bool,
    /// Sign what was published with this private key (cosign's format; its passphrase from
    /// COSIGN_PASSWORD or --passphrase-file), as `wct sign` does.
    #[arg(long, value_name = "KEY")]
    sign: Option<PathBuf>,
    /// With --sign: read the key's passphrase from the first line of FILE.
    #[arg(long, value_name = "FILE", requires = "sign")]
    passphrase_file: Option<PathBuf>,
    /// Attach an SBOM of the file (as `wct sbom` writes it; CycloneDX unless `spdx` is
    /// given) beside the artifact, as `cosign attach sbom` does (tag `sha256-<hex>.sbom`).
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, default_missing_value = "cyclonedx")]
    sbom: Option<super::sbom::Format>,
    /// Print what was published as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    registry: RegistryArgs,
}

/// `wct publish --json`: what was published, where (docs/schemas/publish.json).
#[derive(serde::Serialize)]
struct PublishReport<'a> {
    schema_version: u32,
    /// `ns:name`.
    package: &'a str,
    version: String,
    #[serde(flatten)]
    published: &'a wct_registry::Published,
    /// With --sign: where the signature is.
    #[serde(skip_serializing_if = "Option::is_none")]
    signature: Option<String>,
    /// With --sbom: where the SBOM is.
    #[serde(skip_serializing_if = "Option::is_none")]
    sbom: Option<String>,
}

pub fn publish(args: PublishArgs, global: &GlobalOpts) -> Result<ExitCode> {
    let wasm = super::read_wasm(&args.file)?;
    let name = match &args.name {
        Some(name) => name.clone(),
        None => {
            let description = wct_registry::artifact::describe(&wasm)
                .map_err(|e| crate::report::about(args.file.display(), e))?;
            match description.package {
                Some((name, Some(version))) => format!("{name}@{version}"),
                Some((name, None)) => miette::bail!(
                    help = "declare a version in the package, or give --name ns:name@version",
                    "{}: package {name} has no version",
                    args.file.display()
                ),
                None => miette::bail!(
                    help = "give --name ns:name@version",
                    "{}: a component does not name itself",
                    args.file.display()
                ),
            }
        }
    };
    // The key is opened before anything is published: a wrong passphrase publishes nothing.
    let key = match &args.sign {
        Some(path) => Some(super::sign::private_key(
            path,
            &super::sign::passphrase(args.passphrase_file.as_deref())?,
        )?),
        None => None,
    };
    let spec: PackageSpec = name.parse().map_err(miette::Report::new)?;
    let VersionSpec::Exact(version) = &spec.version else {
        miette::bail!("--name needs an exact version to publish as (ns:name@1.2.3), not '{name}'");
    };
    let (registry, config) = args.registry.connect()?;
    let location = args.registry.locate(&config, &spec)?;
    match registry.publish(&location, version, &wasm, args.force) {
        Ok(published) => {
            let sbom = match args.sbom {
                Some(format) => {
                    let text = super::sbom::document(
                        &wasm,
                        &wct_io::display_name(&args.file),
                        format,
                        &wct_sbom::DocumentOptions::default(),
                    )?;
                    match registry.attach_sbom(
                        &location,
                        &published.manifest_digest,
                        text.as_bytes(),
                        format.media_type(),
                    ) {
                        Ok(at) => Some(at),
                        Err(e) => {
                            print_error(&miette::Report::new(e));
                            return Ok(ExitCode::from(EXIT_FAILED));
                        }
                    }
                }
                None => None,
            };
            let signed = match &key {
                Some(key) => match registry.sign_digest(
                    &location,
                    &version.to_string(),
                    &published.manifest_digest,
                    key,
                ) {
                    Ok(signed) => Some(signed),
                    Err(e) => {
                        print_error(&miette::Report::new(e));
                        return Ok(ExitCode::from(EXIT_FAILED));
                    }
                },
                None => None,
            };
            if args.json {
                output::json(&PublishReport {
                    schema_version: 1,
                    package: &spec.name,
                    version: version.to_string(),
                    published: &published,
                    signature: signed.as_ref().map(|s| s.signature.clone()),
                    sbom: sbom.clone(),
                })?;
            } else if !global.quiet {
                output::stdout(&format!(
                    "published {name} as {} ({})\n",
                    published.reference, published.digest
                ))?;
                if let Some(signed) = &signed {
                    output::stdout(&format!("signed it at {}\n", signed.signature))?;
                }
                if let Some(sbom) = &sbom {
                    output::stdout(&format!("attached its SBOM at {sbom}\n"))?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ wct_registry::Error::AlreadyPublished { .. }) => {
            print_error(&miette::Report::new(e));
            Ok(ExitCode::from(EXIT_FAILED))
        }
        Err(e @ wct_registry::Error::NotPublishable(_)) => {
            Err(crate::report::about(args.file.display(), e))
        }
        Err(e) => {
            print_error(&miette::Report::new(e));
            Ok(ExitCode::from(EXIT_FAILED))
        }
    }
}

/// Pull a component or WIT package from an OCI registry.
///
/// `REFERENCE` is `ns:name@version`, `ns:name@REQUIREMENT` (`@^0.2`: the newest matching
/// version), `ns:name` (the newest) or `oci://REGISTRY/REPOSITORY:TAG`. The layer's digest is
/// verified and the file written atomically.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct pull wct:greeter@0.1.0 --registry 127.0.0.1:5000 -o greeter.wasm
  wct pull 'wct:demo@^0.1' --registry 127.0.0.1:5000 -o demo.wasm
  wct pull wct:greeter@0.3.0 --verify pub.pub --sbom greeter.cdx.json \\
      --registry 127.0.0.1:5000 -o signed.wasm

Exit status:
  0  pulled
  1  not found (the published versions are listed), denied, unreachable, digest mismatch,
     with --verify not signed by the key, with --sbom no SBOM of the file attached
     (nothing is written then)
  2  bad reference, output path or key")]
pub struct PullArgs {
    /// `ns:name@version`, `ns:name@^0.2`, `ns:name` or `oci://REGISTRY/REPOSITORY:TAG`.
    #[arg(value_name = "REFERENCE")]
    reference: String,
    /// Where to write the wasm (atomically).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Refuse unless the layer has this digest (`sha256:...`).
    #[arg(long, value_name = "DIGEST")]
    digest: Option<String>,
    /// Refuse unless the manifest is signed by this public key (cosign's format, as `wct
    /// verify` checks): nothing is downloaded or written otherwise.
    #[arg(long, value_name = "PUBLIC_KEY")]
    verify: Option<PathBuf>,
    /// Also fetch the SBOM attached beside the artifact (by `publish --sbom` or `cosign
    /// attach sbom`) to FILE; it must describe the pulled wasm (its SHA-256), else nothing is
    /// written.
    #[arg(long, value_name = "FILE")]
    sbom: Option<PathBuf>,
    #[command(flatten)]
    registry: RegistryArgs,
}

pub fn pull(args: PullArgs, global: &GlobalOpts) -> Result<ExitCode> {
    let spec: PackageSpec = args.reference.parse().map_err(miette::Report::new)?;
    let key = match &args.verify {
        Some(path) => Some(super::sign::public_key(path)?),
        None => None,
    };
    let (registry, config) = args.registry.connect()?;
    let location = args.registry.locate(&config, &spec)?;
    let pulled = match registry.pull_verified(
        &location,
        &spec.version,
        args.digest.as_deref(),
        key.as_ref(),
    ) {
        Ok(pulled) => pulled,
        Err(e) => {
            print_error(&miette::Report::new(e));
            return Ok(ExitCode::from(EXIT_FAILED));
        }
    };
    let sbom = match &args.sbom {
        Some(_) => match attached_sbom(&registry, &location, &pulled) {
            Ok(sbom) => Some(sbom),
            Err(e) => {
                print_error(&e);
                return Ok(ExitCode::from(EXIT_FAILED));
            }
        },
        None => None,
    };
    if let (Some(path), Some(sbom)) = (&args.sbom, &sbom) {
        wct_io::write_output(path, &sbom.bytes, &[]).map_err(miette::Report::new)?;
    }
    wct_io::write_output(&args.output, &pulled.bytes, &[]).map_err(miette::Report::new)?;
    if !global.quiet {
        eprintln!(
            "pulled {} ({}{}) to {}",
            pulled.reference,
            pulled.digest,
            from_cache(&pulled),
            args.output.display()
        );
        if let (Some(path), Some(sbom)) = (&args.sbom, &sbom) {
            eprintln!(
                "fetched its SBOM ({}) to {}",
                sbom.media_type,
                path.display()
            );
        }
        if let Some(signature) = &pulled.signature {
            eprintln!(
                "verified the signature of manifest {} ({})",
                signature.manifest_digest, signature.signature
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The SBOM attached beside what was pulled, which must describe the pulled wasm.
fn attached_sbom(
    registry: &wct_registry::Registry,
    location: &wct_registry::Location,
    pulled: &wct_registry::Pulled,
) -> std::result::Result<wct_registry::attachments::AttachedSbom, miette::Report> {
    let Some(digest) = &pulled.manifest_digest else {
        miette::bail!(
            "{}: the manifest is not known offline: no SBOM",
            pulled.reference
        );
    };
    let Some(sbom) = registry
        .fetch_sbom(location, digest)
        .map_err(miette::Report::new)?
    else {
        miette::bail!(
            help = "`wct publish --sbom` or `cosign attach sbom` attaches one",
            "{} has no SBOM attached (manifest {digest})",
            pulled.reference
        );
    };
    let wasm = pulled.digest.trim_start_matches("sha256:");
    match wct_sbom::described_sha256(&sbom.bytes) {
        Some(described) if described == wasm => Ok(sbom),
        Some(described) => miette::bail!(
            "{}: the SBOM attached at {} describes another file (sha256:{described}), not the pulled one",
            pulled.reference,
            sbom.reference
        ),
        None => miette::bail!(
            "{}: the SBOM attached at {} names no SHA-256 of the file it describes",
            pulled.reference,
            sbom.reference
        ),
    }
}
