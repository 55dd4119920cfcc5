//! `wct strip`: DWARF, names or every unneeded custom section removed from modules and from
//! every module nested in a component; the result validates with wasm-tools and runs as the
//! input did; the bytes saved are what `wct size` sees go; bad input writes nothing.

use crate::common::{fixture, stderr_of, stdout_of, wasm_tools, wasm_tools_validates, wct};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `wct strip ARGS`, which must succeed; its stdout.
fn strip(args: &[&std::ffi::OsStr]) -> String {
    let out = wct().arg("strip").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "wct strip {args:?}: {}",
        stderr_of(&out)
    );
    stdout_of(&out)
}

/// The custom sections of `file` at every depth, as `wasm-tools objdump` lists them.
fn custom_sections(file: &Path) -> Vec<String> {
    crate::common::wasm_tools_stdout(&["objdump"], file)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("custom \""))
        .map(|l| l.split('"').next().unwrap().to_string())
        .collect()
}

/// What `wct run FILE` prints, and its exit status.
fn run(file: &Path) -> (String, Option<i32>) {
    let out = wct()
        .arg("run")
        .arg(file)
        .arg("--")
        .arg("Ada")
        .output()
        .unwrap();
    (stdout_of(&out), out.status.code())
}

/// `wct size --json`'s file size and its DWARF bytes (items labelled debug info).
fn debug_bytes(file: &Path) -> u64 {
    let out = wct().args(["size", "--json"]).arg(file).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    fn walk(item: &Value) -> u64 {
        let own = item["labels"]
            .as_array()
            .is_some_and(|l| l.iter().any(|l| l["kind"] == "debug-info"));
        if own {
            return item["size"].as_u64().unwrap();
        }
        item["children"]
            .as_array()
            .map_or(0, |c| c.iter().map(walk).sum())
    }
    walk(&v["root"])
}

fn len(file: &Path) -> u64 {
    std::fs::metadata(file).unwrap().len()
}

