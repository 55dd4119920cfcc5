//! `cargo xtask bench keyvalue`: gets and sets per second from the C component
//! `tests/fixtures/wasi-keyvalue/c/kv_bench.c`, which times its own loops (start-up and
//! compilation are not counted), on `wct run`'s memory, folder and Redis stores, beside the
//! wasmtime CLI's memory store (`-S keyvalue`) in the same run. Runs alternate between the
//! configurations; the median of each is reported.

use crate::tools::root;
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Runs of each configuration; the median is reported.
const ROUNDS: usize = 7;

/// Operations per phase: the memory stores answer in well under a microsecond; the folder
/// store commits a transaction to disk per set.
const MEMORY_OPS: u64 = 200_000;
const FOLDER_OPS: u64 = 2_000;
const REDIS_OPS: u64 = 20_000;

/// Sets and gets per second of one run.
#[derive(Debug, Clone, Copy)]
struct Rates {
    sets: f64,
    gets: f64,
}

/// Runs `cmd` and reads the component's "sets N NS" and "gets N NS" lines.
/// Makes the command of one configuration, afresh for each run.
type CommandMaker<'a> = Box<dyn Fn() -> Command + 'a>;

fn rates(cmd: &mut Command) -> Result<Rates> {
    let out = cmd.stderr(Stdio::inherit()).output()?;
    if !out.status.success() {
        bail!("benchmark command failed: {}", crate::tools::show(cmd));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let rate = |phase: &str| -> Result<f64> {
        let line = text
            .lines()
            .find(|l| l.starts_with(phase))
            .with_context(|| format!("no `{phase}` line in {text:?}"))?;
        let fields: Vec<f64> = line
            .split_whitespace()
            .skip(1)
            .map(|f| f.parse::<f64>())
            .collect::<std::result::Result<_, _>>()?;
        Ok(fields[0] / (fields[1] / 1e9))
    };
    Ok(Rates {
        sets: rate("sets")?,
        gets: rate("gets")?,
    })
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// A Redis server on a free loopback port, stopped when dropped.
struct Redis(Child, u16);

impl Redis {
    fn start() -> Result<Redis> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .context("redis-server (Debian package redis-server)")?;
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(Redis(child, port));
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        bail!("redis-server did not start on port {port}")
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the comparison.
pub fn run(wct: &Path, peer: &crate::peers::Peer) -> Result<()> {
    let wasmtime = peer.path.as_path();
    let app = root().join("tests/fixtures/wasi-keyvalue/c/kv_bench.wasm");
    let scratch = tempfile::tempdir()?;
    let redis = Redis::start()?;
    let redis_url = format!("redis://127.0.0.1:{}/0", redis.1);
    let wct_run = |store: &str, ops: u64| {
        let mut cmd = Command::new(wct);
        // Cranelift, as the wasmtime CLI compiles: no Winch code, no background compile.
        cmd.args(["run", "--compiler", "cranelift", "--keyvalue", store])
            .arg("--config")
            .arg(format!("ops={ops}"))
            .arg(&app);
        cmd
    };
    let folder = scratch.path().join("store");
    let folder = folder.to_str().context("a UTF-8 temporary path")?;
    let configs: Vec<(&str, CommandMaker)> = vec![
        (
            peer.name.as_str(),
            Box::new(|| {
                let mut cmd = Command::new(wasmtime);
                cmd.args(["run", "-S", "keyvalue", "-S", "config"])
                    .arg("-S")
                    .arg(format!("config-var=ops={MEMORY_OPS}"))
                    .arg(&app);
                cmd
            }),
        ),
        ("memory", Box::new(|| wct_run("memory", MEMORY_OPS))),
        ("folder", Box::new(|| wct_run(folder, FOLDER_OPS))),
        ("redis", Box::new(|| wct_run(&redis_url, REDIS_OPS))),
    ];
    let mut runs: Vec<Vec<Rates>> = vec![Vec::new(); configs.len()];
    for _ in 0..ROUNDS {
        for (i, (_, make)) in configs.iter().enumerate() {
            runs[i].push(rates(&mut make())?);
        }
    }
    let medians: Vec<Rates> = runs
        .into_iter()
        .map(|r| Rates {
            sets: median(r.iter().map(|x| x.sets).collect()),
            gets: median(r.iter().map(|x| x.gets).collect()),
        })
        .collect();
    let peer_rates = medians[0];
    for (phase, ours, theirs) in [
        ("set", medians[1].sets, peer_rates.sets),
        ("get", medians[1].gets, peer_rates.gets),
    ] {
        println!(
            "{:<52} wct {:>10.0}/s   {} (memory) {:>10.0}/s   throughput ratio {:.2}",
            format!("keyvalue {phase}, memory store ({MEMORY_OPS} ops)"),
            ours,
            peer.name,
            theirs,
            ours / theirs
        );
    }
    for (i, name, ops) in [(2, "folder", FOLDER_OPS), (3, "Redis", REDIS_OPS)] {
        for (phase, rate) in [("set", medians[i].sets), ("get", medians[i].gets)] {
            println!(
                "{:<52} wct {rate:>10.0}/s",
                format!("keyvalue {phase}, {name} store ({ops} ops)")
            );
        }
    }
    Ok(())
}
