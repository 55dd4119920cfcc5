//! Virtual files for WASI 0.2: host folders read into trees to bake ([`Tree::read`]), and the
//! configuration of the bundled `files` module (`virt/files/files.c`) that serves them, the
//! in-memory overlay, the host's preopens passed through and stdio (allowed, denied or
//! ignored) — all through its own `wasi:io/streams`.
//!
//! The layout is declared as records in `virt/config.wit` (`files`, `files-preopen`,
//! `files-node`) and laid out by the canonical ABI (`config_layout`); `files.c` reads the
//! same offsets from `virt/files/layout.h`, which is made from those records.

use crate::config_layout;
use crate::grants::Stream;
use std::path::{Path, PathBuf};

/// A folder read from the host, to be baked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// The entries, sorted by name.
    pub entries: Vec<(String, Entry)>,
}

/// One entry of a [`Tree`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A file and its contents.
    File(Vec<u8>),
    /// A folder.
    Dir(Tree),
}

/// Why a folder could not be baked.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum MountError {
    /// The folder is not there, or is not a folder.
    #[error("{}: not a folder that can be read: {source}", path.display())]
    Unreadable {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The folder holds something other than files and folders.
    #[error("{}: neither a file nor a folder (only files and folders are baked)", path.display())]
    Special {
        /// The path.
        path: PathBuf,
    },
    /// Baking would exceed the limit.
    #[error("{}: baking it would make the mounted files {total} bytes, over the limit of {limit} bytes", path.display())]
    #[diagnostic(help("raise the limit, or mount a smaller folder"))]
    TooLarge {
        /// The file that crossed the limit.
        path: PathBuf,
        /// The total with it.
        total: u64,
        /// The limit.
        limit: u64,
    },
}

impl Tree {
    /// Reads `dir` (following symbolic links), adding the size of its files to `*total`,
    /// which must stay within `limit`.
    pub fn read(dir: &Path, total: &mut u64, limit: u64) -> Result<Tree, MountError> {
        let unreadable = |source| MountError::Unreadable {
            path: dir.to_path_buf(),
            source,
        };
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(unreadable)? {
            let entry = entry.map_err(unreadable)?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let meta = std::fs::metadata(&path).map_err(|source| MountError::Unreadable {
                path: path.clone(),
                source,
            })?;
            let item = if meta.is_dir() {
                Entry::Dir(Tree::read(&path, total, limit)?)
            } else if meta.is_file() {
                *total += meta.len();
                if *total > limit {
                    return Err(MountError::TooLarge {
                        path,
                        total: *total,
                        limit,
                    });
                }
                Entry::File(
                    std::fs::read(&path).map_err(|source| MountError::Unreadable {
                        path: path.clone(),
                        source,
                    })?,
                )
            } else {
                return Err(MountError::Special { path });
            };
            entries.push((name, item));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Tree { entries })
    }

    /// The number of files and their total size.
    pub fn size(&self) -> (usize, u64) {
        self.entries
            .iter()
            .fold((0, 0), |(files, bytes), (_, entry)| match entry {
                Entry::File(data) => (files + 1, bytes + data.len() as u64),
                Entry::Dir(tree) => {
                    let (f, b) = tree.size();
                    (files + f, bytes + b)
                }
            })
    }
}

/// What one guest path shows.
#[derive(Debug, Clone)]
pub enum Preopen {
    /// The host's preopen at the same guest path.
    Host,
    /// A baked tree; writable in memory when `overlay`.
    Tree {
        /// The files.
        tree: Tree,
        /// Whether it is the in-memory overlay.
        overlay: bool,
    },
}

/// Everything the `files` module serves.
#[derive(Debug, Clone)]
pub struct FilesConfig {
    /// stdin, stdout, stderr.
    pub stdio: [Stream; 3],
    /// Guest path -> what it shows, in order.
    pub preopens: Vec<(String, Preopen)>,
    /// Whether all of the host's preopens are passed through too (at their own paths).
    pub all_host_preopens: bool,
}

/// Node kinds as `files-node.kind` numbers them (`virt/config.wit`; the C turns them into
/// `descriptor-type`'s cases through its bindings).
const DIRECTORY: u32 = 0;
const FILE: u32 = 1;

/// A node being laid out: type, name, contents, parent index.
struct Node<'a> {
    kind: u32,
    name: &'a str,
    data: &'a [u8],
    parent: u32,
}

/// Appends `tree`'s entries under the node `parent`.
fn flatten<'a>(tree: &'a Tree, parent: u32, nodes: &mut Vec<Node<'a>>) {
    for (name, entry) in &tree.entries {
        let index = nodes.len() as u32;
        match entry {
            Entry::File(data) => nodes.push(Node {
                kind: FILE,
                name,
                data,
                parent,
            }),
            Entry::Dir(sub) => {
                nodes.push(Node {
                    kind: DIRECTORY,
                    name,
                    data: &[],
                    parent,
                });
                flatten(sub, index, nodes);
            }
        }
    }
}

