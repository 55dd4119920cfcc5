//! `wct link`: shared libraries (C `-shared`, WAT `dylink.0`, the eight libraries inside a
//! componentize-py build) linked into one component; `wasm-tools component link` links the
//! same inputs and both outputs validate and have the same, expected WIT; the linked programs
//! run; dl-openable libraries, the built-in libdl and stubs work; every error names what is
//! wrong and writes nothing.

use crate::common::{
    assert_refused_and_kept, fixture, stderr_of, stdout_of, wasm_tools, wasm_tools_stdout,
    wasm_tools_validates, wct,
};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// `wct link ARGS -o DIR/NAME.wasm`, which must succeed; the output and wct's stderr.
fn wct_link(dir: &Path, name: &str, args: &[OsString]) -> (PathBuf, String) {
    let out = dir.join(format!("{name}.wasm"));
    let result = wct()
        .arg("link")
        .args(args)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "wct link {args:?}: {}",
        stderr_of(&result)
    );
    (out, stderr_of(&result))
}

/// `wasm-tools component link ARGS -o DIR/NAME.wasm`, which must succeed.
fn wasm_tools_link(dir: &Path, name: &str, args: &[OsString]) -> PathBuf {
    let out = dir.join(format!("{name}.wasm"));
    let result = std::process::Command::new(wasm_tools())
        .args(["component", "link"])
        .args(args)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "wasm-tools component link {args:?}: {}",
        stderr_of(&result)
    );
    out
}

/// The WIT of a component as wasm-tools prints it.
fn wit_of(component: &Path) -> String {
    wasm_tools_stdout(&["component", "wit"], component)
}

/// Both outputs validate (wasm-tools) and have the same WIT, which contains `expected`.
fn assert_same_wit(ours: &Path, theirs: &Path, expected: &str) -> String {
    wasm_tools_validates(ours);
    wasm_tools_validates(theirs);
    let wit = wit_of(ours);
    assert_eq!(wit, wit_of(theirs), "wct and wasm-tools link differently");
    assert!(wit.contains(expected), "{expected:?} not in:\n{wit}");
    wit
}

/// The bundled Preview 1 adapter of `kind` (`command`, `reactor`) written into `dir`, as
/// `--adapt wasi_snapshot_preview1=FILE` for wasm-tools.
fn adapter_arg(dir: &Path, kind: &str) -> OsString {
    use wasi_preview1_component_adapter_provider as provider;
    let bytes = match kind {
        "command" => provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
        _ => provider::WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
    };
    let path = dir.join(format!("{kind}-adapter.wasm"));
    std::fs::write(&path, bytes).unwrap();
    format!("wasi_snapshot_preview1={}", path.display()).into()
}

fn lib(name: &str) -> OsString {
    fixture(&format!("link/{name}")).into()
}

fn named(name: &str, path: &Path) -> OsString {
    format!("{name}={}", path.display()).into()
}

/// `wct run FILE ARGS`: stdout, stderr and exit status.
fn run(file: &Path, args: &[&str]) -> (String, String, Option<i32>) {
    let out = wct().arg("run").arg(file).args(args).output().unwrap();
    (stdout_of(&out), stderr_of(&out), out.status.code())
}

#[test]
fn a_c_program_of_two_shared_libraries_links_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let libs = [lib("libmain.so"), lib("libgreet.so")];
    let (ours, report) = wct_link(dir.path(), "ours", &libs);
    assert!(
        report.contains("bundled Preview 1 command adapter") && report.contains("exports `_start`"),
        "{report}"
    );
    let mut with_adapter = libs.to_vec();
    with_adapter.extend(["--adapt".into(), adapter_arg(dir.path(), "command")]);
    let theirs = wasm_tools_link(dir.path(), "theirs", &with_adapter);
    assert_same_wit(&ours, &theirs, "export wasi:cli/run@0.2.12;");
    let (stdout, stderr, code) = run(&ours, &[]);
    assert_eq!(
        (stdout.as_str(), code),
        ("hello from a shared library\n", Some(0)),
        "{stderr}"
    );
}

#[test]
fn a_library_with_a_world_uses_code_and_data_of_another() {
    let dir = tempfile::tempdir().unwrap();
    let libs = [lib("libcalc.so"), lib("libbase.so")];
    let (ours, report) = wct_link(dir.path(), "ours", &libs);
    assert!(report.contains("world from: libcalc.so"), "{report}");
    let theirs = wasm_tools_link(dir.path(), "theirs", &libs);
    assert_same_wit(&ours, &theirs, "export add: func(a: s32, b: s32) -> s32;");
    // `scale` is libbase.so's function, `counter` its data (41), reached through `GOT.mem`.
    assert_eq!(run(&ours, &["--invoke", "add(4, 2)"]).0, "42\n");
    assert_eq!(run(&ours, &["--invoke", "next()"]).0, "42\n");
}

