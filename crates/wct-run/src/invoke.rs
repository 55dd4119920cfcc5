//! Calling an exported function of a component with typed arguments written in WAVE
//! (`greet("world")`, `demo:greeter/greet#greet("world")`), printing the results in WAVE.

use crate::engine::{compile, Compiled};
use crate::limits::start_timeout;
use crate::outcome::Outcome;
use crate::run::{prepare_store, ComponentState, Program, RunOptions};
use crate::WasmtimeResultExt;
use anyhow::{bail, Context, Result};
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Func, Val};
use wasmtime::{Engine, Store};

/// A callable export: its full name and WIT-like signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callable {
    /// `name` or `iface#name`.
    pub name: String,
    /// `func(a: u32) -> string`.
    pub signature: String,
}

/// Every exported function (top level and one instance deep), in export order.
pub fn callables(engine: &Engine, component: &Component) -> Vec<Callable> {
    let mut out = Vec::new();
    let ty = component.component_type();
    for (name, item) in ty.exports(engine) {
        match item.ty {
            ComponentItem::ComponentFunc(f) => out.push(Callable {
                name: name.to_string(),
                signature: signature(&f),
            }),
            ComponentItem::ComponentInstance(instance) => {
                for (fname, item) in instance.exports(engine) {
                    if let ComponentItem::ComponentFunc(f) = item.ty {
                        out.push(Callable {
                            name: format!("{name}#{fname}"),
                            signature: signature(&f),
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
    let mut s = format!("func({})", params.join(", "));
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
        T::Own(_) => "own<resource>".into(),
        T::Borrow(_) => "borrow<resource>".into(),
        other => format!("{other:?}"),
    }
}

/// Finds the callable named `name`: an exact export name, a name without the interface
/// version, or a bare function name that only one export has.
pub fn resolve_name<'c>(callables: &'c [Callable], name: &str) -> Result<&'c Callable> {
    let strip_version = |s: &str| -> String {
        match s.split_once('#') {
            Some((iface, f)) => format!("{}#{f}", iface.split('@').next().unwrap_or(iface)),
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
            _ => bail!(
                "`{name}` is ambiguous; it matches:\n{}",
                candidates
                    .iter()
                    .map(|c| format!("  {}: {}", c.name, c.signature))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        }
    }
    bail!(
        "no exported function `{name}`; the component exports:\n{}",
        if callables.is_empty() {
            "  (no functions)".to_string()
        } else {
            callables
                .iter()
                .map(|c| format!("  {}: {}", c.name, c.signature))
                .collect::<Vec<_>>()
                .join("\n")
        }
    )
}

/// The result of an invocation.
pub enum Invoked {
    /// The function returned these values (in WAVE).
    Returned(Vec<String>),
    /// The guest did not return normally.
    Failed(Outcome),
}

fn lookup(
    store: &mut Store<ComponentState>,
    instance: &wasmtime::component::Instance,
    name: &str,
) -> Result<Func> {
    let func = match name.split_once('#') {
        Some((iface, f)) => {
            let parent = instance
                .get_export_index(&mut *store, None, iface)
                .context("export instance not found")?;
            let idx = instance
                .get_export_index(&mut *store, Some(&parent), f)
                .context("function not found")?;
            instance.get_func(&mut *store, idx)
        }
        None => instance.get_func(&mut *store, name),
    };
    func.with_context(|| format!("`{name}` is not a function"))
}

/// Instantiates the component and calls `call` (WAVE syntax).
pub fn invoke(program: &Program<'_>, call: &str, opts: &RunOptions) -> Result<Invoked> {
    let parsed = wasm_wave::untyped::UntypedFuncCall::parse(call)
        .map_err(|e| anyhow::anyhow!("invalid --invoke expression `{call}`: {e}"))?;
    let Compiled {
        engine,
        artifact: component,
        ..
    } = compile::<Component>(program.wasm, &program.name, &opts.limits, &opts.engine)?;
    let callables = callables(&engine, &component);
    let target = resolve_name(&callables, parsed.name())?.clone();

    let mut linker = wasmtime::component::Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).any()?;
    let mut store = Store::new(&engine, ComponentState::new(program, opts)?);
    prepare_store(&mut store, &opts.limits, ComponentState::limiter)?;
    let instance = linker
        .instantiate(&mut store, &component)
        .any()
        .with_context(|| format!("{}: cannot instantiate", program.name))?;
    let func = lookup(&mut store, &instance, &target.name)?;
    let ty = func.ty(&store);
    let param_types: Vec<(String, wasmtime::component::Type)> =
        ty.params().map(|(n, t)| (n.to_string(), t)).collect();

    let arg_nodes: Vec<std::ops::Range<usize>> = match parsed.params_node() {
        Some(node) => node
            .as_tuple()
            .map_err(|e| anyhow::anyhow!("invalid arguments in `{call}`: {e}"))?
            .map(|n| n.span())
            .collect(),
        None => Vec::new(),
    };
    if arg_nodes.len() != param_types.len() {
        bail!(
            "`{}` takes {} argument(s) ({}), {} given",
            target.name,
            param_types.len(),
            target.signature,
            arg_nodes.len()
        );
    }
    let mut params = Vec::with_capacity(param_types.len());
    for ((pname, pty), span) in param_types.iter().zip(arg_nodes) {
        let text = &parsed.source()[span];
        let val = Val::from_wave(pty, text).any().with_context(|| {
            format!(
                "argument `{pname}`: `{text}` is not a valid {}",
                type_desc(pty)
            )
        })?;
        params.push(val);
    }
    let mut results = vec![Val::Bool(false); ty.results().len()];
    if let Some(timeout) = opts.limits.timeout {
        start_timeout(&engine, timeout);
    }
    if let Err(e) = func.call(&mut store, &params, &mut results) {
        return Ok(Invoked::Failed(Outcome::from_error(
            e,
            opts.limits.timeout,
            opts.limits.fuel,
        )?));
    }
    let shown = results
        .iter()
        .map(|v| v.to_wave().unwrap_or_else(|_| format!("{v:?}")))
        .collect();
    Ok(Invoked::Returned(shown))
}
