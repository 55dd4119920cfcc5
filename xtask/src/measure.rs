//! Timing a command together with its peak memory: the child's own maximum resident set
//! size, read from `wait4` (not the whole process tree's, as `getrusage(RUSAGE_CHILDREN)`
//! would give).

use anyhow::{bail, Context, Result};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One run: wall time and peak memory.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// From spawn to exit.
    pub time: Duration,
    /// Maximum resident set size, bytes.
    pub peak: u64,
}

/// Runs `cmd` (output discarded) and measures it; a failing command is an error.
#[allow(unsafe_code)] // wait4: std has no way to read a child's resource usage.
pub fn sample(cmd: &mut Command) -> Result<Sample> {
    let start = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("spawning {}", crate::tools::show(cmd)))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our own child, reaped
    // here exactly once (the `Child` handle is never waited on).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let time = start.elapsed();
    if reaped != pid {
        bail!("wait4 failed for {}", crate::tools::show(cmd));
    }
    let status = std::process::ExitStatus::from_raw(status);
    if !status.success() {
        bail!(
            "benchmark command failed ({status}): {}",
            crate::tools::show(cmd)
        );
    }
    Ok(Sample {
        time,
        // Linux reports kilobytes.
        peak: usage.ru_maxrss as u64 * 1024,
    })
}

/// Medians of `rounds` runs of each command, alternating between them run by run so that a
/// slow spell of the machine hits both alike. `make(i)` builds command `i` afresh.
pub fn paired_medians(
    rounds: usize,
    commands: usize,
    make: &dyn Fn(usize) -> Command,
) -> Result<Vec<Sample>> {
    let mut samples: Vec<Vec<Sample>> = vec![Vec::with_capacity(rounds); commands];
    for _ in 0..rounds {
        for (i, runs) in samples.iter_mut().enumerate() {
            runs.push(sample(&mut make(i))?);
        }
    }
    Ok(samples
        .into_iter()
        .map(|mut runs| {
            runs.sort_by_key(|s| s.time);
            let time = runs[runs.len() / 2].time;
            runs.sort_by_key(|s| s.peak);
            Sample {
                time,
                peak: runs[runs.len() / 2].peak,
            }
        })
        .collect())
}

/// Prints one comparison of time and peak memory, each as wct's divided by the peer's.
pub fn report(label: &str, peer_name: &str, wct: Sample, peer: Sample) {
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "{label:<52} wct {:>9.2} ms {:>7.1} MiB   {peer_name} {:>9.2} ms {:>7.1} MiB   \
         time ratio {:.2}   memory ratio {:.2}",
        wct.time.as_secs_f64() * 1e3,
        mib(wct.peak),
        peer.time.as_secs_f64() * 1e3,
        mib(peer.peak),
        wct.time.as_secs_f64() / peer.time.as_secs_f64(),
        wct.peak as f64 / peer.peak as f64,
    );
}

/// How many times each command runs; the median is reported.
pub const ROUNDS: usize = 9;

/// Median wall time of `rounds` runs of the commands built by `make`, each round preceded by
/// `setup` (not timed).
pub fn median_with(
    rounds: usize,
    setup: &dyn Fn() -> Result<()>,
    make: &dyn Fn() -> Vec<Command>,
) -> Result<Duration> {
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        setup()?;
        let start = Instant::now();
        for mut cmd in make() {
            let status = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status()?;
            if !status.success() {
                bail!("benchmark command failed: {}", crate::tools::show(&cmd));
            }
        }
        times.push(start.elapsed());
    }
    times.sort();
    Ok(times[rounds / 2])
}

/// Median wall time of `ROUNDS` runs of the commands built by `make` (run one after another).
pub fn median(make: &dyn Fn() -> Vec<Command>) -> Result<Duration> {
    median_with(ROUNDS, &|| Ok(()), make)
}

/// Prints one comparison: both times and wct's time divided by the peer's.
pub fn report_vs(label: &str, peer_name: &str, wct: Duration, peer: Duration) {
    println!(
        "{label:<52} wct {:>9.2} ms   {peer_name} {:>9.2} ms   ratio {:.2}",
        wct.as_secs_f64() * 1e3,
        peer.as_secs_f64() * 1e3,
        wct.as_secs_f64() / peer.as_secs_f64()
    );
}
