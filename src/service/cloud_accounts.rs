//! Cloud Conformity external IDs and the cloud accounts registered with them. An account is
//! registered with an external ID of its organisation: the organisation's singleton, or a
//! temporary one (valid one hour). The first account's external ID becomes the singleton.

use anyhow::Context;
use serde_json::json;

use super::account_access::{
    AccountReach, AccountsOrg, account_event, accounts_org, authorize_accounts,
    check_account_texts, lock_accounts_org, org_account, org_account_locked, reachable_account,
    reachable_account_locked,
};
use super::actor::{Access, Actor};
use super::error::{Invalid, ServiceError, ServiceResult};
use super::events::{Origin, event};
use super::records::{CloudAccount, ExternalId};
use super::{Services, ttl};
use crate::domain::aws::RoleArn;
use crate::domain::events::{EventType, rfc3339};
use crate::domain::{Kind, PublicId, now_millis};
use crate::store::{CloudAccountRow, NewCloudAccount, NewEvent, RowLock};

pub struct NewCloudAccountRequest<'a> {
    pub name: &'a str,
    pub environment: &'a str,
    pub tags: &'a [String],
    pub role_arn: &'a str,
    pub external_id: &'a str,
}

/// What `PATCH /accounts/{id}` may change; `None` keeps the value.
#[derive(Default)]
pub struct CloudAccountChanges {
    pub name: Option<String>,
    pub environment: Option<String>,
    pub tags: Option<Vec<String>>,
}

/// An external ID of `org`, made by `actor`: a temporary one (with its expiry) or, once its
/// first account is registered, the singleton.
fn external_id_event(
    actor: &Actor,
    org: &AccountsOrg,
    id: &str,
    valid_until: Option<i64>,
) -> NewEvent {
    event(
        Origin::Actor(actor),
        EventType::ExternalIdCreated,
        org.into(),
        json!({
            "id": id,
            "organizationId": org.public_id,
            "validUntil": valid_until.map(rfc3339),
            "singleton": valid_until.is_none(),
        }),
    )
}

/// External IDs are UUIDs: anything else names none, and is refused before it reaches a
/// query (a NUL byte would be a database error on PostgreSQL).
fn check_external_id_shape(text: &str) -> ServiceResult<()> {
    uuid::Uuid::try_parse(text).map(drop).map_err(|_| {
        ServiceError::Invalid(Invalid::ExternalId {
            value: text.to_owned(),
        })
    })
}

fn tags_json(tags: &[String]) -> String {
    serde_json::Value::from(tags).to_string()
}

/// Allows administering `account` (its organisation's accounts).
fn administer_account(actor: &Actor, account: &CloudAccountRow) -> ServiceResult<()> {
    authorize_accounts(
        actor,
        &account.org_path,
        &account.org_public_id.to_string(),
        Access::Administer,
    )
}

impl Services {
    /// The singleton external ID of organisation `org` of the actor's subtree (the actor's
    /// own when `None`); it exists once the organisation's first account does.
    pub async fn organisation_external_id(
        &self,
        actor: &Actor,
        org: Option<&PublicId>,
    ) -> ServiceResult<ExternalId> {
        let org = accounts_org(self.store.read(), actor, org, Access::Read).await?;
        let id = self
            .store
            .read()
            .org_external_id(org.id)
            .await
            .context("reading an organisation's external ID")?
            .ok_or_else(|| ServiceError::NotFound {
                kind: Kind::ExternalId,
                id: org.public_id.clone(),
            })?;
        // The singleton does not expire; clients are told not to cache it for long.
        Ok(ExternalId {
            id,
            valid_until: now_millis() + ttl::TEMPORARY_EXTERNAL_ID,
        })
    }

