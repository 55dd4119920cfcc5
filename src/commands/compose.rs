//! `wct compose`: fill a component's imports with other components' exports.

use crate::args::{compose_inputs, wac_inputs};
use crate::output;
use crate::report::{GlobalOpts, EXIT_FAILED};
use clap::ValueEnum;
use miette::Result;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use wct_compose::report::JsonReport;
use wct_compose::Options;

/// Compose components: fill the imports of SOCKET with the exports of the PLUGs.
///
/// Transitively (plugs' imports are filled too); the report says which imports were filled
/// and which are left.
///
/// Imports match exports by interface name with semver-compatible versions (an import of
/// `a:b/c@0.2.0` is filled by `a:b/c@0.2.3`, never by `@0.3.0`). Imports left over become
/// imports of the result, semver-compatible versions of one interface merged into one.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct compose tests/fixtures/compose/hello-app.wasm \\
      tests/fixtures/compose/greeter.wasm -o hello.wasm
  wct compose tests/fixtures/compose/hello-app.wasm \\
      tests/fixtures/compose/greeter.wasm \\
      tests/fixtures/compose/polite-greeter.wasm \\
      tests/fixtures/compose/store.wasm \\
      --prefer wct:demo/greet=polite-greeter -o out.wasm --json
  wct compose --config tests/fixtures/compose/chain.toml -o chain.wasm \\
      --graph mermaid
  wct compose tests/fixtures/compose/hello-app.wasm --plug wct:greeter@0.1.0 \\
      --registry 127.0.0.1:5000 -o hello.wasm
  wct compose tests/fixtures/wac/demo.wac \\
      --dep demo:hello-app=tests/fixtures/compose/hello-app.wasm \\
      --dep demo:polite-greeter=tests/fixtures/js/polite-greeter.wasm \\
      --dep demo:store=tests/fixtures/compose/store.wasm -o program.wasm

Exit status:
  0  composed
  1  --require-full and some import is left unfilled; a .wac document with an error
  2  bad input, ambiguity, type mismatch")]
