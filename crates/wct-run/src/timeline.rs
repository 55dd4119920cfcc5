//! Milestones of one start (compiled, instantiated with what it committed, first call
//! returned), recorded by the run and invoke paths when [`crate::startup`] asks.

use crate::limits::MemoryLimiter;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Milestones of one start, recorded by the run and invoke paths when asked.
#[derive(Debug, Clone, Default)]
pub struct Timeline(Option<Arc<Mutex<Marks>>>);

/// The recorded milestones.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Marks {
    pub(crate) compiled: Option<Instant>,
    pub(crate) instantiated: Option<(Instant, MemoryLimiter)>,
    pub(crate) returned: Option<Instant>,
}

impl Timeline {
    /// A timeline that records.
    pub fn recording() -> Self {
        Timeline(Some(Arc::default()))
    }

    fn with(&self, f: impl FnOnce(&mut Marks)) {
        if let Some(marks) = &self.0 {
            f(&mut marks.lock().unwrap_or_else(|e| e.into_inner()));
        }
    }

    /// The code is compiled.
    pub(crate) fn compiled(&self) {
        self.with(|m| m.compiled = Some(Instant::now()));
    }

    /// Instantiation finished; `limiter` holds what it committed.
    pub(crate) fn instantiated(&self, limiter: &MemoryLimiter) {
        self.with(|m| m.instantiated = Some((Instant::now(), *limiter)));
    }

    /// The first call returned (later calls do not move the mark).
    pub(crate) fn returned(&self) {
        self.with(|m| {
            m.returned.get_or_insert_with(Instant::now);
        });
    }

    pub(crate) fn marks(&self) -> Marks {
        self.0
            .as_ref()
            .map(|m| *m.lock().unwrap_or_else(|e| e.into_inner()))
            .unwrap_or_default()
    }
}