/// The `files` module's configuration: the `files` record of `virt/config.wit`, then its
/// preopens and nodes as arrays of `files-preopen` and `files-node`, then the names and
/// contents they point at; each field where `config_layout` (the canonical ABI over those
/// records) puts it, which is where `virt/files/layout.h` says the C reads it.
pub fn config(c: &FilesConfig) -> Vec<u8> {
    let mut nodes = Vec::new();
    // Preopen: (kind, guest path, root node, writable).
    let mut preopens: Vec<(u32, &str, u32, u32)> = Vec::new();
    for (path, preopen) in &c.preopens {
        match preopen {
            Preopen::Host => preopens.push((0, path, 0, 0)),
            Preopen::Tree { tree, overlay } => {
                let root = nodes.len() as u32;
                nodes.push(Node {
                    kind: DIRECTORY,
                    name: "",
                    data: &[],
                    parent: root,
                });
                flatten(tree, root, &mut nodes);
                preopens.push((1, path, root, u32::from(*overlay)));
            }
        }
    }
    if c.all_host_preopens {
        preopens.push((2, "", 0, 0));
    }
    let (preopen_size, node_size) = (
        config_layout::size("files-preopen"),
        config_layout::size("files-node"),
    );
    let preopens_at = config_layout::size("files");
    let nodes_at = preopens_at + preopens.len() * preopen_size;
    let mut bytes = vec![0u8; nodes_at + nodes.len() * node_size];
    let put = |bytes: &mut Vec<u8>, at: usize, field: &str, v: u32| {
        let at = at + config_layout::offset(field);
        bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
    };
    // Appends `data`; returns its offset.
    let append = |bytes: &mut Vec<u8>, data: &[u8]| -> u32 {
        let at = bytes.len() as u32;
        bytes.extend_from_slice(data);
        at
    };
    for (i, (kind, path, root, writable)) in preopens.iter().enumerate() {
        let at = preopens_at + i * preopen_size;
        let path_at = append(&mut bytes, path.as_bytes());
        put(&mut bytes, at, "files-preopen.kind", *kind);
        put(&mut bytes, at, "files-preopen.path-at", path_at);
        put(&mut bytes, at, "files-preopen.path-len", path.len() as u32);
        put(&mut bytes, at, "files-preopen.root", *root);
        put(&mut bytes, at, "files-preopen.writable", *writable);
    }
    for (i, node) in nodes.iter().enumerate() {
        let at = nodes_at + i * node_size;
        let name_at = append(&mut bytes, node.name.as_bytes());
        let data_at = append(&mut bytes, node.data);
        put(&mut bytes, at, "files-node.kind", node.kind);
        put(&mut bytes, at, "files-node.name-at", name_at);
        put(
            &mut bytes,
            at,
            "files-node.name-len",
            node.name.len() as u32,
        );
        put(&mut bytes, at, "files-node.data-at", data_at);
        put(
            &mut bytes,
            at,
            "files-node.data-len",
            node.data.len() as u32,
        );
        put(&mut bytes, at, "files-node.parent", node.parent);
    }
    while !bytes.len().is_multiple_of(16) {
        bytes.push(0);
    }
    let total = bytes.len() as u32;
    let mode = |s: Stream| match s {
        Stream::Allow => 0,
        Stream::Deny => 1,
        Stream::Ignore => 2,
    };
    put(&mut bytes, 0, "files.total-size", total);
    put(&mut bytes, 0, "files.stdin", mode(c.stdio[0]));
    put(&mut bytes, 0, "files.stdout", mode(c.stdio[1]));
    put(&mut bytes, 0, "files.stderr", mode(c.stdio[2]));
    put(&mut bytes, 0, "files.preopen-count", preopens.len() as u32);
    put(&mut bytes, 0, "files.node-count", nodes.len() as u32);
    put(&mut bytes, 0, "files.preopens-at", preopens_at as u32);
    put(&mut bytes, 0, "files.nodes-at", nodes_at as u32);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_folder_sorted_and_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("b.txt"), "bee").unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "a").unwrap();
        let mut total = 0;
        let tree = Tree::read(dir.path(), &mut total, 100).unwrap();
        assert_eq!(total, 4);
        assert_eq!(tree.entries[0].0, "b.txt");
        assert_eq!(tree.size(), (2, 4));
        let mut total = 0;
        let err = Tree::read(dir.path(), &mut total, 3).unwrap_err();
        assert!(
            matches!(err, MountError::TooLarge { limit: 3, .. }),
            "{err}"
        );
        let err = Tree::read(&dir.path().join("missing"), &mut 0, 3).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
    }

    #[test]
    fn lays_out_nodes_with_their_parents() {
        let tree = Tree {
            entries: vec![(
                "d".into(),
                Entry::Dir(Tree {
                    entries: vec![("f".into(), Entry::File(b"x".to_vec()))],
                }),
            )],
        };
        let bytes = config(&FilesConfig {
            stdio: [Stream::Allow, Stream::Ignore, Stream::Deny],
            preopens: vec![(
                "/data".into(),
                Preopen::Tree {
                    tree,
                    overlay: true,
                },
            )],
            all_host_preopens: false,
        });
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        assert_eq!(u32_at(0) as usize, bytes.len());
        assert_eq!((u32_at(8), u32_at(12)), (2, 1));
        assert_eq!((u32_at(16), u32_at(20)), (1, 3));
        let nodes = u32_at(28) as usize;
        // The file is node 2, child of node 1 (`d`), child of the root 0.
        assert_eq!(u32_at(nodes + 2 * 24 + 20), 1);
        assert_eq!(u32_at(nodes + 24 + 20), 0);
        let data = u32_at(nodes + 2 * 24 + 12) as usize;
        assert_eq!(&bytes[data..data + 1], b"x");
    }
}
