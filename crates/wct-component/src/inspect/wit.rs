//! The WIT view of a binary: the world a component targets, the package a wasm-encoded WIT
//! package defines, or the `component-type` metadata a core module carries.

use super::*;

pub(super) fn add_component_wit(decoded: anyhow::Result<DecodedWasm>, inspection: &mut Inspection) {
    match decoded {
        Ok(DecodedWasm::WitPackage(resolve, pkg)) => {
            inspection.kind = InspectKind::WitPackage;
            inspection.wit = print_package(&resolve, pkg).ok();
        }
        Ok(DecodedWasm::Component(resolve, world)) => {
            let w = &resolve.worlds[world];
            inspection.wit_imports = w
                .imports
                .iter()
                .map(|(k, i)| wit_item(&resolve, k, i))
                .collect();
            inspection.wit_exports = w
                .exports
                .iter()
                .map(|(k, i)| wit_item(&resolve, k, i))
                .collect();
            if let Some(pkg) = w.package {
                inspection.wit = print_package(&resolve, pkg).ok();
            }
            inspection.async_profile = Some(async_profile(&resolve, world, &inspection.structure));
            let imports: Vec<String> = w
                .imports
                .keys()
                .map(|k| resolve.name_world_key(k))
                .collect();
            inspection.capabilities =
                super::capabilities::capabilities(imports.iter().map(String::as_str));
        }
        Err(e) => inspection.wit_error = Some(format!("{e:#}")),
    }
}

pub(super) fn add_module_wit(wasm: &[u8], inspection: &mut Inspection) {
    let has_metadata = inspection
        .structure
        .custom_sections
        .iter()
        .any(|s| s.name.starts_with("component-type"));
    if !has_metadata {
        return;
    }
    match wit_component::metadata::decode(wasm) {
        Ok((_, bindgen)) => {
            let world = &bindgen.resolve.worlds[bindgen.world];
            if let Some(pkg) = world.package {
                inspection.wit = print_package(&bindgen.resolve, pkg).ok();
            }
        }
        Err(e) => inspection.wit_error = Some(format!("{e:#}")),
    }
}

/// The async profile of a component whose world is `world`.
/// Prints one package of `resolve` as WIT text.
pub fn print_package(
    resolve: &Resolve,
    pkg: wit_parser::PackageId,
) -> Result<String, crate::text::PrintError> {
    let mut printer = WitPrinter::default();
    printer
        .print(resolve, pkg, &[])
        .map_err(crate::text::PrintError::new)?;
    Ok(printer.output.to_string())
}

fn wit_item(resolve: &Resolve, key: &WorldKey, item: &WorldItem) -> WitItem {
    let name = resolve.name_world_key(key);
    match item {
        WorldItem::Interface { id, .. } => WitItem {
            wit: resolve.id_of(*id).unwrap_or_else(|| name.clone()),
            name,
            kind: WitItemKind::Interface,
        },
        WorldItem::Function(func) => WitItem {
            wit: func_signature(resolve, func),
            name,
            kind: WitItemKind::Func,
        },
        WorldItem::Type { id, .. } => WitItem {
            wit: type_name(resolve, &Type::Id(*id)),
            name,
            kind: WitItemKind::Type,
        },
    }
}
