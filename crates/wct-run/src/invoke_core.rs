//! Calling exported functions of a core module (`f(1, 2)`), as `wasmtime run --invoke` does:
//! numbers in and out, one per line. The module is instantiated once on the WASI Preview 1
//! host (a reactor's `_initialize` runs first) and the calls are made in order.

use crate::call::{resolve_name, split_call, Callable, Invoked};
use crate::error::{AtStep, HostStep};
use crate::error::{CallError, Result};
use crate::limits::start_timeout;
use crate::outcome::Outcome;
use crate::run::{instantiate_module, Program, RunOptions};
use wasmtime::{FuncType, Val, ValType};

/// Every function the instance exports, with its core signature, in export order.
fn callables(
    store: &mut wasmtime::Store<crate::run::ModuleState>,
    instance: &wasmtime::Instance,
) -> Vec<(Callable, FuncType)> {
    let exports: Vec<(String, wasmtime::Func)> = instance
        .exports(&mut *store)
        .filter_map(|e| {
            let name = e.name().to_string();
            e.into_func().map(|f| (name, f))
        })
        .collect();
    exports
        .into_iter()
        .map(|(name, func)| {
            let ty = func.ty(&*store);
            let callable = Callable {
                name,
                signature: signature(&ty),
                is_async: false,
            };
            (callable, ty)
        })
        .collect()
}

/// `func(i32, i64) -> f64`, in the text format's type names.
fn signature(f: &FuncType) -> String {
    let list = |types: &mut dyn Iterator<Item = ValType>| -> Vec<String> {
        types.map(|t| t.to_string()).collect()
    };
    let params = list(&mut f.params());
    let results = list(&mut f.results());
    let mut s = format!("func({})", params.join(", "));
    if !results.is_empty() {
        s.push_str(&format!(" -> {}", results.join(", ")));
    }
    s
}

/// A number written for a parameter of type `ty`: integers in decimal or `0x` hex (an `i32`
/// also takes values up to `u32::MAX`, as wasmtime does), floats as Rust reads them (`nan`,
/// `inf` included).
fn parse_value(ty: &ValType, text: &str) -> Option<Val> {
    let int = |text: &str| -> Option<i128> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let value = match digits.strip_prefix("0x") {
            Some(hex) => i128::from_str_radix(&hex.replace('_', ""), 16).ok()?,
            None => digits.replace('_', "").parse::<i128>().ok()?,
        };
        Some(if negative { -value } else { value })
    };
    Some(match ty {
        ValType::I32 => {
            let v = int(text)?;
            let v = i32::try_from(v)
                .or_else(|_| u32::try_from(v).map(|u| u as i32))
                .ok()?;
            Val::I32(v)
        }
        ValType::I64 => {
            let v = int(text)?;
            let v = i64::try_from(v)
                .or_else(|_| u64::try_from(v).map(|u| u as i64))
                .ok()?;
            Val::I64(v)
        }
        ValType::F32 => Val::F32(text.parse::<f32>().ok()?.to_bits()),
        ValType::F64 => Val::F64(text.parse::<f64>().ok()?.to_bits()),
        _ => return None,
    })
}

/// A result as wasmtime prints it: integers signed, floats in Rust's shortest form.
fn show(value: &Val) -> String {
    match value {
        Val::I32(v) => v.to_string(),
        Val::I64(v) => v.to_string(),
        Val::F32(bits) => f32::from_bits(*bits).to_string(),
        Val::F64(bits) => f64::from_bits(*bits).to_string(),
        Val::V128(v) => format!("{:#034x}", v.as_u128()),
        Val::FuncRef(None) | Val::ExternRef(None) | Val::AnyRef(None) | Val::ExnRef(None) => {
            "null".into()
        }
        _ => "<ref>".into(),
    }
}

/// The arguments of `call` (the text inside the parentheses), one per parameter of `ty`.
fn arguments(args: &str, function: &Callable, ty: &FuncType) -> Result<Vec<Val>> {
    let inner = args
        .trim()
        .strip_prefix('(')
        .and_then(|a| a.strip_suffix(')'))
        .unwrap_or(args)
        .trim();
    let texts: Vec<&str> = if inner.is_empty() {
        Vec::new()
    } else {
        inner.split(',').map(str::trim).collect()
    };
    if texts.len() != ty.params().len() {
        return Err(CallError::Arity {
            function: function.name.clone(),
            signature: function.signature.clone(),
            expected: ty.params().len(),
            given: texts.len(),
        }
        .into());
    }
    let mut values = Vec::with_capacity(texts.len());
    for (i, (text, param)) in texts.iter().zip(ty.params()).enumerate() {
        let value = parse_value(&param, text).ok_or_else(|| CallError::InvalidValue {
            param: (i + 1).to_string(),
            text: text.to_string(),
            expected: format!(
                "{param}{}",
                if matches!(
                    param,
                    ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64
                ) {
                    ""
                } else {
                    " (only numbers can be passed to a core function)"
                }
            ),
            source: None,
        })?;
        values.push(value);
    }
    Ok(values)
}

/// Instantiates the core module once and makes each call in `calls` in order.
pub(crate) fn invoke_module(
    program: &Program<'_>,
    calls: &[String],
    opts: &RunOptions,
) -> Result<Invoked> {
    let mut instantiated = instantiate_module(program, opts)?;
    let store = &mut instantiated.store;
    let exported = callables(store, &instantiated.instance);
    let functions: Vec<Callable> = exported.iter().map(|(c, _)| c.clone()).collect();
    let mut targets = Vec::with_capacity(calls.len());
    for call in calls {
        let (name, args) = split_call(call)?;
        let target = resolve_name(&functions, name)?;
        let (_, ty) = exported
            .iter()
            .find(|(c, _)| c.name == target.name)
            .expect("resolved among the exports");
        targets.push((target.clone(), arguments(args, target, ty)?, ty.clone()));
    }
    if let Some(init) = instantiated.instance.get_func(&mut *store, "_initialize") {
        init.call(&mut *store, &[], &mut [])
            .at(HostStep::Initialize)?;
    }
    if let Some(timeout) = opts.limits.timeout {
        start_timeout(&instantiated.engine, timeout);
    }
    let mut printed = Vec::new();
    for (target, params, ty) in targets {
        let func = instantiated
            .instance
            .get_func(&mut *store, &target.name)
            .expect("an exported function");
        let mut results = vec![Val::I32(0); ty.results().len()];
        let called = func.call(&mut *store, &params, &mut results);
        opts.timeline.returned();
        if let Err(e) = called {
            return Ok(Invoked::Failed(
                printed,
                Outcome::from_error(e, opts.limits.timeout, opts.limits.fuel)?,
            ));
        }
        printed.push(results.iter().map(show).collect());
    }
    Ok(Invoked::Returned(printed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_as_their_parameter_types() {
        assert!(matches!(
            parse_value(&ValType::I32, "-7"),
            Some(Val::I32(-7))
        ));
        assert!(matches!(
            parse_value(&ValType::I32, "4294967295"),
            Some(Val::I32(-1))
        ));
        assert!(matches!(
            parse_value(&ValType::I64, "0x10"),
            Some(Val::I64(16))
        ));
        assert!(parse_value(&ValType::I32, "4294967296").is_none());
        assert!(parse_value(&ValType::I32, "\"a\"").is_none());
        let Some(Val::F64(bits)) = parse_value(&ValType::F64, "2.5") else {
            panic!("f64")
        };
        assert_eq!(show(&Val::F64(bits)), "2.5");
    }
}
