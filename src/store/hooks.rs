//! Hooks: endpoints of an organization, their sealed URL and secrets, the event types they
//! want, and the failing streak that disables them. Their deliveries are in `deliveries.rs`.

use sqlx::QueryBuilder;

use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::{Millis, PublicId};

pub struct NewHook<'a> {
    pub public_id: &'a PublicId,
    pub org_id: i64,
    pub url_sealed: &'a [u8],
    pub secret_sealed: &'a [u8],
    /// Empty: every type.
    pub types: &'a [String],
    pub include_descendants: bool,
    pub max_in_flight: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HookRow {
    pub id: i64,
    pub public_id: String,
    pub org_id: i64,
    pub org_public_id: String,
    pub org_path: String,
    pub url_sealed: Vec<u8>,
    pub secret_sealed: Vec<u8>,
    pub previous_secret_sealed: Option<Vec<u8>>,
    pub previous_secret_until: Option<Millis>,
    pub all_types: bool,
    pub include_descendants: bool,
    pub max_in_flight: i64,
    pub enabled: bool,
    pub failing_since: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A hook that has failed every attempt since `failing_since`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FailingHook {
    pub id: i64,
    pub failing_since: Millis,
}

/// The hook columns with the organization's public id and path, then `$tail` (a literal).
macro_rules! select_hook {
    ($tail:literal) => {
        concat!(
            "SELECT h.id, h.public_id, h.org_id, o.public_id AS org_public_id, ",
            "o.path AS org_path, h.url_sealed, h.secret_sealed, h.previous_secret_sealed, ",
            "h.previous_secret_until, h.all_types, h.include_descendants, h.max_in_flight, ",
            "h.enabled, h.failing_since, h.created_at, h.updated_at ",
            "FROM hooks h JOIN organizations o ON o.id = h.org_id ",
            $tail
        )
    };
}

const HOOK_BY_PUBLIC_ID: super::locks::LockingRead =
    super::locks::locking_read!(select_hook!("WHERE h.public_id = $1"), "h");
const HOOK_BY_ID: super::locks::LockingRead =
    super::locks::locking_read!(select_hook!("WHERE h.id = $1"), "h");

impl Tx {
    /// The hook `id`, read and locked (see `locks`) for the rest of the transaction.
    pub async fn hook_locked(
        &mut self,
        id: &PublicId,
        lock: super::RowLock,
    ) -> StoreResult<Option<HookRow>> {
        let sql = self.locking(&HOOK_BY_PUBLIC_ID, lock);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, HookRow>(sql)
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }

    /// The hook with integer id `id`, read and locked (see `locks`).
    pub async fn hook_by_id_locked(
        &mut self,
        id: i64,
        lock: super::RowLock,
    ) -> StoreResult<Option<HookRow>> {
        let sql = self.locking(&HOOK_BY_ID, lock);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, HookRow>(sql)
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }
}

impl Tx {
    pub async fn insert_hook(&mut self, hook: &NewHook<'_>, now: Millis) -> StoreResult<i64> {
        let id: i64 = on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO hooks (public_id, org_id, url_sealed, secret_sealed, all_types, \
                 include_descendants, max_in_flight, enabled, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8, $8) RETURNING id",
            )
            .bind(hook.public_id.to_string())
            .bind(hook.org_id)
            .bind(hook.url_sealed)
            .bind(hook.secret_sealed)
            .bind(hook.types.is_empty())
            .bind(hook.include_descendants)
            .bind(hook.max_in_flight)
            .bind(now)
            .fetch_one(c)
            .await?
        });
        if !hook.types.is_empty() {
            on_tx!(self, |c| {
                let mut query = QueryBuilder::new("INSERT INTO hook_event_types (hook_id, type) ");
                query.push_values(hook.types, |mut row, kind| {
                    row.push_bind(id).push_bind(kind.as_str());
                });
                query
                    .build()
                    .persistent(false)
                    .execute(c)
                    .await?
                    .rows_affected()
            });
        }
        Ok(id)
    }

    /// Points a hook at another URL (sealed) and makes `types` the event types it wants
    /// (empty: every type). Deliveries already written stay as they are.
    pub async fn retarget_hook(
        &mut self,
        id: i64,
        url_sealed: &[u8],
        types: &[String],
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE hooks SET url_sealed = $1, all_types = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(url_sealed)
            .bind(types.is_empty())
            .bind(now)
            .bind(id)
            .execute(&mut *c)
            .await?;
            sqlx::query("DELETE FROM hook_event_types WHERE hook_id = $1")
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        if !types.is_empty() {
            on_tx!(self, |c| {
                let mut query = QueryBuilder::new("INSERT INTO hook_event_types (hook_id, type) ");
                query.push_values(types, |mut row, kind| {
                    row.push_bind(id).push_bind(kind.as_str());
                });
                query
                    .build()
                    .persistent(false)
                    .execute(c)
                    .await?
                    .rows_affected()
            });
        }
        Ok(())
    }

    /// Makes `secret_sealed` the hook's secret; the one it replaces signs too until `until`.
    pub async fn rotate_hook_secret(
        &mut self,
        id: i64,
        secret_sealed: &[u8],
        previous_sealed: &[u8],
        until: Millis,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE hooks SET secret_sealed = $1, previous_secret_sealed = $2, \
                 previous_secret_until = $3, updated_at = $4 WHERE id = $5",
            )
            .bind(secret_sealed)
            .bind(previous_sealed)
            .bind(until)
            .bind(now)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Enables or disables a hook. Disabling fails its pending deliveries (they can be
    /// replayed); enabling forgets its failures.
    pub async fn set_hook_enabled(
        &mut self,
        id: i64,
        enabled: bool,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE hooks SET enabled = $1, failing_since = NULL, updated_at = $2 WHERE id = $3",
            )
            .bind(enabled)
            .bind(now)
            .bind(id)
            .execute(&mut *c)
            .await?;
            if !enabled {
                sqlx::query(
                    "UPDATE hook_deliveries SET status = 'failed', updated_at = $1 \
                     WHERE hook_id = $2 AND status = 'pending'",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *c)
                .await?;
            }
        });
        Ok(())
    }

    /// Deletes a hook with its deliveries and their log.
    pub async fn delete_hook(&mut self, id: i64) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("DELETE FROM hook_attempts WHERE hook_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM hooks WHERE id = $1")
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// A success clears the hook's failing streak.
    pub async fn hook_succeeded(&mut self, hook_id: i64) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE hooks SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL",
            )
            .bind(hook_id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// A failure at `at` starts the hook's failing streak unless one is running; returns the
    /// streak's start.
    pub async fn hook_failed(&mut self, hook_id: i64, at: Millis) -> StoreResult<Option<Millis>> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar::<_, Option<Millis>>(
                "UPDATE hooks SET failing_since = COALESCE(failing_since, $1) WHERE id = $2 \
                 RETURNING failing_since",
            )
            .bind(at)
            .bind(hook_id)
            .fetch_optional(c)
            .await?
            .flatten()
        }))
    }
}

