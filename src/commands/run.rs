//! `wct run`: execute a component or a WASI Preview 1 program on the bundled engine.

use crate::args::host_report::{host_error, LogLines};
use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use wct_run::invoke::{invoke, Invoked};
use wct_run::{Compiler, Events, Limit, Outcome, Program, RunOptions};

/// Run a `wasi:cli/command` component or a WASI Preview 1 module, sandboxed.
///
/// Nothing is granted by default: no directories, no environment variables, no network;
/// stdin/stdout/stderr are inherited. The guest's exit code becomes wct's. A Preview 1 module
/// runs on wasmtime-wasi's own Preview 1 implementation, so its exit status is exactly what a
/// Preview 1 host gives (`--via-adapter` runs the component `wct adapt` makes instead).
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct run tests/fixtures/c/hello.wasm -- --name world
  wct run tests/fixtures/c/files.wasm --dir tests/fixtures/c::/src:ro \\
      --timeout 10s -- /src/hello.c
  wct run tests/fixtures/compose/greeter.wasm --invoke 'greet(\"world\")'

Exit status:
  the guest's exit code, or
  124  stopped by --timeout      125  stopped by --fuel
  134  the guest trapped         137  stopped by --max-memory
  2    wct could not load or instantiate the program")]
pub struct Args {
    /// The component or Preview 1 module.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Arguments for the guest (after `--`).
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    args: Vec<String>,
    #[command(flatten)]
    host: crate::args::host::HostArgs,
    /// Run a Preview 1 module through the bundled adapter (as `wct adapt` makes it).
    #[arg(long)]
    via_adapter: bool,
    /// Call an exported function, e.g. 'greet("world")' or 'ns:pkg/iface#f(1, [2])'.
    /// Repeatable: the calls run in order on one instance; a resource one call returns is
    /// shown as #N and can be passed to a later call as #N (`counter.new(1)`, `counter.bump(#0, 2)`).
    #[arg(long, value_name = "CALL")]
    invoke: Vec<String>,
    /// Compose FILE with these components first (as `wct compose FILE PLUG...`), then run.
    /// A plug may be a registry reference (`ns:name@1.2.3`, `oci://...`).
    #[arg(long, value_name = "PLUG")]
    plug: Vec<PathBuf>,
    #[command(flatten)]
    registry: crate::args::registry::RegistryArgs,
    /// With --plug: for an import several plugs export, take it from this one.
    #[arg(long, value_name = "IMPORT=INSTANCE", requires = "plug")]
    prefer: Vec<String>,
    /// Only compile into the cache (used for background optimization).
    #[arg(long, hide = true)]
    precompile_only: bool,
}

impl Args {
    fn options(&self, global: &GlobalOpts) -> Result<RunOptions> {
        Ok(RunOptions {
            args: self.args.clone(),
            sandbox: self.host.sandbox()?,
            limits: self.host.limits(),
            engine: self.host.engine(global, Compiler::Auto)?,
            via_adapter: self.via_adapter,
            events: Events::new(LogLines {
                access_log: false,
                verbose: global.verbose,
            }),
            timeline: Default::default(),
        })
    }

