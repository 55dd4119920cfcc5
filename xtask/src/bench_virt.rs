//! `cargo xtask bench virt`: what `wct virt` costs. Size: the bytes that virtualizing the
//! environment, stdio and the clocks adds to a C command (goal: under 100 KB plus the baked
//! data). Time: a virtualized Python hello world against the plain one under `wct run`, warm
//! cache, paired runs (goal: at most 1.05x).

use crate::measure::paired_medians;
use crate::tools::{root, run};
use anyhow::Result;
use std::path::Path;
use std::process::Command;

/// Paired runs of the Python commands.
const ROUNDS: usize = 9;

pub fn run_bench(wct: &Path) -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let c = tmp.path().join("env.wasm");
    run(Command::new(wct)
        .arg("adapt")
        .arg(root().join("tests/fixtures/c/env.wasm"))
        .arg("-o")
        .arg(&c)
        .arg("-q"))?;
    let sealed = tmp.path().join("env-virt.wasm");
    // Only environment, stdio and clocks are virtualized; the rest stays the host's.
    run(Command::new(wct)
        .arg("virt")
        .arg(&c)
        .arg("-o")
        .arg(&sealed)
        .args([
            "--env",
            "GREETING=hi",
            "--clock",
            "2026-01-01T00:00:00Z",
            "--stdio",
            "deny",
        ])
        .args([
            "--files",
            "allow",
            "--network",
            "allow",
            "--http",
            "allow",
            "--random",
            "allow",
            "-q",
        ]))?;
    let (before, after) = (
        std::fs::metadata(&c)?.len(),
        std::fs::metadata(&sealed)?.len(),
    );
    println!(
        "{:<52} {before} -> {after} bytes: +{:.1} KB (goal < 100 KB plus baked data)",
        "virt size: env + stdio + clocks on a C command",
        (after - before) as f64 / 1e3
    );

    let dir = root().join("target/bench");
    std::fs::create_dir_all(&dir)?;
    let python = dir.join("python-app.wasm");
    if !crate::large_inputs::python_command(
        wct,
        "wasi:cli/command",
        &root().join("xtask/bench"),
        "app",
        &python,
    )? {
        return Ok(());
    }
    let virtualized = tmp.path().join("python-virt.wasm");
    run(Command::new(wct)
        .arg("virt")
        .arg(&python)
        .arg("-o")
        .arg(&virtualized)
        .args([
            "--env",
            "GREETING=hi",
            "--clock",
            "2026-01-01T00:00:00Z",
            "--random-seed",
            "1",
        ])
        .args(["--stdio", "allow", "-q"]))?;
    let cache = tmp.path().join("cache");
    let cmd = |file: &Path| {
        let mut cmd = Command::new(wct);
        cmd.arg("run")
            .arg("--cache-dir")
            .arg(&cache)
            .arg(file)
            .env("WCT_NO_BACKGROUND_COMPILE", "1");
        cmd
    };
    // Warm the cache with optimized code for both.
    for file in [&python, &virtualized] {
        run(Command::new(wct)
            .args(["run", "--compiler", "cranelift", "--cache-dir"])
            .arg(&cache)
            .arg(file)
            .stdout(std::process::Stdio::null()))?;
    }
    let samples = paired_medians(ROUNDS, 2, &|i| {
        cmd(if i == 0 { &virtualized } else { &python })
    })?;
    println!(
        "{:<52} virtualized {:>8.2} ms   plain {:>8.2} ms   ratio {:.2} (goal <= 1.05)",
        "virt run: Python hello, warm, wct run",
        samples[0].time.as_secs_f64() * 1e3,
        samples[1].time.as_secs_f64() * 1e3,
        samples[0].time.as_secs_f64() / samples[1].time.as_secs_f64()
    );
    Ok(())
}
