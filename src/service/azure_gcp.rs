//! Cloud Conformity Azure and GCP accounts, and what they are reached through: Azure active
//! directories (an application id and its key) and GCP organisations (a service account and
//! its key). The keys are sealed; no route shows them.

use anyhow::Context;
use serde_json::json;

use super::Services;
use super::account_access::{account_event, administer_accounts, check_account_texts, org_account};
use super::actor::Actor;
use super::conformity_records::{
    ActiveDirectory, ConformityAccount, GcpOrganisation, RegisteredAccount,
};
use super::error::{
    Conflict, Invalid, Registration, ServiceError, ServiceResult, TextField, on_unique,
};
use super::events::{Origin, event};
use super::lookup::{lock_actor_org, parse_name};
use crate::crypto::SealContext;
use crate::domain::events::EventType;
use crate::domain::{Kind, PublicId, now_millis};
use crate::store::{
    ActiveDirectoryRow, GcpOrganisationRow, NewActiveDirectory, NewCloudAccount,
    NewGcpOrganisation, RegisteredAccountRow, RowLock, Tx, UniqueKey,
};

pub struct NewActiveDirectoryRequest<'a> {
    pub name: &'a str,
    /// A GUID (its shape checked by the face).
    pub directory_id: &'a str,
    pub application_id: &'a str,
    pub application_key: &'a str,
}

pub struct NewGcpOrganisationRequest<'a> {
    pub service_account_name: &'a str,
    /// The key's `client_id`: the service account's unique id.
    pub service_account_unique_id: &'a str,
    /// The whole service-account key, JSON (its shape checked by the face).
    pub key_json: &'a str,
}

/// What every new account has, whatever its cloud.
pub struct NewAccountBasics<'a> {
    pub name: &'a str,
    pub environment: &'a str,
    pub tags: &'a [String],
}

pub struct NewAzureAccountRequest<'a> {
    pub basics: NewAccountBasics<'a>,
    pub subscription_id: &'a str,
    pub active_directory_id: &'a str,
}

pub struct NewGcpAccountRequest<'a> {
    pub basics: NewAccountBasics<'a>,
    pub project_id: &'a str,
    pub project_name: &'a str,
    pub service_account_unique_id: &'a str,
}

