//! What grew or shrank between two builds: both trees matched item by item by their paths
//! of names, every item whose size changed (or that exists in one build only) listed with
//! both sizes, largest change first. Siblings whose names differ (a build that stripped or
//! dropped names: `module libc.so` became `module 2`, a function `foo` became `func[12]`)
//! are then matched by kind and position, and the change says so.

use super::render::{grouped, human};
use super::{Item, ItemKind, SizeReport};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write;

/// The comparison of two builds.
#[derive(Debug, Clone, Serialize)]
pub struct SizeDiff {
    /// Bytes in the old file.
    pub old_size: u64,
    /// Bytes in the new file.
    pub new_size: u64,
    /// `new_size - old_size`.
    pub delta: i64,
    /// Every item whose size differs, largest absolute change first (ties by path).
    pub changes: Vec<Change>,
    /// How many items were matched by kind and position because their names differ.
    pub matched_by_position: usize,
}

/// One item that changed.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Names from the root's child down to the item, joined by ` / `.
    pub path: String,
    /// What it is.
    pub kind: ItemKind,
    /// Its size in the old build (0 when added).
    pub old: u64,
    /// Its size in the new build (0 when removed).
    pub new: u64,
    /// `new - old`.
    pub delta: i64,
    /// How it changed.
    pub status: Status,
    /// Whether it has no parts in either build (a function, a segment, a plain section).
    pub leaf: bool,
    /// When the item's name differs between the builds: its old path (it was matched by its
    /// kind and position among the siblings no name matched).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub was: Option<String>,
}

/// How an item changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Only in the new build.
    Added,
    /// Only in the old build.
    Removed,
    /// Larger in the new build.
    Grown,
    /// Smaller in the new build.
    Shrunk,
}

/// Compares two attributions.
pub fn diff(old: &SizeReport, new: &SizeReport) -> SizeDiff {
    let mut changes = Vec::new();
    let mut matched_by_position = 0;
    compare(
        Pair {
            old: Some(&old.root),
            new: Some(&new.root),
            path: String::new(),
            was: None,
        },
        &mut changes,
        &mut matched_by_position,
    );
    changes.sort_by(|a, b| {
        b.delta
            .unsigned_abs()
            .cmp(&a.delta.unsigned_abs())
            .then_with(|| a.path.cmp(&b.path))
    });
    SizeDiff {
        old_size: old.file_size,
        new_size: new.file_size,
        delta: new.file_size as i64 - old.file_size as i64,
        changes,
        matched_by_position,
    }
}

/// The same item in two builds (one side missing when added or removed), its path in the
/// new build and, when renamed, in the old.
struct Pair<'a> {
    old: Option<&'a Item>,
    new: Option<&'a Item>,
    path: String,
    was: Option<String>,
}

fn compare(pair: Pair<'_>, out: &mut Vec<Change>, by_position: &mut usize) {
    let Pair {
        old,
        new,
        path,
        was,
    } = pair;
    let (old_size, new_size) = (old.map_or(0, |i| i.size), new.map_or(0, |i| i.size));
    let either = new.or(old).expect("one side exists");
    if !path.is_empty() && old_size != new_size || old.is_none() != new.is_none() {
        out.push(Change {
            path: path.clone(),
            kind: either.kind,
            old: old_size,
            new: new_size,
            delta: new_size as i64 - old_size as i64,
            status: match (old, new) {
                (None, _) => Status::Added,
                (_, None) => Status::Removed,
                _ if new_size > old_size => Status::Grown,
                _ => Status::Shrunk,
            },
            leaf: old.is_none_or(|i| i.children.is_empty())
                && new.is_none_or(|i| i.children.is_empty()),
            was: was.clone(),
        });
    }
    if old_size == new_size && old.is_some() && new.is_some() && same_shape(old, new) {
        return;
    }
    let join = |base: &str, name: &str| {
        if base.is_empty() {
            name.to_string()
        } else {
            format!("{base} / {name}")
        }
    };
    let old_path = was.as_deref().unwrap_or(&path);
    let old_children = old.map_or(&[][..], |i| &i.children[..]);
    let new_children = new.map_or(&[][..], |i| &i.children[..]);
    for (before, after) in match_children(old_children, new_children) {
        let renamed = match (before, after) {
            (Some(b), Some(a)) if b.name != a.name => {
                *by_position += 1;
                Some(join(old_path, &b.name))
            }
            _ if was.is_some() => before.map(|b| join(old_path, &b.name)),
            _ => None,
        };
        let name = &after.or(before).expect("one side exists").name;
        compare(
            Pair {
                old: before,
                new: after,
                path: join(&path, name),
                was: renamed,
            },
            out,
            by_position,
        );
    }
}