pub struct Args {
    /// The socket component, then the plugs.
    #[arg(value_name = "SOCKET PLUG", required_unless_present = "config")]
    components: Vec<PathBuf>,
    /// A plug, as `wac plug SOCKET --plug PLUG` spells it (repeatable; same as listing it
    /// after SOCKET). A plug may be a registry reference: `ns:name@1.2.3`, `ns:name@^1`,
    /// `oci://REGISTRY/REPOSITORY:TAG`.
    #[arg(long = "plug", value_name = "PLUG", conflicts_with = "config")]
    plugs: Vec<PathBuf>,
    #[command(flatten)]
    registry: crate::args::registry::RegistryArgs,
    /// A TOML file with instances, explicit wiring and preferences (see docs/compose.md).
    #[arg(long, value_name = "FILE", conflicts_with = "components")]
    config: Option<PathBuf>,
    #[command(flatten)]
    out: output::WasmOutputArgs,
    /// For an import several plugs export: take it from this instance (IMPORT=INSTANCE).
    #[arg(long, value_name = "IMPORT=INSTANCE")]
    prefer: Vec<String>,
    /// Exit 1 when an import is left unfilled (except those allowed with --allow-unfilled).
    #[arg(long)]
    require_full: bool,
    /// Imports that may stay unfilled under --require-full (`wasi:*` style prefixes allowed).
    #[arg(long, value_name = "PATTERN")]
    allow_unfilled: Vec<String>,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Print the instance graph on stdout.
    #[arg(long, value_enum, value_name = "FORMAT")]
    graph: Option<GraphFormat>,
    /// For a `.wac` document: the file of package PKG (`my:greeter=greeter.wasm`;
    /// repeatable).
    #[arg(long = "dep", value_name = "PKG=PATH", value_parser = crate::args::wac_inputs::dep)]
    deps: Vec<(String, PathBuf)>,
    /// For a `.wac` document: where its packages are, in wac's layout (`DIR/ns/name.wasm`,
    /// `DIR/ns/name/VERSION.wasm`, a WIT folder `DIR/ns/name/`); default `deps` when it exists.
    #[arg(long, value_name = "DIR")]
    deps_dir: Option<PathBuf>,
    /// For a `.wac` document: import the instantiated components instead of embedding them
    /// (wac's `--import-dependencies`).
    #[arg(long)]
    import_dependencies: bool,
    /// Resolve and type-check the composition; write nothing.
    #[arg(long, conflicts_with = "output")]
    check: bool,
    /// For a `.wac` document: take packages from the registry's cache only (those pulled
    /// before), without asking the registry.
    #[arg(long)]
    offline: bool,
    /// For a `.wac` document: the lock file of its registry packages (default: `wkg.lock`
    /// beside the document; written when a package is added).
    #[arg(long, value_name = "FILE")]
    lock: Option<PathBuf>,
    /// For a `.wac` document: every registry package must be in the lock, which must not
    /// change.
    #[arg(long)]
    locked: bool,
    /// Also write the composition as a WAC document (for wac's users): `wct compose
    /// FILE.wac --dep ...` (its header lists the flags) builds it again.
    #[arg(long, value_name = "FILE")]
    emit_wac: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    Dot,
    Mermaid,
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    if let Some(document) = args.components.first().filter(|p| wac_inputs::is_wac(p)) {
        return run_wac(document.clone(), &args, global);
    }
    if let Some(wac) = args
        .components
        .iter()
        .chain(&args.plugs)
        .find(|p| wac_inputs::is_wac(p))
    {
        miette::bail!(
            help = format!(
                "compose it on its own: `wct compose {} -o OUT`",
                wac.display()
            ),
            "{}: a WAC document is the whole composition, not a plug",
            wac.display()
        );
    }
    if !args.deps.is_empty() || args.deps_dir.is_some() {
        miette::bail!("--dep and --deps-dir are for a .wac document");
    }
    let scratch = tempfile::tempdir().map_err(|source| {
        miette::Report::new(wct_io::IoError::Write {
            path: std::env::temp_dir(),
            source,
        })
    })?;
    let (components, files, mut options) = match &args.config {
        Some(config) => {
            let loaded = wct_compose::config::load(config).map_err(miette::Report::new)?;
            (loaded.components, loaded.files, loaded.options)
        }
        None => {
            let mut paths = args.components.clone();
            paths.extend(args.plugs.iter().cloned());
            if paths.len() < 2 && !args.plugs.is_empty() && args.components.is_empty() {
                miette::bail!("--plug needs a SOCKET component before it");
            }
            if paths.len() < 2 {
                return Err(miette::miette!(
                    help = "name the components that fill its imports after it (or with \
                            --plug), or describe the composition with --config FILE",
                    "nothing to compose: {} is given without a plug",
                    paths
                        .first()
                        .map_or_else(|| "no component".into(), |p| wct_io::display_name(p))
                ));
            }
            let paths = compose_inputs::pull_registry_plugs(
                &paths,
                &args.registry,
                scratch.path(),
                global,
            )?;
            (
                compose_inputs::load_components(&paths)?,
                paths,
                Options::default(),
            )
        }
    };
    let files: Vec<(String, String)> = components
        .iter()
        .zip(&files)
        .map(|(c, f)| (c.name.clone(), wct_io::display_name(f)))
        .collect();
    options
        .prefer
        .extend(compose_inputs::prefer_map(&args.prefer)?);
    let progress = wct_io::progress::Progress::start(
        !global.quiet,
        format!("composing {} components", components.len()),
    );
    let composed = compose_inputs::compose(components, &options);
    drop(progress);
    let composed = composed?;
    let inputs: Vec<&Path> = args
        .components
        .iter()
        .chain(&args.plugs)
        .map(PathBuf::as_path)
        .collect();
    if let Some(path) = &args.emit_wac {
        let text = wct_compose::wac::emit(&composed.plan, "composed", &files);
        output::write(Some(path), text.as_bytes(), false, &inputs)?;
    }
    finish(&args, &inputs, &composed, global)
}

