//! `wct sign` (and `sign generate-key`) and `wct verify`: signatures of published components in
//! cosign's formats, so that cosign-compatible verifiers accept what wct signs and wct
//! verifies what they sign.

use crate::args::registry::RegistryArgs;
use crate::output;
use crate::report::{print_error, GlobalOpts, EXIT_FAILED};
use miette::Result;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wct_registry::{Location, PackageSpec, Registry, VersionSpec};
use wct_sign::{PrivateKey, PublicKey};

/// Sign a published component or WIT package, as cosign signs (or make a key pair).
///
/// The manifest the reference names is signed with an ECDSA P-256 key and the signature
/// attached beside it as cosign attaches one: tag `sha256-<hex>.sig`, a simple-signing payload
/// naming the manifest's digest, the signature in the `dev.cosignproject.cosign/signature`
/// annotation. Signatures already there are kept. The key is cosign's file (`cosign
/// generate-key-pair` or `wct sign generate-key`); its passphrase comes from COSIGN_PASSWORD,
/// as cosign reads it, or --passphrase-file.
#[derive(clap::Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:
  COSIGN_PASSWORD=s3cret wct sign generate-key
  COSIGN_PASSWORD=s3cret wct sign wct:greeter@0.1.0 --key cosign.key \\
      --registry 127.0.0.1:5000

Exit status:
  0  signed (or the key pair written)
  1  the registry refused, or nothing is published at the reference
  2  bad reference, unreadable key, wrong passphrase, or a key file that exists already"
)]
pub struct SignArgs {
    #[command(subcommand)]
    command: Option<SignCommand>,
    /// `ns:name@version`, `ns:name@^0.2`, `ns:name` or `oci://REGISTRY/REPOSITORY:TAG`.
    #[arg(value_name = "REFERENCE", required = true)]
    reference: Option<String>,
    /// The private key (cosign's encrypted PEM).
    #[arg(long, value_name = "FILE", required = true)]
    key: Option<PathBuf>,
    #[command(flatten)]
    passphrase: PassphraseArgs,
    #[command(flatten)]
    registry: RegistryArgs,
}

/// `wct sign` subcommands.
#[derive(clap::Subcommand)]
enum SignCommand {
    GenerateKey(GenerateKeyArgs),
}

/// Make an ECDSA P-256 key pair in cosign's files: PREFIX.key and PREFIX.pub.
///
/// The private key is encrypted as cosign encrypts it (scrypt, then NaCl's secretbox, PEM
/// `ENCRYPTED SIGSTORE PRIVATE KEY`), so cosign reads it too; the public key is PEM `PUBLIC
/// KEY`. Neither file is overwritten.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  COSIGN_PASSWORD=s3cret wct sign generate-key --output-key-prefix release
  echo s3cret > pass.txt && wct sign generate-key --passphrase-file pass.txt \\
      --output-key-prefix ci

Exit status:
  0  written
  2  no passphrase, or a file that exists already or cannot be written")]
struct GenerateKeyArgs {
    /// The files' names without their extensions.
    #[arg(long, value_name = "PREFIX", default_value = "cosign")]
    output_key_prefix: PathBuf,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

/// Where a private key's passphrase comes from.
#[derive(clap::Args)]
struct PassphraseArgs {
    /// Read the passphrase from the first line of FILE (else COSIGN_PASSWORD).
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
}

impl PassphraseArgs {
    /// The passphrase ([`passphrase`]).
    fn read(&self) -> Result<Vec<u8>> {
        passphrase(self.passphrase_file.as_deref())
    }
}

/// A private key's passphrase: `file`'s first line, else `$COSIGN_PASSWORD`.
pub(crate) fn passphrase(file: Option<&Path>) -> Result<Vec<u8>> {
    {
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| {
                crate::report::about(
                    "--passphrase-file",
                    wct_io::IoError::Read {
                        path: path.to_path_buf(),
                        source,
                    },
                )
            })?;
            return Ok(text.lines().next().unwrap_or_default().as_bytes().to_vec());
        }
        match std::env::var("COSIGN_PASSWORD") {
            Ok(password) => Ok(password.into_bytes()),
            Err(_) => miette::bail!(
                help = "set COSIGN_PASSWORD (as cosign reads it) or give --passphrase-file FILE",
                "no passphrase for the private key"
            ),
        }
    }
}

/// Opens the private key at `path` with the passphrase `passphrase` says.
pub(crate) fn private_key(path: &Path, passphrase: &[u8]) -> Result<PrivateKey> {
    let text = read_key(path)?;
    PrivateKey::from_pem(&text, passphrase).map_err(|e| crate::report::about(path.display(), e))
}

