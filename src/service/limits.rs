//! The limits a server puts on guessing and on costly work. `Limits::default()` is what
//! `orghub serve` uses unless told otherwise; tests give small ones instead of waiting for a
//! window to pass.

use std::num::NonZeroU32;
use std::time::Duration;

use crate::domain::Millis;

#[derive(Debug, Clone)]
pub struct Limits {
    pub sign_in: SignInLimits,
    /// Password hashes and verifications running at once (`crypto::PasswordGate`); `None`
    /// for one per core.
    pub password_concurrency: Option<usize>,
    /// How long a request waits for a password permit before it is refused as busy.
    pub password_wait: Duration,
    /// Xponent `POST /token`: owner tokens per user, counted once the hash is proven.
    pub tokens_per_user: Rate,
    /// Xponent `POST /token`: requests per client address, counted before anything is read.
    pub tokens_per_address: Rate,
}

/// Failed sign-ins remembered per (account, address) pair, per address and per account over a
/// sliding window (see `throttle`).
#[derive(Debug, Clone, Copy)]
pub struct SignInLimits {
    pub window: Millis,
    /// Failures of one account from one address: past it, that pair is refused.
    pub per_pair: usize,
    /// Failures from one address, whatever the accounts: past it, the address is refused.
    pub per_address: usize,
    /// Failures of one account from every address: past it, the account is refused to the
    /// addresses it has not signed in from (the soft limit); its known addresses are not.
    pub per_account: usize,
    /// How long an address that signed in to an account stays known to it.
    pub known_address_for: Millis,
    /// The most keys the throttle remembers (see `throttle`).
    pub max_keys: usize,
}

/// So many events per period, all of them allowed at once (the burst is the count).
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub count: NonZeroU32,
    pub per: Duration,
}

impl Rate {
    /// `count` a second.
    pub const fn per_second(count: NonZeroU32) -> Self {
        Self {
            count,
            per: Duration::from_secs(1),
        }
    }
}

const MINUTE: Millis = 60 * 1000;

impl Default for SignInLimits {
    fn default() -> Self {
        Self {
            window: 15 * MINUTE,
            per_pair: 10,
            per_address: 50,
            per_account: 20,
            known_address_for: 30 * 24 * 60 * MINUTE,
            max_keys: 200_000,
        }
    }
}

/// The default token rates: far above what one user or address needs, and above the ~30,000
/// tokens a second the benchmark asks of one user over loopback, so that they bound a flood
/// without throttling it; operators lower them with `orghub serve` flags.
pub const DEFAULT_TOKENS_PER_SECOND: NonZeroU32 = NonZeroU32::new(100_000).unwrap();

impl Default for Limits {
    fn default() -> Self {
        Self {
            sign_in: SignInLimits::default(),
            password_concurrency: None,
            password_wait: Duration::from_secs(2),
            tokens_per_user: Rate::per_second(DEFAULT_TOKENS_PER_SECOND),
            tokens_per_address: Rate::per_second(DEFAULT_TOKENS_PER_SECOND),
        }
    }
}
