//! `wct size --html`: one self-contained page (inline style and script, no network) with a
//! zoomable treemap of the attribution tree and, for two builds, the table of changes with
//! the grown and shrunk rectangles outlined.

use super::diff::SizeDiff;
use super::render::{grouped, human};
use super::{Item, ItemKind, SizeReport};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write;

const STYLE: &str = include_str!("page/treemap.css");
const SCRIPT: &str = include_str!("page/treemap.js");

/// The page's view of an item: short keys keep large trees small.
#[derive(Serialize)]
struct Node<'a> {
    n: &'a str,
    s: u64,
    k: ItemKind,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    l: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    d: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    c: Vec<Node<'a>>,
}

fn node<'a>(item: &'a Item, path: &str, deltas: &HashMap<&str, i64>) -> Node<'a> {
    let child_path = |name: &str| {
        if path.is_empty() {
            name.to_string()
        } else {
            format!("{path} / {name}")
        }
    };
    Node {
        n: &item.name,
        s: item.size,
        k: item.kind,
        l: item.labels.iter().map(|l| l.kind.describe()).collect(),
        d: deltas.get(path).copied(),
        c: item
            .children
            .iter()
            .map(|c| node(c, &child_path(&c.name), deltas))
            .collect(),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page for `report` of the file called `title`; with `diff`, the changes from the
/// older build are outlined in the treemap and listed below it.
pub fn page(title: &str, report: &SizeReport, diff: Option<&SizeDiff>) -> String {
    let deltas: HashMap<&str, i64> = diff
        .map(|d| {
            d.changes
                .iter()
                .map(|c| (c.path.as_str(), c.delta))
                .collect()
        })
        .unwrap_or_default();
    #[derive(Serialize)]
    struct Data<'a> {
        root: Node<'a>,
    }
    let data = Data {
        root: node(&report.root, "", &deltas),
    };
    // `</` cannot appear inside a script element.
    let json = serde_json::to_string(&data)
        .expect("the tree serializes")
        .replace("</", "<\\/");
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>wct size: {title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<header>\n\
         <h1>{title}: {} ({} bytes)</h1>\n<div id=\"crumbs\"></div>\n</header>\n",
        human(report.file_size),
        grouped(report.file_size),
        title = escape(title),
    );
    if let Some(stop) = &report.stopped {
        let _ = writeln!(
            out,
            "<p>Parsing stopped at offset {:#x}: {}</p>",
            stop.offset,
            escape(&stop.message)
        );
    }
    out.push_str("<div id=\"map\"></div>\n");
    if let Some(diff) = diff {
        changes_table(&mut out, diff);
    }
    let _ = write!(
        out,
        "<script type=\"application/json\" id=\"wct-data\">{json}</script>\n\
         <script>\n{SCRIPT}</script>\n</body>\n</html>\n"
    );
    out
}

/// The 50 largest changes, as a table.
fn changes_table(out: &mut String, diff: &SizeDiff) {
    let _ = writeln!(
        out,
        "<h2>Changes: {} to {} ({:+} bytes)</h2>\n<table id=\"changes\">\n\
         <tr><th>change</th><th>old</th><th>new</th><th class=\"path\">item</th></tr>",
        human(diff.old_size),
        human(diff.new_size),
        diff.delta
    );
    for c in diff.changes.iter().take(50) {
        let _ = writeln!(
            out,
            "<tr><td>{:+}</td><td>{}</td><td>{}</td><td class=\"path\">{}</td></tr>",
            c.delta,
            grouped(c.old),
            grouped(c.new),
            escape(&c.path)
        );
    }
    out.push_str("</table>\n");
}
