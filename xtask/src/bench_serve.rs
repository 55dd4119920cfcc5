//! `cargo xtask bench serve`: `wct serve` and `wasmtime serve` on the same components, each
//! loaded by `wrk` on loopback with the same settings in the same run; requests per second
//! and p99 latency are reported as wct/wasmtime ratios (medians of alternating rounds).
//! WASI 0.2: the C proxy component `tests/fixtures/http/echo.wasm` and a Python one
//! (`xtask/bench/proxy.py`, componentize-py), a fresh instance per request on both. WASI
//! 0.3: the
//! wasi-testsuite's Rust `http-service.wasm` beside the checkout (GET / answers `hey`), with
//! instance reuse on both (128 requests, 16 at once).
//!
//! Each case is loaded twice: flat out (every connection sends its next request as soon as the
//! answer arrives: the throughput, and the p99 at each server's own full load), and paced
//! (each connection waits 1 ms between requests, a wrk script, so both servers see about the
//! same request rate below their capacity: the p99 at equal load). On two cores the load
//! generator shares the CPUs with the server, so at full load a faster server also makes
//! wrk's own threads busier and their scheduling shows in the tail. So every case also runs
//! with the server on the upper half of the CPUs and wrk on the lower half (`taskset`; on two
//! cores: one each): the server's own numbers, without the load generator in its way.

use crate::tools::root;
use anyhow::{bail, Context, Result};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Load settings: a fixed, short duration and connection count (bounded load).
const DURATION: &str = "5s";
const CONNECTIONS: &str = "16";
const THREADS: &str = "2";
/// Loads per server and case; medians are compared.
const ROUNDS: usize = 5;
/// The wrk script of the paced load: 1 ms between a connection's requests.
const PACED_SCRIPT: &str = "function delay()\n  return 1\nend\n";

/// How wrk sends requests.
#[derive(Clone, Copy)]
enum Pace {
    /// The next request as soon as the previous answer arrived.
    FlatOut,
    /// 1 ms between a connection's requests.
    Paced,
}

/// One load run's result.
struct Load {
    requests_per_sec: f64,
    p99_ms: f64,
}

