//! The shared `wasi:keyvalue` store (`--keyvalue redis://HOST:PORT[/DB]`): one Redis hash per
//! bucket (`wasi-keyvalue:BUCKET`), so many `wct serve` processes, or machines, see one store.
//! A batch is one command (`HSET` with every pair, `HDEL` with every key), which Redis applies
//! whole; `increment` is `HINCRBY`, which keeps counters as decimal text like the other stores.
//! Built on the `redis` crate's synchronous client (no async runtime, no TLS).

use crate::keyvalue::{KeyValueStore, StoreError};
use std::sync::Mutex;

/// A store in a Redis server.
pub struct RedisStore {
    connection: Mutex<redis::Connection>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore").finish_non_exhaustive()
    }
}

fn failed(error: redis::RedisError) -> StoreError {
    StoreError(format!("redis: {error}"))
}

/// The hash that holds `bucket`.
fn hash(bucket: &str) -> String {
    format!("wasi-keyvalue:{bucket}")
}

impl RedisStore {
    /// Connects to `url` (`redis://HOST:PORT[/DB]`) and checks the server answers.
    pub fn connect(url: &str) -> Result<RedisStore, StoreError> {
        let client = redis::Client::open(url).map_err(failed)?;
        let mut connection = client.get_connection().map_err(failed)?;
        redis::cmd("PING")
            .query::<String>(&mut connection)
            .map_err(failed)?;
        Ok(RedisStore {
            connection: Mutex::new(connection),
        })
    }

    fn query<T: redis::FromRedisValue>(&self, command: &redis::Cmd) -> Result<T, StoreError> {
        let mut connection = self
            .connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        command.query(&mut *connection).map_err(failed)
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
