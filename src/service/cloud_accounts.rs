//! Cloud Conformity external IDs and the cloud accounts registered with them. An account is
//! registered with an external ID of its organisation: the organisation's singleton, or a
//! temporary one (valid one hour). The first account's external ID becomes the singleton.

use anyhow::Context;
use serde_json::json;

use super::account_access::{account_event, check_account_texts, org_account_locked};
use super::actor::{Access, Actor};
use super::error::{Invalid, ServiceError, ServiceResult};
use super::events::{Origin, event};
use super::lookup::lock_actor_org;
use super::records::{CloudAccount, ExternalId};
use super::{Services, ttl};
use crate::domain::aws::RoleArn;
use crate::domain::events::{EventType, rfc3339};
use crate::domain::{Kind, PublicId, now_millis};
use crate::store::{CloudAccountRow, Exec, NewCloudAccount, NewEvent, RowLock};

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

/// An external ID of the actor's organisation: a temporary one (with its expiry) or, once its
/// first account is registered, the singleton.
fn external_id_event(actor: &Actor, id: &str, valid_until: Option<i64>) -> NewEvent {
    event(
        Origin::Actor(actor),
        EventType::ExternalIdCreated,
        actor.into(),
        json!({
            "id": id,
            "organizationId": actor.org_public_id,
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

/// The account `id` of the actor's own organisation; another organisation's is not found.
async fn find_account(
    exec: Exec<'_>,
    actor: &Actor,
    id: &PublicId,
) -> ServiceResult<CloudAccountRow> {
    exec.cloud_account_by_public_id(id)
        .await
        .with_context(|| format!("reading cloud account {id}"))?
        .filter(|account| account.org_id == actor.org_id)
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::CloudAccount,
            id: id.to_string(),
        })
}

impl Services {
    fn administer_accounts(&self, actor: &Actor) -> ServiceResult<()> {
        actor.authorize(
            Access::Administer,
            &actor.org_path,
            Kind::CloudAccount,
            &actor.org_public_id,
        )
    }

    /// The organisation's singleton external ID; it exists once the first account does.
    pub async fn organisation_external_id(&self, actor: &Actor) -> ServiceResult<ExternalId> {
        let id = self
            .store
            .read()
            .org_external_id(actor.org_id)
            .await
            .context("reading an organisation's external ID")?
            .ok_or_else(|| ServiceError::NotFound {
                kind: Kind::ExternalId,
                id: actor.org_public_id.clone(),
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

    pub async fn create_temporary_external_id(&self, actor: &Actor) -> ServiceResult<ExternalId> {
        self.administer_accounts(actor)?;
        let id = uuid::Uuid::new_v4().to_string();
        let now = now_millis();
        let valid_until = now + ttl::TEMPORARY_EXTERNAL_ID;
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create an external ID")?;
        // The external ID refers to the organisation: it must not go meanwhile.
        lock_actor_org(&mut tx, actor, RowLock::KeyShare).await?;
        tx.insert_external_id(&id, actor.org_id, valid_until, now)
            .await
            .context("storing a temporary external ID")?;
        tx.insert_event(external_id_event(actor, &id, Some(valid_until)), now)
            .await
            .context("writing an external ID's creation event")?;
        tx.commit()
            .await
            .context("committing a temporary external ID")?;
        Ok(ExternalId { id, valid_until })
    }

    pub async fn create_cloud_account(
        &self,
        actor: &Actor,
        request: NewCloudAccountRequest<'_>,
    ) -> ServiceResult<CloudAccount> {
        self.administer_accounts(actor)?;
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
        lock_actor_org(&mut tx, actor, RowLock::Update).await?;
        let singleton = tx
            .exec()
            .org_external_id(actor.org_id)
            .await
            .context("reading an organisation's external ID")?;
        let known = singleton.as_deref() == Some(request.external_id)
            || tx
                .exec()
                .temporary_external_id_valid(actor.org_id, request.external_id, now)
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
                org_id: actor.org_id,
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
        tx.claim_external_id(actor.org_id, request.external_id)
            .await
            .context("claiming an organisation's external ID")?;
        if singleton.is_none() {
            tx.insert_event(external_id_event(actor, request.external_id, None), now)
                .await
                .context("writing an external ID's creation event")?;
        }
        let account = find_account(tx.exec(), actor, &public_id).await?;
        tx.insert_event(
            account_event(actor, EventType::CloudAccountCreated, &account),
            now,
        )
        .await
        .context("writing a cloud account's creation event")?;
        tx.commit().await.context("committing a cloud account")?;
        Ok(account.into())
    }

    pub async fn list_cloud_accounts(&self, actor: &Actor) -> ServiceResult<Vec<CloudAccount>> {
        let rows = self
            .store
            .read()
            .cloud_accounts_of_org(actor.org_id)
            .await
            .context("reading an organisation's cloud accounts")?;
        Ok(rows.into_iter().map(CloudAccount::from).collect())
    }

    pub async fn get_cloud_account(
        &self,
        actor: &Actor,
        id: &PublicId,
    ) -> ServiceResult<CloudAccount> {
        Ok(find_account(self.store.read(), actor, id).await?.into())
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
        self.administer_accounts(actor)?;
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
        let updated = find_account(tx.exec(), actor, id).await?;
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

    pub async fn delete_cloud_account(&self, actor: &Actor, id: &PublicId) -> ServiceResult<()> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete a cloud account")?;
        let account = org_account_locked(&mut tx, actor, id, RowLock::Update).await?;
        self.administer_accounts(actor)?;
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
