//! The composition config file (TOML; the choice over the WAC language is explained in
//! docs/architecture.md):
//!
//! ```toml
//! socket = "app"                 # the instance whose exports the result exports
//! auto = true                    # fill remaining imports automatically (default)
//!
//! [instances]                    # every instance is created, even if nothing uses it
//! app = "app.wasm"
//! en = "greeter.wasm"
//! fr = "greeter.wasm"            # the same component twice, as two instances
//!
//! [[wire]]                       # explicit edges: to.import <- from.export
//! to = "app"
//! import = "wct:demo/greet@0.1.0"
//! from = "fr"
//! export = "wct:demo/greet@0.1.0" # defaults to the import name
//!
//! [prefer]                       # which instance wins when several export an import
//! "wct:demo/greet" = "en"
//! ```

use crate::graph::{Options, Wire};
use crate::plan::Component;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;
use wct_io::config_file::ConfigFileError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    socket: Spanned<String>,
    #[serde(default = "yes")]
    auto: bool,
    instances: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    wire: Vec<WireSpec>,
    #[serde(default)]
    prefer: BTreeMap<String, String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireSpec {
    to: Spanned<String>,
    import: String,
    from: Spanned<String>,
    export: Option<String>,
}

/// A loaded config: the components (socket first) and the options.
#[derive(Debug)]
pub struct Config {
    /// Components in instantiation order, the socket first.
    pub components: Vec<Component>,
    /// The file of each component, in the same order.
    pub files: Vec<PathBuf>,
    /// Wiring and preferences.
    pub options: Options,
}

/// Why a config could not be loaded.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    /// The file could not be read, is not valid TOML, has an unknown key, or names an
    /// instance that is not in `[instances]` (located at the offending place).
    #[error(transparent)]
    #[diagnostic(transparent)]
    File(#[from] wct_io::config_file::ConfigError),
    /// A component file named in `[instances]` could not be read.
    #[error("instance `{instance}`: failed to read '{}': {source}", path.display())]
    Component {
        /// The instance name.
        instance: String,
        /// The component file, relative to the config's folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// Reads `path` and the components it names (relative to its folder).
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = wct_io::config_file::read(path)?;
    let invalid = |at: Option<std::ops::Range<usize>>, message: String| {
        ConfigError::File(ConfigFileError::new(path, &text, at, message).into())
    };
    let file: File =
        toml::from_str(&text).map_err(|e| invalid(e.span(), e.message().trim_end().to_string()))?;
    let known = |name: &Spanned<String>, what: &str| {
        if file.instances.contains_key(name.get_ref()) {
            return Ok(());
        }
        let known: Vec<&str> = file.instances.keys().map(String::as_str).collect();
        Err(ConfigError::File(
            ConfigFileError::new(
                path,
                &text,
                Some(name.span()),
                format!("{what} `{}` is not in [instances]", name.get_ref()),
            )
            .with_label("not an instance")
            .with_help(format!("the instances are: {}", known.join(", ")))
            .into(),
        ))
    };
    known(&file.socket, "socket")?;
    for w in &file.wire {
        known(&w.to, "[[wire]] names")?;
        known(&w.from, "[[wire]] names")?;
    }
    let socket = file.socket.get_ref();
    let base = path.parent().unwrap_or(Path::new("."));
    let mut names: Vec<&String> = file.instances.keys().collect();
    names.sort_by_key(|n| (*n != socket, (*n).clone()));
    let mut components = Vec::new();
    let mut files = Vec::new();
    for name in names {
        let file_path = base.join(file.instances[name].get_ref());
        let bytes = std::fs::read(&file_path).map_err(|source| ConfigError::Component {
            instance: name.clone(),
            path: file_path.clone(),
            source,
        })?;
        components.push(Component {
            name: name.clone(),
            bytes,
        });
        files.push(file_path);
    }
    let options = Options {
        wires: file
            .wire
            .into_iter()
            .map(|w| Wire {
                export: w.export.unwrap_or_else(|| w.import.clone()),
                consumer: w.to.into_inner(),
                import: w.import,
                provider: w.from.into_inner(),
            })
            .collect(),
        prefer: file.prefer,
        no_auto: !file.auto,
        instantiate_all: true,
    };
    Ok(Config {
        components,
        files,
        options,
    })
}