/// `wct compose FILE.wac`: the document resolved (`--dep`, `--deps-dir`, the registry),
/// type-checked and encoded as wac does. A problem in the document is shown in it (exit 1).
fn run_wac(document: PathBuf, args: &Args, global: &GlobalOpts) -> Result<ExitCode> {
    if args.emit_wac.is_some() {
        miette::bail!("--emit-wac writes a WAC document for a SOCKET PLUG... or --config composition; this one already is one");
    }
    if args.components.len() > 1 || !args.plugs.is_empty() {
        miette::bail!(
            help = "name the components in the document's `new` expressions and give their \
                    files with --dep PKG=PATH or --deps-dir",
            "a .wac document is the whole composition: no SOCKET or PLUG goes with it"
        );
    }
    let deps_dir = args
        .deps_dir
        .clone()
        .or_else(|| Some(PathBuf::from("deps")).filter(|d| d.is_dir()));
    let inputs = wac_inputs::WacInputs {
        local: wct_compose::deps::LocalPackages {
            deps: args.deps.iter().cloned().collect(),
            deps_dir,
        },
        registry: &args.registry,
        offline: args.offline,
        lock: args.lock.clone(),
        locked: args.locked,
        options: wct_compose::wac::WacOptions {
            import_dependencies: args.import_dependencies,
            check_only: args.check,
        },
    };
    let progress = wct_io::progress::Progress::start(!global.quiet, "composing".to_string());
    let composed = wac_inputs::compose(&document, &inputs, global);
    drop(progress);
    let composed = match composed {
        Ok(composed) => composed,
        Err(wac_inputs::WacFailure::Document(error)) => {
            crate::report::print_error(&miette::Report::new(error));
            return Ok(ExitCode::from(EXIT_FAILED));
        }
        Err(wac_inputs::WacFailure::Usage(report)) => return Err(report),
    };
    if args.check {
        if !global.quiet {
            eprintln!(
                "{}: resolves and type-checks ({} instance(s))",
                wct_io::display_name(&document),
                composed.plan.instances.len()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut inputs: Vec<&Path> = vec![document.as_path()];
    inputs.extend(args.deps.iter().map(|(_, p)| p.as_path()));
    finish(args, &inputs, &composed, global)
}

/// Writes the composition and reports it (shared by both routes).
fn finish(
    args: &Args,
    inputs: &[&Path],
    composed: &wct_compose::Composed,
    global: &GlobalOpts,
) -> Result<ExitCode> {
    if args.out.output.is_some() {
        args.out.write_pieces(&composed.wasm.pieces(), inputs)?;
    }
    let plan = &composed.plan;
    if args.json {
        output::json_sorted(&JsonReport::new(plan))?;
    } else if let Some(format) = args.graph {
        output::stdout(&match format {
            GraphFormat::Dot => plan.to_dot(),
            GraphFormat::Mermaid => plan.to_mermaid(),
        })?;
    } else if !global.quiet {
        // The report goes to stderr when the component itself goes to stdout.
        let text = compose_inputs::render(plan, global);
        if args.out.output.as_deref() == Some(Path::new("-")) {
            eprint!("{text}");
        } else {
            output::stdout(&text)?;
        }
    }
    let missing: Vec<_> = plan
        .unfilled
        .iter()
        .filter(|u| !wct_compose::matches_any(&args.allow_unfilled, &u.import))
        .collect();
    if args.require_full && !missing.is_empty() {
        let (lines, patterns) = wct_compose::report::render_missing(&missing);
        let flags: Vec<String> = patterns
            .iter()
            .map(|p| format!("--allow-unfilled '{p}'"))
            .collect();
        eprint!(
            "error: {} import(s) left unfilled (--require-full):\n{lines}  help: plug \
             components that export them, or let them through to the host with {}\n",
            missing.len(),
            flags.join(" ")
        );
        return Ok(ExitCode::from(EXIT_FAILED));
    }
    Ok(ExitCode::SUCCESS)
}
