//! `cargo xtask bench serve`: `wct serve` and `wasmtime serve` on the same components, each
//! loaded by `wrk` on loopback with the same settings in the same run; requests per second
//! and p99 latency are reported as wct/wasmtime ratios (medians of alternating rounds).
//! WASI 0.2: the C proxy component `tests/fixtures/http/echo.wasm` (a fresh instance per
//! request on both). WASI 0.3: the
//! wasi-testsuite's Rust `http-service.wasm` beside the checkout (GET / answers `hey`), with
//! instance reuse on both (128 requests, 16 at once).

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
}

pub fn run(wct: &Path, wasmtime: &Path) -> Result<()> {
    let wrk = which("wrk").context("no `wrk` on PATH: apt-get install wrk")?;
    let p2 = root().join("tests/fixtures/http/echo.wasm");
    let p3 = root().join("../shared/wasi-testsuite/rust-wasip3/http-service.wasm");
    let mut cases = vec![
        (
            "0.2 GET /hello (small response)",
            &p2,
            "/hello?name=bench",
            &[][..],
        ),
        ("0.2 GET /nowhere (404)", &p2, "/nowhere", &[][..]),
    ];
    if p3.exists() {
        // The Rust service imports wasi:cli 0.2 too: wasmtime serve needs -S cli for it.
        cases.push((
            "0.3 GET / (Rust service, reuse)",
            &p3,
            "/",
            &["-Scli", "-Sp3", "-Wcomponent-model-async"][..],
        ));
    } else {
        eprintln!("no ../shared/wasi-testsuite beside the checkout: skipping the WASI 0.3 service");
    }
    for (label, component, path, wasmtime_flags) in cases {
        // One 5 s load is noisy on two cores (±10%): alternate the servers over ROUNDS rounds
        // and compare medians, so neither always runs first.
        let mut wct_loads = Vec::new();
        let mut peer_loads = Vec::new();
        for _ in 0..ROUNDS {
            wct_loads.push(serve_and_load(
                Command::new(wct).args(["serve", "-q", "--addr"]),
                component,
                &wrk,
                path,
            )?);
            peer_loads.push(serve_and_load(
                Command::new(wasmtime)
                    .arg("serve")
                    .args(wasmtime_flags)
                    .arg("--addr"),
                component,
                &wrk,
                path,
            )?);
        }
        let wct_load = Load::median(&wct_loads);
        let peer_load = Load::median(&peer_loads);
        println!(
            "{label:<32} req/s: wct {:>9.0}  wasmtime {:>9.0}  ratio {:.2}   p99: wct {:>7.2} ms  wasmtime {:>7.2} ms  ratio {:.2}",
            wct_load.requests_per_sec,
            peer_load.requests_per_sec,
            wct_load.requests_per_sec / peer_load.requests_per_sec,
            wct_load.p99_ms,
            peer_load.p99_ms,
            wct_load.p99_ms / peer_load.p99_ms,
        );
    }
    println!("(req/s ratio above 1 and p99 ratio below 1 mean wct is faster)");
    Ok(())
}

/// Starts `server ADDR COMPONENT` on a free port, loads it with wrk, stops it.
fn serve_and_load(server: &mut Command, component: &Path, wrk: &Path, path: &str) -> Result<Load> {
    let addr = free_addr()?;
    let _server = Server::start(server.arg(addr.to_string()).arg(component), addr)?;
    load(wrk, addr, path)
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
    /// Starts `cmd` and waits until `addr` accepts connections (compilation included).
    fn start(cmd: &mut Command, addr: SocketAddr) -> Result<Server> {
        let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
        let server = Server(child);
        let deadline = Instant::now() + Duration::from_secs(120);
        while TcpStream::connect(addr).is_err() {
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

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn load(wrk: &Path, addr: SocketAddr, path: &str) -> Result<Load> {
    let out = Command::new(wrk)
        .args([
            "--latency",
            "-t",
            THREADS,
            "-c",
            CONNECTIONS,
            "-d",
            DURATION,
        ])
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
