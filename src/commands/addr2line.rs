//! `wct addr2line`: code offsets to functions, files and lines through DWARF.

use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::path::PathBuf;
use std::process::ExitCode;

/// Translate code addresses to functions, files and lines through DWARF debug information.
///
/// The module must carry DWARF (built with `-g`); inlined frames come first, their callers
/// below.
///
/// An address is an offset in the file (what `wasm-tools addr2line` takes), or with
/// `--module`, an offset from the start of that module of a component (named as `wct size` and
/// backtraces name it: `main`, `libc.so`), as engines print a trap's frames. `0x` and `@` mark
/// hexadecimal.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct addr2line tests/fixtures/c/hello-debug.wasm 0x1f5 0x21c
  wct addr2line tests/fixtures/c/hello-debug.wasm --json @1f5

Exit status:
  0  every address was looked up
  2  unreadable or invalid input, no DWARF, an address no module's code holds, or an
     unknown module")]
pub struct Args {
    /// The module or component (`-` reads stdin).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The addresses: `0x1f5`, `@1f5` (hexadecimal) or `501` (decimal).
    #[arg(value_name = "ADDR", required = true, value_parser = parse_address)]
    addresses: Vec<Address>,
    /// In a component, the module the addresses are in (counted from its start).
    #[arg(long, value_name = "NAME")]
    module: Option<String>,
    /// Print the frames as JSON.
    #[arg(long)]
    json: bool,
}

/// An address as the user wrote it, and its value.
#[derive(Clone)]
struct Address {
    text: String,
    value: u64,
}

/// A command-line address that is not a number in any of the accepted forms (clap shows
/// only this message, so it carries the parser's reason).
#[derive(Debug, thiserror::Error)]
#[error("`{text}` is not an address (0x1f5, @1f5 or 501): {reason}")]
struct NotAnAddress {
    text: String,
    reason: std::num::ParseIntError,
}

fn parse_address(text: &str) -> std::result::Result<Address, NotAnAddress> {
    let hex = text.strip_prefix("0x").or_else(|| text.strip_prefix('@'));
    match hex {
        Some(digits) => u64::from_str_radix(digits, 16),
        None => text.parse(),
    }
    .map(|value| Address {
        text: text.to_string(),
        value,
    })
    .map_err(|reason| NotAnAddress {
        text: text.to_string(),
        reason,
    })
}

pub fn run(args: Args, _global: &GlobalOpts) -> Result<ExitCode> {
    let name = wct_io::display_name(&args.file);
    let wasm = super::read_wasm(&args.file)?;
    let addresses: Vec<u64> = args.addresses.iter().map(|a| a.value).collect();
    let labels: Vec<String> = args.addresses.iter().map(|a| a.text.clone()).collect();
    let located = wct_component::dwarf::addr2line(&wasm, &addresses, args.module.as_deref())
        .map_err(|e| crate::report::about(&name, e))?;
    if args.json {
        #[derive(serde::Serialize)]
        struct Json<'a> {
            schema_version: u32,
            file: String,
            addresses: &'a [wct_component::dwarf::Located],
        }
        output::json(&Json {
            schema_version: 1,
            file: name,
            addresses: &located,
        })?;
    } else {
        output::stdout(&wct_component::dwarf::render(&located, &labels))?;
    }
    Ok(ExitCode::SUCCESS)
}
