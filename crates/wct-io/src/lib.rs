//! Input and output plumbing shared by every wct command.
//!
//! Responsible for: reading an input from a path or from stdin (`-`), expanding directory
//! arguments into the wasm/WAT files below them (in a stable order), and writing outputs
//! atomically (temporary file in the destination folder, then rename) so that a failed command
//! never leaves a half-written file and never overwrites one of its own inputs.
//!
//! - [`config_file`]: errors in wct's own TOML files (compose, `wct-diff.toml`), located;
//! - [`clipped_source`]: source text for diagnostics, with huge lines clipped around the span;
//! - [`progress`]: progress lines on stderr for long batch commands;
//! - [`time`]: RFC 3339 times, and now as reproducible builds ask for it.
#![deny(missing_docs)]

pub mod clipped_source;
pub mod config_file;
pub mod progress;
pub mod time;

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The conventional name for "standard input" / "standard output" on the command line.
pub const STDIO: &str = "-";

/// Errors raised while reading inputs or writing outputs. Each names the path involved.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum IoError {
    /// The path could not be read.
    #[error("failed to read '{path}': {source}")]
    Read {
        /// The path that was being read.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// A directory was given where a file is required.
    #[error("'{path}' is a directory, expected a file")]
    IsDirectory {
        /// The offending path.
        path: PathBuf,
    },
    /// The output could not be written.
    #[error("failed to write '{path}': {source}")]
    Write {
        /// The destination path.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// The output path names one of the command's inputs.
    #[error("refusing to overwrite input file '{path}' (write to another path)")]
    WouldClobberInput {
        /// The destination path, which is also an input.
        path: PathBuf,
    },
}

/// An input read into memory together with the name to show for it in messages.
#[derive(Debug)]
pub struct Input {
    /// The path as the user gave it (`-` for stdin; shown as `<stdin>`).
    pub path: PathBuf,
    /// The raw bytes.
    pub bytes: Bytes,
}

/// Files at least this large are mapped rather than copied into memory.
const MAP_FROM_BYTES: u64 = 64 * 1024;

/// The bytes of an input: a large file is mapped read-only (the kernel's page cache serves it,
/// nothing is copied), anything else is owned.
///
/// Mapping is what `wasmtime` and `ripgrep` do with their inputs. As with them, a file that
/// another process truncates while it is mapped ends the process (SIGBUS); wct never writes to
/// its inputs (outputs go to a temporary file that is renamed into place).
#[derive(Debug)]
pub enum Bytes {
    /// Bytes in memory (stdin, small files, WAT assembled to wasm).
    Owned(Vec<u8>),
    /// A read-only mapping of a whole file.
    Mapped(memmap2::Mmap),
}

impl Bytes {
    /// The bytes as an owned vector: free when owned, one copy when mapped.
    pub fn into_vec(self) -> Vec<u8> {
        match self {
            Bytes::Owned(bytes) => bytes,
            Bytes::Mapped(map) => map.to_vec(),
        }
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(bytes) => bytes,
            Bytes::Mapped(map) => map,
        }
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Bytes {
        Bytes::Owned(bytes)
    }
}

/// Reads a regular file: mapped when it is large, read into memory otherwise.
pub fn read_file(path: &Path) -> io::Result<Bytes> {
    let file = fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() && meta.len() >= MAP_FROM_BYTES {
        // SAFETY: the mapping is read-only and private; wct does not modify its inputs. A
        // concurrent truncation by another process is the documented SIGBUS caveat above.
        #[allow(unsafe_code)]
        let mapped = unsafe { memmap2::Mmap::map(&file) };
        if let Ok(map) = mapped {
            return Ok(Bytes::Mapped(map));
        }
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    (&file).read_to_end(&mut buf)?;
    Ok(Bytes::Owned(buf))
}

impl Input {
    /// The name to show in messages: the path, or `<stdin>`.
    pub fn display_name(&self) -> String {
        display_name(&self.path)
    }
}

/// An error and its causes as one line of text, `error: cause: cause`, for a report field
/// (JSON, a batch line) where a renderer's cause list does not reach; a cause whose text the
/// line already holds is not repeated.
pub fn error_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        let said = next.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = next.source();
    }
    text
}

