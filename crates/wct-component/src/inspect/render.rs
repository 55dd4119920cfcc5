//! The text form of an [`Inspection`], as `wct inspect` prints it.

use super::{Inspection, Node};
use std::fmt::Write;

/// The text `wct inspect` prints for `i`, the inspection of the file `name`: kind and size,
/// the section table, the WIT world, the async profile, the structure tree, producers.
pub fn render(name: &str, i: &Inspection) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{name}: {}, {} bytes", i.kind.describe(), i.size);

    let _ = writeln!(out, "\nsections:");
    let _ = writeln!(
        out,
        "  {:<28} {:>6} {:>10} {:>7}",
        "name", "count", "bytes", "share"
    );
    for (name, count, bytes) in section_totals(i) {
        let share = 100.0 * bytes as f64 / i.size.max(1) as f64;
        let _ = writeln!(out, "  {name:<28} {count:>6} {bytes:>10} {share:>6.1}%");
    }

    if !i.wit_imports.is_empty() || !i.wit_exports.is_empty() {
        for (title, items) in [("imports", &i.wit_imports), ("exports", &i.wit_exports)] {
            let _ = writeln!(out, "\n{title} (WIT):");
            if items.is_empty() {
                let _ = writeln!(out, "  (none)");
            }
            for item in items {
                if item.kind == super::WitItemKind::Interface {
                    let _ = writeln!(out, "  interface {}", item.wit);
                } else {
                    let _ = writeln!(out, "  {}: {}", item.name, item.wit);
                }
            }
        }
    }
    if let Some(profile) = &i.async_profile {
        render_async_profile(&mut out, profile);
    }
    render_capabilities(&mut out, &i.capabilities);
    if let Some(wit) = &i.wit {
        let title = match i.kind {
            super::InspectKind::CoreModule => "embedded component-type world",
            super::InspectKind::WitPackage => "WIT package",
            super::InspectKind::Component => "world",
        };
        let _ = writeln!(out, "\n{title}:");
        for line in wit.lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    if let Some(err) = &i.wit_error {
        let _ = writeln!(out, "\nWIT could not be decoded: {err}");
    }

    let _ = writeln!(out, "\nstructure:");
    render_node(&mut out, &i.structure, 1);

    if let Some(meta) = &i.metadata {
        let metadata = match meta {
            wasm_metadata::Payload::Component { metadata, .. } => metadata,
            wasm_metadata::Payload::Module(metadata) => metadata,
        };
        if let Some(producers) = &metadata.producers {
            let _ = writeln!(out, "\nproducers:");
            for (field, values) in producers.iter() {
                let list: Vec<String> = values
                    .iter()
                    .map(|(n, v)| {
                        if v.is_empty() {
                            n.clone()
                        } else {
                            format!("{n} {v}")
                        }
                    })
                    .collect();
                let _ = writeln!(out, "  {field}: {}", list.join(", "));
            }
        }
        if let Some(name) = &metadata.name {
            let _ = writeln!(out, "\nname: {name}");
        }
    }
    out
}

/// The WASI generation and the async parts: one section, lines only for what is there.
fn render_async_profile(out: &mut String, p: &super::AsyncProfile) {
    let versions = if p.wasi_versions.is_empty() {
        String::new()
    } else {
        format!(" ({})", p.wasi_versions.join(", "))
    };
    let _ = writeln!(out, "\nWASI: {}{versions}", p.wasi);
    let list = |out: &mut String, title: &str, items: &[String]| {
        if !items.is_empty() {
            let _ = writeln!(out, "  {title}: {}", items.join(", "));
        }
    };
    list(out, "async exports", &p.async_exports);
    list(out, "async imports", &p.async_imports);
    let counts = |map: &std::collections::BTreeMap<&str, u32>| -> Vec<String> {
        map.iter().map(|(k, n)| format!("{k} ({n})")).collect()
    };
    list(out, "async types", &counts(&p.async_types));
    list(out, "async built-ins", &counts(&p.async_builtins));
}