/// The children of an item in both builds, paired: by name first; then the ones left on
/// both sides by kind, in order; then the rest alone (added or removed). In the new build's
/// order, the removed ones last.
fn match_children<'a>(
    old: &'a [Item],
    new: &'a [Item],
) -> Vec<(Option<&'a Item>, Option<&'a Item>)> {
    let old_names: HashMap<&str, usize> = old
        .iter()
        .enumerate()
        .map(|(n, c)| (c.name.as_str(), n))
        .collect();
    let mut used = vec![false; old.len()];
    let mut pairs: Vec<(Option<&Item>, Option<&Item>)> = new
        .iter()
        .map(|c| {
            let before = old_names.get(c.name.as_str()).map(|&n| {
                used[n] = true;
                &old[n]
            });
            (before, Some(c))
        })
        .collect();
    for pair in pairs.iter_mut().filter(|p| p.0.is_none()) {
        let after = pair.1.expect("new side");
        let kind = after.kind;
        if !named_by_the_build(kind) {
            continue;
        }
        // Only where one build has no name for it: two different names are two items.
        let unnamed = |item: &Item| is_placeholder(&item.name);
        if let Some(n) = (0..old.len())
            .find(|&n| !used[n] && old[n].kind == kind && (unnamed(after) || unnamed(&old[n])))
        {
            used[n] = true;
            pair.0 = Some(&old[n]);
        }
    }
    pairs.extend(
        old.iter()
            .zip(&used)
            .filter(|(_, used)| !**used)
            .map(|(c, _)| (Some(c), None)),
    );
    pairs
}

/// Whether items of `kind` take their names from what a build may strip or rename (module,
/// component and function names), rather than from what they are (a section's kind, a
/// custom section's own name), so that siblings of that kind can be matched by position.
fn named_by_the_build(kind: ItemKind) -> bool {
    matches!(
        kind,
        ItemKind::Component | ItemKind::Module | ItemKind::Function
    )
}

/// Whether `name` is what `wct size` calls an item that has no name in the binary:
/// `module 3`, `component 0`, `func[12]`.
fn is_placeholder(name: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    name.strip_prefix("module ")
        .or_else(|| name.strip_prefix("component "))
        .is_some_and(digits)
        || name
            .strip_prefix("func[")
            .and_then(|rest| rest.strip_suffix(']'))
            .is_some_and(digits)
}

/// Whether two same-sized items have children of the same names and sizes (then nothing
/// below them changed worth listing).
fn same_shape(old: Option<&Item>, new: Option<&Item>) -> bool {
    match (old, new) {
        (Some(a), Some(b)) => {
            a.children.len() == b.children.len()
                && a.children
                    .iter()
                    .zip(&b.children)
                    .all(|(x, y)| x.name == y.name && x.size == y.size)
        }
        _ => false,
    }
}

/// A signed size for people: `+12.3 kB`, `-512 B`.
fn signed(delta: i64) -> String {
    let sign = if delta < 0 { '-' } else { '+' };
    format!("{sign}{}", human(delta.unsigned_abs()))
}

