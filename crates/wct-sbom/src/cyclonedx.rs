//! The SBOM as a CycloneDX 1.6 JSON document.
//!
//! The outermost part is `metadata.component` (type `application`); the parts nested in it
//! are its `components`, nested as they are in the file (type `library`); the Rust crates of
//! `.dep-v0` sections are top-level `library` components with their package URLs. Each part
//! has its SHA-256, version, description, authors, licence expression, source and homepage
//! as external references, and `wct:` properties for what CycloneDX has no field for: the
//! kind, offset and size, each role and why, each producer, the revision, each import and
//! export, and each filled import. `dependencies` lists every part and crate: what each
//! part's imports are filled by, and the crates it was built from. The producers'
//! `processed-by` and `sdk` tools are listed with wct among `metadata.tools`.

use crate::model::{Part, PartKind, Provider, Sbom, Tool};
use crate::{urn_uuid, DocumentOptions, TOOL_NAME, TOOL_VERSION};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The CycloneDX 1.6 document of `sbom`.
pub fn document(sbom: &Sbom, options: &DocumentOptions) -> Value {
    let mut metadata = Map::new();
    if let Some(timestamp) = &options.timestamp {
        metadata.insert("timestamp".into(), json!(timestamp));
    }
    metadata.insert("tools".into(), json!({ "components": tools(sbom) }));
    metadata.insert("component".into(), component(sbom, &sbom.root, true));
    let crates: Vec<Value> = sbom
        .crates
        .iter()
        .map(|c| {
            json!({
                "type": "library",
                "bom-ref": c.purl,
                "name": c.name,
                "version": c.version,
                "purl": c.purl,
                "properties": [property("wct:cargo:kind", &c.kind)],
            })
        })
        .collect();
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": urn_uuid(&sbom.root.sha256),
        "version": 1,
        "metadata": metadata,
        "components": crates,
        "dependencies": dependencies(sbom),
    })
}

/// wct, then every `processed-by` and `sdk` tool of the producers sections, once each.
fn tools(sbom: &Sbom) -> Vec<Value> {
    let mut found: BTreeSet<(String, &Tool)> = BTreeSet::new();
    for part in sbom.root.walk() {
        for (field, list) in &part.producers {
            if field == "processed-by" || field == "sdk" {
                found.extend(list.iter().map(|t| (field.clone(), t)));
            }
        }
    }
    let mut tools = vec![json!({
        "type": "application",
        "name": TOOL_NAME,
        "version": TOOL_VERSION,
        "description": "made this SBOM",
    })];
    for (field, tool) in found {
        let mut value = json!({
            "type": "application",
            "name": tool.name,
            "properties": [property("wct:producer", &field)],
        });
        if !tool.version.is_empty() {
            value["version"] = json!(tool.version);
        }
        tools.push(value);
    }
    tools
}

/// The component of `part`, its nested parts as its `components`.
fn component(sbom: &Sbom, part: &Part, root: bool) -> Value {
    let mut c = Map::new();
    c.insert(
        "type".into(),
        json!(if root { "application" } else { "library" }),
    );
    c.insert("bom-ref".into(), json!(part.id));
    c.insert("name".into(), json!(part.name));
    if let Some(version) = &part.version {
        c.insert("version".into(), json!(version));
    }
    if let Some(description) = part.annotations.get("description") {
        c.insert("description".into(), json!(description));
    }
    if let Some(authors) = part.annotations.get("authors") {
        c.insert("authors".into(), json!([{ "name": authors }]));
    }
    c.insert(
        "hashes".into(),
        json!([{ "alg": "SHA-256", "content": part.sha256 }]),
    );
    if let Some(licenses) = part.annotations.get("licenses") {
        c.insert("licenses".into(), json!([{ "expression": licenses }]));
    }
    let references: Vec<Value> = [("source", "vcs"), ("homepage", "website")]
        .into_iter()
        .filter_map(|(key, kind)| {
            let url = part.annotations.get(key)?;
            url.contains("://")
                .then(|| json!({ "type": kind, "url": url }))
        })
        .collect();
    if !references.is_empty() {
        c.insert("externalReferences".into(), json!(references));
    }
    c.insert("properties".into(), json!(properties(sbom, part)));
    if !part.children.is_empty() {
        let children: Vec<Value> = part
            .children
            .iter()
            .map(|child| component(sbom, child, false))
            .collect();
        c.insert("components".into(), json!(children));
    }
    Value::Object(c)
}

/// What CycloneDX has no field for, as `wct:` properties, in a fixed order.
fn properties(sbom: &Sbom, part: &Part) -> Vec<Value> {
    let kind = match part.kind {
        PartKind::Component => "component",
        PartKind::Module => "module",
    };
    let mut out = vec![
        property("wct:kind", kind),
        property("wct:offset", &part.offset.to_string()),
        property("wct:size", &part.size.to_string()),
    ];
    for role in &part.roles {
        out.push(property("wct:role", role.kind.as_str()));
        out.push(property(
            &format!("wct:role:{}:reason", role.kind.as_str()),
            &role.reason,
        ));
    }
    for (field, list) in &part.producers {
        for tool in list {
            let value = format!("{} {}", tool.name, tool.version);
            out.push(property(&format!("wct:producer:{field}"), value.trim()));
        }
    }
    for key in ["revision", "source", "homepage"] {
        if let Some(value) = part.annotations.get(key) {
            out.push(property(&format!("wct:{key}"), value));
        }
    }
    for import in &part.imports {
        out.push(property("wct:import", import));
    }
    for export in &part.exports {
        out.push(property("wct:export", export));
    }
    for link in sbom.links.iter().filter(|l| l.dependent == part.id) {
        let by = match &link.provider {
            Provider::Part(id) => id.clone(),
            Provider::Import(name) => format!("import {name}"),
        };
        out.push(property(
            "wct:filled-by",
            &format!("{} <- {by}", link.import),
        ));
    }
    out
}

fn property(name: &str, value: &str) -> Value {
    json!({ "name": name, "value": value })
}

/// Every part and crate with what it depends on: the parts that fill its imports, and its
/// crates.
fn dependencies(sbom: &Sbom) -> Vec<Value> {
    let mut by_ref: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for part in sbom.root.walk() {
        by_ref
            .entry(part.id.clone())
            .or_default()
            .extend(part.crates.iter().cloned());
    }
    for c in &sbom.crates {
        by_ref.entry(c.purl.clone()).or_default();
    }
    for link in &sbom.links {
        if let Provider::Part(provider) = &link.provider {
            by_ref
                .entry(link.dependent.clone())
                .or_default()
                .insert(provider.clone());
        }
    }
    by_ref
        .into_iter()
        .map(|(r, on)| json!({ "ref": r, "dependsOn": on.into_iter().collect::<Vec<_>>() }))
        .collect()
}