impl Exec<'_> {
    pub async fn hook_by_public_id(self, id: &PublicId) -> StoreResult<Option<HookRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, HookRow>(select_hook!("WHERE h.public_id = $1"))
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn hook_by_id(self, id: i64) -> StoreResult<Option<HookRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, HookRow>(select_hook!("WHERE h.id = $1"))
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }

    /// The hook `id` when it belongs to the idOS credential `credential_id`.
    pub async fn idos_hook_of_credential(
        self,
        credential_id: i64,
        id: i64,
    ) -> StoreResult<Option<HookRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, HookRow>(select_hook!(
                "JOIN idos_hooks ih ON ih.hook_id = h.id WHERE h.id = $1 AND ih.credential_id = $2"
            ))
            .bind(id)
            .bind(credential_id)
            .fetch_optional(c)
            .await?
        }))
    }

    /// The hooks of these row ids (the worker's targets).
    pub async fn hooks_by_ids(self, ids: &[i64]) -> StoreResult<Vec<HookRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_exec!(self, |c| {
            let mut query = QueryBuilder::new(select_hook!("WHERE h.id IN ("));
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            query.push(")");
            query
                .build_query_as::<HookRow>()
                .persistent(ids.len() == 1)
                .fetch_all(c)
                .await?
        }))
    }

    /// Every hook, or those of one organization, in creation order.
    /// At most `limit` hooks (of the organization `org_id`, or of every one) after the hook
    /// `after` (its row id), in id order.
    pub async fn hooks_list(
        self,
        org_id: Option<i64>,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<HookRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, HookRow>(select_hook!(
                "WHERE ($1 IS NULL OR h.org_id = $1) AND h.id > $2 ORDER BY h.id LIMIT $3"
            ))
            .bind(org_id)
            .bind(after)
            .bind(limit)
            .fetch_all(c)
            .await?
        }))
    }

    /// The event types a hook subscribes to (empty: every type).
    pub async fn hook_types(self, hook_id: i64) -> StoreResult<Vec<String>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_scalar("SELECT type FROM hook_event_types WHERE hook_id = $1 ORDER BY type")
                .bind(hook_id)
                .fetch_all(c)
                .await?
        }))
    }

    /// Hooks of `ids` that are enabled and have failed every attempt since `cutoff` or earlier.
    pub async fn hooks_failing_since(
        self,
        ids: &[i64],
        cutoff: Millis,
    ) -> StoreResult<Vec<FailingHook>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_exec!(self, |c| {
            let mut query = QueryBuilder::new(
                "SELECT id, failing_since FROM hooks WHERE enabled AND failing_since <= ",
            );
            query.push_bind(cutoff);
            query.push(" AND id IN (");
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            query.push(")");
            query
                .build_query_as::<FailingHook>()
                .persistent(ids.len() == 1)
                .fetch_all(c)
                .await?
        }))
    }
}
