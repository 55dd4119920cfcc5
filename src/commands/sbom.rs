//! `wct sbom`: a software bill of materials of a component (CycloneDX 1.6 or SPDX 2.3 JSON).

use crate::output;
use crate::report::GlobalOpts;
use miette::{IntoDiagnostic, Result};
use std::path::PathBuf;
use std::process::ExitCode;
use wct_sbom::DocumentOptions;

/// Write a software bill of materials of a component: what is inside it.
///
/// One entry per part: the component and every component and core module nested in it,
/// each with its SHA-256, name and role (the Python runtime and its version, libc, the WASI
/// Preview 1 adapter, a JavaScript engine, a pre-initialisation snapshot: the facts `wct size`
/// labels parts with); producers (language, processed-by, sdk); metadata (version, licences,
/// authors, source, revision, homepage, description); the Rust crates of a cargo-auditable
/// `.dep-v0` section as `pkg:cargo/NAME@VERSION`; the component's imports and exports; and
/// the composition as dependencies (which part fills which import). The same input gives the
/// same bytes: no time stamp unless --timestamp (SPDX, which requires one, then says the
/// Unix epoch). docs/sbom.md says where each field comes from.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct sbom tests/fixtures/compose/greeter.wasm
  wct sbom tests/fixtures/compose/greeter.wasm --format spdx -o greeter.spdx.json
  wct sbom tests/fixtures/js/polite-greeter.wasm --timestamp -o qjs.cdx.json

Exit status:
  0  written
  2  unreadable or malformed input, or an output that cannot be written")]
pub struct Args {
    /// The module or component (binary or WAT); `-` reads stdin.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The document's format: CycloneDX 1.6 JSON or SPDX 2.3 JSON.
    #[arg(long, value_enum, default_value = "cyclonedx")]
    format: Format,
    /// Where to write the document (atomically, never over the input); stdout by default.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Say when the document was made (now, or $SOURCE_DATE_EPOCH when set).
    #[arg(long)]
    timestamp: bool,
}

/// The SBOM formats.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum Format {
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
}

/// Runs `wct sbom`.
pub fn run(args: Args, _global: &GlobalOpts) -> Result<ExitCode> {
    let name = wct_io::display_name(&args.file);
    let wasm = super::read_wasm(&args.file)?;
    let options = DocumentOptions {
        timestamp: args.timestamp.then(timestamp).transpose()?,
    };
    let text = document(&wasm, &name, args.format, &options)?;
    output::write(args.output.as_ref(), text.as_bytes(), false, &[&args.file])?;
    Ok(ExitCode::SUCCESS)
}

/// The SBOM of `wasm` (named `name`) in `format`, as pretty JSON with a final newline.
pub(crate) fn document(
    wasm: &[u8],
    name: &str,
    format: Format,
    options: &DocumentOptions,
) -> Result<String> {
    let sbom = wct_sbom::describe(wasm, name).map_err(|e| crate::report::about(name, e))?;
    let document = match format {
        Format::Cyclonedx => wct_sbom::cyclonedx::document(&sbom, options),
        Format::Spdx => wct_sbom::spdx::document(&sbom, options),
    };
    let mut text = serde_json::to_string_pretty(&document).into_diagnostic()?;
    text.push('\n');
    Ok(text)
}

impl Format {
    /// The media type the document is attached to a registry artifact with.
    pub(crate) fn media_type(self) -> &'static str {
        match self {
            Format::Cyclonedx => wct_registry::attachments::CYCLONEDX_MEDIA_TYPE,
            Format::Spdx => wct_registry::attachments::SPDX_MEDIA_TYPE,
        }
    }
}

/// Now, or `$SOURCE_DATE_EPOCH` (reproducible builds' convention), as RFC 3339.
fn timestamp() -> Result<String> {
    let secs = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => value.trim().parse::<u64>().map_err(|_| {
            miette::miette!(
                help = "seconds since the Unix epoch, as reproducible builds set it",
                "SOURCE_DATE_EPOCH is not a number of seconds: `{value}`"
            )
        })?,
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    };
    Ok(wct_io::time::rfc3339(secs))
}
