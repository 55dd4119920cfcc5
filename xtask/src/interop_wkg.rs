//! `cargo xtask interop-wkg`: wct and wkg (wasm-pkg-tools) against one real registry, each
//! reading what the other wrote. Not in CI: wkg is not packaged for Debian and building it
//! (`cargo install wkg`) takes longer than the rest of CI; run this by hand with `WKG` set or
//! `wkg` on PATH, plus Debian's `docker-registry`.
//!
//! Checks, each printed as it passes:
//! 1. `wkg get` pulls what `wct publish` pushed, byte for byte;
//! 2. `wct pull` pulls what `wkg publish` pushed, byte for byte;
//! 3. after `wct wit fetch`, `wkg fetch` leaves `wkg.lock` unchanged and writes the same
//!    `deps/`;
//! 4. the lock wkg writes from scratch is byte-identical to wct's;
//! 5. `wct wit fetch --locked --offline` accepts wkg's lock.

use crate::tools::{find_tool, root, run};
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the checks.
pub fn run_checks() -> Result<()> {
    let wkg = find_tool("WKG", "wkg")
        .context("no wkg: `cargo install wkg` (on PATH) or set WKG to its path")?;
    run(Command::new("cargo").args(["build", "--quiet", "--bin", "wct"]))?;
    let wct = root().join("target/debug/wct");
    let dir = tempfile::tempdir()?;
    let dir = dir.path();
    let registry = Registry::start(dir)?;
    let addr = registry.addr.clone();
    std::fs::write(
        dir.join("wkg-config.toml"),
        format!(
            "default_registry = \"{addr}\"\n\n[registry.\"{addr}\"]\ntype = \"oci\"\n\n[registry.\"{addr}\".oci]\nprotocol = \"http\"\n"
        ),
    )?;
    let tool = |program: &Path| {
        let mut cmd = Command::new(program);
        cmd.current_dir(dir)
            .env("WKG_CONFIG_FILE", dir.join("wkg-config.toml"))
            .env("WKG_CACHE_DIR", dir.join("wkg-cache"))
            .env("XDG_CACHE_HOME", dir.join("wct-cache"))
            .env("RUST_BACKTRACE", "0");
        cmd
    };
    let same = |a: &str, b: &str| -> Result<bool> {
        Ok(std::fs::read(dir.join(a))? == std::fs::read(dir.join(b))?)
    };

    run(tool(&wct)
        .args(["wit", "build"])
        .arg(root().join("wit/demo"))
        .args(["-o", "demo-0.1.0.wasm"]))?;
    run(tool(&wct).args(["publish", "demo-0.1.0.wasm"]))?;
    run(tool(&wkg).args([
        "get",
        "wct:demo@0.1.0",
        "-o",
        "./wkg-got.wasm",
        "--format",
        "wasm",
    ]))?;
    check(
        same("demo-0.1.0.wasm", "wkg-got.wasm")?,
        "wkg get pulls what wct publish pushed",
    )?;

    let source = std::fs::read_to_string(root().join("wit/demo/greet.wit"))?;
    std::fs::create_dir_all(dir.join("demo-0.2.0"))?;
    std::fs::write(
        dir.join("demo-0.2.0/greet.wit"),
        source.replace("wct:demo@0.1.0", "wct:demo@0.2.0"),
    )?;
    run(tool(&wct).args(["wit", "build", "demo-0.2.0", "-o", "demo-0.2.0.wasm"]))?;
    run(tool(&wkg).args(["publish", "demo-0.2.0.wasm"]))?;
    run(tool(&wct).args(["pull", "wct:demo@0.2.0", "-o", "wct-got.wasm"]))?;
    check(
        same("demo-0.2.0.wasm", "wct-got.wasm")?,
        "wct pull pulls what wkg publish pushed",
    )?;

    let consumer = dir.join("consumer");
    std::fs::create_dir_all(&consumer)?;
    std::fs::copy(
        root().join("tests/fixtures/registry/consumer/app.wit"),
        consumer.join("app.wit"),
    )?;
    let package = "consumer/deps/wct-demo-0.1.0/package.wit";
    run(tool(&wct).args(["wit", "fetch", "consumer"]))?;
    std::fs::copy(dir.join("wkg.lock"), dir.join("wct.lock"))?;
    std::fs::copy(dir.join(package), dir.join("wct-package.wit"))?;
    run(tool(&wkg).args(["fetch", "consumer"]))?;
    check(
        same("wct.lock", "wkg.lock")? && same("wct-package.wit", package)?,
        "wkg fetch keeps wct's lock and writes the same deps/",
    )?;
    std::fs::remove_file(dir.join("wkg.lock"))?;
    std::fs::remove_dir_all(consumer.join("deps"))?;
    run(tool(&wkg).args(["fetch", "consumer"]))?;
    check(
        same("wct.lock", "wkg.lock")?,
        "wkg writes the lock wct writes",
    )?;
    run(tool(&wct).args(["wit", "fetch", "consumer", "--locked", "--offline"]))?;
    check(true, "wct wit fetch --locked --offline accepts wkg's lock")?;
    Ok(())
}

fn check(ok: bool, what: &str) -> Result<()> {
    if !ok {
        bail!("interop check failed: {what}");
    }
    println!("ok: {what}");
    Ok(())
}

/// A `docker-registry` on a free loopback port, storage under `dir`; stopped when dropped.
struct Registry {
    child: Child,
    addr: String,
}

impl Registry {
    fn start(dir: &Path) -> Result<Registry> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr = format!("127.0.0.1:{port}");
        let config = dir.join("registry.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n",
                dir.join("registry-data").display()
            ),
        )?;
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("docker-registry (Debian package docker-registry)")?;
        let registry = Registry { child, addr };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(&registry.addr).is_err() {
            if Instant::now() > deadline {
                bail!("docker-registry did not start on {}", registry.addr);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(registry)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
