//! The configuration each virtualizing module reads from its memory at
//! [`CONFIG_BASE`]: little-endian fields, and lists in the
//! canonical ABI's own layout with absolute pointers, so a baked list is returned as it is.
//! Each WAT module's fields are laid out from its record in `virt/config.wit`
//! (`config_layout`), whose addresses the WAT sources read through `{{config:RECORD.FIELD}}`;
//! every record starts with `heap-start`, which the layout's finish fills in. The C modules'
//! layouts (`files`, `keyvalue`) are their own.

use crate::config_layout::{offset, size};
use crate::patch::CONFIG_BASE;

/// A configuration being laid out: a fixed header, then the lists and strings it points to.
struct Layout {
    bytes: Vec<u8>,
}

impl Layout {
    /// A configuration with a header of `header` bytes (the heap start first).
    fn new(header: usize) -> Self {
        Layout {
            bytes: vec![0; header],
        }
    }

    fn put_u32(&mut self, at: usize, value: u32) {
        self.bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }

    fn put_u64(&mut self, at: usize, value: u64) {
        self.bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
    }

    /// The absolute address of the next byte appended.
    fn here(&self) -> u32 {
        CONFIG_BASE + self.bytes.len() as u32
    }

    fn align(&mut self, to: usize) {
        while !self.bytes.len().is_multiple_of(to) {
            self.bytes.push(0);
        }
    }

    /// Appends `text`; returns (address, length).
    fn string(&mut self, text: &str) -> (u32, u32) {
        let at = self.here();
        self.bytes.extend_from_slice(text.as_bytes());
        (at, text.len() as u32)
    }

    /// Appends a `list<string>`; returns (address, count).
    fn strings(&mut self, items: &[String]) -> (u32, u32) {
        let spans: Vec<(u32, u32)> = items.iter().map(|s| self.string(s)).collect();
        self.align(4);
        let at = self.here();
        for (ptr, len) in spans {
            self.bytes.extend_from_slice(&ptr.to_le_bytes());
            self.bytes.extend_from_slice(&len.to_le_bytes());
        }
        (at, items.len() as u32)
    }

    /// Appends a `list<tuple<string, string>>`; returns (address, count).
    fn pairs(&mut self, items: &[(String, String)]) -> (u32, u32) {
        let spans: Vec<[(u32, u32); 2]> = items
            .iter()
            .map(|(k, v)| [self.string(k), self.string(v)])
            .collect();
        self.align(4);
        let at = self.here();
        for [(kp, kl), (vp, vl)] in spans {
            for n in [kp, kl, vp, vl] {
                self.bytes.extend_from_slice(&n.to_le_bytes());
            }
        }
        (at, items.len() as u32)
    }

    /// The finished bytes, with the heap start (after them, 8-aligned) in the first field.
    fn finish(mut self) -> Vec<u8> {
        self.align(8);
        let heap = self.here();
        self.put_u32(0, heap);
        self.bytes
    }
}

/// Where `wasi:cli/environment` answers come from.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentConfig {
    /// Baked variables, in order.
    pub env: Vec<(String, String)>,
    /// Variables taken from the host when it has them (after the baked ones).
    pub pass: Vec<String>,
    /// `None`: the host's arguments; `Some`: these.
    pub args: Option<Vec<String>>,
}

/// `environment.wat`'s configuration.
pub fn environment(c: &EnvironmentConfig) -> Vec<u8> {
    let mut l = Layout::new(size("environment"));
    let (env_ptr, env_len) = l.pairs(&c.env);
    let (pass_ptr, pass_len) = l.strings(&c.pass);
    let (args_ptr, args_len) = l.strings(c.args.as_deref().unwrap_or_default());
    l.put_u32(offset("environment.env.ptr"), env_ptr);
    l.put_u32(offset("environment.env.len"), env_len);
    l.put_u32(offset("environment.pass.ptr"), pass_ptr);
    l.put_u32(offset("environment.pass.len"), pass_len);
    l.put_u32(
        offset("environment.args-from-host"),
        u32::from(c.args.is_none()),
    );
    l.put_u32(offset("environment.args.ptr"), args_ptr);
    l.put_u32(offset("environment.args.len"), args_len);
    // No initial working directory (mode 0: `none`).
    l.finish()
}

