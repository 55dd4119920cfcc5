//! `wct sbom`: the documents of real components (componentize-py 0.2 and 0.3, componentize-js,
//! componentize-qjs with its Rust runtime's `.dep-v0`, a wasi-testsuite WASI 0.3 program, a
//! composition made by `wct compose`) pass the formats' official validators, which wct shares
//! no code with (PyPI `cyclonedx-python-lib` for CycloneDX 1.6, `spdx-tools` for SPDX 2.3,
//! run by `tests/fixtures/sbom/validate.py`), and say what each is known to contain.

use crate::common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The document `wct sbom` writes for `file` in `format`, after both validators' verdict.
fn sbom(file: &Path, format: &str, dir: &Path) -> Value {
    let out = dir.join(format!("sbom.{format}.json"));
    wct()
        .arg("sbom")
        .arg(file)
        .args(["--format", format, "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout("");
    let validator = std::process::Command::new("python3")
        .arg(fixture("sbom/validate.py"))
        .arg(format)
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        validator.status.success(),
        "{} of {} is not valid: {}{}",
        format,
        file.display(),
        stdout_of(&validator),
        stderr_of(&validator)
    );
    serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap()
}

/// Every CycloneDX component under `component`, itself included.
fn components(component: &Value) -> Vec<&Value> {
    let mut out = vec![component];
    for child in component["components"].as_array().into_iter().flatten() {
        out.extend(components(child));
    }
    out
}

/// The values of the properties named `name`.
fn properties<'a>(component: &'a Value, name: &str) -> Vec<&'a str> {
    component["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == name)
        .filter_map(|p| p["value"].as_str())
        .collect()
}

/// The CycloneDX component (nested at any depth) with the role `role`.
fn with_role<'a>(document: &'a Value, role: &str) -> Option<&'a Value> {
    components(&document["metadata"]["component"])
        .into_iter()
        .find(|c| properties(c, "wct:role").contains(&role))
}

/// The SHA-256 of a file, by Python's hashlib (not the code wct uses).
fn sha256(file: &Path) -> String {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())",
        ])
        .arg(file)
        .output()
        .unwrap();
    stdout_of(&out).trim().to_string()
}

/// Checks what every document says of any input: both formats valid, the file's digest on
/// the outermost part in both, every nested part listed in both.
fn common(file: &Path, dir: &Path) -> (Value, Value) {
    let cdx = sbom(file, "cyclonedx", dir);
    let spdx = sbom(file, "spdx", dir);
    let root = &cdx["metadata"]["component"];
    assert_eq!(root["type"], "application");
    assert_eq!(root["hashes"][0]["content"], sha256(file).as_str());
    let described = spdx["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["relationshipType"] == "DESCRIBES")
        .unwrap()["relatedSpdxElement"]
        .clone();
    let root_package = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["SPDXID"] == described)
        .unwrap();
    assert_eq!(
        root_package["checksums"][0]["checksumValue"],
        sha256(file).as_str()
    );
    let parts = components(root).len();
    let packages = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["SPDXID"].as_str().unwrap().starts_with("SPDXRef-Part-"))
        .count();
    assert_eq!(parts, packages, "the same parts in both formats");
    (cdx, spdx)
}

#[test]
fn python_components_name_their_runtime_adapter_and_modules() {
    let dir = tempfile::tempdir().unwrap();
    for (probe, wasi) in [
        (crate::virt::python_probe(), "@0.2."),
        (crate::virt::python_probe3(), "@0.3.0"),
    ] {
        let (cdx, spdx) = common(&probe, dir.path());
        let python = with_role(&cdx, "python-runtime").expect("the Python runtime");
        assert_eq!(python["name"], "libpython3.14.so");
        assert_eq!(python["version"], "3.14");
        assert!(with_role(&cdx, "wasi-adapter").is_some(), "the adapter");
        assert!(with_role(&cdx, "libc").is_some(), "libc");
        let names: Vec<&str> = components(&cdx["metadata"]["component"])
            .iter()
            .filter_map(|c| c["name"].as_str())
            .collect();
        for module in [
            "main",
            "libc.so",
            "componentize_py_runtime.wasm",
            "libcomponentize_py_bindings.so",
        ] {
            assert!(names.contains(&module), "no {module} in {names:?}");
        }
        let imports = properties(&cdx["metadata"]["component"], "wct:import");
        assert!(
            imports
                .iter()
                .any(|i| i.starts_with("wasi:cli/environment") && i.contains(wasi)),
            "{imports:?}"
        );
        let producers = properties(&cdx["metadata"]["component"], "wct:producer:processed-by");
        assert!(
            producers.iter().any(|p| p.starts_with("wit-component")),
            "{producers:?}"
        );
        // SPDX says the same roles in the package's comment.
        assert!(spdx["packages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "libpython3.14.so"
                && p["versionInfo"] == "3.14"
                && p["comment"]
                    .as_str()
                    .unwrap()
                    .contains("role python-runtime")));
    }
}

