//! Look-ups and checks shared by the Cloud Conformity account use cases (settings, Azure and
//! GCP accounts): a leaf, so that no use case imports another.

use anyhow::Context;

use super::actor::{Access, Actor};
use super::error::{Invalid, ServiceError, ServiceResult, TextField};
use super::event_data;
use super::events::{EventOrg, Origin, event};
use super::lookup::{find_org, parse_label, parse_name};
use crate::domain::events::EventType;
use crate::domain::text::MAX_TAGS;
use crate::domain::{Kind, OrgPath, PublicId};
use crate::store::{CloudAccountRow, Exec, NewEvent, RowLock, Tx};

/// Which accounts a caller reaches by id: those of its own organisation (the Conformity face,
/// whose caller is one organisation), or those of every organisation of its subtree (the
/// native API). Another's are not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountReach {
    OwnOrganisation,
    Subtree,
}

fn reaches(actor: &Actor, reach: AccountReach, account: &CloudAccountRow) -> bool {
    match reach {
        AccountReach::OwnOrganisation => account.org_id == actor.org_id,
        AccountReach::Subtree => actor
            .authorize(
                Access::Read,
                &account.org_path,
                Kind::CloudAccount,
                account.public_id,
            )
            .is_ok(),
    }
}

fn account_not_found(id: &PublicId) -> ServiceError {
    ServiceError::NotFound {
        kind: Kind::CloudAccount,
        id: id.to_string(),
    }
}

/// The account `id`, if the actor reaches it (see `AccountReach`).
pub(super) async fn reachable_account(
    exec: Exec<'_>,
    actor: &Actor,
    id: &PublicId,
    reach: AccountReach,
) -> ServiceResult<CloudAccountRow> {
    exec.cloud_account_by_public_id(id)
        .await
        .context("reading cloud account by public id")?
        .filter(|account| reaches(actor, reach, account))
        .ok_or_else(|| account_not_found(id))
}

/// `reachable_account` in a write transaction, the row locked (see `store::RowLock`):
/// against a concurrent change or deletion (`Update`), or against its deletion while rows
/// that refer to it are inserted (`KeyShare`).
pub(super) async fn reachable_account_locked(
    tx: &mut Tx,
    actor: &Actor,
    id: &PublicId,
    lock: RowLock,
    reach: AccountReach,
) -> ServiceResult<CloudAccountRow> {
    tx.cloud_account_locked(id, lock)
        .await
        .with_context(|| format!("reading and locking cloud account {id}"))?
        .filter(|account| reaches(actor, reach, account))
        .ok_or_else(|| account_not_found(id))
}

/// The account `id` of the actor's own organisation; another organisation's is not found.
pub(super) async fn org_account(
    exec: Exec<'_>,
    actor: &Actor,
    id: &PublicId,
) -> ServiceResult<CloudAccountRow> {
    reachable_account(exec, actor, id, AccountReach::OwnOrganisation).await
}

/// `org_account` in a write transaction, the row locked (see `reachable_account_locked`).
pub(super) async fn org_account_locked(
    tx: &mut Tx,
    actor: &Actor,
    id: &PublicId,
    lock: RowLock,
) -> ServiceResult<CloudAccountRow> {
    reachable_account_locked(tx, actor, id, lock, AccountReach::OwnOrganisation).await
}

/// The organisation whose accounts a use case lists or adds to, and whose external IDs it
/// reads or makes.
pub(super) struct AccountsOrg {
    pub id: i64,
    pub public_id: String,
    pub path: OrgPath,
}

impl From<&AccountsOrg> for EventOrg {
    fn from(org: &AccountsOrg) -> Self {
        Self {
            id: org.id,
            public_id: org.public_id.clone(),
            path: org.path.as_str().to_owned(),
        }
    }
}

/// Allows `access` to the accounts of the organisation at `path`: it must be in the actor's
/// subtree (else it is not found, as any organisation out of reach), and administering them
/// takes an Owner.
pub(super) fn authorize_accounts(
    actor: &Actor,
    path: &OrgPath,
    org: &str,
    access: Access,
) -> ServiceResult<()> {
    actor.authorize(Access::Read, path, Kind::Organization, org)?;
    actor.authorize(access, path, Kind::CloudAccount, org)
}

/// The organisation `org` of the actor's subtree, or the actor's own when `None`, if the
/// actor has `access` to its accounts.
pub(super) async fn accounts_org(
    exec: Exec<'_>,
    actor: &Actor,
    org: Option<&PublicId>,
    access: Access,
) -> ServiceResult<AccountsOrg> {
    let target = match org {
        None => AccountsOrg {
            id: actor.org_id,
            public_id: actor.org_public_id.clone(),
            path: actor.org_path.clone(),
        },
        Some(id) => {
            let row = find_org(exec, id, Kind::Organization).await?;
            AccountsOrg {
                id: row.id,
                public_id: row.public_id.to_string(),
                path: row.path,
            }
        }
    };
    authorize_accounts(actor, &target.path, &target.public_id, access)?;
    Ok(target)
}

/// Locks `org`'s row for the rest of the transaction (see `store::RowLock`) and authorizes
/// `access` again on it as it is now: it may have moved since `accounts_org` read it.
pub(super) async fn lock_accounts_org(
    tx: &mut Tx,
    actor: &Actor,
    org: &AccountsOrg,
    lock: RowLock,
    access: Access,
) -> ServiceResult<()> {
    let row = tx
        .org_by_id_locked(org.id, lock)
        .await
        .with_context(|| format!("reading and locking organization {}", org.public_id))?
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::Organization,
            id: org.public_id.clone(),
        })?;
    authorize_accounts(actor, &row.path, &org.public_id, access)
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

/// The event of a change to `account` by `actor`, in the account's organisation.
pub(super) fn account_event(actor: &Actor, kind: EventType, account: &CloudAccountRow) -> NewEvent {
    let org = EventOrg {
        id: account.org_id,
        public_id: account.org_public_id.to_string(),
        path: account.org_path.as_str().to_owned(),
    };
    event(
        Origin::Actor(actor),
        kind,
        org,
        event_data::cloud_account(account),
    )
}
