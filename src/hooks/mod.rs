//! The hook delivery engine: a worker, started by `orghub serve` beside the sweeper, that
//! delivers the deliveries the outbox holds (written with each event, see
//! `store/events.rs`): claimed from the database, POSTed signed, retried on Svix's
//! schedule, and recorded attempt by attempt. See docs/hooks.md.

mod address;
mod client;
mod clock;
mod metrics;
mod schedule;
mod worker;

pub use address::is_public;
pub use client::{Attempt, HANDSHAKE_TIMEOUT, HookClient};
pub use clock::{Clock, OffsetClock, SystemClock};
pub use metrics::Metrics;
pub use schedule::{MAX_ATTEMPTS, RETRY_DELAYS, next_delay};
pub use worker::{HookWorker, spawn};

use std::sync::Arc;
use std::time::Duration;

/// How the delivery worker runs.
#[derive(Clone)]
pub struct HookSettings {
    /// Lets hooks reach loopback, private and link-local addresses (local development, tests).
    pub allow_private: bool,
    /// An attempt that has no complete answer by then has failed.
    pub timeout: Duration,
    /// Attempts in flight at once, all hooks together.
    pub workers: usize,
    /// How long a claim holds a delivery: a worker that dies holding it leaves it to others
    /// this long. Longer than an attempt can take.
    pub lease: Duration,
    /// How often the worker looks for due deliveries without being woken (retries, and
    /// events committed by other processes or nodes).
    pub poll: Duration,
    /// How often the metrics line is logged.
    pub metrics_every: Duration,
    pub clock: Arc<dyn Clock>,
}

/// The lease of a claim for attempts of at most `timeout`: it outlasts an attempt twice over,
/// with ten seconds to record its outcome. A delivery whose worker died is made again when its
/// lease ends (40 s with the default timeout of 15 s).
pub fn lease_for(timeout: Duration) -> Duration {
    timeout * 2 + Duration::from_secs(10)
}

impl Default for HookSettings {
    fn default() -> Self {
        let timeout = Duration::from_secs(15);
        Self {
            allow_private: false,
            timeout,
            workers: 64,
            lease: lease_for(timeout),
            poll: Duration::from_millis(500),
            metrics_every: Duration::from_secs(60),
            clock: Arc::new(SystemClock),
        }
    }
}
