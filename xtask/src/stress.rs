//! `cargo xtask stress [FILTER...] [--runs N] [--load K]`: runs the chosen tests N times while K
//! busy processes load the machine, and reports the failures of each test.
//!
//! A test that passes alone but orders events by timing fails here: the load stretches every
//! gap the test guessed. The test binaries are built once (`cargo test --no-run`) and copied,
//! with the `wct` binary the CLI tests drive (`CARGO_BIN_EXE_wct`), into
//! `target/stress/snapshot/`, so a rebuild during a long session does not change what runs.
//! Each run executes every binary that has tests matching a filter, with libtest's own
//! parallelism; the output of a failed run is kept under `target/stress/`.

use crate::tools;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// The options of one stress session.
struct StressArgs {
    filters: Vec<String>,
    runs: usize,
    load: usize,
}

fn parse(args: &[String]) -> Result<StressArgs> {
    let mut parsed = StressArgs {
        filters: Vec::new(),
        runs: 20,
        load: 2,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut number = |flag: &str| -> Result<usize> {
            let value = args
                .next()
                .with_context(|| format!("{flag} needs a number"))?;
            value
                .parse()
                .with_context(|| format!("{flag} needs a number, not {value:?}"))
        };
        match arg.as_str() {
            "--runs" => parsed.runs = number("--runs")?,
            "--load" => parsed.load = number("--load")?,
            flag if flag.starts_with('-') => {
                bail!("unknown option {flag}; usage: cargo xtask stress [FILTER...] [--runs N] [--load K]")
            }
            filter => parsed.filters.push(filter.to_string()),
        }
    }
    if parsed.runs == 0 {
        bail!("--runs must be at least 1");
    }
    Ok(parsed)
}

/// Entry point of `cargo xtask stress`.
pub fn run(args: &[String]) -> Result<()> {
    let args = parse(args)?;
    let built = build_test_binaries()?;
    let logs = tools::root().join("target/stress");
    let snapshot = logs.join("snapshot");
    let _ = std::fs::remove_dir_all(&snapshot);
    std::fs::create_dir_all(&snapshot)?;
    let copy = |from: &PathBuf| -> Result<PathBuf> {
        let to = snapshot.join(from.file_name().context("a binary has a file name")?);
        std::fs::copy(from, &to).with_context(|| format!("copying {}", from.display()))?;
        Ok(to)
    };
    let wct = copy(&built.wct)?;
    let binaries = built.tests.iter().map(copy).collect::<Result<Vec<_>>>()?;
    let selected: Vec<(PathBuf, Vec<String>)> = binaries
        .into_iter()
        .filter_map(|bin| match list_tests(&bin, &args.filters) {
            Ok(tests) if tests.is_empty() => None,
            Ok(tests) => Some(Ok((bin, tests))),
            Err(e) => Some(Err(e)),
        })
        .collect::<Result<_>>()?;
    let total: usize = selected.iter().map(|(_, tests)| tests.len()).sum();
    if total == 0 {
        bail!("no test matches {:?}", args.filters);
    }
    eprintln!(
        "stress: {total} tests from {} binaries, {} runs, {} busy processes",
        selected.len(),
        args.runs,
        args.load
    );

    let _load = BusyLoad::start(args.load)?;
    let mut failures: BTreeMap<String, usize> = BTreeMap::new();
    let mut ran: BTreeMap<String, usize> = BTreeMap::new();
    for run in 1..=args.runs {
        let started = Instant::now();
        let mut failed_this_run = 0;
        for (bin, _) in &selected {
            let out = Command::new(bin)
                .args(&args.filters)
                .env("CARGO_BIN_EXE_wct", &wct)
                .current_dir(tools::root())
                .stdin(Stdio::null())
                .output()
                .with_context(|| format!("running {}", bin.display()))?;
            let stdout = String::from_utf8_lossy(&out.stdout);
            for (name, passed) in outcomes(&stdout) {
                *ran.entry(name.clone()).or_default() += 1;
                if !passed {
                    failed_this_run += 1;
                    *failures.entry(name).or_default() += 1;
                }
            }
            if !out.status.success() {
                let stem = bin.file_name().unwrap_or_default().to_string_lossy();
                let log = logs.join(format!("run{run}-{stem}.log"));
                let text = format!(
                    "{stdout}\n--- stderr ---\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                std::fs::write(&log, text)?;
                eprintln!("  run {run}: {} failed; output in {}", stem, log.display());
            }
        }
        eprintln!(
            "run {run}/{}: {failed_this_run} failures ({:.0}s)",
            args.runs,
            started.elapsed().as_secs_f64()
        );
    }

    println!("{:<70} {:>5} {:>8}", "test", "runs", "failures");
    for (name, count) in &ran {
        let failed = failures.get(name).copied().unwrap_or(0);
        println!("{name:<70} {count:>5} {failed:>8}");
    }
    let failed: usize = failures.values().sum();
    println!(
        "{} passed, {failed} failed",
        ran.values().sum::<usize>() - failed
    );
    if failed > 0 {
        bail!("{failed} test runs failed under load");
    }
    Ok(())
}

/// What `cargo test --no-run` built.
struct Built {
    /// The test executables.
    tests: Vec<PathBuf>,
    /// The `wct` binary.
    wct: PathBuf,
}

/// Builds every test target of the workspace once.
fn build_test_binaries() -> Result<Built> {
    let out = Command::new("cargo")
        .args([
            "test",
            "--workspace",
            "--locked",
            "--no-run",
            "--message-format=json",
        ])
        .current_dir(tools::root())
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo test --no-run")?;
    if !out.status.success() {
        bail!("building the tests failed");
    }
    let mut tests = Vec::new();
    let mut wct = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(exe) = message["executable"].as_str() else {
            continue;
        };
        if message["profile"]["test"].as_bool() == Some(true) {
            tests.push(PathBuf::from(exe));
        } else if message["target"]["name"].as_str() == Some("wct") {
            wct = Some(PathBuf::from(exe));
        }
    }
    tests.sort();
    tests.dedup();
    Ok(Built {
        tests,
        wct: wct.context("cargo built no wct binary")?,
    })
}

