//! The persistent `wasi:keyvalue` store (`--keyvalue DIR`): a redb database,
//! `DIR/keyvalue.redb`, one table per bucket. Every call is one transaction, a batch
//! included, so a run killed in the middle of `set-many` leaves each key either old or new:
//! redb commits copy-on-write pages and a checksummed root, and a torn commit is discarded
//! when the file is opened again. Only one process may open a store at a time (redb locks
//! the file); a second one gets a clear error.

use crate::keyvalue::{add_to_counter, KeyValueStore, StoreError};
use redb::{Database, ReadableTable, TableDefinition};
use std::path::Path;

/// A store in a folder, kept across runs.
pub struct DiskStore {
    db: Database,
}

impl std::fmt::Debug for DiskStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiskStore").finish_non_exhaustive()
    }
}

/// The database file in a store's folder.
pub const FILE_NAME: &str = "keyvalue.redb";

fn failed(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError(format!("{what}: {error}"))
}

/// Makes a new, empty database at `path` all at once: redb sizes a new file before it writes
/// the header that makes it a database, so a run killed in between left a file no later run
/// could open. It is made under a temporary name in `dir` and renamed into place unless a
/// process starting at the same time got there first (then that one is kept).
fn create_whole(dir: &Path, path: &Path) -> Result<(), StoreError> {
    let what = path.display().to_string();
    let fresh = tempfile::Builder::new()
        .prefix(".keyvalue-")
        .suffix(".redb.new")
        .tempfile_in(dir)
        .map_err(|e| failed(&what, e))?;
    drop(Database::create(fresh.path()).map_err(|e| failed(&what, e))?);
    match fresh.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(failed(&what, e.error)),
    }
}

