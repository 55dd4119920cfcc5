//! Large real components for the benchmarks, built on demand with componentize-py and
//! componentize-js (as the language tests build theirs) and kept in `target/bench/large/`
//! (delete a file to rebuild it):
//!
//! - `py-app.wasm` (~18 MB): the Python command of the language tests, importing
//!   `wct:demo/greet`;
//! - `py-greeter.wasm` (~18 MB): a Python component exporting `wct:demo/greet`;
//! - `js-greeter.wasm` (~12 MB): the JavaScript greeter of the language tests;
//! - `py-composed.wasm` (~37 MB): the app with the Python greeter plugged in.

use crate::tools::{root, run};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the inputs are kept.
fn dir() -> PathBuf {
    root().join("target/bench/large")
}

/// Builds `out` with `build` (given a scratch folder and the path to write) unless it exists;
/// the result is renamed into place only when complete.
fn cached(name: &str, build: &dyn Fn(&Path, &Path) -> Result<()>) -> Result<PathBuf> {
    let out = dir().join(name);
    if out.exists() {
        return Ok(out);
    }
    std::fs::create_dir_all(dir())?;
    let work = tempfile::tempdir()?;
    let partial = work.path().join(name);
    build(work.path(), &partial).with_context(|| format!("building {name}"))?;
    std::fs::copy(&partial, out.with_extension("partial"))?;
    std::fs::rename(out.with_extension("partial"), &out)?;
    Ok(out)
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to.parent().expect("a file inside a folder"))?;
    std::fs::copy(from, to).with_context(|| format!("copying {}", from.display()))?;
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        let target = to.join(path.file_name().expect("a named entry"));
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            copy(&path, &target)?;
        }
    }
    Ok(())
}

fn componentize_py(wit: &Path, world: &str, module: &str, source: &Path, out: &Path) -> Result<()> {
    run(Command::new("componentize-py")
        .arg("-d")
        .arg(wit)
        .args(["-w", world, "componentize", module, "-p"])
        .arg(source)
        .arg("-o")
        .arg(out))
    .context("componentize-py (pip install componentize-py==0.25.1)")
}

/// The WIT folder of the Python app in `work/wit`: `app.wit` over WASI 0.2.12 as `wct wit
/// print wasi:cli/command` writes it, and `wct:demo/greet`.
pub fn python_app_wit(wct: &Path, work: &Path) -> Result<PathBuf> {
    let printed = work.join("wasi");
    run(Command::new(wct)
        .args(["wit", "print", "wasi:cli/command", "--out-dir"])
        .arg(&printed))?;
    let wit = work.join("wit");
    copy_tree(&printed.join("deps"), &wit.join("deps"))?;
    for entry in std::fs::read_dir(&printed)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "wit") {
            let name = path.file_name().expect("a file");
            copy(&path, &wit.join("deps/wasi-world").join(name))?;
        }
    }
    copy(
        &root().join("tests/fixtures/python/app.wit"),
        &wit.join("app.wit"),
    )?;
    copy(
        &root().join("wit/demo/greet.wit"),
        &wit.join("deps/wct-demo/greet.wit"),
    )?;
    Ok(wit)
}

/// The Python command importing `wct:demo/greet` (world `py-app`, [`python_app_wit`]).
pub fn python_app(wct: &Path) -> Result<PathBuf> {
    cached("py-app.wasm", &|work, out| {
        let wit = python_app_wit(wct, work)?;
        componentize_py(
            &wit,
            "py-app",
            "app",
            &root().join("tests/fixtures/python"),
            out,
        )
    })
}

/// A Python component exporting `wct:demo/greet` (componentize-py's own WASI version).
pub fn python_greeter() -> Result<PathBuf> {
    cached("py-greeter.wasm", &|work, out| {
        let wit = work.join("wit");
        copy(&root().join("wit/demo/greet.wit"), &wit.join("greet.wit"))?;
        componentize_py(&wit, "greeter", "greeter", &root().join("xtask/bench"), out)
    })
}

/// The JavaScript greeter (componentize-js, SpiderMonkey) exporting `wct:demo/greet`.
pub fn js_greeter() -> Result<PathBuf> {
    cached("js-greeter.wasm", &|work, out| {
        let tool = root().join("xtask/js/node_modules/.bin/componentize-js");
        copy(
            &root().join("wit/demo/greet.wit"),
            &work.join("wit/greet.wit"),
        )?;
        copy(
            &root().join("tests/fixtures/js/greeter.js"),
            &work.join("greeter.js"),
        )?;
        // componentize-js reads the WIT from under its working directory.
        run(Command::new(&tool)
            .current_dir(work)
            .args([
                "greeter.js",
                "--wit",
                "wit",
                "--world-name",
                "greeter",
                "-o",
            ])
            .arg(out))
        .context("componentize-js (npm ci --prefix xtask/js)")
    })
}

/// The Python app with the Python greeter plugged in (~37 MB).
pub fn python_composed(wct: &Path) -> Result<PathBuf> {
    let (app, greeter) = (python_app(wct)?, python_greeter()?);
    cached("py-composed.wasm", &|_, out| {
        run(Command::new(wct)
            .arg("compose")
            .arg(&app)
            .arg(&greeter)
            .args(["-q", "-o"])
            .arg(out))
    })
}

/// Builds a Python command with componentize-py into `out` (once) for the built-in `world`;
/// `false` when componentize-py is not installed.
pub fn python_command(
    wct: &Path,
    world: &str,
    dir: &Path,
    module: &str,
    out: &Path,
) -> Result<bool> {
    if out.exists() {
        return Ok(true);
    }
    let wit = out.with_extension("wit.d");
    let _ = std::fs::remove_dir_all(&wit);
    crate::tools::run(
        Command::new(wct)
            .args(["wit", "print", world, "--out-dir"])
            .arg(&wit),
    )?;
    let built = Command::new("componentize-py")
        .arg("-d")
        .arg(&wit)
        .args(["-w", world, "componentize", module, "-p"])
        .arg(dir)
        .arg("-o")
        .arg(out)
        .status();
    if !built.is_ok_and(|s| s.success()) {
        eprintln!(
            "componentize-py is not available (pip install componentize-py): skipping {module}"
        );
        return Ok(false);
    }
    Ok(true)
}
