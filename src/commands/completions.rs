//! `wct completions`: shell completion scripts; and the hidden `wct generate-man` used by
//! `cargo xtask man`.

use clap::CommandFactory;
use miette::{IntoDiagnostic, Result};
use std::path::PathBuf;
use std::process::ExitCode;

/// Print a shell completion script.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  source <(wct completions bash)
  wct completions zsh > _wct
  wct completions fish > wct.fish")]
pub struct Args {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let mut cmd = crate::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "wct", &mut out);
    crate::output::stdout(&String::from_utf8_lossy(&out))?;
    Ok(ExitCode::SUCCESS)
}

/// Write man pages for wct and each subcommand into a folder (for `cargo xtask man`).
#[derive(clap::Args)]
pub struct ManArgs {
    /// The folder to write `wct.1`, `wct-validate.1`, ... into.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

pub fn man(args: ManArgs) -> Result<ExitCode> {
    std::fs::create_dir_all(&args.dir).into_diagnostic()?;
    let cmd = crate::Cli::command();
    write_page(&cmd, "wct", &args.dir)?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("wct-{}", sub.get_name());
        write_page(&sub.clone().name(name.clone()), &name, &args.dir)?;
        for nested in sub.get_subcommands() {
            let nested_name = format!("{name}-{}", nested.get_name());
            write_page(
                &nested.clone().name(nested_name.clone()),
                &nested_name,
                &args.dir,
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_page(cmd: &clap::Command, name: &str, dir: &std::path::Path) -> Result<()> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .into_diagnostic()?;
    wct_io::write_atomic(&dir.join(format!("{name}.1")), &out).map_err(miette::Report::new)
}
