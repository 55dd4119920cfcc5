//! `wct sign`, `wct verify`, `wct publish --sign` and `wct pull --verify` against a real
//! registry (Debian's docker-registry), checked both ways against an independent signer and
//! verifier written from cosign's documented formats (`tests/fixtures/sign/cosign.py`: PyPI
//! `cryptography` and `pynacl`, sharing no code with wct): it verifies what wct signed with a
//! key wct made, and wct verifies what it signed with a key it made. A replaced manifest, a
//! signature moved to another manifest and a layer the registry serves changed fail both.

use crate::common::*;
use crate::registry::RegistryServer;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASSWORD: &str = "correct horse";

/// `wct ARGS` in `dir` with the key's passphrase, no wkg configuration and a layer cache of
/// its own (under `dir`: a layer another test pulled is not taken from a shared cache).
fn wct_in(dir: &Path, args: &[&str]) -> Output {
    wct()
        .current_dir(dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .args(args)
        .env("COSIGN_PASSWORD", PASSWORD)
        .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
        .output()
        .unwrap()
}

/// The independent signer/verifier: `generate-key-pair`, `sign` or `verify`.
fn cosign_py(dir: &Path, args: &[&str]) -> Output {
    Command::new("python3")
        .current_dir(dir)
        .arg(fixture("sign/cosign.py"))
        .args(args)
        .env("COSIGN_PASSWORD", PASSWORD)
        .output()
        .unwrap()
}

fn ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {}{}",
        stdout_of(out),
        stderr_of(out)
    );
}

/// Publishes `file` as `wct:NAME@0.1.0` (with `extra` flags).
fn publish(server: &RegistryServer, dir: &Path, file: &str, name: &str, extra: &[&str]) {
    let file = fixture(file).display().to_string();
    let reference = format!("wct:{name}@0.1.0");
    let mut args = vec![
        "publish",
        file.as_str(),
        "--name",
        reference.as_str(),
        "--registry",
        &server.addr,
    ];
    args.extend(extra);
    ok(&wct_in(dir, &args), "publish");
}

