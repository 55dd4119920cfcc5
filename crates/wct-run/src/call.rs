//! What both kinds of `--invoke` share (a component's calls in WAVE, a core module's in
//! numbers): the exports that can be called, finding the one a call names, splitting a call
//! into name and arguments, and what a series of calls gives back.

use crate::error::{CallError, Result};
use crate::outcome::Outcome;

/// A callable export: its full name and WIT-like signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callable {
    /// `name` or `iface#name`.
    pub name: String,
    /// `func(a: u32) -> string` (`async func(...)` for an async function).
    pub signature: String,
    /// Whether it is an `async func`.
    pub is_async: bool,
}

impl Callable {
    /// `name: signature`, as listed in messages.
    pub fn listing(&self) -> String {
        format!("{}: {}", self.name, self.signature)
    }
}

/// Finds the callable named `name`: an exact export name, a name without the interface
/// version, or a bare function name that only one export has.
pub fn resolve_name<'c>(callables: &'c [Callable], name: &str) -> Result<&'c Callable> {
    let strip_version = |s: &str| -> String {
        match s.split_once('#') {
            Some((iface, f)) => format!("{}#{f}", wct_wit::semver_key::base_name(iface)),
            None => s.to_string(),
        }
    };
    let exact: Vec<_> = callables.iter().filter(|c| c.name == name).collect();
    let loose: Vec<_> = callables
        .iter()
        .filter(|c| strip_version(&c.name) == strip_version(name))
        .collect();
    let bare: Vec<_> = callables
        .iter()
        .filter(|c| c.name.rsplit('#').next() == Some(name))
        .collect();
    for candidates in [exact, loose, bare] {
        match candidates.len() {
            0 => continue,
            1 => return Ok(candidates[0]),
            _ => {
                return Err(CallError::Ambiguous {
                    name: name.to_string(),
                    candidates: candidates.iter().map(|c| c.listing()).collect(),
                }
                .into())
            }
        }
    }
    Err(CallError::NoSuchFunction {
        name: name.to_string(),
        exports: callables.iter().map(Callable::listing).collect(),
    }
    .into())
}

/// The result of a sequence of invocations.
pub enum Invoked {
    /// Every call returned; for each call, its results (in WAVE, resources as `#N`).
    Returned(Vec<Vec<String>>),
    /// A call did not return normally; the results of the calls before it come first.
    Failed(Vec<Vec<String>>, Outcome),
}

/// Splits `name(args)` into the name and the parenthesised argument text.
pub(crate) fn split_call(call: &str) -> Result<(&str, &str), CallError> {
    let syntax = |problem| CallError::Syntax {
        call: call.to_string(),
        problem,
    };
    let open = call
        .find('(')
        .ok_or_else(|| syntax("expected NAME(ARGS)"))?;
    let (name, args) = call.split_at(open);
    if !args.trim_end().ends_with(')') {
        return Err(syntax("missing `)`"));
    }
    Ok((name.trim(), args.trim_end()))
}
