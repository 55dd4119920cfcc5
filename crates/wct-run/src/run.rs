//! Running programs: `wasi:cli/command` components, and WASI Preview 1 modules on
//! wasmtime-wasi's own Preview 1 implementation (so `proc_exit(33)` exits 33, exactly as on a
//! Preview 1 host) or, with `via_adapter`, as the component `wct adapt` makes.

use crate::engine::{compile, Compiled, EngineOptions};
use crate::error::{AtStep, HostStep};
use crate::error::{Error, Result};
use crate::events::Events;
use crate::host::Host;
use crate::limits::{start_timeout, Limits, MemoryLimiter};
use crate::modules::ProvidedModules;
use crate::outcome::Outcome;
use crate::sandbox::Sandbox;
pub use crate::state::ComponentState;
use crate::wasi_p3;
use crate::WasmtimeResultExt;
use wasmtime::Store;
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::WasiCtxBuilder;
use wct_component::{detect, WasmKind};

/// The program to run.
pub struct Program<'a> {
    /// Its bytes (a component or a core module).
    pub wasm: &'a [u8],
    /// The name for messages and `argv[0]`.
    pub name: String,
}

/// How to run it.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Arguments after `argv[0]`.
    pub args: Vec<String>,
    /// What the guest may reach.
    pub sandbox: Sandbox,
    /// Limits.
    pub limits: Limits,
    /// Engine and cache settings.
    pub engine: EngineOptions,
    /// Run a Preview 1 module as the component `wct adapt` makes instead of natively.
    pub via_adapter: bool,
    /// Where a denied HTTP request is told.
    pub events: Events,
    /// Where compile, instantiation and the first return are recorded ([`crate::startup`]).
    pub timeline: crate::timeline::Timeline,
}

/// What a run produced besides the outcome.
pub struct RunReport {
    /// How the guest finished.
    pub outcome: Outcome,
    /// Whether optimized code is worth compiling into the cache for later runs.
    pub optimize_later: bool,
    /// A component or a core module.
    pub kind: WasmKind,
    /// How the code was obtained (`--verbose`).
    pub compile: crate::engine::CompileSummary,
}

impl ComponentState {
    /// A fresh state sandboxed as `opts` says.
    pub fn new(program: &Program<'_>, opts: &RunOptions) -> Result<Self> {
        let mut builder = WasiCtxBuilder::new();
        opts.sandbox.configure(&mut builder, &argv(program, opts))?;
        Ok(Self::from_builder(
            builder,
            &opts.sandbox,
            &opts.limits,
            &opts.events,
        ))
    }
}

pub(crate) struct ModuleState {
    wasi: WasiP1Ctx,
    limiter: MemoryLimiter,
}

/// `argv[0]` is the program's file name without its folder (as `wasmtime run` gives it): the
/// guest learns nothing about the host's paths.
fn argv(program: &Program<'_>, opts: &RunOptions) -> Vec<String> {
    let name = std::path::Path::new(&program.name).file_name().map_or_else(
        || program.name.clone(),
        |n| n.to_string_lossy().into_owned(),
    );
    std::iter::once(name)
        .chain(opts.args.iter().cloned())
        .collect()
}

/// Applies fuel, epoch deadline and the memory limiter to a fresh store.
pub fn prepare_store<T: 'static>(
    store: &mut Store<T>,
    limits: &Limits,
    limiter: fn(&mut T) -> &mut MemoryLimiter,
) -> Result<()> {
    store.limiter(move |state| limiter(state) as &mut dyn wasmtime::ResourceLimiter);
    if let Some(fuel) = limits.fuel {
        store.set_fuel(fuel).at(HostStep::Configure)?;
    }
    if limits.timeout.is_some() {
        store.set_epoch_deadline(1);
    }
    Ok(())
}

/// Runs a program to completion.
pub fn run(program: &Program<'_>, opts: &RunOptions) -> Result<RunReport> {
    match detect(program.wasm) {
        WasmKind::Component => run_component(program, opts),
        WasmKind::CoreModule if opts.via_adapter => {
            let adapted = wct_component::adapt::adapt(
                program.wasm,
                Some(wct_component::adapt::AdapterKind::Command),
            )
            .map_err(|source| Error::Adapt {
                name: program.name.clone(),
                source,
            })?;
            let program = Program {
                wasm: &adapted.component,
                name: program.name.clone(),
            };
            run_component(&program, opts)
        }
        WasmKind::CoreModule => run_module(program, opts),
        _ => Err(Error::NotWasm {
            name: program.name.clone(),
        }),
    }
}

/// Compiles the component `program` as `opts` say, with the core modules it imports
/// ([`crate::modules`]).
pub(crate) fn compile_component(
    program: &Program<'_>,
    opts: &RunOptions,
) -> Result<(Compiled<wasmtime::component::Component>, ProvidedModules)> {
    let compiled = compile::<wasmtime::component::Component>(
        program.wasm,
        &program.name,
        &opts.limits,
        &opts.engine,
    )?;
    let modules =
        ProvidedModules::for_compiled(&compiled, program.wasm, &program.name, &opts.engine)?;
    Ok((compiled, modules))
}

