//! Parsing of `--features` lists into [`WasmFeatures`], with the same vocabulary and semantics
//! as `wasm-tools validate`: start from the default set (every phase-4+ proposal, component
//! model included, and what WASI 0.3 components need: see [`default_features`]), then apply each comma-separated item in order: `name` enables, `-name`
//! disables, `all`/`-all` switch everything, and `mvp`/`wasm1`/`wasm2`/`wasm3`/`lime1` reset to
//! that group.

use bitflags::Flags;
use wasmparser::WasmFeatures;

/// Named groups that reset the set instead of adding to it.
const GROUPS: &[(&str, WasmFeatures)] = &[
    ("mvp", WasmFeatures::MVP),
    ("wasm1", WasmFeatures::WASM1),
    ("wasm2", WasmFeatures::WASM2),
    ("wasm3", WasmFeatures::WASM3),
    ("lime1", WasmFeatures::LIME1),
];

/// The command-line spelling of a feature flag (`COMPONENT_MODEL` -> `component-model`).
fn cli_name(flag: &str) -> String {
    flag.to_lowercase().replace('_', "-")
}

/// Every accepted feature name, for help and error messages.
pub fn known_names() -> Vec<String> {
    let mut names: Vec<String> = WasmFeatures::FLAGS
        .iter()
        .map(|f| cli_name(f.name()))
        .collect();
    names.extend(GROUPS.iter().map(|(n, _)| n.to_string()));
    names.push("all".into());
    names
}

/// wasmparser's default features plus the component model's `error-context`, which WASI 0.3
/// components may use (`async` is on by default; `error-context` is not in wasmparser 0.263).
pub fn default_features() -> WasmFeatures {
    WasmFeatures::default() | WasmFeatures::CM_ERROR_CONTEXT
}

/// A feature list that names something wasmparser does not know, or disables a group.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum FeatureError {
    /// No feature or group has this name.
    #[error("unknown wasm feature `{name}`; known features: {}", known_names().join(", "))]
    Unknown {
        /// The name as given.
        name: String,
    },
    /// `-GROUP`: a group (`wasm1`, `wasm2`, ...) can only be selected.
    #[error("cannot disable `{name}`: a group can only be selected")]
    GroupDisabled {
        /// The group's name.
        name: String,
    },
}

/// Applies the comma-separated `spec` lists, in order, to the default feature set.
pub fn parse(specs: &[String]) -> Result<WasmFeatures, FeatureError> {
    let mut features = default_features();
    for item in specs
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let (enable, name) = match item.strip_prefix('-') {
            Some(rest) => (false, rest),
            None => (true, item),
        };
        if name == "all" {
            if enable {
                features |= WasmFeatures::all();
            } else {
                features = WasmFeatures::empty();
            }
        } else if let Some((_, group)) = GROUPS.iter().find(|(n, _)| *n == name) {
            if !enable {
                return Err(FeatureError::GroupDisabled {
                    name: name.to_string(),
                });
            }
            features = *group;
        } else if let Some(flag) = WasmFeatures::FLAGS
            .iter()
            .find(|f| cli_name(f.name()) == name)
        {
            features.set(*flag.value(), enable);
        } else {
            return Err(FeatureError::Unknown {
                name: name.to_string(),
            });
        }
    }
    Ok(features)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_includes_component_model() {
        let f = parse(&[]).unwrap();
        assert!(f.contains(WasmFeatures::COMPONENT_MODEL));
    }

    #[test]
    fn items_apply_in_order() {
        let f = parse(&["-simd,mvp".into(), "simd".into()]).unwrap();
        assert!(f.contains(WasmFeatures::SIMD));
        assert!(!f.contains(WasmFeatures::COMPONENT_MODEL));
        assert!(parse(&["-all".into()]).unwrap().is_empty());
    }

    #[test]
    fn unknown_names_are_rejected_with_the_list() {
        let err = parse(&["bogus".into()]).unwrap_err();
        assert_eq!(
            err,
            FeatureError::Unknown {
                name: "bogus".into()
            }
        );
        let text = err.to_string();
        assert!(text.contains("unknown wasm feature `bogus`") && text.contains("simd"));
        assert_eq!(
            parse(&["-mvp".into()]).unwrap_err(),
            FeatureError::GroupDisabled { name: "mvp".into() }
        );
    }
}
