//! `cargo xtask bench`: `wct` and `wasm-tools` timed side by side in one run; results are
//! reported as ratios (wct time / wasm-tools time; below 1 means wct is faster).

use crate::measure::{median, median_with, report_vs, ROUNDS};
use crate::tools::{root, wasm_tools};
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Runs the benchmarks named in `args` (all when none is).
pub fn run(args: &[String]) -> Result<()> {
    let which: Vec<&str> = if args.is_empty() {
        vec![
            "validate", "adapt", "compose", "run", "serve", "wit", "inspect", "print", "fmt",
            "size", "virt", "pipeline",
        ]
    } else {
        args.iter().map(String::as_str).collect()
    };
    let wct = build_wct()?;
    let wasm_tools = wasm_tools()?;
    for name in which {
        match name {
            "validate" => {
                bench_validate(&wct, &wasm_tools)?;
                crate::bench_large::run("validate", &wct, &wasm_tools)?
            }
            "wit" | "inspect" | "print" | "size" | "strip" | "metadata" => {
                crate::bench_large::run(name, &wct, &wasm_tools)?
            }
            "pipeline" => {
                for step in ["strip", "metadata"] {
                    crate::bench_large::run(step, &wct, &wasm_tools)?
                }
                crate::bench_link::run_bench(&wct, &wasm_tools)?
            }
            "link" => crate::bench_link::run_bench(&wct, &wasm_tools)?,
            "adapt" => bench_adapt(&wct, &wasm_tools)?,
            "run" => bench_run(&wct)?,
            "compose" => bench_compose(&wct, &wasm_tools)?,
            "serve" => {
                for peer in crate::peers::wasmtime_peers()? {
                    crate::bench_serve::run(&wct, &peer)?
                }
            }
            "fmt" => crate::bench_fmt::run(&wct, &wasm_tools)?,
            "virt" => crate::bench_virt::run_bench(&wct)?,
            "keyvalue" => {
                for peer in crate::peers::wasmtime_peers()? {
                    crate::bench_keyvalue::run(&wct, &peer)?
                }
            }
            other => bail!(
                "unknown benchmark `{other}` (validate, adapt, run, compose, serve, wit, inspect, \
                 print, fmt, size, virt, pipeline, strip, metadata, link, keyvalue)"
            ),
        }
    }
    Ok(())
}

fn build_wct() -> Result<PathBuf> {
    crate::tools::run(Command::new("cargo").args([
        "build",
        "--release",
        "--quiet",
        "--bin",
        "wct",
    ]))?;
    Ok(root().join("target/release/wct"))
}

fn report(label: &str, wct: Duration, peer: Duration) {
    report_vs(label, "wasm-tools", wct, peer);
}

/// Every `.wasm` fixture that `wasm-tools validate` accepts, largest first.
fn valid_fixtures(wasm_tools: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    collect(&root().join("tests/fixtures"), &mut files)?;
    files.retain(|f| {
        Command::new(wasm_tools)
            .arg("validate")
            .arg(f)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    files.sort_by_key(|f| std::cmp::Reverse(std::fs::metadata(f).map(|m| m.len()).unwrap_or(0)));
    Ok(files)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "wasm") {
            out.push(path);
        }
    }
    Ok(())
}

fn bench_validate(wct: &Path, wasm_tools: &Path) -> Result<()> {
    let files = valid_fixtures(wasm_tools)?;
    let Some(largest) = files.first().cloned() else {
        bail!("no valid fixtures found");
    };
    let size = std::fs::metadata(&largest)?.len();
    let t_wct = median(&|| vec![validate_cmd(wct, std::slice::from_ref(&largest))])?;
    let t_peer = median(&|| vec![validate_cmd(wasm_tools, std::slice::from_ref(&largest))])?;
    report(
        &format!("validate largest fixture ({} KiB)", size / 1024),
        t_wct,
        t_peer,
    );

    // 50 files: wct takes them in one call; wasm-tools validates one file per call.
    let fifty: Vec<PathBuf> = files.iter().cycle().take(50).cloned().collect();
    let t_wct = median(&|| vec![validate_cmd(wct, &fifty)])?;
    let t_peer = median(&|| {
        fifty
            .iter()
            .map(|f| validate_cmd(wasm_tools, std::slice::from_ref(f)))
            .collect()
    })?;
    report(
        "validate 50 files (one wct call, 50 wasm-tools calls)",
        t_wct,
        t_peer,
    );
    Ok(())
}

