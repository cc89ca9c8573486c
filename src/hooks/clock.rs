//! The delivery worker's clock: when a delivery is due, when its lease ends, how long an
//! endpoint has been failing. Injectable, so tests move time instead of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use crate::domain::{Millis, now_millis};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Millis;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        now_millis()
    }
}

/// The system's clock moved forward by what `advance` added: for tests. Events keep the real
/// time, so a new event is due at once whatever the offset.
#[derive(Debug, Clone, Default)]
pub struct OffsetClock {
    offset: Arc<AtomicI64>,
}

impl OffsetClock {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset.fetch_add(by, Ordering::AcqRel);
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> Millis {
        now_millis() + self.offset.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_clock_moves_when_told() {
        let clock = OffsetClock::new();
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        let after = clock.now();
        assert!(after - before >= 3_600_000 && after - before < 3_660_000);
        // Clones share the offset: a test keeps one and gives the other to the worker.
        let clone = clock.clone();
        clone.advance(Duration::from_secs(60));
        assert!(clock.now() - before >= 3_660_000);
    }
}