/// `wall-clock.wat`'s configuration: `Some((seconds, nanoseconds))` fixed, `None` denied.
pub fn wall_clock(time: Option<(u64, u32)>) -> Vec<u8> {
    let mut l = Layout::new(size("wall-clock"));
    l.put_u32(
        offset("wall-clock.mode"),
        if time.is_some() { 1 } else { 2 },
    );
    let (seconds, nanoseconds) = time.unwrap_or_default();
    l.put_u64(offset("wall-clock.time.seconds"), seconds);
    l.put_u32(offset("wall-clock.time.nanoseconds"), nanoseconds);
    // Resolution: one nanosecond.
    l.put_u64(offset("wall-clock.resolution.seconds"), 0);
    l.put_u32(offset("wall-clock.resolution.nanoseconds"), 1);
    l.finish()
}

/// `monotonic-clock.wat`'s configuration: `Some(step)` in nanoseconds per reading, `None`
/// denied.
pub fn monotonic_clock(step: Option<u64>) -> Vec<u8> {
    let mut l = Layout::new(size("monotonic-clock"));
    l.put_u32(
        offset("monotonic-clock.mode"),
        if step.is_some() { 1 } else { 2 },
    );
    l.put_u64(offset("monotonic-clock.step"), step.unwrap_or_default());
    l.finish()
}

/// `random.wat`'s configuration: `Some(seed)`, `None` denied.
pub fn random(seed: Option<u64>) -> Vec<u8> {
    let mut l = Layout::new(size("random"));
    l.put_u32(offset("random.mode"), if seed.is_some() { 1 } else { 2 });
    l.put_u64(offset("random.seed"), seed.unwrap_or_default());
    l.finish()
}

/// `preopens.wat`'s configuration: `None` no preopens, `Some(paths)` the host's preopens at
/// these guest paths only.
pub fn preopens(kept: Option<&[String]>) -> Vec<u8> {
    let mut l = Layout::new(size("preopens"));
    if let Some(kept) = kept {
        let (ptr, len) = l.strings(kept);
        l.put_u32(offset("preopens.mode"), 1);
        l.put_u32(offset("preopens.paths.ptr"), ptr);
        l.put_u32(offset("preopens.paths.len"), len);
    }
    l.finish()
}

/// `outgoing-handler-filter.wat`'s configuration: the allowed authorities.
pub fn allowed_authorities(authorities: &[String]) -> Vec<u8> {
    let mut l = Layout::new(size("allowed-authorities"));
    let (ptr, len) = l.strings(authorities);
    l.put_u32(offset("allowed-authorities.mode"), 1);
    l.put_u32(offset("allowed-authorities.authorities.ptr"), ptr);
    l.put_u32(offset("allowed-authorities.authorities.len"), len);
    l.finish()
}

/// `config-store.wat`'s configuration: the variables `get` and `get-all` answer with, in
/// the order given (`get-all` returns them so).
pub fn config_store(variables: &[(String, String)]) -> Vec<u8> {
    let mut l = Layout::new(size("config-store"));
    let (ptr, len) = l.pairs(variables);
    // `answer` stays 0: `get-all`'s answer is `ok`, with the list.
    l.put_u32(offset("config-store.variables.ptr"), ptr);
    l.put_u32(offset("config-store.variables.len"), len);
    l.finish()
}