/// The text report: totals, the modules and components that changed, and the `top`
/// largest changes among items without parts.
pub fn render(old_name: &str, new_name: &str, diff: &SizeDiff, top: usize) -> String {
    let mut out = String::new();
    let percent = diff.delta as f64 * 100.0 / diff.old_size.max(1) as f64;
    let _ = writeln!(
        out,
        "{old_name} -> {new_name}: {} -> {} ({}{} bytes, {percent:+.1}%)",
        human(diff.old_size),
        human(diff.new_size),
        if diff.delta < 0 { '-' } else { '+' },
        grouped(diff.delta.unsigned_abs()),
    );
    if diff.matched_by_position > 0 {
        let _ = writeln!(
            out,
            "{} item(s) whose names differ between the builds were matched by kind and position",
            diff.matched_by_position
        );
    }
    if diff.changes.is_empty() {
        let _ = writeln!(out, "no item changed size");
        return out;
    }
    let mut section = |title: &str, rows: Vec<&Change>| {
        if rows.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "\n{title}:\n{:>10} {:>10} {:>10}  ITEM",
            "CHANGE", "OLD", "NEW"
        );
        for c in rows {
            let status = match (&c.was, c.status) {
                (_, Status::Added) => "  (added)".to_string(),
                (_, Status::Removed) => "  (removed)".to_string(),
                (Some(was), _) => format!("  (was {was})"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "{:>10} {:>10} {:>10}  {}{status}",
                signed(c.delta),
                human(c.old),
                human(c.new),
                c.path
            );
        }
    };
    section(
        "Modules and components",
        diff.changes
            .iter()
            .filter(|c| matches!(c.kind, ItemKind::Module | ItemKind::Component))
            .collect(),
    );
    section(
        "Largest changes",
        diff.changes.iter().filter(|c| c.leaf).take(top).collect(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(segment: u64, extra: bool) -> SizeReport {
        let mut data = Item::new("data", ItemKind::Section, 20, segment + 10);
        data.children
            .push(Item::new("segment 0", ItemKind::DataSegment, 22, segment));
        let mut module = Item::new("module main", ItemKind::Module, 8, segment + 20);
        module.children.push(data);
        if extra {
            module
                .children
                .push(Item::new("custom \"x\"", ItemKind::Custom, 90, 4));
            module.size += 4;
        }
        let mut root = Item::new("component", ItemKind::Component, 0, module.size + 8);
        root.children
            .push(Item::new("header", ItemKind::Header, 0, 8));
        root.children.push(module);
        SizeReport {
            file_size: root.size,
            root,
            stopped: None,
        }
    }

    #[test]
    fn names_what_grew() {
        let d = diff(&report(100, false), &report(150, true));
        assert_eq!(d.delta, 54);
        let paths: Vec<(&str, i64)> = d
            .changes
            .iter()
            .map(|c| (c.path.as_str(), c.delta))
            .collect();
        assert_eq!(
            paths,
            [
                ("module main", 54),
                ("module main / data", 50),
                ("module main / data / segment 0", 50),
                ("module main / custom \"x\"", 4),
            ]
        );
        assert_eq!(d.changes[3].status, Status::Added);
        let text = render("a.wasm", "b.wasm", &d, 5);
        assert!(text.contains("+50 B"), "{text}");
        assert!(diff(&report(100, false), &report(100, false))
            .changes
            .is_empty());
    }

    #[test]
    fn items_whose_names_were_stripped_are_matched_by_position() {
        let old = report(100, false);
        let mut new = report(120, false);
        new.root.children[1].name = "module 0".into();
        let d = diff(&old, &new);
        assert_eq!(d.matched_by_position, 1);
        let module = &d.changes[0];
        assert_eq!(
            (module.path.as_str(), module.was.as_deref(), module.status),
            ("module 0", Some("module main"), Status::Grown)
        );
        assert!(!d.changes.iter().any(|c| c.status == Status::Added));
        let text = render("a.wasm", "b.wasm", &d, 5);
        assert!(text.contains("(was module main)"), "{text}");
        assert!(text.contains("matched by kind and position"), "{text}");
    }
}
