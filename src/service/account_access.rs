//! Look-ups and checks shared by the Cloud Conformity account use cases (settings, Azure and
//! GCP accounts): a leaf, so that no use case imports another.

use anyhow::Context;

use super::actor::{Access, Actor};
use super::error::{ServiceError, ServiceResult};
use super::event_data;
use super::events::{Origin, event};
use crate::domain::events::EventType;
use crate::domain::{Kind, PublicId};
use crate::store::{CloudAccountRow, Exec, NewEvent};

/// The account `id` of the actor's own organisation; another organisation's is not found.
pub(super) async fn org_account(
    exec: Exec<'_>,
    actor: &Actor,
    id: &PublicId,
) -> ServiceResult<CloudAccountRow> {
    exec.cloud_account_by_public_id(id)
        .await
        .context("reading cloud account by public id")?
        .filter(|account| account.org_id == actor.org_id)
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::CloudAccount,
            id: id.to_string(),
        })
}

pub(super) fn administer_accounts(actor: &Actor) -> ServiceResult<()> {
    actor.authorize(
        Access::Administer,
        &actor.org_path,
        Kind::CloudAccount,
        &actor.org_public_id,
    )
}

/// The event of a change to `account` by `actor`.
pub(super) fn account_event(actor: &Actor, kind: EventType, account: &CloudAccountRow) -> NewEvent {
    event(
        Origin::Actor(actor),
        kind,
        actor.into(),
        event_data::cloud_account(account),
    )
}
