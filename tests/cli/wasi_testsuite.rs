//! The third-party WASI Preview 1 conformance programs of the shared wasi-testsuite
//! ([`wasi_testsuite`]: `../shared/wasi-testsuite/` or `$WCT_WASI_TESTSUITE`; C and
//! AssemblyScript), each run by `wct run` with the arguments, environment, directory and
//! expectations of its JSON file.

use crate::common::*;
use std::path::{Path, PathBuf};

fn suite_dir() -> PathBuf {
    wasi_testsuite()
}

/// Runs one program; returns a description of the mismatch, if any.
fn run_case(wasm: &Path, cache: &Path) -> Option<String> {
    let spec_path = wasm.with_extension("json");
    let spec: serde_json::Value = match std::fs::read_to_string(&spec_path) {
        Ok(text) => serde_json::from_str(&text).unwrap(),
        Err(_) => serde_json::json!({}),
    };
    let mut cmd = wct();
    cmd.arg("run")
        .arg("--cache-dir")
        .arg(cache)
        .env("WCT_NO_BACKGROUND_COMPILE", "1");
    for (k, v) in spec["env"].as_object().into_iter().flatten() {
        cmd.arg("--env").arg(format!("{k}={}", v.as_str().unwrap()));
    }
    let _root_copy;
    if let Some(root) = spec["root"].as_str() {
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join("root");
        copy_dir(&wasm.parent().unwrap().join(root), &copy);
        cmd.arg("--dir").arg(format!("{}::/", copy.display()));
        _root_copy = tmp;
    }
    cmd.arg(wasm).arg("--");
    for arg in spec["args"].as_array().into_iter().flatten() {
        cmd.arg(arg.as_str().unwrap());
    }
    let out = cmd.output().unwrap();
    let want_code = spec["exit_code"].as_i64().unwrap_or(0) as i32;
    let mut problems = Vec::new();
    if out.status.code() != Some(want_code) {
        problems.push(format!(
            "exit {:?}, expected {want_code}",
            out.status.code()
        ));
    }
    for (field, got) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        if let Some(want) = spec[field].as_str() {
            if String::from_utf8_lossy(got) != want {
                problems.push(format!(
                    "{field} {:?}, expected {want:?}",
                    String::from_utf8_lossy(got)
                ));
            }
        }
    }
    (!problems.is_empty()).then(|| {
        format!(
            "{}: {} (stderr: {})",
            wasm.display(),
            problems.join("; "),
            stderr_of(&out).trim()
        )
    })
}

#[test]
fn every_wasi_testsuite_program_passes() {
    let cache = tempfile::tempdir().unwrap();
    let mut programs = Vec::new();
    for lang in ["c", "assemblyscript"] {
        for entry in
            std::fs::read_dir(suite_dir().join(lang)).expect("the suite has c/ and assemblyscript/")
        {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "wasm") {
                programs.push(path);
            }
        }
    }
    programs.sort();
    assert!(
        programs.len() >= 26,
        "only {} programs found",
        programs.len()
    );
    let failures: Vec<String> = programs
        .iter()
        .filter_map(|p| run_case(p, cache.path()))
        .collect();
    println!(
        "wasi-testsuite: {} passed, {} failed",
        programs.len() - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        programs.len(),
        failures.join("\n")
    );
}

/// The suite's WASI 0.3 programs (Rust `wasm32-wasip3`: commands, HTTP services, an HTTP
/// client, sockets), run by the suite's own runner through wct's adapter
/// (`tests/wasi-testsuite/wct.py`), exactly as the suite runs other engines. The runner needs
/// Python >= 3.12 with its requirements (`.ci/run` installs them).
///
/// Each program runs in a suite folder of its own (the runner takes several): several file
/// programs create the symlink `parent.cleanup -> ..` in their root and leave it, and the
/// runner's clean-up skips symlinks, so a later program in a shared root finds a stray link
/// (`filesystem-read-directory` fails that way on every engine, wasmtime included).
#[test]
fn wasip3_programs_pass_the_official_runner() {
    let work = tempfile::tempdir().unwrap();
    let shared = suite_dir().join("rust-wasip3");
    let mut suites = Vec::new();
    for entry in std::fs::read_dir(&shared).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|x| x != "wasm") {
            continue;
        }
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let suite = work.path().join("suites").join(&name);
        std::fs::create_dir_all(&suite).unwrap();
        for file in [
            "manifest.json".to_string(),
            format!("{name}.wasm"),
            format!("{name}.json"),
        ] {
            if shared.join(&file).exists() {
                std::fs::copy(shared.join(&file), suite.join(&file)).unwrap();
            }
        }
        // The programs write into their roots: each gets a fresh copy.
        copy_dir(&shared.join("fs-tests.dir"), &suite.join("fs-tests.dir"));
        suites.push(suite);
    }
    suites.sort();
    let cache = work.path().join("cache");
    let adapter = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wasi-testsuite/wct.py");
    let out = std::process::Command::new("python3.12")
        .env("PYENV_VERSION", "3.12.1")
        .arg(suite_dir().join("runner/test-runner/wasi_test_runner.py"))
        .arg("-t")
        .args(&suites)
        .arg("-r")
        .arg(&adapter)
        .env("WCT", assert_cmd::cargo::cargo_bin("wct"))
        .env("WCT_ARGS", format!("--cache-dir {}", cache.display()))
        .env("NO_COLOR", "1")
        .current_dir(work.path())
        .output()
        .expect("python3.12 runs the wasi-testsuite runner (Python >= 3.12 is needed)");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let programs = suites.len();
    assert_eq!(programs, 16, "the suite changed:\n{report}");
    assert!(out.status.success(), "the runner failed:\n{report}");
    let passed = report
        .lines()
        .filter(|l| l.contains("Test ") && l.trim_end().ends_with(" passed"))
        .count();
    assert_eq!(passed, programs, "not every program passed:\n{report}");
    assert!(
        report.contains(&format!("{programs} tests passed")) && !report.contains("skipped"),
        "{report}"
    );
}