#[test]
fn signatures_interoperate_with_an_independent_cosign_implementation() {
    let server = RegistryServer::start();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let registry = server.addr.as_str();

    // wct's key pair; never overwritten; a passphrase is required.
    ok(&wct_in(dir, &["sign", "generate-key"]), "generate-key");
    let private = std::fs::read_to_string(dir.join("cosign.key")).unwrap();
    assert!(private.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
    let again = wct_in(dir, &["sign", "generate-key"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr_of(&again).contains("exists already"),
        "{}",
        stderr_of(&again)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("cosign.key")).unwrap(),
        private
    );
    let no_passphrase = wct()
        .current_dir(dir)
        .args(["sign", "generate-key", "--output-key-prefix", "other"])
        .env_remove("COSIGN_PASSWORD")
        .output()
        .unwrap();
    assert_eq!(no_passphrase.status.code(), Some(2));
    assert!(stderr_of(&no_passphrase).contains("COSIGN_PASSWORD"));

    // Signed on publish by wct: the independent verifier and wct agree.
    publish(
        &server,
        dir,
        "compose/greeter.wasm",
        "greeter",
        &["--sign", "cosign.key"],
    );
    ok(
        &cosign_py(
            dir,
            &["verify", registry, "wct/greeter", "0.1.0", "cosign.pub"],
        ),
        "the independent verifier on wct's signature",
    );
    let verified = wct_in(
        dir,
        &[
            "verify",
            "wct:greeter@0.1.0",
            "--key",
            "cosign.pub",
            "--registry",
            registry,
        ],
    );
    ok(&verified, "wct verify");
    assert!(
        stdout_of(&verified).contains("verified"),
        "{}",
        stdout_of(&verified)
    );
    let pulled = wct_in(
        dir,
        &[
            "pull",
            "wct:greeter@0.1.0",
            "--verify",
            "cosign.pub",
            "--registry",
            registry,
            "-o",
            "greeter.wasm",
        ],
    );
    ok(&pulled, "pull --verify");
    assert_eq!(
        std::fs::read(dir.join("greeter.wasm")).unwrap(),
        std::fs::read(fixture("compose/greeter.wasm")).unwrap()
    );

    // Signed by the independent signer with its own key: wct verifies it, and reads its key.
    ok(
        &cosign_py(dir, &["generate-key-pair", "py.key", "py.pub"]),
        "py keys",
    );
    publish(&server, dir, "compose/polite-greeter.wasm", "polite", &[]);
    ok(
        &cosign_py(dir, &["sign", registry, "wct/polite", "0.1.0", "py.key"]),
        "the independent signer",
    );
    ok(
        &wct_in(
            dir,
            &[
                "verify",
                "wct:polite@0.1.0",
                "--key",
                "py.pub",
                "--registry",
                registry,
            ],
        ),
        "wct verify of the independent signature",
    );
    let other_key = wct_in(
        dir,
        &[
            "verify",
            "wct:polite@0.1.0",
            "--key",
            "cosign.pub",
            "--registry",
            registry,
        ],
    );
    assert_eq!(other_key.status.code(), Some(1));
    assert!(
        stderr_of(&other_key).contains("not signed by this key"),
        "{}",
        stderr_of(&other_key)
    );
    // wct signs with the independent signer's key; both signatures stay attached.
    publish(&server, dir, "compose/store.wasm", "store", &[]);
    ok(
        &wct_in(
            dir,
            &[
                "sign",
                "wct:store@0.1.0",
                "--key",
                "py.key",
                "--registry",
                registry,
            ],
        ),
        "wct sign with a key made elsewhere",
    );
    ok(
        &cosign_py(dir, &["verify", registry, "wct/store", "0.1.0", "py.pub"]),
        "the independent verifier on wct's signature with its key",
    );
    ok(
        &wct_in(
            dir,
            &[
                "sign",
                "wct:store@0.1.0",
                "--key",
                "cosign.key",
                "--registry",
                registry,
            ],
        ),
        "a second signature",
    );
    for key in ["py.pub", "cosign.pub"] {
        ok(
            &wct_in(
                dir,
                &[
                    "verify",
                    "wct:store@0.1.0",
                    "--key",
                    key,
                    "--registry",
                    registry,
                ],
            ),
            "both signatures verify",
        );
    }
    let wrong = wct()
        .current_dir(dir)
        .args([
            "sign",
            "wct:store@0.1.0",
            "--key",
            "cosign.key",
            "--registry",
            registry,
        ])
        .env("COSIGN_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        stderr_of(&wrong).contains("passphrase"),
        "{}",
        stderr_of(&wrong)
    );
}

#[test]
fn pull_verify_refuses_unsigned_wrongly_signed_and_tampered_artifacts_and_writes_nothing() {
    let server = RegistryServer::start();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let registry = server.addr.as_str();
    ok(&wct_in(dir, &["sign", "generate-key"]), "generate-key");
    ok(
        &wct_in(
            dir,
            &["sign", "generate-key", "--output-key-prefix", "other"],
        ),
        "a second key",
    );
    let kept = dir.join("kept.wasm");
    let refused = |reference: &str, key: &str, says: &str| {
        std::fs::write(&kept, b"the file that was here").unwrap();
        let out = wct_in(
            dir,
            &[
                "pull",
                reference,
                "--verify",
                key,
                "--registry",
                registry,
                "-o",
                "kept.wasm",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains(says),
            "{says}: {}",
            stderr_of(&out)
        );
        assert_eq!(std::fs::read(&kept).unwrap(), b"the file that was here");
        let fresh = wct_in(
            dir,
            &[
                "pull",
                reference,
                "--verify",
                key,
                "--registry",
                registry,
                "-o",
                "new.wasm",
            ],
        );
        assert_eq!(fresh.status.code(), Some(1));
        assert!(!dir.join("new.wasm").exists(), "nothing is written");
    };
    let py_verify = |repository: &str| {
        let out = cosign_py(
            dir,
            &["verify", registry, repository, "0.1.0", "cosign.pub"],
        );
        assert!(
            !out.status.success(),
            "the independent verifier accepted {repository}"
        );
    };

    // Unsigned.
    publish(&server, dir, "compose/greeter.wasm", "unsigned", &[]);
    refused("wct:unsigned@0.1.0", "cosign.pub", "is not signed");
    py_verify("wct/unsigned");

    // Signed by another key.
    publish(
        &server,
        dir,
        "compose/greeter.wasm",
        "other",
        &["--sign", "other.key"],
    );
    refused("wct:other@0.1.0", "cosign.pub", "not signed by this key");
    py_verify("wct/other");

    // The manifest replaced after signing (another component pushed at the signed tag).
    publish(
        &server,
        dir,
        "compose/greeter.wasm",
        "replaced",
        &["--sign", "cosign.key"],
    );
    publish(
        &server,
        dir,
        "compose/polite-greeter.wasm",
        "replaced",
        &["--force"],
    );
    refused("wct:replaced@0.1.0", "cosign.pub", "is not signed");
    py_verify("wct/replaced");

    // A signature moved to another manifest: it names the manifest it was made for.
    // The manifest digests, from `wct publish --json`.
    let publish_json = |file: &str, extra: &[&str]| -> String {
        let file = fixture(file).display().to_string();
        let mut args = vec![
            "publish",
            file.as_str(),
            "--name",
            "wct:moved@0.1.0",
            "--registry",
            registry,
            "--json",
        ];
        args.extend(extra);
        let out = wct_in(dir, &args);
        ok(&out, "publish --json");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["manifest_digest"].as_str().unwrap().to_string()
    };
    let signed_digest = publish_json("compose/greeter.wasm", &["--sign", "cosign.key"]);
    let replaced_digest = publish_json("compose/store.wasm", &["--force"]);
    let sig_tag = |digest: &str| format!("{}.sig", digest.replace("sha256:", "sha256-"));
    let copy = Command::new("skopeo")
        .args(["copy", "--src-tls-verify=false", "--dest-tls-verify=false"])
        .arg(format!(
            "docker://{registry}/wct/moved:{}",
            sig_tag(&signed_digest)
        ))
        .arg(format!(
            "docker://{registry}/wct/moved:{}",
            sig_tag(&replaced_digest)
        ))
        .output()
        .unwrap();
    ok(&copy, "skopeo copy of the signature");
    refused("wct:moved@0.1.0", "cosign.pub", "not signed by this key");
    py_verify("wct/moved");

    // A layer the registry serves changed (same digest in the manifest, other bytes).
    publish(
        &server,
        dir,
        "compose/greeter.wasm",
        "layer",
        &["--sign", "cosign.key"],
    );
    ok(
        &cosign_py(
            dir,
            &["verify", registry, "wct/layer", "0.1.0", "cosign.pub"],
        ),
        "verified before the layer is changed",
    );
    let manifest = crate::registry::skopeo_manifest(&format!("{registry}/wct/layer:0.1.0"));
    let layer: PathBuf = server.blob_path(manifest["layers"][0]["digest"].as_str().unwrap());
    let mut bytes = std::fs::read(&layer).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&layer, bytes).unwrap();
    refused("wct:layer@0.1.0", "cosign.pub", "digest");
    py_verify("wct/layer");
}
