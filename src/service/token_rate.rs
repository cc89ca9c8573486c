//! Rate limits of Xponent `POST /token`, keyed by client address and by user (governor's
//! keyed GCRA limiters, lock-free on the hot path).
//!
//! The address is charged for every request, before anything is read: a client cannot make
//! the server read users and open sealed keys faster than its rate. The user is charged only
//! once its hash is proven: charged before, anyone who knows a user id could spend that
//! user's rate with wrong hashes and keep it from getting tokens; after, only the holder of
//! the secret key can, and what is bounded is how fast it fills the tokens table.

use std::hash::Hash;
use std::net::IpAddr;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::error::{ServiceError, ServiceResult};
use super::limits::Rate;

pub struct TokenRates {
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    per_user: DefaultKeyedRateLimiter<i64>,
}

fn quota(rate: Rate) -> Quota {
    let every = rate.per / rate.count.get();
    Quota::with_period(every)
        // A rate too fine for nanoseconds: as good as no limit, refill as fast as can be.
        .unwrap_or_else(|| Quota::with_period(std::time::Duration::from_nanos(1)).expect("1 ns"))
        .allow_burst(rate.count)
}

fn check<K: Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> ServiceResult<()> {
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        ServiceError::Throttled {
            retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
        }
    })
}

impl TokenRates {
    pub fn new(per_user: Rate, per_address: Rate) -> Self {
        Self {
            per_address: RateLimiter::keyed(quota(per_address)),
            per_user: RateLimiter::keyed(quota(per_user)),
        }
    }

    /// Charges a request from `address` (unknown addresses, in-process routers, are not
    /// limited).
    pub fn charge_address(&self, address: Option<IpAddr>) -> ServiceResult<()> {
        address.map_or(Ok(()), |address| check(&self.per_address, &address))
    }

    /// Charges a token for user `user_id` (its integer id).
    pub fn charge_user(&self, user_id: i64) -> ServiceResult<()> {
        check(&self.per_user, &user_id)
    }

    /// Forgets keys whose rate is full again; returns how many remain.
    pub fn prune(&self) -> usize {
        self.per_address.retain_recent();
        self.per_user.retain_recent();
        self.per_address.len() + self.per_user.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;
    use std::time::Duration;

    fn per_hour(count: u32) -> Rate {
        Rate {
            count: NonZeroU32::new(count).unwrap(),
            per: Duration::from_secs(3600),
        }
    }

    #[test]
    fn each_key_has_its_own_rate_and_a_refusal_says_when_to_retry() {
        let rates = TokenRates::new(per_hour(2), per_hour(3));
        assert!(rates.charge_user(1).is_ok());
        assert!(rates.charge_user(1).is_ok());
        let Err(ServiceError::Throttled { retry_after_secs }) = rates.charge_user(1) else {
            panic!("the third token of the hour is refused");
        };
        assert!((1..=1800).contains(&retry_after_secs), "{retry_after_secs}");
        assert!(rates.charge_user(2).is_ok());
        let address = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..3 {
            rates.charge_address(address).unwrap();
        }
        assert!(rates.charge_address(address).is_err());
        assert!(rates.charge_address(None).is_ok());
    }
}
