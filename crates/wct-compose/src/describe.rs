//! Explaining a type mismatch between an import and an export in WIT terms: which functions
//! differ, with both signatures.

use wct_wit::worlds::func_signature;
use wit_component::DecodedWasm;
use wit_parser::{Resolve, WorldItem};

fn world_item<'r>(
    resolve: &'r Resolve,
    world: wit_parser::WorldId,
    name: &str,
    imports: bool,
) -> Option<&'r WorldItem> {
    let w = &resolve.worlds[world];
    let map = if imports { &w.imports } else { &w.exports };
    map.iter()
        .find(|(k, _)| resolve.name_world_key(k) == name)
        .map(|(_, v)| v)
}

/// Lines describing how `export` of `provider` differs from `import` of `consumer`.
pub fn mismatch(
    consumer: &[u8],
    import: &str,
    provider: &[u8],
    export: &str,
    checker_error: &str,
) -> String {
    let decode = |bytes: &[u8]| match wit_component::decode(bytes) {
        Ok(DecodedWasm::Component(r, w)) => Some((r, w)),
        _ => None,
    };
    let (Some((cr, cw)), Some((pr, pw))) = (decode(consumer), decode(provider)) else {
        return format!("  {checker_error}");
    };
    let (Some(want), Some(have)) = (
        world_item(&cr, cw, import, true),
        world_item(&pr, pw, export, false),
    ) else {
        return format!("  {checker_error}");
    };
    let mut lines = Vec::new();
    match (want, have) {
        (WorldItem::Interface { id: a, .. }, WorldItem::Interface { id: b, .. }) => {
            let (ia, ib) = (&cr.interfaces[*a], &pr.interfaces[*b]);
            for (name, f) in &ia.functions {
                let expected = func_signature(&cr, f);
                match ib.functions.get(name) {
                    Some(g) => {
                        let found = func_signature(&pr, g);
                        if found != expected {
                            lines.push(format!("  `{name}`: the import expects `{name}: {expected}`\n  {}  the export has     `{name}: {found}`", " ".repeat(name.len() + 3)));
                            if let Some(why) = async_mismatch(f, g) {
                                lines.push(format!("  {}  ({why})", " ".repeat(name.len() + 3)));
                            }
                        }
                    }
                    None => lines.push(format!(
                        "  `{name}`: the import expects `{name}: {expected}`; the export lacks it"
                    )),
                }
            }
        }
        (WorldItem::Function(f), WorldItem::Function(g)) => {
            lines.push(format!(
                "  the import expects `{}`\n  the export has     `{}`",
                func_signature(&cr, f),
                func_signature(&pr, g)
            ));
            if let Some(why) = async_mismatch(f, g) {
                lines.push(format!("  ({why})"));
            }
        }
        _ => {}
    }
    if lines.is_empty() {
        format!("  {checker_error}")
    } else {
        lines.join("\n")
    }
}

/// Why an import and an export that differ in `async` cannot be wired: `async` is part of a
/// component function's type, so it must match exactly.
fn async_mismatch(
    import: &wit_parser::Function,
    export: &wit_parser::Function,
) -> Option<&'static str> {
    match (import.kind.is_async(), export.kind.is_async()) {
        (false, true) => {
            Some("an async export fills only an async import: the import is not async")
        }
        (true, false) => Some("an async import needs an async export: the export is not async"),
        _ => None,
    }
}
