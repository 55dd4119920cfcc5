//! `wct addr2line`: the same functions, files and lines as `wasm-tools addr2line` on a C
//! program built with `-g`; the same answer inside a component with `--module`; clear errors
//! for addresses outside the code, modules without DWARF and unknown modules.

use crate::common::{fixture, stderr_of, stdout_of, wasm_tools, wct};
use serde_json::Value;

/// Offsets of instructions in `hello-debug.wasm`'s `main` (from `wasm-tools print
/// --print-offsets`: lines 5 to 8 of hello.c), in the three spellings.
const ADDRESSES: &[&str] = &["0x1f5", "0x233", "0x274", "0x29a", "0x2be", "@2be", "700"];

#[test]
fn lines_agree_with_wasm_tools_on_a_c_program() {
    let module = fixture("c/hello-debug.wasm");
    let ours = wct()
        .arg("addr2line")
        .arg(&module)
        .args(ADDRESSES)
        .output()
        .unwrap();
    assert!(ours.status.success(), "{}", stderr_of(&ours));
    let theirs = std::process::Command::new(wasm_tools())
        .arg("addr2line")
        .arg(&module)
        .args(ADDRESSES)
        .output()
        .unwrap();
    assert!(theirs.status.success(), "{}", stderr_of(&theirs));
    assert_eq!(stdout_of(&ours), stdout_of(&theirs));
    for line in ["hello.c:5:", "hello.c:6:5", "hello.c:7:5", "hello.c:8:9"] {
        assert!(stdout_of(&ours).contains(line), "{}", stdout_of(&ours));
    }
}

#[test]
fn inside_a_component_the_module_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let component = crate::common::adapted_fixture(dir.path(), "c/hello-debug.wasm", "hello");
    let json = |args: &[&str]| -> Value {
        let out = wct()
            .args(["addr2line", "--json"])
            .arg(&component)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let core = wct()
        .args(["addr2line", "--json"])
        .arg(fixture("c/hello-debug.wasm"))
        .arg("0x1f5")
        .output()
        .unwrap();
    let core: Value = serde_json::from_slice(&core.stdout).unwrap();
    let expected = &core["addresses"][0]["frames"];
    assert!(expected[0]["line"].as_u64().unwrap() > 0, "{core}");
    // The same code offset in the component's main module, named as backtraces name it.
    let code_offset = core["addresses"][0]["code_offset"].as_u64().unwrap();
    let by_name = json(&["--module", "main", "0x1f5"]);
    assert_eq!(by_name["addresses"][0]["module"], "component / module main");
    assert_eq!(
        by_name["addresses"][0]["code_offset"].as_u64(),
        Some(code_offset)
    );
    assert_eq!(&by_name["addresses"][0]["frames"], expected);
}

#[test]
fn addresses_outside_code_and_modules_without_dwarf_are_errors() {
    for (file, args, needle) in [
        (
            fixture("c/hello-debug.wasm"),
            vec!["0x3"],
            "no module's code holds address 0x3",
        ),
        (
            fixture("c/hello.wasm"),
            vec!["0x200"],
            "has no DWARF debug information",
        ),
        (
            fixture("compose/greeter.wasm"),
            vec!["--module", "nope", "0x10"],
            "no module named `nope`",
        ),
        (fixture("c/hello-debug.wasm"), vec!["zz"], "not an address"),
    ] {
        let out = wct()
            .arg("addr2line")
            .arg(&file)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr_of(&out).contains(needle),
            "{args:?}: {}",
            stderr_of(&out)
        );
    }
}
