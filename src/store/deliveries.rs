//! Hook deliveries (the outbox) and the delivery log.
//!
//! A delivery is claimed by moving its `next_attempt_at` to the end of a lease and bumping its
//! `claims`: another worker (or node) takes it only once the lease has ended, which is how a
//! delivery whose worker died is delivered all the same. The one dialect difference of this
//! file: on PostgreSQL the claim skips rows another node is claiming (`FOR UPDATE SKIP
//! LOCKED`); on SQLite the claim runs in a write transaction, which no other writer shares.

use std::sync::Arc;

use sqlx::QueryBuilder;

use super::{Exec, Store, StoreResult, Tx, TxConn, on_exec, on_tx};
use crate::domain::Millis;

pub const DELIVERY_PENDING: &str = "pending";
pub const DELIVERY_SUCCEEDED: &str = "succeeded";
pub const DELIVERY_FAILED: &str = "failed";

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

#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct PendingSummary {
    pub pending: i64,
    pub due: i64,
    pub oldest_created_at: Option<Millis>,
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
            query
                .build()
                .persistent(outcomes.len() == 1)
                .execute(&mut *c)
                .await?;
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
                .persistent(outcomes.len() == 1)
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
