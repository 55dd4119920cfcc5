//! `wasi:config/store` (0.2.0-rc.1, the version wasmtime-wasi-config 48 links) over the
//! variables the user granted. Nothing is granted by default: the store is empty, so `get`
//! answers `none` and `get-all` an empty list. `get-all` lists the variables sorted by key, so
//! a guest that prints them prints the same every run (wasmtime's store answers in hash
//! order).

use std::collections::BTreeMap;
use std::path::Path;
use wasmtime::component::HasData;
use wct_io::config_file::{ConfigError, ConfigFileError};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wct-wit/wit/wasi-config",
        world: "wasi:config/imports",
        imports: { default: trappable },
    });
}

use bindings::wasi::config::store as generated;

/// The configuration variables a guest may read.
#[derive(Debug, Clone, Default)]
pub struct ConfigVariables(BTreeMap<String, String>);

impl ConfigVariables {
    /// The variables `pairs`, a later pair winning over an earlier one with the same key.
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        ConfigVariables(pairs.into_iter().collect())
    }

    /// Whether nothing is granted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The variables of a configuration file: TOML (string, number and boolean values; a table's
/// keys joined to their table's name with `.`: `[db] url = ...` is `db.url`), or `KEY=VALUE`
/// lines (blank lines and `#` comments skipped), as `.env` files are written.
pub fn read_config_file(path: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let text = wct_io::config_file::read(path)?;
    match toml::from_str::<toml::Table>(&text) {
        Ok(table) => {
            let mut out = Vec::new();
            flatten(path, &text, "", &table, &mut out)?;
            Ok(out)
        }
        Err(toml_error) => key_value_lines(&text).ok_or_else(|| {
            ConfigFileError::new(path, &text, toml_error.span(), toml_error.message())
                .with_help("write TOML (`key = \"value\"`) or KEY=VALUE lines")
                .into()
        }),
    }
}

fn flatten(
    path: &Path,
    text: &str,
    prefix: &str,
    table: &toml::Table,
    out: &mut Vec<(String, String)>,
) -> Result<(), ConfigError> {
    for (key, value) in table {
        let key = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let text_value = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Table(inner) => {
                flatten(path, text, &key, inner, out)?;
                continue;
            }
            other => {
                let at = text.find(key.rsplit('.').next().unwrap_or(&key));
                return Err(ConfigFileError::new(
                    path,
                    text,
                    at.map(|a| a..a + key.len()),
                    format!(
                        "`{key}` is a {}: a configuration value is a string, number or boolean",
                        other.type_str()
                    ),
                )
                .into());
            }
        };
        out.push((key, text_value));
    }
    Ok(())
}

/// `KEY=VALUE` lines, or `None` when a line is neither that, blank nor a `#` comment.
fn key_value_lines(text: &str) -> Option<Vec<(String, String)>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (key, value) = l.split_once('=')?;
            let key = key.trim();
            (!key.is_empty()).then(|| (key.to_string(), value.trim().to_string()))
        })
        .collect()
}

/// The host side of `wasi:config/store` for one store's state.
pub struct ConfigStore<'a>(&'a ConfigVariables);

impl generated::Host for ConfigStore<'_> {
    fn get(&mut self, key: String) -> wasmtime::Result<Result<Option<String>, generated::Error>> {
        Ok(Ok(self.0 .0.get(&key).cloned()))
    }

    fn get_all(&mut self) -> wasmtime::Result<Result<Vec<(String, String)>, generated::Error>> {
        Ok(Ok(self
            .0
             .0
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()))
    }
}

struct HasConfig;

impl HasData for HasConfig {
    type Data<'a> = ConfigStore<'a>;
}

/// A store state that holds granted configuration variables.
pub trait HasConfigVariables {
    /// The variables.
    fn config_variables(&self) -> &ConfigVariables;
}

/// Adds `wasi:config/store` to `linker`, over each state's granted variables.
pub fn add_to_linker<T: HasConfigVariables + 'static>(
    linker: &mut wasmtime::component::Linker<T>,
) -> wasmtime::Result<()> {
    generated::add_to_linker::<T, HasConfig>(linker, |state: &mut T| {
        ConfigStore(state.config_variables())
    })
}
