//! `wct size`: every byte attributed exactly once (on every fixture and on the large Python
//! and JavaScript components), labels from facts, diffs of two builds, truncated and invalid
//! input, the startup profile, and the HTML treemap in a real headless browser.

use crate::common::{all_fixtures, fixture, stderr_of, stdout_of, wct, PythonBuild};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `wct size --json ARGS`, parsed, with the exit status.
fn size_json(args: &[&std::ffi::OsStr]) -> (Value, i32) {
    let out = wct().arg("size").arg("--json").args(args).output().unwrap();
    let value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("wct size {args:?}: not JSON ({e}): {}", stderr_of(&out)));
    (value, out.status.code().unwrap())
}

fn report(path: &Path) -> Value {
    let (v, code) = size_json(&[path.as_os_str()]);
    assert_eq!(code, 0, "{}", path.display());
    v
}

/// Checks that the tree covers the file exactly: the root is the whole file; a module's or
/// component's parts cover all of it but its section framing (at most 6 bytes: id and
/// size) and a section's all but its framing and count (11); parts of a module or section
/// lie inside it without overlapping (a component's sections of one kind are one part, so
/// there the sums are what is checked). Returns the number of items.
fn check_attribution(v: &Value, file: &Path) -> usize {
    let len = std::fs::metadata(file).unwrap().len();
    assert_eq!(v["file_size"].as_u64(), Some(len), "{}", file.display());
    assert_eq!(v["root"]["size"].as_u64(), Some(len), "{}", file.display());
    let root_children: u64 = v["root"]["children"]
        .as_array()
        .map_or(0, |c| c.iter().map(|c| c["size"].as_u64().unwrap()).sum());
    assert!(
        root_children <= len && len - root_children <= 6,
        "{}: the root's parts cover {root_children} of {len} bytes",
        file.display()
    );
    fn walk(item: &Value, file: &Path) -> usize {
        let size = item["size"].as_u64().unwrap();
        let offset = item["offset"].as_u64().unwrap();
        let children = item["children"].as_array().cloned().unwrap_or_default();
        if children.is_empty() {
            return 1;
        }
        let sum: u64 = children.iter().map(|c| c["size"].as_u64().unwrap()).sum();
        let kind = item["kind"].as_str().unwrap();
        let framing = match kind {
            "component" | "module" => 6,
            "debug-info" => 0,
            _ => 11,
        };
        assert!(
            sum <= size && size - sum <= framing,
            "{}: the parts of {} add up to {sum} of its {size} bytes",
            file.display(),
            item["name"]
        );
        if kind != "component" && kind != "debug-info" {
            let mut end = offset;
            for c in &children {
                let start = c["offset"].as_u64().unwrap();
                assert!(
                    start >= end,
                    "{}: {} overlaps the part before it in {}",
                    file.display(),
                    c["name"],
                    item["name"]
                );
                end = start + c["size"].as_u64().unwrap();
            }
            assert!(
                end <= offset + size,
                "{}: parts of {} run past it",
                file.display(),
                item["name"]
            );
        }
        1 + children.iter().map(|c| walk(c, file)).sum::<usize>()
    }
    walk(&v["root"], file)
}

/// Every label kind in the tree, with the path of the item carrying it.
fn labels(v: &Value) -> Vec<(String, String)> {
    fn walk(item: &Value, path: &str, out: &mut Vec<(String, String)>) {
        let path = format!("{path}/{}", item["name"].as_str().unwrap());
        for l in item["labels"].as_array().into_iter().flatten() {
            assert!(!l["reason"].as_str().unwrap().is_empty());
            out.push((l["kind"].as_str().unwrap().to_string(), path.clone()));
        }
        for c in item["children"].as_array().into_iter().flatten() {
            walk(c, &path, out);
        }
    }
    let mut out = Vec::new();
    walk(&v["root"], "", &mut out);
    out
}

fn has_label(v: &Value, kind: &str, path_part: &str) -> bool {
    labels(v)
        .iter()
        .any(|(k, p)| k == kind && p.contains(path_part))
}

