//! Hooks, their pending deliveries (the outbox) and the delivery log.
//!
//! A delivery is claimed by moving its `next_attempt_at` to the end of a lease and bumping its
//! `claims`: another worker (or node) takes it only once the lease has ended, which is how a
//! delivery whose worker died is delivered all the same. The one dialect difference of this
//! file: on PostgreSQL the claim skips rows another node is claiming (`FOR UPDATE SKIP
//! LOCKED`); on SQLite the claim runs in a write transaction, which no other writer shares.

use std::sync::Arc;

use sqlx::QueryBuilder;

use super::{Exec, Store, StoreResult, Tx, TxConn, on_exec, on_tx};
use crate::domain::{Millis, PublicId};

pub const DELIVERY_PENDING: &str = "pending";
pub const DELIVERY_SUCCEEDED: &str = "succeeded";
pub const DELIVERY_FAILED: &str = "failed";

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

/// A delivery a worker has claimed, until `lease_until`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub event_id: i64,
    pub hook_id: i64,
    /// Attempts made before this one in the current round.
    pub attempts: i64,
    pub claims: i64,
}

/// What became of one attempt, and of its delivery.
#[derive(Debug, Clone)]
pub struct DeliveryOutcome {
    pub delivery_id: i64,
    pub hook_id: i64,
    /// The claim the attempt was made under: a later claim's worker owns the delivery now.
    pub claims: i64,
    pub attempted_at: Millis,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub response: Option<String>,
    pub error: Option<String>,
    pub succeeded: bool,
    /// `DELIVERY_SUCCEEDED`, `DELIVERY_FAILED`, or `DELIVERY_PENDING` with the time of the
    /// next attempt.
    pub status: &'static str,
    pub next_attempt_at: Millis,
}

/// An attempt of the delivery log, with its event and its delivery's status.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: i64,
    pub event_public_id: String,
    pub event_type: String,
    pub delivery_status: String,
    pub attempted_at: Millis,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub response: Option<String>,
    pub error: Option<String>,
    pub succeeded: bool,
}

/// A hook that has failed every attempt since `failing_since`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FailingHook {
    pub id: i64,
    pub failing_since: Millis,
}

#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct PendingSummary {
    pub pending: i64,
    pub due: i64,
    pub oldest_created_at: Option<Millis>,
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

/// Claims up to $3 due deliveries of hook $1 at time $2, leased until $4.
macro_rules! claim_sql {
    ($lock:literal) => {
        concat!(
            "UPDATE hook_deliveries SET next_attempt_at = $4, claims = claims + 1, updated_at = $2 ",
            "WHERE id IN (SELECT id FROM hook_deliveries ",
            "WHERE hook_id = $1 AND status = 'pending' AND next_attempt_at <= $2 ",
            "ORDER BY next_attempt_at LIMIT $3",
            $lock,
            ") RETURNING id, event_id, hook_id, attempts, claims"
        )
    };
}

impl Store {
    /// Notified after each commit that wrote hook deliveries, in this process.
    pub fn hook_deliveries_written(&self) -> Arc<tokio::sync::Notify> {
        self.hooks_wake.clone()
    }

