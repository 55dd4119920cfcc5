//! What a generated refusing body writes, read from the WIT it implements rather than written
//! down: the index of the error's case, found by name, and where the `result`'s payload lies
//! in the return area (the canonical ABI's layout, from wit-parser's `SizeAlign`). A WIT that
//! renumbers the cases or changes the types moves these with it.

use anyhow::{bail, Context};
use wit_parser::{Int, Resolve, Type, TypeDefKind, TypeId};

/// Where a refusing body writes `err(case)`: its offset in the return area, and the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ErrCase {
    /// The offset of the `result`'s payload (the error's own discriminant) in the return area.
    pub(crate) at: u32,
    /// The index of the error's case.
    pub(crate) case: u32,
}

/// `err(CASE)` for function `function` of `interface` (`wasi:http/client@0.3.0`, `send`),
/// which returns a `result` (or a `future` of one, whose payload is then laid out alone)
/// whose error is a variant or enum with the case `case`.
pub(crate) fn err_case(
    resolve: &Resolve,
    interface: &str,
    function: &str,
    case: &str,
) -> anyhow::Result<ErrCase> {
    let (_, iface) = resolve
        .interfaces
        .iter()
        .find(|(id, _)| resolve.id_of(*id).as_deref() == Some(interface))
        .with_context(|| format!("no interface {interface} in the bundled WIT"))?;
    let func = iface
        .functions
        .get(function)
        .with_context(|| format!("no function {function} in {interface}"))?;
    let Some(Type::Id(result)) = func.result else {
        bail!("{interface}#{function} does not return a result");
    };
    let result = match resolve.types[dealias(resolve, result)].kind {
        TypeDefKind::Future(Some(Type::Id(payload))) => payload,
        _ => result,
    };
    let TypeDefKind::Result(result) = &resolve.types[dealias(resolve, result)].kind else {
        bail!("{interface}#{function} does not return a result");
    };
    let Some(Type::Id(error)) = result.err else {
        bail!("{interface}#{function}'s result has no error type");
    };
    let names: Vec<&str> = match &resolve.types[dealias(resolve, error)].kind {
        TypeDefKind::Variant(v) => v.cases.iter().map(|c| c.name.as_str()).collect(),
        TypeDefKind::Enum(e) => e.cases.iter().map(|c| c.name.as_str()).collect(),
        _ => bail!("{interface}#{function}'s error is not a variant or an enum"),
    };
    let index = names
        .iter()
        .position(|n| *n == case)
        .with_context(|| format!("{interface}#{function}'s error has no case {case}"))?;
    let mut sizes = wit_parser::SizeAlign::default();
    sizes.fill(resolve)?;
    let at = sizes
        .payload_offset(Int::U8, [result.ok.as_ref(), result.err.as_ref()])
        .size_wasm32();
    Ok(ErrCase {
        at: u32::try_from(at)?,
        case: u32::try_from(index)?,
    })
}

/// The type `id` names, through `type a = b` aliases (`use types.{error-code}` is one).
fn dealias(resolve: &Resolve, mut id: TypeId) -> TypeId {
    while let TypeDefKind::Type(Type::Id(next)) = resolve.types[id].kind {
        id = next;
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wasi(sources: &[(&str, &str)]) -> Resolve {
        crate::wasi_wit::wasi_resolve(sources, &Default::default()).unwrap()
    }

    #[test]
    fn the_refusals_are_found_by_name_in_the_bundled_wit() {
        use crate::wasi_wit::{bundled_sources, p2_version, p3_version};
        use wct_wit::wasi_name::WasiGeneration as Generation;
        let (v2, v3) = (p2_version(), p3_version());
        let p3 = wasi(bundled_sources(Generation::P3));
        // `result<response, error-code>`: the payload is 8-byte aligned.
        assert_eq!(
            err_case(
                &p3,
                &format!("wasi:http/client@{v3}"),
                "send",
                "HTTP-request-denied"
            )
            .unwrap(),
            ErrCase { at: 8, case: 15 }
        );
        assert_eq!(
            err_case(
                &p3,
                &format!("wasi:sockets/types@{v3}"),
                "[static]tcp-socket.create",
                "access-denied"
            )
            .unwrap(),
            ErrCase { at: 4, case: 0 }
        );
        let p2 = wasi(bundled_sources(Generation::P2));
        assert_eq!(
            err_case(
                &p2,
                &format!("wasi:sockets/ip-name-lookup@{v2}"),
                "resolve-addresses",
                "access-denied"
            )
            .unwrap(),
            ErrCase { at: 4, case: 1 }
        );
        let missing = err_case(
            &p2,
            &format!("wasi:sockets/ip-name-lookup@{v2}"),
            "resolve-addresses",
            "nope",
        );
        assert!(missing
            .unwrap_err()
            .to_string()
            .contains("has no case nope"));
    }
}
