//! Short-lived caches of hot reads (the actor of a bearer token, the user a `POST /token`
//! names, a small subtree), safe against revocation.
//!
//! An entry is served only while both hold:
//! - no change committed since the entry was read (`Store::changes` is still the count read
//!   *before* the query), so a user deleted or an organization moved takes effect on the very
//!   next request: a change of this process at once, one of another process (a second server,
//!   the CLI) as soon as the store hears of it (`store::changes`: at once on SQLite, on
//!   PostgreSQL when its notification arrives, a moment after the commit; nothing is served
//!   from a cache while the listener is not connected);
//! - it is younger than the time to live, a bound of last resort.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct ReadCache<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    time_to_live: Duration,
    capacity: usize,
}

struct Entry<V> {
    value: V,
    /// `Store::changes` when the value was read.
    changes: u64,
    read_at: Instant,
}

impl<K: Eq + Hash, V: Clone> ReadCache<K, V> {
    /// A cache of at most `capacity` entries; a zero `time_to_live` turns it off.
    pub fn new(time_to_live: Duration, capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            time_to_live,
            capacity,
        }
    }

    /// The value cached for `key`, if it is still valid with `changes` the store's count now.
    pub fn get(&self, key: &K, changes: u64) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(key)?;
        (entry.changes == changes && entry.read_at.elapsed() < self.time_to_live)
            .then(|| entry.value.clone())
    }

    /// Keeps `value`, read when the store's count was `changes`.
    pub fn insert(&self, key: K, changes: u64, value: V) {
        if self.time_to_live.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity {
            let time_to_live = self.time_to_live;
            entries.retain(|_, e| e.changes == changes && e.read_at.elapsed() < time_to_live);
            if entries.len() >= self.capacity {
                // Every entry is valid and the cache is full: start over rather than track
                // recency on every read.
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                value,
                changes,
                read_at: Instant::now(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(3600);

    #[test]
    fn serves_a_value_until_a_change_is_committed() {
        let cache = ReadCache::new(LONG, 10);
        cache.insert("k", 7, 1);
        assert_eq!(cache.get(&"k", 7), Some(1));
        assert_eq!(cache.get(&"k", 8), None);
    }

    #[test]
    fn a_value_read_before_a_change_is_never_served_after_it() {
        let cache = ReadCache::new(LONG, 10);
        // Read at count 7, stored after a change made the count 8.
        cache.insert("k", 7, 1);
        assert_eq!(cache.get(&"k", 8), None);
    }

    #[test]
    fn expires_after_its_time_to_live() {
        let cache = ReadCache::new(Duration::from_nanos(1), 10);
        cache.insert("k", 1, 1);
        std::thread::sleep(Duration::from_millis(1));
        assert_eq!(cache.get(&"k", 1), None);
    }

    #[test]
    fn a_zero_time_to_live_caches_nothing() {
        let cache = ReadCache::new(Duration::ZERO, 10);
        cache.insert("k", 1, 1);
        assert_eq!(cache.get(&"k", 1), None);
    }

    #[test]
    fn stays_within_its_capacity() {
        let cache = ReadCache::new(LONG, 3);
        for key in 0..10 {
            cache.insert(key, 1, key);
            assert!(cache.entries.lock().unwrap().len() <= 3);
        }
        assert_eq!(cache.get(&9, 1), Some(9));
    }

    #[test]
    fn a_full_cache_drops_stale_entries_first() {
        let cache = ReadCache::new(LONG, 2);
        cache.insert("old", 1, 1);
        cache.insert("kept", 2, 2);
        cache.insert("new", 2, 3);
        assert_eq!(cache.get(&"kept", 2), Some(2));
        assert_eq!(cache.get(&"new", 2), Some(3));
    }
}
