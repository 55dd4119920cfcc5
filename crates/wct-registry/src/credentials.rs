//! Registry credentials, as docker, oras and wkg find them: the docker configuration
//! (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`) with its `auths` entries
//! (`auth` = base64 of `user:password`, or `username` and `password`), per-registry
//! `credHelpers` and the default `credsStore` (a `docker-credential-NAME get` program that
//! reads the registry on stdin and answers `{"Username", "Secret"}`). Secrets never appear in
//! errors or debug output.

use base64::Engine;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A user name and password; `Debug` does not show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// The user name.
    pub username: String,
    /// The password or token.
    pub password: String,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
    creds_store: Option<String>,
}

#[derive(serde::Deserialize)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperAnswer {
    username: String,
    secret: String,
}

/// The docker configuration file: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`.
pub fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker").join("config.json"))
}

/// The credentials the docker configuration at `path` holds for `registry` (`host[:port]`);
/// `None` when it holds none (or there is no file). A file that is not JSON is ignored, as
/// docker's own tools do not fail a pull of a public image on it either.
pub fn from_docker_config(path: &Path, registry: &str) -> Option<BasicAuth> {
    let text = std::fs::read_to_string(path).ok()?;
    let config: DockerConfig = serde_json::from_str(&text).ok()?;
    let keys = [
        registry.to_string(),
        format!("https://{registry}"),
        format!("http://{registry}"),
        format!("https://{registry}/v1/"),
        format!("https://{registry}/v2/"),
    ];
    if let Some(helper) = keys.iter().find_map(|k| config.cred_helpers.get(k)) {
        return from_helper(helper, registry);
    }
    if let Some(entry) = keys.iter().find_map(|k| config.auths.get(k)) {
        if let (Some(username), Some(password)) = (&entry.username, &entry.password) {
            return Some(BasicAuth {
                username: username.clone(),
                password: password.clone(),
            });
        }
        if let Some(auth) = &entry.auth {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .ok()?;
            let text = String::from_utf8(decoded).ok()?;
            let (username, password) = text.split_once(':')?;
            return Some(BasicAuth {
                username: username.to_string(),
                password: password.to_string(),
            });
        }
    }
    config
        .creds_store
        .as_deref()
        .and_then(|helper| from_helper(helper, registry))
}

/// Asks `docker-credential-HELPER get` for `registry`'s credentials.
fn from_helper(helper: &str, registry: &str) -> Option<BasicAuth> {
    let mut child = Command::new(format!("docker-credential-{helper}"))
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(registry.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    if !out.status.success() {
        return None;
    }
    let answer: HelperAnswer = serde_json::from_slice(&out.stdout).ok()?;
    Some(BasicAuth {
        username: answer.username,
        password: answer.secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auths_entries_are_read_in_both_spellings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let auth = base64::engine::general_purpose::STANDARD.encode("ann:s3cret");
        std::fs::write(
            &path,
            format!(
                r#"{{"auths": {{"127.0.0.1:5000": {{"auth": "{auth}"}},
                    "https://example.com": {{"username": "bob", "password": "pw"}}}}}}"#
            ),
        )
        .unwrap();
        let ann = from_docker_config(&path, "127.0.0.1:5000").unwrap();
        assert_eq!(
            (ann.username.as_str(), ann.password.as_str()),
            ("ann", "s3cret")
        );
        assert!(!format!("{ann:?}").contains("s3cret"));
        assert_eq!(
            from_docker_config(&path, "example.com").unwrap().username,
            "bob"
        );
        assert!(from_docker_config(&path, "other.org").is_none());
        assert!(from_docker_config(&dir.path().join("none.json"), "example.com").is_none());
    }
}