#[test]
fn every_fixture_is_attributed_byte_for_byte() {
    let mut checked = 0;
    for file in all_fixtures() {
        if file.extension().is_some_and(|e| e == "wat")
            || std::fs::metadata(&file).unwrap().len() == 0
        {
            continue;
        }
        let (v, code) = size_json(&[file.as_os_str()]);
        assert_eq!(
            code == 1,
            v.get("stopped").is_some(),
            "{}: exit status {code} and the report disagree",
            file.display()
        );
        check_attribution(&v, &file);
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} fixtures");
}

#[test]
fn a_c_component_names_its_modules_functions_and_libc() {
    let file = fixture("compose/greeter.wasm");
    let v = report(&file);
    check_attribution(&v, &file);
    assert!(has_label(&v, "libc", "/module main"), "{:?}", labels(&v));
    assert!(has_label(
        &v,
        "wasi-adapter",
        "/module wit-component:adapter:wasi_snapshot_preview1"
    ));
    assert!(has_label(&v, "names", "custom \"component-name\""));
    let largest: Vec<&str> = v["largest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(largest[0], "module main / code / printf_core");
    // A core module is one level: its sections directly under the root.
    let v = report(&fixture("c/hello.wasm"));
    assert_eq!(v["root"]["kind"], "module");
    assert!(v["root"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "code"));
}

/// A WASI 0.2 Python command (componentize-py's own layout: libpython, libc and friends as
/// modules of one component, memory pre-initialised).
pub fn python_hello(module: &str) -> PathBuf {
    PythonBuild {
        dir: "size",
        module,
        world: "wasi:cli/command",
        wasi: Some("wasi:cli/command"),
        wit: &[],
    }
    .build()
}

#[test]
fn large_python_and_javascript_components_add_up_and_are_labelled() {
    let py2 = python_hello("hello");
    let py3 = PythonBuild {
        dir: "python3",
        module: "command",
        world: "wasi:cli/command@0.3.0",
        wasi: Some("wasi:cli/command@0.3.0"),
        wit: &[],
    }
    .build();
    for py in [&py2, &py3] {
        let v = report(py);
        let items = check_attribution(&v, py);
        assert!(items > 10_000, "{}: {items} items", py.display());
        for (kind, at) in [
            ("python-runtime", "/module libpython3"),
            ("libc", "/module libc.so"),
            ("snapshot", "/data"),
            ("names", "custom \"name\""),
        ] {
            assert!(
                has_label(&v, kind, at),
                "{}: no {kind} at {at}: {:?}",
                py.display(),
                labels(&v)
            );
        }
    }
    assert!(has_label(
        &report(&py2),
        "wasi-adapter",
        "/module wit-component:adapter"
    ));

    let js = crate::languages::js_component("greeter", "greeter");
    let v = report(&js);
    check_attribution(&v, &js);
    assert!(
        has_label(&v, "js-engine", "/module main"),
        "{:?}",
        labels(&v)
    );
    assert!(has_label(&v, "snapshot", "/module main/data"));
    assert!(has_label(
        &v,
        "wasi-adapter",
        "/module wit-component:adapter"
    ));

    // `-v` says why.
    let out = wct()
        .args(["size", "-v", "--depth", "1"])
        .arg(&js)
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(
        text.contains(
            "why JavaScript engine: its data contains the engine's name (\"StarlingMonkey\")"
        ),
        "{text}"
    );
}

#[test]
fn two_builds_differing_by_one_import_name_what_grew() {
    let (old, new) = (python_hello("hello"), python_hello("hello_json"));
    let (v, code) = size_json(&[old.as_os_str(), new.as_os_str()]);
    assert_eq!(code, 0);
    let old_len = std::fs::metadata(&old).unwrap().len() as i64;
    let new_len = std::fs::metadata(&new).unwrap().len() as i64;
    assert_eq!(v["delta"].as_i64(), Some(new_len - old_len));
    let changes = v["changes"].as_array().unwrap();
    let grown = |prefix: &str| {
        changes.iter().any(|c| {
            c["path"].as_str().unwrap().starts_with(prefix) && c["delta"].as_i64().unwrap() > 0
        })
    };
    assert!(grown("module main"), "{changes:?}");
    assert!(grown("module main / data / segment"), "no grown segment");
    // Largest change first.
    let deltas: Vec<u64> = changes
        .iter()
        .map(|c| c["delta"].as_i64().unwrap().unsigned_abs())
        .collect();
    assert!(deltas.windows(2).all(|w| w[0] >= w[1]));

    let out = wct().arg("size").arg(&old).arg(&new).output().unwrap();
    let text = stdout_of(&out);
    assert!(
        text.contains("Modules and components:") && text.contains("module main"),
        "{text}"
    );
    assert!(
        text.contains("Largest changes:") && text.contains("/ data / segment"),
        "{text}"
    );
}

#[test]
fn a_truncated_file_shows_what_was_attributed_and_exits_1() {
    let file = fixture("invalid/truncated.wasm");
    let out = wct().arg("size").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let len = std::fs::metadata(&file).unwrap().len();
    assert!(
        stderr_of(&out).contains(&format!(
            "truncated.wasm: parsing stopped at offset {len:#x}: unexpected end of file"
        )),
        "{}",
        stderr_of(&out)
    );
    assert!(stdout_of(&out).contains("code"), "{}", stdout_of(&out));

    // An unknown section after a valid one: attributed up to it, the rest unparsed.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.wasm");
    let mut bytes = b"\0asm\x01\0\0\0".to_vec();
    bytes.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // a type section
    bytes.extend_from_slice(&[0x7f, 3, 1, 2, 3]);
    std::fs::write(&bad, &bytes).unwrap();
    let (v, code) = size_json(&[bad.as_os_str()]);
    assert_eq!(code, 1);
    assert_eq!(v["stopped"]["offset"], 14);
    assert_eq!(v["stopped"]["message"], "unknown module section id 127");
    check_attribution(&v, &bad);
    let unparsed = v["root"]["children"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    // The unknown section's id and size were read (the module's own bytes); its payload is not.
    assert_eq!(
        (unparsed["kind"].as_str(), unparsed["size"].as_u64()),
        (Some("unparsed"), Some(3))
    );

    // Not wasm at all (binary): nothing attributed, said where.
    let (v, code) = size_json(&[fixture("invalid/wrong-magic.wasm").as_os_str()]);
    assert_eq!(code, 1);
    assert_eq!(v["stopped"]["offset"], 0);
    // Missing file: a usage error.
    let out = wct().args(["size", "no-such.wasm"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("no-such.wasm"));
}

#[test]
fn top_and_depth_shape_the_report() {
    let file = fixture("compose/greeter.wasm");
    let (v, _) = size_json(&[
        "--top".as_ref(),
        "3".as_ref(),
        "--depth".as_ref(),
        "1".as_ref(),
        file.as_os_str(),
    ]);
    assert_eq!(v["largest"].as_array().unwrap().len(), 3);
    for child in v["root"]["children"].as_array().unwrap() {
        assert!(child.get("children").is_none(), "{child}");
    }
    let out = wct()
        .args(["size", "--top", "2", "--depth", "1"])
        .arg(&file)
        .output()
        .unwrap();
    let text = stdout_of(&out);
    let after = text.split("Largest items:\n").nth(1).unwrap();
    assert_eq!(after.lines().count(), 2, "{text}");
    let tree = text.split("Largest items:").next().unwrap();
    assert!(
        tree.contains("├─ module main") && !tree.contains("│  ├─"),
        "{text}"
    );
}

#[test]
fn startup_is_measured_and_runs_guest_code_only_when_asked() {
    let (v, code) = size_json(&["--startup".as_ref(), fixture("c/hello.wasm").as_os_str()]);
    assert_eq!(code, 0);
    let s = &v["startup"];
    assert_eq!(s["compiler"], "cranelift");
    assert!(s["compile_ms"].as_f64().unwrap() > 0.0);
    assert!(s["instantiate_ms"].as_f64().unwrap() > 0.0);
    assert!(s.get("first_call").is_none());
    // hello.wasm's memory is 2 pages.
    assert_eq!(s["memory_bytes"], 2 * 65536);

    let (v, _) = size_json(&[
        "--startup".as_ref(),
        "--run".as_ref(),
        fixture("c/hello.wasm").as_os_str(),
    ]);
    assert_eq!(v["startup"]["first_call"], "run");
    assert!(
        v["startup"]["time_to_first_return_ms"].as_f64().unwrap()
            >= v["startup"]["first_call_ms"].as_f64().unwrap()
    );

    let out = wct()
        .args([
            "size",
            "--startup",
            "--compiler",
            "winch",
            "--invoke",
            "greet(\"x\")",
        ])
        .arg(fixture("compose/greeter.wasm"))
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        text.contains("Startup (measured on this machine, winch):"),
        "{text}"
    );
    assert!(
        text.contains("first call") && text.contains("(greet(\"x\"))"),
        "{text}"
    );
    // The guest's own output does not reach the report.
    assert!(!text.contains("Hello, x"), "{text}");
}

/// Loads `page` in headless Chromium (with `?selftest`, which clicks the largest zoomable
/// rectangle) and returns the `<body>` tag after the scripts ran and stderr.
fn chromium(page: &Path, screenshot: Option<&Path>) -> (String, String) {
    let url = format!("file://{}?selftest", page.display());
    let mut cmd = std::process::Command::new("chromium");
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1100,700",
    ]);
    match screenshot {
        Some(png) => cmd.arg(format!("--screenshot={}", png.display())),
        None => cmd.arg("--dump-dom"),
    };
    let out = cmd.arg(&url).output().unwrap_or_else(|e| {
        panic!("chromium is not installed ({e}): cargo xtask test installs it")
    });
    let dom = stdout_of(&out);
    let body = dom
        .find("<body")
        .map(|at| dom[at..].split('>').next().unwrap().to_string())
        .unwrap_or_default();
    (body, stderr_of(&out))
}

