//! A face's JSON of the items of a shared page, made once per page rather than once per
//! request.
//!
//! A page the service keeps in a cache (a small subtree of organizations) is handed to every
//! request as the same `Arc`. Escaping its strings into JSON was a quarter of the instructions
//! of such a read; here the face renders each item once and later requests copy the bytes.
//!
//! An entry is keyed by the page's address and holds a `Weak` to it: while the `Weak` lives,
//! the allocation (and so the address) cannot be reused by another page, and once the cache
//! drops the page, the entry is known stale and is swept at the next rendering.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use serde_json::value::RawValue;

/// Each item of a page as JSON.
pub type Rendered = Arc<[Box<RawValue>]>;

pub struct Renderings<T> {
    entries: Mutex<HashMap<usize, Entry<T>>>,
}

struct Entry<T> {
    page: Weak<[T]>,
    items: Rendered,
}

impl<T> Renderings<T> {
    pub fn new() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The JSON of each item of `page`, rendered by `render` the first time this page is seen.
    /// Only for pages that are shared (kept in a cache): a page made for one request would be
    /// rendered, kept and swept for nothing.
    pub fn of(&self, page: &Arc<[T]>, render: impl Fn(&T) -> Box<RawValue>) -> Rendered {
        let key = Arc::as_ptr(page).cast::<T>() as usize;
        if let Some(entry) = self.lock().get(&key)
            && entry.page.strong_count() > 0
        {
            return entry.items.clone();
        }
        let items: Rendered = page.iter().map(render).collect();
        let mut entries = self.lock();
        entries.retain(|_, entry| entry.page.strong_count() > 0);
        entries.insert(
            key,
            Entry {
                page: Arc::downgrade(page),
                items: items.clone(),
            },
        );
        items
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<usize, Entry<T>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T> Default for Renderings<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn json(n: &u32) -> Box<RawValue> {
        serde_json::value::to_raw_value(n).unwrap()
    }

    #[test]
    fn a_page_is_rendered_once_while_it_lives() {
        let renderings = Renderings::new();
        let page: Arc<[u32]> = Arc::from(vec![1, 2]);
        let calls = AtomicUsize::new(0);
        let render = |n: &u32| {
            calls.fetch_add(1, Ordering::Relaxed);
            json(n)
        };
        let first = renderings.of(&page, render);
        let again = renderings.of(&page.clone(), render);
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(calls.load(Ordering::Relaxed), 2);
        assert_eq!(first[1].get(), "2");
    }

    #[test]
    fn another_page_is_rendered_anew_and_dropped_pages_are_swept() {
        let renderings = Renderings::new();
        let old: Arc<[u32]> = Arc::from(vec![1]);
        renderings.of(&old, json);
        drop(old);
        let new: Arc<[u32]> = Arc::from(vec![7]);
        assert_eq!(renderings.of(&new, json)[0].get(), "7");
        assert_eq!(renderings.lock().len(), 1);
    }
}
