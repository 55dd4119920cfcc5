//! Bad input cannot crash wct or corrupt files: seeded mutations of real fixtures through every
//! subcommand that reads wasm, and the data-safety contract of every command that writes `-o`.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Flip, truncate, insert and overwrite: `count` mutants of `bytes`.
fn mutants(bytes: &[u8], seed: u64, count: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng(seed | 1);
    (0..count)
        .map(|i| {
            let mut m = bytes.to_vec();
            // Keep the header intact half of the time so the mutations reach deeper sections.
            let start = if i % 2 == 0 { 8.min(m.len()) } else { 0 };
            let at = start + rng.below(m.len().saturating_sub(start));
            match i % 4 {
                0 => {
                    if let Some(b) = m.get_mut(at) {
                        *b ^= 1 << rng.below(8);
                    }
                }
                1 => m.truncate(at),
                2 => {
                    let junk: Vec<u8> = (0..1 + rng.below(16)).map(|_| rng.next() as u8).collect();
                    m.splice(at..at, junk);
                }
                _ => {
                    let end = (at + 1 + rng.below(32)).min(m.len());
                    for b in &mut m[at..end] {
                        *b = rng.next() as u8;
                    }
                }
            }
            m
        })
        .collect()
}

fn assert_no_crash(args: &[&str], file: &Path, allowed: &[i32]) {
    let mut cmd = wct();
    cmd.args(args)
        .arg(file)
        .timeout(Duration::from_secs(30))
        .env("WCT_NO_BACKGROUND_COMPILE", "1");
    let out = cmd.output().unwrap();
    let stderr = stderr_of(&out);
    assert!(
        !stderr.contains("panicked"),
        "wct {args:?} {} panicked:\n{stderr}",
        file.display()
    );
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("wct {args:?} {} was killed (timeout?)", file.display()));
    assert!(
        allowed.is_empty() || allowed.contains(&code),
        "wct {args:?} {}: exit {code}\n{stderr}",
        file.display()
    );
}

#[test]
fn mutated_fixtures_never_crash_any_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let cache_arg = cache.display().to_string();
    let out = dir.path().join("out.wasm").display().to_string();
    let modules = dir.path().join("modules").display().to_string();
    let history = history_dir();
    // Every fixture (binary or WAT), three mutants each.
    let sources = all_fixtures();
    let commands: Vec<(Vec<&str>, Vec<i32>)> = vec![
        (vec!["validate"], vec![0, 1]),
        (vec!["inspect"], vec![0, 2]),
        (vec!["inspect", "--json"], vec![0, 2]),
        (vec!["print", "--skeleton"], vec![0, 2]),
        (vec!["wit", "check"], vec![0, 1, 2]),
        (vec!["wit", "print"], vec![0, 2]),
        (
            vec!["targets", "--world", "wasi:cli/command"],
            vec![0, 1, 2],
        ),
        (vec!["adapt", "-q", "-o", &out], vec![0, 2]),
        (vec!["new", "-o", &out], vec![0, 2]),
        (vec!["strip", "--all", "-o", &out], vec![0, 2]),
        (vec!["size"], vec![0, 1, 2]),
        (vec!["demangle", "-o", &out], vec![0, 2]),
        (
            vec!["link", "-q", "--stub-missing-functions", "-o", &out],
            vec![0, 2],
        ),
        (
            vec![
                "unbundle",
                "-q",
                "--threshold",
                "0",
                "--module-dir",
                &modules,
                "-o",
                &out,
            ],
            vec![0, 2],
        ),
        (vec!["addr2line", "0x200"], vec![0, 2]),
        (vec!["metadata", "show", "--json"], vec![0, 2]),
        (
            vec!["metadata", "add", "--version", "1.0.0", "-o", &out],
            vec![0, 2],
        ),
        (vec!["diff", "--fail-on", "never", &history], vec![0, 2]),
        // Running arbitrary mutants: any guest exit status is fine, a crash or hang is not.
        (
            vec![
                "run",
                "--cache-dir",
                &cache_arg,
                "--timeout",
                "2s",
                "--fuel",
                "50000000",
                "--max-memory",
                "64MiB",
            ],
            vec![],
        ),
    ];
    let mut cases = 0;
    for (i, source) in sources.iter().enumerate() {
        let bytes = std::fs::read(source).unwrap();
        for (j, mutant) in mutants(&bytes, 0x5eed_0000 + i as u64, 3)
            .into_iter()
            .enumerate()
        {
            let path: PathBuf = dir.path().join(format!("m{i}-{j}.wasm"));
            std::fs::write(&path, mutant).unwrap();
            for (args, allowed) in &commands {
                assert_no_crash(args, &path, allowed);
                cases += 1;
            }
        }
    }
    println!("robustness: {cases} mutated-input cases, no crash");
}

fn history_dir() -> String {
    fixture("wasi-history/0.2.12").display().to_string()
}