fn validate_cmd(bin: &Path, files: &[PathBuf]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.arg("validate").args(files);
    cmd
}

fn bench_adapt(wct: &Path, wasm_tools: &Path) -> Result<()> {
    let module = root().join("tests/fixtures/c/files.wasm");
    let tmp = tempfile::tempdir()?;
    let adapter = tmp.path().join("adapter.wasm");
    std::fs::write(
        &adapter,
        wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
    )?;
    let out_wct = tmp.path().join("wct.wasm");
    let out_peer = tmp.path().join("peer.wasm");
    let t_wct = median(&|| {
        let mut cmd = Command::new(wct);
        cmd.arg("adapt").arg(&module).arg("-o").arg(&out_wct);
        vec![cmd]
    })?;
    let t_peer = median(&|| {
        let mut cmd = Command::new(wasm_tools);
        cmd.args(["component", "new"])
            .arg(&module)
            .arg("--adapt")
            .arg(format!("wasi_snapshot_preview1={}", adapter.display()))
            .arg("-o")
            .arg(&out_peer);
        vec![cmd]
    })?;
    report("adapt c/files.wasm (Preview 1 -> component)", t_wct, t_peer);
    bench_adapt_suite(wct, wasm_tools, &adapter)
}

/// The wasi-testsuite's Preview 1 programs (AssemblyScript and C): one `wct adapt
/// --out-dir` run against a `wasm-tools component new --adapt` run per program, as a
/// pipeline adapting them all would call each.
fn bench_adapt_suite(wct: &Path, wasm_tools: &Path, adapter: &Path) -> Result<()> {
    let suite = crate::tools::wasi_testsuite();
    let mut programs = Vec::new();
    for dir in ["assemblyscript", "c"] {
        let Ok(entries) = std::fs::read_dir(suite.join(dir)) else {
            eprintln!(
                "skipping the suite's programs: {}",
                crate::tools::wasi_testsuite_missing()
            );
            return Ok(());
        };
        for entry in entries {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "wasm") {
                programs.push(path);
            }
        }
    }
    programs.sort();
    let tmp = tempfile::tempdir()?;
    let out_dir = tmp.path().join("wct");
    let out_peer = tmp.path().join("peer.wasm");
    let t_wct = median(&|| {
        let mut cmd = Command::new(wct);
        cmd.args(["adapt", "-q"])
            .args(&programs)
            .arg("--out-dir")
            .arg(&out_dir);
        vec![cmd]
    })?;
    let t_peer = median(&|| {
        programs
            .iter()
            .map(|program| {
                let mut cmd = Command::new(wasm_tools);
                cmd.args(["component", "new"])
                    .arg(program)
                    .arg("--adapt")
                    .arg(format!("wasi_snapshot_preview1={}", adapter.display()))
                    .arg("-o")
                    .arg(&out_peer);
                cmd
            })
            .collect()
    })?;
    report(
        &format!("adapt the suite's {} Preview 1 programs", programs.len()),
        t_wct,
        t_peer,
    );
    Ok(())
}

/// The `wasmtime` CLI to compare with: `$WASMTIME`, or `wasmtime` on PATH.
/// One component `bench run` times, and what `wasmtime run` needs to run it.
struct RunInput {
    label: String,
    path: PathBuf,
    /// WASI 0.3 components: wasmtime's `-S p3 -W component-model-async`.
    wasmtime_flags: &'static [&'static str],
}

/// wasmtime's flags for WASI 0.3 (wct needs none).
const P3_FLAGS: &[&str] = &["-Sp3", "-Wcomponent-model-async"];

