//! `wasi:keyvalue` (0.2.0-draft: store, atomics, batch; the version wasmtime-wasi-keyvalue 48
//! links) over the store the user granted. Nothing is granted by default: `open` answers
//! `access-denied`. A grant names a store ([`KeyValueStore`]) and the buckets a guest may open
//! (by default only `""`, the one bucket wasmtime's store opens, so components written for it
//! run unchanged); any other bucket is `no-such-store`. Keys and values over the size caps are
//! refused with the interface's `other` error, and an operation budget, once spent, answers
//! every call with it: the guest sees errors, never traps.
//!
//! Counters (`increment`) are stored as decimal text, as wasmtime's store keeps them.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use wasmtime::component::{HasData, Resource, ResourceTable};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wct-wit/wit/wasi-keyvalue",
        world: "wasi:keyvalue/imports",
        imports: { default: trappable },
        with: {
            "wasi:keyvalue/store.bucket": super::Bucket,
        },
    });
}

use bindings::wasi::keyvalue::{atomics, batch, store};

/// An open bucket: its name in the store.
#[derive(Debug)]
pub struct Bucket {
    name: String,
}

/// Why a store could not do what was asked; the guest sees it as the interface's `other`
/// error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("{0}")]
pub struct StoreError(pub String);

/// Where a granted store keeps its data. Implementations are shared by every instance of a
/// run (and every request of `wct serve`).
pub trait KeyValueStore: Send + Sync {
    /// The value of `key` in `bucket`.
    fn get(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Sets `key` in `bucket` to `value`.
    fn set(&self, bucket: &str, key: String, value: Vec<u8>) -> Result<(), StoreError> {
        self.set_many(bucket, &[(key, value)])
    }
    /// Sets every pair of `pairs` in `bucket` at once: a reader sees all of them or none.
    fn set_many(&self, bucket: &str, pairs: &[(String, Vec<u8>)]) -> Result<(), StoreError>;
    /// Deletes every key of `keys` in `bucket` at once.
    fn delete_many(&self, bucket: &str, keys: &[String]) -> Result<(), StoreError>;
    /// Every key of `bucket`, sorted.
    fn keys(&self, bucket: &str) -> Result<Vec<String>, StoreError>;
    /// Adds `delta` to the counter `key` (decimal text; absent is 0) and returns the sum.
    fn increment(&self, bucket: &str, key: &str, delta: u64) -> Result<u64, StoreError>;
}

/// Adds `delta` to the decimal counter `current` (absent is 0).
pub fn add_to_counter(current: Option<&[u8]>, delta: u64) -> Result<u64, StoreError> {
    let current = match current {
        None => 0,
        Some(bytes) => std::str::from_utf8(bytes)
            .ok()
            .and_then(|text| text.parse::<u64>().ok())
            .ok_or_else(|| StoreError("the value is not a counter (decimal text)".into()))?,
    };
    current
        .checked_add(delta)
        .ok_or_else(|| StoreError("overflow incrementing value".into()))
}

/// The buckets of a [`MemoryStore`], each a hash map: keys are sorted only when listed. The
/// bucket `""` (the one wasmtime's store opens, and the default grant) has a field of its own:
/// finding it costs no string comparison, which measurably slows every call (about a tenth
/// of a microsecond each here, `cargo xtask bench keyvalue`).
#[derive(Debug, Default)]
struct Buckets {
    default: HashMap<String, Vec<u8>>,
    named: HashMap<String, HashMap<String, Vec<u8>>>,
}

impl Buckets {
    fn get(&self, bucket: &str) -> Option<&HashMap<String, Vec<u8>>> {
        if bucket.is_empty() {
            Some(&self.default)
        } else {
            self.named.get(bucket)
        }
    }

    /// The entries of `bucket`, made when first written.
    fn get_mut(&mut self, bucket: &str) -> &mut HashMap<String, Vec<u8>> {
        if bucket.is_empty() {
            return &mut self.default;
        }
        if !self.named.contains_key(bucket) {
            self.named.insert(bucket.to_string(), HashMap::new());
        }
        self.named.get_mut(bucket).expect("inserted above")
    }
}

/// A store in memory, for one process (`--keyvalue memory`).
#[derive(Debug, Default)]
pub struct MemoryStore(Mutex<Buckets>);

impl MemoryStore {
    /// A store holding `data` in bucket `""` (`--keyvalue-data`).
    pub fn with_data(data: impl IntoIterator<Item = (String, Vec<u8>)>) -> Self {
        MemoryStore(Mutex::new(Buckets {
            default: data.into_iter().collect(),
            named: HashMap::new(),
        }))
    }

    fn map(&self) -> std::sync::MutexGuard<'_, Buckets> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl KeyValueStore for MemoryStore {
    fn get(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .map()
            .get(bucket)
            .and_then(|entries| entries.get(key))
            .cloned())
    }

    fn set(&self, bucket: &str, key: String, value: Vec<u8>) -> Result<(), StoreError> {
        self.map().get_mut(bucket).insert(key, value);
        Ok(())
    }

