//! `wct wit worlds`: every world as a flattened tree, gates shown.

use super::FeatureArgs;
use crate::output;
use crate::report::GlobalOpts;
use miette::Result;
use std::fmt::Write;
use std::process::ExitCode;
use wct_wit::worlds::{view, ItemView, WorldView};

/// Show each world with its imports and exports flattened.
///
/// What `include` and `use` pull in is listed, interfaces with their functions and types, and
/// `@since`/`@unstable` gates.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  wct wit worlds wit/demo
  wct wit worlds wasi:cli/command --json")]
pub struct Args {
    /// The WIT source.
    #[arg(value_name = "PATH")]
    path: String,
    /// Only this world.
    #[arg(short, long, value_name = "WORLD")]
    world: Option<String>,
    /// Also list the worlds of dependency packages.
    #[arg(long)]
    all: bool,
    /// Print JSON instead of a tree.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    features: FeatureArgs,
}

pub fn run(args: Args, global: &GlobalOpts) -> Result<ExitCode> {
    let mut set = super::load(&args.path, &args.features)?;
    let ids: Vec<_> = if args.world.is_some() || set.world.is_some() {
        vec![set
            .select_world(args.world.as_deref())
            .map_err(super::report)?]
    } else if args.all {
        set.resolve.worlds.iter().map(|(id, _)| id).collect()
    } else {
        set.resolve.packages[set.package]
            .worlds
            .values()
            .copied()
            .collect()
    };
    let views: Vec<WorldView> = ids.into_iter().map(|id| view(&set.resolve, id)).collect();
    if args.json {
        output::json_sorted(&wct_wit::worlds::WorldsReport::new(views))?;
    } else if views.is_empty() {
        output::stdout(&format!("{}: no worlds\n", args.path))?;
    } else {
        output::stdout(&render(&views))?;
        // A built-in name without a version means the newest WASI 0.2: say which, and how to
        // name the 0.3 one (on stderr, so the listing itself stays the same for scripts).
        if wct_wit::builtin::is_builtin(&args.path) && !args.path.contains('@') && !global.quiet {
            eprintln!(
                "note: `{}` without a version is the newest WASI 0.2 world; WASI 0.3 worlds are \
                 named with their version: {}",
                args.path,
                wct_wit::builtin::P3_NAMES.join(", ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn render(views: &[WorldView]) -> String {
    let mut out = String::new();
    for (i, w) in views.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "world {}{}", w.name, gate_suffix(&w.gate));
        for include in &w.includes {
            let _ = writeln!(out, "  include {include}");
        }
        for item in &w.imports {
            render_item(&mut out, "import", item);
        }
        for item in &w.exports {
            render_item(&mut out, "export", item);
        }
    }
    out
}

fn render_item(out: &mut String, direction: &str, item: &ItemView) {
    let via = item
        .via_include
        .as_ref()
        .map(|w| format!("  (via include {w})"))
        .unwrap_or_default();
    let head = match (item.kind, &item.signature) {
        ("interface", _) => format!("{direction} interface {}", item.name),
        (_, Some(sig)) => format!("{direction} {}: {sig}", item.name),
        _ => format!("{direction} {}", item.name),
    };
    let _ = writeln!(out, "  {head}{}{via}", gate_suffix(&item.gate));
    for m in &item.members {
        let what = match &m.signature {
            Some(sig) => format!("{}: {sig}", m.name),
            None => format!("{} {}", m.kind, m.name),
        };
        let _ = writeln!(out, "      {what}{}", gate_suffix(&m.gate));
    }
}

fn gate_suffix(gate: &Option<String>) -> String {
    gate.as_ref().map(|g| format!("  {g}")).unwrap_or_default()
}