/// The components to run: the adapted C hello (small), a Rust `wasm32-wasip3` program of the
/// wasi-testsuite beside the checkout (small, WASI 0.3), and, when componentize-py is
/// installed, a Python 0.2 and a Python 0.3 command (about 18 MB each).
fn run_inputs(wct: &Path) -> Result<Vec<RunInput>> {
    let dir = root().join("target/bench");
    std::fs::create_dir_all(&dir)?;
    let small = dir.join("hello.component.wasm");
    crate::tools::run(
        Command::new(wct)
            .arg("adapt")
            .arg(root().join("tests/fixtures/c/hello.wasm"))
            .arg("-q")
            .arg("-o")
            .arg(&small),
    )?;
    let mut inputs = vec![RunInput {
        label: "small: adapted C hello".into(),
        path: small,
        wasmtime_flags: &[],
    }];
    let rust_p3 = crate::tools::wasi_testsuite().join("rust-wasip3/random.wasm");
    if rust_p3.exists() {
        inputs.push(RunInput {
            label: "small 0.3: Rust wasm32-wasip3 random".into(),
            path: rust_p3,
            wasmtime_flags: P3_FLAGS,
        });
    }
    let large_commands = [
        (
            "wasi:cli/command",
            root().join("xtask/bench"),
            "app",
            dir.join("python-app.wasm"),
            "large: Python command",
            &[][..],
        ),
        (
            "wasi:cli/command@0.3.0",
            root().join("tests/fixtures/python3"),
            "command",
            dir.join("python3-command.wasm"),
            "large 0.3: Python command",
            P3_FLAGS,
        ),
    ];
    for (world, source, module, out, label, wasmtime_flags) in large_commands {
        if crate::large_inputs::python_command(wct, world, &source, module, &out)? {
            let size = std::fs::metadata(&out)?.len();
            inputs.push(RunInput {
                label: format!("{label} ({:.1} MB)", size as f64 / 1e6),
                path: out,
                wasmtime_flags,
            });
        }
    }
    Ok(inputs)
}

fn bench_run(wct: &Path) -> Result<()> {
    let peers = crate::peers::wasmtime_peers()?;
    let tmp = tempfile::tempdir()?;
    let wct_cache = tmp.path().join("wct-cache");
    let wasmtime_cache = tmp.path().join("wasmtime-cache");
    let wasmtime_config = tmp.path().join("wasmtime-cache.toml");
    std::fs::write(
        &wasmtime_config,
        format!(
            "[cache]\ndirectory = {:?}\n",
            wasmtime_cache.display().to_string()
        ),
    )?;
    let clear = |dir: &Path| -> Result<()> {
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    };
    for RunInput {
        label,
        path: input,
        wasmtime_flags,
    } in run_inputs(wct)?
    {
        let rounds = if label.starts_with("large") {
            3
        } else {
            ROUNDS
        };
        let wct_cmd = |extra: &[&str]| {
            let mut cmd = Command::new(wct);
            cmd.arg("run")
                .arg("--cache-dir")
                .arg(&wct_cache)
                .args(extra)
                .arg(&input)
                .env("WCT_NO_BACKGROUND_COMPILE", "1");
            cmd
        };
        let wasmtime_cmd = |wasmtime: &Path, cached: bool| {
            let mut cmd = Command::new(wasmtime);
            cmd.arg("run").args(wasmtime_flags);
            if !cached {
                // wasmtime caches by default: a first run must not find old entries.
                cmd.arg("-C").arg("cache=n");
            } else {
                cmd.arg("-C")
                    .arg("cache=y")
                    .arg("-C")
                    .arg(format!("cache-config={}", wasmtime_config.display()));
            }
            cmd.arg(&input);
            cmd
        };
        // First run: nothing cached anywhere. wct's default picks Winch; wasmtime's Cranelift.
        let t_wct = median_with(rounds, &|| clear(&wct_cache), &|| vec![wct_cmd(&[])])?;
        let t_cl = median_with(rounds, &|| clear(&wct_cache), &|| {
            vec![wct_cmd(&["--compiler", "cranelift"])]
        })?;
        for peer in &peers {
            let t_peer = median_with(rounds, &|| Ok(()), &|| {
                vec![wasmtime_cmd(&peer.path, false)]
            })?;
            report_vs(
                &format!("run {label}, first run (wct auto=winch)"),
                &peer.name,
                t_wct,
                t_peer,
            );
            report_vs(
                &format!("run {label}, first run (wct --compiler cranelift)"),
                &peer.name,
                t_cl,
                t_peer,
            );
        }
        // Repeat run: optimized code cached by both.
        clear(&wct_cache)?;
        crate::tools::run(&mut wct_cmd(&[
            "--precompile-only",
            "--compiler",
            "cranelift",
        ]))?;
        let t_wct = median_with(rounds, &|| Ok(()), &|| vec![wct_cmd(&[])])?;
        for peer in &peers {
            clear(&wasmtime_cache)?;
            wasmtime_cmd(&peer.path, true)
                .stdout(Stdio::null())
                .status()?;
            let t_peer = median_with(rounds, &|| Ok(()), &|| vec![wasmtime_cmd(&peer.path, true)])?;
            report_vs(
                &format!("run {label}, repeat run (both caches warm)"),
                &peer.name,
                t_wct,
                t_peer,
            );
        }
    }
    Ok(())
}

