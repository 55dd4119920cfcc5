//! `wct publish` and `wct pull` against a real OCI registry: Debian's `docker-registry` (the
//! CNCF distribution registry 2.8), started on a loopback port with its storage in a
//! temporary folder; Debian's `skopeo` checks the pushed manifests independently.

use crate::common::*;
use predicates::prelude::*;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The registry address the docs and help examples show (the distribution registry's usual
/// port); tests rewrite it to the address of the registry they started.
pub const DOCS_REGISTRY: &str = "127.0.0.1:5000";

/// A registry for one test; stopped when dropped.
pub struct RegistryServer {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    storage: tempfile::TempDir,
}

impl RegistryServer {
    /// Starts `docker-registry serve` on a free loopback port and waits until it answers.
    pub fn start() -> RegistryServer {
        RegistryServer::start_with(tempfile::tempdir().unwrap(), "")
    }

    /// A registry that speaks only TLS, with a certificate signed by the CA in
    /// `STORAGE/ca.crt` (made with openssl), and requires the user `ann` with password
    /// `s3cret` (an htpasswd file made with Apache's htpasswd, bcrypt as the registry needs).
    pub fn start_secure() -> RegistryServer {
        let storage = tempfile::tempdir().unwrap();
        let dir = storage.path();
        let run = |program: &str, args: &[&str]| {
            let out = Command::new(program)
                .args(args)
                .current_dir(dir)
                .output()
                .unwrap_or_else(|e| panic!("{program} must be installed: {e}"));
            assert!(
                out.status.success(),
                "{program} {args:?}: {}",
                stderr_of(&out)
            );
            out.stdout
        };
        run(
            "openssl",
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=wct test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
            ],
        );
        run(
            "openssl",
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                "leaf.key",
                "-out",
                "leaf.csr",
            ],
        );
        std::fs::write(
            dir.join("leaf.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
        )
        .unwrap();
        run(
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "leaf.ext",
                "-out",
                "leaf.crt",
            ],
        );
        let htpasswd = run("htpasswd", &["-Bbn", "ann", "s3cret"]);
        std::fs::write(dir.join("htpasswd"), htpasswd).unwrap();
        let extra = format!(
            "  tls:\n    certificate: {}\n    key: {}\nauth:\n  htpasswd:\n    realm: wct-test\n    path: {}\n",
            dir.join("leaf.crt").display(),
            dir.join("leaf.key").display(),
            dir.join("htpasswd").display()
        );
        RegistryServer::start_with(storage, &extra)
    }

    fn start_with(storage: tempfile::TempDir, extra: &str) -> RegistryServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let config = storage.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: {addr}\n{extra}",
                storage.path().join("data").display()
            ),
        )
        .unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry (Debian package docker-registry) must be installed");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(&addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not start on {addr}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        RegistryServer {
            child,
            addr,
            storage,
        }
    }
}

impl RegistryServer {
    /// Publishes the repository's `file` as `name`.
    pub fn seed(&self, file: &str, name: &str) {
        wct()
            .args(["publish", file, "--name", name, "--registry", &self.addr])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
            .assert()
            .success();
    }