impl From<ActiveDirectoryRow> for ActiveDirectory {
    fn from(row: ActiveDirectoryRow) -> Self {
        Self {
            directory_id: row.directory_id,
            name: row.name,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

impl From<GcpOrganisationRow> for GcpOrganisation {
    fn from(row: GcpOrganisationRow) -> Self {
        Self {
            public_id: row.public_id,
            service_account_name: row.service_account_name,
            service_account_unique_id: row.service_account_unique_id,
            created_at: row.created_at,
        }
    }
}

impl From<RegisteredAccountRow> for RegisteredAccount {
    fn from(row: RegisteredAccountRow) -> Self {
        Self {
            cloud_id: row.cloud_id,
            name: row.name,
            created_at: row.created_at,
        }
    }
}

/// GUIDs are compared and kept unique without regard to case.
fn guid_key(guid: &str) -> String {
    guid.to_ascii_lowercase()
}

/// Checks what every new account has against the text rules.
fn check_basics(basics: &NewAccountBasics<'_>) -> ServiceResult<()> {
    check_account_texts(
        Some(basics.name),
        Some(basics.environment),
        Some(basics.tags),
    )
}

fn tags_json(tags: &[String]) -> String {
    serde_json::Value::from(tags).to_string()
}

/// Inserts the `cloud_accounts` row of a new Azure or GCP account (no role ARN or external
/// ID: those are AWS's); returns its id and public id.
async fn insert_account(
    tx: &mut Tx,
    actor: &Actor,
    basics: &NewAccountBasics<'_>,
    now: i64,
) -> ServiceResult<(i64, PublicId)> {
    let public_id = PublicId::new();
    let id = tx
        .insert_cloud_account(
            &NewCloudAccount {
                public_id: &public_id,
                org_id: actor.org_id,
                name: basics.name,
                environment: basics.environment,
                tags: &tags_json(basics.tags),
                aws_account_id: "",
                role_arn: "",
                external_id: "",
            },
            now,
        )
        .await
        .context("inserting a cloud account")?;
    Ok((id, public_id))
}

impl Services {
    /// Registers an Azure active directory; its application key is sealed.
    pub async fn create_active_directory(
        &self,
        actor: &Actor,
        request: NewActiveDirectoryRequest<'_>,
    ) -> ServiceResult<ActiveDirectory> {
        administer_accounts(actor)?;
        parse_name(request.name, TextField::Name)?;
        let key = guid_key(request.directory_id);
        let directory_id = uuid::Uuid::parse_str(&key).context("reading a checked directory id")?;
        let sealed = self
            .sealer
            .seal_str(
                request.application_key,
                SealContext::AzureApplicationKey {
                    org_id: actor.org_id,
                    directory_id,
                },
            )
            .context("sealing an application key")?;
        let now = now_millis();
        let mut tx = self.store.begin().await.context("starting a transaction")?;
        // Rows that refer to the organisation are inserted: it must not go meanwhile.
        lock_actor_org(&mut tx, actor, RowLock::KeyShare).await?;
        tx.insert_active_directory(
            &NewActiveDirectory {
                org_id: actor.org_id,
                name: request.name,
                directory_id: request.directory_id,
                directory_key: &key,
                application_id: request.application_id,
                application_key_sealed: &sealed,
            },
            now,
        )
        .await
        .map_err(|e| {
            on_unique(
                e,
                UniqueKey::ActiveDirectory,
                || Conflict::AlreadyRegistered {
                    what: Registration::ActiveDirectory,
                    value: request.directory_id.to_owned(),
                },
                "registering an active directory",
            )
        })?;
        let directory = tx
            .exec()
            .active_directory_by_key(actor.org_id, &key)
            .await
            .context("reading active directory by key")?
            .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("inserted above")))?;
        tx.insert_event(
            event(
                Origin::Actor(actor),
                EventType::AzureActiveDirectoryCreated,
                actor.into(),
                json!({ "id": directory.directory_id, "name": directory.name }),
            ),
            now,
        )
        .await
        .context("writing the event")?;
        tx.commit().await.context("committing")?;
        Ok(directory.into())
    }

    /// The subscriptions registered as accounts under an active directory of the actor's
    /// organisation.
    pub async fn active_directory_subscriptions(
        &self,
        actor: &Actor,
        directory_id: &str,
    ) -> ServiceResult<Vec<RegisteredAccount>> {
        let directory = self
            .store
            .read()
            .active_directory_by_key(actor.org_id, &guid_key(directory_id))
            .await
            .context("reading active directory by key")?
            .ok_or_else(|| ServiceError::NotFound {
                kind: Kind::ActiveDirectory,
                id: directory_id.to_owned(),
            })?;
        administer_accounts(actor)?;
        let rows = self
            .store
            .read()
            .subscriptions_of_directory(directory.id)
            .await
            .context("reading subscriptions of directory")?;
        Ok(rows.into_iter().map(RegisteredAccount::from).collect())
    }

    /// Registers an Azure subscription as an account, under an active directory of the
    /// organisation. A subscription is registered once per organisation.
    pub async fn create_azure_account(
        &self,
        actor: &Actor,
        request: NewAzureAccountRequest<'_>,
    ) -> ServiceResult<ConformityAccount> {
        administer_accounts(actor)?;
        check_basics(&request.basics)?;
        let now = now_millis();
        let mut tx = self.store.begin().await.context("starting a transaction")?;
        // The organisation (and with it the directory, which only its deletion removes) must
        // not go while the account is inserted.
        lock_actor_org(&mut tx, actor, RowLock::KeyShare).await?;
        let directory = tx
            .exec()
            .active_directory_by_key(actor.org_id, &guid_key(request.active_directory_id))
            .await
            .context("reading active directory by key")?
            .ok_or_else(|| {
                ServiceError::Invalid(Invalid::NotRegistered {
                    what: Registration::ActiveDirectory,
                    value: request.active_directory_id.to_owned(),
                })
            })?;
        let (id, public_id) = insert_account(&mut tx, actor, &request.basics, now).await?;
        tx.insert_azure_subscription(
            id,
            actor.org_id,
            directory.id,
            request.subscription_id,
            &guid_key(request.subscription_id),
        )
        .await
        .map_err(|e| {
            on_unique(
                e,
                UniqueKey::AzureSubscription,
                || Conflict::AlreadyRegistered {
                    what: Registration::AzureSubscription,
                    value: request.subscription_id.to_owned(),
                },
                "registering an Azure account",
            )
        })?;
        let account = org_account(tx.exec(), actor, &public_id).await?;
        tx.insert_event(
            account_event(actor, EventType::CloudAccountCreated, &account),
            now,
        )
        .await
        .context("writing the event")?;
        tx.commit().await.context("committing")?;
        self.conformity_account(actor, &public_id).await
    }

    /// Registers a GCP organisation: a service account and its key, sealed. A service account
    /// is registered once per organisation.
    pub async fn create_gcp_organisation(
        &self,
        actor: &Actor,
        request: NewGcpOrganisationRequest<'_>,
    ) -> ServiceResult<GcpOrganisation> {
        administer_accounts(actor)?;
        parse_name(request.service_account_name, TextField::ServiceAccountName)?;
        let public_id = PublicId::new();
        let sealed = self
            .sealer
            .seal_str(
                request.key_json,
                SealContext::GcpServiceAccountKey {
                    organisation: public_id.as_uuid(),
                },
            )
            .context("sealing a service account key")?;
        let now = now_millis();
        let mut tx = self.store.begin().await.context("starting a transaction")?;
        lock_actor_org(&mut tx, actor, RowLock::KeyShare).await?;
        tx.insert_gcp_organisation(
            &NewGcpOrganisation {
                public_id: &public_id,
                org_id: actor.org_id,
                service_account_name: request.service_account_name,
                service_account_unique_id: request.service_account_unique_id,
                key_sealed: &sealed,
            },
            now,
        )
        .await
        .map_err(|e| {
            on_unique(
                e,
                UniqueKey::GcpServiceAccount,
                || Conflict::AlreadyRegistered {
                    what: Registration::GcpServiceAccount,
                    value: request.service_account_unique_id.to_owned(),
                },
                "registering a GCP organisation",
            )
        })?;
        let organisation = tx
            .exec()
            .gcp_organisation_by_public_id(&public_id)
            .await
            .context("reading GCP organisation by public id")?
            .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("inserted above")))?;
        tx.insert_event(
            event(
                Origin::Actor(actor),
                EventType::GcpOrganisationCreated,
                actor.into(),
                json!({ "id": organisation.public_id.to_string(), "name": organisation.service_account_name }),
            ),
            now,
        )
        .await
        .context("writing the event")?;
        tx.commit().await.context("committing")?;
        Ok(organisation.into())
    }

    /// The projects registered as accounts through a GCP organisation of the actor's
    /// organisation.
    pub async fn gcp_organisation_projects(
        &self,
        actor: &Actor,
        id: &PublicId,
    ) -> ServiceResult<Vec<RegisteredAccount>> {
        let organisation = self
            .store
            .read()
            .gcp_organisation_by_public_id(id)
            .await
            .context("reading GCP organisation by public id")?
            .filter(|organisation| organisation.org_id == actor.org_id)
            .ok_or_else(|| ServiceError::NotFound {
                kind: Kind::GcpOrganisation,
                id: id.to_string(),
            })?;
        administer_accounts(actor)?;
        let rows = self
            .store
            .read()
            .projects_of_gcp_organisation(organisation.id)
            .await
            .context("reading projects of GCP organisation")?;
        Ok(rows.into_iter().map(RegisteredAccount::from).collect())
    }

    /// Registers a GCP project as an account, reached through the service account of a GCP
    /// organisation of the organisation. A project is registered once per organisation.
    pub async fn create_gcp_account(
        &self,
        actor: &Actor,
        request: NewGcpAccountRequest<'_>,
    ) -> ServiceResult<ConformityAccount> {
        administer_accounts(actor)?;
        check_basics(&request.basics)?;
        parse_name(request.project_name, TextField::ProjectName)?;
        let now = now_millis();
        let mut tx = self.store.begin().await.context("starting a transaction")?;
        // The organisation (and with it the GCP organisation, which only its deletion
        // removes) must not go while the account is inserted.
        lock_actor_org(&mut tx, actor, RowLock::KeyShare).await?;
        let organisation = tx
            .exec()
            .gcp_organisation_by_unique_id(actor.org_id, request.service_account_unique_id)
            .await
            .context("reading GCP organisation by unique id")?
            .ok_or_else(|| {
                ServiceError::Invalid(Invalid::NotRegistered {
                    what: Registration::GcpServiceAccount,
                    value: request.service_account_unique_id.to_owned(),
                })
            })?;
        let (id, public_id) = insert_account(&mut tx, actor, &request.basics, now).await?;
        tx.insert_gcp_project(
            id,
            actor.org_id,
            organisation.id,
            request.project_id,
            request.project_name,
        )
        .await
        .map_err(|e| {
            on_unique(
                e,
                UniqueKey::GcpProject,
                || Conflict::AlreadyRegistered {
                    what: Registration::GcpProject,
                    value: request.project_id.to_owned(),
                },
                "registering a GCP account",
            )
        })?;
        let account = org_account(tx.exec(), actor, &public_id).await?;
        tx.insert_event(
            account_event(actor, EventType::CloudAccountCreated, &account),
            now,
        )
        .await
        .context("writing the event")?;
        tx.commit().await.context("committing")?;
        self.conformity_account(actor, &public_id).await
    }
}
