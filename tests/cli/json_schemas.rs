//! Every `--json` output, for successful and failing inputs, validates against its documented
//! JSON Schema in `docs/schemas/` (the schemas docs/json.md links).

use crate::common::wct;
use std::path::Path;

fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/schemas/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("{}: not a valid JSON Schema: {e}", path.display()))
}

/// Runs `wct ARGS` (any exit status: failures report in JSON too), parses stdout and checks
/// it against `schema`.
fn check(schema_name: &str, args: &[&str]) -> serde_json::Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = wct().current_dir(root).args(args).output().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "wct {args:?}: stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let validator = schema(schema_name);
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "wct {args:?} does not match docs/schemas/{schema_name}.json:\n{}",
        errors.join("\n")
    );
    value
}

#[test]
fn validate_json() {
    let v = check(
        "validate",
        &[
            "validate",
            "--json",
            "tests/fixtures/c/hello.wasm",
            "tests/fixtures/invalid/truncated.wasm",
            "tests/fixtures/wat",
            "tests/fixtures/missing.wasm",
        ],
    );
    let statuses: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert!(statuses.contains(&"valid") && statuses.contains(&"invalid"));
    assert!(statuses.contains(&"unreadable"));
    // The schema is not a formality: a report missing its fields is rejected.
    let incomplete = serde_json::json!([{ "schema_version": 1, "path": "x" }]);
    assert!(!schema("validate").is_valid(&incomplete));
}

#[test]
fn inspect_json() {
    for file in [
        "tests/fixtures/c/hello.wasm",
        "tests/fixtures/compose/greeter.wasm",
        "tests/fixtures/components/demo-package.wasm",
        "tests/fixtures/http/echo.wasm",
    ] {
        check("inspect", &["inspect", "--json", file]);
    }
}