impl Load {
    /// The median throughput and the median p99 of several runs (each median on its own).
    fn median(loads: &[Load]) -> Load {
        let median = |mut values: Vec<f64>| {
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        Load {
            requests_per_sec: median(loads.iter().map(|l| l.requests_per_sec).collect()),
            p99_ms: median(loads.iter().map(|l| l.p99_ms).collect()),
        }
    }

    /// The lowest and highest p99 of several runs (`1.80–4.30 ms`): a server's own
    /// run-to-run spread, against which a difference between medians is judged.
    fn p99_spread(loads: &[Load]) -> String {
        let low = loads.iter().map(|l| l.p99_ms).fold(f64::INFINITY, f64::min);
        let high = loads.iter().map(|l| l.p99_ms).fold(0.0, f64::max);
        format!("{low:.2}–{high:.2} ms")
    }
}

pub fn run(wct: &Path, peer: &crate::peers::Peer) -> Result<()> {
    let wasmtime = peer.path.as_path();
    let wrk = which("wrk").context("no `wrk` on PATH: apt-get install wrk")?;
    let p2 = root().join("tests/fixtures/http/echo.wasm");
    let p3 = crate::tools::wasi_testsuite().join("rust-wasip3/http-service.wasm");
    let mut cases = vec![
        (
            "0.2 GET /hello (small response)",
            &p2,
            "/hello?name=bench",
            &[][..],
        ),
        ("0.2 GET /nowhere (404)", &p2, "/nowhere", &[][..]),
    ];
    // A Python proxy (componentize-py, ~18 MB): a fresh instance of the Python runtime per
    // request on both. It imports wasi:cli beside the proxy world: wasmtime serve needs -S cli.
    let python = root().join("target/bench/python-proxy.wasm");
    let python_built = crate::large_inputs::python_command(
        wct,
        "wasi:http/proxy",
        &root().join("xtask/bench"),
        "proxy",
        &python,
    )?;
    if python_built {
        cases.push((
            "0.2 Python GET / (fresh instance per request)",
            &python,
            "/",
            &["-Scli"][..],
        ));
    }
    if p3.exists() {
        // The Rust service imports wasi:cli 0.2 too: wasmtime serve needs -S cli for it.
        cases.push((
            "0.3 GET / (Rust service, reuse)",
            &p3,
            "/",
            &["-Scli", "-Sp3", "-Wcomponent-model-async"][..],
        ));
    } else {
        eprintln!(
            "skipping the WASI 0.3 service: {}",
            crate::tools::wasi_testsuite_missing()
        );
    }
    let script_dir = tempfile::tempdir()?;
    let script = script_dir.path().join("paced.lua");
    std::fs::write(&script, PACED_SCRIPT)?;
    let placements = Placement::all()?;
    for (label, component, path, wasmtime_flags) in cases {
        for placement in &placements {
            for (pace, how) in [(Pace::FlatOut, "flat out"), (Pace::Paced, "paced 1 ms")] {
                // One 5 s load is noisy on two cores (±10%): alternate the servers over
                // ROUNDS rounds and compare medians, so neither always runs first.
                let wrk = Wrk {
                    wrk: &wrk,
                    path,
                    script: matches!(pace, Pace::Paced).then_some(script.as_path()),
                    placement,
                };
                let mut wct_loads = Vec::new();
                let mut peer_loads = Vec::new();
                for _ in 0..ROUNDS {
                    wct_loads.push(serve_and_load(
                        placement
                            .server_command(wct)
                            .args(["serve", "-q", "--addr"]),
                        component,
                        &wrk,
                    )?);
                    peer_loads.push(serve_and_load(
                        placement
                            .server_command(wasmtime)
                            .arg("serve")
                            .args(wasmtime_flags)
                            .arg("--addr"),
                        component,
                        &wrk,
                    )?);
                }
                report(
                    &format!("{label}, {how}, {}", placement.label()),
                    &peer.name,
                    &wct_loads,
                    &peer_loads,
                );
            }
        }
    }
    println!("(req/s ratio above 1 and p99 ratio below 1 mean wct is faster)");
    Ok(())
}

/// Prints one case's medians, their ratios and each server's p99 range over the rounds.
fn report(label: &str, peer: &str, wct_loads: &[Load], peer_loads: &[Load]) {
    let wct_load = Load::median(wct_loads);
    let peer_load = Load::median(peer_loads);
    println!(
        "{label:<62} req/s: wct {:>9.0}  {peer} {:>9.0}  ratio {:.2}   p99: wct {:>7.2} ms  {peer} {:>7.2} ms  ratio {:.2}",
        wct_load.requests_per_sec,
        peer_load.requests_per_sec,
        wct_load.requests_per_sec / peer_load.requests_per_sec,
        wct_load.p99_ms,
        peer_load.p99_ms,
        wct_load.p99_ms / peer_load.p99_ms,
    );
    println!(
        "{:<62} p99 over the rounds: wct {}  {peer} {}",
        "",
        Load::p99_spread(wct_loads),
        Load::p99_spread(peer_loads),
    );
}

/// Where the server and wrk run.
enum Placement {
    /// Both anywhere: they share every CPU, as on a small machine that serves and is
    /// loaded at once; the scheduler's choices between them show in the tail.
    Shared,
    /// The server on the upper half of the CPUs, wrk on the lower half (`taskset`): the
    /// server's own throughput and latency, without the load generator competing for its
    /// CPUs. Both servers size their threads to the CPUs they are given.
    Isolated {
        server_cpus: String,
        wrk_cpus: String,
        wrk_threads: usize,
    },
}

impl Placement {
    /// Shared, and isolated when there are at least two CPUs and `taskset`.
    fn all() -> Result<Vec<Placement>> {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cpus < 2 {
            eprintln!("one CPU: skipping the runs with the server and wrk on CPUs of their own");
            return Ok(vec![Placement::Shared]);
        }
        which("taskset").context("no `taskset` on PATH: apt-get install util-linux")?;
        let half = cpus / 2;
        let range = |from: usize, to: usize| {
            if to - from == 1 {
                from.to_string()
            } else {
                format!("{from}-{}", to - 1)
            }
        };
        Ok(vec![
            Placement::Shared,
            Placement::Isolated {
                server_cpus: range(half, cpus),
                wrk_cpus: range(0, half),
                wrk_threads: half,
            },
        ])
    }

    fn label(&self) -> String {
        match self {
            Placement::Shared => "shared CPUs".into(),
            Placement::Isolated { server_cpus, .. } => format!("server on CPU {server_cpus}"),
        }
    }

