//! The organizations of an actor's subtree, a page at a time.

use std::sync::Arc;

use anyhow::Context;

use super::read_cache::ReadCache;
use super::records::Organization;
use super::{Actor, CACHED_SUBTREE_MAX, ServiceResult, Services};
use crate::domain::OrgPath;
use crate::store::Store;

const ORG_PAGE_SIZE: usize = 500;

/// The actor's organization and every organization below it, in path order (each parent
/// before its children), read a page at a time: each page is its own short read on the pool,
/// and nothing is held between pages. Pages are not one snapshot: an organization created,
/// moved or deleted while the list is read may or may not be in it. A subtree that fits in
/// one page is served from, and kept in, the subtree cache.
pub struct OrgPages {
    store: Store,
    root: OrgPath,
    /// The path of the last organization listed; `None` before the first page.
    after: Option<OrgPath>,
    done: bool,
    cache: Arc<ReadCache<i64, Arc<[Organization]>>>,
    /// The caller's organization (the cache key) and the store's change count when the list
    /// was asked for.
    org_id: i64,
    changes: u64,
    /// Whether the page last returned is the one the subtree cache keeps.
    shared: bool,
}

impl OrgPages {
    /// The next page (never empty), or `None` when every organization has been listed. A
    /// page is shared, not copied: a cached subtree is handed out as it is kept.
    pub async fn next_page(&mut self) -> ServiceResult<Option<Arc<[Organization]>>> {
        if self.done {
            return Ok(None);
        }
        let first = self.after.is_none();
        if first && let Some(orgs) = self.cache.get(&self.org_id, self.changes) {
            self.done = true;
            self.shared = true;
            return Ok(Some(orgs));
        }
        // Boxed: a cached subtree is the common case, and the read's future inline would
        // make every list's future kilobytes larger.
        let store = self.store.read();
        let rows = Box::pin(store.orgs_in_subtree_after(
            &self.root,
            self.after.as_ref(),
            ORG_PAGE_SIZE as i64,
        ))
        .await
        .context("reading a page of organizations")?;
        let Some(last) = rows.last() else {
            self.done = true;
            return Ok(None);
        };
        self.after = Some(last.path.clone());
        self.done = rows.len() < ORG_PAGE_SIZE;
        let orgs: Arc<[Organization]> = rows.into_iter().map(Organization::from).collect();
        self.shared = first && self.done && orgs.len() <= CACHED_SUBTREE_MAX;
        if self.shared {
            self.cache.insert(self.org_id, self.changes, orgs.clone());
        }
        Ok(Some(orgs))
    }

    /// Whether the page last returned is kept in the subtree cache, so that later lists of
    /// the same subtree get the very same `Arc` (until a change drops it): worth rendering
    /// once (`kit::renderings`).
    pub fn page_is_shared(&self) -> bool {
        self.shared
    }
}

impl Services {
    /// The actor's organization and every organization below it, page by page.
    pub fn list_orgs(&self, actor: &Actor) -> OrgPages {
        OrgPages {
            store: self.store.clone(),
            root: actor.org_path.clone(),
            after: None,
            done: false,
            cache: self.subtrees.clone(),
            org_id: actor.org_id,
            changes: self.store.changes(),
            shared: false,
        }
    }
}