    /// Starts `wct run --precompile-only --compiler cranelift` detached, so that the next run
    /// finds optimized code in the cache.
    fn optimize_in_background(&self, opts: &RunOptions) {
        if std::env::var_os("WCT_NO_BACKGROUND_COMPILE").is_some()
            || self.file == std::path::Path::new("-")
        {
            return;
        }
        let (Ok(exe), Some(cache)) = (std::env::current_exe(), &opts.engine.cache) else {
            return;
        };
        let mut cmd = std::process::Command::new(exe);
        cmd.args([
            "run",
            "--precompile-only",
            "--compiler",
            "cranelift",
            "--cache-dir",
        ])
        .arg(cache.dir())
        .arg(&self.file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        if let Some(dir) = &self.host.module_dir {
            cmd.arg("--module-dir").arg(dir);
        }
        if let Some(fuel) = self.host.fuel {
            cmd.arg("--fuel").arg(fuel.to_string());
        }
        if let Some(timeout) = self.host.timeout {
            cmd.arg("--timeout")
                .arg(format!("{}ms", timeout.as_millis().max(1)));
        }
        let _ = cmd.spawn();
    }
}

pub fn run(mut args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    args.host.apply_wasmtime_options()?;
    let name = wct_io::display_name(&args.file);
    let input = wct_io::read_input(&args.file).map_err(miette::Report::new)?;
    let mut wasm = wct_component::kind::into_binary(input.bytes, &args.file)
        .map_err(|e| crate::report::about(&name, e))?;
    if !args.plug.is_empty() {
        wasm = compose_plugs(&args, wasm.into_vec(), global)?.into();
    }
    let opts = args.options(global)?;
    let program = Program {
        wasm: &wasm,
        name: name.clone(),
    };

    if args.precompile_only {
        let cache = opts
            .engine
            .cache
            .as_ref()
            .ok_or_else(|| miette::miette!("--precompile-only needs a cache"))?;
        wct_run::engine::precompile(
            &wasm,
            &opts.limits,
            cache,
            opts.engine.module_dir.as_deref(),
        )
        .map_err(|e| crate::report::about(&name, e))?;
        return Ok(ExitCode::SUCCESS);
    }

    if !args.invoke.is_empty() {
        let show = |calls: &[Vec<String>]| -> String {
            calls.iter().flatten().map(|v| format!("{v}\n")).collect()
        };
        return match invoke(&program, &args.invoke, &opts)
            .map_err(|e| crate::args::host_report::invoke_error(&name, e))?
        {
            Invoked::Returned(values) => {
                output::stdout(&show(&values))?;
                Ok(ExitCode::SUCCESS)
            }
            Invoked::Failed(values, outcome) => {
                output::stdout(&show(&values))?;
                Ok(report_outcome(&name, &outcome, &opts))
            }
        };
    }

    let report = wct_run::run(&program, &opts).map_err(host_error)?;
    if global.verbose {
        eprintln!("wct run: {name} ({}): {}", report.kind, report.compile);
    }
    if report.optimize_later {
        args.optimize_in_background(&opts);
    }
    Ok(report_outcome(&name, &report.outcome, &opts))
}

/// `wct run FILE --plug P...`: composes FILE with the plugs in memory, as `wct compose` would.
fn compose_plugs(args: &Args, socket: Vec<u8>, global: &GlobalOpts) -> Result<Vec<u8>> {
    let mut paths = vec![args.file.clone()];
    let scratch = tempfile::tempdir().map_err(|source| {
        miette::Report::new(wct_io::IoError::Write {
            path: std::env::temp_dir(),
            source,
        })
    })?;
    paths.extend(crate::args::compose_inputs::pull_registry_plugs(
        &args.plug,
        &args.registry,
        scratch.path(),
        global,
    )?);
    let mut components = crate::args::compose_inputs::load_components(&paths)?;
    components[0].bytes = socket;
    let options = wct_compose::Options {
        prefer: crate::args::compose_inputs::prefer_map(&args.prefer)?,
        ..Default::default()
    };
    let composed = crate::args::compose_inputs::compose(components, &options)?;
    if !global.quiet {
        eprint!(
            "{}",
            crate::args::compose_inputs::render(&composed.plan, global)
        );
    }
    Ok(composed.wasm.into_vec())
}

/// Prints what stopped the guest (if anything did) and returns the exit status.
fn report_outcome(name: &str, outcome: &Outcome, opts: &RunOptions) -> ExitCode {
    match outcome {
        Outcome::Exited { .. } => {}
        Outcome::Stopped {
            limit: Limit::Fuel, ..
        } => eprintln!(
            "error: {name}: out of fuel: the guest used all {} units of --fuel",
            opts.limits.fuel.unwrap_or_default()
        ),
        Outcome::Stopped { message, .. } => eprintln!("error: {name}: {message}"),
        Outcome::Trapped(trap) => {
            eprintln!("error: {name}: the guest trapped: {}", trap.kind);
            if !trap.backtrace.is_empty() {
                eprintln!("guest backtrace:");
                for (i, frame) in trap.backtrace.iter().enumerate() {
                    eprintln!("  {i:>3}: {frame}");
                }
            }
        }
    }
    ExitCode::from((outcome.exit_code() & 0xff) as u8)
}
