//! Building the event of a change (who made it, in which organization, what the resource is
//! now), and reading events back: the audit log (`orghub events`) and its retention.

use anyhow::Context;
use serde_json::{Value, json};

use super::Services;
use super::actor::Actor;
use super::error::ServiceResult;
use crate::domain::events::{EventType, rfc3339};
use crate::domain::{Millis, PublicId, now_millis};
use crate::store::{EventFilter, EventRow, NewEvent, OrgRow, UserRow};

/// Who made a change.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin<'a> {
    /// A request of a face, by this actor.
    Actor(&'a Actor),
    /// An operator command (`orghub …` on the server's database): no actor.
    Operator,
    /// orghub itself (a hook disabled after five days of failures).
    System,
}

impl Origin<'_> {
    /// The event's `actor` object: ids and the kind of credential, never a credential.
    fn actor_json(&self) -> Value {
        match self {
            Origin::Actor(actor) => {
                let mut object = json!({
                    "kind": if actor.user.is_some() { "user" } else { "organization" },
                    "organizationId": actor.org_public_id,
                    "credential": actor.token_kind.as_str(),
                });
                if let Some(user) = &actor.user {
                    object["userId"] = json!(user.public_id.to_string());
                }
                if let Some(key) = &actor.api_key_id {
                    object["apiKeyId"] = json!(key);
                }
                object
            }
            Origin::Operator => json!({ "kind": "operator" }),
            Origin::System => json!({ "kind": "system" }),
        }
    }

    fn request_id(&self) -> Option<String> {
        match self {
            Origin::Actor(actor) => actor.request_id.clone(),
            Origin::Operator | Origin::System => None,
        }
    }
}

/// The organization an event belongs to, as it is at the change.
#[derive(Debug, Clone)]
pub(crate) struct EventOrg {
    pub id: i64,
    pub public_id: String,
    pub path: String,
}

impl From<&OrgRow> for EventOrg {
    fn from(org: &OrgRow) -> Self {
        Self {
            id: org.id,
            public_id: org.public_id.to_string(),
            path: org.path.as_str().to_owned(),
        }
    }
}

impl From<&UserRow> for EventOrg {
    fn from(user: &UserRow) -> Self {
        Self {
            id: user.org_id,
            public_id: user.org_public_id.to_string(),
            path: user.org_path.as_str().to_owned(),
        }
    }
}

impl From<&Actor> for EventOrg {
    fn from(actor: &Actor) -> Self {
        Self {
            id: actor.org_id,
            public_id: actor.org_public_id.clone(),
            path: actor.org_path.as_str().to_owned(),
        }
    }
}

/// The event of a change: `data` is the resource after it (for a delete, what was deleted),
/// built by `event_data`, which never includes a secret.
pub(crate) fn event(origin: Origin<'_>, kind: EventType, org: EventOrg, data: Value) -> NewEvent {
    NewEvent {
        public_id: PublicId::new(),
        kind,
        org_id: org.id,
        org_public_id: org.public_id,
        org_path: org.path,
        actor: origin.actor_json().to_string(),
        request_id: origin.request_id(),
        data,
    }
}

/// An event as hooks receive it and `orghub events --json` prints it.
pub fn event_json(row: &EventRow) -> Value {
    json!({
        "id": row.public_id,
        "type": row.kind,
        "organizationId": row.org_public_id,
        "occurredAt": rfc3339(row.occurred_at),
        "actor": serde_json::from_str::<Value>(&row.actor).unwrap_or(Value::Null),
        "requestId": row.request_id,
        "data": serde_json::from_str::<Value>(&row.data).unwrap_or(Value::Null),
    })
}

/// How many events a page of `Services::events_page` holds.
pub const EVENT_PAGE_SIZE: i64 = 100;

/// What `orghub events` asks for.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub org: Option<PublicId>,
    pub kind: Option<String>,
    pub since: Option<Millis>,
}

/// Events before retention: 90 days unless the operator says otherwise.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// How many events one pruning statement deletes: a short write transaction each.
const PRUNE_BATCH: i64 = 5_000;

impl Services {
    /// A page of events, newest first: those older than the row `before` (the last of the
    /// previous page). An operator use case: no actor.
    pub async fn events_page(
        &self,
        query: &EventQuery,
        before: Option<i64>,
    ) -> ServiceResult<Vec<EventRow>> {
        let subtree = match &query.org {
            Some(id) => {
                let org = super::lookup::find_org(
                    self.store.read(),
                    id,
                    crate::domain::Kind::Organization,
                )
                .await?;
                Some(org.path)
            }
            None => None,
        };
        let filter = EventFilter {
            subtree,
            kind: query.kind.clone(),
            since: query.since,
            before,
            ..EventFilter::default()
        };
        Ok(self
            .store
            .read()
            .events_page(&filter, EVENT_PAGE_SIZE)
            .await
            .context("reading a page of events")?)
    }

    /// Deletes the events older than `retention_days`, with their deliveries and delivery
    /// log, a batch at a time; returns how many.
    pub async fn prune_events(&self, retention_days: u32) -> ServiceResult<u64> {
        let cutoff = now_millis() - i64::from(retention_days) * 24 * 60 * 60 * 1000;
        let mut total = 0;
        loop {
            let mut tx = self
                .store
                .begin_deliveries()
                .await
                .context("starting an events pruning")?;
            let deleted = tx
                .delete_events_before(cutoff, PRUNE_BATCH)
                .await
                .context("pruning old events")?;
            tx.commit().await.context("committing an events pruning")?;
            total += deleted;
            if deleted < PRUNE_BATCH as u64 {
                return Ok(total);
            }
        }
    }
}