/// What the WASI imports reach, one line each, with the `wct run` flags that grant it.
fn render_capabilities(out: &mut String, capabilities: &[super::capabilities::Capability]) {
    if capabilities.is_empty() {
        return;
    }
    let _ = writeln!(out, "\ncapabilities:");
    let width = capabilities
        .iter()
        .map(|c| c.kind.label().len())
        .max()
        .unwrap_or(0);
    for c in capabilities {
        let grant = match c.granted_by {
            Some(flags) => format!("granted by {flags}"),
            None => "always given".to_string(),
        };
        let _ = writeln!(
            out,
            "  {:width$}  {}  ({grant})",
            c.kind.label(),
            compact_interfaces(&c.interfaces)
        );
    }
}

/// `wasi:keyvalue/store@0.2.0-draft`, `wasi:keyvalue/batch@0.2.0-draft` ->
/// `wasi:keyvalue/{store, batch}@0.2.0-draft`: the interfaces of one package version
/// together, in order of first appearance.
fn compact_interfaces(interfaces: &[String]) -> String {
    let mut groups: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for interface in interfaces {
        let (name, version) = wct_wit::semver_key::split_versioned(interface);
        let version = version.unwrap_or_default();
        let (package, item) = name.split_once('/').unwrap_or((name, ""));
        match groups
            .iter_mut()
            .find(|(p, v, _)| *p == package && *v == version)
        {
            Some((_, _, items)) => items.push(item),
            None => groups.push((package, version, vec![item])),
        }
    }
    let at = |version: &str| {
        if version.is_empty() {
            String::new()
        } else {
            format!("@{version}")
        }
    };
    groups
        .iter()
        .map(|(package, version, items)| match items.as_slice() {
            [one] => format!("{package}/{one}{}", at(version)),
            many => format!("{package}/{{{}}}{}", many.join(", "), at(version)),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sections grouped by name, in order of first appearance: (name, count, total bytes).
fn section_totals(i: &Inspection) -> Vec<(&str, usize, u64)> {
    let mut totals: Vec<(&str, usize, u64)> = Vec::new();
    for s in &i.sections {
        match totals.iter_mut().find(|(n, _, _)| *n == s.name) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 += s.size;
            }
            None => totals.push((&s.name, 1, s.size)),
        }
    }
    totals
}

fn render_node(out: &mut String, node: &Node, depth: usize) {
    let pad = "  ".repeat(depth);
    let counts: Vec<String> = node
        .counts
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    let _ = write!(out, "{pad}{} at {:#x}", node.kind, node.offset);
    if !counts.is_empty() {
        let _ = write!(out, ": {}", counts.join(", "));
    }
    out.push('\n');
    for memory in &node.memories {
        let _ = writeln!(out, "{pad}  memory {memory}");
    }
    for table in &node.tables {
        let _ = writeln!(out, "{pad}  table {table}");
    }
    if let Some(start) = node.start {
        let _ = writeln!(out, "{pad}  start function {start}");
    }
    for import in &node.imports {
        let module = import
            .module
            .as_deref()
            .map(|m| format!("{m}::"))
            .unwrap_or_default();
        let ty = import
            .ty
            .as_deref()
            .map(|t| format!(" {t}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{pad}  import {}{} ({}{ty})",
            module, import.name, import.kind
        );
    }
    for export in &node.exports {
        let _ = writeln!(out, "{pad}  export {} ({})", export.name, export.kind);
    }
    for custom in &node.custom_sections {
        let _ = writeln!(
            out,
            "{pad}  custom section {} ({} bytes)",
            custom.name, custom.size
        );
    }
    if !node.virtualizes.is_empty() {
        let _ = writeln!(out, "{pad}  virtualizes (wct virt):");
        for line in &node.virtualizes {
            let _ = writeln!(out, "{pad}    {line}");
        }
    }
    for child in &node.children {
        render_node(out, child, depth + 1);
    }
}
