//! How long a program takes to start on the bundled engine, and what starting commits:
//! compile time (cold: no cache), instantiation time, optionally the time until a first call
//! returns (`wasi:cli/run` of a command, or an `--invoke` call), and the linear memory and
//! table elements instantiation created. Guest code runs only when a call is asked for
//! (instantiation itself runs start functions, as every host does).
//!
//! The run and invoke paths report their milestones to a `Timeline` carried in
//! [`RunOptions`], so what is measured is exactly what `wct run` does.

use crate::engine::{Compiled, EngineOptions};
use crate::error::{Error, Result};
use crate::host::Host;
use crate::invoke::{invoke, Invoked};
use crate::run::{prepare_store, run, ComponentState, Program, RunOptions};
use crate::timeline::Timeline;
use crate::{Compiler, Outcome};
use serde::Serialize;
use std::time::{Duration, Instant};
use wasmtime::Store;
use wct_component::{detect, WasmKind};

/// What to call after instantiating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstCall {
    /// Nothing: no guest code beyond instantiation.
    None,
    /// The command's `wasi:cli/run` (or a Preview 1 program's `_start`).
    Run,
    /// These `--invoke` calls, in order; the first one's return is timed.
    Invoke(Vec<String>),
}

/// The measured start of one program.
#[derive(Debug, Clone, Serialize)]
pub struct StartupProfile {
    /// The compiler used.
    pub compiler: Compiler,
    /// Compiling the whole program, without a cache, in milliseconds.
    pub compile_ms: f64,
    /// Instantiating it (imports linked, memories and tables created, start functions run).
    pub instantiate_ms: f64,
    /// The call timed, if one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_call: Option<String>,
    /// From the end of instantiation to the first call's return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_call_ms: Option<f64>,
    /// From the start of instantiation to the first call's return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_to_first_return_ms: Option<f64>,
    /// Linear memory bytes that existed right after instantiation, all memories together.
    pub memory_bytes: u64,
    /// Table elements that existed right after instantiation.
    pub table_elements: u64,
    /// How the call ended when it did not return normally (a trap, an exit code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_outcome: Option<String>,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 100.0
}

/// Compiles `program` without a cache, instantiates it and makes `call`, timing each step.
/// `opts` sandboxes the guest as for `wct run`; its cache is ignored.
pub fn profile(
    program: &Program<'_>,
    opts: &RunOptions,
    call: &FirstCall,
) -> Result<StartupProfile> {
    let compiler = match opts.engine.compiler {
        Compiler::Winch => Compiler::Winch,
        _ => Compiler::Cranelift,
    };
    let timeline = Timeline::recording();
    let opts = RunOptions {
        engine: EngineOptions {
            compiler,
            cache: None,
            progress: opts.engine.progress,
            log_long_compiles: None,
            serving: None,
            module_dir: opts.engine.module_dir.clone(),
        },
        timeline: timeline.clone(),
        ..opts.clone()
    };
    let started = Instant::now();
    let mut call_outcome = None;
    match call {
        FirstCall::None => instantiate_only(program, &opts)?,
        FirstCall::Run => {
            let report = run(program, &opts)?;
            if !matches!(report.outcome, Outcome::Exited { code: 0 }) {
                call_outcome = Some(describe(&report.outcome));
            }
        }
        FirstCall::Invoke(calls) => {
            if let Invoked::Failed(_, outcome) = invoke(program, calls, &opts)? {
                call_outcome = Some(describe(&outcome));
            }
        }
    }
    let marks = timeline.marks();
    let compiled = marks.compiled.unwrap_or(started);
    let (instantiated, limiter) = marks.instantiated.ok_or_else(|| Error::Host {
        step: crate::error::HostStep::Prepare,
        source: format!("{}: instantiation was not reached", program.name).into(),
    })?;
    let first_call = match call {
        FirstCall::None => None,
        FirstCall::Run => Some("run".to_string()),
        FirstCall::Invoke(calls) => calls.first().cloned(),
    };
    Ok(StartupProfile {
        compiler,
        compile_ms: ms(compiled - started),
        instantiate_ms: ms(instantiated - compiled),
        first_call_ms: marks.returned.map(|r| ms(r - instantiated)),
        time_to_first_return_ms: marks.returned.map(|r| ms(r - compiled)),
        first_call: first_call.filter(|_| marks.returned.is_some() || call_outcome.is_some()),
        memory_bytes: limiter.memory_bytes,
        table_elements: limiter.table_elements,
        call_outcome,
    })
}

/// How a call ended that did not return normally.
fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Exited { code } => format!("exited with status {code}"),
        Outcome::Trapped(trap) => format!("trapped: {}", trap.kind),
        Outcome::Stopped { message, .. } => message.clone(),
    }
}

/// Compiles and instantiates, running no export.
fn instantiate_only(program: &Program<'_>, opts: &RunOptions) -> Result<()> {
    match detect(program.wasm) {
        WasmKind::Component => {
            let (compiled, modules) = crate::run::compile_component(program, opts)?;
            let Compiled {
                engine,
                artifact: component,
                ..
            } = compiled;
            opts.timeline.compiled();
            let mut store = Store::new(&engine, ComponentState::new(program, opts)?);
            prepare_store(&mut store, &opts.limits, ComponentState::limiter)?;
            let host = Host::for_component(&engine, &component, false);
            host.drive(host.instantiate(&engine, &component, &modules, &mut store))?
                .map_err(|source| {
                    crate::error::cannot_instantiate(&engine, &component, &program.name, "", source)
                })?;
            opts.timeline.instantiated(store.data_mut().limiter());
            Ok(())
        }
        WasmKind::CoreModule => crate::run::instantiate_module(program, opts).map(drop),
        _ => Err(Error::NotWasm {
            name: program.name.clone(),
        }),
    }
}
