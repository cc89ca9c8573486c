//! Sign-in throttling. Failed passwords are counted per account and per client address over a
//! sliding window; once a key has its limit of failures in the window, every attempt for it is
//! refused until the oldest failure ages out.
//!
//! Only failures count (a rate limiter such as governor charges every attempt), so a partner
//! back end that signs in often is never locked out by its own successes.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use crate::domain::Millis;

/// How long a failure is remembered.
pub const WINDOW: Millis = 15 * 60 * 1000;
/// Failures allowed per account within the window.
pub const ACCOUNT_LIMIT: usize = 10;
/// Failures allowed per client address within the window.
pub const ADDRESS_LIMIT: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(IpAddr),
}

impl Key {
    fn limit(&self) -> usize {
        match self {
            Self::Account(_) => ACCOUNT_LIMIT,
            Self::Address(_) => ADDRESS_LIMIT,
        }
    }
}

/// The keys one sign-in attempt is counted under.
pub struct Attempt {
    keys: Vec<Key>,
}

impl Attempt {
    /// `account` is the normalized email the attempt names; `address` the client's, if known.
    pub fn new(account: &str, address: Option<IpAddr>) -> Self {
        let mut keys = vec![Key::Account(account.to_owned())];
        keys.extend(address.map(Key::Address));
        Self { keys }
    }
}

#[derive(Default)]
pub struct SignInThrottle {
    failures: Mutex<HashMap<Key, VecDeque<Millis>>>,
}

impl SignInThrottle {
    /// Milliseconds until the attempt may be made, or `None` when it may be made now.
    pub fn wait(&self, attempt: &Attempt, now: Millis) -> Option<Millis> {
        let failures = self.failures.lock().expect("throttle lock");
        attempt
            .keys
            .iter()
            .filter_map(|key| {
                // Only the last `limit` failures are kept: the oldest of them decides.
                let times = failures.get(key)?;
                let oldest = *times.front()?;
                (times.len() >= key.limit() && now - oldest < WINDOW).then(|| oldest + WINDOW - now)
            })
            .max()
    }

    pub fn record_failure(&self, attempt: &Attempt, now: Millis) {
        let mut failures = self.failures.lock().expect("throttle lock");
        for key in &attempt.keys {
            let times = failures.entry(key.clone()).or_default();
            times.push_back(now);
            // Only the last `limit` failures can decide a wait.
            while times.len() > key.limit() {
                times.pop_front();
            }
        }
    }

    /// A successful sign-in clears its account's failures (not its address's).
    pub fn record_success(&self, attempt: &Attempt) {
        let mut failures = self.failures.lock().expect("throttle lock");
        for key in attempt.keys.iter().filter(|k| matches!(k, Key::Account(_))) {
            failures.remove(key);
        }
    }

    /// Forgets keys whose failures have all aged out; returns how many keys remain.
    pub fn prune(&self, now: Millis) -> usize {
        let mut failures = self.failures.lock().expect("throttle lock");
        failures.retain(|_, times| times.back().is_some_and(|last| now - last < WINDOW));
        failures.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDRESS: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn an_account_is_locked_after_its_limit_until_the_oldest_failure_ages_out() {
        let throttle = SignInThrottle::default();
        let attempt = Attempt::new("ada@acme.example", None);
        for i in 0..ACCOUNT_LIMIT as i64 {
            assert_eq!(throttle.wait(&attempt, 1_000 + i), None);
            throttle.record_failure(&attempt, 1_000 + i);
        }
        assert_eq!(throttle.wait(&attempt, 2_000), Some(1_000 + WINDOW - 2_000));
        assert_eq!(throttle.wait(&attempt, 1_000 + WINDOW), None);
        // Another account is not affected.
        assert_eq!(
            throttle.wait(&Attempt::new("bo@acme.example", None), 2_000),
            None
        );
    }

    #[test]
    fn an_address_is_locked_across_accounts() {
        let throttle = SignInThrottle::default();
        for i in 0..ADDRESS_LIMIT {
            let attempt = Attempt::new(&format!("user{i}@acme.example"), Some(ADDRESS));
            throttle.record_failure(&attempt, 10);
        }
        let fresh = Attempt::new("new@acme.example", Some(ADDRESS));
        assert_eq!(throttle.wait(&fresh, 20), Some(10 + WINDOW - 20));
        assert_eq!(
            throttle.wait(&Attempt::new("new@acme.example", None), 20),
            None
        );
    }

    #[test]
    fn success_clears_the_account_and_pruning_forgets_old_keys() {
        let throttle = SignInThrottle::default();
        let attempt = Attempt::new("ada@acme.example", Some(ADDRESS));
        for _ in 0..ACCOUNT_LIMIT - 1 {
            throttle.record_failure(&attempt, 5);
        }
        throttle.record_success(&attempt);
        throttle.record_failure(&attempt, 6);
        assert_eq!(throttle.wait(&attempt, 7), None);
        assert_eq!(throttle.prune(6 + WINDOW), 0);
    }
}
