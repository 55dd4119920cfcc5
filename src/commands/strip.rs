//! `wct strip`: remove custom sections, nested modules and components included.

use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wct_component::strip::{strip, Level, StripOptions, Stripped};

/// Remove debug information, names or unneeded custom sections, nested modules included.
///
/// By default the DWARF debug sections (`.debug_*`), `external_debug_info` and
/// `sourceMappingURL` go. `--names` also removes `name` and `component-name`; `--all` removes
/// every custom section except those the file needs to keep working: `component-type*` (a
/// core module's world, for `wct new`), `dylink.0` (a shared library, for `wct link`) and
/// `linking`/`reloc.*` (a relocatable object file). `--delete` and `--keep` add and protect
/// sections by name (`--keep` wins). What was removed is reported per module, with the bytes
/// saved.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct strip tests/fixtures/c/hello.wasm -o hello.stripped.wasm
  wct strip tests/fixtures/compose/greeter.wasm --all --dry-run
  wct strip tests/fixtures/compose/greeter.wasm --names --keep '^producers$' \\
      -o greeter.wasm.out --json

Exit status:
  0  stripped (or, with --dry-run, reported)
  2  unreadable or invalid input, a bad pattern, or an output that cannot be written")]
pub struct Args {
    /// The module or component (`-` reads stdin).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Also remove the `name` and `component-name` sections.
    #[arg(long, conflicts_with = "all")]
    names: bool,
    /// Remove every custom section the file does not need to keep working.
    #[arg(long)]
    all: bool,
    /// Also remove custom sections whose names match this regular expression (repeatable).
    #[arg(long, value_name = "REGEX", value_parser = pattern)]
    delete: Vec<regex::Regex>,
    /// Keep custom sections whose names match this regular expression (repeatable; wins
    /// over everything else).
    #[arg(long, value_name = "REGEX", value_parser = pattern)]
    keep: Vec<regex::Regex>,
    /// Report what would be removed; write nothing.
    #[arg(long, conflicts_with = "output")]
    dry_run: bool,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    out: output::WasmOutputArgs,
}

/// The `--json` report.
#[derive(serde::Serialize)]
struct Json<'a> {
    schema_version: u32,
    input: String,
    output: Option<String>,
    old_size: u64,
    new_size: u64,
    saved: u64,
    removed: &'a [wct_component::strip::Removed],
}

/// A `--delete`/`--keep` pattern that does not compile (clap shows only this message, so it
/// carries the regex crate's reason).
#[derive(Debug, thiserror::Error)]
#[error("not a regular expression: {0}")]
struct NotARegex(regex::Error);

/// A `--delete`/`--keep` pattern, checked as clap reads it (a bad one is a usage error).
fn pattern(text: &str) -> std::result::Result<regex::Regex, NotARegex> {
    regex::Regex::new(text).map_err(NotARegex)
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    let name = wct_io::display_name(&args.file);
    let opts = StripOptions {
        level: match (args.all, args.names) {
            (true, _) => Level::All,
            (_, true) => Level::Names,
            _ => Level::Debug,
        },
        delete: args.delete.clone(),
        keep: args.keep.clone(),
    };
    let wasm = super::read_wasm(&args.file)?;
    let stripped = strip(&wasm, &opts).map_err(|e| crate::report::about(&name, e))?;
    if args.json && args.out.output.is_none() && !args.dry_run {
        miette::bail!("--json prints the report on stdout: write the result with -o FILE");
    }
    if !args.dry_run {
        args.out.write(&stripped.bytes, &[&args.file])?;
    }
    let output_name = args.out.output.as_deref().map(wct_io::display_name);
    if args.json {
        output::json(&Json {
            schema_version: 1,
            input: name,
            output: output_name,
            old_size: wasm.len() as u64,
            new_size: stripped.bytes.len() as u64,
            saved: wasm.len() as u64 - stripped.bytes.len() as u64,
            removed: &stripped.removed,
        })?;
    } else if !global.quiet {
        let text = render(
            &name,
            wasm.len() as u64,
            &stripped,
            args.dry_run,
            global.verbose,
        );
        // The report goes to stderr when the result itself goes to stdout.
        if !args.dry_run
            && args
                .out
                .output
                .as_deref()
                .is_none_or(|o| o == Path::new("-"))
        {
            eprint!("{text}");
        } else {
            output::stdout(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The text report: the total, then one line per module or component that lost bytes, with
/// the sections removed (every section with `-v`).
fn render(name: &str, old: u64, stripped: &Stripped, dry_run: bool, verbose: bool) -> String {
    use wct_component::size::render::{grouped, human};
    let new = stripped.bytes.len() as u64;
    let verb = if dry_run { "would save" } else { "saved" };
    let mut out = format!(
        "{name}: {} -> {} ({verb} {} bytes, {:.1}%)\n",
        human(old),
        human(new),
        grouped(old - new),
        (old - new) as f64 * 100.0 / old.max(1) as f64
    );
    if stripped.removed.is_empty() {
        out.push_str("no custom section to remove\n");
        return out;
    }
    for (path, saved) in stripped.saved_per_path() {
        let sections: Vec<&str> = stripped
            .removed
            .iter()
            .filter(|r| r.path == path)
            .map(|r| r.section.as_str())
            .collect();
        let shown = if verbose || sections.len() <= 4 {
            sections.join(", ")
        } else {
            format!(
                "{}, and {} more",
                sections[..3].join(", "),
                sections.len() - 3
            )
        };
        out.push_str(&format!("{:>10}  {path}: {shown}\n", human(saved)));
    }
    out
}