    /// `program`, started on the server's CPUs.
    fn server_command(&self, program: &Path) -> Command {
        match self {
            Placement::Isolated { server_cpus, .. } => taskset(server_cpus, program),
            Placement::Shared => Command::new(program),
        }
    }

    /// `program`, started on wrk's CPUs.
    fn wrk_command(&self, program: &Path) -> Command {
        match self {
            Placement::Isolated { wrk_cpus, .. } => taskset(wrk_cpus, program),
            Placement::Shared => Command::new(program),
        }
    }

    /// wrk's threads: one per CPU it has (two when it shares them with the server).
    fn wrk_threads(&self) -> String {
        match self {
            Placement::Shared => THREADS.to_string(),
            Placement::Isolated { wrk_threads, .. } => wrk_threads.to_string(),
        }
    }
}

/// `program`, to be started on `cpus` only (`taskset -c CPUS PROGRAM ...`).
fn taskset(cpus: &str, program: &Path) -> Command {
    let mut command = Command::new("taskset");
    command.args(["-c", cpus]).arg(program);
    command
}

/// One wrk load: the tool, the path requested, the pacing script, if any, and where it runs.
struct Wrk<'a> {
    wrk: &'a Path,
    path: &'a str,
    script: Option<&'a Path>,
    placement: &'a Placement,
}

/// Starts `server ADDR COMPONENT` on a free port, loads it with wrk, stops it.
fn serve_and_load(server: &mut Command, component: &Path, wrk: &Wrk<'_>) -> Result<Load> {
    let addr = free_addr()?;
    let _server = Server::start(server.arg(addr.to_string()).arg(component), addr)?;
    load(wrk, addr)
}

fn which(tool: &str) -> Result<std::path::PathBuf> {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()?;
    if !found.status.success() {
        bail!("{tool} not found");
    }
    Ok(String::from_utf8(found.stdout)?.trim().into())
}

fn free_addr() -> Result<SocketAddr> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?)
}

/// A server process, killed on drop.
struct Server(Child);

impl Server {
    /// Starts `cmd` and waits until it answers a request on `addr` (compilation included:
    /// `wct serve` listens at once and holds requests until compiled, where `wasmtime serve`
    /// listens once compiled, so an open port is not enough).
    fn start(cmd: &mut Command, addr: SocketAddr) -> Result<Server> {
        let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
        let server = Server(child);
        let deadline = Instant::now() + Duration::from_secs(120);
        while !answers(addr) {
            if Instant::now() > deadline {
                bail!(
                    "{} did not start listening on {addr}",
                    crate::tools::show(cmd)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }
}

/// Whether a `GET /` on `addr` gets an HTTP status line back.
fn answers(addr: SocketAddr) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    if stream
        .write_all(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 ")
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn load(wrk: &Wrk<'_>, addr: SocketAddr) -> Result<Load> {
    let path = wrk.path;
    let mut command = wrk.placement.wrk_command(wrk.wrk);
    if let Some(script) = wrk.script {
        command.arg("-s").arg(script);
    }
    let out = command
        .args(["--latency", "-t", &wrk.placement.wrk_threads()])
        .args(["-c", CONNECTIONS, "-d", DURATION])
        .arg(format!("http://{addr}{path}"))
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() || text.contains("Non-2xx") && !path.contains("nowhere") {
        bail!("wrk failed or saw errors:\n{text}");
    }
    Ok(Load {
        requests_per_sec: field(&text, "Requests/sec:")?,
        p99_ms: latency_ms(&text, "99%")?,
    })
}

/// The number after `label` on its line.
fn field(text: &str, label: &str) -> Result<f64> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("no `{label}` in wrk's output:\n{text}"))
}

/// A latency percentile line of `wrk --latency` (`99%   1.23ms`), in milliseconds.
fn latency_ms(text: &str, percentile: &str) -> Result<f64> {
    let value = text
        .lines()
        .find_map(|l| l.trim().strip_prefix(percentile))
        .map(str::trim)
        .with_context(|| format!("no {percentile} latency in wrk's output:\n{text}"))?;
    let (number, unit) = value.split_at(
        value
            .find(|c: char| c.is_alphabetic())
            .unwrap_or(value.len()),
    );
    let number: f64 = number.parse()?;
    Ok(match unit {
        "us" => number / 1e3,
        "ms" => number,
        "s" => number * 1e3,
        other => bail!("unknown latency unit `{other}` in `{value}`"),
    })
}