#[test]
fn wat_libraries_link_by_the_names_given() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("twice-app.so");
    wct()
        .arg("embed")
        .arg(fixture("link/twice-app.wit"))
        .arg(fixture("link/twice-app.wat"))
        .arg("-o")
        .arg(&app)
        .assert()
        .success();
    // The app's `dylink.0` needs `libtwice.so`: the WAT file is linked under that name.
    let libs = [
        named("libtwice-app.so", &app),
        named("libtwice.so", &fixture("link/twice.wat")),
    ];
    let (ours, _) = wct_link(dir.path(), "ours", &libs);
    let theirs = wasm_tools_link(dir.path(), "theirs", &libs);
    assert_same_wit(&ours, &theirs, "export quadruple: func(x: s32) -> s32;");
    assert_eq!(run(&ours, &["--invoke", "quadruple(5)"]).0, "20\n");
}

#[test]
fn dlopen_finds_a_dl_openable_library_and_stubs_trap_only_when_called() {
    let dir = tempfile::tempdir().unwrap();
    let libs = vec![
        lib("libloader.so"),
        named("libc.so", &fixture("link/libminic.so")),
        "--dl-openable".into(),
        lib("libplugin.so"),
        "--use-built-in-libdl".into(),
    ];
    // Without stubs: the function no library defines is named, with the flag that helps.
    let out = dir.path().join("loader.wasm");
    std::fs::write(&out, b"kept").unwrap();
    assert_refused_and_kept(
        &["link"],
        &libs,
        &out,
        "libloader.so needs function `not_defined_anywhere`",
    );
    let result = wct()
        .arg("link")
        .args(&libs)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        stderr_of(&result).contains("--stub-missing-functions"),
        "{}",
        stderr_of(&result)
    );

    let mut stubbed = libs.clone();
    stubbed.push("--stub-missing-functions".into());
    let (ours, _) = wct_link(dir.path(), "ours", &stubbed);
    let theirs = wasm_tools_link(dir.path(), "theirs", &stubbed);
    assert_same_wit(&ours, &theirs, "export plugin-value: func() -> s32;");
    // dlopen("libplugin.so") + dlsym("value") through wit-component's libdl.so.
    assert_eq!(run(&ours, &["--invoke", "plugin-value()"]).0, "7\n");
    let (_, stderr, code) = run(&ours, &["--invoke", "unlinked()"]);
    assert_ne!(code, Some(0));
    assert!(stderr.contains("unreachable"), "{stderr}");

    // The built-in libdl.so needs a libc.so: said before linking.
    let without_libc = [
        lib("libloader.so"),
        "--use-built-in-libdl".into(),
        "--stub-missing-functions".into(),
    ];
    assert_refused_and_kept(
        &["link"],
        &without_libc,
        &out,
        "the built-in libdl.so needs libc.so",
    );
}

#[test]
fn bad_inputs_are_named_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wasm");
    std::fs::write(&out, b"kept").unwrap();
    // A shared library whose code does not validate (its `_start` keeps it in the link):
    // named (after wit-component fails).
    let bad_body = dir.path().join("libbad.wat");
    std::fs::write(
        &bad_body,
        "(module (@dylink.0 (mem-info)) (func (export \"_start\") i64.const 1))",
    )
    .unwrap();
    let cases: &[(&[OsString], &str)] = &[
        (
            &[bad_body.clone().into()],
            "`libbad.wat` is not a valid module",
        ),
        (&[lib("libmain.so")], "libmain.so needs libgreet.so"),
        (
            &[fixture("c/hello.wasm").into()],
            "`hello.wasm` is not a shared library: it has no `dylink.0` section",
        ),
        (
            &[fixture("components/greeter-dummy.wasm").into()],
            "`greeter-dummy.wasm` is a component",
        ),
        (
            &[fixture("invalid/truncated.wasm").into()],
            "truncated.wasm",
        ),
        (&[fixture("link/calc.c").into()], "calc.c"),
        (&[lib("no-such-lib.so")], "no-such-lib.so"),
        (
            &[
                lib("libgreet.so"),
                named("libgreet.so", &fixture("link/libbase.so")),
            ],
            "two libraries are named `libgreet.so`",
        ),
        (
            &[
                lib("libgreet.so"),
                "--adapt".into(),
                fixture("components/greeter-dummy.wasm").into(),
            ],
            "`greeter-dummy.wasm` is a component",
        ),
    ];
    for (args, needle) in cases {
        assert_refused_and_kept(&["link"], args, &out, needle);
    }
}

