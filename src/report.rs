//! Global flags (colour, verbosity) and error rendering through miette.

use clap::{Args, ValueEnum};
use std::io::IsTerminal;

/// Exit status for a check that ran and failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit status for usage errors and unreadable or undecodable input.
pub const EXIT_USAGE: u8 = 2;

/// When to colour output.
#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub enum Color {
    /// Colour when the stream is a terminal and `NO_COLOR` is unset.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Flags accepted by every subcommand.
#[derive(Args, Debug)]
pub struct GlobalOpts {
    /// When to use colours in messages.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Print less: only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more: what was compiled and how (run, serve), each file's kind and size (validate),
    /// every import passed through to the host (compose).
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
}

impl GlobalOpts {
    /// Whether stdout text should be coloured.
    pub fn stdout_color(&self) -> bool {
        match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
            }
        }
    }

    /// Whether stderr messages should be coloured.
    pub fn stderr_color(&self) -> bool {
        match self.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
            }
        }
    }
}

/// Sets up miette's renderer for the chosen colour mode.
pub fn install(global: &GlobalOpts) {
    let color = global.stderr_color();
    let _ = miette::set_hook(Box::new(move |_| {
        let mut theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        theme.characters.error = "error:".into();
        Box::new(
            miette::MietteHandlerOpts::new()
                .graphical_theme(theme)
                .terminal_links(false)
                .width(100)
                .build(),
        )
    }));
}

/// Prints an error report on stderr: plain `error: ...` lines (with the cause chain and any
/// help) for messages, miette's graphical rendering for diagnostics that point into source.
/// A cause whose text the lines above already carry (many messages end in `: {cause}`) is not
/// repeated.
pub fn print_error(report: &miette::Report) {
    if report.labels().is_some() && report.source_code().is_some() {
        eprintln!("{report:?}");
        return;
    }
    let mut text = format!("error: {report}");
    for cause in report.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(&format!("\n  caused by: {cause}"));
        }
    }
    if let Some(help) = report.help() {
        text.push_str(&format!("\n  help: {help}"));
    }
    eprintln!("{text}");
}

/// A library crate's typed error as the CLI says it (`SUBJECT: ERROR` from [`about`], or
/// in the CLI's words from [`reworded`]), keeping the error's help, labels, source code and
/// cause chain.
#[derive(Debug)]
pub struct About<E> {
    text: String,
    error: E,
}

impl<E> std::fmt::Display for About<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl<E: std::error::Error> std::error::Error for About<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

impl<E: miette::Diagnostic> miette::Diagnostic for About<E> {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.error.code()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.error.help()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.error.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.error.labels()
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        self.error.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.error.diagnostic_source()
    }
}

/// The report for `error` about `subject`: `SUBJECT: ERROR`, the typed error kept.
pub fn about<E>(subject: impl std::fmt::Display, error: E) -> miette::Report
where
    E: miette::Diagnostic + Send + Sync + 'static,
{
    miette::Report::new(About {
        text: format!("{subject}: {error}"),
        error,
    })
}

/// `error` said in this CLI's words (the flag that gave a grant, where the engine names only
/// the grant): reads as `text`, and keeps the error's causes, help and labels.
pub fn reworded<E>(text: impl Into<String>, error: E) -> miette::Report
where
    E: miette::Diagnostic + Send + Sync + 'static,
{
    miette::Report::new(About {
        text: text.into(),
        error,
    })
}

/// A typed error with advice in terms of this CLI (the library names no flags or commands):
/// reads as the error does, with `help` under it.
#[derive(Debug)]
pub struct WithHelp<E> {
    error: E,
    help: String,
}

impl<E: std::fmt::Display> std::fmt::Display for WithHelp<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl<E: std::error::Error> std::error::Error for WithHelp<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
    }
}

impl<E: miette::Diagnostic> miette::Diagnostic for WithHelp<E> {
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.error.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.error.labels()
    }
}

/// The report for `error` with `help` added.
pub fn with_help<E>(error: E, help: String) -> miette::Report
where
    E: miette::Diagnostic + Send + Sync + 'static,
{
    miette::Report::new(WithHelp { error, help })
}

impl<E> WithHelp<E> {
    /// `error` with `help` under it, still a typed error: [`about`] takes it, so "FILE: this
    /// failed" and "help: do that" compose.
    pub fn new(error: E, help: impl Into<String>) -> Self {
        WithHelp {
            error,
            help: help.into(),
        }
    }
}
