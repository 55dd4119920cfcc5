//! `wct demangle`: the same bytes as `wasm-tools demangle` on a core module with Rust (legacy
//! and v0) and C++ names; nested modules of a component too (which wasm-tools refuses); bad
//! input writes nothing.

use crate::common::{fixture, stderr_of, stdout_of, wasm_tools, wasm_tools_validates, wct};

#[test]
fn a_module_demangles_byte_for_byte_as_wasm_tools_does() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("mangled.wasm");
    wct()
        .arg("parse")
        .arg(fixture("wat/mangled.wat"))
        .arg("-o")
        .arg(&module)
        .assert()
        .success();
    let ours = dir.path().join("ours.wasm");
    let out = wct()
        .arg("demangle")
        .arg(&module)
        .arg("-o")
        .arg(&ours)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("5 function name(s) demangled"),
        "{}",
        stderr_of(&out)
    );
    let theirs = dir.path().join("theirs.wasm");
    let status = std::process::Command::new(wasm_tools())
        .arg("demangle")
        .arg(&module)
        .arg("-o")
        .arg(&theirs)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read(&ours).unwrap(),
        std::fs::read(&theirs).unwrap()
    );
    let printed = wct().arg("print").arg(&ours).output().unwrap();
    let text = stdout_of(&printed);
    assert!(
        text.contains("$core::fmt::write::h0123456789abcdef") && text.contains("$\"foo(int)\""),
        "{text}"
    );
}

#[test]
fn nested_modules_of_a_component_are_demangled_and_it_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("compose/greeter.wasm");
    let out = dir.path().join("greeter.wasm");
    let result = wct()
        .arg("demangle")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", stderr_of(&result));
    // The Preview 1 adapter inside is Rust, its names v0-mangled.
    let before = stdout_of(&wct().arg("print").arg(&input).output().unwrap());
    let after = stdout_of(&wct().arg("print").arg(&out).output().unwrap());
    assert!(
        before.contains("(func $_R"),
        "the fixture has mangled names"
    );
    assert!(!after.contains("(func $_R"), "{}", stderr_of(&result));
    wasm_tools_validates(&out);
    let call = |file: &std::path::Path| {
        stdout_of(
            &wct()
                .arg("run")
                .arg(file)
                .args(["--invoke", "greet(\"Ada\")"])
                .output()
                .unwrap(),
        )
    };
    assert_eq!(call(&out), call(&input));
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wasm");
    std::fs::write(&out, b"kept").unwrap();
    for file in [
        fixture("invalid/truncated.wasm"),
        dir.path().join("missing.wasm"),
    ] {
        let needle = file.file_name().unwrap().to_string_lossy().to_string();
        crate::common::assert_refused_and_kept(
            &["demangle"],
            &[file.into_os_string()],
            &out,
            &needle,
        );
    }
}
