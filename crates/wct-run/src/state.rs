//! The host state of a component run or a served request: WASI (`wasi:cli`, filesystem,
//! sockets...) and `wasi:http` of 0.2 and 0.3, with the sandbox's grants and the memory cap.

use crate::events::Events;
use crate::http_policy::HttpPolicy;
use crate::limits::{Limits, MemoryLimiter};
use crate::sandbox::Sandbox;
use std::collections::HashMap;
use wasmtime::component::{Resource, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::p3::Request;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// Host state of a component run: WASI (`wasi:cli`, filesystem, sockets...) and `wasi:http`.
pub struct ComponentState {
    ctx: WasiCtx,
    http: WasiHttpCtx,
    http_policy: HttpPolicy,
    table: ResourceTable,
    limiter: MemoryLimiter,
    relative_paths: RelativePaths,
    config: crate::config_store::ConfigVariables,
    keyvalue: crate::keyvalue::KeyValueGrant,
}

impl WasiHttpView for ComponentState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.http_policy,
        }
    }
}

impl WasiView for ComponentState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

impl crate::keyvalue::HasKeyValue for ComponentState {
    fn keyvalue(&mut self) -> crate::keyvalue::KeyValue<'_> {
        crate::keyvalue::KeyValue {
            grant: &self.keyvalue,
            table: &mut self.table,
        }
    }
}

impl crate::config_store::HasConfigVariables for ComponentState {
    fn config_variables(&self) -> &crate::config_store::ConfigVariables {
        &self.config
    }
}

impl ComponentState {
    /// The memory limiter, for [`crate::run::prepare_store`].
    pub fn limiter(&mut self) -> &mut MemoryLimiter {
        &mut self.limiter
    }

    /// The relative `path-with-query`s WASI 0.3 requests were given, and their resource table.
    pub(crate) fn requests(&mut self) -> (&mut RelativePaths, &mut ResourceTable) {
        (&mut self.relative_paths, &mut self.table)
    }

    /// A fresh state with the WASI context `builder` makes, HTTP grants from `sandbox` (denials
    /// told to `events`) and the memory cap of `limits`.
    pub fn from_builder(
        mut builder: WasiCtxBuilder,
        sandbox: &Sandbox,
        limits: &Limits,
        events: &Events,
    ) -> Self {
        ComponentState {
            ctx: builder.build(),
            http: WasiHttpCtx::new(),
            http_policy: sandbox.http_policy(events.clone()),
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(limits.max_memory),
            relative_paths: Default::default(),
            config: crate::config_store::ConfigVariables::new(sandbox.config.iter().cloned()),
            keyvalue: sandbox.keyvalue.clone(),
        }
    }
}

/// The relative references guests set as a WASI 0.3 request's `path-with-query`, by the
/// request's resource: the request itself holds `/` + the reference (the `http` crate's form
/// must start with `/`); [`crate::http_client_p3`] reads them back and resolves them.
#[derive(Debug, Default)]
pub struct RelativePaths(HashMap<u32, String>);

impl RelativePaths {
    /// The reference set on `request`, if its path is still the one stored for it.
    pub(crate) fn get(
        &self,
        request: &Resource<Request>,
        stored: Option<&http::uri::PathAndQuery>,
    ) -> Option<&str> {
        let relative = self.0.get(&request.rep())?;
        let stored = stored?.as_str();
        (stored.strip_prefix('/') == Some(relative.as_str())).then_some(relative.as_str())
    }

    /// Remembers `reference` as `request`'s path, or forgets it (`None`).
    pub(crate) fn set(&mut self, request: &Resource<Request>, reference: Option<String>) {
        match reference {
            Some(reference) => self.0.insert(request.rep(), reference),
            None => self.0.remove(&request.rep()),
        };
    }
}
