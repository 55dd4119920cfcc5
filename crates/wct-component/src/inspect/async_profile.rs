//! What a component does with WASI 0.3's async features: async functions and stream/future
//! types in its world, and the async canonical built-ins its modules use.

use super::*;
use wct_wit::wasi_name::{WasiGeneration, WasiName};

/// The packages of the WASI releases (0.2.x, 0.3.x); proposals beside them (`wasi:keyvalue`
/// 0.2.0-draft, `wasi:config` 0.2.0-rc.1) have versions of their own and say nothing of the
/// generation.
const WASI_RELEASE_PACKAGES: &[&str] = &[
    "wasi:cli",
    "wasi:clocks",
    "wasi:filesystem",
    "wasi:http",
    "wasi:io",
    "wasi:random",
    "wasi:sockets",
];

pub(super) fn async_profile(
    resolve: &Resolve,
    world: wit_parser::WorldId,
    structure: &Node,
) -> AsyncProfile {
    let w = &resolve.worlds[world];
    let mut profile = AsyncProfile::default();
    let mut versions = std::collections::BTreeSet::new();
    let mut types = TypeCounter::default();
    for (items, asyncs) in [
        (&w.imports, &mut profile.async_imports),
        (&w.exports, &mut profile.async_exports),
    ] {
        for (key, item) in items {
            let name = resolve.name_world_key(key);
            if let Some(parsed) = WasiName::parse(&name) {
                if let (true, Some(version)) = (
                    WASI_RELEASE_PACKAGES.contains(&parsed.package_name()),
                    parsed.version,
                ) {
                    versions.insert(version.to_string());
                }
            }
            match item {
                WorldItem::Interface { id, .. } => {
                    for (fname, func) in &resolve.interfaces[*id].functions {
                        if func.kind.is_async() {
                            asyncs.push(format!("{name}#{fname}"));
                        }
                        types.function(resolve, func);
                    }
                }
                WorldItem::Function(func) => {
                    if func.kind.is_async() {
                        asyncs.push(name);
                    }
                    types.function(resolve, func);
                }
                WorldItem::Type { id, .. } => types.ty(resolve, &Type::Id(*id)),
            }
        }
    }
    let generations: std::collections::BTreeSet<WasiGeneration> = versions
        .iter()
        .filter_map(|v| WasiGeneration::of_version(v))
        .collect();
    profile.wasi = match (
        generations.contains(&WasiGeneration::P2),
        generations.contains(&WasiGeneration::P3),
    ) {
        (true, true) => WasiUse::Mixed,
        (false, true) => WasiUse::P3,
        (true, false) => WasiUse::P2,
        (false, false) => WasiUse::None,
    };
    profile.wasi_versions = versions.into_iter().collect();
    profile.async_types = types.counts;
    fn sum(node: &Node, into: &mut BTreeMap<&'static str, u32>) {
        for (name, n) in &node.async_builtins {
            *into.entry(name).or_default() += n;
        }
        for child in &node.children {
            sum(child, into);
        }
    }
    sum(structure, &mut profile.async_builtins);
    profile
}

/// Counts the `stream`, `future` and `error-context` types reachable from functions, each
/// type definition once.
#[derive(Default)]
struct TypeCounter {
    seen: std::collections::HashSet<wit_parser::TypeId>,
    error_context: bool,
    counts: BTreeMap<&'static str, u32>,
}

impl TypeCounter {
    fn function(&mut self, resolve: &Resolve, func: &wit_parser::Function) {
        for param in &func.params {
            self.ty(resolve, &param.ty);
        }
        if let Some(result) = &func.result {
            self.ty(resolve, result);
        }
    }

    fn ty(&mut self, resolve: &Resolve, ty: &Type) {
        use wit_parser::TypeDefKind as K;
        match ty {
            Type::ErrorContext if !self.error_context => {
                self.error_context = true;
                *self.counts.entry("error-context").or_default() += 1;
            }
            Type::Id(id) if self.seen.insert(*id) => {
                let mut inner = Vec::new();
                match &resolve.types[*id].kind {
                    K::Stream(t) | K::Future(t) => {
                        let what = if matches!(resolve.types[*id].kind, K::Stream(_)) {
                            "stream"
                        } else {
                            "future"
                        };
                        *self.counts.entry(what).or_default() += 1;
                        inner.extend(t);
                    }
                    K::Record(r) => inner.extend(r.fields.iter().map(|f| f.ty)),
                    K::Tuple(t) => inner.extend(t.types.iter().copied()),
                    K::Variant(v) => inner.extend(v.cases.iter().filter_map(|c| c.ty)),
                    K::Option(t) | K::List(t) | K::Type(t) | K::FixedLengthList(t, _) => {
                        inner.push(*t)
                    }
                    K::Result(r) => inner.extend(r.ok.iter().chain(&r.err).copied()),
                    K::Map(k, v) => inner.extend([*k, *v]),
                    _ => {}
                }
                for t in inner {
                    self.ty(resolve, &t);
                }
            }
            _ => {}
        }
    }
}

/// The spec name of an async canonical built-in (`task.return`, `stream.read`, ...); `None` for
/// lifts, lowers, resources and threads.
pub(super) fn async_builtin(function: &wasmparser::CanonicalFunction) -> Option<&'static str> {
    use wasmparser::CanonicalFunction as C;
    Some(match function {
        C::BackpressureInc => "backpressure.inc",
        C::BackpressureDec => "backpressure.dec",
        C::TaskReturn { .. } => "task.return",
        C::TaskCancel => "task.cancel",
        C::ContextGet { .. } => "context.get",
        C::ContextSet { .. } => "context.set",
        C::ThreadYield => "thread.yield",
        C::SubtaskDrop => "subtask.drop",
        C::SubtaskCancel { .. } => "subtask.cancel",
        C::StreamNew { .. } => "stream.new",
        C::StreamRead { .. } => "stream.read",
        C::StreamWrite { .. } => "stream.write",
        C::StreamCancelRead { .. } => "stream.cancel-read",
        C::StreamCancelWrite { .. } => "stream.cancel-write",
        C::StreamDropReadable { .. } => "stream.drop-readable",
        C::StreamDropWritable { .. } => "stream.drop-writable",
        C::FutureNew { .. } => "future.new",
        C::FutureRead { .. } => "future.read",
        C::FutureWrite { .. } => "future.write",
        C::FutureCancelRead { .. } => "future.cancel-read",
        C::FutureCancelWrite { .. } => "future.cancel-write",
        C::FutureDropReadable { .. } => "future.drop-readable",
        C::FutureDropWritable { .. } => "future.drop-writable",
        C::ErrorContextNew { .. } => "error-context.new",
        C::ErrorContextDebugMessage { .. } => "error-context.debug-message",
        C::ErrorContextDrop => "error-context.drop",
        C::WaitableSetNew => "waitable-set.new",
        C::WaitableSetWait { .. } => "waitable-set.wait",
        C::WaitableSetPoll { .. } => "waitable-set.poll",
        C::WaitableSetDrop => "waitable-set.drop",
        C::WaitableJoin => "waitable.join",
        _ => return None,
    })
}