    fn set_many(&self, bucket: &str, pairs: &[(String, Vec<u8>)]) -> Result<(), StoreError> {
        let mut map = self.map();
        let entries = map.get_mut(bucket);
        for (key, value) in pairs {
            entries.insert(key.clone(), value.clone());
        }
        Ok(())
    }

    fn delete_many(&self, bucket: &str, keys: &[String]) -> Result<(), StoreError> {
        let mut map = self.map();
        let entries = map.get_mut(bucket);
        for key in keys {
            entries.remove(key);
        }
        Ok(())
    }

    fn keys(&self, bucket: &str) -> Result<Vec<String>, StoreError> {
        let mut keys: Vec<String> = self
            .map()
            .get(bucket)
            .map(|entries| entries.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort_unstable();
        Ok(keys)
    }

    fn increment(&self, bucket: &str, key: &str, delta: u64) -> Result<u64, StoreError> {
        let mut map = self.map();
        let entries = map.get_mut(bucket);
        let sum = add_to_counter(entries.get(key).map(Vec::as_slice), delta)?;
        entries.insert(key.to_string(), sum.to_string().into_bytes());
        Ok(sum)
    }
}

/// What a guest may do with `wasi:keyvalue`.
#[derive(Clone)]
pub struct KeyValueGrant {
    /// The store, or `None`: nothing granted (`open` is `access-denied`).
    pub store: Option<Arc<dyn KeyValueStore>>,
    /// The buckets a guest may open.
    pub buckets: BTreeSet<String>,
    /// The longest key, in bytes.
    pub max_key: usize,
    /// The longest value, in bytes.
    pub max_value: usize,
    /// Operations left for the whole run (every call counts one per key); `u64::MAX`: no
    /// budget.
    pub budget: Arc<AtomicU64>,
}

impl Default for KeyValueGrant {
    fn default() -> Self {
        KeyValueGrant {
            store: None,
            buckets: BTreeSet::from([String::new()]),
            max_key: 4096,
            max_value: 1 << 20,
            budget: Arc::new(AtomicU64::new(u64::MAX)),
        }
    }
}

impl std::fmt::Debug for KeyValueGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyValueGrant")
            .field("granted", &self.store.is_some())
            .field("buckets", &self.buckets)
            .finish()
    }
}

/// A store state that holds a key-value grant and the resource table its buckets live in.
pub trait HasKeyValue {
    /// The grant and the table.
    fn keyvalue(&mut self) -> KeyValue<'_>;
}

/// The host side of `wasi:keyvalue` for one store's state.
pub struct KeyValue<'a> {
    /// The grant.
    pub grant: &'a KeyValueGrant,
    /// Where bucket handles live.
    pub table: &'a mut ResourceTable,
}

type Answer<T> = wasmtime::Result<Result<T, store::Error>>;

impl KeyValue<'_> {
    /// The store, after spending `operations` of the budget; the interface's error when the
    /// budget is spent.
    fn spend(&self, operations: u64) -> Result<&dyn KeyValueStore, store::Error> {
        let store = self
            .grant
            .store
            .as_deref()
            .ok_or(store::Error::AccessDenied)?;
        let left = &self.grant.budget;
        // `u64::MAX` is no budget: nothing to count (and no atomic update on every call).
        let spent = left.load(Ordering::Relaxed) == u64::MAX
            || left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                    n.checked_sub(operations)
                })
                .is_ok();
        if !spent {
            return Err(store::Error::Other(
                "the key-value operation budget of this run is spent".to_string(),
            ));
        }
        Ok(store)
    }

    fn check_key(&self, key: &str) -> Result<(), store::Error> {
        if key.len() > self.grant.max_key {
            return Err(store::Error::Other(format!(
                "key of {} bytes is over the {}-byte limit",
                key.len(),
                self.grant.max_key
            )));
        }
        Ok(())
    }

    fn check_value(&self, value: &[u8]) -> Result<(), store::Error> {
        if value.len() > self.grant.max_value {
            return Err(store::Error::Other(format!(
                "value of {} bytes is over the {}-byte limit",
                value.len(),
                self.grant.max_value
            )));
        }
        Ok(())
    }

    fn bucket(&self, bucket: &Resource<Bucket>) -> wasmtime::Result<&str> {
        Ok(&self.table.get(bucket)?.name)
    }
}

fn other(error: StoreError) -> store::Error {
    store::Error::Other(error.0)
}

impl store::Host for KeyValue<'_> {
    fn open(&mut self, identifier: String) -> Answer<Resource<Bucket>> {
        if self.grant.store.is_none() {
            return Ok(Err(store::Error::AccessDenied));
        }
        if !self.grant.buckets.contains(&identifier) {
            return Ok(Err(store::Error::NoSuchStore));
        }
        Ok(Ok(self.table.push(Bucket { name: identifier })?))
    }
}

