//! A progress line for work that may take more than a second: shown on stderr only when stderr
//! is a terminal and the work is still going after a second, erased when it ends. Silent in
//! pipes and CI logs, unless the caller gives a plain line for logs
//! ([`Progress::start_or_log`]).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long work runs before the line appears.
const DELAY: Duration = Duration::from_secs(1);

/// A running progress line; dropping it stops and erases the line.
pub struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// Starts showing `label... N.Ns` after a second, if `enabled` and stderr is a terminal.
    pub fn start(enabled: bool, label: String) -> Progress {
        Progress::start_or_log(enabled, label, None)
    }

    /// As [`start`](Progress::start) on a terminal; elsewhere (a pipe, a service's log),
    /// when `log_line` is given, prints it once as a plain line if the work is still going
    /// after a second, so a long silent start is explained in logs too.
    pub fn start_or_log(enabled: bool, label: String, log_line: Option<String>) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        if !enabled {
            return Progress { done, thread: None };
        }
        if !std::io::stderr().is_terminal() {
            let Some(line) = log_line else {
                return Progress { done, thread: None };
            };
            let flag = done.clone();
            let thread = std::thread::spawn(move || {
                let start = Instant::now();
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(50));
                    if start.elapsed() > DELAY {
                        eprintln!("{line}");
                        return;
                    }
                }
            });
            return Progress {
                done,
                thread: Some(thread),
            };
        }
        let flag = done.clone();
        let thread = std::thread::spawn(move || {
            let start = Instant::now();
            let mut shown = false;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if start.elapsed() > DELAY {
                    eprint!("\r{label}... {:.1}s", start.elapsed().as_secs_f64());
                    shown = true;
                }
            }
            if shown {
                eprint!("\r\x1b[2K");
            }
        });
        Progress {
            done,
            thread: Some(thread),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
