//! How a run ended, and the exit status `wct` gives for it.

use crate::limits::MemoryLimitExceeded;
use serde::Serialize;
use wasmtime::{Trap, WasmBacktrace};

/// Exit status when the guest traps (128 + SIGABRT, as a native crash would).
pub const EXIT_TRAP: i32 = 134;
/// Exit status when `--timeout` stops the guest (as coreutils `timeout`).
pub const EXIT_TIMEOUT: i32 = 124;
/// Exit status when `--fuel` runs out.
pub const EXIT_FUEL: i32 = 125;
/// Exit status when `--max-memory` stops the guest (128 + SIGKILL, as an OOM kill).
pub const EXIT_MEMORY: i32 = 137;

/// Which limit stopped the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Limit {
    /// `--timeout`.
    Timeout,
    /// `--fuel`.
    Fuel,
    /// `--max-memory`.
    Memory,
}

/// A trap: its kind, message and the guest backtrace.
#[derive(Debug, Clone, Serialize)]
pub struct TrapReport {
    /// The trap kind.
    pub kind: TrapKind,
    /// The full error message.
    pub message: String,
    /// Frames, innermost first: `module!function` with the name section's names.
    pub backtrace: Vec<String>,
}

/// The kind of a trap, wasmtime's own (in text and JSON: `unreachable`, `memory out of
/// bounds`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrapKind(pub Trap);

impl std::fmt::Display for TrapKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = self.0.to_string();
        f.write_str(text.trim_start_matches("wasm trap: "))
    }
}

impl Serialize for TrapKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// How the guest finished.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum Outcome {
    /// It exited (or returned) with this status.
    Exited {
        /// The status.
        code: i32,
    },
    /// It trapped.
    Trapped(TrapReport),
    /// A limit stopped it.
    Stopped {
        /// Which limit.
        limit: Limit,
        /// The message to show.
        message: String,
    },
}

impl Outcome {
    /// The exit status `wct run` gives: the guest's own code, or one of the `EXIT_*`s.
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Exited { code } => *code,
            Outcome::Trapped(_) => EXIT_TRAP,
            Outcome::Stopped {
                limit: Limit::Timeout,
                ..
            } => EXIT_TIMEOUT,
            Outcome::Stopped {
                limit: Limit::Fuel, ..
            } => EXIT_FUEL,
            Outcome::Stopped {
                limit: Limit::Memory,
                ..
            } => EXIT_MEMORY,
        }
    }

    /// Classifies an error from running the guest; `Err` gives back errors that are not about
    /// the guest's execution (instantiation failures and the like).
    pub fn from_error(
        err: wasmtime::Error,
        timeout: Option<std::time::Duration>,
        fuel: Option<u64>,
    ) -> crate::Result<Outcome> {
        if let Some(exit) = err.downcast_ref::<wasmtime_wasi::I32Exit>() {
            return Ok(Outcome::Exited { code: exit.0 });
        }
        if let Some(mem) = err.downcast_ref::<MemoryLimitExceeded>() {
            return Ok(Outcome::Stopped {
                limit: Limit::Memory,
                message: mem.to_string(),
            });
        }
        let Some(trap) = err.downcast_ref::<Trap>() else {
            return Err(crate::Error::Host {
                step: crate::error::HostStep::Call,
                source: err.into(),
            });
        };
        match trap {
            Trap::Interrupt => Ok(Outcome::Stopped {
                limit: Limit::Timeout,
                message: format!(
                    "timeout: the guest ran longer than {} and was interrupted",
                    timeout
                        .map(|t| format!("{t:?}"))
                        .unwrap_or_else(|| "its time limit".into())
                ),
            }),
            Trap::OutOfFuel => Ok(Outcome::Stopped {
                limit: Limit::Fuel,
                message: format!(
                    "out of fuel: the guest used all {} units of its fuel",
                    fuel.map(|f| f.to_string()).unwrap_or_default()
                ),
            }),
            trap => {
                let backtrace = err
                    .downcast_ref::<WasmBacktrace>()
                    .map(|bt| {
                        bt.frames()
                            .iter()
                            .map(|f| {
                                let module = f.module().name().unwrap_or("<module>");
                                let func = f
                                    .func_name()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| format!("<function {}>", f.func_index()));
                                format!("{module}!{func}")
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Ok(Outcome::Trapped(TrapReport {
                    kind: TrapKind(*trap),
                    message: format!("{err:#}"),
                    backtrace,
                }))
            }
        }
    }
}