impl store::HostBucket for KeyValue<'_> {
    fn get(&mut self, bucket: Resource<Bucket>, key: String) -> Answer<Option<Vec<u8>>> {
        let name = self.bucket(&bucket)?;
        Ok((|| {
            self.check_key(&key)?;
            self.spend(1)?.get(name, &key).map_err(other)
        })())
    }

    fn set(&mut self, bucket: Resource<Bucket>, key: String, value: Vec<u8>) -> Answer<()> {
        let name = self.bucket(&bucket)?;
        Ok((|| {
            self.check_key(&key)?;
            self.check_value(&value)?;
            self.spend(1)?.set(name, key, value).map_err(other)
        })())
    }

    fn delete(&mut self, bucket: Resource<Bucket>, key: String) -> Answer<()> {
        let name = self.bucket(&bucket)?;
        Ok((|| {
            self.check_key(&key)?;
            self.spend(1)?.delete_many(name, &[key]).map_err(other)
        })())
    }

    fn exists(&mut self, bucket: Resource<Bucket>, key: String) -> Answer<bool> {
        let name = self.bucket(&bucket)?;
        Ok((|| {
            self.check_key(&key)?;
            Ok(self.spend(1)?.get(name, &key).map_err(other)?.is_some())
        })())
    }

    fn list_keys(
        &mut self,
        bucket: Resource<Bucket>,
        cursor: Option<u64>,
    ) -> Answer<store::KeyResponse> {
        let name = self.bucket(&bucket)?;
        Ok((|| {
            let keys = self.spend(1)?.keys(name).map_err(other)?;
            let from = usize::try_from(cursor.unwrap_or(0))
                .unwrap_or(usize::MAX)
                .min(keys.len());
            Ok(store::KeyResponse {
                keys: keys[from..].to_vec(),
                cursor: None,
            })
        })())
    }

    fn drop(&mut self, bucket: Resource<Bucket>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl atomics::Host for KeyValue<'_> {
    fn increment(&mut self, bucket: Resource<Bucket>, key: String, delta: u64) -> Answer<u64> {
        let name = self.bucket(&bucket)?;
        Ok((|| {
            self.check_key(&key)?;
            self.spend(1)?.increment(name, &key, delta).map_err(other)
        })())
    }
}

impl batch::Host for KeyValue<'_> {
    fn get_many(
        &mut self,
        bucket: Resource<Bucket>,
        keys: Vec<String>,
    ) -> Answer<Vec<Option<(String, Vec<u8>)>>> {
        let name = self.bucket(&bucket)?;
        Ok((|| {
            keys.iter().try_for_each(|k| self.check_key(k))?;
            let store = self.spend(keys.len() as u64)?;
            keys.into_iter()
                .map(|key| {
                    let value = store.get(name, &key).map_err(other)?;
                    Ok(value.map(|v| (key, v)))
                })
                .collect()
        })())
    }

    fn set_many(&mut self, bucket: Resource<Bucket>, pairs: Vec<(String, Vec<u8>)>) -> Answer<()> {
        let name = self.bucket(&bucket)?;
        Ok((|| {
            for (key, value) in &pairs {
                self.check_key(key)?;
                self.check_value(value)?;
            }
            self.spend(pairs.len() as u64)?
                .set_many(name, &pairs)
                .map_err(other)
        })())
    }

    fn delete_many(&mut self, bucket: Resource<Bucket>, keys: Vec<String>) -> Answer<()> {
        let name = self.bucket(&bucket)?;
        Ok((|| {
            keys.iter().try_for_each(|k| self.check_key(k))?;
            self.spend(keys.len() as u64)?
                .delete_many(name, &keys)
                .map_err(other)
        })())
    }
}

struct HasKv;

impl HasData for HasKv {
    type Data<'a> = KeyValue<'a>;
}

/// Adds `wasi:keyvalue` (store, atomics, batch) to `linker`, over each state's grant.
pub fn add_to_linker<T: HasKeyValue + 'static>(
    linker: &mut wasmtime::component::Linker<T>,
) -> wasmtime::Result<()> {
    store::add_to_linker::<T, HasKv>(linker, |state: &mut T| state.keyvalue())?;
    atomics::add_to_linker::<T, HasKv>(linker, |state: &mut T| state.keyvalue())?;
    batch::add_to_linker::<T, HasKv>(linker, |state: &mut T| state.keyvalue())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_decimal_text_and_overflow_is_an_error() {
        let store = MemoryStore::default();
        assert_eq!(store.increment("", "c", 2), Ok(2));
        assert_eq!(store.increment("", "c", 3), Ok(5));
        assert_eq!(store.get("", "c"), Ok(Some(b"5".to_vec())));
        store
            .set_many("", &[("max".into(), u64::MAX.to_string().into_bytes())])
            .unwrap();
        assert!(store.increment("", "max", 1).is_err());
        store
            .set_many("", &[("text".into(), b"abc".to_vec())])
            .unwrap();
        assert!(store.increment("", "text", 1).is_err());
        assert_eq!(
            store.keys(""),
            Ok(vec!["c".into(), "max".into(), "text".into()])
        );
        assert_eq!(store.keys("other"), Ok(vec![]));
    }
}