#[test]
fn targets_json() {
    let fits = check(
        "targets",
        &[
            "targets",
            "--json",
            "tests/fixtures/http/echo.wasm",
            "--world",
            "wasi:http/proxy",
        ],
    );
    assert_eq!(fits["fits"], true);
    let misfit = check(
        "targets",
        &[
            "targets",
            "--json",
            "tests/fixtures/compose/greeter.wasm",
            "--world",
            "wasi:http/proxy",
        ],
    );
    assert_eq!(misfit["fits"], false);
    assert!(misfit["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m.get("exports_instead").is_some()));
}

#[test]
fn wit_fmt_json() {
    let v = check(
        "wit-fmt",
        &[
            "wit",
            "fmt",
            "--check",
            "--json",
            "wit/demo",
            "tests/fixtures/wit/invalid/syntax.wit",
        ],
    );
    assert_eq!(v["files"][0]["changed"], false);
    assert!(v["files"][1]["error"].is_string(), "{v}");
}

#[test]
fn compose_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.wasm");
    let out = out.to_str().unwrap();
    let v = check(
        "compose",
        &[
            "compose",
            "--json",
            "tests/fixtures/compose/hello-app.wasm",
            "tests/fixtures/compose/polite-greeter.wasm",
            "tests/fixtures/compose/store.wasm",
            "-o",
            out,
        ],
    );
    assert_eq!(v["fills"].as_array().unwrap().len(), 2);
    // With a plug nobody needs: `unused` is filled in.
    let v = check(
        "compose",
        &[
            "compose",
            "--json",
            "tests/fixtures/compose/hello-app.wasm",
            "tests/fixtures/compose/greeter.wasm",
            "tests/fixtures/compose/store.wasm",
            "-o",
            out,
        ],
    );
    assert!(!v["unused"].as_array().unwrap().is_empty());
}

#[test]
fn diff_and_semver_check_json() {
    for (old, new) in [
        (
            "tests/fixtures/wasi-history/0.2.0",
            "tests/fixtures/wasi-history/0.2.12",
        ),
        ("wit/demo", "tests/fixtures/wit/greet-v2"),
    ] {
        check("diff", &["diff", "--json", old, new]);
        check("semver-check", &["semver-check", "--json", old, new]);
    }
}

#[test]
fn wit_worlds_and_wit_json() {
    for input in [
        "wit/demo",
        "wasi:cli/command",
        "tests/fixtures/compose/greeter.wasm",
    ] {
        check("wit-worlds", &["wit", "worlds", "--json", input]);
        check("wit-json", &["wit", "json", input]);
    }
}

/// Every command whose help offers `--json` (and `wit json`) has a schema, and every schema
/// belongs to such a command.
#[test]
fn every_json_output_has_a_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut with_json = vec!["wit-json".to_string()];
    let commands = [
        "validate",
        "inspect",
        "print",
        "parse",
        "embed",
        "new",
        "adapt",
        "targets",
        "run",
        "serve",
        "compose",
        "diff",
        "semver-check",
        "completions",
        "wit check",
        "wit print",
        "wit build",
        "wit worlds",
        "wit fmt",
        "publish",
        "pull",
        "wit fetch",
        "size",
        "virt",
        "strip",
        "unbundle",
        "link",
        "metadata show",
        "addr2line",
        "metadata add",
        "sbom",
        "sign",
        "sign generate-key",
        "verify",
    ];
    for command in commands {
        let help = wct()
            .args(command.split(' '))
            .arg("--help")
            .output()
            .unwrap();
        assert!(help.status.success(), "{command} --help");
        if String::from_utf8_lossy(&help.stdout).contains("--json") {
            with_json.push(command.replace(' ', "-"));
        }
    }
    with_json.sort();
    let mut schemas: Vec<String> = std::fs::read_dir(root.join("docs/schemas"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    schemas.sort();
    assert_eq!(with_json, schemas);
}

#[test]
fn publish_json() {
    let registry = crate::registry::RegistryServer::start();
    let v = check(
        "publish",
        &[
            "publish",
            "--json",
            "tests/fixtures/compose/greeter.wasm",
            "--name",
            "wct:greeter@1.0.0",
            "--registry",
            &registry.addr,
        ],
    );
    assert_eq!(v["kind"], "component");
    assert_eq!(
        v["reference"],
        format!("{}/wct/greeter:1.0.0", registry.addr)
    );
    // The schema is not a formality: a report without its digest is rejected.
    let mut broken = v.clone();
    broken.as_object_mut().unwrap().remove("digest");
    assert!(!schema("publish").is_valid(&broken));
}

#[test]
fn verify_json_and_publish_json_with_a_signature() {
    let registry = crate::registry::RegistryServer::start();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k");
    wct()
        .args(["sign", "generate-key", "--output-key-prefix"])
        .arg(&key)
        .env("COSIGN_PASSWORD", "p")
        .assert()
        .success();
    let private = format!("{}.key", key.display());
    let public = format!("{}.pub", key.display());
    let passphrase = dir.path().join("passphrase");
    std::fs::write(&passphrase, "p\n").unwrap();
    let passphrase = passphrase.display().to_string();
    let published = check(
        "publish",
        &[
            "publish",
            "--json",
            "tests/fixtures/compose/greeter.wasm",
            "--name",
            "wct:greeter@1.0.0",
            "--registry",
            &registry.addr,
            "--sign",
            &private,
            "--passphrase-file",
            &passphrase,
        ],
    );
    let verified = check(
        "verify",
        &[
            "verify",
            "--json",
            "wct:greeter@1.0.0",
            "--key",
            &public,
            "--registry",
            &registry.addr,
        ],
    );
    assert_eq!(published["signature"], verified["signature"]);
    assert_eq!(published["manifest_digest"], verified["manifest_digest"]);
    assert_eq!(
        verified["identity"],
        format!("{}/wct/greeter", registry.addr)
    );
}

#[test]
fn wit_fetch_json() {
    let registry = crate::registry::RegistryServer::start();
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate::common::copy_dir(
        &root.join("tests/fixtures/registry/consumer"),
        &dir.path().join("consumer"),
    );
    let package = dir.path().join("demo.wasm");
    let run = |args: &[&str]| {
        wct()
            .args(args)
            .current_dir(dir.path())
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .env("WKG_CONFIG_FILE", dir.path().join("none.toml"))
            .output()
            .unwrap()
    };
    let build = run(&[
        "wit",
        "build",
        &root.join("wit/demo").to_string_lossy(),
        "-o",
        "demo.wasm",
    ]);
    assert!(build.status.success());
    assert!(run(&[
        "publish",
        &package.to_string_lossy(),
        "--registry",
        &registry.addr
    ])
    .status
    .success());
    let out = run(&[
        "wit",
        "fetch",
        "consumer",
        "--json",
        "--registry",
        &registry.addr,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = schema("wit-fetch");
    assert!(validator.is_valid(&value), "{value:#}");
    assert_eq!(value["fetched"][0]["source"], "registry");
    assert_eq!(value["lock_changed"], true);
    let again = run(&["wit", "fetch", "consumer", "--json", "--offline"]);
    let value: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert!(validator.is_valid(&value), "{value:#}");
    assert_eq!(value["fetched"][0]["source"], "cache");
    assert_eq!(value["lock_changed"], false);
    let mut broken = value.clone();
    broken["fetched"][0]["source"] = "somewhere".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn size_json() {
    let v = check(
        "size",
        &["size", "--json", "tests/fixtures/compose/greeter.wasm"],
    );
    assert!(v["root"]["children"].is_array());
    let v = check(
        "size",
        &["size", "--json", "tests/fixtures/invalid/truncated.wasm"],
    );
    assert!(v["stopped"]["offset"].is_u64());
    let v = check(
        "size",
        &[
            "size",
            "--json",
            "--startup",
            "--run",
            "tests/fixtures/c/hello.wasm",
        ],
    );
    assert_eq!(v["startup"]["first_call"], "run");
    let v = check(
        "size",
        &[
            "size",
            "--json",
            "tests/fixtures/compose/greeter.wasm",
            "tests/fixtures/compose/polite-greeter.wasm",
        ],
    );
    assert!(v["changes"].is_array());
    // The schema is not a formality: an unknown item kind is rejected.
    let mut broken = v;
    broken["changes"][0]["kind"] = "gadget".into();
    assert!(!schema("size").is_valid(&broken));
}

#[test]
fn virt_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sealed.wasm");
    let v = check(
        "virt",
        &[
            "virt",
            "--json",
            "tests/fixtures/net/connect.wasm",
            "-o",
            out.to_str().unwrap(),
            "--stdio",
            "allow",
        ],
    );
    assert!(v["virtualized"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["denied"] == true));
    let mut broken = v;
    broken["virtualized"][0]["denied"] = "maybe".into();
    assert!(!schema("virt").is_valid(&broken));
}

#[test]
fn strip_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stripped.wasm");
    let v = check(
        "strip",
        &[
            "strip",
            "--json",
            "tests/fixtures/c/hello-debug.wasm",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(v["saved"].as_u64().unwrap() > 0);
    let dry = check(
        "strip",
        &[
            "strip",
            "--json",
            "--dry-run",
            "tests/fixtures/compose/greeter.wasm",
        ],
    );
    assert!(dry["output"].is_null());
    let mut broken = v;
    broken["removed"][0]["size"] = (-1).into();
    assert!(!schema("strip").is_valid(&broken));
}

#[test]
fn unbundle_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("app.wasm");
    let modules = dir.path().join("modules");
    let v = check(
        "unbundle",
        &[
            "unbundle",
            "--json",
            "tests/fixtures/compose/hello-app.wasm",
            "--module-dir",
            modules.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(v["moved"].as_array().unwrap().len(), 2);
    let mut broken = v;
    broken["moved"][0]["import"] = "module0".into();
    assert!(!schema("unbundle").is_valid(&broken));
}

#[test]
fn metadata_show_json() {
    let v = check(
        "metadata-show",
        &[
            "metadata",
            "show",
            "--json",
            "tests/fixtures/compose/greeter.wasm",
        ],
    );
    assert_eq!(v["kind"], "component");
    assert!(v["children"][0]["producers"]["language"].is_array());
    let mut broken = v;
    broken["children"][0]["kind"] = "library".into();
    assert!(!schema("metadata-show").is_valid(&broken));
}

#[test]
fn addr2line_json() {
    let v = check(
        "addr2line",
        &[
            "addr2line",
            "--json",
            "tests/fixtures/c/hello-debug.wasm",
            "0x233",
        ],
    );
    assert_eq!(v["addresses"][0]["frames"][0]["line"], 6);
    let mut broken = v;
    broken["addresses"][0]["frames"][0]["line"] = "six".into();
    assert!(!schema("addr2line").is_valid(&broken));
}
