//! Questions asked of an attribution tree: the largest items across it, and the tree cut at
//! a depth (what `--top` and `--depth` show).

use super::{Item, ItemKind};
use serde::Serialize;

/// One of the largest items, with where it sits.
#[derive(Debug, Clone, Serialize)]
pub struct Ranked {
    /// Names from the root's child down to the item, joined by ` / `.
    pub path: String,
    /// What it is.
    pub kind: ItemKind,
    /// Its size.
    pub size: u64,
    /// Its offset.
    pub offset: u64,
}

/// The `n` largest leaves of the tree (items without parts: functions, segments, sections
/// that are not broken down), largest first; ties in file order.
pub fn largest(root: &Item, n: usize) -> Vec<Ranked> {
    let mut leaves: Vec<(u64, u64, Vec<String>, ItemKind)> = Vec::new();
    root.walk(&mut |path, item| {
        if item.children.is_empty() && !std::ptr::eq(item, root) {
            let smallest = leaves.len() >= n && leaves.last().is_some_and(|l| l.0 >= item.size);
            if n > 0 && !smallest {
                let at = leaves.partition_point(|l| {
                    (l.0, std::cmp::Reverse(l.1)) >= (item.size, std::cmp::Reverse(item.offset))
                });
                leaves.insert(
                    at,
                    (
                        item.size,
                        item.offset,
                        path[1..].iter().map(|s| s.to_string()).collect(),
                        item.kind,
                    ),
                );
                leaves.truncate(n);
            }
        }
    });
    leaves
        .into_iter()
        .map(|(size, offset, path, kind)| Ranked {
            path: path.join(" / "),
            kind,
            size,
            offset,
        })
        .collect()
}

/// A copy of the tree without the items deeper than `depth` (the root is depth 0); their
/// bytes stay in their parent's size.
pub fn cut(root: &Item, depth: usize) -> Item {
    let mut item = Item {
        children: Vec::new(),
        ..root.clone_shallow()
    };
    if depth > 0 {
        item.children = root.children.iter().map(|c| cut(c, depth - 1)).collect();
    }
    item
}

impl Item {
    /// The item without its children.
    fn clone_shallow(&self) -> Item {
        Item {
            name: self.name.clone(),
            kind: self.kind,
            offset: self.offset,
            size: self.size,
            count: self.count,
            labels: self.labels.clone(),
            data: self.data.clone(),
            children: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Item {
        let mut root = Item::new("component", ItemKind::Component, 0, 100);
        let mut module = Item::new("module a", ItemKind::Module, 8, 80);
        module
            .children
            .push(Item::new("f", ItemKind::Function, 10, 30));
        module
            .children
            .push(Item::new("g", ItemKind::Function, 40, 30));
        module
            .children
            .push(Item::new("h", ItemKind::Function, 70, 5));
        root.children
            .push(Item::new("header", ItemKind::Header, 0, 8));
        root.children.push(module);
        root
    }

    #[test]
    fn largest_leaves_in_order() {
        let top = largest(&tree(), 2);
        let paths: Vec<&str> = top.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["module a / f", "module a / g"]);
        assert_eq!(largest(&tree(), 10).len(), 4);
        assert!(largest(&tree(), 0).is_empty());
    }

    #[test]
    fn cut_keeps_sizes() {
        let cut = cut(&tree(), 1);
        assert_eq!(cut.children.len(), 2);
        assert!(cut.children[1].children.is_empty());
        assert_eq!(cut.children[1].size, 80);
    }
}