/// Removes what runs killed inside [`create_whole`] left in `dir` (a temporary database that
/// never got its name). Called with the database open, which no other process can have: a
/// process creating one at this moment would find it taken and not use its own either.
fn remove_unfinished_creations(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(".keyvalue-") && name.ends_with(".redb.new") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The table of `bucket` (a name is never empty: the empty bucket is `bucket:`).
fn table_name(bucket: &str) -> String {
    format!("bucket:{bucket}")
}

impl DiskStore {
    /// Opens (or creates) the store in `dir`, creating the folder when it is missing.
    pub fn open(dir: &Path) -> Result<DiskStore, StoreError> {
        if dir.exists() && !dir.is_dir() {
            return Err(StoreError(format!(
                "{} is a file: the store is a folder (wct keeps {FILE_NAME} in it)",
                dir.display()
            )));
        }
        std::fs::create_dir_all(dir).map_err(|e| failed(&dir.display().to_string(), e))?;
        let path = dir.join(FILE_NAME);
        if !path.exists() {
            create_whole(dir, &path)?;
        }
        let db = Database::create(&path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError(format!(
                "{} is in use by another process (a folder store serves one process at a \
                 time; share one between processes with --keyvalue redis://HOST:PORT)",
                path.display()
            )),
            e => failed(&path.display().to_string(), e),
        })?;
        remove_unfinished_creations(dir);
        Ok(DiskStore { db })
    }

    fn write(
        &self,
        bucket: &str,
        change: impl FnOnce(&mut redb::Table<'_, &str, &[u8]>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let name = table_name(bucket);
        let txn = self.db.begin_write().map_err(|e| failed("write", e))?;
        {
            let mut table = txn
                .open_table(TableDefinition::<&str, &[u8]>::new(&name))
                .map_err(|e| failed("write", e))?;
            change(&mut table)?;
        }
        txn.commit().map_err(|e| failed("commit", e))
    }

    fn read<R>(
        &self,
        bucket: &str,
        missing: R,
        look: impl FnOnce(&redb::ReadOnlyTable<&str, &[u8]>) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let name = table_name(bucket);
        let txn = self.db.begin_read().map_err(|e| failed("read", e))?;
        match txn.open_table(TableDefinition::<&str, &[u8]>::new(&name)) {
            Ok(table) => look(&table),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(missing),
            Err(e) => Err(failed("read", e)),
        }
    }
}

impl KeyValueStore for DiskStore {
    fn get(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(bucket, None, |table| {
            let value = table.get(key).map_err(|e| failed("read", e))?;
            Ok(value.map(|v| v.value().to_vec()))
        })
    }

    fn set_many(&self, bucket: &str, pairs: &[(String, Vec<u8>)]) -> Result<(), StoreError> {
        self.write(bucket, |table| {
            for (key, value) in pairs {
                table
                    .insert(key.as_str(), value.as_slice())
                    .map_err(|e| failed("write", e))?;
            }
            Ok(())
        })
    }

    fn delete_many(&self, bucket: &str, keys: &[String]) -> Result<(), StoreError> {
        self.write(bucket, |table| {
            for key in keys {
                table.remove(key.as_str()).map_err(|e| failed("write", e))?;
            }
            Ok(())
        })
    }

    fn keys(&self, bucket: &str) -> Result<Vec<String>, StoreError> {
        self.read(bucket, Vec::new(), |table| {
            let mut keys = Vec::new();
            for entry in table.iter().map_err(|e| failed("read", e))? {
                let (key, _) = entry.map_err(|e| failed("read", e))?;
                keys.push(key.value().to_string());
            }
            Ok(keys)
        })
    }

    fn increment(&self, bucket: &str, key: &str, delta: u64) -> Result<u64, StoreError> {
        let mut sum = 0;
        self.write(bucket, |table| {
            let current = table
                .get(key)
                .map_err(|e| failed("read", e))?
                .map(|v| v.value().to_vec());
            sum = add_to_counter(current.as_deref(), delta)?;
            table
                .insert(key, sum.to_string().as_bytes())
                .map_err(|e| failed("write", e))?;
            Ok(())
        })?;
        Ok(sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_reopening_and_buckets_are_apart() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = DiskStore::open(dir.path()).unwrap();
            store
                .set_many(
                    "",
                    &[("a".into(), b"1".to_vec()), ("b".into(), b"2".to_vec())],
                )
                .unwrap();
            assert_eq!(store.increment("other", "n", 4), Ok(4));
        }
        let store = DiskStore::open(dir.path()).unwrap();
        assert_eq!(store.get("", "a"), Ok(Some(b"1".to_vec())));
        assert_eq!(store.keys(""), Ok(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(store.keys("other"), Ok(vec!["n".to_string()]));
        assert_eq!(store.increment("other", "n", 1), Ok(5));
        store.delete_many("", &["a".into()]).unwrap();
        assert_eq!(store.get("", "a"), Ok(None));
        assert_eq!(store.keys("never"), Ok(vec![]));
    }

    #[test]
    fn a_new_store_appears_whole_and_an_existing_one_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let store = DiskStore::open(dir.path()).unwrap();
        store.set_many("", &[("k".into(), b"v".to_vec())]).unwrap();
        drop(store);
        // Nothing but the database is left in the folder.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [FILE_NAME]);
        // A creator that finds the database already there (made by a process that started
        // at the same time) keeps it, and cleans up its own.
        create_whole(dir.path(), &path).unwrap();
        let store = DiskStore::open(dir.path()).unwrap();
        assert_eq!(store.get("", "k"), Ok(Some(b"v".to_vec())));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn what_a_killed_creation_left_is_removed_when_the_store_opens() {
        let dir = tempfile::tempdir().unwrap();
        let left = dir.path().join(".keyvalue-AbC123.redb.new");
        std::fs::write(&left, [0u8; 4096]).unwrap();
        let unrelated = dir.path().join("notes.txt");
        std::fs::write(&unrelated, "kept").unwrap();
        let store = DiskStore::open(dir.path()).unwrap();
        store.set_many("", &[("k".into(), b"v".to_vec())]).unwrap();
        assert!(!left.exists());
        assert_eq!(std::fs::read_to_string(&unrelated).unwrap(), "kept");
        assert!(dir.path().join(FILE_NAME).exists());
    }
}
