//! `wct size`: what makes a module or component big (every byte attributed, parts labelled
//! from facts in the binary), what grew between two builds, and how long it takes to start.

use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wct_component::size::diff::{diff, SizeDiff};
use wct_component::size::query::{cut, largest, Ranked};
use wct_component::size::render::{render, TextOptions};
use wct_component::size::{analyze, analyze_bytes, html, Item, SizeReport, Stop};
use wct_run::startup::{profile, FirstCall, StartupProfile};
use wct_run::{Compiler, Program, RunOptions, Sandbox};

/// Show where the bytes of a module or component go, or what grew between two builds.
///
/// Every byte is attributed to exactly one part: nested components, core modules (named by
/// the component-name section), their sections, functions (by the name section), data
/// segments (with what their bytes look like), custom sections and debug info. Parts a
/// toolchain adds are labelled from facts in the binary: the WASI Preview 1 adapter, libc,
/// the Python runtime, a JavaScript engine, a pre-initialisation snapshot, debug info,
/// names (`-v` says which facts). With NEW, lists what grew or shrank from FILE to NEW.
/// A truncated or invalid file is attributed up to where parsing stopped (exit status 1).
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct size tests/fixtures/c/hello.wasm
  wct size -v --depth 2 --top 5 tests/fixtures/compose/greeter.wasm
  wct size tests/fixtures/compose/greeter.wasm tests/fixtures/compose/polite-greeter.wasm
  wct size tests/fixtures/compose/greeter.wasm --html size.html
  wct size tests/fixtures/c/hello.wasm --startup --run
  wct size --json tests/fixtures/c/hello.wasm > size.json

Exit status:
  0  attributed
  1  the file is truncated or invalid (what was read is still shown)
  2  usage error or unreadable input")]
pub struct Args {
    /// The module or component (binary or WAT); `-` reads stdin. With NEW: the old build.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// A newer build of FILE: show what grew or shrank.
    #[arg(value_name = "NEW")]
    new: Option<PathBuf>,
    /// How many of the largest items (or changes) to list.
    #[arg(long, value_name = "N", default_value_t = 20)]
    top: usize,
    /// Levels of the tree to show below the file (text: 3; JSON: all unless given).
    #[arg(long, value_name = "N")]
    depth: Option<usize>,
    /// Print one JSON object (docs/schemas/size.json) instead of text.
    #[arg(long)]
    json: bool,
    /// Write a self-contained HTML page with a zoomable treemap to FILE (and say so on
    /// stderr; the text report then only with --text).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// With --html: print the text report too.
    #[arg(long, requires = "html", conflicts_with = "json")]
    text: bool,
    /// Measure startup on the bundled engine: cold compile, instantiation, committed memory.
    #[arg(long, conflicts_with = "new")]
    startup: bool,
    /// With --startup: also run the command (`wasi:cli/run` or `_start`) and time it to its
    /// return; its output is discarded.
    #[arg(long, requires = "startup", conflicts_with = "invoke")]
    run: bool,
    /// With --startup: also make this call (WAVE, as `wct run --invoke`) and time it.
    #[arg(long, value_name = "CALL", requires = "startup")]
    invoke: Vec<String>,
    /// With --startup: the compiler to measure.
    #[arg(long, value_enum, default_value_t = StartupCompiler::Cranelift, requires = "startup")]
    compiler: StartupCompiler,
    /// With --startup: where the core modules an unbundled component imports are (as
    /// `wct run --module-dir`); they are compiled and counted with the component.
    #[arg(long, value_name = "DIR", requires = "startup")]
    module_dir: Option<std::path::PathBuf>,
}

/// `--compiler` for `--startup`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum StartupCompiler {
    Cranelift,
    Winch,
}

/// `wct size --json` for one file.
#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    file: String,
    file_size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped: Option<&'a Stop>,
    root: &'a Item,
    largest: Vec<Ranked>,
    #[serde(skip_serializing_if = "Option::is_none")]
    startup: Option<StartupProfile>,
}

/// `wct size --json OLD NEW`.
#[derive(Serialize)]
struct DiffReport<'a> {
    schema_version: u32,
    old: String,
    new: String,
    #[serde(flatten)]
    diff: &'a SizeDiff,
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    let name = wct_io::display_name(&args.file);
    let (report, wasm) = attribute(&args.file, args.startup)?;
    if let Some(new_path) = &args.new {
        let new_name = wct_io::display_name(new_path);
        let (new_report, _) = attribute(new_path, false)?;
        let changes = diff(&report, &new_report);
        if let Some(page) = &args.html {
            let text = html::page(&new_name, &new_report, Some(&changes));
            write_page(page, &text, &[&args.file, new_path], global)?;
        }
        if args.json {
            output::json(&DiffReport {
                schema_version: 1,
                old: name.clone(),
                new: new_name.clone(),
                diff: &changes,
            })?;
        } else if args.html.is_none() || args.text {
            output::stdout(&wct_component::size::diff::render(
                &name, &new_name, &changes, args.top,
            ))?;
        }
        report_stops(&[(&name, &report), (&new_name, &new_report)]);
        return Ok(exit(&[&report, &new_report]));
    }

    let startup = match (&wasm, args.startup) {
        (Some(wasm), true) if report.stopped.is_none() => Some(measure(&args, &name, wasm)?),
        _ => None,
    };
    if let Some(page) = &args.html {
        write_page(
            page,
            &html::page(&name, &report, None),
            &[&args.file],
            global,
        )?;
    }
    if args.json {
        let root = args.depth.map(|d| cut(&report.root, d));
        output::json(&Report {
            schema_version: 1,
            file: name.clone(),
            file_size: report.file_size,
            stopped: report.stopped.as_ref(),
            root: root.as_ref().unwrap_or(&report.root),
            largest: largest(&report.root, args.top),
            startup,
        })?;
    } else if args.html.is_none() || args.text || startup.is_some() {
        let opts = TextOptions {
            depth: args.depth.unwrap_or(3),
            top: args.top,
            verbose: global.verbose,
            ..TextOptions::default()
        };
        let mut text = render(&name, &report, &opts);
        if let Some(startup) = &startup {
            text.push_str(&startup_text(startup));
        }
        output::stdout(&text)?;
    }
    report_stops(&[(&name, &report)]);
    Ok(exit(&[&report]))
}