/// Every command that writes `-o`: given input it cannot use, the destination keeps its old
/// content, no temporary file is left, and `-o` naming the input is refused.
#[test]
fn failed_commands_leave_outputs_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let bad = fixture("invalid/truncated.wasm");
    let bad_wat = fixture("invalid/syntax-error.wat");
    let bad_wit = fixture("wit/invalid/unknown-type.wit");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit/demo");
    let cases: Vec<(&str, Vec<String>)> = vec![
        ("parse", vec!["parse".into(), bad_wat.display().to_string()]),
        ("print", vec!["print".into(), bad.display().to_string()]),
        (
            "wit build",
            vec!["wit".into(), "build".into(), bad_wit.display().to_string()],
        ),
        (
            "wit print",
            vec!["wit".into(), "print".into(), bad_wit.display().to_string()],
        ),
        (
            "embed",
            vec![
                "embed".into(),
                demo.display().to_string(),
                "--world".into(),
                "greeter".into(),
                bad.display().to_string(),
            ],
        ),
        ("new", vec!["new".into(), bad.display().to_string()]),
        ("adapt", vec!["adapt".into(), bad.display().to_string()]),
        (
            "compose",
            vec![
                "compose".into(),
                fixture("compose/hello-app.wasm").display().to_string(),
                bad.display().to_string(),
            ],
        ),
    ];
    for (name, args) in cases {
        let dest = dir.path().join(format!("{}.out", name.replace(' ', "-")));
        std::fs::write(&dest, b"previous content").unwrap();
        let out = wct().args(&args).arg("-o").arg(&dest).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr_of(&out));
        assert_eq!(
            std::fs::read(&dest).unwrap(),
            b"previous content",
            "{name} clobbered its output"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".out"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files left behind: {leftovers:?}"
    );

    // Writing over an input is refused, and the input survives.
    let plug = fixture("compose/greeter.wasm");
    for (args, source, more) in [
        (vec!["adapt"], "c/hello.wasm", vec![]),
        (vec!["print"], "c/hello.wasm", vec![]),
        (
            vec!["compose"],
            "compose/hello-app.wasm",
            vec![plug.as_path()],
        ),
    ] {
        let input = dir.path().join("input.wasm");
        std::fs::copy(fixture(source), &input).unwrap();
        let before = std::fs::read(&input).unwrap();
        let out = wct()
            .args(&args)
            .arg(&input)
            .args(&more)
            .arg("-o")
            .arg(&input)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr_of(&out).contains("refusing to overwrite input file"),
            "{args:?}: {}",
            stderr_of(&out)
        );
        assert_eq!(
            std::fs::read(&input).unwrap(),
            before,
            "{args:?} overwrote its input"
        );
    }
}

/// The README's rule for exit statuses, command by command: `1` when a command whose job is
/// to check found the input invalid or the check failed, `2` for usage errors and for input
/// a command cannot read, or cannot decode to do its work.
#[test]
fn exit_statuses_follow_the_readmes_rule_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let bad_wat = fixture("invalid/syntax-error.wat");
    let bad_wit = dir.path().join("bad.wit");
    std::fs::write(
        &bad_wit,
        "package a:b;\ninterface i { f: func() -> nope; }\n",
    )
    .unwrap();
    let missing = dir.path().join("missing.wasm");
    let out = dir.path().join("out.wasm");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let cases: Vec<(Vec<String>, i32)> = vec![
        // Checks: invalid input is a failed check.
        (vec!["validate".into(), s(&bad_wat)], 1),
        (vec!["validate".into(), s(&bad_wit)], 1),
        (vec!["wit".into(), "check".into(), s(&bad_wit)], 1),
        (
            vec![
                "targets".into(),
                s(&fixture("components/greeter-dummy.wasm")),
                "--world".into(),
                "wasi:cli/command".into(),
            ],
            1,
        ),
        // Transformations: input they cannot decode is an input error.
        (vec!["parse".into(), s(&bad_wat), "-o".into(), s(&out)], 2),
        (vec!["print".into(), s(&bad_wat)], 2),
        (vec!["inspect".into(), s(&bad_wat)], 2),
        (vec!["adapt".into(), s(&bad_wat), "-o".into(), s(&out)], 2),
        // Unreadable input, everywhere.
        (vec!["validate".into(), s(&missing)], 2),
        (vec!["wit".into(), "check".into(), s(&missing)], 2),
        (vec!["parse".into(), s(&missing), "-o".into(), s(&out)], 2),
        (vec!["inspect".into(), s(&missing)], 2),
        (vec!["run".into(), s(&missing)], 2),
        // Usage.
        (vec!["validate".into(), "--no-such-flag".into()], 2),
        (
            vec!["compose".into(), s(&fixture("compose/hello-app.wasm"))],
            2,
        ),
    ];
    for (args, expected) in cases {
        let result = wct().args(&args).output().unwrap();
        assert_eq!(
            result.status.code(),
            Some(expected),
            "wct {}: {}",
            args.join(" "),
            stderr_of(&result)
        );
    }
    assert!(!out.exists());
}