/// The `wac` CLI (crates.io `wac-cli`): `$WAC`, or `wac` on PATH.
fn wac_cli() -> Option<PathBuf> {
    crate::tools::find_tool("WAC", "wac")
}

fn bench_compose(wct: &Path, wasm_tools: &Path) -> Result<()> {
    let dir = root().join("tests/fixtures/compose");
    let (socket, plug) = (dir.join("hello-app.wasm"), dir.join("greeter.wasm"));
    let tmp = tempfile::tempdir()?;
    let out = tmp.path().join("out.wasm");
    let t_wct = median(&|| {
        let mut cmd = Command::new(wct);
        cmd.arg("compose")
            .arg(&socket)
            .arg(&plug)
            .arg("-q")
            .arg("-o")
            .arg(&out);
        vec![cmd]
    })?;
    let t_wasm_tools = median(&|| {
        let mut cmd = Command::new(wasm_tools);
        cmd.arg("compose")
            .arg(&socket)
            .arg("-d")
            .arg(&plug)
            .arg("-o")
            .arg(&out);
        vec![cmd]
    })?;
    report(
        "compose C app + greeter vs wasm-tools compose",
        t_wct,
        t_wasm_tools,
    );
    match wac_cli() {
        Some(wac) => {
            let t_wac = median(&|| {
                let mut cmd = Command::new(&wac);
                cmd.arg("plug")
                    .arg(&socket)
                    .arg("--plug")
                    .arg(&plug)
                    .arg("-o")
                    .arg(&out);
                vec![cmd]
            })?;
            report_vs("compose C app + greeter vs wac plug", "wac", t_wct, t_wac);
        }
        None => {
            eprintln!("wac is not installed (cargo install wac-cli): skipping the wac comparison")
        }
    }
    bench_compose_large(wct)
}

/// A componentize-py client with a componentize-js provider plugged in (18 + 12 MB), `wct
/// compose` against `wac plug`: time and peak memory, paired runs.
fn bench_compose_large(wct: &Path) -> Result<()> {
    let Some(wac) = wac_cli() else {
        eprintln!("wac is not installed (cargo install wac-cli): skipping the large compose");
        return Ok(());
    };
    let app = crate::large_inputs::python_app(wct)?;
    let greeter = crate::large_inputs::js_greeter()?;
    let tmp = tempfile::tempdir()?;
    let out = tmp.path().join("out.wasm");
    let samples = crate::measure::paired_medians(11, 2, &|i| {
        let mut cmd = Command::new(if i == 0 { wct } else { &wac });
        if i == 0 {
            cmd.arg("compose").arg(&app).arg(&greeter).arg("-q");
        } else {
            cmd.arg("plug").arg(&app).arg("--plug").arg(&greeter);
        }
        cmd.arg("-o").arg(&out);
        cmd
    })?;
    crate::measure::report(
        "compose Python app + JS greeter (30 MB) vs wac plug",
        "wac",
        samples[0],
        samples[1],
    );
    // The same composition written as a WAC document, composed by both from it.
    let doc = tmp.path().join("app.wac");
    std::fs::write(
        &doc,
        "package bench:composition;\n\
         let greeter = new bench:greeter { ... };\n\
         let app = new bench:app { \"wct:demo/greet@0.1.0\": greeter[\"wct:demo/greet@0.1.0\"], ... };\n\
         export app...;\n",
    )?;
    let deps = [
        format!("bench:app={}", app.display()),
        format!("bench:greeter={}", greeter.display()),
    ];
    let samples = crate::measure::paired_medians(11, 2, &|i| {
        let mut cmd = Command::new(if i == 0 { wct } else { &wac });
        cmd.arg("compose").arg(&doc);
        if i == 0 {
            cmd.arg("-q");
        }
        for dep in &deps {
            cmd.arg("--dep").arg(dep);
        }
        cmd.arg("-o").arg(&out);
        cmd
    })?;
    crate::measure::report(
        "compose the same from a .wac document vs wac compose",
        "wac",
        samples[0],
        samples[1],
    );
    Ok(())
}
