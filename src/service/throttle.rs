//! Sign-in throttling, after OWASP's authentication guidance: failures are counted per
//! (account, address) pair, per address, and per account, over a sliding window.
//!
//! - A pair with its limit of failures is refused: one address guesses one account slowly.
//! - An address with its limit is refused, whatever the account: one address sprays many.
//! - An account with its limit is refused to the addresses it has **not** signed in from (the
//!   soft limit): guesses spread over many addresses are bounded, yet the owner, from an
//!   address it signed in from before, is not locked out by someone else's failures.
//!
//! An attempt is counted **before** its password is checked (`reserve`), under one lock, so
//! parallel attempts cannot all pass a check made before any of them was counted; a success
//! takes its count back. Only failures count (a rate limiter such as governor charges every
//! attempt), so a partner back end that signs in often is never locked out by its successes.
//!
//! Keys are fixed-size: an account is the SHA-256 of its normalized email, an IPv6 address its
//! /64 (what one client usually holds). The map holds at most `max_keys` keys.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use super::limits::SignInLimits;
use crate::crypto;
use crate::domain::Millis;

type AccountKey = [u8; 32];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum AddressKey {
    V4([u8; 4]),
    /// The first 64 bits of an IPv6 address.
    V6([u8; 8]),
}

impl AddressKey {
    fn of(address: IpAddr) -> Self {
        match address {
            IpAddr::V4(v4) => Self::V4(v4.octets()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self::V4(v4.octets()),
                None => {
                    let mut prefix = [0; 8];
                    prefix.copy_from_slice(&v6.octets()[..8]);
                    Self::V6(prefix)
                }
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    /// `None` when the address is unknown (routers driven in-process).
    Pair(AccountKey, Option<AddressKey>),
    Address(AddressKey),
    Account(AccountKey),
}

#[derive(Default)]
struct Entry {
    /// The last failures, oldest first (at most the key's limit).
    failures: VecDeque<Millis>,
    /// For a pair: when the account last signed in from the address.
    signed_in_at: Option<Millis>,
}

impl Entry {
    fn last_seen(&self) -> Millis {
        self.failures
            .back()
            .copied()
            .max(self.signed_in_at)
            .unwrap_or(0)
    }
}

/// The keys one sign-in attempt is counted under.
pub struct Attempt {
    account: AccountKey,
    address: Option<AddressKey>,
}

impl Attempt {
    /// `account` is the normalized email the attempt names; `address` the client's, if known.
    pub fn new(account: &str, address: Option<IpAddr>) -> Self {
        Self {
            account: crypto::sha256(account.as_bytes()),
            address: address.map(AddressKey::of),
        }
    }

    fn pair(&self) -> Key {
        Key::Pair(self.account, self.address)
    }
}

/// An attempt counted as a failure until its password proves right.
#[must_use = "a reservation is a failure unless it is taken back"]
pub struct Reservation {
    at: Millis,
    keys: Vec<Key>,
}

pub struct SignInThrottle {
    limits: SignInLimits,
    entries: Mutex<HashMap<Key, Entry>>,
}

impl SignInThrottle {
    pub fn new(limits: SignInLimits) -> Self {
        Self {
            limits,
            entries: Mutex::default(),
        }
    }

    fn limit(&self, key: &Key) -> usize {
        match key {
            Key::Pair(..) => self.limits.per_pair,
            Key::Address(_) => self.limits.per_address,
            Key::Account(_) => self.limits.per_account,
        }
    }

    /// Counts the attempt as a failure now, or, when one of its keys is at its limit, refuses
    /// it with the milliseconds until it may be made.
    pub fn reserve(&self, attempt: &Attempt, now: Millis) -> Result<Reservation, Millis> {
        let mut entries = self.entries.lock().expect("throttle lock");
        let pair = attempt.pair();
        let known = entries
            .get(&pair)
            .and_then(|e| e.signed_in_at)
            .is_some_and(|at| now - at < self.limits.known_address_for);
        let mut keys = vec![pair];
        keys.extend(attempt.address.map(Key::Address));
        keys.push(Key::Account(attempt.account));
        let wait = keys
            .iter()
            // The account's limit is soft: an address it signed in from is not held to it.
            .filter(|key| !(known && matches!(key, Key::Account(_))))
            .filter_map(|key| {
                let failures = &entries.get(key)?.failures;
                let oldest = *failures.front()?;
                (failures.len() >= self.limit(key) && now - oldest < self.limits.window)
                    .then(|| oldest + self.limits.window - now)
            })
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        if entries.len() + keys.len() > self.limits.max_keys {
            self.make_room(&mut entries, now);
        }
        for key in &keys {
            let limit = self.limit(key);
            let failures = &mut entries.entry(*key).or_default().failures;
            failures.push_back(now);
            // Only the last `limit` failures can decide a wait.
            while failures.len() > limit {
                failures.pop_front();
            }
        }
        Ok(Reservation { at: now, keys })
    }

    /// The password was right: the attempt's failure is taken back, its pair's failures are
    /// cleared, and the address becomes known to the account. Failures of the account from
    /// other addresses stay: they may be someone else's guesses.
    pub fn succeeded(&self, reservation: Reservation, now: Millis) {
        let mut entries = self.entries.lock().expect("throttle lock");
        Self::take_back(&mut entries, &reservation);
        if let Some(pair) = reservation.keys.first() {
            let entry = entries.entry(*pair).or_default();
            entry.failures.clear();
            entry.signed_in_at = Some(now);
        }
    }

    /// Nothing was checked (the server was busy or failed): the attempt does not count.
    pub fn release(&self, reservation: Reservation) {
        let mut entries = self.entries.lock().expect("throttle lock");
        Self::take_back(&mut entries, &reservation);
    }

    fn take_back(entries: &mut HashMap<Key, Entry>, reservation: &Reservation) {
        for key in &reservation.keys {
            if let Some(entry) = entries.get_mut(key)
                && let Some(i) = entry.failures.iter().rposition(|&t| t == reservation.at)
            {
                entry.failures.remove(i);
            }
        }
    }

    /// Forgets keys with nothing left to decide; returns how many keys remain.
    pub fn prune(&self, now: Millis) -> usize {
        let mut entries = self.entries.lock().expect("throttle lock");
        self.forget_old(&mut entries, now);
        entries.len()
    }

    fn forget_old(&self, entries: &mut HashMap<Key, Entry>, now: Millis) {
        let (window, known_for) = (self.limits.window, self.limits.known_address_for);
        entries.retain(|_, entry| {
            if entry
                .failures
                .back()
                .is_some_and(|last| now - last >= window)
            {
                entry.failures.clear();
            }
            !entry.failures.is_empty() || entry.signed_in_at.is_some_and(|at| now - at < known_for)
        });
    }

    /// Called when the map is full: forgets what has aged out, then, if that is not enough,
    /// the tenth of the keys seen longest ago. Reaching it takes `max_keys` failures within a
    /// window, far more than the password gate lets through in one (see README).
    fn make_room(&self, entries: &mut HashMap<Key, Entry>, now: Millis) {
        self.forget_old(entries, now);
        if entries.len() + 3 <= self.limits.max_keys {
            return;
        }
        let mut seen: Vec<Millis> = entries.values().map(Entry::last_seen).collect();
        if seen.is_empty() {
            return;
        }
        let cut = seen.len() / 10;
        let (_, &mut threshold, _) = seen.select_nth_unstable(cut);
        entries.retain(|_, entry| entry.last_seen() > threshold);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const HOME: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    const ATTACKER: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));

    fn throttle() -> SignInThrottle {
        SignInThrottle::new(SignInLimits::default())
    }

    fn fail(throttle: &SignInThrottle, account: &str, address: IpAddr, at: Millis) {
        let _counted = throttle
            .reserve(&Attempt::new(account, Some(address)), at)
            .expect("not throttled yet");
    }

    #[test]
    fn a_pair_is_locked_after_its_limit_until_the_oldest_failure_ages_out() {
        let throttle = throttle();
        let limits = SignInLimits::default();
        for i in 0..limits.per_pair as i64 {
            fail(&throttle, "ada@acme.example", ATTACKER, 1_000 + i);
        }
        let attempt = Attempt::new("ada@acme.example", Some(ATTACKER));
        assert_eq!(
            throttle.reserve(&attempt, 2_000).err(),
            Some(1_000 + limits.window - 2_000)
        );
        assert!(throttle.reserve(&attempt, 1_000 + limits.window).is_ok());
    }

    #[test]
    fn parallel_attempts_are_counted_before_they_are_checked() {
        let throttle = throttle();
        let attempt = Attempt::new("ada@acme.example", Some(ATTACKER));
        let allowed = (0..40)
            .filter_map(|_| throttle.reserve(&attempt, 5).ok())
            .count();
        assert_eq!(allowed, SignInLimits::default().per_pair);
    }

    #[test]
    fn an_attacker_does_not_lock_the_owner_out_of_its_own_address() {
        let throttle = throttle();
        let owner = Attempt::new("ada@acme.example", Some(HOME));
        throttle.succeeded(throttle.reserve(&owner, 1).unwrap(), 1);
        // Guesses from many addresses, up to the account's soft limit and past it.
        for i in 0..40u8 {
            let address = IpAddr::V4(Ipv4Addr::new(10, 1, 0, i));
            for _ in 0..2 {
                let _ = throttle.reserve(&Attempt::new("ada@acme.example", Some(address)), 10);
            }
        }
        let stranger = Attempt::new("ada@acme.example", Some(ATTACKER));
        assert!(throttle.reserve(&stranger, 20).is_err());
        let reservation = throttle
            .reserve(&owner, 20)
            .expect("the owner's address is known");
        throttle.succeeded(reservation, 20);
    }

    #[test]
    fn an_address_is_locked_across_accounts() {
        let throttle = throttle();
        for i in 0..SignInLimits::default().per_address {
            fail(&throttle, &format!("user{i}@acme.example"), ATTACKER, 10);
        }
        let fresh = Attempt::new("new@acme.example", Some(ATTACKER));
        assert!(throttle.reserve(&fresh, 20).is_err());
        assert!(
            throttle
                .reserve(&Attempt::new("new@acme.example", Some(HOME)), 20)
                .is_ok()
        );
    }

    #[test]
    fn ipv6_addresses_are_counted_by_their_64_bit_prefix() {
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(AddressKey::of(a), AddressKey::of(b));
        assert_ne!(AddressKey::of(a), AddressKey::of(c));
        let mapped: IpAddr = "::ffff:10.0.0.2".parse().unwrap();
        assert_eq!(AddressKey::of(mapped), AddressKey::of(ATTACKER));
    }

    #[test]
    fn success_takes_its_count_back_and_release_forgets_the_attempt() {
        let throttle = throttle();
        let attempt = Attempt::new("ada@acme.example", Some(HOME));
        for _ in 0..SignInLimits::default().per_pair - 1 {
            fail(&throttle, "ada@acme.example", HOME, 5);
        }
        throttle.succeeded(throttle.reserve(&attempt, 6).unwrap(), 6);
        for _ in 0..SignInLimits::default().per_pair - 1 {
            fail(&throttle, "ada@acme.example", HOME, 7);
        }
        throttle.release(throttle.reserve(&attempt, 8).unwrap());
        assert!(throttle.reserve(&attempt, 9).is_ok());
    }

    #[test]
    fn keys_are_bounded_and_pruned() {
        let throttle = SignInThrottle::new(SignInLimits {
            max_keys: 30,
            ..SignInLimits::default()
        });
        for i in 0..100u8 {
            let address = IpAddr::V4(Ipv4Addr::new(10, 2, 0, i));
            fail(
                &throttle,
                &format!("user{i}@acme.example"),
                address,
                i64::from(i),
            );
        }
        let window = SignInLimits::default().window;
        assert!(throttle.prune(100) <= 30);
        assert_eq!(throttle.prune(100 + window), 0);
    }
}