#[test]
fn javascript_components_name_their_engine_and_the_rust_crates_of_their_runtime() {
    let dir = tempfile::tempdir().unwrap();
    // componentize-js: SpiderMonkey (StarlingMonkey) with the Preview 1 adapter.
    let greeter = crate::languages::js_component("greeter", "greeter");
    let (cdx, _) = common(&greeter, dir.path());
    assert!(with_role(&cdx, "js-engine").is_some(), "the JS engine");
    assert!(with_role(&cdx, "wasi-adapter").is_some(), "the adapter");
    // componentize-qjs: its runtime module is Rust built with cargo-auditable.
    let qjs = fixture("js/polite-greeter.wasm");
    let (cdx, spdx) = common(&qjs, dir.path());
    let rquickjs = "pkg:cargo/rquickjs@0.13.0";
    let crates: Vec<&Value> = cdx["components"].as_array().unwrap().iter().collect();
    assert!(
        crates
            .iter()
            .any(|c| c["purl"] == rquickjs && c["name"] == "rquickjs" && c["type"] == "library"),
        "{crates:?}"
    );
    let runtime = "component / component 0 / module componentize_qjs_runtime.wasm";
    let dependencies = cdx["dependencies"].as_array().unwrap();
    let of_runtime = dependencies.iter().find(|d| d["ref"] == runtime).unwrap();
    assert!(of_runtime["dependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d == rquickjs));
    let package = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "rquickjs")
        .unwrap();
    assert_eq!(package["externalRefs"][0]["referenceLocator"], rquickjs);
    assert!(spdx["relationships"].as_array().unwrap().iter().any(|r| {
        r["relatedSpdxElement"] == package["SPDXID"] && r["relationshipType"] == "DEPENDS_ON"
    }));
}

#[test]
fn a_wasi_0_3_program_and_a_composition_say_their_imports_and_who_fills_them() {
    let dir = tempfile::tempdir().unwrap();
    let program = wasi_testsuite().join("rust-wasip3/cli-env.wasm");
    let (cdx, _) = common(&program, dir.path());
    let imports = properties(&cdx["metadata"]["component"], "wct:import");
    assert!(
        imports.contains(&"wasi:cli/environment@0.3.0"),
        "{imports:?}"
    );
    let exports = properties(&cdx["metadata"]["component"], "wct:export");
    assert!(exports.contains(&"wasi:cli/run@0.3.0"), "{exports:?}");

    let composed = dir.path().join("composed.wasm");
    wct()
        .arg("compose")
        .arg(fixture("compose/hello-app.wasm"))
        .arg(fixture("compose/polite-greeter.wasm"))
        .arg("-o")
        .arg(&composed)
        .assert()
        .success();
    let (cdx, spdx) = common(&composed, dir.path());
    let app = "component / component hello-app";
    let greeter = "component / component polite-greeter";
    let dependencies = cdx["dependencies"].as_array().unwrap();
    let of_app = dependencies.iter().find(|d| d["ref"] == app).unwrap();
    assert_eq!(of_app["dependsOn"], serde_json::json!([greeter]));
    let app_component = components(&cdx["metadata"]["component"])
        .into_iter()
        .find(|c| c["bom-ref"] == app)
        .unwrap();
    assert!(properties(app_component, "wct:filled-by")
        .contains(&format!("wct:demo/greet@0.1.0 <- {greeter}").as_str()));
    assert!(spdx["relationships"].as_array().unwrap().iter().any(|r| {
        r["relationshipType"] == "DEPENDS_ON"
            && r["comment"] == "fills its import wct:demo/greet@0.1.0"
    }));
}

#[test]
fn the_same_input_gives_the_same_document_and_a_time_only_when_asked() {
    let file = fixture("compose/greeter.wasm");
    let once = |args: &[&str], epoch: Option<&str>| -> std::process::Output {
        let mut cmd = wct();
        cmd.arg("sbom").arg(&file).args(args);
        match epoch {
            Some(epoch) => cmd.env("SOURCE_DATE_EPOCH", epoch),
            None => cmd.env_remove("SOURCE_DATE_EPOCH"),
        };
        cmd.output().unwrap()
    };
    for format in ["cyclonedx", "spdx"] {
        let first = once(&["--format", format], None);
        let second = once(&["--format", format], None);
        assert!(first.status.success(), "{}", stderr_of(&first));
        assert_eq!(first.stdout, second.stdout, "{format} is deterministic");
        let text = stdout_of(&first);
        assert!(!text.contains("\"timestamp\""), "{text}");
        let dated = once(&["--format", format, "--timestamp"], Some("1767225600"));
        let dated: Value = serde_json::from_slice(&dated.stdout).unwrap();
        let when = match format {
            "cyclonedx" => &dated["metadata"]["timestamp"],
            _ => &dated["creationInfo"]["created"],
        };
        assert_eq!(when, "2026-01-01T00:00:00Z");
    }
    let spdx: Value = serde_json::from_slice(&once(&["--format", "spdx"], None).stdout).unwrap();
    assert_eq!(spdx["creationInfo"]["created"], "1970-01-01T00:00:00Z");
    let bad = once(&["--timestamp"], Some("yesterday"));
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr_of(&bad).contains("SOURCE_DATE_EPOCH"),
        "{}",
        stderr_of(&bad)
    );
}