#[test]
fn debug_info_goes_from_a_module_and_it_runs_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("c/hello-debug.wasm");
    assert!(debug_bytes(&input) > 100_000, "the fixture carries DWARF");
    let out = dir.path().join("hello.wasm");
    let report = strip(&[input.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert!(
        report.contains(".debug_info") && report.contains("saved"),
        "{report}"
    );
    wasm_tools_validates(&out);
    let left = custom_sections(&out);
    assert!(!left.iter().any(|s| s.starts_with(".debug")), "{left:?}");
    assert!(
        left.contains(&"name".to_string()),
        "names stay by default: {left:?}"
    );
    assert_eq!(debug_bytes(&out), 0);
    assert_eq!(run(&out), run(&input));

    // The JSON report's saving is the difference of the files.
    let json_out = dir.path().join("json.wasm");
    let v: Value = serde_json::from_str(&strip(&[
        input.as_os_str(),
        "--json".as_ref(),
        "-o".as_ref(),
        json_out.as_os_str(),
    ]))
    .unwrap();
    assert_eq!(v["saved"].as_u64(), Some(len(&input) - len(&json_out)));
    let listed: u64 = v["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["size"].as_u64().unwrap())
        .sum();
    assert_eq!(listed, len(&input) - len(&json_out));

    // --all is never larger than wasm-tools strip --all on a core module.
    let ours = dir.path().join("ours.wasm");
    strip(&[
        input.as_os_str(),
        "--all".as_ref(),
        "-o".as_ref(),
        ours.as_os_str(),
    ]);
    let theirs = dir.path().join("theirs.wasm");
    let status = std::process::Command::new(wasm_tools())
        .args(["strip", "--all"])
        .arg(&input)
        .arg("-o")
        .arg(&theirs)
        .status()
        .unwrap();
    assert!(status.success());
    assert!(
        len(&ours) <= len(&theirs),
        "{} > {}",
        len(&ours),
        len(&theirs)
    );
    assert!(custom_sections(&ours).is_empty());
    assert_eq!(run(&ours), run(&input));
}

#[test]
fn nested_modules_of_a_component_are_stripped_too() {
    let dir = tempfile::tempdir().unwrap();
    let component = crate::common::adapted_fixture(dir.path(), "c/hello-debug.wasm", "hello");
    let before = debug_bytes(&component);
    assert!(before > 100_000);
    let out = dir.path().join("stripped.wasm");
    let report = strip(&[
        component.as_os_str(),
        "--names".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    // One line per module that lost bytes, named as `wct size` names it.
    assert!(
        report.contains("component / module main: .debug_info"),
        "{report}"
    );
    assert!(report.contains("name"), "{report}");
    wasm_tools_validates(&out);
    let left = custom_sections(&out);
    assert!(
        !left
            .iter()
            .any(|s| s.starts_with(".debug") || s == "name" || s == "component-name"),
        "{left:?}"
    );
    assert!(left.contains(&"producers".to_string()), "{left:?}");
    assert_eq!(run(&out), run(&component));
    assert_eq!(run(&out).0, "hello from C\narg 1: Ada\n");
}

#[test]
fn keep_and_delete_choose_sections_and_dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("compose/greeter.wasm");
    let out = dir.path().join("greeter.wasm");
    strip(&[
        input.as_os_str(),
        "--all".as_ref(),
        "--keep".as_ref(),
        "^producers$".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    let left = custom_sections(&out);
    assert!(left.iter().all(|s| s == "producers"), "{left:?}");
    assert!(!left.is_empty());
    wasm_tools_validates(&out);
    strip(&[
        input.as_os_str(),
        "--delete".as_ref(),
        "^producers$".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    let left = custom_sections(&out);
    assert!(!left.contains(&"producers".to_string()), "{left:?}");
    assert!(left.contains(&"component-name".to_string()), "{left:?}");

    let untouched = dir.path().join("untouched.wasm");
    let report = strip(&[input.as_os_str(), "--all".as_ref(), "--dry-run".as_ref()]);
    assert!(report.contains("would save"), "{report}");
    assert!(!untouched.exists());
}

#[test]
fn bad_input_and_bad_patterns_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out: PathBuf = dir.path().join("out.wasm");
    std::fs::write(&out, b"kept").unwrap();
    for (args, needle) in [
        (
            vec![fixture("invalid/truncated.wasm").into_os_string()],
            "truncated.wasm",
        ),
        (
            vec![dir.path().join("missing.wasm").into_os_string()],
            "missing.wasm",
        ),
        (
            vec![
                fixture("c/hello.wasm").into_os_string(),
                "--delete".into(),
                "(".into(),
            ],
            "not a regular expression",
        ),
    ] {
        crate::common::assert_refused_and_kept(&["strip"], &args, &out, needle);
    }
}

/// The stdout and exit status of `wct run FILE`, and of `wct run FILE --invoke CALL` when a
/// call is given.
fn outcome(file: &Path, call: Option<&str>) -> (String, Option<i32>) {
    let mut cmd = wct();
    cmd.arg("run").arg(file);
    if let Some(call) = call {
        cmd.args(["--invoke", call]);
    }
    let out = cmd.output().unwrap();
    (stdout_of(&out), out.status.code())
}

#[test]
fn components_of_every_toolchain_run_the_same_stripped() {
    use crate::common::PythonBuild;
    let python = |dir, module, world| {
        PythonBuild {
            dir,
            module,
            world,
            wasi: Some(world),
            wit: &[],
        }
        .build()
    };
    let cases = [
        (python("size", "hello", "wasi:cli/command"), None),
        (python("python3", "command", "wasi:cli/command@0.3.0"), None),
        (
            crate::languages::js_component("greeter", "greeter"),
            Some("greet(\"strip\")"),
        ),
        (
            crate::common::wasi_testsuite().join("rust-wasip3/random.wasm"),
            None,
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, (input, call)) in cases.iter().enumerate() {
        let out = dir.path().join(format!("{i}.wasm"));
        let v: Value = serde_json::from_str(&strip(&[
            input.as_os_str(),
            "--all".as_ref(),
            "--json".as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ]))
        .unwrap();
        assert!(v["saved"].as_u64().unwrap() > 0, "{}", input.display());
        assert_eq!(v["saved"].as_u64(), Some(len(input) - len(&out)));
        wasm_tools_validates(&out);
        let before = outcome(input, *call);
        assert_eq!(before.1, Some(0), "{}: {}", input.display(), before.0);
        assert_eq!(outcome(&out, *call), before, "{}", input.display());
    }
}
