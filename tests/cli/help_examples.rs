//! Every subcommand's `--help` has a one-line purpose and at least two examples, and every
//! example actually runs: in a scratch copy of the repository's `tests/fixtures/` and `wit/`
//! (a git repository with one commit, for `--against HEAD`), with `wct` on PATH, through bash.
//! An example ends with exit status 0 unless it says `# exits N`; `wct serve` examples run
//! until they print their address, on a free port; `publish` and `pull` examples talk to a real
//! registry on a free loopback port (their `127.0.0.1:5000` is rewritten to it).

use crate::common::{bash_example, path_with_wct, scratch_checkout, wct};

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The subcommands, as words, from `wct --help` and `wct wit --help` (the `wit` group itself
/// included: its help has examples too).
fn subcommands() -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for prefix in [vec![], vec!["wit".to_string()]] {
        let help = wct().args(&prefix).arg("--help").output().unwrap();
        let text = String::from_utf8(help.stdout).unwrap();
        let commands = text
            .split("Commands:\n")
            .nth(1)
            .expect("a Commands: section")
            .split("\n\n")
            .next()
            .unwrap();
        for line in commands.lines() {
            // `  name   purpose`; wrapped purpose lines are indented further.
            let Some(rest) = line.strip_prefix("  ") else {
                continue;
            };
            if rest.starts_with(' ') {
                continue;
            }
            let name = rest.split_whitespace().next().unwrap();
            if name == "help" {
                continue;
            }
            let mut words = prefix.clone();
            words.push(name.to_string());
            out.push(words);
        }
    }
    out
}

/// The examples of a help text: lines indented by two spaces under `Examples:`, joined with
/// the lines they continue onto (`\` at the end); further-indented lines without a `\` before
/// them are explanations, not commands.
fn examples(help: &str) -> Vec<String> {
    let Some(section) = help.split("Examples:\n").nth(1) else {
        return Vec::new();
    };
    let section = section.split("\n\n").next().unwrap();
    let mut out: Vec<String> = Vec::new();
    let mut continuing = false;
    for line in section.lines() {
        if continuing {
            let last = out.last_mut().unwrap();
            last.push(' ');
            last.push_str(line.trim().trim_end_matches('\\').trim_end());
        } else if line.starts_with("  ") && !line.starts_with("   ") {
            out.push(line.trim().trim_end_matches('\\').trim_end().to_string());
        }
        continuing = line.trim_end().ends_with('\\');
    }
    out
}

/// Exit status an example announces with `# exits N` (0 otherwise), and the command without
/// the comment.
pub fn expected_status(example: &str) -> (String, i32) {
    match example.split_once("# exits ") {
        Some((command, rest)) => {
            let n = rest.split(|c: char| !c.is_ascii_digit()).next().unwrap();
            (command.trim().to_string(), n.parse().unwrap())
        }
        None => (example.to_string(), 0),
    }
}

/// Runs a `wct serve` example on a free port until it prints its address.
fn run_serve_example(command: &str, dir: &Path, path: &str) {
    let command = match command.find("--addr ") {
        Some(at) => {
            let end = command[at + 7..]
                .find(' ')
                .map_or(command.len(), |e| at + 7 + e);
            format!("{}--addr 127.0.0.1:0{}", &command[..at], &command[end..])
        }
        None => format!("{command} --addr 127.0.0.1:0"),
    };
    let mut child = Command::new("bash")
        .args(["-c", &format!("exec {command}")])
        .current_dir(dir)
        .env("PATH", path)
        .env("WCT_NO_BACKGROUND_COMPILE", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in crate::common::lossy_lines(stderr) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let served = loop {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) if line.contains("on http://127.0.0.1:") => break true,
            Ok(line) => seen.push(line),
            Err(_) => break false,
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        served,
        "`{command}` did not start serving:\n{}",
        seen.join("\n")
    );
}

#[test]
fn every_help_has_a_purpose_and_examples_that_run() {
    let dir = scratch_checkout();
    let path = path_with_wct();
    let registry = crate::registry::RegistryServer::start();
    // What the examples of commands listed before `publish` (compose) pull.
    registry.seed("tests/fixtures/compose/greeter.wasm", "wct:greeter@0.1.0");
    let mut ran = 0;
    for words in subcommands() {
        let help = wct().args(&words).arg("--help").output().unwrap();
        assert!(help.status.success());
        let help = String::from_utf8(help.stdout).unwrap();
        let name = words.join(" ");
        let purpose = help
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .replace('\n', " ");
        assert!(
            !purpose.trim_end_matches('.').contains(". ") && purpose.len() <= 120,
            "wct {name}: the purpose should be one short sentence: {purpose}"
        );
        let examples = examples(&help);
        assert!(
            examples.len() >= 2,
            "wct {name} --help has fewer than two examples"
        );
        for example in examples {
            let (command, expected) = expected_status(&example);
            let command = registry.rewrite(&command);
            if command.starts_with("wct serve") {
                run_serve_example(&command, dir.path(), &path);
                ran += 1;
                continue;
            }
            let out = bash_example(dir.path(), &path, &command);
            assert_eq!(
                out.status.code(),
                Some(expected),
                "example of `wct {name} --help` failed: {command}\nstdout: {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 40, "only {ran} examples ran");
}

#[test]
fn examples_are_parsed_with_their_continuations() {
    let help = "Purpose.\n\nExamples:\n  wct a \\\n      b\n      then: x\n  wct c  # exits 1: no\n\nExit status:\n  0 ok\n";
    let found = examples(help);
    assert_eq!(found, ["wct a b", "wct c  # exits 1: no"]);
    assert_eq!(expected_status(&found[1]), ("wct c".to_string(), 1));
}