#[test]
fn bad_input_is_refused_with_its_name_and_the_input_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let not_wasm = dir.path().join("notes.txt");
    std::fs::write(&not_wasm, "hello").unwrap();
    let out = wct().arg("sbom").arg(&not_wasm).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("notes.txt"), "{}", stderr_of(&out));
    let whole = std::fs::read(fixture("compose/greeter.wasm")).unwrap();
    let truncated = dir.path().join("truncated.wasm");
    std::fs::write(&truncated, &whole[..whole.len() / 2]).unwrap();
    let out = wct().arg("sbom").arg(&truncated).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("truncated.wasm"),
        "{}",
        stderr_of(&out)
    );
    let input: PathBuf = dir.path().join("greeter.wasm");
    std::fs::write(&input, &whole).unwrap();
    let out = wct()
        .arg("sbom")
        .arg(&input)
        .arg("-o")
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&input).unwrap(), whole, "the input is kept");
}

/// `publish --sbom` attaches the document beside the artifact as `cosign attach sbom` does
/// (read back here by skopeo, which wct shares no code with); `pull --sbom` fetches it,
/// checks that it describes the pulled wasm, and refuses (writing nothing) when none is there.
#[test]
fn an_sbom_is_attached_on_publish_and_fetched_on_pull() {
    let server = crate::registry::RegistryServer::start();
    let dir = tempfile::tempdir().unwrap();
    let registry = server.addr.as_str();
    // `wct publish --json` of a fixture as `name`, its report.
    let publish_json = |file: &str, name: &str, extra: &[&str]| -> Value {
        let out = wct()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "publish",
                file,
                "--name",
                name,
                "--json",
                "--registry",
                registry,
            ])
            .args(extra)
            .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let report = publish_json(
        "tests/fixtures/js/polite-greeter.wasm",
        "wct:qjs@0.1.0",
        &["--sbom", "spdx"],
    );
    let digest = report["manifest_digest"].as_str().unwrap();
    let tag = format!("{}.sbom", digest.replace("sha256:", "sha256-"));
    assert_eq!(report["sbom"], format!("{registry}/wct/qjs:{tag}"));
    let attached = crate::registry::skopeo_manifest(&format!("{registry}/wct/qjs:{tag}"));
    assert_eq!(attached["layers"][0]["mediaType"], "text/spdx+json");

    let pull = |reference: &str, sbom: &str| {
        wct()
            .current_dir(dir.path())
            .args(["pull", reference, "--registry", registry, "-o", "qjs.wasm"])
            .args(["--sbom", sbom])
            .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
            .output()
            .unwrap()
    };
    let out = pull("wct:qjs@0.1.0", "qjs.spdx.json");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let fetched = dir.path().join("qjs.spdx.json");
    let validator = std::process::Command::new("python3")
        .arg(fixture("sbom/validate.py"))
        .arg("spdx")
        .arg(&fetched)
        .output()
        .unwrap();
    assert!(validator.status.success(), "{}", stderr_of(&validator));
    let document: Value = serde_json::from_slice(&std::fs::read(&fetched).unwrap()).unwrap();
    assert!(document["packages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "rquickjs"));
    assert_eq!(
        sha256(&dir.path().join("qjs.wasm")),
        sha256(&fixture("js/polite-greeter.wasm"))
    );

    // Without an SBOM attached: exit 1 and nothing written.
    let bare = publish_json("tests/fixtures/compose/greeter.wasm", "wct:qjs@0.2.0", &[]);
    std::fs::remove_file(dir.path().join("qjs.wasm")).unwrap();
    let out = pull("wct:qjs@0.2.0", "bare.json");
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("has no SBOM attached"),
        "{}",
        stderr_of(&out)
    );
    assert!(!dir.path().join("qjs.wasm").exists() && !dir.path().join("bare.json").exists());
    // Another file's SBOM copied beside it (by skopeo): refused, nothing written.
    let bare_tag = format!(
        "{}.sbom",
        bare["manifest_digest"]
            .as_str()
            .unwrap()
            .replace("sha256:", "sha256-")
    );
    let copy = std::process::Command::new("skopeo")
        .args(["copy", "--src-tls-verify=false", "--dest-tls-verify=false"])
        .arg(format!("docker://{registry}/wct/qjs:{tag}"))
        .arg(format!("docker://{registry}/wct/qjs:{bare_tag}"))
        .output()
        .unwrap();
    assert!(copy.status.success(), "{}", stderr_of(&copy));
    let out = pull("wct:qjs@0.2.0", "bare.json");
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("describes another file"),
        "{}",
        stderr_of(&out)
    );
    assert!(!dir.path().join("qjs.wasm").exists() && !dir.path().join("bare.json").exists());
}