/// `keyvalue.c`'s configuration (placed at its `__heap_base`, so offsets are relative to
/// the configuration's start): `None` nothing granted, `Some(buckets)` these buckets open,
/// with `data` (bucket, key, value) in them from the start. Entries of other buckets are
/// left out.
pub fn keyvalue(buckets: Option<&[String]>, data: &[(String, String, Vec<u8>)]) -> Vec<u8> {
    use crate::config_layout::{offset, size};
    let names = buckets.unwrap_or_default();
    let mut bytes = vec![0u8; size("keyvalue")];
    let blob = |bytes: &mut Vec<u8>, data: &[u8]| -> (u32, u32) {
        let at = bytes.len() as u32;
        bytes.extend_from_slice(data);
        (at, data.len() as u32)
    };
    let spans: Vec<(u32, u32)> = names
        .iter()
        .map(|n| blob(&mut bytes, n.as_bytes()))
        .collect();
    let entries: Vec<(u32, [(u32, u32); 2])> = data
        .iter()
        .filter_map(|(bucket, key, value)| {
            let index = names.iter().position(|n| n == bucket)? as u32;
            Some((
                index,
                [blob(&mut bytes, key.as_bytes()), blob(&mut bytes, value)],
            ))
        })
        .collect();
    while !bytes.len().is_multiple_of(4) {
        bytes.push(0);
    }
    let put = |bytes: &mut Vec<u8>, at: usize, field: &str, v: u32| {
        let at = at + offset(field);
        bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
    };
    let buckets_at = bytes.len();
    let bucket_size = size("keyvalue-bucket");
    bytes.resize(buckets_at + spans.len() * bucket_size, 0);
    for (i, (at, len)) in spans.iter().enumerate() {
        let record = buckets_at + i * bucket_size;
        put(&mut bytes, record, "keyvalue-bucket.name-at", *at);
        put(&mut bytes, record, "keyvalue-bucket.name-len", *len);
    }
    let entries_at = bytes.len();
    let entry_size = size("keyvalue-entry");
    bytes.resize(entries_at + entries.len() * entry_size, 0);
    for (i, (index, [(key, key_len), (value, value_len)])) in entries.iter().enumerate() {
        let record = entries_at + i * entry_size;
        put(&mut bytes, record, "keyvalue-entry.bucket", *index);
        put(&mut bytes, record, "keyvalue-entry.key-at", *key);
        put(&mut bytes, record, "keyvalue-entry.key-len", *key_len);
        put(&mut bytes, record, "keyvalue-entry.value-at", *value);
        put(&mut bytes, record, "keyvalue-entry.value-len", *value_len);
    }
    let total = bytes.len() as u32;
    put(&mut bytes, 0, "keyvalue.total-size", total);
    put(
        &mut bytes,
        0,
        "keyvalue.granted",
        u32::from(buckets.is_some()),
    );
    put(&mut bytes, 0, "keyvalue.bucket-count", names.len() as u32);
    put(&mut bytes, 0, "keyvalue.buckets-at", buckets_at as u32);
    put(&mut bytes, 0, "keyvalue.entry-count", entries.len() as u32);
    put(&mut bytes, 0, "keyvalue.entries-at", entries_at as u32);
    bytes
}

/// The configuration of modules that have no settings: only the heap start.
pub fn empty() -> Vec<u8> {
    Layout::new(8).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_at(bytes: &[u8], at: u32) -> u32 {
        let i = (at - CONFIG_BASE) as usize;
        u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap())
    }

    #[test]
    fn a_baked_environment_is_a_canonical_list() {
        let c = environment(&EnvironmentConfig {
            env: vec![("K".into(), "value".into())],
            pass: vec!["HOME".into()],
            args: Some(vec!["a".into()]),
        });
        let heap = u32_at(&c, CONFIG_BASE);
        assert_eq!(heap as usize, CONFIG_BASE as usize + c.len());
        assert_eq!(heap % 8, 0);
        let list = u32_at(&c, CONFIG_BASE + 4);
        assert_eq!(u32_at(&c, CONFIG_BASE + 8), 1);
        let (key, key_len) = (u32_at(&c, list), u32_at(&c, list + 4));
        let i = (key - CONFIG_BASE) as usize;
        assert_eq!(&c[i..i + key_len as usize], b"K");
        assert_eq!(u32_at(&c, list + 12), 5);
        assert_eq!(u32_at(&c, CONFIG_BASE + 16), 1);
        assert_eq!(u32_at(&c, CONFIG_BASE + 20), 0, "baked arguments");
    }
}
