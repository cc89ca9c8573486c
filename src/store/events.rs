//! Events: the audit log and the outbox of hooks. An event is written in the transaction of
//! the change it describes, and with it one pending delivery per hook that wants it (the
//! fan-out), so a change, its event and its deliveries commit or roll back together.

use sqlx::QueryBuilder;

use super::{Exec, MAX_ROWS, StoreResult, Tx, on_exec, on_tx};
use crate::domain::events::EventType;
use crate::domain::{Millis, OrgPath, PublicId};

/// A domain event, written in the transaction of the change it describes.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub public_id: PublicId,
    pub kind: EventType,
    pub org_id: i64,
    pub org_public_id: String,
    /// The organization's path now: which hooks get the event, who may read it.
    pub org_path: String,
    /// A JSON object: who made the change (never a secret).
    pub actor: String,
    pub request_id: Option<String>,
    /// The resource after the change (for a delete, what was deleted); never a secret.
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub public_id: String,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub org_id: i64,
    pub org_public_id: String,
    pub org_path: String,
    pub actor: String,
    pub request_id: Option<String>,
    pub data: String,
    pub occurred_at: Millis,
}

/// What `Exec::events_page` lists.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Events of this organization and of those below it (by their paths at the time).
    pub subtree: Option<OrgPath>,
    pub kind: Option<String>,
    pub since: Option<Millis>,
    /// Only events before this time.
    pub until: Option<Millis>,
    /// Only events whose actor is this user or API key (a public id).
    pub actor: Option<PublicId>,
    /// Only events older than this one (row id): the next page.
    pub before: Option<i64>,
}

const EVENT_COLUMNS: &str = "SELECT id, public_id, type, org_id, org_public_id, org_path, actor, \
                             request_id, data, occurred_at FROM events";

/// One pending delivery for each enabled hook that wants an event of `ids`: a hook of the
/// event's organization, or of an organization above it when it includes descendants, that
/// takes every type or this one. Due at once (the event's time).
const FAN_OUT: &str = "INSERT INTO hook_deliveries \
     (event_id, hook_id, status, attempts, next_attempt_at, claims, created_at, updated_at) \
     SELECT e.id, h.id, 'pending', 0, e.occurred_at, 0, e.occurred_at, e.occurred_at \
     FROM events e JOIN hooks h ON h.enabled JOIN organizations o ON o.id = h.org_id \
     WHERE (h.org_id = e.org_id \
            OR (h.include_descendants AND substr(e.org_path, 1, length(o.path)) = o.path)) \
       AND (h.all_types OR EXISTS (SELECT 1 FROM hook_event_types t \
                                   WHERE t.hook_id = h.id AND t.type = e.type)) \
       AND e.id IN ";

impl Tx {
    pub async fn insert_event(&mut self, event: NewEvent, now: Millis) -> StoreResult<()> {
        self.insert_events(std::slice::from_ref(&event), now).await
    }

    /// Inserts the events in one statement (at most `MAX_ROWS`), then their deliveries in
    /// another.
    pub async fn insert_events(&mut self, events: &[NewEvent], now: Millis) -> StoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        debug_assert!(events.len() <= MAX_ROWS);
        let ids: Vec<i64> = on_tx!(self, |c| {
            let mut query = QueryBuilder::new(
                "INSERT INTO events (public_id, type, org_id, org_public_id, org_path, actor, \
                 request_id, data, occurred_at) ",
            );
            query.push_values(events, |mut row, event| {
                row.push_bind(event.public_id.to_string())
                    .push_bind(event.kind.as_str())
                    .push_bind(event.org_id)
                    .push_bind(event.org_public_id.as_str())
                    .push_bind(event.org_path.as_str())
                    .push_bind(event.actor.as_str())
                    .push_bind(event.request_id.as_deref())
                    .push_bind(event.data.to_string())
                    .push_bind(now);
            });
            query.push(" RETURNING id");
            query
                .build_query_scalar::<i64>()
                .persistent(events.len() == 1)
                .fetch_all(c)
                .await?
        });
        let fanned_out = on_tx!(self, |c| {
            let mut query = QueryBuilder::new(FAN_OUT);
            query.push("(");
            let mut list = query.separated(", ");
            for id in &ids {
                list.push_bind(*id);
            }
            query.push(")");
            query
                .build()
                .persistent(ids.len() == 1)
                .execute(c)
                .await?
                .rows_affected()
        });
        if fanned_out > 0 {
            self.wakes_hooks = true;
        }
        Ok(())
    }

    /// Deletes up to `limit` events that occurred before `cutoff`, with their deliveries and
    /// attempts; returns how many.
    pub async fn delete_events_before(&mut self, cutoff: Millis, limit: i64) -> StoreResult<u64> {
        Ok(on_tx!(self, |c| {
            sqlx::query(
                "DELETE FROM events WHERE id IN \
                 (SELECT id FROM events WHERE occurred_at < $1 ORDER BY occurred_at LIMIT $2)",
            )
            .bind(cutoff)
            .bind(limit)
            .execute(c)
            .await?
            .rows_affected()
        }))
    }
}