/// The name to show in messages for a path given on the command line.
pub fn display_name(path: &Path) -> String {
    if path == Path::new(STDIO) {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// Reads a whole input: `-` reads stdin, anything else must be a readable file.
pub fn read_input(path: &Path) -> Result<Input, IoError> {
    read_input_as(path, Storage::MappedWhenLarge)
}

/// [`read_input`] into memory however large the file is, for a caller that needs the bytes
/// owned: one copy from the page cache, where a mapping copied afterwards would fault in
/// both the mapping and the copy.
pub fn read_input_owned(path: &Path) -> Result<Input, IoError> {
    read_input_as(path, Storage::Owned)
}

/// How [`read_input_as`] holds a file's bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Storage {
    MappedWhenLarge,
    Owned,
}

fn read_input_as(path: &Path, storage: Storage) -> Result<Input, IoError> {
    let read_err = |source| IoError::Read {
        path: path.to_path_buf(),
        source,
    };
    let bytes = if path == Path::new(STDIO) {
        let mut buf = Vec::new();
        io::stdin().lock().read_to_end(&mut buf).map_err(read_err)?;
        Bytes::Owned(buf)
    } else {
        if path.is_dir() {
            return Err(IoError::IsDirectory {
                path: path.to_path_buf(),
            });
        }
        match storage {
            Storage::MappedWhenLarge => read_file(path).map_err(read_err)?,
            Storage::Owned => Bytes::Owned(fs::read(path).map_err(read_err)?),
        }
    };
    Ok(Input {
        path: path.to_path_buf(),
        bytes,
    })
}

/// Expands command-line paths: files (and `-`) are kept as given, directories are replaced by
/// every file below them whose extension is in `extensions`, sorted by path so the order is
/// stable. Unreadable directories are reported as errors.
pub fn expand_paths(paths: &[PathBuf], extensions: &[&str]) -> Result<Vec<PathBuf>, IoError> {
    let mut out = Vec::new();
    for path in paths {
        if path != Path::new(STDIO) && path.is_dir() {
            let mut found = Vec::new();
            walk(path, extensions, &mut found)?;
            found.sort();
            out.extend(found);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, extensions: &[&str], found: &mut Vec<PathBuf>) -> Result<(), IoError> {
    let entries = fs::read_dir(dir).map_err(|source| IoError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| IoError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|source| IoError::Read {
            path: path.clone(),
            source,
        })?;
        if file_type.is_dir() {
            walk(&path, extensions, found)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e))
        {
            found.push(path);
        }
    }
    Ok(())
}

/// Refuses `dest` when it names one of `inputs` (what [`write_output`] checks), for commands
/// that write several files and must refuse before writing the first.
pub fn check_output(dest: &Path, inputs: &[&Path]) -> Result<(), IoError> {
    if dest != Path::new(STDIO) && inputs.iter().any(|input| same_file(input, dest)) {
        return Err(IoError::WouldClobberInput {
            path: dest.to_path_buf(),
        });
    }
    Ok(())
}

/// Returns true when `a` and `b` name the same existing file (through links, `..` or another
/// hard link). On Unix by device and inode: a `stat` each, where resolving both paths took a
/// `readlink` per path component (a batch of 26 outputs checked against 26 inputs made 5,400).
fn same_file(a: &Path, b: &Path) -> bool {
    // The destination first: it usually does not exist yet.
    let Ok(b_meta) = fs::metadata(b) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(a)
            .is_ok_and(|a_meta| (a_meta.dev(), a_meta.ino()) == (b_meta.dev(), b_meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = b_meta;
        match (fs::canonicalize(a), fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

/// Writes `bytes` to `dest` atomically, or to stdout when `dest` is `-`.
///
/// The data goes to a temporary file in the destination's folder which is then renamed over
/// `dest`, so readers see either the old file or the complete new one. Refuses to write over any
/// of `inputs`. On error the temporary file is removed and `dest` is untouched.
pub fn write_output(dest: &Path, bytes: &[u8], inputs: &[&Path]) -> Result<(), IoError> {
    stream_output(dest, inputs, &mut |out| out.write_all(bytes))
}

/// [`write_output`] for output that `fill` writes piece by piece (buffered), so that a large
/// result never has to be held in memory whole. A file appears only when `fill` succeeded.
pub fn stream_output(
    dest: &Path,
    inputs: &[&Path],
    fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> Result<(), IoError> {
    if dest == Path::new(STDIO) {
        let mut stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
        return fill(&mut stdout)
            .and_then(|()| stdout.flush())
            .map_err(|source| IoError::Write {
                path: dest.to_path_buf(),
                source,
            });
    }
    if inputs.iter().any(|input| same_file(input, dest)) {
        return Err(IoError::WouldClobberInput {
            path: dest.to_path_buf(),
        });
    }
    write_atomic_with(dest, fill, Durability::Replaced)
}

/// wct's cache folder (compiled code, fetched packages): `$XDG_CACHE_HOME/wct`, else
/// `~/.cache/wct`; `None` when neither variable is set.
pub fn cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|base| base.join("wct"))
}

/// Writes `bytes` to `dest` through a temporary file and a rename (no input check), flushed
/// to the disk before the rename: for wct's own state (lock files, caches), which a crash must
/// not leave empty.
pub fn write_atomic(dest: &Path, bytes: &[u8]) -> Result<(), IoError> {
    write_atomic_with(dest, &mut |out| out.write_all(bytes), Durability::Synced)
}

/// [`write_atomic`] for a file whose reader verifies it (a checksummed cache entry): renamed
/// into place without waiting for the disk, as a crash can only leave it incomplete, which
/// the reader's check refuses.
pub fn write_verified(dest: &Path, bytes: &[u8]) -> Result<(), IoError> {
    write_atomic_with(dest, &mut |out| out.write_all(bytes), Durability::Replaced)
}

/// Whether an atomic write waits for the disk before the rename.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Durability {
    /// Renamed once written: readers see the old file or the whole new one, as with cargo's,
    /// rustc's and wasm-tools' outputs; a crash may lose the new one. A command's output, which
    /// the command makes again (an `fsync` of a 30 MB composition took 15 ms), or a file its
    /// reader verifies.
    Replaced,
    /// `fsync`ed before the rename, so that a crash leaves the old file or the whole new one.
    Synced,
}

/// [`write_atomic`] for output that `fill` writes piece by piece.
fn write_atomic_with(
    dest: &Path,
    fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    durability: Durability,
) -> Result<(), IoError> {
    let write_err = |source| IoError::Write {
        path: dest.to_path_buf(),
        source,
    };
    if dest.is_dir() {
        return Err(IoError::Write {
            path: dest.to_path_buf(),
            source: io::Error::new(io::ErrorKind::IsADirectory, "destination is a directory"),
        });
    }
    // A device or a pipe (`-o /dev/null`, `-o /dev/stdout`, a FIFO) is written in place:
    // renaming a file over it would replace the device node itself.
    if fs::metadata(dest).is_ok_and(|meta| !meta.is_file()) {
        let mut out = fs::OpenOptions::new()
            .write(true)
            .open(dest)
            .map_err(write_err)?;
        let mut buffered = io::BufWriter::with_capacity(64 * 1024, &mut out);
        return fill(&mut buffered)
            .and_then(|()| buffered.flush())
            .map_err(write_err);
    }
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".wct-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(write_err)?;
    {
        let mut buffered = io::BufWriter::with_capacity(64 * 1024, tmp.as_file_mut());
        fill(&mut buffered)
            .and_then(|()| buffered.flush())
            .map_err(write_err)?;
    }
    // Temporary files are created private (0600); give the output the permissions of the file
    // it replaces, or the usual 0644 for a new file.
    let permissions = match fs::metadata(dest) {
        Ok(meta) => meta.permissions(),
        Err(_) => default_permissions(),
    };
    tmp.as_file()
        .set_permissions(permissions)
        .map_err(write_err)?;
    if durability == Durability::Synced {
        tmp.as_file().sync_all().map_err(write_err)?;
    }
    tmp.persist(dest).map_err(|e| write_err(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn default_permissions() -> fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    fs::Permissions::from_mode(0o644)
}

#[cfg(not(unix))]
fn default_permissions() -> fs::Permissions {
    let mut p = fs::metadata(".")
        .map(|m| m.permissions())
        .expect("cwd is readable");
    p.set_readonly(false);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_are_mapped_small_ones_read_and_both_hold_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let large = dir.path().join("large.bin");
        let small = dir.path().join("small.bin");
        let content: Vec<u8> = (0..MAP_FROM_BYTES as usize * 2).map(|i| i as u8).collect();
        fs::write(&large, &content).unwrap();
        fs::write(&small, &content[..100]).unwrap();
        let mapped = read_file(&large).unwrap();
        assert!(matches!(mapped, Bytes::Mapped(_)));
        assert_eq!(&*mapped, &content[..]);
        let read = read_file(&small).unwrap();
        assert!(matches!(read, Bytes::Owned(_)));
        assert_eq!(read.into_vec(), &content[..100]);
        assert_eq!(mapped.into_vec(), content);
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.bin");
        fs::write(&dest, b"old").unwrap();
        write_output(&dest, b"new", &[]).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("out.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        write_output(&fifo, b"through the pipe", &[]).unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn outputs_are_not_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("new.wasm");
        write_output(&dest, b"x", &[]).unwrap();
        assert_eq!(
            fs::metadata(&dest).unwrap().permissions().mode() & 0o777,
            0o644
        );
    }

    #[test]
    fn refuses_to_overwrite_an_input() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.wasm");
        fs::write(&input, b"keep").unwrap();
        let err = write_output(&input, b"x", &[&input]).unwrap_err();
        assert!(matches!(err, IoError::WouldClobberInput { .. }));
        assert_eq!(fs::read(&input).unwrap(), b"keep");
    }

    #[cfg(unix)]
    #[test]
    fn an_input_reached_by_another_name_is_still_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.wasm");
        fs::write(&input, b"keep").unwrap();
        let through_dots = dir.path().join("sub/../in.wasm");
        fs::create_dir(dir.path().join("sub")).unwrap();
        let symlink = dir.path().join("link.wasm");
        std::os::unix::fs::symlink(&input, &symlink).unwrap();
        let hard_link = dir.path().join("hard.wasm");
        fs::hard_link(&input, &hard_link).unwrap();
        for dest in [&through_dots, &symlink, &hard_link] {
            let err = write_output(dest, b"x", &[&input]).unwrap_err();
            assert!(matches!(err, IoError::WouldClobberInput { .. }), "{dest:?}");
        }
        assert_eq!(fs::read(&input).unwrap(), b"keep");
        // A different file with the same content is not the input.
        let other = dir.path().join("other.wasm");
        fs::write(&other, b"keep").unwrap();
        write_output(&other, b"x", &[&input]).unwrap();
        assert_eq!(fs::read(&other).unwrap(), b"x");
    }

    #[test]
    fn missing_folder_is_an_error_naming_the_path() {
        let err = write_output(Path::new("/nonexistent-dir/x.wasm"), b"x", &[]).unwrap_err();
        assert!(err.to_string().contains("/nonexistent-dir/x.wasm"), "{err}");
    }

    #[test]
    fn directories_expand_sorted_by_extension() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        for name in ["b.wasm", "a.wat", "sub/c.wasm", "notes.txt"] {
            fs::write(dir.path().join(name), b"").unwrap();
        }
        let found = expand_paths(&[dir.path().to_path_buf()], &["wasm", "wat"]).unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|p| {
                p.strip_prefix(dir.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["a.wat", "b.wasm", "sub/c.wasm"]);
    }
}
