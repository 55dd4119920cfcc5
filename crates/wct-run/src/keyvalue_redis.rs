//! The shared `wasi:keyvalue` store (`--keyvalue redis://HOST:PORT[/DB]`): one Redis hash per
//! bucket (`wasi-keyvalue:BUCKET`), so many `wct serve` processes, or machines, see one store.
//! A batch is one command (`HSET` with every pair, `HDEL` with every key), which Redis applies
//! whole; `increment` is `HINCRBY`, which keeps counters as decimal text like the other stores.
//! Built on the `redis` crate's synchronous client (no async runtime, no TLS). Connecting and
//! each command time out after 5 s; a lost connection is made again at the next call.

use crate::keyvalue::{KeyValueStore, StoreError};
use std::sync::Mutex;

/// A store in a Redis server.
pub struct RedisStore {
    client: redis::Client,
    /// The connection, or `None` after one failed: the next call connects again, so a
    /// server that restarts is used again without restarting wct.
    connection: Mutex<Option<redis::Connection>>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("address", &self.address())
            .finish_non_exhaustive()
    }
}

/// How long connecting, and each command, may take before the call fails (rather than
/// hanging a run or a request on a server that stopped answering).
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The hash that holds `bucket`.
fn hash(bucket: &str) -> String {
    format!("wasi-keyvalue:{bucket}")
}

impl RedisStore {
    /// Connects to `url` (`redis://HOST:PORT[/DB]`) and checks the server answers.
    pub fn connect(url: &str) -> Result<RedisStore, StoreError> {
        let client = redis::Client::open(url)
            .map_err(|e| StoreError(format!("redis: {url} is not a Redis URL: {e}")))?;
        let store = RedisStore {
            client,
            connection: Mutex::new(None),
        };
        store.query::<String>(&redis::cmd("PING"))?;
        Ok(store)
    }

    /// The server's address (`HOST:PORT`), for messages; credentials are not part of it.
    fn address(&self) -> String {
        self.client.get_connection_info().addr.to_string()
    }

    fn failed(&self, error: redis::RedisError) -> StoreError {
        StoreError(format!("the Redis store at {}: {error}", self.address()))
    }

    fn open(&self) -> Result<redis::Connection, StoreError> {
        let connection = self
            .client
            .get_connection_with_timeout(TIMEOUT)
            .map_err(|e| self.failed(e))?;
        connection
            .set_read_timeout(Some(TIMEOUT))
            .and_then(|()| connection.set_write_timeout(Some(TIMEOUT)))
            .map_err(|e| self.failed(e))?;
        Ok(connection)
    }

    /// Runs `command`; a failure that leaves the connection unusable drops it. The command
    /// is not retried: it may have been applied (an increment would count twice).
    fn query<T: redis::FromRedisValue>(&self, command: &redis::Cmd) -> Result<T, StoreError> {
        let mut slot = self
            .connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if slot.is_none() {
            *slot = Some(self.open()?);
        }
        let connection = slot.as_mut().expect("connected above");
        command.query(connection).map_err(|e| {
            if e.is_io_error() || e.is_connection_dropped() || e.is_timeout() {
                *slot = None;
            }
            self.failed(e)
        })
    }
}

impl KeyValueStore for RedisStore {
    fn get(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.query(redis::cmd("HGET").arg(hash(bucket)).arg(key))
    }

    fn set_many(&self, bucket: &str, pairs: &[(String, Vec<u8>)]) -> Result<(), StoreError> {
        if pairs.is_empty() {
            return Ok(());
        }
        let mut command = redis::cmd("HSET");
        command.arg(hash(bucket));
        for (key, value) in pairs {
            command.arg(key).arg(value.as_slice());
        }
        self.query::<i64>(&command).map(|_| ())
    }

    fn delete_many(&self, bucket: &str, keys: &[String]) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        self.query::<i64>(redis::cmd("HDEL").arg(hash(bucket)).arg(keys))
            .map(|_| ())
    }

    fn keys(&self, bucket: &str) -> Result<Vec<String>, StoreError> {
        let mut keys: Vec<String> = self.query(redis::cmd("HKEYS").arg(hash(bucket)))?;
        keys.sort();
        Ok(keys)
    }

    fn increment(&self, bucket: &str, key: &str, delta: u64) -> Result<u64, StoreError> {
        let delta = i64::try_from(delta)
            .map_err(|_| StoreError("delta is over Redis' 64-bit signed range".into()))?;
        let sum: i64 = self.query(redis::cmd("HINCRBY").arg(hash(bucket)).arg(key).arg(delta))?;
        u64::try_from(sum).map_err(|_| StoreError("the counter is negative".into()))
    }
}