    /// Where the registry keeps the blob `digest` (`sha256:<hex>`) on disk: what a test
    /// changes to play a registry that serves other bytes than it was given.
    pub fn blob_path(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap();
        self.storage
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// `command` with the documented registry address replaced by this one's.
    pub fn rewrite(&self, command: &str) -> String {
        command.replace(DOCS_REGISTRY, &self.addr)
    }
}

impl Drop for RegistryServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `skopeo inspect --raw` of `reference` (plain HTTP): the manifest as the registry stores it.
pub fn skopeo_manifest(reference: &str) -> serde_json::Value {
    let out = Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false"])
        .arg(format!("docker://{reference}"))
        .output()
        .expect("skopeo (Debian package skopeo) must be installed");
    assert!(out.status.success(), "skopeo: {}", stderr_of(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

pub fn publish(server: &RegistryServer, file: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    wct()
        .arg("publish")
        .arg(file)
        .args(["--registry", &server.addr])
        .args(extra)
        .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
        .assert()
}

fn pull(
    server: &RegistryServer,
    reference: &str,
    out: &Path,
    extra: &[&str],
) -> assert_cmd::assert::Assert {
    wct()
        .arg("pull")
        .arg(reference)
        .arg("-o")
        .arg(out)
        .args(["--registry", &server.addr])
        .args(extra)
        .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
        .assert()
}

#[test]
fn a_wit_package_publishes_once_and_pulls_back_verified() {
    let server = RegistryServer::start();
    let dir = tempfile::tempdir().unwrap();
    let package = demo_package(dir.path());
    let reference = format!("{}/wct/demo:0.1.0", server.addr);
    publish(&server, &package, &[])
        .success()
        .stdout(predicate::str::contains(format!(
            "published wct:demo@0.1.0 as {reference} (sha256:"
        )));
    // The layout wkg and other registries' tools expect, seen by an independent client.
    let manifest = skopeo_manifest(&reference);
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    assert_eq!(manifest["layers"][0]["mediaType"], "application/wasm");
    assert_eq!(manifest["layers"].as_array().unwrap().len(), 1);
    assert_eq!(
        manifest["annotations"]["org.opencontainers.image.version"],
        "0.1.0"
    );
    assert!(manifest["annotations"]["org.opencontainers.image.created"].is_string());
    // A version is never overwritten by accident.
    publish(&server, &package, &[])
        .code(1)
        .stderr(predicate::str::contains("already published"))
        .stderr(predicate::str::contains("--force"));
    publish(&server, &package, &["--force"]).success();
    // Pulled back byte for byte, by exact version and by requirement.
    let pulled = dir.path().join("pulled.wasm");
    pull(&server, "wct:demo@0.1.0", &pulled, &[]).success();
    assert_eq!(
        std::fs::read(&pulled).unwrap(),
        std::fs::read(&package).unwrap()
    );
    pull(&server, "wct:demo@^0.1", &pulled, &[])
        .success()
        .stderr(predicate::str::contains(":0.1.0 (sha256:"));
    // A version that does not exist: the ones that do are listed.
    pull(&server, "wct:demo@9.9.9", &pulled, &[])
        .code(1)
        .stderr(predicate::str::contains("published: 0.1.0"));
}

/// `wct run hello-app.wasm --plug wct:greeter@0.1.0` from `server` (layers cached under
/// `cache_home` when given); it must succeed.
fn run_hello_with_registry_plug(
    server: &RegistryServer,
    cache_home: Option<&Path>,
) -> std::process::Output {
    let mut run = wct();
    run.args([
        "run",
        "tests/fixtures/compose/hello-app.wasm",
        "--plug",
        "wct:greeter@0.1.0",
    ])
    .args(["--registry", &server.addr])
    .current_dir(env!("CARGO_MANIFEST_DIR"))
    .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml");
    if let Some(cache_home) = cache_home {
        run.env("XDG_CACHE_HOME", cache_home);
    }
    let out = run.output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    out
}

#[test]
fn a_pulled_layer_is_kept_by_digest_and_not_downloaded_again() {
    let server = RegistryServer::start();
    server.seed("tests/fixtures/compose/greeter.wasm", "wct:greeter@0.1.0");
    let dir = tempfile::tempdir().unwrap();
    let cache_home = dir.path().join("cache");
    let wasm = std::fs::read(fixture("compose/greeter.wasm")).unwrap();
    let entry = cache_home
        .join("wct/registry/sha256")
        .join(format!("{}.wasm", sha256_hex(&wasm)));
    let out = dir.path().join("greeter.wasm");
    let pull_cached = || {
        let out = wct()
            .args(["pull", "wct:greeter@^0.1", "-o"])
            .arg(&out)
            .args(["--registry", &server.addr])
            .env("XDG_CACHE_HOME", &cache_home)
            .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        stderr_of(&out)
    };
    // First pull: downloaded, and kept under its digest.
    let first = pull_cached();
    assert!(!first.contains("from cache"), "{first}");
    assert_eq!(std::fs::read(&entry).unwrap(), wasm);
    // Second: the manifest says the same digest, the layer comes from the cache.
    let second = pull_cached();
    assert!(second.contains(", from cache) to"), "{second}");
    assert_eq!(std::fs::read(&out).unwrap(), wasm);
    // A damaged entry is not trusted: downloaded again, and the entry mended.
    std::fs::write(&entry, b"not the layer").unwrap();
    let third = pull_cached();
    assert!(!third.contains("from cache"), "{third}");
    assert_eq!(std::fs::read(&out).unwrap(), wasm);
    assert_eq!(std::fs::read(&entry).unwrap(), wasm);
    // A plug for `run --plug` comes from the same cache.
    let ran = run_hello_with_registry_plug(&server, Some(&cache_home));
    assert!(
        stderr_of(&ran).contains(", from cache)"),
        "{}",
        stderr_of(&ran)
    );
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "Hello, world!\n");
}

#[test]
fn components_need_a_name_the_newest_version_wins_and_digests_are_checked() {
    let server = RegistryServer::start();
    let dir = tempfile::tempdir().unwrap();
    let component = fixture("compose/greeter.wasm");
    publish(&server, &component, &[])
        .code(2)
        .stderr(predicate::str::contains("--name"));
    for version in ["0.1.0", "0.2.0", "0.10.0-rc.1"] {
        publish(
            &server,
            &component,
            &["--name", &format!("wct:greeter@{version}")],
        )
        .success();
    }
    let manifest = skopeo_manifest(&format!("{}/wct/greeter:0.2.0", server.addr));
    assert_eq!(manifest["layers"][0]["mediaType"], "application/wasm");
    let out = dir.path().join("greeter.wasm");
    // Without a version: the newest release (pre-releases only when asked for).
    pull(&server, "wct:greeter", &out, &[])
        .success()
        .stderr(predicate::str::contains("wct/greeter:0.2.0"));
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&component).unwrap()
    );
    // A digest that does not match is refused and nothing is written.
    let refused = dir.path().join("refused.wasm");
    pull(
        &server,
        "wct:greeter@0.1.0",
        &refused,
        &["--digest", "sha256:0000"],
    )
    .code(1)
    .stderr(predicate::str::contains("digest mismatch"));
    assert!(!refused.exists());
    // oci:// names a location directly.
    pull(
        &server,
        &format!("oci://{}/wct/greeter:0.1.0", server.addr),
        &out,
        &[],
    )
    .success();
    // A registry that is gone is a clear error.
    let addr = server.addr.clone();
    drop(server);
    wct()
        .args(["pull", "wct:greeter@0.1.0", "-o"])
        .arg(&out)
        .args(["--registry", &addr])
        .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "registry '{addr}' is unreachable"
        )));
}

