//! Calling an exported function of a component with typed arguments written in WAVE
//! (`greet("world")`, `demo:greeter/greet#greet("world")`), printing the results in WAVE.

use crate::call::split_call;
pub use crate::call::{resolve_name, Callable, Invoked};
use crate::engine::Compiled;
use crate::error::{CallError, Result};
use crate::host::{Called, Host};
use crate::limits::start_timeout;
use crate::outcome::Outcome;
use crate::run::{prepare_store, ComponentState, Program, RunOptions};
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Func, Val};
use wasmtime::{Engine, Store};

/// Every exported function (top level and one instance deep), in export order.
pub fn callables(engine: &Engine, component: &Component) -> Vec<Callable> {
    let mut out = Vec::new();
    let ty = component.component_type();
    for (name, item) in ty.exports(engine) {
        match item.ty {
            ComponentItem::ComponentFunc(f) => out.push(Callable {
                name: name.to_string(),
                signature: signature(&f),
                is_async: f.async_(),
            }),
            ComponentItem::ComponentInstance(instance) => {
                for (fname, item) in instance.exports(engine) {
                    if let ComponentItem::ComponentFunc(f) = item.ty {
                        out.push(Callable {
                            name: format!("{name}#{fname}"),
                            signature: signature(&f),
                            is_async: f.async_(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn signature(f: &wasmtime::component::types::ComponentFunc) -> String {
    let params: Vec<String> = f
        .params()
        .map(|(n, t)| format!("{n}: {}", type_desc(&t)))
        .collect();
    let results: Vec<String> = f.results().map(|t| type_desc(&t)).collect();
    let keyword = if f.async_() { "async func" } else { "func" };
    let mut s = format!("{keyword}({})", params.join(", "));
    if !results.is_empty() {
        s.push_str(&format!(" -> {}", results.join(", ")));
    }
    s
}

fn type_desc(ty: &wasmtime::component::Type) -> String {
    use wasmtime::component::Type as T;
    match ty {
        T::Bool => "bool".into(),
        T::S8 => "s8".into(),
        T::U8 => "u8".into(),
        T::S16 => "s16".into(),
        T::U16 => "u16".into(),
        T::S32 => "s32".into(),
        T::U32 => "u32".into(),
        T::S64 => "s64".into(),
        T::U64 => "u64".into(),
        T::Float32 => "f32".into(),
        T::Float64 => "f64".into(),
        T::Char => "char".into(),
        T::String => "string".into(),
        T::List(l) => format!("list<{}>", type_desc(&l.ty())),
        T::Option(o) => format!("option<{}>", type_desc(&o.ty())),
        T::Result(r) => {
            let show = |t: Option<wasmtime::component::Type>| {
                t.map(|t| type_desc(&t)).unwrap_or_else(|| "_".into())
            };
            format!("result<{}, {}>", show(r.ok()), show(r.err()))
        }
        T::Tuple(t) => format!(
            "tuple<{}>",
            t.types()
                .map(|t| type_desc(&t))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        T::Record(r) => format!(
            "record {{ {} }}",
            r.fields()
                .map(|f| format!("{}: {}", f.name, type_desc(&f.ty)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        T::Variant(v) => format!(
            "variant {{ {} }}",
            v.cases()
                .map(|c| match c.ty {
                    Some(t) => format!("{}({})", c.name, type_desc(&t)),
                    None => c.name.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        T::Enum(e) => format!("enum {{ {} }}", e.names().collect::<Vec<_>>().join(", ")),
        T::Flags(f) => format!("flags {{ {} }}", f.names().collect::<Vec<_>>().join(", ")),
        T::Stream(s) => match s.ty() {
            Some(t) => format!("stream<{}>", type_desc(&t)),
            None => "stream".into(),
        },
        T::Future(f) => match f.ty() {
            Some(t) => format!("future<{}>", type_desc(&t)),
            None => "future".into(),
        },
        T::ErrorContext => "error-context".into(),
        T::Own(_) => "own<resource>".into(),
        T::Borrow(_) => "borrow<resource>".into(),
        other => format!("{other:?}"),
    }
}

fn lookup(
    store: &mut Store<ComponentState>,
    instance: &wasmtime::component::Instance,
    name: &str,
) -> Option<Func> {
    match name.split_once('#') {
        Some((iface, f)) => {
            let parent = instance.get_export_index(&mut *store, None, iface)?;
            let idx = instance.get_export_index(&mut *store, Some(&parent), f)?;
            instance.get_func(&mut *store, idx)
        }
        None => instance.get_func(&mut *store, name),
    }
}

/// For a `string` or `char` written without quotes: how WAVE writes it.
fn quoting_hint(ty: &wasmtime::component::Type, text: &str) -> String {
    use wasmtime::component::Type as T;
    match ty {
        T::String if !text.starts_with('"') => {
            format!(
                " (WAVE writes strings in double quotes: \"{}\")",
                text.escape_default()
            )
        }
        T::Char if !text.starts_with('\'') => {
            format!(
                " (WAVE writes a char in single quotes: '{}')",
                text.escape_default()
            )
        }
        _ => String::new(),
    }
}

fn is_handle_param(ty: &wasmtime::component::Type) -> bool {
    matches!(
        ty,
        wasmtime::component::Type::Own(_) | wasmtime::component::Type::Borrow(_)
    )
}

/// WAVE has no syntax for resource handles: `#N` outside string literals becomes the string
/// `"#N"` so the arguments parse, and is turned back into a handle for resource parameters.
fn quote_handles(args: &str) -> String {
    let mut out = String::with_capacity(args.len() + 8);
    let mut chars = args.chars().peekable();
    let (mut in_string, mut escaped) = (false, false);
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '#' if chars.peek().is_some_and(|d| d.is_ascii_digit()) => {
                out.push_str("\"#");
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    out.push(*d);
                    chars.next();
                }
                out.push('"');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Names to try for what the user wrote: resource sugar `r.new(..)`/`r.constructor(..)` for
/// `[constructor]r`, and `r.m(..)` for `[method]r.m` or `[static]r.m`.
fn candidate_names(name: &str) -> Vec<String> {
    let (prefix, item) = match name.rsplit_once('#') {
        Some((iface, item)) => (format!("{iface}#"), item),
        None => (String::new(), name),
    };
    let mut out = vec![name.to_string()];
    if let Some((resource, member)) = item.split_once('.') {
        if member == "new" || member == "constructor" {
            out.push(format!("{prefix}[constructor]{resource}"));
        }
        out.push(format!("{prefix}[method]{item}"));
        out.push(format!("{prefix}[static]{item}"));
    }
    out
}

/// Instantiates the component once and makes each call in `calls` (WAVE syntax) in order.
/// Resources returned by a call are shown as `#N` and can be passed to later calls as `#N`.
/// `async func` exports, and components that use WASI 0.3, are called on the asynchronous
/// host; functions whose parameters or results hold a `stream`, `future` or `error-context`
/// are refused (WAVE has no way to write them).
pub fn invoke(program: &Program<'_>, calls: &[String], opts: &RunOptions) -> Result<Invoked> {
    if wct_component::detect(program.wasm) == wct_component::WasmKind::CoreModule {
        return crate::invoke_core::invoke_module(program, calls, opts);
    }
    let (compiled, modules) = crate::run::compile_component(program, opts)?;
    let Compiled {
        engine,
        artifact: component,
        ..
    } = compiled;
    opts.timeline.compiled();
    let callables = callables(&engine, &component);
    let mut store = Store::new(&engine, ComponentState::new(program, opts)?);
    prepare_store(&mut store, &opts.limits, ComponentState::limiter)?;
    let mut session = Session {
        callables: &callables,
        handles: Vec::new(),
        printed: Vec::new(),
    };
    let host = Host::for_component(&engine, &component, callables.iter().any(|c| c.is_async));
    host.drive(async {
        let instance = host
            .instantiate(&engine, &component, &modules, &mut store)
            .await?
            .map_err(|source| {
                crate::error::cannot_instantiate(&engine, &component, &program.name, "", source)
            })?;
        opts.timeline.instantiated(store.data_mut().limiter());
        if let Some(timeout) = opts.limits.timeout {
            start_timeout(&engine, timeout);
        }
        for call in calls {
            let (func, params, mut results) = session.prepare(&mut store, &instance, call)?;
            let called = host
                .call(func, &mut store, &params, &mut results, opts.limits.timeout)
                .await;
            opts.timeline.returned();
            match called {
                Called::Finished(Ok(())) => session.record(&results),
                Called::Finished(Err(e)) => return session.failed(e, opts),
                Called::TimedOut => {
                    let timeout = opts.limits.timeout.unwrap_or_default();
                    return Ok(Invoked::Failed(
                        session.printed,
                        Outcome::Stopped {
                            limit: crate::outcome::Limit::Timeout,
                            message: format!(
                                "timeout: the guest ran longer than {timeout:?} and was stopped"
                            ),
                        },
                    ));
                }
            }
        }
        Ok(Invoked::Returned(session.printed))
    })
}

/// The state of a series of `--invoke` calls on one instance.
struct Session<'c> {
    callables: &'c [Callable],
    /// Resources returned so far, `#0`, `#1`...
    handles: Vec<wasmtime::component::ResourceAny>,
    /// Each call's results, in WAVE.
    printed: Vec<Vec<String>>,
}

impl Session<'_> {
    /// Finds the function `call` names and parses its arguments; returns it with the
    /// argument values and room for its results.
    fn prepare(
        &self,
        store: &mut Store<ComponentState>,
        instance: &wasmtime::component::Instance,
        call: &str,
    ) -> Result<(Func, Vec<Val>, Vec<Val>)> {
        let (name, args_text) = split_call(call)?;
        let target = candidate_names(name)
            .iter()
            .find_map(|n| resolve_name(self.callables, n).ok().cloned())
            .map(Ok)
            .unwrap_or_else(|| resolve_name(self.callables, name).cloned())?;
        let func = lookup(&mut *store, instance, &target.name).ok_or_else(|| {
            CallError::NoSuchFunction {
                name: target.name.clone(),
                exports: self
                    .callables
                    .iter()
                    .map(|c| format!("{}: {}", c.name, c.signature))
                    .collect(),
            }
        })?;
        let ty = func.ty(&*store);
        let param_types: Vec<(String, wasmtime::component::Type)> =
            ty.params().map(|(n, t)| (n.to_string(), t)).collect();
        let result_types: Vec<wasmtime::component::Type> = ty.results().collect();
        if let Some(what) = param_types
            .iter()
            .map(|(_, t)| t)
            .chain(&result_types)
            .find_map(unexpressible)
        {
            return Err(CallError::Unexpressible {
                function: target.name.clone(),
                signature: target.signature.clone(),
                what,
            }
            .into());
        }
        // Parse the arguments as the arguments of a stand-in call, to get each one's text.
        let stand_in = format!("f{}", quote_handles(args_text));
        let parsed = wasm_wave::untyped::UntypedFuncCall::parse(&stand_in).map_err(|e| {
            let quoting = param_types
                .iter()
                .map(|(_, t)| quoting_hint(t, "..."))
                .find(|hint| !hint.is_empty())
                .unwrap_or_default();
            CallError::InvalidArguments {
                call: call.to_string(),
                problem: format!("{e}{quoting}"),
            }
        })?;
        let spans: Vec<std::ops::Range<usize>> = match parsed.params_node() {
            Some(node) => node
                .as_tuple()
                .map_err(|e| CallError::InvalidArguments {
                    call: call.to_string(),
                    problem: e.to_string(),
                })?
                .map(|n| n.span())
                .collect(),
            None => Vec::new(),
        };
        if spans.len() != param_types.len() {
            return Err(CallError::Arity {
                function: target.name.clone(),
                signature: target.signature.clone(),
                expected: param_types.len(),
                given: spans.len(),
            }
            .into());
        }
        let mut params = Vec::with_capacity(param_types.len());
        for ((pname, pty), span) in param_types.iter().zip(spans) {
            let text = parsed.source()[span].trim();
            let text = if text.starts_with("\"#") && is_handle_param(pty) {
                text.trim_matches('"')
            } else {
                text
            };
            let is_handle = is_handle_param(pty);
            let val = match text.strip_prefix('#').filter(|_| is_handle) {
                Some(n) => {
                    let handle = n
                        .parse::<usize>()
                        .map_err(|e| CallError::InvalidValue {
                            param: format!("`{pname}`"),
                            text: text.to_string(),
                            expected: "resource handle like #0".into(),
                            source: Some(e.into()),
                        })
                        .and_then(|index| {
                            self.handles.get(index).ok_or(CallError::NoSuchHandle {
                                param: pname.clone(),
                                text: text.to_string(),
                                returned: self.handles.len(),
                            })
                        })?;
                    Val::Resource(*handle)
                }
                None if is_handle => {
                    return Err(CallError::NeedsHandle {
                        param: pname.clone(),
                    }
                    .into())
                }
                None => Val::from_wave(pty, text).map_err(|e| CallError::InvalidValue {
                    param: format!("`{pname}`"),
                    text: text.to_string(),
                    expected: format!("{}{}", type_desc(pty), quoting_hint(pty, text)),
                    source: Some(e.into()),
                })?,
            };
            params.push(val);
        }
        Ok((func, params, vec![Val::Bool(false); result_types.len()]))
    }

    /// Prints a call's results; returned resources become `#N`.
    fn record(&mut self, results: &[Val]) {
        let shown = results
            .iter()
            .map(|v| match v {
                Val::Resource(r) => {
                    self.handles.push(*r);
                    format!("#{}", self.handles.len() - 1)
                }
                v => v.to_wave().unwrap_or_else(|_| format!("{v:?}")),
            })
            .collect();
        self.printed.push(shown);
    }

    /// The calls so far, and how the failed one ended.
    fn failed(self, error: wasmtime::Error, opts: &RunOptions) -> Result<Invoked> {
        Ok(Invoked::Failed(
            self.printed,
            Outcome::from_error(error, opts.limits.timeout, opts.limits.fuel)?,
        ))
    }
}

/// `Some(what)` when a value of type `ty` cannot be written in WAVE: a `stream`, `future` or
/// `error-context`, anywhere inside it.
fn unexpressible(ty: &wasmtime::component::Type) -> Option<&'static str> {
    use wasmtime::component::Type as T;
    match ty {
        T::Stream(_) => Some("stream"),
        T::Future(_) => Some("future"),
        T::ErrorContext => Some("error-context"),
        T::List(l) => unexpressible(&l.ty()),
        T::Option(o) => unexpressible(&o.ty()),
        T::Result(r) => r
            .ok()
            .as_ref()
            .and_then(unexpressible)
            .or_else(|| r.err().as_ref().and_then(unexpressible)),
        T::Tuple(t) => t.types().find_map(|t| unexpressible(&t)),
        T::Record(r) => r.fields().find_map(|f| unexpressible(&f.ty)),
        T::Variant(v) => v
            .cases()
            .find_map(|c| c.ty.as_ref().and_then(unexpressible)),
        _ => None,
    }
}
