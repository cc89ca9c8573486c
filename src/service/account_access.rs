//! Look-ups and checks shared by the Cloud Conformity account use cases (settings, Azure and
//! GCP accounts): a leaf, so that no use case imports another.

use anyhow::Context;

use super::actor::{Access, Actor};
use super::error::{Invalid, ServiceError, ServiceResult, TextField};
use super::event_data;
use super::events::{Origin, event};
use super::lookup::{parse_label, parse_name};
use crate::domain::events::EventType;
use crate::domain::text::MAX_TAGS;
use crate::domain::{Kind, PublicId};
use crate::store::{CloudAccountRow, Exec, NewEvent, RowLock, Tx};

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

/// `org_account` in a write transaction, the row locked (see `store::RowLock`): against a
/// concurrent change or deletion (`Update`), or against its deletion while rows that refer to
/// it are inserted (`KeyShare`).
pub(super) async fn org_account_locked(
    tx: &mut Tx,
    actor: &Actor,
    id: &PublicId,
    lock: RowLock,
) -> ServiceResult<CloudAccountRow> {
    tx.cloud_account_locked(id, lock)
        .await
        .with_context(|| format!("reading and locking cloud account {id}"))?
        .filter(|account| account.org_id == actor.org_id)
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::CloudAccount,
            id: id.to_string(),
        })
}

/// Checks an account's texts against the text rules; `None` is a member left as it is.
pub(super) fn check_account_texts(
    name: Option<&str>,
    environment: Option<&str>,
    tags: Option<&[String]>,
) -> ServiceResult<()> {
    if let Some(name) = name {
        parse_name(name, TextField::Name)?;
    }
    if let Some(environment) = environment {
        parse_label(environment, TextField::Environment)?;
    }
    if let Some(tags) = tags {
        if tags.len() > MAX_TAGS {
            return Err(ServiceError::Invalid(Invalid::TooMany {
                field: TextField::Tags,
                max: MAX_TAGS,
            }));
        }
        for tag in tags {
            parse_name(tag, TextField::Tags)?;
        }
    }
    Ok(())
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