#[test]
fn names_and_registries_are_checked_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.wasm");
    wct()
        .args(["pull", "not-a-name", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected ns:name[@version]"));
    wct()
        .args(["pull", "wct:x@1.0.0", "-o"])
        .arg(&out)
        .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
        .env_remove("XDG_CONFIG_HOME")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no registry for namespace 'wct'"));
    // A core module is not something registries hold: refused before any request.
    wct()
        .args([
            "publish",
            "tests/fixtures/c/hello.wasm",
            "--name",
            "wct:x@1.0.0",
        ])
        .args(["--registry", "127.0.0.1:1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("tests/fixtures/c/hello.wasm"))
        .stderr(predicate::str::contains("not a component"));
}

/// `wit/demo` built into `dir/demo.wasm`.
fn demo_package(dir: &Path) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let package = dir.join("demo.wasm");
    wit_build(&root.join("wit/demo"), &package);
    package
}

/// `wct wit build SOURCE -o OUT`, which must succeed.
fn wit_build(source: &Path, out: &Path) {
    wct()
        .args(["wit", "build"])
        .arg(source)
        .arg("-o")
        .arg(out)
        .assert()
        .success();
}

/// The consumer fixture (a package that uses `wct:demo`) copied to `dir/consumer`.
fn copy_consumer(dir: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(
        &root.join("tests/fixtures/registry/consumer"),
        &dir.join("consumer"),
    );
}

/// `wct wit fetch` in `dir` (the working folder, where `wkg.lock` lives) with its own cache.
fn fetch(dir: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    wct()
        .args(["wit", "fetch", "consumer"])
        .args(extra)
        .current_dir(dir)
        .env("WKG_CONFIG_FILE", dir.join("wkg-config.toml"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .assert()
}

#[test]
fn wit_fetch_fills_deps_and_the_lock_and_works_offline_from_the_lock() {
    let server = RegistryServer::start();
    let dir = tempfile::tempdir().unwrap();
    copy_consumer(dir.path());
    // Before: the missing package is named, and fetch is suggested.
    wct()
        .args(["wit", "check", "consumer"])
        .current_dir(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "package 'wct:demo@0.1.0' not found",
        ))
        .stderr(predicate::str::contains("wct wit fetch"));
    // Nothing published yet: the error says so and nothing is written.
    fetch(dir.path(), &["--registry", &server.addr])
        .code(1)
        .stderr(predicate::str::contains(
            "no version matching 0.1.0; published: none",
        ));
    assert!(!dir.path().join("wkg.lock").exists());
    assert!(!dir.path().join("consumer/deps").exists());
    let package = demo_package(dir.path());
    publish(&server, &package, &[]).success();
    fetch(dir.path(), &["--registry", &server.addr])
        .success()
        .stderr(predicate::str::contains("fetched wct:demo@0.1.0 (sha256:"))
        .stderr(predicate::str::contains("wkg.lock written"));
    let lock = std::fs::read_to_string(dir.path().join("wkg.lock")).unwrap();
    assert!(lock.contains("name = \"wct:demo\""), "{lock}");
    assert!(lock.contains("requirement = \"=0.1.0\""), "{lock}");
    let digest = format!("sha256:{}", sha256_hex(&std::fs::read(&package).unwrap()));
    assert!(
        lock.contains(&digest),
        "the lock pins the wasm's digest: {lock}"
    );
    wct()
        .args(["wit", "check", "consumer"])
        .current_dir(dir.path())
        .assert()
        .success();
    // Pinned and cached: no network at all (the registry is gone), lock unchanged.
    let addr = server.addr.clone();
    drop(server);
    std::fs::remove_dir_all(dir.path().join("consumer/deps")).unwrap();
    fetch(dir.path(), &["--registry", &addr, "--locked"])
        .success()
        .stderr(predicate::str::contains("from cache"))
        .stderr(predicate::str::contains("wkg.lock unchanged"));
    fetch(dir.path(), &["--locked", "--offline"]).success();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("wkg.lock")).unwrap(),
        lock
    );
    // An empty cache offline: named, with the way out.
    std::fs::remove_dir_all(dir.path().join("cache")).unwrap();
    fetch(dir.path(), &["--offline"])
        .code(1)
        .stderr(predicate::str::contains(
            "wct:demo (=0.1.0) is needed but its locked version is not in the cache",
        ));
    // A lock that would change under --locked: the change is named.
    std::fs::write(
        dir.path().join("consumer/app.wit"),
        "package wct:consumer@0.1.0;\nworld app { import wct:demo/store@0.2.0; }\n",
    )
    .unwrap();
    fetch(dir.path(), &["--locked", "--registry", &addr])
        .code(1)
        .stderr(predicate::str::contains("add wct:demo =0.2.0"));
}

#[test]
fn a_lock_whose_digest_does_not_match_the_registry_is_refused() {
    let server = RegistryServer::start();
    let dir = tempfile::tempdir().unwrap();
    copy_consumer(dir.path());
    let package = demo_package(dir.path());
    publish(&server, &package, &[]).success();
    let wrong = format!("sha256:{}", "0".repeat(64));
    std::fs::write(
        dir.path().join("wkg.lock"),
        format!("version = 1\n\n[[packages]]\nname = \"wct:demo\"\n\n[[packages.versions]]\nrequirement = \"=0.1.0\"\nversion = \"0.1.0\"\ndigest = \"{wrong}\"\n"),
    )
    .unwrap();
    fetch(dir.path(), &["--registry", &server.addr])
        .code(1)
        .stderr(predicate::str::contains("digest mismatch"))
        .stderr(predicate::str::contains(&wrong));
    assert!(
        !dir.path().join("consumer/deps").exists(),
        "nothing is written"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    let out = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(bytes)?;
            child.wait_with_output()
        })
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// `wit/demo` as version `version`, with `extra` replacing the `greet` function's line.
fn demo_version(dir: &Path, version: &str, greet: &str) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("wit/demo/greet.wit")).unwrap();
    let text = text
        .replace(
            "package wct:demo@0.1.0;",
            &format!("package wct:demo@{version};"),
        )
        .replace("  greet: func(name: string) -> string;", greet);
    let folder = dir.join(format!("demo-{version}"));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("greet.wit"), text).unwrap();
    folder
}