    /// Deletes temporary external IDs past their hour; returns how many.
    pub async fn purge_expired_external_ids(&self) -> ServiceResult<u64> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to purge external IDs")?;
        let purged = tx
            .delete_expired_external_ids(now_millis())
            .await
            .context("deleting expired external IDs")?;
        tx.commit()
            .await
            .context("committing the purge of external IDs")?;
        Ok(purged)
    }

    /// A temporary external ID of organisation `org` of the actor's subtree (the actor's own
    /// when `None`).
    pub async fn create_temporary_external_id(
        &self,
        actor: &Actor,
        org: Option<&PublicId>,
    ) -> ServiceResult<ExternalId> {
        let org = accounts_org(self.store.read(), actor, org, Access::Administer).await?;
        let id = uuid::Uuid::new_v4().to_string();
        let now = now_millis();
        let valid_until = now + ttl::TEMPORARY_EXTERNAL_ID;
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create an external ID")?;
        // The external ID refers to the organisation: it must not go meanwhile.
        lock_accounts_org(&mut tx, actor, &org, RowLock::KeyShare, Access::Administer).await?;
        tx.insert_external_id(&id, org.id, valid_until, now)
            .await
            .context("storing a temporary external ID")?;
        tx.insert_event(external_id_event(actor, &org, &id, Some(valid_until)), now)
            .await
            .context("writing an external ID's creation event")?;
        tx.commit()
            .await
            .context("committing a temporary external ID")?;
        Ok(ExternalId { id, valid_until })
    }

    /// Registers an account of organisation `org` of the actor's subtree (the actor's own
    /// when `None`), with an external ID of that organisation.
    pub async fn create_cloud_account(
        &self,
        actor: &Actor,
        org: Option<&PublicId>,
        request: NewCloudAccountRequest<'_>,
    ) -> ServiceResult<CloudAccount> {
        let org = accounts_org(self.store.read(), actor, org, Access::Administer).await?;
        check_account_texts(
            Some(request.name),
            Some(request.environment),
            Some(request.tags),
        )?;
        let role_arn = RoleArn::parse(request.role_arn).ok_or_else(|| {
            ServiceError::Invalid(Invalid::RoleArn {
                value: request.role_arn.to_owned(),
            })
        })?;
        check_external_id_shape(request.external_id)?;
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create a cloud account")?;
        // The organisation's row is locked first: the account refers to it, and the first
        // account sets its singleton external ID.
        lock_accounts_org(&mut tx, actor, &org, RowLock::Update, Access::Administer).await?;
        let singleton = tx
            .exec()
            .org_external_id(org.id)
            .await
            .context("reading an organisation's external ID")?;
        let known = singleton.as_deref() == Some(request.external_id)
            || tx
                .exec()
                .temporary_external_id_valid(org.id, request.external_id, now)
                .await
                .context("looking a temporary external ID up")?;
        if !known {
            return Err(ServiceError::Invalid(Invalid::ExternalId {
                value: request.external_id.to_owned(),
            }));
        }
        let public_id = PublicId::new();
        tx.insert_cloud_account(
            &NewCloudAccount {
                public_id: &public_id,
                org_id: org.id,
                name: request.name,
                environment: request.environment,
                tags: &tags_json(request.tags),
                aws_account_id: role_arn.account_id(),
                role_arn: role_arn.as_str(),
                external_id: request.external_id,
            },
            now,
        )
        .await
        .context("inserting a cloud account")?;
        tx.claim_external_id(org.id, request.external_id)
            .await
            .context("claiming an organisation's external ID")?;
        if singleton.is_none() {
            tx.insert_event(
                external_id_event(actor, &org, request.external_id, None),
                now,
            )
            .await
            .context("writing an external ID's creation event")?;
        }
        let account =
            reachable_account(tx.exec(), actor, &public_id, AccountReach::Subtree).await?;
        tx.insert_event(
            account_event(actor, EventType::CloudAccountCreated, &account),
            now,
        )
        .await
        .context("writing a cloud account's creation event")?;
        tx.commit().await.context("committing a cloud account")?;
        Ok(account.into())
    }

    /// The accounts of organisation `org` of the actor's subtree (the actor's own when
    /// `None`).
    pub async fn list_cloud_accounts(
        &self,
        actor: &Actor,
        org: Option<&PublicId>,
    ) -> ServiceResult<Vec<CloudAccount>> {
        let org = accounts_org(self.store.read(), actor, org, Access::Read).await?;
        let rows = self
            .store
            .read()
            .cloud_accounts_of_org(org.id)
            .await
            .context("reading an organisation's cloud accounts")?;
        Ok(rows.into_iter().map(CloudAccount::from).collect())
    }

    /// The account `id`, if the actor reaches it (see `AccountReach`).
    pub async fn get_cloud_account(
        &self,
        actor: &Actor,
        id: &PublicId,
        reach: AccountReach,
    ) -> ServiceResult<CloudAccount> {
        Ok(reachable_account(self.store.read(), actor, id, reach)
            .await?
            .into())
    }

    pub async fn update_cloud_account(
        &self,
        actor: &Actor,
        id: &PublicId,
        changes: CloudAccountChanges,
    ) -> ServiceResult<CloudAccount> {
        check_account_texts(
            changes.name.as_deref(),
            changes.environment.as_deref(),
            changes.tags.as_deref(),
        )?;
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to update a cloud account")?;
        let account = org_account_locked(&mut tx, actor, id, RowLock::Update).await?;
        administer_account(actor, &account)?;
        let tags = tags_json(changes.tags.as_deref().unwrap_or(&account.tags.0));
        let now = now_millis();
        tx.update_cloud_account(
            account.id,
            changes.name.as_deref().unwrap_or(&account.name),
            changes
                .environment
                .as_deref()
                .unwrap_or(&account.environment),
            &tags,
            now,
        )
        .await
        .context("updating a cloud account")?;
        let updated = org_account(tx.exec(), actor, id).await?;
        tx.insert_event(
            account_event(actor, EventType::CloudAccountUpdated, &updated),
            now,
        )
        .await
        .context("writing a cloud account's update event")?;
        tx.commit()
            .await
            .context("committing a cloud account's update")?;
        Ok(updated.into())
    }

    /// Deletes the account `id`, if the actor reaches it (see `AccountReach`) and administers
    /// its organisation's accounts.
    pub async fn delete_cloud_account(
        &self,
        actor: &Actor,
        id: &PublicId,
        reach: AccountReach,
    ) -> ServiceResult<()> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete a cloud account")?;
        let account = reachable_account_locked(&mut tx, actor, id, RowLock::Update, reach).await?;
        administer_account(actor, &account)?;
        tx.delete_cloud_account(account.id)
            .await
            .context("deleting a cloud account")?;
        tx.insert_event(
            account_event(actor, EventType::CloudAccountDeleted, &account),
            now_millis(),
        )
        .await
        .context("writing a cloud account's deletion event")?;
        tx.commit()
            .await
            .context("committing a cloud account's deletion")?;
        Ok(())
    }
}