fn attr(body: &str, name: &str) -> String {
    let key = format!("{name}=\"");
    let at = body
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        + key.len();
    body[at..].split('"').next().unwrap().replace("&gt;", ">")
}

#[test]
fn the_html_treemap_loads_adds_up_and_zooms_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("size.html");
    let old = fixture("compose/greeter.wasm");
    let new = fixture("compose/polite-greeter.wasm");
    let out = wct()
        .arg("size")
        .arg(&new)
        .arg("--html")
        .arg(&page)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // It says where it wrote, and prints no report unless asked (--text).
    assert_eq!(stdout_of(&out), "");
    assert_eq!(stderr_of(&out), format!("wrote {}\n", page.display()));
    let out = wct()
        .arg("size")
        .arg(&new)
        .arg("--html")
        .arg(&page)
        .arg("--text")
        .output()
        .unwrap();
    assert!(
        stdout_of(&out).contains("module main"),
        "{}",
        stdout_of(&out)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("src=\"http") && !html.contains("<link"),
        "the page loads nothing"
    );
    let (body, stderr) = chromium(&page, None);
    assert!(
        !stderr.contains("Uncaught") && !stderr.contains(":ERROR:CONSOLE"),
        "{stderr}"
    );
    assert_eq!(
        attr(&body, "data-size-sum"),
        attr(&body, "data-view-size"),
        "{body}"
    );
    assert!(
        attr(&body, "data-area-error").parse::<f64>().unwrap() < 0.001,
        "{body}"
    );
    assert!(attr(&body, "data-rects").parse::<u32>().unwrap() > 3);
    // The click zoomed into the largest part: the view is one level deeper.
    assert_eq!(
        attr(&body, "data-selftest"),
        "component => component / module main",
        "{body}"
    );

    // The diff page outlines what changed and lists it.
    let diff_page = dir.path().join("diff.html");
    wct()
        .arg("size")
        .arg(&old)
        .arg(&new)
        .arg("--html")
        .arg(&diff_page)
        .assert()
        .success();
    let html = std::fs::read_to_string(&diff_page).unwrap();
    assert!(html.contains("<table id=\"changes\">") && html.contains("module main"));
    let (body, stderr) = chromium(&diff_page, None);
    assert!(!stderr.contains("Uncaught"), "{stderr}");
    assert!(
        attr(&body, "data-selftest").ends_with("/ module main"),
        "{body}"
    );

    // A page that throws is caught by this test's check (the check is not blind).
    let broken = dir.path().join("broken.html");
    std::fs::write(
        &broken,
        html.replace("const data = JSON.parse", "const data = JSON.parsee"),
    )
    .unwrap();
    let (_, stderr) = chromium(&broken, None);
    assert!(stderr.contains("Uncaught"), "{stderr}");

    // The page never overwrites an input.
    let out = wct()
        .arg("size")
        .arg(&new)
        .arg("--html")
        .arg(&new)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn dwarf_sections_are_grouped_as_debug_info() {
    let dir = tempfile::tempdir().unwrap();
    let wat = dir.path().join("debug.wat");
    std::fs::write(
        &wat,
        r#"(module
  (func $answer (result i32) i32.const 42)
  (export "answer" (func $answer))
  (@custom ".debug_info" "\01\02\03\04\05\06\07\08")
  (@custom ".debug_line" "\01\02\03")
  (@custom "producers" "\00"))"#,
    )
    .unwrap();
    let wasm = dir.path().join("debug.wasm");
    wct()
        .arg("parse")
        .arg(&wat)
        .arg("-o")
        .arg(&wasm)
        .assert()
        .success();
    let v = report(&wasm);
    check_attribution(&v, &wasm);
    let group = v["root"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "debug-info")
        .unwrap_or_else(|| panic!("no debug-info group: {v}"))
        .clone();
    let names: Vec<&str> = group["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["custom \".debug_info\"", "custom \".debug_line\""]);
    assert_eq!(group["labels"][0]["kind"], "debug-info");
    assert!(group["labels"][0]["reason"]
        .as_str()
        .unwrap()
        .contains(".debug_info, .debug_line"));
    let function = &v["root"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "code")
        .unwrap()["children"][0];
    assert_eq!(function["name"], "answer");
}