#[test]
fn semver_check_and_diff_compare_with_the_newest_published_version_below() {
    let server = RegistryServer::start();
    let dir = tempfile::tempdir().unwrap();
    let same = "  greet: func(name: string) -> string;";
    for version in ["0.1.0", "0.2.0"] {
        let source = demo_version(dir.path(), version, same);
        let package = dir.path().join(format!("demo-{version}.wasm"));
        wit_build(&source, &package);
        publish(&server, &package, &[]).success();
    }
    let semver_check = |new: &Path| {
        wct()
            .args(["semver-check", "--published", "--registry", &server.addr])
            .arg(new)
            .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
            .assert()
    };
    // 0.2.1 breaks what 0.2.0 (not 0.1.0) published: a patch bump is not enough.
    let breaking = demo_version(
        dir.path(),
        "0.2.1",
        "  greet: func(name: string, loud: bool) -> string;",
    );
    semver_check(&breaking)
        .code(1)
        .stderr(predicate::str::contains(
            "comparing with wct:demo@0.2.0, published as",
        ))
        .stdout(predicate::str::contains("greet"));
    // The same change as 0.3.0 is a correct bump.
    let bumped = demo_version(
        dir.path(),
        "0.3.0",
        "  greet: func(name: string, loud: bool) -> string;",
    );
    semver_check(&bumped).success();
    // diff takes the same baseline.
    wct()
        .args(["diff", "--published", "--registry", &server.addr])
        .arg(&breaking)
        .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
        .assert()
        .stderr(predicate::str::contains("comparing with wct:demo@0.2.0"))
        .stdout(predicate::str::contains("greet"));
    // Nothing below the first version: said, with what exists.
    let first = demo_version(dir.path(), "0.0.1", same);
    semver_check(&first)
        .code(2)
        .stderr(predicate::str::contains(
            "no version below 0.0.1 is published (published: 0.1.0, 0.2.0)",
        ));
}

