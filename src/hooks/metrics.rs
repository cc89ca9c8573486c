//! Counters of the delivery worker, and the line it logs every `metrics_every` for operators
//! (there is no metrics endpoint yet): events written (by every node), deliveries pending and
//! due, the age of the oldest pending delivery, attempts by outcome.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Metrics {
    /// Attempts answered 2xx.
    pub succeeded: AtomicU64,
    /// Attempts that failed and will be retried.
    pub retried: AtomicU64,
    /// Attempts that failed for the last time: their delivery has failed.
    pub exhausted: AtomicU64,
    /// Attempts refused before connecting (an address hooks may not reach).
    pub refused: AtomicU64,
    /// Attempts in flight now, on this node.
    pub in_flight: AtomicU64,
}

impl Metrics {
    pub fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// (succeeded, retried, exhausted, refused) since the last call.
    pub fn take(&self) -> (u64, u64, u64, u64) {
        (
            self.succeeded.swap(0, Ordering::Relaxed),
            self.retried.swap(0, Ordering::Relaxed),
            self.exhausted.swap(0, Ordering::Relaxed),
            self.refused.swap(0, Ordering::Relaxed),
        )
    }
}