#[test]
fn a_build_that_dropped_names_is_matched_by_position() {
    // A composition names its components and modules; `wasm-tools strip --all` drops every
    // name: each module and function would otherwise show as removed and added.
    let dir = tempfile::tempdir().unwrap();
    let named = dir.path().join("named.wasm");
    wct()
        .arg("compose")
        .arg(fixture("compose/hello-app.wasm"))
        .arg(fixture("compose/greeter.wasm"))
        .arg("-o")
        .arg(&named)
        .assert()
        .success();
    let stripped = dir.path().join("stripped.wasm");
    let status = std::process::Command::new(crate::common::wasm_tools())
        .args(["strip", "--all"])
        .arg(&named)
        .arg("-o")
        .arg(&stripped)
        .status()
        .unwrap();
    assert!(status.success());
    let (v, code) = size_json(&[named.as_os_str(), stripped.as_os_str()]);
    assert_eq!(code, 0);
    assert!(v["matched_by_position"].as_u64().unwrap() >= 2, "{v}");
    let changes = v["changes"].as_array().unwrap();
    let added: Vec<&Value> = changes
        .iter()
        .filter(|c| {
            c["status"] == "added" && ["module", "component"].contains(&c["kind"].as_str().unwrap())
        })
        .collect();
    assert!(added.is_empty(), "renamed, not added: {added:?}");
    assert!(
        changes.iter().any(|c| c["was"]
            .as_str()
            .is_some_and(|w| w.starts_with("component hello-app"))),
        "{changes:?}"
    );
    let out = wct()
        .arg("size")
        .arg(&named)
        .arg(&stripped)
        .output()
        .unwrap();
    let text = stdout_of(&out);
    assert!(
        text.contains("whose names differ between the builds were matched by kind and position"),
        "{text}"
    );
}
