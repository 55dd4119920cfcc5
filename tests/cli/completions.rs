//! `wct completions` and the man pages.

use crate::common::*;

#[test]
fn bash_completions_load_in_a_bash_subshell() {
    let script = wct().args(["completions", "bash"]).output().unwrap();
    assert!(script.status.success());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wct.bash");
    std::fs::write(&file, &script.stdout).unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -e; source '{}'; complete -p wct",
            file.display()
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("-F _wct wct"),
        "{}",
        stdout_of(&out)
    );
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = wct().args(["completions", shell]).output().unwrap();
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }
}

#[test]
fn man_pages_cover_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    wct().arg("generate-man").arg(dir.path()).assert().success();
    for page in [
        "wct.1",
        "wct-validate.1",
        "wct-run.1",
        "wct-compose.1",
        "wct-wit-check.1",
        "wct-semver-check.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join(page))
            .unwrap_or_else(|_| panic!("{page} missing"));
        assert!(text.contains(".TH"), "{page} is not a man page");
    }
}
