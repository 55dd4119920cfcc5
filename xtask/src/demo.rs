//! `cargo xtask demo`: the main job end to end on the bundled fixtures, printing each command:
//! a C program compiled to WASI Preview 1 is adapted into a component, validated, checked
//! against `wasi:cli/command` and run; a C app, a JavaScript greeter (componentize-qjs) and a
//! C store are composed into one program and run. Fails if any step fails or prints something
//! unexpected.

use crate::tools::{root, run as sh};
use anyhow::{bail, Context, Result};
use std::process::Command;

fn capture(cmd: &mut Command) -> Result<String> {
    eprintln!("+ {}", crate::tools::show(cmd));
    let out = cmd
        .output()
        .with_context(|| format!("spawning {}", crate::tools::show(cmd)))?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        bail!(
            "command failed ({}): {}",
            out.status,
            crate::tools::show(cmd)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn run() -> Result<()> {
    let root = root();
    sh(Command::new("cargo").args(["build", "--release", "--quiet", "--bin", "wct"]))?;
    // Where cargo put it: `$CARGO_TARGET_DIR` (relative to the workspace) or `target/`.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|dir| root.join(dir))
        .unwrap_or_else(|| root.join("target"));
    let wct = target.join("release/wct");
    let out = root.join("target/demo");
    std::fs::create_dir_all(&out)?;
    let fixtures = root.join("tests/fixtures");
    let hello = out.join("hello.component.wasm");
    let wct_cmd = || {
        let mut cmd = Command::new(&wct);
        cmd.env("WCT_NO_BACKGROUND_COMPILE", "1");
        cmd
    };

    capture(
        wct_cmd()
            .arg("adapt")
            .arg(fixtures.join("c/hello.wasm"))
            .arg("-o")
            .arg(&hello),
    )?;
    capture(wct_cmd().arg("validate").arg(&hello))?;
    capture(
        wct_cmd()
            .arg("targets")
            .arg(&hello)
            .args(["--world", "wasi:cli/command"]),
    )?;
    let said = capture(
        wct_cmd()
            .arg("run")
            .arg(&hello)
            .args(["--", "from", "demo"]),
    )?;
    if !said.starts_with("hello from C\n") {
        bail!("unexpected output from the adapted C program: {said:?}");
    }

    let program = out.join("program.wasm");
    let compose = fixtures.join("compose");
    capture(
        wct_cmd()
            .arg("compose")
            .arg(compose.join("hello-app.wasm"))
            .arg(fixtures.join("js/polite-greeter.wasm"))
            .arg(compose.join("store.wasm"))
            .arg("-o")
            .arg(&program),
    )?;
    capture(
        wct_cmd()
            .arg("targets")
            .arg(&program)
            .args(["--world", "wasi:cli/command"]),
    )?;
    let greeting = capture(wct_cmd().arg("run").arg(&program).args(["--", "demo"]))?;
    if greeting != "Good morning, demo! (said JavaScript)\n" {
        bail!("unexpected output from the composed program: {greeting:?}");
    }
    capture(wct_cmd().arg("inspect").arg(&program))?;
    eprintln!("demo: ok");
    Ok(())
}
