//! What the host tells the person running it while a guest runs or a server serves: denied
//! HTTP requests, the access log, failed requests, slots and instances. Everything goes
//! through an [`EventSink`], so an embedder can redirect, filter or silence it; the default
//! sink writes each event's [`Display`](std::fmt::Display) form to stderr.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// One thing that happened.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The guest sent an HTTP request to a destination that was not granted; it got the WASI
    /// error `HTTP-request-denied`.
    HttpRequestDenied {
        /// The host it asked for.
        host: &'a str,
        /// The port.
        port: u16,
    },
    /// A request was answered (any status): the access log.
    RequestAnswered {
        /// `PEER "METHOD PATH"`.
        request: &'a str,
        /// The status sent.
        status: u16,
        /// From accepting the request to sending the response head.
        elapsed: Duration,
    },
    /// A request's guest failed; the client got a 500 (or, when it failed after responding,
    /// a cut-off body).
    RequestFailed {
        /// `PEER "METHOD PATH"`.
        request: &'a str,
        /// The failure (`x-wct-error` class and message).
        failure: &'a Failure,
        /// Set when the guest had already responded: how long after the request arrived.
        after_response: Option<Duration>,
    },
    /// A request waits because every slot is busy.
    WaitingForSlot {
        /// `PEER "METHOD PATH"`.
        request: &'a str,
        /// The number of slots.
        slots: usize,
    },
    /// A request got a slot and starts running.
    RequestStarted {
        /// `PEER "METHOD PATH"`.
        request: &'a str,
        /// Slots in use, this one included.
        in_use: usize,
        /// The number of slots.
        slots: usize,
    },
    /// A reusable (WASI 0.3) instance was created.
    InstanceCreated {
        /// Its number, from 1.
        number: u64,
    },
    /// A reusable instance served its share and was dropped in good order.
    InstanceRetired {
        /// Its number.
        number: u64,
    },
    /// A reusable instance failed and was dropped; it gets no further request.
    InstanceDropped {
        /// Its number.
        number: u64,
        /// Why.
        failure: &'a Failure,
    },
}

/// The class of a request's failure, sent to the client in the `x-wct-error` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The guest trapped.
    Trap,
    /// `--timeout` stopped it.
    Timeout,
    /// It ran out of fuel.
    Fuel,
    /// A memory grew past `--max-memory`.
    Memory,
    /// It called `exit`.
    Exit,
    /// It returned without setting a response.
    NoResponse,
    /// It responded with a `wasi:http` error code.
    ErrorCode,
    /// The host failed (instantiation, I/O).
    Host,
}

impl FailureKind {
    /// The header value: `trap`, `timeout`, `fuel`, `memory`, `exit`, `no-response`,
    /// `error-code` or `host`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Trap => "trap",
            FailureKind::Timeout => "timeout",
            FailureKind::Fuel => "fuel",
            FailureKind::Memory => "memory",
            FailureKind::Exit => "exit",
            FailureKind::NoResponse => "no-response",
            FailureKind::ErrorCode => "error-code",
            FailureKind::Host => "host",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a request got no response from the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Its class.
    pub kind: FailureKind,
    /// What happened: the trap with its innermost frames, or the limit that stopped the guest.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Event<'_> {
    /// The line `wct serve` and `wct run` print for the event (without advice on flags).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::HttpRequestDenied { host, port } => {
                write!(f, "wct: denied the guest's HTTP request to {host}:{port}")
            }
            Event::RequestAnswered {
                request,
                status,
                elapsed,
            } => write!(f, "{request} {status} {:.1}ms", elapsed.as_secs_f64() * 1e3),
            Event::RequestFailed {
                request,
                failure,
                after_response: None,
            } => write!(f, "wct serve: {request}: {failure}"),
            Event::RequestFailed {
                request,
                failure,
                after_response: Some(after),
            } => write!(
                f,
                "wct serve: {request}: failed after responding ({:.1}ms): {failure}",
                after.as_secs_f64() * 1e3
            ),
            Event::WaitingForSlot { request, slots } => write!(
                f,
                "wct serve: {request}: waiting for a free slot (all {slots} in use)"
            ),
            Event::RequestStarted {
                request,
                in_use,
                slots,
            } => write!(
                f,
                "wct serve: {request}: started ({in_use} of {slots} slots in use)"
            ),
            Event::InstanceCreated { number } => write!(f, "wct serve: instance {number} created"),
            Event::InstanceRetired { number } => write!(f, "wct serve: instance {number} retired"),
            Event::InstanceDropped { number, failure } => write!(
                f,
                "wct serve: instance {number} dropped, never to be reused: {failure}"
            ),
        }
    }
}

/// Receives events. Called from the threads that run guests: keep it quick.
pub trait EventSink: Send + Sync {
    /// One event.
    fn event(&self, event: &Event<'_>);
}

/// A shared sink is a sink: the embedder keeps one handle, the engine another.
impl<T: EventSink + ?Sized> EventSink for Arc<T> {
    fn event(&self, event: &Event<'_>) {
        (**self).event(event);
    }
}

/// Writes each event's `Display` form to stderr, a line each.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stderr;

impl EventSink for Stderr {
    fn event(&self, event: &Event<'_>) {
        eprintln!("{event}");
    }
}

/// Drops every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl EventSink for Silent {
    fn event(&self, _event: &Event<'_>) {}
}

/// A shared handle on a sink, as the options of [`run`](crate::run()) and
/// [`serve`](crate::serve) hold it. The default writes to stderr.
#[derive(Clone)]
pub struct Events(Arc<dyn EventSink>);

impl Events {
    /// Events go to `sink`.
    pub fn new(sink: impl EventSink + 'static) -> Events {
        Events(Arc::new(sink))
    }

    /// Tells the sink about `event`.
    pub fn emit(&self, event: Event<'_>) {
        self.0.event(&event);
    }
}

impl Default for Events {
    fn default() -> Events {
        Events::new(Stderr)
    }
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Events")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Keeps every line.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<String>>);

    impl EventSink for Recorder {
        fn event(&self, event: &Event<'_>) {
            self.0.lock().unwrap().push(event.to_string());
        }
    }

    #[test]
    fn a_sink_receives_what_is_emitted_in_the_log_format() {
        let recorder = Arc::new(Recorder::default());
        let events = Events::new(recorder.clone());
        events.emit(Event::RequestAnswered {
            request: "127.0.0.1:5000 \"GET /\"",
            status: 200,
            elapsed: Duration::from_micros(1300),
        });
        let failure = Failure {
            kind: FailureKind::Trap,
            message: "the guest trapped: unreachable".into(),
        };
        events.emit(Event::InstanceDropped {
            number: 3,
            failure: &failure,
        });
        assert_eq!(
            *recorder.0.lock().unwrap(),
            [
                "127.0.0.1:5000 \"GET /\" 200 1.3ms",
                "wct serve: instance 3 dropped, never to be reused: the guest trapped: unreachable"
            ]
        );
    }
}
