//! The audit log as a caller reads it: the events of its own subtree, filtered, newest first.

use std::collections::HashSet;

use anyhow::Context;
use serde_json::{Map, Value};

use super::Services;
use super::actor::{Access, Actor};
use super::error::ServiceResult;
use super::lookup::find_org;
use crate::domain::{Kind, Millis, PublicId};
use crate::store::{EventFilter, EventRow};

/// Which events of the actor's subtree a page holds.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Events of this organization and those below it.
    pub org: Option<PublicId>,
    /// Events of this type (see `EventType`).
    pub kind: Option<String>,
    /// Events made by this user or API key.
    pub actor: Option<PublicId>,
    /// Events at or after this time.
    pub since: Option<Millis>,
    /// Events before this time.
    pub until: Option<Millis>,
}

impl Services {
    /// At most `limit` events of the actor's subtree matching `query`, older than row
    /// `before`, newest first.
    pub async fn audit_events(
        &self,
        actor: &Actor,
        query: &AuditQuery,
        before: Option<i64>,
        limit: u32,
    ) -> ServiceResult<Vec<EventRow>> {
        let subtree = match &query.org {
            Some(id) => {
                let org = find_org(self.store.read(), id, Kind::Organization).await?;
                actor.authorize(Access::Read, &org.path, Kind::Organization, org.public_id)?;
                org.path
            }
            None => actor.org_path.clone(),
        };
        let filter = EventFilter {
            subtree: Some(subtree),
            kind: query.kind.clone(),
            since: query.since,
            until: query.until,
            actor: query.actor,
            before,
        };
        let rows = self
            .store
            .read()
            .events_page(&filter, i64::from(limit))
            .await
            .context("reading a page of the audit log")?;
        self.redacted(actor, rows).await
    }

    /// `rows` with what lies above the actor's organization left out: the ids of an actor
    /// of an organization outside the actor's subtree (an Owner above it, an operator's
    /// organization), and the parent of the actor's own organization.
    async fn redacted(
        &self,
        actor: &Actor,
        mut rows: Vec<EventRow>,
    ) -> ServiceResult<Vec<EventRow>> {
        let mut actor_orgs: Vec<PublicId> = rows
            .iter()
            .filter_map(|row| actor_org(&row.actor))
            .filter(|id| id.to_string() != actor.org_public_id)
            .collect();
        actor_orgs.sort();
        actor_orgs.dedup();
        let within: HashSet<String> = self
            .store
            .read()
            .orgs_by_public_ids(&actor_orgs)
            .await
            .context("reading the organizations of events' actors")?
            .into_iter()
            .filter(|org| org.path.is_within(&actor.org_path))
            .map(|org| org.public_id.to_string())
            .collect();
        for row in &mut rows {
            if let Some(org) = actor_org(&row.actor) {
                let org = org.to_string();
                if org != actor.org_public_id && !within.contains(&org) {
                    row.actor = outside_actor(&row.actor);
                }
            }
            if row.org_public_id == actor.org_public_id {
                row.data = without_parent(&row.data);
            }
        }
        Ok(rows)
    }
}

/// The organization of an event's actor, when it has one.
fn actor_org(actor: &str) -> Option<PublicId> {
    let value: Value = serde_json::from_str(actor).ok()?;
    PublicId::parse(value.get("organizationId")?.as_str()?)
}

/// An actor of an organization outside the reader's subtree: its kind and credential only.
fn outside_actor(actor: &str) -> String {
    let value: Value = serde_json::from_str(actor).unwrap_or(Value::Null);
    let mut kept = Map::new();
    for key in ["kind", "credential"] {
        if let Some(member) = value.get(key) {
            kept.insert(key.to_owned(), member.clone());
        }
    }
    kept.insert("outsideScope".to_owned(), Value::Bool(true));
    Value::Object(kept).to_string()
}

/// An event's data without the parent ids of the reader's own organization.
fn without_parent(data: &str) -> String {
    match serde_json::from_str::<Value>(data) {
        Ok(Value::Object(mut object)) => {
            for key in ["parentId", "previousParentId"] {
                if object.contains_key(key) {
                    object.insert(key.to_owned(), Value::Null);
                }
            }
            Value::Object(object).to_string()
        }
        _ => data.to_owned(),
    }
}
