//! How `wct run` and `wct serve` word what the engine reports: its typed errors and its
//! events, with advice in terms of this CLI's flags (the engine crate names none).

use wct_run::{CallError, Error, Event, EventSink, SpecKind};

/// The engine's error as the CLI shows it: grants and calls named by the flag that gave them
/// (the error kept, with its causes), any other error as it is.
pub fn host_error(err: Error) -> miette::Report {
    let text = match &err {
        Error::InvalidSpec {
            what,
            text,
            expected,
        } => format!("{} expects {expected}, got `{text}`", flag_of(*what)),
        Error::NotADirectory { path } => format!("--dir {}: not a directory", path.display()),
        // The system's reason follows as the cause.
        Error::CannotOpenDirectory { path, .. } => format!("cannot open --dir {}", path.display()),
        Error::NotAComponent { name } => format!(
            "{name}: not a component; `wct serve` needs a wasi:http/proxy (0.2) or \
             wasi:http/service (0.3) component"
        ),
        Error::NotHttpComponent { name, .. } => {
            let help = format!(
                "check it with `wct targets {name} --world wasi:http/proxy` or `--world \
                 wasi:http/service@0.3.0`"
            );
            return crate::report::with_help(err, help);
        }
        Error::NotACommand { name, exports } => {
            let http = exports.iter().any(|e| {
                e.starts_with("wasi:http/incoming-handler@") || e.starts_with("wasi:http/handler@")
            });
            let help = if http {
                format!("it is an HTTP component: serve it with `wct serve {name}`")
            } else if exports
                .iter()
                .any(|e| e.starts_with("function ") || !e.starts_with("wasi:"))
            {
                format!(
                    "call its functions with `wct run {name} --invoke 'NAME(ARGS)'` \
                     (arguments in WAVE, e.g. --invoke 'greet(\"Ada\")')"
                )
            } else {
                format!("check what it fits with `wct targets {name} --world wasi:cli/command`")
            };
            return crate::report::with_help(err, help);
        }
        Error::Call(CallError::Syntax { call, problem }) => {
            format!("invalid --invoke `{call}`: {problem}")
        }
        Error::Call(CallError::NeedsHandle { param }) => format!(
            "argument `{param}` is a resource: pass a handle returned by an earlier --invoke, \
             like #0"
        ),
        _ => return miette::Report::new(err),
    };
    crate::report::reworded(text, err)
}

/// An error of `wct run --invoke` on `name`: a call that cannot be made says which file it
/// was made on (`values.wat: no exported function ...`); other errors as [`host_error`].
pub fn invoke_error(name: &str, err: Error) -> miette::Report {
    match err {
        Error::Call(CallError::Syntax { .. } | CallError::NeedsHandle { .. }) => host_error(err),
        Error::Call(call) => crate::report::about(name, call),
        _ => host_error(err),
    }
}

/// The flag that grants what `kind` describes.
fn flag_of(kind: SpecKind) -> &'static str {
    match kind {
        SpecKind::Directory => "--dir",
        SpecKind::Address => "--net-allow",
        SpecKind::HttpDestination => "--allow-http",
    }
}

/// The engine's events as stderr lines: failures and denials always, the access log unless
/// `--quiet`, slots and instances with `--verbose`.
pub struct LogLines {
    /// One line per answered request.
    pub access_log: bool,
    /// Slots and instances as they come and go.
    pub verbose: bool,
}

impl EventSink for LogLines {
    fn event(&self, event: &Event<'_>) {
        let shown = match event {
            Event::HttpRequestDenied { host, port } => {
                eprintln!("{event} (grant it with --allow-http {host}:{port})");
                return;
            }
            Event::RequestFailed { .. } => true,
            Event::RequestAnswered { .. } => self.access_log,
            // Slots and instances coming and going.
            _ => self.verbose,
        };
        if shown {
            eprintln!("{event}");
        }
    }
}
