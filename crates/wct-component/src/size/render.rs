//! The text report of `wct size`: the attribution tree (largest parts first, sizes aligned,
//! share of the file), the largest items across it, and with `verbose` why each label was
//! given.

use super::query::{cut, largest};
use super::{Item, ItemKind, SizeReport};
use std::fmt::Write;

/// What the text report shows.
#[derive(Debug, Clone)]
pub struct TextOptions {
    /// Levels of the tree below the root.
    pub depth: usize,
    /// How many of the largest items to list.
    pub top: usize,
    /// Most children shown under one item; the rest are summed on one line.
    pub children: usize,
    /// Say why each label was given.
    pub verbose: bool,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            depth: 3,
            top: 20,
            children: 10,
            verbose: false,
        }
    }
}

/// Sizes for people: `512 B`, `12.3 kB`, `18.4 MB` (powers of 1000, as file managers show).
pub fn human(bytes: u64) -> String {
    match bytes {
        0..=999 => format!("{bytes} B"),
        1_000..=999_999 => format!("{:.1} kB", bytes as f64 / 1e3),
        1_000_000..=999_999_999 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.2} GB", bytes as f64 / 1e9),
    }
}

/// `1234567` as `1,234,567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The share of `part` in `whole` as a percentage with one decimal.
pub(crate) fn share(part: u64, whole: u64) -> String {
    format!("{:.1}%", part as f64 * 100.0 / whole.max(1) as f64)
}

/// The whole text report for the file called `name`.
pub fn render(name: &str, report: &SizeReport, opts: &TextOptions) -> String {
    let mut out = String::new();
    let root = &report.root;
    let _ = writeln!(
        out,
        "{name}: {}, {} bytes ({})",
        kind_word(root.kind),
        grouped(report.file_size),
        human(report.file_size)
    );
    if let Some(stop) = &report.stopped {
        let _ = writeln!(
            out,
            "parsing stopped at offset {:#x}: {} (what was read is attributed)",
            stop.offset, stop.message
        );
    }
    let _ = writeln!(out, "\n{:>9} {:>6}  ITEM", "SIZE", "SHARE");
    let tree = cut(root, opts.depth);
    let mut lines = Lines {
        out: &mut out,
        total: report.file_size.max(1),
        opts,
    };
    lines.item(&tree, "", "");
    let top = largest(root, opts.top);
    if !top.is_empty() {
        let _ = writeln!(out, "\nLargest items:");
        for r in &top {
            let _ = writeln!(
                out,
                "{:>9} {:>6}  {}",
                human(r.size),
                share(r.size, report.file_size),
                r.path
            );
        }
    }
    out
}

struct Lines<'a> {
    out: &'a mut String,
    total: u64,
    opts: &'a TextOptions,
}

impl Lines<'_> {
    fn item(&mut self, item: &Item, lead: &str, child_lead: &str) {
        let _ = writeln!(
            self.out,
            "{:>9} {:>6}  {lead}{}{}",
            human(item.size),
            share(item.size, self.total),
            item.name,
            details(item)
        );
        if self.opts.verbose {
            for label in &item.labels {
                let _ = writeln!(
                    self.out,
                    "{:18}{child_lead}   why {}: {}",
                    "",
                    label.kind.describe(),
                    label.reason
                );
            }
        }
        let mut children: Vec<&Item> = item.children.iter().collect();
        children.sort_by(|a, b| b.size.cmp(&a.size).then(a.offset.cmp(&b.offset)));
        let shown = children.len().min(self.opts.children);
        let hidden = &children[shown..];
        for (i, child) in children[..shown].iter().enumerate() {
            let last = i + 1 == shown && hidden.is_empty();
            let (branch, next) = if last {
                ("└─ ", "   ")
            } else {
                ("├─ ", "│  ")
            };
            self.item(
                child,
                &format!("{child_lead}{branch}"),
                &format!("{child_lead}{next}"),
            );
        }
        if !hidden.is_empty() {
            let size: u64 = hidden.iter().map(|c| c.size).sum();
            let _ = writeln!(
                self.out,
                "{:>9} {:>6}  {child_lead}└─ ... {} more",
                human(size),
                share(size, self.total),
                grouped(hidden.len() as u64)
            );
        }
    }
}

fn kind_word(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Component => "component",
        ItemKind::Module => "core module",
        _ => "not wasm",
    }
}

/// What follows an item's name: how many entries, what its data looks like, its labels.
fn details(item: &Item) -> String {
    let mut out = String::new();
    if let Some(count) = item.count {
        let word = match (item.kind, item.name.as_str()) {
            (ItemKind::Section, "code") => "function",
            (ItemKind::Section, "data") => "segment",
            _ => "section",
        };
        let plural = if count == 1 { "" } else { "s" };
        let _ = write!(out, "  ({} {word}{plural})", grouped(count.into()));
    }
    if let Some(hint) = &item.data {
        let _ = write!(out, "  {}", hint.looks.describe());
        if let Some(at) = hint.memory_offset {
            let _ = write!(out, " @{at:#x}");
        }
        let preview: String = hint.preview.chars().take(24).collect();
        let _ = write!(out, " {preview:?}");
    }
    for label in &item.labels {
        let _ = write!(out, "  [{}]", label.kind.describe());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(human(999), "999 B");
        assert_eq!(human(18_422_410), "18.4 MB");
        assert_eq!(human(1_500), "1.5 kB");
        assert_eq!(grouped(18_422_410), "18,422,410");
        assert_eq!(grouped(12), "12");
        assert_eq!(share(1, 3), "33.3%");
    }
}
