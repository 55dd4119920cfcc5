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
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    socket: String,
    #[serde(default = "yes")]
    auto: bool,
    instances: BTreeMap<String, String>,
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
    to: String,
    import: String,
    from: String,
    export: Option<String>,
}

/// A loaded config: the components (socket first) and the options.
#[derive(Debug)]
pub struct Config {
    /// Components in instantiation order, the socket first.
    pub components: Vec<Component>,
    /// Wiring and preferences.
    pub options: Options,
}

/// Reads `path` and the components it names (relative to its folder).
pub fn load(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("failed to read '{}': {e}", path.display()))?;
    let file: File = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if !file.instances.contains_key(&file.socket) {
        return Err(format!(
            "{}: socket `{}` is not in [instances]",
            path.display(),
            file.socket
        ));
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let mut names: Vec<&String> = file.instances.keys().collect();
    names.sort_by_key(|n| (*n != &file.socket, (*n).clone()));
    let mut components = Vec::new();
    for name in names {
        let file_path = base.join(&file.instances[name]);
        let bytes = std::fs::read(&file_path).map_err(|e| {
            format!(
                "instance `{name}`: failed to read '{}': {e}",
                file_path.display()
            )
        })?;
        components.push(Component {
            name: name.clone(),
            bytes,
        });
    }
    for w in &file.wire {
        for name in [&w.to, &w.from] {
            if !file.instances.contains_key(name) {
                return Err(format!(
                    "{}: [[wire]] names `{name}`, which is not in [instances]",
                    path.display()
                ));
            }
        }
    }
    let options = Options {
        wires: file
            .wire
            .into_iter()
            .map(|w| Wire {
                export: w.export.unwrap_or_else(|| w.import.clone()),
                consumer: w.to,
                import: w.import,
                provider: w.from,
            })
            .collect(),
        prefer: file.prefer,
        no_auto: !file.auto,
        instantiate_all: true,
    };
    Ok(Config {
        components,
        options,
    })
}
