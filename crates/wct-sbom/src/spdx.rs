//! The SBOM as an SPDX 2.3 JSON document.
//!
//! Every part is a package (`SPDXRef-Part-N`, in depth-first order; the outermost one is
//! the `APPLICATION` the document `DESCRIBES`, the nested ones `LIBRARY` packages it
//! `CONTAINS`), with its SHA-256, version, licence expression as declared, description,
//! homepage, source as `sourceInfo`, authors as originator, and a comment that lists its
//! roles (and why), producers, imports and exports. The Rust crates of `.dep-v0` sections
//! are packages with a `purl` external reference, `DEPENDS_ON` (or `BUILD_DEPENDENCY_OF`)
//! the part that lists them; a filled import is `DEPENDS_ON` from the instantiated part to
//! the part that fills it, the import named in the relationship's comment. SPDX requires a
//! creation time: without one given it is the Unix epoch, so the same input gives the same
//! bytes.

use crate::model::{Part, Provider, Sbom};
use crate::{DocumentOptions, TOOL_NAME, TOOL_VERSION};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The SPDX 2.3 document of `sbom`.
pub fn document(sbom: &Sbom, options: &DocumentOptions) -> Value {
    let parts = sbom.root.walk();
    let ids: BTreeMap<&str, String> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), format!("SPDXRef-Part-{i}")))
        .collect();
    let crate_ids: BTreeMap<&str, String> = sbom
        .crates
        .iter()
        .enumerate()
        .map(|(i, c)| (c.purl.as_str(), format!("SPDXRef-Crate-{i}")))
        .collect();
    let mut packages: Vec<Value> = parts
        .iter()
        .map(|p| package(p, &ids[p.id.as_str()], p.id == sbom.root.id))
        .collect();
    packages.extend(sbom.crates.iter().map(|c| {
        json!({
            "SPDXID": crate_ids[c.purl.as_str()],
            "name": c.name,
            "versionInfo": c.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "primaryPackagePurpose": "LIBRARY",
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": c.purl,
            }],
        })
    }));
    let mut relationships = vec![relationship(
        "SPDXRef-DOCUMENT",
        "DESCRIBES",
        &ids[sbom.root.id.as_str()],
        None,
    )];
    for part in &parts {
        for child in &part.children {
            relationships.push(relationship(
                &ids[part.id.as_str()],
                "CONTAINS",
                &ids[child.id.as_str()],
                None,
            ));
        }
        for purl in &part.crates {
            let build = sbom
                .crates
                .iter()
                .any(|c| &c.purl == purl && c.kind == "build");
            relationships.push(if build {
                relationship(
                    &crate_ids[purl.as_str()],
                    "BUILD_DEPENDENCY_OF",
                    &ids[part.id.as_str()],
                    None,
                )
            } else {
                relationship(
                    &ids[part.id.as_str()],
                    "DEPENDS_ON",
                    &crate_ids[purl.as_str()],
                    None,
                )
            });
        }
    }
    for link in &sbom.links {
        if let Provider::Part(provider) = &link.provider {
            relationships.push(relationship(
                &ids[link.dependent.as_str()],
                "DEPENDS_ON",
                &ids[provider.as_str()],
                Some(&format!("fills its import {}", link.import)),
            ));
        }
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": sbom.file_name,
        "documentNamespace": format!("urn:wct:sbom:sha256:{}", sbom.root.sha256),
        "creationInfo": {
            "created": options.timestamp.clone().unwrap_or_else(|| wct_io::time::rfc3339(0)),
            "creators": [format!("Tool: {TOOL_NAME}-{TOOL_VERSION}")],
        },
        "packages": packages,
        "relationships": relationships,
    })
}

/// The package of `part`.
fn package(part: &Part, id: &str, root: bool) -> Value {
    let mut p = Map::new();
    p.insert("SPDXID".into(), json!(id));
    p.insert("name".into(), json!(part.name));
    if let Some(version) = &part.version {
        p.insert("versionInfo".into(), json!(version));
    }
    p.insert("downloadLocation".into(), json!("NOASSERTION"));
    p.insert("filesAnalyzed".into(), json!(false));
    p.insert(
        "checksums".into(),
        json!([{ "algorithm": "SHA256", "checksumValue": part.sha256 }]),
    );
    p.insert("licenseConcluded".into(), json!("NOASSERTION"));
    p.insert(
        "licenseDeclared".into(),
        json!(part
            .annotations
            .get("licenses")
            .map_or("NOASSERTION", String::as_str)),
    );
    p.insert("copyrightText".into(), json!("NOASSERTION"));
    p.insert(
        "primaryPackagePurpose".into(),
        json!(if root { "APPLICATION" } else { "LIBRARY" }),
    );
    if let Some(description) = part.annotations.get("description") {
        p.insert("description".into(), json!(description));
    }
    if let Some(homepage) = part.annotations.get("homepage") {
        if homepage.contains("://") {
            p.insert("homepage".into(), json!(homepage));
        }
    }
    if let Some(authors) = part.annotations.get("authors") {
        p.insert("originator".into(), json!(format!("Person: {authors}")));
    }
    let source: Vec<String> = ["source", "revision"]
        .into_iter()
        .filter_map(|key| Some(format!("{key}: {}", part.annotations.get(key)?)))
        .collect();
    if !source.is_empty() {
        p.insert("sourceInfo".into(), json!(source.join(", ")));
    }
    p.insert("comment".into(), json!(comment(part)));
    Value::Object(p)
}

/// What SPDX has no field for, one fact per line.
fn comment(part: &Part) -> String {
    let mut lines = vec![format!(
        "{} of {} bytes at offset {} ({})",
        match part.kind {
            crate::PartKind::Component => "component",
            crate::PartKind::Module => "core module",
        },
        part.size,
        part.offset,
        part.id
    )];
    for role in &part.roles {
        lines.push(format!("role {}: {}", role.kind.as_str(), role.reason));
    }
    for (field, list) in &part.producers {
        for tool in list {
            lines.push(
                format!("{field}: {} {}", tool.name, tool.version)
                    .trim_end()
                    .to_string(),
            );
        }
    }
    lines.extend(part.imports.iter().map(|i| format!("import {i}")));
    lines.extend(part.exports.iter().map(|e| format!("export {e}")));
    lines.join("\n")
}

fn relationship(from: &str, kind: &str, to: &str, comment: Option<&str>) -> Value {
    let mut r = json!({
        "spdxElementId": from,
        "relationshipType": kind,
        "relatedSpdxElement": to,
    });
    if let Some(comment) = comment {
        r["comment"] = json!(comment);
    }
    r
}
