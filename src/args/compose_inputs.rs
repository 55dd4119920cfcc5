//! SOCKET/PLUG arguments shared by `wct compose` and `wct run --plug`: reading the components,
//! `--prefer` pairs, composing with errors worded for the command line, and the text report.

use crate::report::GlobalOpts;
use miette::Result;
use std::collections::BTreeMap;
use std::path::PathBuf;
use wct_compose::report::Detail;
use wct_compose::{Component, Composed, Options, Plan};

/// Loads the components named on the command line (socket first).
pub fn load_components(paths: &[PathBuf]) -> Result<Vec<Component>> {
    paths
        .iter()
        .zip(wct_compose::instance_names(paths))
        .map(|(path, name)| {
            let bytes = super::input::read_wasm_owned(path)?;
            if wct_component::kind::detect(&bytes) == wct_component::kind::WasmKind::CoreModule {
                return Err(miette::miette!(
                    help = format!(
                        "make it a component first: `wct adapt {0}` for a WASI Preview 1 \
                         program, `wct new {0}` for a module with component-type metadata",
                        path.display()
                    ),
                    "{}: a core wasm module, not a component",
                    path.display()
                ));
            }
            Ok(Component { name, bytes })
        })
        .collect()
}

/// Plugs named by registry reference (`ns:name@1.2.3`, `ns:name@^1`, `oci://...`; anything
/// that is not an existing path and parses as one) are pulled into `scratch`, as
/// `NAME.wasm` so that their instance is named after the package; other paths stay.
pub fn pull_registry_plugs(
    paths: &[PathBuf],
    registry: &crate::args::registry::RegistryArgs,
    scratch: &std::path::Path,
    global: &GlobalOpts,
) -> Result<Vec<PathBuf>> {
    let mut out = Vec::with_capacity(paths.len());
    let mut client = None;
    for path in paths {
        let text = path.to_string_lossy();
        let spec = match text.parse::<wct_registry::PackageSpec>() {
            Ok(spec) if !path.exists() => spec,
            _ => {
                out.push(path.clone());
                continue;
            }
        };
        let config = registry.config()?;
        let location = config
            .locate(&spec, registry.registry())
            .map_err(miette::Report::new)?;
        if client.is_none() {
            client = Some(registry.client()?);
        }
        let pulled = client
            .as_ref()
            .expect("connected above")
            .pull(&location, &spec.version, None)
            .map_err(|e| crate::report::about(&text, e))?;
        let name = location.repository.rsplit('/').next().unwrap_or("plug");
        let file = scratch.join(format!("{name}.wasm"));
        wct_io::write_atomic(&file, &pulled.bytes).map_err(miette::Report::new)?;
        if !global.quiet {
            eprintln!(
                "pulled {text} as {} ({}{})",
                pulled.reference,
                pulled.digest,
                crate::args::registry::from_cache(&pulled)
            );
        }
        out.push(file);
    }
    Ok(out)
}

/// Composes, mapping errors to reports.
pub fn compose(components: Vec<Component>, options: &Options) -> Result<Composed> {
    wct_compose::compose(components, options).map_err(miette::Report::new)
}

/// Parses `--prefer IMPORT=INSTANCE` flags.
pub fn prefer_map(prefer: &[String]) -> Result<BTreeMap<String, String>> {
    prefer
        .iter()
        .map(|p| {
            p.rsplit_once('=')
                .map(|(i, n)| (i.to_string(), n.to_string()))
                .ok_or_else(|| miette::miette!("--prefer expects IMPORT=INSTANCE, got `{p}`"))
        })
        .collect()
}

/// The text report, every import on its own line under `-v`.
pub fn render(plan: &Plan, global: &GlobalOpts) -> String {
    let detail = if global.verbose {
        Detail::Every
    } else {
        Detail::Summary
    };
    wct_compose::report::render_text(plan, detail)
}