/// Reads the public key at `path`.
pub(crate) fn public_key(path: &Path) -> Result<PublicKey> {
    let text = read_key(path)?;
    PublicKey::from_pem(&text).map_err(|e| crate::report::about(path.display(), e))
}

fn read_key(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| {
        miette::Report::new(wct_io::IoError::Read {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// The location and tag `reference` names (the newest matching version for a requirement).
fn locate(registry_args: &RegistryArgs, reference: &str) -> Result<(Registry, Location, String)> {
    let spec: PackageSpec = reference.parse().map_err(miette::Report::new)?;
    let (registry, config) = registry_args.connect()?;
    let location = registry_args.locate(&config, &spec)?;
    let version = match &spec.version {
        VersionSpec::Exact(v) => v.clone(),
        other => registry
            .resolve(&location, other)
            .map_err(miette::Report::new)?,
    };
    Ok((registry, location, version.to_string()))
}

/// Runs `wct sign`.
pub fn sign(args: SignArgs, global: &GlobalOpts) -> Result<ExitCode> {
    if let Some(SignCommand::GenerateKey(args)) = args.command {
        return generate_key(args, global);
    }
    let (Some(reference), Some(key_path)) = (&args.reference, &args.key) else {
        miette::bail!("give REFERENCE and --key FILE");
    };
    let key = private_key(key_path, &args.passphrase.read()?)?;
    let (registry, location, tag) = locate(&args.registry, reference)?;
    match registry.sign(&location, &tag, &key) {
        Ok(signed) => {
            if !global.quiet {
                output::stdout(&format!(
                    "signed {} (manifest {}) at {}\n",
                    signed.reference, signed.manifest_digest, signed.signature
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            print_error(&miette::Report::new(e));
            Ok(ExitCode::from(EXIT_FAILED))
        }
    }
}

fn generate_key(args: GenerateKeyArgs, global: &GlobalOpts) -> Result<ExitCode> {
    let passphrase = args.passphrase.read()?;
    let pair = wct_sign::keys::generate(&passphrase).map_err(miette::Report::new)?;
    let with = |extension: &str| {
        let mut name = args.output_key_prefix.clone().into_os_string();
        name.push(extension);
        PathBuf::from(name)
    };
    let (private, public) = (with(".key"), with(".pub"));
    for path in [&private, &public] {
        if path.exists() {
            miette::bail!(
                help = "remove it, or give --output-key-prefix another name",
                "{} exists already: a key is never overwritten",
                path.display()
            );
        }
    }
    wct_io::write_output(&private, pair.private_pem.as_bytes(), &[])
        .map_err(miette::Report::new)?;
    wct_io::write_output(&public, pair.public_pem.as_bytes(), &[]).map_err(miette::Report::new)?;
    if !global.quiet {
        eprintln!(
            "wrote the private key to {} and the public key to {}",
            private.display(),
            public.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Verify that a published component or WIT package is signed by a key (cosign's format).
///
/// The manifest the reference names is fetched and its digest computed here; it is verified
/// only when a signature attached at `sha256-<hex>.sig` (by wct, cosign or any tool writing
/// cosign's format) verifies with the public key and names that digest.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct verify wct:greeter@0.1.0 --key cosign.pub --registry 127.0.0.1:5000
  wct verify oci://127.0.0.1:5000/wct/greeter:0.1.0 --key cosign.pub

Exit status:
  0  verified
  1  unsigned, signed by another key or for another manifest, or the registry refused
  2  bad reference or unreadable key")]
pub struct VerifyArgs {
    /// `ns:name@version`, `ns:name@^0.2`, `ns:name` or `oci://REGISTRY/REPOSITORY:TAG`.
    #[arg(value_name = "REFERENCE")]
    reference: String,
    /// The public key (PEM).
    #[arg(long, value_name = "FILE")]
    key: PathBuf,
    /// Print what was verified as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    registry: RegistryArgs,
}

/// Runs `wct verify`.
pub fn verify(args: VerifyArgs, global: &GlobalOpts) -> Result<ExitCode> {
    let key = public_key(&args.key)?;
    let (registry, location, tag) = locate(&args.registry, &args.reference)?;
    match registry.verify(&location, &tag, &key) {
        Ok(verified) => {
            if args.json {
                #[derive(serde::Serialize)]
                struct Json<'a> {
                    schema_version: u32,
                    #[serde(flatten)]
                    verified: &'a wct_registry::Verified,
                }
                output::json(&Json {
                    schema_version: 1,
                    verified: &verified,
                })?;
            } else if !global.quiet {
                output::stdout(&format!(
                    "verified {} (manifest {}): signed for {}\n",
                    verified.reference, verified.manifest_digest, verified.identity
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            print_error(&miette::Report::new(e));
            Ok(ExitCode::from(EXIT_FAILED))
        }
    }
}
