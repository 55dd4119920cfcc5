//! Serving threads ("lanes"): one single-threaded tokio runtime per thread, each with its own
//! connections and its own instances (for WASI 0.3, its own instance pool).
//!
//! The acceptor hands each new connection to the lane with the fewest open connections; from
//! then on everything the connection needs — parsing, the guest's instance, the body streams
//! between them — runs on that lane's thread, so a request wakes no other thread. On two cores
//! this serves about a quarter more requests per second than one multi-threaded runtime whose
//! workers wake and steal from each other on every request (`cargo xtask bench serve`). A busy
//! guest still yields to the others on its lane every 100 ms (epoch interruption).

use super::{serve_connection, Backend, Shared};
use crate::error::Result;
use crate::error::{AtStep, HostStep};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::{mpsc, watch};

/// A connection on its way to a lane.
type Connection = (std::net::TcpStream, SocketAddr);

/// The serving threads.
pub(super) struct Lanes {
    lanes: Vec<Lane>,
}

/// One serving thread, seen from the acceptor.
struct Lane {
    connections: mpsc::UnboundedSender<Connection>,
    /// Connections handed to the lane and not yet closed.
    open: Arc<AtomicUsize>,
    thread: JoinHandle<()>,
}

impl Lanes {
    /// Starts `count` lanes, each serving with a backend from `backend`. A lane stops taking
    /// connections when `stop` turns true and ends once its connections have.
    pub(super) fn start(
        count: usize,
        shared: &Arc<Shared>,
        mut backend: impl FnMut() -> Backend,
        stop: &watch::Receiver<bool>,
    ) -> Result<Lanes> {
        let mut lanes = Vec::with_capacity(count);
        for number in 0..count.max(1) {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .at(HostStep::Runtime)?;
            let (sender, receiver) = mpsc::unbounded_channel();
            let open = Arc::new(AtomicUsize::new(0));
            let work = LaneWork {
                shared: shared.clone(),
                backend: Arc::new(backend()),
                open: open.clone(),
                stop: stop.clone(),
            };
            let thread = std::thread::Builder::new()
                .name(format!("wct-serve-{number}"))
                .spawn(move || runtime.block_on(work.serve(receiver)))
                .at(HostStep::Serve)?;
            lanes.push(Lane {
                connections: sender,
                open,
                thread,
            });
        }
        Ok(Lanes { lanes })
    }

    /// Hands `stream` to the lane with the fewest open connections (the first of equals).
    pub(super) fn dispatch(&self, stream: tokio::net::TcpStream, peer: SocketAddr) {
        // Small response chunks go out at once (a guest streaming events), not after the
        // previous segment's acknowledgement.
        let _ = stream.set_nodelay(true);
        let Ok(mut stream) = stream.into_std() else {
            return;
        };
        let mut order: Vec<&Lane> = self.lanes.iter().collect();
        order.sort_by_key(|lane| lane.open.load(Ordering::Relaxed));
        for lane in order {
            lane.open.fetch_add(1, Ordering::Relaxed);
            match lane.connections.send((stream, peer)) {
                Ok(()) => return,
                // The lane's thread is gone (it cannot panic in its own code, but be sure):
                // try the next.
                Err(mpsc::error::SendError((back, _))) => {
                    lane.open.fetch_sub(1, Ordering::Relaxed);
                    stream = back;
                }
            }
        }
    }

    /// Waits until every lane has finished its connections (call after `stop` turned true).
    pub(super) fn finish(self) {
        for lane in self.lanes {
            drop(lane.connections);
            let _ = lane.thread.join();
        }
    }
}

/// What a lane's thread runs.
struct LaneWork {
    shared: Arc<Shared>,
    backend: Arc<Backend>,
    open: Arc<AtomicUsize>,
    stop: watch::Receiver<bool>,
}

impl LaneWork {
    /// Serves the connections it receives until the acceptor hangs up, then lets the open
    /// ones finish (each finishes its request in flight once `stop` is true).
    async fn serve(self, mut incoming: mpsc::UnboundedReceiver<Connection>) {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                received = incoming.recv() => {
                    let Some((stream, peer)) = received else { break };
                    let Ok(stream) = tokio::net::TcpStream::from_std(stream) else {
                        self.open.fetch_sub(1, Ordering::Relaxed);
                        continue;
                    };
                    connections.spawn(serve_connection(
                        self.shared.clone(),
                        self.backend.clone(),
                        stream,
                        peer,
                        self.stop.clone(),
                    ));
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {
                    self.open.fetch_sub(1, Ordering::Relaxed);
                }
            }
        }
        while connections.join_next().await.is_some() {}
    }
}
