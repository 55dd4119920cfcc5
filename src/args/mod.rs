//! Arguments and helpers that several subcommands share (each subcommand's own module under
//! `commands/` uses them): SOCKET/PLUG inputs of `compose` and `run --plug`, OLD/NEW inputs of
//! `diff` and `semver-check`, the sandbox and engine flags of `run` and `serve` and how their
//! errors and events are worded, the registry flags, and reading a wasm input.

pub mod compose_inputs;
pub mod diff_inputs;
pub mod host;
pub mod host_report;
pub mod input;
pub mod registry;
pub mod wac_inputs;
