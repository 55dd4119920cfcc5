//! Where each field of a bundled module's configuration lies, from the records declared in
//! `virt/config.wit` and wit-parser's `SizeAlign` (the canonical ABI's layout): what
//! [`crate::config`] writes and what the WAT sources read (`{{config:RECORD.FIELD}}`).

use std::sync::OnceLock;
use wit_parser::{Resolve, SizeAlign, Type, TypeDefKind, TypeId};

/// The records of `virt/config.wit`.
const CONFIG_WIT: &str = include_str!("../virt/config.wit");

/// The loaded records with their sizes.
struct Records {
    resolve: Resolve,
    sizes: SizeAlign,
}

fn records() -> &'static Records {
    static RECORDS: OnceLock<Records> = OnceLock::new();
    RECORDS.get_or_init(|| {
        let mut resolve = Resolve::default();
        resolve
            .push_str("virt/config.wit", CONFIG_WIT)
            .expect("virt/config.wit parses (the layout tests load it)");
        let mut sizes = SizeAlign::default();
        sizes.fill(&resolve).expect("virt/config.wit lays out");
        Records { resolve, sizes }
    })
}

/// The record named `name`.
fn record(records: &Records, name: &str) -> Option<TypeId> {
    records
        .resolve
        .types
        .iter()
        .find(|(_, t)| t.name.as_deref() == Some(name) && matches!(t.kind, TypeDefKind::Record(_)))
        .map(|(id, _)| id)
}

/// The offset of `path` (`RECORD.FIELD[.FIELD...]`, `wall-clock.time.seconds`) from the
/// record's start; `None` when the WIT declares no such field.
pub(crate) fn try_offset(path: &str) -> Option<u32> {
    let records = records();
    let mut parts = path.split('.');
    let mut id = Some(record(records, parts.next()?)?);
    let mut offset = 0;
    for field in parts {
        let TypeDefKind::Record(r) = &records.resolve.types[id?].kind else {
            return None;
        };
        let offsets = records.sizes.field_offsets(r.fields.iter().map(|f| &f.ty));
        let (at, ty) = offsets
            .into_iter()
            .zip(&r.fields)
            .find(|(_, f)| f.name == field)
            .map(|((at, ty), _)| (at.size_wasm32(), ty))?;
        offset += at;
        id = match ty {
            Type::Id(next) => Some(*next),
            _ => None,
        };
    }
    u32::try_from(offset).ok()
}

/// The offset of `path` (`RECORD.FIELD...`) declared in `virt/config.wit`.
///
/// # Panics
///
/// When the WIT has no such field: a defect of wct's own sources, which the layout test
/// finds for every path [`crate::config`] uses.
pub(crate) fn offset(path: &str) -> usize {
    try_offset(path).unwrap_or_else(|| panic!("virt/config.wit declares no `{path}`")) as usize
}

/// The size of the record `name`, in bytes.
///
/// # Panics
///
/// As [`offset`], when the WIT declares no such record.
pub(crate) fn size(name: &str) -> usize {
    let records = records();
    let id = record(records, name)
        .unwrap_or_else(|| panic!("virt/config.wit declares no record `{name}`"));
    records.sizes.size(&Type::Id(id)).size_wasm32()
}

/// A C header with the layout of `names`, records of `u32` fields: for each record
/// `#define RECORD_SIZE` and, for each field, `#define RECORD_FIELD` (its offset), names in
/// upper case with `-` as `_`. What a C module (`virt/files/layout.h`) reads its
/// configuration with; a test checks the committed header is this.
///
/// # Panics
///
/// When a record is not declared or has a field that is not a `u32`: a defect of wct's own
/// sources, found by that test.
#[cfg(test)]
pub(crate) fn c_header(names: &[&str], made_by: &str) -> String {
    let records = records();
    let c_name = |name: &str| name.to_uppercase().replace('-', "_");
    let mut out = format!(
        "// The layout of the records {} of virt/config.wit, offsets in bytes.\n// {made_by}\n#pragma once\n",
        names.join(", ")
    );
    for name in names {
        let id = record(records, name)
            .unwrap_or_else(|| panic!("virt/config.wit declares no record `{name}`"));
        let TypeDefKind::Record(r) = &records.resolve.types[id].kind else {
            unreachable!("`record` finds records only")
        };
        out.push_str(&format!("\n#define {}_SIZE {}\n", c_name(name), size(name)));
        for field in &r.fields {
            assert!(
                field.ty == Type::U32,
                "{name}.{}: a C module reads only u32 fields",
                field.name
            );
            let at = offset(&format!("{name}.{}", field.name));
            out.push_str(&format!(
                "#define {}_{} {at}\n",
                c_name(name),
                c_name(&field.name)
            ));
        }
    }
    out
}

/// The C modules' layout headers (`virt/NAME/layout.h`) and the records each is made of.
#[cfg(test)]
const C_HEADERS: &[(&str, &[&str])] = &[
    ("files", &["files", "files-preopen", "files-node"]),
    (
        "keyvalue",
        &["keyvalue", "keyvalue-bucket", "keyvalue-entry"],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Each C module's `virt/NAME/layout.h`, what it reads its configuration with, is the
    /// layout [`crate::files::config`] and [`crate::config::keyvalue`] write (made from
    /// `virt/config.wit`); with `WCT_VIRT_WRITE=1` (what `cargo xtask fixtures virt` runs
    /// before it compiles the C) each is rewritten instead.
    #[test]
    fn the_c_layout_headers_are_made_from_config_wit() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("virt");
        for (module, names) in C_HEADERS {
            let path = dir.join(module).join("layout.h");
            let header = c_header(
                names,
                "Made by wct-virt's test config_layout::tests::the_c_layout_headers_are_made_from_config_wit; `cargo xtask fixtures virt` rewrites it.",
            );
            if std::env::var_os("WCT_VIRT_WRITE").is_some() {
                std::fs::write(&path, &header).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == header,
                "virt/{module}/layout.h is stale: run cargo xtask fixtures virt"
            );
        }
    }

    #[test]
    fn fields_lie_where_the_canonical_abi_puts_them() {
        assert_eq!(size("wall-clock"), 40);
        assert_eq!(try_offset("wall-clock.mode"), Some(4));
        assert_eq!(try_offset("wall-clock.time"), Some(8));
        assert_eq!(try_offset("wall-clock.time.nanoseconds"), Some(16));
        assert_eq!(try_offset("wall-clock.resolution.nanoseconds"), Some(32));
        assert_eq!(size("monotonic-clock"), 16);
        assert_eq!(try_offset("monotonic-clock.step"), Some(8));
        assert_eq!(try_offset("random.seed"), Some(8));
        assert_eq!(try_offset("random.nope"), None);
        assert_eq!(try_offset("environment.cwd-mode"), Some(32));
        assert_eq!(size("environment"), 44);
        // `Layout::finish` writes the heap start first, in every record.
        let records = records();
        for (_, ty) in records.resolve.types.iter() {
            if let (TypeDefKind::Record(r), Some(name)) = (&ty.kind, &ty.name) {
                if r.fields.iter().any(|f| f.name == "heap-start") {
                    assert_eq!(try_offset(&format!("{name}.heap-start")), Some(0), "{name}");
                }
            }
        }
        assert_eq!(try_offset("nope.mode"), None);
    }
}
