//! The one place that decides which host a component runs on, and the one way to instantiate
//! it and call its functions there, whichever host it is.
//!
//! A component that uses WASI 0.3, or whose function to call is `async`, runs on the
//! asynchronous host (wasmtime's concurrent calls on a tokio runtime); everything else on the
//! synchronous host, which starts faster. The code that instantiates and calls is written
//! once, as `async` code: on the synchronous host it never waits, and [`Host::drive`] runs it
//! to the end in one poll, with no runtime.

use crate::error::{AtStep, Error, HostStep, Result};
use crate::modules::ProvidedModules;
use crate::state::ComponentState;
use crate::wasi_p3::WasiGenerations;
use crate::WasmtimeResultExt;
use std::future::Future;
use std::time::Duration;
use wasmtime::component::{Component, Func, Instance, Val};
use wasmtime::{Engine, Store};

/// Which host a component runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host {
    /// WASI 0.2 alone, called synchronously.
    Sync,
    /// WASI 0.3 beside 0.2, called concurrently on a tokio runtime.
    Async,
}

/// How a call ended: its result, or the timeout while it waited on the host (a computing
/// guest is stopped by epoch interruption instead, and returns a trap).
pub(crate) enum Called {
    /// The call returned or trapped.
    Finished(wasmtime::Result<()>),
    /// The call waited on the host past the timeout.
    TimedOut,
}

impl Host {
    /// The host for `component`: asynchronous when it uses WASI 0.3 or `calls_async` (a
    /// function to call is `async`).
    pub(crate) fn for_component(engine: &Engine, component: &Component, calls_async: bool) -> Host {
        if calls_async || WasiGenerations::of(engine, component).needs_async_host() {
            Host::Async
        } else {
            Host::Sync
        }
    }

    /// Runs `work` on this host: to the end in one poll on the synchronous host, on a tokio
    /// runtime on the asynchronous one.
    pub(crate) fn drive<T>(self, work: impl Future<Output = Result<T>>) -> Result<T> {
        match self {
            Host::Async => crate::wasi_p3::runtime()?.block_on(work),
            Host::Sync => {
                let mut work = std::pin::pin!(work);
                let mut context = std::task::Context::from_waker(std::task::Waker::noop());
                match work.as_mut().poll(&mut context) {
                    std::task::Poll::Ready(result) => result,
                    std::task::Poll::Pending => Err(Error::Host {
                        step: HostStep::Call,
                        source: "the synchronous host was asked to wait".into(),
                    }),
                }
            }
        }
    }

    /// Instantiates `component` in `store` with every WASI interface this host links; a
    /// refusal is returned as the linker's error, for the caller to explain.
    pub(crate) async fn instantiate(
        self,
        engine: &Engine,
        component: &Component,
        modules: &ProvidedModules,
        store: &mut Store<ComponentState>,
    ) -> Result<std::result::Result<Instance, anyhow::Error>> {
        Ok(match self {
            Host::Sync => sync_linker(engine, modules)?
                .instantiate(store, component)
                .any(),
            Host::Async => crate::wasi_p3::async_linker(engine, modules)?
                .instantiate_async(store, component)
                .await
                .any(),
        })
    }

    /// Calls `func`, stopping a call that waits on the host longer than `timeout`.
    pub(crate) async fn call(
        self,
        func: Func,
        store: &mut Store<ComponentState>,
        params: &[Val],
        results: &mut [Val],
        timeout: Option<Duration>,
    ) -> Called {
        match self {
            Host::Sync => Called::Finished(func.call(store, params, results)),
            Host::Async => {
                let called = func.call_async(store, params, results);
                match timeout {
                    Some(timeout) => match tokio::time::timeout(timeout, called).await {
                        Ok(called) => Called::Finished(called),
                        Err(_) => Called::TimedOut,
                    },
                    None => Called::Finished(called.await),
                }
            }
        }
    }
}

/// A linker with everything a component may import from the host, synchronous flavour:
/// all of WASI 0.2 (`wasi:cli`, filesystem, sockets, clocks, random, io) and `wasi:http`
/// (componentize-js components import it for `fetch`). What the guest may actually reach is
/// decided at call time by the [`crate::Sandbox`]. `modules`: the core modules the component
/// imports.
pub(crate) fn sync_linker(
    engine: &wasmtime::Engine,
    modules: &ProvidedModules,
) -> Result<wasmtime::component::Linker<ComponentState>> {
    let mut linker = wasmtime::component::Linker::new(engine);
    modules.define(&mut linker)?;
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).at(HostStep::Link)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_sync(&mut linker).at(HostStep::Link)?;
    crate::config_store::add_to_linker(&mut linker).at(HostStep::Link)?;
    crate::keyvalue::add_to_linker(&mut linker).at(HostStep::Link)?;
    Ok(linker)
}
