//! `wct metadata show` and `add`: what wct writes, wasm-tools reads back field for field;
//! producers listed for every nested module of real Python and JavaScript components; bad
//! values refused with nothing written.

use crate::common::{fixture, stderr_of, stdout_of, wasm_tools, wasm_tools_validates, wct};
use serde_json::Value;
use std::path::Path;

/// `wasm-tools metadata show --json FILE`'s top-level metadata object.
fn theirs(file: &Path) -> Value {
    let out = std::process::Command::new(wasm_tools())
        .args(["metadata", "show", "--json"])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["component"]["metadata"].clone()
}

/// `wct metadata show --json FILE`.
fn ours(file: &Path) -> Value {
    let out = wct()
        .args(["metadata", "show", "--json"])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn what_wct_adds_wasm_tools_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("greeter.wasm");
    wct()
        .args(["metadata", "add"])
        .arg(fixture("compose/greeter.wasm"))
        .args([
            "--name",
            "greeter",
            "--version",
            "1.2.0",
            "--licenses",
            "Apache-2.0 WITH LLVM-exception",
            "--source",
            "https://example.com/greeter",
            "--homepage",
            "https://example.com/",
            "--revision",
            "abc123",
            "--authors",
            "Ada <ada@example.com>",
            "--description",
            "Greets people",
            "--language",
            "C=17",
            "--sdk",
            "wasi-sdk=25",
        ])
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    wasm_tools_validates(&out);
    let t = theirs(&out);
    assert_eq!(t["name"], "greeter");
    assert_eq!(t["version"], "1.2.0");
    assert_eq!(t["licenses"], "Apache-2.0 WITH LLVM-exception");
    assert_eq!(t["source"], "https://example.com/greeter");
    assert_eq!(t["homepage"], "https://example.com/");
    assert_eq!(t["revision"], "abc123");
    assert_eq!(t["authors"], "Ada <ada@example.com>");
    assert_eq!(t["description"], "Greets people");
    let producers = t["producers"].to_string();
    assert!(producers.contains("\"C\":\"17\"") && producers.contains("\"wasi-sdk\":\"25\""));
    // And wct reads the same.
    let o = ours(&out);
    assert_eq!(o["name"], "greeter");
    for key in [
        "version",
        "licenses",
        "source",
        "homepage",
        "revision",
        "authors",
        "description",
    ] {
        assert_eq!(o["annotations"][key], t[key], "{key}");
    }
    assert_eq!(o["producers"]["sdk"][0]["name"], "wasi-sdk");
    // --clear-version removes it again.
    let cleared = dir.path().join("cleared.wasm");
    wct()
        .args(["metadata", "add"])
        .arg(&out)
        .arg("--clear-version")
        .arg("-o")
        .arg(&cleared)
        .assert()
        .success();
    assert!(theirs(&cleared)["version"].is_null());
}

#[test]
fn nested_modules_of_python_and_javascript_components_list_their_producers() {
    let python = crate::common::PythonBuild {
        dir: "size",
        module: "hello",
        world: "wasi:cli/command",
        wasi: Some("wasi:cli/command"),
        wit: &[],
    }
    .build();
    let js = crate::languages::js_component("greeter", "greeter");
    for (file, language) in [(python, "Python"), (js, "JavaScript")] {
        let v = ours(&file);
        let children = v["children"].as_array().unwrap();
        assert!(children.len() >= 2, "{}", file.display());
        let with_producers = children
            .iter()
            .filter(|c| c["producers"].is_object())
            .count();
        assert!(with_producers >= 2, "{v}");
        let text = v.to_string();
        assert!(
            text.contains(language) || text.contains("componentize"),
            "{language}: {text}"
        );
        // Every nested module is named by its path, as `wct size` names it.
        assert!(children
            .iter()
            .all(|c| c["path"].as_str().unwrap().starts_with("component / ")));
    }
    let out = wct()
        .args(["metadata", "show"])
        .arg(fixture("compose/greeter.wasm"))
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(
        text.contains("component / module main (") && text.contains("language: C99"),
        "{text}"
    );
}

#[test]
fn a_licence_that_is_not_spdx_and_bad_input_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wasm");
    std::fs::write(&out, b"kept").unwrap();
    crate::common::assert_refused_and_kept(
        &["metadata", "add"],
        &[
            fixture("compose/greeter.wasm").into_os_string(),
            "--licenses".into(),
            "MIT OR".into(),
        ],
        &out,
        "--licenses",
    );
    for file in [
        fixture("invalid/truncated.wasm"),
        dir.path().join("missing.wasm"),
    ] {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let shown = wct()
            .args(["metadata", "show"])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(shown.status.code(), Some(2));
        crate::common::assert_refused_and_kept(
            &["metadata", "add", "--version", "1.0.0"],
            &[file.into_os_string()],
            &out,
            &name,
        );
    }
}

#[test]
fn publish_sends_the_metadata_as_oci_annotations() {
    let server = crate::registry::RegistryServer::start();
    let dir = tempfile::tempdir().unwrap();
    let stamped = dir.path().join("greeter.wasm");
    wct()
        .args(["metadata", "add"])
        .arg(fixture("compose/greeter.wasm"))
        .args([
            "--licenses",
            "Apache-2.0",
            "--source",
            "https://example.com/greeter",
            "--authors",
            "Ada",
            "--homepage",
            "https://example.com/",
            "--revision",
            "abc123",
            "--description",
            "Greets",
        ])
        .arg("-o")
        .arg(&stamped)
        .assert()
        .success();
    crate::registry::publish(&server, &stamped, &["--name", "wct:stamped@1.0.0"]).success();
    let manifest = crate::registry::skopeo_manifest(&format!("{}/wct/stamped:1.0.0", server.addr));
    let annotations = &manifest["annotations"];
    for (key, value) in [
        ("licenses", "Apache-2.0"),
        ("source", "https://example.com/greeter"),
        ("authors", "Ada"),
        ("url", "https://example.com/"),
        ("revision", "abc123"),
        ("description", "Greets"),
        ("version", "1.0.0"),
    ] {
        assert_eq!(
            annotations[format!("org.opencontainers.image.{key}")],
            value,
            "{annotations}"
        );
    }
}
