//! The documentation's examples cannot rot: every ```` ```console ```` block of `README.md` and
//! `docs/*.md` is run, command by command, in a scratch checkout (as the help examples are),
//! and what each command prints (stdout and stderr, as a terminal shows them) must be what the
//! page says. A line `...` in the expected output stands for any number of lines.
//!
//! After a deliberate change of output, `WCT_BLESS_DOCS=1 cargo test --test cli docs_examples`
//! writes what the commands print now into the pages (except where a `...` elides lines).
//!
//! The registry the pages use, `127.0.0.1:5000`, is a real one started on a free loopback
//! port for the run; commands and outputs are rewritten between the two addresses.

use crate::common::{bash_example, path_with_wct, scratch_checkout};
use crate::registry::DOCS_REGISTRY;
use std::path::{Path, PathBuf};

/// One `$ command` of a console block and the output the page shows for it.
struct Example {
    page: PathBuf,
    line: usize,
    command: String,
    expected: Vec<String>,
}

fn pages() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The blocks fenced as ```` ```LANG ```` in `page`: each a list of (line number, line).
fn fenced_blocks(page: &Path, lang: &str) -> Vec<Vec<(usize, String)>> {
    let text = std::fs::read_to_string(page).unwrap();
    let opening = format!("```{lang}");
    let mut blocks: Vec<Vec<(usize, String)>> = Vec::new();
    let mut in_block = false;
    for (i, line) in text.lines().enumerate() {
        if !in_block {
            in_block = line.trim_end() == opening;
            if in_block {
                blocks.push(Vec::new());
            }
        } else if line.starts_with("```") {
            in_block = false;
        } else {
            blocks.last_mut().unwrap().push((i + 1, line.to_string()));
        }
    }
    blocks
}

fn console_examples(page: &Path) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    for block in fenced_blocks(page, "console") {
        let first = out.len();
        for (line, text) in block {
            if let Some(command) = text.strip_prefix("$ ") {
                out.push(Example {
                    page: page.to_path_buf(),
                    line,
                    command: command.to_string(),
                    expected: Vec::new(),
                });
            } else if out.len() > first {
                let example = out.last_mut().unwrap();
                example.expected.push(text.trim_end().to_string());
            }
        }
    }
    out
}

/// Whether `actual` matches `expected`, where a `...` line matches any run of lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => {
            actual.first().is_some_and(|a| a.trim_end() == first) && matches(rest, &actual[1..])
        }
    }
}

#[test]
fn console_blocks_print_what_the_docs_say() {
    let dir = scratch_checkout();
    let path = path_with_wct();
    let registry = crate::registry::RegistryServer::start();
    let mut ran = 0;
    let mut failures = Vec::new();
    let bless = std::env::var_os("WCT_BLESS_DOCS").is_some();
    for page in pages() {
        let mut blessed: Vec<(usize, usize, Vec<String>)> = Vec::new();
        for example in console_examples(&page) {
            let command = format!("{{ {}\n}} 2>&1", registry.rewrite(&example.command));
            let out = bash_example(dir.path(), &path, &command);
            let printed =
                String::from_utf8_lossy(&out.stdout).replace(&registry.addr, DOCS_REGISTRY);
            let lines: Vec<&str> = printed.lines().collect();
            if !matches(&example.expected, &lines)
                && bless
                && !example.expected.contains(&"...".to_string())
            {
                let now = lines.iter().map(|l| l.trim_end().to_string()).collect();
                blessed.push((example.line, example.expected.len(), now));
            } else if !matches(&example.expected, &lines) {
                failures.push(format!(
                    "{}:{}: $ {}\n--- the page shows:\n{}\n--- it printed:\n{}",
                    example.page.display(),
                    example.line,
                    example.command,
                    example.expected.join("\n"),
                    printed
                ));
            }
            ran += 1;
        }
        if !blessed.is_empty() {
            let text = std::fs::read_to_string(&page).unwrap();
            let mut page_lines: Vec<String> = text.lines().map(str::to_string).collect();
            // Bottom up, so that earlier line numbers stay right.
            for (line, old_len, now) in blessed.into_iter().rev() {
                page_lines.splice(line..line + old_len, now);
            }
            std::fs::write(&page, page_lines.join("\n") + "\n").unwrap();
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(ran >= 15, "only {ran} documented commands found");
}

/// The `wct` lines of ```` ```sh ```` blocks (joined with their `\` continuations).
fn sh_commands(page: &Path) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for block in fenced_blocks(page, "sh") {
        let mut continuing = false;
        for (line, text) in block {
            let body = text.trim().trim_end_matches('\\').trim_end();
            if continuing {
                let last = &mut out.last_mut().unwrap().1;
                last.push(' ');
                last.push_str(body);
            } else if text.starts_with("wct ") {
                out.push((line, body.to_string()));
            }
            continuing =
                text.trim_end().ends_with('\\') && (continuing || text.starts_with("wct "));
        }
    }
    out
}

/// Command lines in ```` ```sh ```` blocks run with exit status 0 (or the `# exits N` they
/// announce).
#[test]
fn sh_blocks_run() {
    let dir = scratch_checkout();
    let path = path_with_wct();
    let registry = crate::registry::RegistryServer::start();
    let mut ran = 0;
    for page in pages() {
        for (line, example) in sh_commands(&page) {
            let (command, expected) = crate::help_examples::expected_status(&example);
            let command = registry.rewrite(&command);
            let out = bash_example(dir.path(), &path, &command);
            assert_eq!(
                out.status.code(),
                Some(expected),
                "{}:{line}: {command}\n{}",
                page.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 15, "only {ran} sh commands found");
}

/// Each subcommand's page shows at least one real run.
#[test]
fn every_subcommand_page_has_a_console_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for page in [
        "validate", "inspect", "print", "wit", "embed", "adapt", "targets", "run", "compose",
        "diff", "size", "virt",
    ] {
        let path = root.join(format!("docs/{page}.md"));
        assert!(
            !console_examples(&path).is_empty(),
            "{} has no ```console example",
            path.display()
        );
    }
}

#[test]
fn ellipsis_matches_any_lines() {
    let expected: Vec<String> = ["a", "...", "d"].iter().map(|s| s.to_string()).collect();
    assert!(matches(&expected, &["a", "b", "c", "d"]));
    assert!(matches(&expected, &["a", "d"]));
    assert!(!matches(&expected, &["a", "b"]));
}

/// Every page under docs/ is reachable from the guide's table of contents, and every link in
/// it points at a page that exists.
#[test]
fn summary_lists_every_page() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let summary = std::fs::read_to_string(root.join("docs/SUMMARY.md")).unwrap();
    for page in pages().iter().skip(1) {
        let name = page.file_name().unwrap().to_string_lossy();
        if name == "SUMMARY.md" {
            continue;
        }
        assert!(
            summary.contains(&format!("({name})")),
            "docs/SUMMARY.md lacks {name}"
        );
    }
    for link in summary.split("](").skip(1) {
        let target = link.split(')').next().unwrap();
        assert!(
            root.join("docs").join(target).exists(),
            "dead link {target}"
        );
    }
}