#[test]
fn compose_takes_a_plug_from_the_registry_and_the_result_runs() {
    let server = RegistryServer::start();
    server.seed("tests/fixtures/compose/greeter.wasm", "wct:greeter@0.1.0");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hello.wasm");
    wct()
        .args([
            "compose",
            "tests/fixtures/compose/hello-app.wasm",
            "--plug",
            "wct:greeter@^0.1",
        ])
        .args(["--registry", &server.addr, "-o"])
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
        .assert()
        .success()
        .stderr(predicate::str::contains("pulled wct:greeter@^0.1 as"))
        .stdout(predicate::str::contains("greeter"));
    // The same composition from the local file: the same bytes.
    let local = dir.path().join("local.wasm");
    wct()
        .args(["compose", "tests/fixtures/compose/hello-app.wasm", "--plug"])
        .arg("tests/fixtures/compose/greeter.wasm")
        .arg("-o")
        .arg(&local)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&local).unwrap());
    let ran = wct().arg("run").arg(&out).output().unwrap();
    assert!(ran.status.success(), "{}", stderr_of(&ran));
    // `run --plug` takes registry plugs too, and runs the same program.
    let direct = run_hello_with_registry_plug(&server, None);
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "Hello, world!\n");
    assert_eq!(direct.stdout, ran.stdout);
    // A plug version that does not exist: the published ones are listed.
    wct()
        .args([
            "compose",
            "tests/fixtures/compose/hello-app.wasm",
            "--plug",
            "wct:greeter@2",
        ])
        .args(["--registry", &server.addr, "-o"])
        .arg(dir.path().join("x.wasm"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("published: 0.1.0"));
}