    /// A transaction for the delivery worker's bookkeeping: it writes nothing the service
    /// caches, so its commits leave cached reads valid (see `Store::begin_token_writes`).
    pub async fn begin_deliveries(&self) -> StoreResult<Tx> {
        self.begin_token_writes().await
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

    /// Claims up to `limit` deliveries of `hook_id` due at `now`, the oldest first, until
    /// `lease_until`.
    pub async fn claim_deliveries(
        &mut self,
        hook_id: i64,
        now: Millis,
        limit: i64,
        lease_until: Millis,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        let sql = match self.conn {
            TxConn::Sqlite(_) => claim_sql!(""),
            TxConn::Postgres(_) => claim_sql!(" FOR UPDATE SKIP LOCKED"),
        };
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, ClaimedDelivery>(sql)
                .bind(hook_id)
                .bind(now)
                .bind(limit)
                .bind(lease_until)
                .fetch_all(c)
                .await?
        }))
    }

    /// Writes the attempts to the log and moves their deliveries on (at most `MAX_ROWS`). A
    /// delivery claimed again since its attempt began keeps the newer claim's state.
    pub async fn record_outcomes(
        &mut self,
        outcomes: &[DeliveryOutcome],
        now: Millis,
    ) -> StoreResult<()> {
        if outcomes.is_empty() {
            return Ok(());
        }
        on_tx!(self, |c| {
            let mut query = QueryBuilder::new(
                "INSERT INTO hook_attempts (delivery_id, hook_id, attempted_at, status_code, \
                 latency_ms, response, error, succeeded) ",
            );
            query.push_values(outcomes, |mut row, o| {
                row.push_bind(o.delivery_id)
                    .push_bind(o.hook_id)
                    .push_bind(o.attempted_at)
                    .push_bind(o.status_code)
                    .push_bind(o.latency_ms)
                    .push_bind(o.response.as_deref())
                    .push_bind(o.error.as_deref())
                    .push_bind(o.succeeded);
            });
            query.build().persistent(false).execute(&mut *c).await?;
            // VALUES columns are column1, column2… on both databases. A delivery of a hook
            // disabled meanwhile is not retried.
            let mut query = QueryBuilder::new(
                "UPDATE hook_deliveries SET status = CASE WHEN v.column3 = 'pending' AND NOT EXISTS \
                 (SELECT 1 FROM hooks h WHERE h.id = hook_deliveries.hook_id AND h.enabled) \
                 THEN 'failed' ELSE v.column3 END, ",
            );
            query.push(
                "attempts = hook_deliveries.attempts + 1, next_attempt_at = v.column4, updated_at = ",
            );
            query.push_bind(now);
            query.push(" FROM (");
            query.push_values(outcomes, |mut row, o| {
                row.push_bind(o.delivery_id)
                    .push_bind(o.claims)
                    .push_bind(o.status)
                    .push_bind(o.next_attempt_at);
            });
            query.push(
                ") AS v WHERE hook_deliveries.id = v.column1 AND hook_deliveries.claims = v.column2",
            );
            query
                .build()
                .persistent(false)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Gives back claimed deliveries not attempted (a stopping worker's prefetched ones): due
    /// at `now` again, unless claimed since.
    pub async fn release_claims(&mut self, claims: &[(i64, i64)], now: Millis) -> StoreResult<()> {
        for &(id, claim) in claims {
            on_tx!(self, |c| {
                sqlx::query(
                    "UPDATE hook_deliveries SET next_attempt_at = $1 \
                     WHERE id = $2 AND claims = $3 AND status = 'pending'",
                )
                .bind(now)
                .bind(id)
                .bind(claim)
                .execute(c)
                .await?
                .rows_affected()
            });
        }
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

    /// Makes the delivery of `event_id` to `hook_id` due at `now`, as a new round of the retry
    /// schedule; false when there is no such delivery. An attempt in flight loses its claim:
    /// its outcome will not undo the replay.
    pub async fn replay_delivery(
        &mut self,
        hook_id: i64,
        event_id: i64,
        now: Millis,
    ) -> StoreResult<bool> {
        let replayed = on_tx!(self, |c| {
            sqlx::query(
                "UPDATE hook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, \
                 claims = claims + 1, \
                 updated_at = $1 WHERE hook_id = $2 AND event_id = $3",
            )
            .bind(now)
            .bind(hook_id)
            .bind(event_id)
            .execute(c)
            .await?
            .rows_affected()
        });
        if replayed > 0 {
            self.wakes_hooks = true;
        }
        Ok(replayed > 0)
    }

    /// Replays every failed delivery of the hook whose event occurred at or after `since`;
    /// returns how many.
    pub async fn replay_failed(
        &mut self,
        hook_id: i64,
        since: Millis,
        now: Millis,
    ) -> StoreResult<u64> {
        let replayed = on_tx!(self, |c| {
            sqlx::query(
                "UPDATE hook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, \
                 claims = claims + 1, \
                 updated_at = $1 WHERE hook_id = $2 AND status = 'failed' \
                 AND event_id IN (SELECT id FROM events WHERE occurred_at >= $3)",
            )
            .bind(now)
            .bind(hook_id)
            .bind(since)
            .execute(c)
            .await?
            .rows_affected()
        });
        if replayed > 0 {
            self.wakes_hooks = true;
        }
        Ok(replayed)
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
                .persistent(false)
                .fetch_all(c)
                .await?
        }))
    }

    /// Every hook, or those of one organization, in creation order.
    pub async fn hooks_list(self, org_id: Option<i64>) -> StoreResult<Vec<HookRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, HookRow>(select_hook!(
                "WHERE ($1 IS NULL OR h.org_id = $1) ORDER BY h.id"
            ))
            .bind(org_id)
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

    /// The hooks with deliveries due at `now`: (hook, how many of the first `limit` due
    /// deliveries are its, its `max_in_flight`). Hooks of `skip` (busy here) are left out.
    pub async fn hooks_with_due_deliveries(
        self,
        now: Millis,
        skip: &[i64],
        limit: i64,
    ) -> StoreResult<Vec<(i64, i64, i64)>> {
        Ok(on_exec!(self, |c| {
            let mut query = QueryBuilder::new(
                "SELECT due.hook_id, COUNT(*), MAX(h.max_in_flight) FROM \
                 (SELECT hook_id FROM hook_deliveries \
                 WHERE status = 'pending' AND next_attempt_at <= ",
            );
            query.push_bind(now);
            if !skip.is_empty() {
                query.push(" AND hook_id NOT IN (");
                let mut list = query.separated(", ");
                for id in skip {
                    list.push_bind(*id);
                }
                query.push(")");
            }
            query.push(" ORDER BY next_attempt_at LIMIT ");
            query.push_bind(limit);
            query.push(
                ") AS due JOIN hooks h ON h.id = due.hook_id WHERE h.enabled GROUP BY due.hook_id",
            );
            query
                .build_query_as::<(i64, i64, i64)>()
                .persistent(skip.is_empty())
                .fetch_all(c)
                .await?
        }))
    }

    /// The delivery log of a hook: up to `limit` attempts older than `before`, newest first.
    pub async fn hook_attempts(
        self,
        hook_id: i64,
        before: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<AttemptRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, AttemptRow>(
                "SELECT a.id, e.public_id AS event_public_id, e.type AS event_type, \
                 d.status AS delivery_status, a.attempted_at, a.status_code, a.latency_ms, \
                 a.response, a.error, a.succeeded \
                 FROM hook_attempts a JOIN hook_deliveries d ON d.id = a.delivery_id \
                 JOIN events e ON e.id = d.event_id \
                 WHERE a.hook_id = $1 AND ($2 IS NULL OR a.id < $2) ORDER BY a.id DESC LIMIT $3",
            )
            .bind(hook_id)
            .bind(before)
            .bind(limit)
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
                .persistent(false)
                .fetch_all(c)
                .await?
        }))
    }

    /// Pending deliveries, those of them due at `now`, and when the oldest was written.
    pub async fn pending_summary(self, now: Millis) -> StoreResult<PendingSummary> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, PendingSummary>(
                "SELECT COUNT(*) AS pending, \
                 COALESCE(SUM(CASE WHEN next_attempt_at <= $1 THEN 1 ELSE 0 END), 0) AS due, \
                 MIN(created_at) AS oldest_created_at \
                 FROM hook_deliveries WHERE status = 'pending'",
            )
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }
}