/// Attributes the file at `path`. A binary file is streamed (never held whole) unless
/// `keep` asks for its bytes (to run them); WAT text is compiled first. An empty file is
/// text (and not WAT).
fn attribute(path: &Path, keep: bool) -> Result<(SizeReport, Option<Vec<u8>>)> {
    let read_error = |source| {
        miette::Report::new(wct_io::IoError::Read {
            path: path.to_path_buf(),
            source,
        })
    };
    let mut head = Vec::new();
    let mut reader: Box<dyn Read> = if path == Path::new(wct_io::STDIO) {
        Box::new(std::io::stdin().lock())
    } else if path.is_dir() {
        return Err(miette::Report::new(wct_io::IoError::IsDirectory {
            path: path.to_path_buf(),
        }));
    } else {
        Box::new(std::fs::File::open(path).map_err(read_error)?)
    };
    (&mut reader)
        .take(4)
        .read_to_end(&mut head)
        .map_err(read_error)?;
    // A binary (wasm, or something else that starts with a zero byte rather than text) is
    // attributed as far as it parses; only text is taken for WAT.
    let binary = head.first() == Some(&0);
    if binary && !keep {
        return Ok((analyze(std::io::Cursor::new(head).chain(reader)), None));
    }
    reader.read_to_end(&mut head).map_err(read_error)?;
    if binary {
        return Ok((analyze_bytes(&head), Some(head)));
    }
    let wasm = wct_component::kind::to_binary(&head, path)
        .map_err(|e| crate::report::about(wct_io::display_name(path), e))?;
    Ok((analyze_bytes(&wasm), Some(wasm)))
}

/// Runs the startup measurement of `--startup`.
fn measure(args: &Args, name: &str, wasm: &[u8]) -> Result<StartupProfile> {
    let opts = RunOptions {
        sandbox: Sandbox {
            discard_output: true,
            ..Sandbox::default()
        },
        engine: wct_run::EngineOptions {
            compiler: match args.compiler {
                StartupCompiler::Cranelift => Compiler::Cranelift,
                StartupCompiler::Winch => Compiler::Winch,
            },
            module_dir: args.module_dir.clone(),
            ..Default::default()
        },
        ..RunOptions::default()
    };
    let call = if args.run {
        FirstCall::Run
    } else if !args.invoke.is_empty() {
        FirstCall::Invoke(args.invoke.clone())
    } else {
        FirstCall::None
    };
    let program = Program {
        wasm,
        name: name.to_string(),
    };
    profile(&program, &opts, &call).map_err(crate::args::host_report::host_error)
}

fn startup_text(p: &StartupProfile) -> String {
    use wct_component::size::render::{grouped, human};
    let mut out = format!(
        "\nStartup (measured on this machine, {}):\n  compile (cold, no cache) {:>10.2} ms\n  instantiate              {:>10.2} ms\n",
        p.compiler, p.compile_ms, p.instantiate_ms
    );
    if let (Some(call), Some(call_ms), Some(total)) =
        (&p.first_call, p.first_call_ms, p.time_to_first_return_ms)
    {
        out.push_str(&format!(
            "  first call               {call_ms:>10.2} ms  ({call})\n  instantiate to return    {total:>10.2} ms\n"
        ));
    }
    if let Some(outcome) = &p.call_outcome {
        out.push_str(&format!("  the call {outcome}\n"));
    }
    out.push_str(&format!(
        "  committed after instantiation: {} of linear memory, {} table elements\n",
        human(p.memory_bytes),
        grouped(p.table_elements)
    ));
    out
}

/// Writes the HTML page atomically, never over an input.
/// Writes the treemap page and says where on stderr (unless `-q`).
fn write_page(dest: &Path, page: &str, inputs: &[&Path], global: &GlobalOpts) -> Result<()> {
    wct_io::write_output(dest, page.as_bytes(), inputs).map_err(miette::Report::new)?;
    if !global.quiet {
        eprintln!("wrote {}", dest.display());
    }
    Ok(())
}

/// Tells on stderr where parsing stopped, for each file where it did.
fn report_stops(reports: &[(&str, &SizeReport)]) {
    for (name, report) in reports {
        if let Some(stop) = &report.stopped {
            crate::report::print_error(&crate::report::about(name, stop.clone()));
        }
    }
}

fn exit(reports: &[&SizeReport]) -> ExitCode {
    if reports.iter().any(|r| r.stopped.is_some()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