#[test]
fn credentials_come_from_the_docker_config_or_the_environment_over_tls_with_a_private_ca() {
    let server = RegistryServer::start_secure();
    let ca = server.storage.path().join("ca.crt");
    let dir = tempfile::tempdir().unwrap();
    let docker = dir.path().join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    let https = format!("https://{}", server.addr);
    let publish = |extra: &[&str], docker_config: &Path| {
        wct()
            .args([
                "publish",
                "tests/fixtures/compose/greeter.wasm",
                "--name",
                "wct:greeter@1.0.0",
            ])
            .args(["--registry", &https])
            .args(extra)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
            .env("DOCKER_CONFIG", docker_config)
            .env_remove("WCT_REGISTRY_USERNAME")
            .env_remove("WCT_REGISTRY_PASSWORD")
            .assert()
    };
    // A certificate from an unknown CA is refused.
    publish(&[], &docker)
        .code(1)
        .stderr(predicate::str::contains("UnknownIssuer"))
        .stderr(predicate::str::contains("--ca-cert"));
    let ca_arg = ["--ca-cert", ca.to_str().unwrap()];
    // Trusted, but anonymous: the registry's 401 is reported, without any secret.
    publish(&ca_arg, &docker)
        .code(1)
        .stderr(predicate::str::contains(
            "refused access to wct/greeter (HTTP 401)",
        ));
    // Wrong password in the docker config: refused, and the password is not shown.
    let write_config = |user_pass: &str| {
        use std::io::Write as _;
        let mut encoded = Vec::new();
        let mut child = Command::new("base64")
            .args(["-w0"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(user_pass.as_bytes())
            .unwrap();
        encoded.extend(child.wait_with_output().unwrap().stdout);
        std::fs::write(
            docker.join("config.json"),
            format!(
                r#"{{"auths": {{"{}": {{"auth": "{}"}}}}}}"#,
                server.addr,
                String::from_utf8(encoded).unwrap()
            ),
        )
        .unwrap();
    };
    write_config("ann:wrong-password");
    publish(&ca_arg, &docker)
        .code(1)
        .stderr(predicate::str::contains("HTTP 401"))
        .stderr(predicate::str::contains("wrong-password").not());
    write_config("ann:s3cret");
    publish(&ca_arg, &docker).success();
    // The environment's credentials win over the docker config.
    let out = dir.path().join("greeter.wasm");
    wct()
        .args(["pull", "wct:greeter@1.0.0", "-o"])
        .arg(&out)
        .args(["--registry", &https])
        .args(ca_arg)
        .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
        .env("DOCKER_CONFIG", dir.path().join("no-docker"))
        .env("WCT_REGISTRY_USERNAME", "ann")
        .env("WCT_REGISTRY_PASSWORD", "s3cret")
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(fixture("compose/greeter.wasm")).unwrap()
    );
    // Plain HTTP to this TLS registry is not silently used for an https:// registry, and
    // plain HTTP to a registry off loopback is refused without --insecure.
    wct()
        .args(["pull", "wct:greeter@1.0.0", "-o"])
        .arg(&out)
        .args(["--registry", "http://registry.invalid:5000"])
        .env("WKG_CONFIG_FILE", "/nonexistent/wct-test-config.toml")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("plain HTTP is refused"));
}

/// Writes `bytes` as a blob of the OCI image layout at `dir`; returns its descriptor fields.
fn oci_blob(dir: &Path, bytes: &[u8]) -> serde_json::Value {
    let hex = sha256_hex(bytes);
    std::fs::write(dir.join("blobs/sha256").join(&hex), bytes).unwrap();
    serde_json::json!({"digest": format!("sha256:{hex}"), "size": bytes.len()})
}

#[test]
fn an_artifact_that_is_not_wasm_is_refused_and_nothing_is_written() {
    let server = RegistryServer::start();
    let dir = tempfile::tempdir().unwrap();
    // An OCI image whose one layer is text, pushed by skopeo (not by wct).
    let layout = dir.path().join("layout");
    std::fs::create_dir_all(layout.join("blobs/sha256")).unwrap();
    std::fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    let descriptor = |media_type: &str, blob: serde_json::Value| {
        let mut d = blob;
        d["mediaType"] = media_type.into();
        d
    };
    let config = oci_blob(&layout, b"{}");
    let layer = oci_blob(&layout, b"not wasm");
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": descriptor("application/vnd.oci.image.config.v1+json", config),
        "layers": [descriptor("text/plain", layer)],
    });
    let manifest = oci_blob(&layout, manifest.to_string().as_bytes());
    let mut entry = descriptor("application/vnd.oci.image.manifest.v1+json", manifest);
    entry["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": "1.0.0"});
    std::fs::write(
        layout.join("index.json"),
        serde_json::json!({"schemaVersion": 2, "manifests": [entry]}).to_string(),
    )
    .unwrap();
    let copied = Command::new("skopeo")
        .args(["copy", "--dest-tls-verify=false"])
        .arg(format!("oci:{}:1.0.0", layout.display()))
        .arg(format!("docker://{}/wct/notwasm:1.0.0", server.addr))
        .output()
        .unwrap();
    assert!(
        copied.status.success(),
        "skopeo copy: {}",
        stderr_of(&copied)
    );
    let out = dir.path().join("x.wasm");
    pull(&server, "wct:notwasm@1.0.0", &out, &[])
        .code(1)
        .stderr(predicate::str::contains("is not a wasm artifact"))
        .stderr(predicate::str::contains("text/plain"));
    assert!(!out.exists());
}
