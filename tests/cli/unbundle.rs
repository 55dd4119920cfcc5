//! `wct unbundle`: the modules `wasm-tools component unbundle` moves out, byte for byte, and a
//! component with the same WIT that validates; modules named as `wct size` names them; bad
//! input writes nothing.

use crate::common::{
    assert_refused_and_kept, fixture, stderr_of, wasm_tools, wasm_tools_stdout,
    wasm_tools_validates, wct,
};
use std::path::Path;

/// `wct unbundle FILE --module-dir DIR/wct -o DIR/wct.wasm ARGS` and the same with
/// wasm-tools into `DIR/wasm-tools`; wct's stderr.
fn both(dir: &Path, file: &Path, args: &[&str]) -> String {
    let out = wct()
        .arg("unbundle")
        .arg(file)
        .arg("--module-dir")
        .arg(dir.join("wct"))
        .arg("-o")
        .arg(dir.join("wct.wasm"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let theirs = std::process::Command::new(wasm_tools())
        .args(["component", "unbundle"])
        .arg(file)
        .arg("--module-dir")
        .arg(dir.join("wasm-tools"))
        .arg("-o")
        .arg(dir.join("wasm-tools.wasm"))
        .args(args)
        .output()
        .unwrap();
    assert!(theirs.status.success(), "{}", stderr_of(&theirs));
    stderr_of(&out)
}

/// The file names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// wct and wasm-tools moved the same modules (same files, same bytes) and their components
/// validate and have the same WIT.
fn assert_same_as_wasm_tools(dir: &Path) -> Vec<String> {
    let ours = listing(&dir.join("wct"));
    assert_eq!(ours, listing(&dir.join("wasm-tools")));
    for name in &ours {
        assert_eq!(
            std::fs::read(dir.join("wct").join(name)).unwrap(),
            std::fs::read(dir.join("wasm-tools").join(name)).unwrap(),
            "{name} differs"
        );
    }
    let (wct_out, peer_out) = (dir.join("wct.wasm"), dir.join("wasm-tools.wasm"));
    wasm_tools_validates(&wct_out);
    assert_eq!(
        wasm_tools_stdout(&["component", "wit"], &wct_out),
        wasm_tools_stdout(&["component", "wit"], &peer_out)
    );
    ours
}

#[test]
fn the_c_app_loses_its_two_big_modules_as_wasm_tools_does() {
    let dir = tempfile::tempdir().unwrap();
    let report = both(dir.path(), &fixture("compose/hello-app.wasm"), &[]);
    let moved = assert_same_as_wasm_tools(dir.path());
    assert_eq!(moved, ["unbundled-module0.wasm", "unbundled-module1.wasm"]);
    assert!(
        report.contains("module main")
            && report.contains("module wit-component:adapter:wasi_snapshot_preview1"),
        "{report}"
    );
    // The component imports them by those names and no longer carries their bytes.
    let printed = wasm_tools_stdout(&["print"], &dir.path().join("wct.wasm"));
    assert!(
        printed.contains("(import \"unbundled-module1\" (core module"),
        "{printed}"
    );
    let size = |p: &Path| std::fs::metadata(p).unwrap().len();
    assert!(size(&dir.path().join("wct.wasm")) < size(&fixture("compose/hello-app.wasm")) / 2);
}

#[test]
fn every_module_at_every_depth_with_threshold_zero() {
    let dir = tempfile::tempdir().unwrap();
    // The composed demo: components nested in a component, modules in each.
    let composed = composed_demo(dir.path());
    both(dir.path(), &composed, &["--threshold", "0"]);
    let moved = assert_same_as_wasm_tools(dir.path());
    assert!(moved.len() >= 6, "{moved:?}");
}

#[test]
fn a_python_components_runtime_is_named() {
    let component = crate::size::python_hello("hello");
    let dir = tempfile::tempdir().unwrap();
    let report = both(dir.path(), &component, &["--threshold", "1048576"]);
    assert!(report.contains("module libpython3.14.so"), "{report}");
    assert!(report.contains("module main"), "{report}");
    assert_eq!(assert_same_as_wasm_tools(dir.path()).len(), 2);
    // wct also reads the threshold with a unit.
    let with_unit = tempfile::tempdir().unwrap();
    wct()
        .arg("unbundle")
        .arg(&component)
        .args(["--threshold", "1MiB", "--module-dir"])
        .arg(with_unit.path().join("wct"))
        .arg("-o")
        .arg(with_unit.path().join("wct.wasm"))
        .assert()
        .success();
    assert_eq!(
        listing(&with_unit.path().join("wct")),
        listing(&dir.path().join("wct"))
    );
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wasm");
    std::fs::write(&out, b"kept").unwrap();
    let modules = dir.path().join("modules");
    let args = |file: &str| {
        vec![
            fixture(file).into_os_string(),
            "--module-dir".into(),
            modules.clone().into_os_string(),
        ]
    };
    assert_refused_and_kept(
        &["unbundle"],
        &args("c/hello.wasm"),
        &out,
        "found a core module",
    );
    assert_refused_and_kept(
        &["unbundle"],
        &args("invalid/truncated.wasm"),
        &out,
        "truncated.wasm",
    );
    assert_refused_and_kept(&["unbundle"], &args("link/calc.c"), &out, "calc.c");
    assert!(listing(&modules).is_empty(), "{:?}", listing(&modules));
    // The output may not be the input.
    let input = dir.path().join("app.wasm");
    std::fs::copy(fixture("compose/hello-app.wasm"), &input).unwrap();
    assert_refused_and_kept(
        &["unbundle"],
        &[
            input.clone().into_os_string(),
            "--module-dir".into(),
            modules.into_os_string(),
        ],
        &input,
        "refusing to overwrite input",
    );
}

/// The C app composed with the C greeter, as `DIR/composed.wasm`.
fn composed_demo(dir: &Path) -> std::path::PathBuf {
    let composed = dir.join("composed.wasm");
    wct()
        .args(["compose", "-q"])
        .arg(fixture("compose/hello-app.wasm"))
        .arg(fixture("compose/greeter.wasm"))
        .arg("-o")
        .arg(&composed)
        .assert()
        .success();
    composed
}

/// The composed demo unbundled at every depth, and the folder its modules went to.
fn unbundled_demo(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let composed = composed_demo(dir);
    let (rest, modules) = (dir.join("rest.wasm"), dir.join("modules"));
    wct()
        .args(["unbundle", "-q", "--threshold", "0"])
        .arg(&composed)
        .arg("--module-dir")
        .arg(&modules)
        .arg("-o")
        .arg(&rest)
        .assert()
        .success();
    (rest, modules)
}

/// The compiled entries in a compile cache folder.
fn cache_entries(cache: &Path) -> usize {
    listing(cache)
        .iter()
        .filter(|name| name.ends_with(".cwasm"))
        .count()
}

#[test]
fn an_unbundled_component_runs_with_its_modules_from_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (rest, modules) = unbundled_demo(dir.path());
    let out = wct()
        .arg("run")
        .arg("--module-dir")
        .arg(&modules)
        .arg(&rest)
        .env("WCT_NO_BACKGROUND_COMPILE", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Hello, world!\n");
    // `wct size --startup` measures it with its modules too.
    let sized = wct()
        .args(["size", "--startup", "--run", "--depth", "0", "--module-dir"])
        .arg(&modules)
        .arg(&rest)
        .output()
        .unwrap();
    assert!(sized.status.success(), "{}", stderr_of(&sized));
    assert!(
        String::from_utf8_lossy(&sized.stdout).contains("instantiate"),
        "{}",
        String::from_utf8_lossy(&sized.stdout)
    );

    // Optimized code for the component and each module goes into the cache once, keyed by
    // content: a later run, from another folder holding the same modules, compiles nothing.
    let cache = dir.path().join("cache");
    let run_cached = |module_dir: &Path| {
        wct()
            .args(["run", "--compiler", "cranelift", "--cache-dir"])
            .arg(&cache)
            .arg("--module-dir")
            .arg(module_dir)
            .arg(&rest)
            .assert()
            .success()
            .stdout("Hello, world!\n");
    };
    run_cached(&modules);
    let moved = listing(&modules).len();
    assert_eq!(cache_entries(&cache), 1 + moved);
    let copy = dir.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    for name in listing(&modules) {
        std::fs::copy(modules.join(&name), copy.join(&name)).unwrap();
    }
    run_cached(&copy);
    assert_eq!(cache_entries(&cache), 1 + moved);

    // Another component importing those modules: by default (auto) its own small code is
    // compiled with Cranelift, as its modules' optimized code is cached, not all with Winch.
    let other = dir.path().join("other.wasm");
    wct()
        .args(["metadata", "add", "--name", "other-app"])
        .arg(&rest)
        .arg("-o")
        .arg(&other)
        .assert()
        .success();
    let out = wct()
        .args(["-v", "run", "--cache-dir"])
        .arg(&cache)
        .arg("--module-dir")
        .arg(&copy)
        .arg(&other)
        .env("WCT_NO_BACKGROUND_COMPILE", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Hello, world!\n");
    assert!(
        stderr_of(&out).contains("cranelift code compiled"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(cache_entries(&cache), 2 + moved);
}

#[test]
fn an_unbundled_component_without_its_modules_is_refused_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let (rest, modules) = unbundled_demo(dir.path());
    let out = wct().arg("run").arg(&rest).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("imports the core modules unbundled-module0, unbundled-module1")
            && err.contains("--module-dir"),
        "{err}"
    );
    let run_with_modules = || {
        wct()
            .arg("run")
            .arg("--module-dir")
            .arg(&modules)
            .arg(&rest)
            .output()
            .unwrap()
    };
    // A module missing from the folder is named with the file looked for.
    std::fs::remove_file(modules.join("unbundled-module3.wasm")).unwrap();
    let out = run_with_modules();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("imports the core module unbundled-module3: cannot use")
            && err.contains("unbundled-module3.wasm")
            && err.contains("No such file"),
        "{err}"
    );
    // Text in its place is named as not a module.
    std::fs::write(modules.join("unbundled-module3.wasm"), "garbage").unwrap();
    let out = run_with_modules();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("unbundled-module3.wasm") && err.contains("not a core wasm module"),
        "{err}"
    );
    // A module of another type in its place is refused at instantiation, not run.
    std::fs::copy(
        modules.join("unbundled-module0.wasm"),
        modules.join("unbundled-module3.wasm"),
    )
    .unwrap();
    let out = run_with_modules();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unbundled_component_is_not_composed_by_either_route() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app.wasm");
    wct()
        .args(["unbundle", "-q"])
        .arg(fixture("compose/hello-app.wasm"))
        .arg("--module-dir")
        .arg(dir.path().join("modules"))
        .arg("-o")
        .arg(&app)
        .assert()
        .success();
    let out = dir.path().join("out.wasm");
    let plugs = wct()
        .args(["compose", "-q"])
        .arg(&app)
        .arg(fixture("compose/greeter.wasm"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let wac_file = dir.path().join("hello.wac");
    std::fs::write(
        &wac_file,
        "package demo:program;\n\
         let greeter = new demo:greeter { ... };\n\
         let app = new demo:hello-app { \"wct:demo/greet@0.1.0\": greeter[\"wct:demo/greet@0.1.0\"], ... };\n\
         export app...;\n",
    )
    .unwrap();
    let wac = wct()
        .args(["compose", "-q"])
        .arg(&wac_file)
        .arg("--dep")
        .arg(format!("demo:hello-app={}", app.display()))
        .arg("--dep")
        .arg(format!(
            "demo:greeter={}",
            fixture("compose/greeter.wasm").display()
        ))
        .arg("-o")
        .arg(&out)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    // Refused with the reason (wac-graph would panic on the module imports): exit 2 as any
    // unusable input, 1 in a document as every error a document has.
    for (refused, code) in [(plugs, 2), (wac, 1)] {
        assert_eq!(refused.status.code(), Some(code), "{}", stderr_of(&refused));
        // Words only: the document's report wraps its lines.
        let err = stderr_of(&refused)
            .split_whitespace()
            .filter(|word| *word != "│")
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            err.contains("imports the core modules unbundled-module0")
                && err.contains("(an unbundled component)")
                && err.contains("then unbundle the result")
                && !err.contains("panicked"),
            "{err}"
        );
    }
    assert!(!out.exists());
}
