//! `wct wit ...` on every kind of WIT source, and on invalid WIT.

use crate::common::*;
use predicates::prelude::*;

fn wit(rel: &str) -> String {
    fixture(rel).display().to_string()
}

#[test]
fn check_accepts_every_kind_of_source() {
    let sources = [
        (
            wit("wit/nested"),
            "package wct:app@1.0.0: 1 interfaces, 3 worlds; 2 dependencies",
        ),
        (
            wit("wit/single.wit"),
            "package wct:single: 1 interfaces, 1 worlds",
        ),
        (
            wit("components/demo-package.wasm"),
            "package wct:demo@0.1.0: 2 interfaces, 5 worlds",
        ),
        (
            wit("components/hello-wasm-tools.wasm"),
            "package root:component",
        ),
        (
            wit("components/greeter-core.wasm"),
            "1 worlds; 1 dependencies",
        ),
        ("wasi:cli/command".to_string(), "package wasi:cli@0.2"),
    ];
    for (source, expected) in sources {
        wct()
            .args(["wit", "check", &source])
            .assert()
            .success()
            .stdout(predicate::str::contains(expected));
    }
}

#[test]
fn unreadable_and_unknown_inputs_exit_2() {
    wct()
        .args(["wit", "check", "no/such/dir"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "'no/such/dir' is not a file or directory",
        ))
        .stderr(predicate::str::contains(
            "built-in worlds: wasi:cli/command",
        ));
    wct()
        .args(["wit", "print", &wit("wit/nested"), "--world", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("world 'nope' not found"))
        .stderr(predicate::str::contains("wct:app/drawing@1.0.0"));
    wct()
        .args(["wit", "check", &wit("c/hello.wasm")])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no `component-type` metadata"));
    wct()
        .args(["wit", "check", "wasi:cli/command@0.1.0"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not 0.1.0"));
}

#[test]
fn builtin_command_world_prints_with_all_interfaces() {
    let out = wct()
        .args(["wit", "print", "wasi:cli/command"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = stdout_of(&out);
    for needle in [
        "package wasi:cli@0.2.",
        "world command {",
        "interface environment {",
        "export run;",
        "package wasi:io@0.2.",
        "package wasi:filesystem@0.2.",
        "package wasi:sockets@0.2.",
    ] {
        assert!(text.contains(needle), "missing `{needle}`");
    }
    assert!(
        !text.contains("world imports"),
        "--world selection keeps only command"
    );
    assert!(
        !text.contains("wasmtime:adapter"),
        "unrelated packages leak in"
    );
}

#[test]
fn out_dir_reads_back_to_the_same_wit() {
    for source in ["wasi:cli/imports".to_string(), wit("wit/nested")] {
        let dir = tempfile::tempdir().unwrap();
        wct()
            .args(["wit", "print", &source, "--out-dir"])
            .arg(dir.path())
            .assert()
            .success();
        let original = wct()
            .args(["wit", "print", &source])
            .output()
            .unwrap()
            .stdout;
        let reread = wct()
            .args(["wit", "print"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(reread.status.success(), "{}", stderr_of(&reread));
        assert_eq!(
            stdout_of(&reread),
            String::from_utf8(original).unwrap(),
            "{source}"
        );
    }
}

#[test]
fn build_round_trips_through_wasm() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("nested.wasm");
    let print = |args: &[&std::ffi::OsStr]| {
        let out = wct().args(["wit", "print"]).args(args).output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        stdout_of(&out)
    };
    wct()
        .args(["wit", "build", &wit("wit/nested"), "-o"])
        .arg(&pkg)
        .assert()
        .success();
    // The main package is identical through WIT -> wasm -> WIT.
    let no_deps = std::ffi::OsStr::new("--no-deps");
    let from_text = print(&[fixture("wit/nested").as_os_str(), no_deps]);
    let from_wasm = print(&[pkg.as_os_str(), no_deps]);
    assert_eq!(from_wasm, from_text);
    assert!(from_wasm.contains("world with-cli {"), "{from_wasm}");
    // And the whole self-contained text is a fixed point: WIT -> wasm -> WIT -> wasm -> WIT.
    let text = dir.path().join("nested.wit");
    std::fs::write(&text, print(&[pkg.as_os_str()])).unwrap();
    let again = dir.path().join("again.wasm");
    wct()
        .args(["wit", "build"])
        .arg(&text)
        .arg("-o")
        .arg(&again)
        .assert()
        .success();
    assert_eq!(
        print(&[again.as_os_str()]),
        std::fs::read_to_string(&text).unwrap()
    );
    let status = std::process::Command::new(wasm_tools())
        .arg("validate")
        .arg(&pkg)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn print_of_a_component_and_a_core_module() {
    wct()
        .args(["wit", "print", &wit("components/hello-wasm-tools.wasm")])
        .assert()
        .success()
        .stdout(predicate::str::contains("world root {"))
        .stdout(predicate::str::contains("import wasi:cli/stdout@0.2"))
        .stdout(predicate::str::contains("export wasi:cli/run@0.2"));
    wct()
        .args(["wit", "print", &wit("components/greeter-core.wasm")])
        .assert()
        .success()
        .stdout(predicate::str::contains("world greeter {"))
        .stdout(predicate::str::contains(
            "greet: func(name: string) -> string;",
        ));
}

#[test]
fn json_is_the_resolve() {
    let out = wct()
        .args(["wit", "json", &wit("wit/single.wit")])
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["origin"], "wit-file");
    let pkg = json["package"].as_u64().unwrap() as usize;
    assert_eq!(json["resolve"]["packages"][pkg]["name"], "wct:single");
    assert_eq!(json["resolve"]["worlds"][0]["name"], "counting");
}

#[test]
fn worlds_shows_flattened_items_and_gates() {
    let out = wct()
        .args(["wit", "worlds", &wit("wit/nested"), "--all-features"])
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(text.contains("world wct:app/drawing@1.0.0"), "{text}");
    // `use` in `shapes` pulls wct:types/geometry and, through it, wct:base/units.
    assert!(
        text.contains("import interface wct:base/units@0.1.0"),
        "{text}"
    );
    assert!(
        text.contains("to-feet: func(m: meters) -> f64  @since(version = 0.1.0)"),
        "{text}"
    );
    assert!(
        text.contains("export render: func() -> list<u8>  @unstable(feature = fancy-output)"),
        "{text}"
    );
    // The included world's import shows up in the including world.
    let with_cli = text.split("world wct:app/with-cli@1.0.0").nth(1).unwrap();
    assert!(
        with_cli.contains("import interface wct:base/units@0.1.0"),
        "{text}"
    );

    let gated = wct()
        .args(["wit", "worlds", &wit("wit/nested")])
        .output()
        .unwrap();
    assert!(
        !stdout_of(&gated).contains("render"),
        "unstable item shown without its feature"
    );
    let enabled = wct()
        .args([
            "wit",
            "worlds",
            &wit("wit/nested"),
            "--features",
            "fancy-output",
        ])
        .output()
        .unwrap();
    assert!(stdout_of(&enabled).contains("export render"));
}

/// wit-parser's ui case `parse-fail/very-large-column.wit`: the error sits past column 65,535,
/// where miette's renderer used to panic. The line is shown as a window around the span.
#[test]
fn an_error_on_a_huge_line_is_shown_with_a_clipped_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("very-large-column.wit");
    let text = format!("package demo:hell{} world hello {{}}\n", "a".repeat(65_530));
    std::fs::write(&path, &text).unwrap();
    let output = wct()
        .args(["wit", "check", "--color", "never"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let column = text.find(" world").unwrap() + 2;
    assert!(
        stderr.contains(&format!("very-large-column.wit:1:{column}]")),
        "{stderr}"
    );
    assert!(stderr.contains("aaaa world hello {}"), "{stderr}");
    assert!(stderr.lines().all(|l| l.len() < 400), "{stderr}");
}

/// wit-parser's ui case `kinds-of-deps`: `deps/` may hold a directory, a `.wit` file, and
/// packages encoded as WAT or as wasm.
#[test]
fn deps_may_hold_packages_in_wat_and_wasm_form() {
    let dir = tempfile::tempdir().unwrap();
    let deps = dir.path().join("deps");
    std::fs::create_dir_all(deps.join("b")).unwrap();
    std::fs::write(
        dir.path().join("a.wit"),
        "package a:a;\n\nworld a {\n  import b:b/b;\n  import c:c/c;\n  import d:d/d;\n  import e:e/e;\n}\n",
    )
    .unwrap();
    std::fs::write(deps.join("b/root.wit"), "package b:b;\ninterface b {}\n").unwrap();
    std::fs::write(deps.join("c.wit"), "package c:c;\ninterface c {}\n").unwrap();
    let component_type = |name: &str| {
        format!(
            "(component\n  (type ${name} (component\n    (export \"{name}:{name}/{name}\" (instance))\n  ))\n  (export \"{name}\" (type ${name}))\n)\n"
        )
    };
    std::fs::write(deps.join("d.wat"), component_type("d")).unwrap();
    let wasm = wat::parse_str(component_type("e")).unwrap();
    std::fs::write(deps.join("e.wasm"), wasm).unwrap();

    wct()
        .args(["wit", "check"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "package a:a: 0 interfaces, 1 worlds; 4 dependencies",
        ));
    let printed = wct()
        .args(["wit", "print"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(printed.status.success(), "{}", stderr_of(&printed));
    let oracle = std::process::Command::new(wasm_tools())
        .args(["component", "wit"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(oracle.status.success(), "{}", stderr_of(&oracle));
    assert_eq!(stdout_of(&printed), stdout_of(&oracle));
}

/// `wit print` reads the types, not the code: a component whose function body is invalid
/// still prints (as `wasm-tools component wit` does; `wct validate` is what rejects it), while
/// a truncated one is an error naming the offset, not a crash.
#[test]
fn wit_print_checks_the_types_and_leaves_the_code_to_validate() {
    let dir = tempfile::tempdir().unwrap();
    let bad_body = dir.path().join("bad-body.wasm");
    let wasm = wat::parse_str(
        r#"(component
             (core module $m (func (export "f") (result i32)))
             (core instance $i (instantiate $m))
             (func (export "f") (result s32) (canon lift (core func $i "f"))))"#,
    )
    .unwrap();
    std::fs::write(&bad_body, &wasm).unwrap();
    let oracle = std::process::Command::new(wasm_tools())
        .args(["component", "wit"])
        .arg(&bad_body)
        .output()
        .unwrap();
    assert!(oracle.status.success(), "{}", stderr_of(&oracle));
    wct()
        .args(["wit", "print"])
        .arg(&bad_body)
        .assert()
        .success()
        .stdout(stdout_of(&oracle));
    wct()
        .arg("validate")
        .arg(&bad_body)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("type mismatch"));
    let truncated = dir.path().join("truncated.wasm");
    std::fs::write(&truncated, &wasm[..wasm.len() - 7]).unwrap();
    wct()
        .args(["wit", "print"])
        .arg(&truncated)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid wasm"));
}

/// wit-parser 0.263.0's `tests/ui` in cargo's registry cache (where the build put it).
fn wit_parser_ui() -> std::path::PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cargo")
        });
    let src = home.join("registry/src");
    std::fs::read_dir(&src)
        .expect("cargo registry sources")
        .map(|index| index.unwrap().path().join("wit-parser-0.263.0/tests/ui"))
        .find(|ui| ui.is_dir())
        .unwrap_or_else(|| {
            panic!(
                "wit-parser 0.263.0's tests/ui not found under {}",
                src.display()
            )
        })
}

/// Every package of a file or folder is printed — nested `package x { }` blocks, several
/// packages in one folder, foreign deps — byte for byte as `wasm-tools component wit` prints
/// it, on every wit-parser ui case that wasm-tools accepts.
#[test]
fn wit_print_prints_every_package_as_wasm_tools_does() {
    let ui = wit_parser_ui();
    let mut cases: Vec<_> = std::fs::read_dir(&ui)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "wit"))
        .filter(|p| p.file_name().unwrap() != "parse-fail")
        .collect();
    cases.sort();
    let (mut compared, mut differ) = (0, Vec::new());
    for case in &cases {
        let theirs = std::process::Command::new(wasm_tools())
            .args(["component", "wit"])
            .arg(case)
            .output()
            .unwrap();
        if !theirs.status.success() {
            continue;
        }
        compared += 1;
        let ours = wct().args(["wit", "print"]).arg(case).output().unwrap();
        if ours.stdout != theirs.stdout {
            differ.push(format!("{} ({})", case.display(), stderr_of(&ours).trim()));
        }
    }
    println!("wit print: {compared} ui cases compared with wasm-tools");
    assert!(compared >= 70, "only {compared} ui cases parsed");
    assert!(differ.is_empty(), "printed differently: {differ:#?}");
}

/// `wasi:config/imports` and `wasi:keyvalue/imports`/`watch-service` are built in at the
/// versions the engine links (wasmtime-wasi-config and -keyvalue 48): printed, used by `wct
/// embed --dummy`, and checked by `wct targets`, alone or with the CLI world.
#[test]
fn config_and_keyvalue_worlds_are_built_in() {
    let printed = |world: &str| {
        let out = wct().args(["wit", "print", world]).output().unwrap();
        assert!(out.status.success(), "{world}: {}", stderr_of(&out));
        stdout_of(&out)
    };
    let config = printed("wasi:config/imports");
    assert!(
        config.contains("package wasi:config@0.2.0-rc.1;"),
        "{config}"
    );
    assert!(config.contains("get-all: func()"), "{config}");
    let keyvalue = printed("wasi:keyvalue/imports@0.2.0-draft");
    for expected in ["interface atomics", "interface batch", "increment: func("] {
        assert!(keyvalue.contains(expected), "{expected} not in {keyvalue}");
    }
    let watch = printed("wasi:keyvalue/watch-service");
    assert!(watch.contains("interface watcher"), "{watch}");
    // A component of the keyvalue world (trapping bodies) fits it, and fits the union with
    // the CLI world, but not the config world.
    let dir = tempfile::tempdir().unwrap();
    let core = dir.path().join("kv-core.wasm");
    let component = dir.path().join("kv.wasm");
    wct()
        .args(["embed", "--dummy", "wasi:keyvalue/imports", "-o"])
        .arg(&core)
        .assert()
        .success();
    wct()
        .arg("new")
        .arg(&core)
        .arg("-o")
        .arg(&component)
        .assert()
        .success();
    let targets = |worlds: &[&str]| {
        let mut cmd = wct();
        cmd.arg("targets").arg(&component);
        for world in worlds {
            cmd.args(["--world", world]);
        }
        cmd.output().unwrap().status.code()
    };
    assert_eq!(targets(&["wasi:keyvalue/imports"]), Some(0));
    assert_eq!(
        targets(&["wasi:cli/imports", "wasi:keyvalue/imports"]),
        Some(0)
    );
    assert_eq!(targets(&["wasi:config/imports"]), Some(1));
    // A version the engine does not implement is refused by name.
    let other = wct()
        .args(["wit", "print", "wasi:keyvalue/imports@0.3.0"])
        .output()
        .unwrap();
    assert_eq!(other.status.code(), Some(2), "{}", stderr_of(&other));
}
