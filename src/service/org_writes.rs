//! Writes of organizations that more than one use case makes: a leaf, so that the Xponent and
//! Surfsight use cases need not import each other.

use anyhow::Context;

use super::error::{Conflict, ServiceResult, on_unique};
use super::event_data;
use super::events::{Origin, event};
use crate::domain::events::EventType;
use crate::domain::{PublicId, now_millis};
use crate::store::{NewEvent, OrgRow, Tx, UniqueKey};

/// Inserts an organization named `name` below `parent` (the caller has authorized it) and
/// writes its creation event.
pub(crate) async fn insert_child_org(
    tx: &mut Tx,
    parent: &OrgRow,
    name: &str,
    origin: Origin<'_>,
) -> ServiceResult<OrgRow> {
    let now = now_millis();
    let id = tx
        .insert_org(
            &PublicId::new(),
            name,
            Some((parent.id, &parent.path)),
            &parent.region,
            now,
        )
        .await
        .map_err(|e| {
            on_unique(
                e,
                UniqueKey::OrganizationName,
                || Conflict::OrganizationName {
                    name: name.to_owned(),
                },
                "inserting an organization",
            )
        })?;
    let org = tx
        .exec()
        .org_by_id(id)
        .await
        .context("reading an organization just inserted")?
        .context("an organization just inserted is missing")?;
    tx.insert_event(org_event(origin, EventType::OrganizationCreated, &org), now)
        .await
        .context("writing an organization's creation event")?;
    Ok(org)
}

/// The event of a change to `org`, by `origin`.
pub(crate) fn org_event(origin: Origin<'_>, kind: EventType, org: &OrgRow) -> NewEvent {
    event(origin, kind, org.into(), event_data::organization(org))
}
