//! When a failed delivery is tried again: Svix's schedule (immediately, then 5 s, 5 min,
//! 30 min, 2 h, 5 h, 10 h and 10 h after each failure), each wait stretched by up to 10 % at
//! random so that deliveries failed together do not all come back together. After the eighth
//! failed attempt the delivery has failed (about 28 hours after its event).

use std::time::Duration;

/// The wait before each attempt after the first, which is made at once.
pub const RETRY_DELAYS: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// Attempts of a delivery before it has failed.
pub const MAX_ATTEMPTS: i64 = RETRY_DELAYS.len() as i64 + 1;

/// The most a wait is stretched: a tenth of it.
const JITTER: f64 = 0.1;

/// The wait before the next attempt after `attempts` failed attempts (this round), or `None`
/// when the delivery has failed. `jitter` is a random number in [0, 1).
pub fn next_delay(attempts: i64, jitter: f64) -> Option<Duration> {
    let index = usize::try_from(attempts.checked_sub(1)?).ok()?;
    let base = *RETRY_DELAYS.get(index)?;
    Some(base.mul_f64(1.0 + JITTER * jitter.clamp(0.0, 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_svix_s_with_up_to_ten_percent_more() {
        let secs = |attempts| next_delay(attempts, 0.0).map(|d| d.as_secs());
        let expected = [5, 300, 1800, 7200, 18000, 36000, 36000];
        for (attempts, want) in (1..).zip(expected) {
            assert_eq!(secs(attempts), Some(want), "after {attempts} attempts");
            let stretched = next_delay(attempts, 0.999).unwrap().as_secs_f64();
            assert!(stretched >= want as f64 && stretched < want as f64 * 1.1 + 0.001);
        }
        assert_eq!(secs(8), None, "eight attempts, then failed");
        assert_eq!(secs(0), None);
        assert_eq!(MAX_ATTEMPTS, 8);
        let total: u64 = expected.iter().sum();
        assert_eq!(total, 99_305, "about 27.6 hours from first to last attempt");
    }
}
