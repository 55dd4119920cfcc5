//! WASI 0.3 next to 0.2: which generation a component uses, the asynchronous linker that
//! provides both, and running a command on it.
//!
//! WASI 0.3 functions are `async` in the component model, so a component that imports any
//! 0.3 interface runs on the asynchronous host (a tokio runtime, wasmtime's concurrent
//! calls). Components that only use 0.2 keep the synchronous host, which starts faster. A
//! command exporting `wasi:cli/run@0.3.x` is run through it; otherwise through the 0.2
//! export, as `wasmtime run` does.

use crate::error::Result;
use crate::error::{AtStep, HostStep};
use crate::limits::Limits;
use crate::modules::ProvidedModules;
use crate::outcome::{Limit, Outcome};
use crate::state::ComponentState;
use crate::WasmtimeResultExt;
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};
use wct_wit::wasi_name::{wasi_generation, WasiGeneration, WasiName};

/// The WASI 0.3 interfaces and the 0.3 `run` export a component has, read from its type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WasiGenerations {
    /// Imports of `wasi:*@0.3.*` interfaces.
    pub p3_imports: Vec<String>,
    /// The component exports `wasi:cli/run@0.3.*`.
    pub exports_run_p3: bool,
    /// The component exports `wasi:http/handler@0.3.*`.
    pub exports_http_handler_p3: bool,
}

impl WasiGenerations {
    /// Reads the import and export names of `component`.
    pub fn of(engine: &Engine, component: &Component) -> WasiGenerations {
        let ty = component.component_type();
        let p3_imports = ty
            .imports(engine)
            .map(|(name, _)| name)
            .filter(|name| is_wasi_p3(name))
            .map(str::to_string)
            .collect();
        let exports: Vec<&str> = ty.exports(engine).map(|(name, _)| name).collect();
        let exports_p3 = |interface: &str| {
            exports.iter().any(|e| {
                is_wasi_p3(e) && WasiName::parse(e).is_some_and(|n| n.unversioned() == interface)
            })
        };
        WasiGenerations {
            p3_imports,
            exports_run_p3: exports_p3("wasi:cli/run"),
            exports_http_handler_p3: exports_p3("wasi:http/handler"),
        }
    }

    /// Whether the component needs the asynchronous host.
    pub fn needs_async_host(&self) -> bool {
        !self.p3_imports.is_empty() || self.exports_run_p3 || self.exports_http_handler_p3
    }
}

/// `wasi:pkg/iface@0.3.x`: an interface of WASI 0.3 (release candidates included).
pub fn is_wasi_p3(name: &str) -> bool {
    wasi_generation(name) == Some(WasiGeneration::P3)
}

/// The asynchronous linker: all of WASI 0.2, `wasi:http` included, and on an engine with
/// the component model's concurrency (chosen for components that need it,
/// [`crate::engine::engine`]) all of WASI 0.3 too (0.3's outgoing requests with wct's
/// corrections, [`crate::http_client_p3`]); `modules`: the core modules the component imports.
pub fn async_linker(engine: &Engine, modules: &ProvidedModules) -> Result<Linker<ComponentState>> {
    let mut linker = Linker::new(engine);
    modules.define(&mut linker)?;
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).at(HostStep::Link)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).at(HostStep::Link)?;
    if engine.get_concurrency_support() {
        wasmtime_wasi::p3::add_to_linker(&mut linker).at(HostStep::Link)?;
        wasmtime_wasi_http::p3::add_to_linker(&mut linker).at(HostStep::Link)?;
    }
    crate::config_store::add_to_linker(&mut linker).at(HostStep::Link)?;
    crate::keyvalue::add_to_linker(&mut linker).at(HostStep::Link)?;
    if engine.get_concurrency_support() {
        crate::http_client_p3::link_corrections(&mut linker).at(HostStep::Link)?;
    }
    Ok(linker)
}

/// A runtime for the asynchronous host: WASI's file and socket calls run on its threads.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .at(HostStep::Runtime)
}

/// Runs a command component on the asynchronous host: `wasi:cli/run@0.3` when exported,
/// else the 0.2 `run`; `modules`: the core modules it imports. `store` is prepared (sandbox,
/// limits); the timeout also covers a guest that waits on the host (a sleep, a socket) rather
/// than computing.
pub fn run_command(
    engine: &Engine,
    component: &Component,
    modules: &ProvidedModules,
    mut store: Store<ComponentState>,
    limits: &Limits,
    name: &str,
    timeline: &crate::timeline::Timeline,
) -> Result<Outcome> {
    let generations = WasiGenerations::of(engine, component);
    let linker = async_linker(engine, modules)?;
    let runtime = runtime()?;
    let instantiate_error = |source| {
        crate::error::cannot_instantiate(
            engine,
            component,
            name,
            " as a wasi:cli/command component",
            source,
        )
    };
    runtime.block_on(async {
        let start_timeout = || {
            if let Some(timeout) = limits.timeout {
                crate::limits::start_timeout(engine, timeout);
            }
        };
        let call = async {
            if generations.exports_run_p3 {
                let command = wasmtime_wasi::p3::bindings::Command::instantiate_async(
                    &mut store, component, &linker,
                )
                .await
                .any()
                .map_err(instantiate_error)?;
                timeline.instantiated(store.data_mut().limiter());
                start_timeout();
                let result = store
                    .run_concurrent(async move |store| command.wasi_cli_run().call_run(store).await)
                    .await
                    .and_then(|r| r);
                timeline.returned();
                Ok(result.map(|status| status.is_ok()))
            } else {
                let command = wasmtime_wasi::p2::bindings::Command::instantiate_async(
                    &mut store, component, &linker,
                )
                .await
                .any()
                .map_err(instantiate_error)?;
                timeline.instantiated(store.data_mut().limiter());
                start_timeout();
                let result = command.wasi_cli_run().call_run(&mut store).await;
                timeline.returned();
                Ok::<_, crate::Error>(result.map(|status| status.is_ok()))
            }
        };
        let finished = match limits.timeout {
            // Epoch interruption stops a computing guest; this stops one waiting on the host.
            Some(timeout) => match tokio::time::timeout(timeout, call).await {
                Ok(finished) => finished?,
                Err(_) => {
                    return Ok(Outcome::Stopped {
                        limit: Limit::Timeout,
                        message: format!(
                            "timeout: the guest ran longer than {timeout:?} and was stopped"
                        ),
                    })
                }
            },
            None => call.await?,
        };
        match finished {
            Ok(true) => Ok(Outcome::Exited { code: 0 }),
            Ok(false) => Ok(Outcome::Exited { code: 1 }),
            Err(e) => Outcome::from_error(e, limits.timeout, limits.fuel),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_wasi_generations_apart() {
        assert!(is_wasi_p3("wasi:cli/environment@0.3.0"));
        assert!(is_wasi_p3("wasi:http/handler@0.3.0-rc-2025-09-16"));
        assert!(!is_wasi_p3("wasi:io/streams@0.2.4"));
        assert!(!is_wasi_p3("wasi:cli/run"));
        assert!(!is_wasi_p3("acme:cli/run@0.3.0"));
    }
}
