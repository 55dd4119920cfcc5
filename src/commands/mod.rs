//! One module per subcommand; each defines its clap arguments and a `run` function.

mod adapt;
mod addr2line;
mod completions;
pub mod compose;
mod demangle;
mod diff;
mod embed;
mod inspect;
mod link;
mod metadata;
mod new;
mod parse;
mod print;
pub(crate) mod registry;
mod run;
pub(crate) mod sbom;
mod semver_check;
mod serve;
mod sign;
mod size;
mod strip;
mod targets;
mod unbundle;
mod validate;
mod virt;
pub mod wit;

use crate::report::GlobalOpts;
use clap::Subcommand;
use miette::Result;
use std::process::ExitCode;

/// The subcommands.
#[derive(Subcommand)]
pub enum Command {
    Validate(validate::Args),
    Inspect(inspect::Args),
    #[command(subcommand)]
    Metadata(metadata::MetadataCommand),
    Size(size::Args),
    Sbom(sbom::Args),
    Strip(strip::Args),
    Demangle(demangle::Args),
    Addr2line(addr2line::Args),
    Print(print::Args),
    Parse(parse::Args),
    Embed(embed::Args),
    New(new::Args),
    Adapt(adapt::Args),
    Link(link::Args),
    Unbundle(unbundle::Args),
    Targets(targets::Args),
    Run(run::Args),
    Serve(serve::Args),
    Compose(compose::Args),
    Virt(virt::Args),
    Diff(diff::Args),
    SemverCheck(semver_check::Args),
    Publish(registry::PublishArgs),
    Pull(registry::PullArgs),
    Sign(sign::SignArgs),
    Verify(sign::VerifyArgs),
    Completions(completions::Args),
    #[command(hide = true)]
    GenerateMan(completions::ManArgs),
    #[command(subcommand)]
    Wit(wit::WitCommand),
}

impl Command {
    /// Runs the subcommand; `Err` means a usage or input error (exit status 2).
    pub fn run(self, global: &GlobalOpts) -> Result<ExitCode> {
        match self {
            Command::Validate(args) => validate::run(args, global),
            Command::Inspect(args) => inspect::run(args, global),
            Command::Metadata(cmd) => cmd.run(global),
            Command::Size(args) => size::run(args, global),
            Command::Sbom(args) => sbom::run(args, global),
            Command::Strip(args) => strip::run(args, global),
            Command::Demangle(args) => demangle::run(args, global),
            Command::Addr2line(args) => addr2line::run(args, global),
            Command::Print(args) => print::run(args, global),
            Command::Parse(args) => parse::run(args, global),
            Command::Embed(args) => embed::run(args, global),
            Command::New(args) => new::run(args, global),
            Command::Adapt(args) => adapt::run(args, global),
            Command::Link(args) => link::run(args, global),
            Command::Unbundle(args) => unbundle::run(args, global),
            Command::Targets(args) => targets::run(args, global),
            Command::Run(args) => run::run(args, global),
            Command::Serve(args) => serve::run(args, global),
            Command::Compose(args) => compose::run(args, global),
            Command::Virt(args) => virt::run(args, global),
            Command::Diff(args) => diff::run(args, global),
            Command::SemverCheck(args) => semver_check::run(args, global),
            Command::Publish(args) => registry::publish(args, global),
            Command::Pull(args) => registry::pull(args, global),
            Command::Sign(args) => sign::sign(args, global),
            Command::Verify(args) => sign::verify(args, global),
            Command::Completions(args) => completions::run(args),
            Command::GenerateMan(args) => completions::man(args),
            Command::Wit(cmd) => cmd.run(global),
        }
    }
}

pub use crate::args::input::{read_wasm, read_wasm_owned};