/// The names of the tests in `bin` that match `filters` (all of them without filters).
fn list_tests(bin: &PathBuf, filters: &[String]) -> Result<Vec<String>> {
    let out = Command::new(bin)
        .args(filters)
        .args(["--list", "--format", "terse"])
        .output()
        .with_context(|| format!("listing the tests of {}", bin.display()))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_string)
        .collect())
}

/// `(test name, passed)` for each `test NAME ... ok|FAILED` line of libtest's output.
fn outcomes(stdout: &str) -> Vec<(String, bool)> {
    stdout
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("test ")?;
            let (name, verdict) = rest.rsplit_once(" ... ")?;
            match verdict {
                "ok" => Some((name.to_string(), true)),
                "FAILED" => Some((name.to_string(), false)),
                _ => None,
            }
        })
        .collect()
}

/// K processes spinning on a core each, killed when dropped.
struct BusyLoad(Vec<Child>);

impl BusyLoad {
    fn start(count: usize) -> Result<BusyLoad> {
        let children = (0..count)
            .map(|_| {
                Command::new("sh")
                    .args(["-c", "while :; do :; done"])
                    .stdin(Stdio::null())
                    .spawn()
                    .context("starting a busy process")
            })
            .collect::<Result<_>>()?;
        Ok(BusyLoad(children))
    }
}

impl Drop for BusyLoad {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libtest_verdicts() {
        let out = "running 3 tests\ntest serve::a ... ok\ntest run::b ... FAILED\n\
                   test x ... ignored\ntest result: FAILED. 1 passed; 1 failed";
        assert_eq!(
            outcomes(out),
            vec![
                ("serve::a".to_string(), true),
                ("run::b".to_string(), false)
            ]
        );
    }

    #[test]
    fn parses_runs_load_and_filters() {
        let args: Vec<String> = ["serve::", "--runs", "3", "run::", "--load", "1"]
            .map(String::from)
            .to_vec();
        let parsed = parse(&args).unwrap();
        assert_eq!(parsed.filters, ["serve::", "run::"]);
        assert_eq!((parsed.runs, parsed.load), (3, 1));
        assert!(parse(&["--runs".to_string(), "x".to_string()]).is_err());
        assert!(parse(&["--bogus".to_string()]).is_err());
    }
}
