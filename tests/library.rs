//! The library API exactly as docs/library.md shows it: every `rust` block of that page is
//! part of this file, verbatim (checked below), and each is called on real fixtures.

use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn root(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

/// A toolchain's build step: a WASI Preview 1 module in, a checked component out.
fn preview1_to_component(module: &[u8]) -> anyhow::Result<Vec<u8>> {
    // The bundled adapter; command or reactor follows from the module's exports.
    let adapted = wct_component::adapt::adapt(module, None)?;
    // Check the result against the standard world before shipping it.
    let mut wit = wct_wit::load("wasi:cli/command", &wct_wit::LoadOptions::default())?;
    let world = wit.select_world(None)?;
    let mismatches =
        wct_component::targets::check_targets(&adapted.component, &wit.resolve, world)?;
    anyhow::ensure!(mismatches.is_empty(), "does not fit: {mismatches:?}");
    Ok(adapted.component)
}

/// A core module and the world it implements (from a WIT folder) -> a component.
fn component_from_core(core: &[u8], wit_dir: &str, world: &str) -> anyhow::Result<Vec<u8>> {
    let mut wit = wct_wit::load(wit_dir, &wct_wit::LoadOptions::default())?;
    let world = wit.select_world(Some(world))?;
    let encoding = wit_component::StringEncoding::UTF8;
    let with_types = wct_component::embed::embed(Some(core), &wit.resolve, world, encoding)?;
    let options = wct_component::encode::NewOptions::default();
    Ok(wct_component::encode::new_component(&with_types, &options)?)
}

/// Plugs a greeter into an app; returns the program and the imports that were filled.
fn compose_app(app: Vec<u8>, greeter: Vec<u8>) -> anyhow::Result<(Vec<u8>, Vec<String>)> {
    let components = vec![
        wct_compose::Component {
            name: "app".into(),
            bytes: app,
        },
        wct_compose::Component {
            name: "greeter".into(),
            bytes: greeter,
        },
    ];
    let composed = wct_compose::compose(components, &wct_compose::Options::default())?;
    let filled = composed
        .plan
        .fills
        .iter()
        .map(|f| f.import.clone())
        .collect();
    Ok((composed.wasm.into_vec(), filled))
}

/// The semver bump that the changes between two versions of a WIT package need.
fn required_bump(old_dir: &str, new_dir: &str) -> anyhow::Result<wct_diff::Bump> {
    let options = wct_wit::LoadOptions::default();
    let (old, new) = (
        wct_wit::load(old_dir, &options)?,
        wct_wit::load(new_dir, &options)?,
    );
    let report = wct_diff::diff(&old, &new, wct_diff::DiffOptions::default());
    Ok(report.required_bump())
}

/// Calls an exported function on the bundled engine (sandboxed: nothing granted).
fn call(component: &[u8], call: &str) -> anyhow::Result<Vec<String>> {
    let program = wct_run::Program {
        wasm: component,
        name: "component.wasm".into(),
    };
    let options = wct_run::RunOptions::default();
    match wct_run::invoke::invoke(&program, &[call.to_string()], &options)? {
        wct_run::invoke::Invoked::Returned(mut results) => Ok(results.remove(0)),
        wct_run::invoke::Invoked::Failed(_, outcome) => anyhow::bail!("{outcome:?}"),
    }
}

/// Keeps the server's access log in memory instead of printing it.
#[derive(Default)]
struct AccessLog(std::sync::Mutex<Vec<String>>);

impl wct_run::EventSink for AccessLog {
    fn event(&self, event: &wct_run::Event<'_>) {
        if let wct_run::Event::RequestAnswered { status, .. } = event {
            self.0.lock().unwrap().push(format!("{status}"));
        }
    }
}

/// Serves an HTTP component on a free loopback port until `stop` completes; what the
/// server would log goes to `log`. Errors are typed: a component that is not an HTTP
/// service says what it exports instead.
fn serve(
    component: &[u8],
    log: std::sync::Arc<AccessLog>,
    on_listening: impl FnOnce(std::net::SocketAddr),
    stop: impl std::future::Future<Output = ()> + Send,
) -> Result<u64, wct_run::Error> {
    let program = wct_run::Program {
        wasm: component,
        name: "service.wasm".into(),
    };
    let options = wct_run::serve::ServeOptions {
        addr: "127.0.0.1:0".parse().unwrap(),
        max_concurrency: 4,
        events: wct_run::Events::new(log),
        ..Default::default()
    };
    let server = wct_run::serve::Server::bind(&program, &options)?;
    on_listening(server.local_addr()?);
    Ok(server.run(stop)?.requests)
}

#[test]
fn preview1_module_becomes_a_checked_command() {
    let module = std::fs::read(fixture("c/hello.wasm")).unwrap();
    let component = preview1_to_component(&module).unwrap();
    assert_eq!(
        wct_component::detect(&component),
        wct_component::WasmKind::Component
    );
    // A reactor-style module does not fit the command world: the check says so.
    let reactor = wat::parse_file(fixture("wat/p1-reactor.wat")).unwrap();
    let err = preview1_to_component(&reactor).unwrap_err().to_string();
    assert!(err.contains("does not fit"), "{err}");
}

#[test]
fn core_module_and_wit_become_a_component() {
    let core = std::fs::read(fixture("components/greeter-core.wasm")).unwrap();
    let component = component_from_core(&core, &root("wit/demo"), "greeter").unwrap();
    let exports = call(&component, "greet(\"x\")");
    // The dummy greeter traps when called: it exists, with the right type.
    assert!(exports.unwrap_err().to_string().contains("Trapped"));
    assert!(component_from_core(&core, &root("wit/demo"), "no-such-world").is_err());
}

#[test]
fn composing_reports_what_was_filled() {
    let app = std::fs::read(fixture("compose/hello-app.wasm")).unwrap();
    let greeter = std::fs::read(fixture("compose/greeter.wasm")).unwrap();
    let (program, filled) = compose_app(app, greeter.clone()).unwrap();
    assert_eq!(filled, ["wct:demo/greet@0.1.0"]);
    assert!(wct_component::validate(&program, wasmparser::WasmFeatures::all()).is_ok());
    assert_eq!(
        call(&greeter, "greet(\"library\")").unwrap(),
        ["\"Hello, library!\""]
    );
}

#[test]
fn the_bump_follows_from_the_changes() {
    let old = fixture("wasi-history/0.2.0").display().to_string();
    let new = fixture("wasi-history/0.2.12").display().to_string();
    assert_eq!(required_bump(&old, &new).unwrap(), wct_diff::Bump::Minor);
    let breaking = required_bump(
        &root("wit/demo"),
        &fixture("wit/greet-v2").display().to_string(),
    );
    assert_eq!(breaking.unwrap(), wct_diff::Bump::Major);
}

#[test]
fn serving_sends_the_log_to_the_embedder() {
    let echo = std::fs::read(fixture("http/echo.wasm")).unwrap();
    let log = std::sync::Arc::new(AccessLog::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let client = std::sync::Mutex::new(None);
    let served = serve(
        &echo,
        log.clone(),
        |addr| {
            *client.lock().unwrap() = Some(std::thread::spawn(move || {
                let body = ureq::get(&format!("http://{addr}/hello?name=lib"))
                    .call()
                    .map(|r| r.into_string().unwrap())
                    .map_err(|e| e.to_string());
                let _ = stop.send(());
                body
            }));
        },
        async {
            let _ = stopped.await;
        },
    )
    .unwrap();
    let body = client
        .into_inner()
        .unwrap()
        .unwrap()
        .join()
        .unwrap()
        .unwrap();
    assert!(body.contains("lib"), "{body}");
    assert_eq!(served, 1);
    assert_eq!(*log.0.lock().unwrap(), ["200"]);
    // Not an HTTP component: a typed error naming what it exports.
    let greeter = std::fs::read(fixture("compose/greeter.wasm")).unwrap();
    let err = serve(&greeter, log, |_| {}, async {}).unwrap_err();
    assert!(
        matches!(&err, wct_run::Error::NotHttpComponent { exports, .. }
            if exports == &["wct:demo/greet@0.1.0"]),
        "{err:?}"
    );
}

/// Every `rust` block of docs/library.md appears verbatim in this file.
#[test]
fn the_page_shows_this_code() {
    let page = std::fs::read_to_string(root("docs/library.md")).unwrap();
    let this = include_str!("library.rs");
    let mut blocks = 0;
    for block in page.split("```rust\n").skip(1) {
        let code = block.split("```").next().unwrap();
        assert!(
            this.contains(code),
            "docs/library.md shows code that tests/library.rs lacks:\n{code}"
        );
        blocks += 1;
    }
    assert_eq!(blocks, 6);
}
