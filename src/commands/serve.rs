//! `wct serve`: serve a `wasi:http/proxy` component over HTTP.

use crate::args::host_report::{host_error, LogLines};
use crate::report::GlobalOpts;
use miette::Result;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use wct_run::serve::{shutdown_signal, Reuse, ServeOptions, Server};
use wct_run::{Compiler, Events, Program};

/// Serve a `wasi:http/proxy` (WASI 0.2) or `wasi:http/service` (WASI 0.3) component as an
/// HTTP/1.1 server.
///
/// A component exporting the 0.3 `wasi:http/handler` is served through it (as `wasmtime
/// serve` does); its instances are reused (up to 128 requests, 16 at a time; see
/// --no-instance-reuse), and an instance whose guest trapped or hit a limit is never reused.
/// Each 0.2 request runs in a fresh instance (compiled and linked once at startup), sandboxed as
/// `wct run` is: no directories, environment or network unless granted, and no outgoing HTTP
/// unless --allow-http names the destination. Limits (--timeout, --fuel, --max-memory) apply
/// per request: a guest that traps or hits a limit gets a 500 and a log line, and the server
/// keeps serving. One access-log line per request goes to stderr (not with --quiet); with
/// --verbose also one when a request starts running and one when it waits for a free slot.
/// Ctrl-C or SIGTERM stops accepting, lets in-flight requests finish, then exits 0.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct serve tests/fixtures/http/echo.wasm --addr 127.0.0.1:8080
      then: curl 'http://127.0.0.1:8080/hello?name=world'
  wct serve tests/fixtures/http/echo.wasm --timeout 2s --max-memory 64MiB \\
      --allow-http example.com:443

Exit status:
  0  stopped by Ctrl-C or SIGTERM after in-flight requests finished
  2  the component cannot be served (not a wasi:http/proxy component, address in use)")]
pub struct Args {
    /// The HTTP component: it exports wasi:http/handler@0.3 or wasi:http/incoming-handler@0.2.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Address to listen on (port 0: any free port; the address is printed at startup).
    #[arg(long, value_name = "IP:PORT", default_value_t = ServeOptions::DEFAULT_ADDR)]
    addr: SocketAddr,
    /// Requests handled at once; further requests wait for a free slot.
    #[arg(long, value_name = "N", default_value_t = ServeOptions::DEFAULT_MAX_CONCURRENCY)]
    max_concurrency: usize,
    /// WASI 0.3 components: a fresh instance for every request. By default a 0.3 instance
    /// serves up to 128 requests, 16 at a time, as with `wasmtime serve` (0.2 components
    /// always get a fresh instance per request).
    #[arg(long)]
    no_instance_reuse: bool,
    /// WASI 0.3: requests one instance serves in all before a new one takes over.
    #[arg(long, value_name = "N", conflicts_with = "no_instance_reuse", value_parser = clap::value_parser!(u64).range(1..))]
    max_instance_reuse_count: Option<u64>,
    /// WASI 0.3: requests one instance serves at the same time.
    #[arg(long, value_name = "N", conflicts_with = "no_instance_reuse", value_parser = clap::value_parser!(u64).range(1..))]
    max_instance_concurrent_reuse_count: Option<u64>,
    /// Serving threads [default: one per CPU]. Each takes whole connections and keeps its
    /// own WASI 0.3 instances; --max-concurrency counts across all of them.
    #[arg(long, value_name = "N")]
    threads: Option<std::num::NonZeroUsize>,
    #[command(flatten)]
    host: crate::args::host::HostArgs,
}

impl Args {
    /// How WASI 0.3 instances are reused.
    fn reuse(&self) -> Reuse {
        if self.no_instance_reuse {
            return Reuse::NONE;
        }
        Reuse {
            max_requests: self
                .max_instance_reuse_count
                .map_or(Reuse::DEFAULT.max_requests, |n| n as usize),
            max_concurrent: self
                .max_instance_concurrent_reuse_count
                .map_or(Reuse::DEFAULT.max_concurrent, |n| n as usize),
        }
    }
}

pub fn run(mut args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    args.host.apply_wasmtime_options()?;
    let name = wct_io::display_name(&args.file);
    let wasm = super::read_wasm(&args.file)?;
    let opts = ServeOptions {
        addr: args.addr,
        sandbox: args.host.sandbox()?,
        limits: args.host.limits(),
        // A server lives long: optimized code is worth its compile time.
        engine: wct_run::EngineOptions {
            // A silent start of many seconds looks like a hang in a service's log.
            log_long_compiles: (!global.quiet).then(String::new),
            ..args.host.engine(global, Compiler::Cranelift)?
        },
        max_concurrency: args.max_concurrency,
        reuse: args.reuse(),
        threads: args.threads,
        events: Events::new(LogLines {
            access_log: !global.quiet,
            verbose: global.verbose,
        }),
    };
    let program = Program {
        wasm: &wasm,
        name: name.clone(),
    };
    let server = Server::bind(&program, &opts).map_err(host_error)?;
    let addr = server.local_addr().map_err(host_error)?;
    if global.verbose {
        eprintln!(
            "wct serve: {name}: WASI {} HTTP component, {}, {} serving thread{}",
            server.wasi_version(),
            server.compile_summary(),
            server.threads(),
            if server.threads() == 1 { "" } else { "s" }
        );
    }
    // Always printed (also with --quiet): with --addr ...:0 it is the only way to learn the port.
    // Printed once Ctrl-C and SIGTERM are handled, so a signal sent on seeing it stops the server.
    let summary = server
        .run_announced(shutdown_signal(), || {
            eprintln!("wct serve: serving {name} on http://{addr}/");
        })
        .map_err(host_error)?;
    if !global.quiet {
        eprintln!(
            "wct serve: stopped after {} requests ({} failed)",
            summary.requests, summary.failures
        );
    }
    Ok(ExitCode::SUCCESS)
}