fn run_component(program: &Program<'_>, opts: &RunOptions) -> Result<RunReport> {
    let (compiled, modules) = compile_component(program, opts)?;
    opts.timeline.compiled();
    let summary = compiled.summary();
    let Compiled {
        engine,
        artifact: component,
        optimize_later,
        ..
    } = compiled;
    let exports = export_names(&engine, &component);
    let is_command = exports.iter().any(|e| {
        e.strip_prefix("wasi:cli/run@")
            .is_some_and(|v| v.starts_with("0.2.") || v.starts_with("0.3."))
    });
    if !is_command {
        return Err(Error::NotACommand {
            name: program.name.clone(),
            exports,
        });
    }
    let mut store = Store::new(&engine, ComponentState::new(program, opts)?);
    prepare_store(&mut store, &opts.limits, ComponentState::limiter)?;
    let outcome = if Host::for_component(&engine, &component, false) == Host::Async {
        wasi_p3::run_command(
            &engine,
            &component,
            &modules,
            store,
            &opts.limits,
            &program.name,
            &opts.timeline,
        )?
    } else {
        run_p2_command(&engine, &component, &modules, store, opts, &program.name)?
    };
    Ok(RunReport {
        outcome,
        optimize_later,
        kind: WasmKind::Component,
        compile: summary,
    })
}

/// What a component exports, as messages name it: instances by name, functions as
/// `function NAME`.
pub(crate) fn export_names(
    engine: &wasmtime::Engine,
    component: &wasmtime::component::Component,
) -> Vec<String> {
    use wasmtime::component::types::ComponentItem;
    component
        .component_type()
        .exports(engine)
        .map(|(n, item)| match item.ty {
            ComponentItem::ComponentFunc(_) => format!("function {n}"),
            _ => n.to_string(),
        })
        .collect()
}

/// Runs a component that uses only WASI 0.2 on the synchronous host (the fastest start).
fn run_p2_command(
    engine: &wasmtime::Engine,
    component: &wasmtime::component::Component,
    modules: &ProvidedModules,
    mut store: Store<ComponentState>,
    opts: &RunOptions,
    name: &str,
) -> Result<Outcome> {
    let linker = crate::host::sync_linker(engine, modules)?;
    let command =
        wasmtime_wasi::p2::bindings::sync::Command::instantiate(&mut store, component, &linker)
            .any()
            .map_err(|e| {
                crate::error::cannot_instantiate(
                    engine,
                    component,
                    name,
                    " as a wasi:cli/command component",
                    e,
                )
            })?;
    opts.timeline.instantiated(store.data_mut().limiter());
    if let Some(timeout) = opts.limits.timeout {
        start_timeout(engine, timeout);
    }
    let called = command.wasi_cli_run().call_run(&mut store);
    opts.timeline.returned();
    Ok(match called {
        Ok(Ok(())) => Outcome::Exited { code: 0 },
        Ok(Err(())) => Outcome::Exited { code: 1 },
        Err(e) => Outcome::from_error(e, opts.limits.timeout, opts.limits.fuel)?,
    })
}

fn run_module(program: &Program<'_>, opts: &RunOptions) -> Result<RunReport> {
    let Instantiated {
        engine,
        mut store,
        instance,
        summary,
        optimize_later,
    } = instantiate_module(program, opts)?;
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .map_err(|_| Error::NoStart {
            name: program.name.clone(),
        })?;
    if let Some(timeout) = opts.limits.timeout {
        start_timeout(&engine, timeout);
    }
    let called = start.call(&mut store, ());
    opts.timeline.returned();
    let outcome = match called {
        Ok(()) => Outcome::Exited { code: 0 },
        Err(e) => Outcome::from_error(e, opts.limits.timeout, opts.limits.fuel)?,
    };
    Ok(RunReport {
        outcome,
        optimize_later,
        kind: WasmKind::CoreModule,
        compile: summary,
    })
}

/// A Preview 1 program, compiled and instantiated.
pub(crate) struct Instantiated {
    pub(crate) engine: wasmtime::Engine,
    pub(crate) store: Store<ModuleState>,
    pub(crate) instance: wasmtime::Instance,
    summary: crate::engine::CompileSummary,
    optimize_later: bool,
}

/// Compiles and instantiates a Preview 1 program on wasmtime-wasi's Preview 1 host.
pub(crate) fn instantiate_module(program: &Program<'_>, opts: &RunOptions) -> Result<Instantiated> {
    let compiled =
        compile::<wasmtime::Module>(program.wasm, &program.name, &opts.limits, &opts.engine)?;
    opts.timeline.compiled();
    let summary = compiled.summary();
    let Compiled {
        engine,
        artifact: module,
        optimize_later,
        ..
    } = compiled;
    let mut builder = WasiCtxBuilder::new();
    opts.sandbox.configure(&mut builder, &argv(program, opts))?;
    let state = ModuleState {
        wasi: builder.build_p1(),
        limiter: MemoryLimiter::new(opts.limits.max_memory),
    };
    let mut linker = wasmtime::Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s: &mut ModuleState| &mut s.wasi)
        .at(HostStep::Link)?;
    let mut store = Store::new(&engine, state);
    prepare_store(&mut store, &opts.limits, |s| &mut s.limiter)?;
    let instance =
        linker
            .instantiate(&mut store, &module)
            .any()
            .map_err(|e| Error::CannotInstantiate {
                name: program.name.clone(),
                as_what: " as a WASI Preview 1 program",
                foreign_imports: Vec::new(),
                source: e.into(),
            })?;
    opts.timeline.instantiated(&store.data().limiter);
    Ok(Instantiated {
        engine,
        store,
        instance,
        summary,
        optimize_later,
    })
}
