//! When wct's own streams (the `files` module) serve a component's WASI 0.2 streams, stdio
//! and files: which grants need them, when a denied stream prefers them, what in the imports
//! keeps them out, and what the module serves.

use crate::catalogue::{Generation, FILES_INTERFACES};
use crate::grants::{Access, Grants, Stream, DEFAULT_MAX_BAKE_SIZE};
use crate::wasi_wit::split_import;
use crate::{files, VirtError};

/// What the `files` module serves, and how its preopens read in the report.
pub(crate) struct FilesPlan {
    /// The module's configuration.
    pub(crate) config: files::FilesConfig,
    /// How its preopens read in the report.
    pub(crate) preopens_how: String,
    /// Whether no folder is preopened.
    pub(crate) preopens_denied: bool,
}

/// The standard streams with their grants.
fn stdio(g: &Grants) -> [(Stream, &'static str); 3] {
    [
        (g.stdin, "wasi:cli/stdin"),
        (g.stdout, "wasi:cli/stdout"),
        (g.stderr, "wasi:cli/stderr"),
    ]
}

/// Whether the grants need wct's own streams for what the component imports of WASI 0.2:
/// files mounted or overlaid (it imports `wasi:filesystem/preopens`), or a standard stream it
/// imports ignored.
fn files_needed(imports: &[String], g: &Grants) -> bool {
    let p2 = |name: &str| imports_in(imports, name, Generation::P2);
    ((!g.mounts.is_empty() || !g.overlay.is_empty()) && p2("wasi:filesystem/preopens"))
        || stdio(g)
            .iter()
            .any(|(stream, name)| *stream == Stream::Ignore && p2(name))
}

/// Whether wct's own streams serve the component's WASI 0.2 imports: when the grants need
/// them, and also when a standard stream it imports is denied and nothing in its imports
/// keeps them out, so that the stream is refused where it is used (reading finds the end,
/// writing fails with `closed`) rather than when it is taken: a Preview 1 program's adapter
/// takes all three streams when it starts. Otherwise the `stdio` module denies it when taken.
pub(crate) fn files_wanted(imports: &[String], g: &Grants) -> bool {
    let p2 = |name: &str| imports_in(imports, name, Generation::P2);
    files_needed(imports, g)
        || (stdio(g)
            .iter()
            .any(|(stream, name)| *stream == Stream::Deny && p2(name))
            && files_blocked(imports, g).is_none())
}

/// Whether the component imports `interface` (unversioned) in `generation`.
pub(crate) fn imports_in(imports: &[String], interface: &str, generation: Generation) -> bool {
    imports.iter().any(|i| {
        split_import(i).is_some_and(|(name, _, version)| {
            name == interface && Generation::of_version(version) == Some(generation)
        })
    })
}

/// Why WASI 0.3 streams cannot be served by a component (beyond refusing them).
const P3_STREAMS: &str = "WASI 0.3 returns this stream from a synchronous function, and a \
component cannot keep serving a stream after such a call returns (the component model \
lifts only async functions asynchronously)";

/// Grants that need wct's own streams, refused for what the component imports.
pub(crate) fn streams_refused(imports: &[String], g: &Grants) -> Option<VirtError> {
    let wants_files = !g.mounts.is_empty() || !g.overlay.is_empty();
    // WASI 0.3's stdin has ended when denied, which is what ignoring it means too.
    for (stream, name) in stdio(g).into_iter().skip(1) {
        if stream == Stream::Ignore
            && imports_in(imports, name, Generation::P3)
            && !imports_in(imports, name, Generation::P2)
        {
            return Some(VirtError::Unsupported {
                what: format!("ignoring {name}@{}", crate::wasi_wit::p3_version()),
                reason: P3_STREAMS.into(),
                advice: "allow or deny the stream".into(),
            });
        }
    }
    if wants_files
        && imports_in(imports, "wasi:filesystem/preopens", Generation::P3)
        && !imports_in(imports, "wasi:filesystem/preopens", Generation::P2)
    {
        return Some(VirtError::Unsupported {
            what: format!(
                "virtual files for wasi:filesystem@{}",
                crate::wasi_wit::p3_version()
            ),
            reason: P3_STREAMS.into(),
            advice: "pass the host's folders through instead".into(),
        });
    }
    let p2_files = FILES_INTERFACES[1..]
        .iter()
        .any(|f| imports_in(imports, f, Generation::P2));
    if !files_needed(imports, g) || !p2_files {
        return None;
    }
    files_blocked(imports, g).map(|(reason, advice)| VirtError::Unsupported {
        what: "virtual files and ignored stdio".to_string(),
        reason,
        advice: advice.into(),
    })
}

/// What in the component's imports keeps wct's own streams out, with the advice: streams of
/// the host's that the `files` module does not wrap.
fn files_blocked(imports: &[String], g: &Grants) -> Option<(String, &'static str)> {
    if let Some(http) = imports
        .iter()
        .find(|i| i.starts_with("wasi:http/types@0.2."))
    {
        return Some((
            format!("it imports {http}, whose body streams wct virt does not wrap yet"),
            "leave files and stdio to the host, or deny them",
        ));
    }
    if g.network == Access::Allow && imports_in(imports, "wasi:sockets/tcp", Generation::P2) {
        return Some((
            "it imports wasi:sockets/tcp with the network allowed, and wct virt does not wrap the host's socket streams yet".into(),
            "deny the network to this component",
        ));
    }
    None
}

/// Reads the mounted folders and lays out what the `files` module serves.
pub(crate) fn plan_files(g: &Grants) -> Result<FilesPlan, VirtError> {
    let mut seen: Vec<(&str, &'static str)> = Vec::new();
    let named = g
        .preopen
        .iter()
        .map(|p| (p.as_str(), "a host preopen"))
        .chain(g.mounts.iter().map(|m| (m.guest.as_str(), "a mount")));
    for (path, what) in named {
        if let Some((_, first)) = seen.iter().find(|(p, _)| *p == path) {
            return Err(VirtError::SamePath {
                path: path.to_string(),
                first,
                second: what,
            });
        }
        seen.push((path, what));
    }
    if let Some(path) = g.overlay.iter().find(|o| g.preopen.contains(o)) {
        return Err(VirtError::Unsupported {
            what: format!("an overlay over the host's folder at {path}"),
            reason: "the overlay is a writable layer in memory over baked files or an empty folder; the host's files are not copied into it".into(),
            advice: "mount the folder (baked) and put the overlay over the mount".into(),
        });
    }
    let limit = g.max_bake_size.unwrap_or(DEFAULT_MAX_BAKE_SIZE);
    let mut total = 0;
    let mut preopens = Vec::new();
    let mut how = Vec::new();
    for mount in &g.mounts {
        let tree = files::Tree::read(&mount.host, &mut total, limit)?;
        let overlay = g.overlay.contains(&mount.guest);
        let (count, bytes) = tree.size();
        how.push(format!(
            "{} file(s), {bytes} bytes baked at {}{}",
            count,
            mount.guest,
            if overlay {
                ", writable in memory"
            } else {
                ", read-only"
            }
        ));
        preopens.push((mount.guest.clone(), files::Preopen::Tree { tree, overlay }));
    }
    for path in g
        .overlay
        .iter()
        .filter(|o| !g.mounts.iter().any(|m| &m.guest == *o))
    {
        how.push(format!("an empty folder at {path}, writable in memory"));
        preopens.push((
            path.clone(),
            files::Preopen::Tree {
                tree: files::Tree {
                    entries: Vec::new(),
                },
                overlay: true,
            },
        ));
    }
    for path in &g.preopen {
        how.push(format!("the host's preopen at {path}"));
        preopens.push((path.clone(), files::Preopen::Host));
    }
    let all_host_preopens = g.files == Access::Allow;
    if all_host_preopens {
        how.push("all the host's preopens".into());
    }
    let preopens_denied = how.is_empty();
    let preopens_how = if preopens_denied {
        "denied: no preopened directory".to_string()
    } else {
        how.join("; ")
    };
    Ok(FilesPlan {
        config: files::FilesConfig {
            stdio: [g.stdin, g.stdout, g.stderr],
            preopens,
            all_host_preopens,
        },
        preopens_how,
        preopens_denied,
    })
}
