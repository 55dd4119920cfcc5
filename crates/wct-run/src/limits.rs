//! Limits that stop runaway guests: fuel (instructions), a wall-clock timeout (epoch
//! interruption), and a cap on linear memory. Sizes and durations are parsed from the forms
//! people type (`64MiB`, `512M`, `30s`, `1500ms`, `2m`).

use crate::error::{Error, Result};
use std::time::Duration;

/// The limits for one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Units of fuel the guest may consume.
    pub fuel: Option<u64>,
    /// Wall-clock time the guest may run.
    pub timeout: Option<Duration>,
    /// Bytes each linear memory may grow to.
    pub max_memory: Option<u64>,
}

/// Parses `64MiB`, `64M`, `4096`, `1GiB`, `2G`, `512KiB` into bytes (K/M/G are powers of 1024).
pub fn parse_size(text: &str) -> Result<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| Error::InvalidQuantity(format!("invalid size `{text}` (e.g. 64MiB)")))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => {
            return Err(Error::InvalidQuantity(format!(
                "invalid size unit in `{text}` (use B, KiB, MiB or GiB)"
            )))
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| Error::InvalidQuantity(format!("size `{text}` is too large")))
}

/// Parses `30s`, `1500ms`, `2m`, `1h`, or plain seconds.
pub fn parse_duration(text: &str) -> Result<Duration> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number.parse().map_err(|_| {
        Error::InvalidQuantity(format!("invalid duration `{text}` (e.g. 30s, 500ms)"))
    })?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        _ => {
            return Err(Error::InvalidQuantity(format!(
                "invalid duration unit in `{text}` (use ms, s, m or h)"
            )))
        }
    };
    if !(secs.is_finite() && secs > 0.0) {
        return Err(Error::InvalidQuantity(format!(
            "duration `{text}` must be positive"
        )));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// The error a guest gets when it tries to grow memory past `--max-memory`.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("memory limit exceeded: tried to grow a linear memory to {desired} bytes (limit {limit})")]
pub struct MemoryLimitExceeded {
    /// Bytes asked for.
    pub desired: usize,
    /// The limit.
    pub limit: u64,
}

/// A `ResourceLimiter` that stops the guest (rather than failing `memory.grow` quietly) when
/// it asks for more memory than allowed. It also counts what was granted: linear memory
/// bytes and table elements (wasmtime asks it for every memory and table it creates, so
/// right after instantiation these are what instantiation committed).
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryLimiter {
    /// The cap, if any.
    pub max_memory: Option<u64>,
    /// Bytes of linear memory granted so far, all memories together.
    pub memory_bytes: u64,
    /// Table elements granted so far, all tables together.
    pub table_elements: u64,
}

impl MemoryLimiter {
    /// A limiter capping memory at `max_memory`.
    pub fn new(max_memory: Option<u64>) -> Self {
        MemoryLimiter {
            max_memory,
            ..MemoryLimiter::default()
        }
    }
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        match self.max_memory {
            Some(limit) if desired as u64 > limit => {
                Err(MemoryLimitExceeded { desired, limit }.into())
            }
            _ => {
                self.memory_bytes += desired.saturating_sub(current) as u64;
                Ok(true)
            }
        }
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.table_elements += desired.saturating_sub(current) as u64;
        Ok(true)
    }
}

/// Starts the timer thread that interrupts the engine's guests after `timeout`.
pub fn start_timeout(engine: &wasmtime::Engine, timeout: Duration) {
    let engine = engine.clone();
    std::thread::spawn(move || {
        std::thread::sleep(timeout);
        engine.increment_epoch();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations() {
        assert_eq!(parse_size("64MiB").unwrap(), 64 << 20);
        assert_eq!(parse_size("2g").unwrap(), 2 << 30);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert!(parse_size("12 parsecs").is_err());
        assert_eq!(
            parse_duration("1500ms").unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
