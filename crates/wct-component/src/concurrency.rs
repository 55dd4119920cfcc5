//! Whether running a component needs the component model's concurrency (WASI 0.3, async
//! functions, streams and futures), read from its bytes before anything is compiled: an
//! engine without concurrency support calls host functions about a fifth faster
//! (`cargo xtask bench keyvalue`), so a host picks it for everything else.
//!
//! The answer errs towards yes: anything this does not recognize (a canonical built-in other
//! than lift, lower and the resource ones, a binary it cannot read) needs concurrency.

use wasmparser::{
    CanonicalFunction, CanonicalOption, ComponentDefinedType, ComponentType,
    ComponentTypeDeclaration, Encoding, InstanceTypeDeclaration, Parser, Payload,
};
use wct_wit::wasi_name::{wasi_generation, WasiGeneration};

/// Whether `wasm` (a component; a core module never does) needs a host with concurrency:
/// it imports or exports a WASI 0.3 interface at its top level, or anywhere in it declares
/// an `async` function type, a `stream`, `future` or `error-context` type, lifts or lowers
/// with the `async` option, or uses a canonical built-in beyond lift, lower and resources.
pub fn needs_concurrent_host(wasm: &[u8]) -> bool {
    let mut encodings: Vec<Encoding> = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let Ok(payload) = payload else {
            return true;
        };
        let top_level = encodings.len() == 1;
        let uses = match payload {
            Payload::Version { encoding, .. } => {
                encodings.push(encoding);
                false
            }
            Payload::End(_) => {
                encodings.pop();
                false
            }
            Payload::ComponentImportSection(reader) if top_level => reader
                .into_iter()
                .any(|i| i.map_or(true, |i| is_wasi_p3(i.name.name))),
            Payload::ComponentExportSection(reader) if top_level => reader
                .into_iter()
                .any(|e| e.map_or(true, |e| is_wasi_p3(e.name.name))),
            Payload::ComponentCanonicalSection(reader) => reader
                .into_iter()
                .any(|f| f.map_or(true, |f| concurrent_canon(&f))),
            Payload::ComponentTypeSection(reader) => reader
                .into_iter()
                .any(|t| t.map_or(true, |t| concurrent_type(&t))),
            _ => false,
        };
        if uses {
            return true;
        }
    }
    false
}

/// `wasi:pkg/iface@0.3.x` (or `@0.3`, its version completed by a suffix).
fn is_wasi_p3(name: &str) -> bool {
    wasi_generation(name) == Some(WasiGeneration::P3)
}

fn concurrent_canon(function: &CanonicalFunction) -> bool {
    let asynchronous = |options: &[CanonicalOption]| {
        options
            .iter()
            .any(|o| matches!(o, CanonicalOption::Async | CanonicalOption::Callback(_)))
    };
    match function {
        CanonicalFunction::Lift { options, .. } | CanonicalFunction::Lower { options, .. } => {
            asynchronous(options)
        }
        CanonicalFunction::ResourceNew { .. }
        | CanonicalFunction::ResourceDrop { .. }
        | CanonicalFunction::ResourceRep { .. } => false,
        _ => true,
    }
}

fn concurrent_type(ty: &ComponentType) -> bool {
    match ty {
        ComponentType::Defined(defined) => {
            matches!(
                defined,
                ComponentDefinedType::Stream(_) | ComponentDefinedType::Future(_)
            ) || matches!(
                defined,
                ComponentDefinedType::Primitive(wasmparser::PrimitiveValType::ErrorContext)
            )
        }
        ComponentType::Func(func) => func.async_,
        ComponentType::Component(decls) => decls.iter().any(|d| match d {
            ComponentTypeDeclaration::Type(t) => concurrent_type(t),
            _ => false,
        }),
        ComponentType::Instance(decls) => decls.iter().any(|d| match d {
            InstanceTypeDeclaration::Type(t) => concurrent_type(t),
            _ => false,
        }),
        ComponentType::Resource { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(wat: &str) -> Vec<u8> {
        wat::parse_str(wat).unwrap()
    }

    #[test]
    fn a_synchronous_component_needs_no_concurrency() {
        let wasm = component(
            r#"(component
                (import "wasi:cli/environment@0.2.12" (instance
                    (export "get-arguments" (func (result (list string))))))
                (core module $m (func (export "f") (result i32) i32.const 1))
                (core instance $i (instantiate $m))
                (func (export "f") (result u32) (canon lift (core func $i "f"))))"#,
        );
        assert!(!needs_concurrent_host(&wasm));
        assert!(!needs_concurrent_host(&wat::parse_str("(module)").unwrap()));
    }

    #[test]
    fn wasi_0_3_and_async_types_need_it() {
        let p3 =
            component(r#"(component (import "wasi:clocks/monotonic-clock@0.3.0" (instance)))"#);
        assert!(needs_concurrent_host(&p3));
        let async_import = component(
            r#"(component (import "x:y/z" (instance
                (export "f" (func async (result u32))))))"#,
        );
        assert!(needs_concurrent_host(&async_import));
        let stream = component(r#"(component (type (stream u8)))"#);
        assert!(needs_concurrent_host(&stream));
        assert!(needs_concurrent_host(b"\0asm\x0d\0\x01\0garbage"));
    }
}