#[test]
fn libraries_without_a_world_make_an_empty_component_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let (ours, report) = wct_link(dir.path(), "ours", &[lib("libgreet.so")]);
    assert!(report.contains("the component exports nothing"), "{report}");
    let theirs = wasm_tools_link(dir.path(), "theirs", &[lib("libgreet.so")]);
    let wit = assert_same_wit(&ours, &theirs, "world root {");
    assert!(!wit.contains("import") && !wit.contains("export"), "{wit}");
}

/// The shared libraries inside a componentize-py component (`.so` modules at its top level,
/// named by its component-name section as `wct size` shows them), written into `dir`.
fn python_libraries(component: &Path, dir: &Path) -> Vec<String> {
    let out = wct()
        .args(["size", "--json", "--depth", "1"])
        .arg(component)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<String> = report["root"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "module")
        .map(|c| {
            c["name"]
                .as_str()
                .unwrap()
                .trim_start_matches("module ")
                .to_string()
        })
        .collect();
    let bytes = std::fs::read(component).unwrap();
    let mut modules = Vec::new();
    // parse_all walks into nested modules and components: only depth 0 is the top level.
    let mut depth = 0;
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        match payload.unwrap() {
            wasmparser::Payload::ModuleSection {
                unchecked_range, ..
            } => {
                if depth == 0 {
                    let range = unchecked_range.start as usize..unchecked_range.end as usize;
                    modules.push(bytes[range].to_vec());
                }
                depth += 1;
            }
            wasmparser::Payload::ComponentSection { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth -= 1,
            _ => {}
        }
    }
    assert_eq!(names.len(), modules.len());
    let mut libraries = Vec::new();
    for (name, module) in names.into_iter().zip(modules) {
        if name.ends_with(".so") {
            std::fs::write(dir.join(&name), module).unwrap();
            libraries.push(name);
        }
    }
    libraries
}

#[test]
fn the_libraries_of_a_componentize_py_build_re_link() {
    let component = crate::size::python_hello("hello");
    let dir = tempfile::tempdir().unwrap();
    let libs = python_libraries(&component, dir.path());
    for expected in [
        "libc.so",
        "libdl.so",
        "libpython3.14.so",
        "libcomponentize_py_runtime.so",
        "libcomponentize_py_bindings.so",
        "libwasi-emulated-signal.so",
        "libwasi-emulated-getpid.so",
        "libwasi-emulated-process-clocks.so",
    ] {
        assert!(
            libs.iter().any(|l| l == expected),
            "{expected} not in {libs:?}"
        );
    }
    assert_eq!(libs.len(), 8, "{libs:?}");

    // The encoder drops each library's world when it links: embed them again. The bindings
    // implement `wasi:cli/command`; libc.so and the runtime call WASI 0.2.0 directly.
    let command = dir.path().join("command-wit");
    wct()
        .args(["wit", "print", "wasi:cli/command", "--out-dir"])
        .arg(&command)
        .assert()
        .success();
    let embeds = [
        (
            "libcomponentize_py_bindings.so",
            command.as_os_str().to_owned(),
            "command",
        ),
        ("libc.so", fixture("wasi-history/0.2.0").into(), "imports"),
        (
            "libcomponentize_py_runtime.so",
            fixture("wasi-history/0.2.0").into(),
            "imports",
        ),
    ];
    for (library, wit, world) in &embeds {
        let path = dir.path().join(library);
        let with_world = dir.path().join(format!("{library}.world"));
        wct()
            .arg("embed")
            .arg(wit)
            .args(["--world", world])
            .arg(&path)
            .arg("-o")
            .arg(&with_world)
            .assert()
            .success();
        std::fs::rename(&with_world, &path).unwrap();
    }
    let args: Vec<OsString> = libs
        .iter()
        .map(|l| dir.path().join(l).into_os_string())
        .collect();
    let (ours, report) = wct_link(dir.path(), "ours", &args);
    assert!(report.contains("linked 8 libraries"), "{report}");
    assert!(report.contains("reactor adapter"), "{report}");
    let mut with_adapter = args.clone();
    with_adapter.extend(["--adapt".into(), adapter_arg(dir.path(), "reactor")]);
    let theirs = wasm_tools_link(dir.path(), "theirs", &with_adapter);
    let wit = assert_same_wit(&ours, &theirs, "export wasi:cli/run@0.2.12;");
    assert!(
        wit.contains("import wasi:filesystem/preopens@0.2.12;"),
        "{wit}"
    );
}