impl Exec<'_> {
    /// Up to `limit` events, newest first.
    pub async fn events_page(self, filter: &EventFilter, limit: i64) -> StoreResult<Vec<EventRow>> {
        Ok(on_exec!(self, |c| {
            let mut query = QueryBuilder::new(EVENT_COLUMNS);
            query.push(" WHERE 1 = 1");
            if let Some(root) = &filter.subtree {
                query
                    .push(" AND org_path >= ")
                    .push_bind(root.as_str().to_owned())
                    .push(" AND org_path < ")
                    .push_bind(root.subtree_upper_bound());
            }
            if let Some(kind) = &filter.kind {
                query.push(" AND type = ").push_bind(kind.clone());
            }
            if let Some(since) = filter.since {
                query.push(" AND occurred_at >= ").push_bind(since);
            }
            if let Some(until) = filter.until {
                query.push(" AND occurred_at < ").push_bind(until);
            }
            if let Some(actor) = &filter.actor {
                // The actor is compact JSON written by `Origin::actor_json`; a public id is
                // hex and hyphens, so it has no LIKE wildcard to escape.
                query
                    .push(" AND (actor LIKE ")
                    .push_bind(format!("%\"userId\":\"{actor}\"%"))
                    .push(" OR actor LIKE ")
                    .push_bind(format!("%\"apiKeyId\":\"{actor}\"%"))
                    .push(")");
            }
            if let Some(before) = filter.before {
                query.push(" AND id < ").push_bind(before);
            }
            query.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
            query
                .build_query_as::<EventRow>()
                .persistent(false)
                .fetch_all(c)
                .await?
        }))
    }

    /// The events of these row ids, in any order.
    pub async fn events_by_ids(self, ids: &[i64]) -> StoreResult<Vec<EventRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_exec!(self, |c| {
            let mut query = QueryBuilder::new(EVENT_COLUMNS);
            query.push(" WHERE id IN (");
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            query.push(")");
            query
                .build_query_as::<EventRow>()
                .persistent(ids.len() == 1)
                .fetch_all(c)
                .await?
        }))
    }

    pub async fn event_by_public_id(self, id: &PublicId) -> StoreResult<Option<EventRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, EventRow>(concat!(
                "SELECT id, public_id, type, org_id, org_public_id, org_path, actor, ",
                "request_id, data, occurred_at FROM events WHERE public_id = $1"
            ))
            .bind(id.to_string())
            .fetch_optional(c)
            .await?
        }))
    }

    /// How many events have a row id above `after`, and the highest row id (for the metrics
    /// line: events written since the last one, by every node).
    pub async fn events_after(self, after: i64) -> StoreResult<(i64, i64)> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, (i64, Option<i64>)>(
                "SELECT COUNT(*), MAX(id) FROM events WHERE id > $1",
            )
            .bind(after)
            .fetch_one(c)
            .await
            .map(|(n, max)| (n, max.unwrap_or(after)))?
        }))
    }
}
