//! What Cloud Conformity keeps of an account beyond its `cloud_accounts` row: the Azure
//! subscription or GCP project it is, its Bot settings and its rule settings; and the Azure
//! active directories and GCP organisations (service accounts) Azure and GCP accounts are
//! reached through.

use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::{Millis, PublicId};

/// The cloud and Bot settings of one account. An account with neither an Azure subscription
/// nor a GCP project is an AWS account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountCloudRow {
    pub account_id: i64,
    pub subscription_id: Option<String>,
    /// The active directory's id as it was given.
    pub active_directory_id: Option<String>,
    pub project_id: Option<String>,
    pub project_name: Option<String>,
    pub service_account_unique_id: Option<String>,
    /// The Bot settings, a JSON object.
    pub bot: Option<String>,
}

macro_rules! select_cloud {
    ($tail:literal) => {
        concat!(
            "SELECT a.id AS account_id, s.subscription_id, d.directory_id AS active_directory_id, ",
            "p.project_id, p.project_name, g.service_account_unique_id, b.bot ",
            "FROM cloud_accounts a ",
            "LEFT JOIN azure_subscriptions s ON s.account_id = a.id ",
            "LEFT JOIN azure_active_directories d ON d.id = s.active_directory_id ",
            "LEFT JOIN gcp_projects p ON p.account_id = a.id ",
            "LEFT JOIN gcp_organisations g ON g.id = p.gcp_organisation_id ",
            "LEFT JOIN cloud_account_bot_settings b ON b.account_id = a.id ",
            $tail
        )
    };
}

/// A configured rule setting of an account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleSettingRow {
    pub account_id: i64,
    pub rule_id: String,
    /// The `ruleSetting` object, JSON.
    pub setting: String,
    pub note: Option<String>,
    pub noted_by: Option<String>,
    pub updated_at: Millis,
}

macro_rules! select_rules {
    ($tail:literal) => {
        concat!(
            "SELECT r.account_id, r.rule_id, r.setting, r.note, r.noted_by, r.updated_at ",
            "FROM cloud_account_rule_settings r ",
            $tail
        )
    };
}

/// An Azure active directory, without its sealed application key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActiveDirectoryRow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub directory_id: String,
    pub application_id: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

pub struct NewActiveDirectory<'a> {
    pub org_id: i64,
    pub name: &'a str,
    pub directory_id: &'a str,
    /// `directory_id` lower-cased.
    pub directory_key: &'a str,
    pub application_id: &'a str,
    pub application_key_sealed: &'a [u8],
}

/// A GCP organisation, without its sealed service-account key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GcpOrganisationRow {
    pub id: i64,
    pub public_id: String,
    pub org_id: i64,
    pub service_account_name: String,
    pub service_account_unique_id: String,
    pub created_at: Millis,
}

pub struct NewGcpOrganisation<'a> {
    pub public_id: &'a PublicId,
    pub org_id: i64,
    pub service_account_name: &'a str,
    pub service_account_unique_id: &'a str,
    pub key_sealed: &'a [u8],
}

macro_rules! select_gcp_organisation {
    ($tail:literal) => {
        concat!(
            "SELECT id, public_id, org_id, service_account_name, service_account_unique_id, ",
            "created_at FROM gcp_organisations ",
            $tail
        )
    };
}

/// An account registered under an active directory or a GCP organisation, as those list them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegisteredAccountRow {
    /// The subscription id or the project id.
    pub cloud_id: String,
    /// The account's name, or the project's name.
    pub name: String,
    pub created_at: Millis,
}

impl Exec<'_> {
    pub async fn account_cloud(self, account_id: i64) -> StoreResult<Option<AccountCloudRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, AccountCloudRow>(select_cloud!("WHERE a.id = $1"))
                .bind(account_id)
                .fetch_optional(c)
                .await?
        }))
    }

    /// The cloud and Bot settings of every account of `org_id`, in creation order.
    pub async fn account_clouds_of_org(self, org_id: i64) -> StoreResult<Vec<AccountCloudRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, AccountCloudRow>(select_cloud!("WHERE a.org_id = $1 ORDER BY a.id"))
                .bind(org_id)
                .fetch_all(c)
                .await?
        }))
    }

    /// The rule settings of an account, in the order of their last change.
    pub async fn rule_settings_of_account(
        self,
        account_id: i64,
    ) -> StoreResult<Vec<RuleSettingRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, RuleSettingRow>(select_rules!(
                "WHERE r.account_id = $1 ORDER BY r.id"
            ))
            .bind(account_id)
            .fetch_all(c)
            .await?
        }))
    }

    /// The rule settings of every account of `org_id`, by account, then by last change.
    pub async fn rule_settings_of_org(self, org_id: i64) -> StoreResult<Vec<RuleSettingRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, RuleSettingRow>(select_rules!(
                "JOIN cloud_accounts a ON a.id = r.account_id \
                 WHERE a.org_id = $1 ORDER BY r.account_id, r.id"
            ))
            .bind(org_id)
            .fetch_all(c)
            .await?
        }))
    }

    pub async fn active_directory_by_key(
        self,
        org_id: i64,
        directory_key: &str,
    ) -> StoreResult<Option<ActiveDirectoryRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ActiveDirectoryRow>(
                "SELECT id, org_id, name, directory_id, application_id, created_at, updated_at \
                 FROM azure_active_directories WHERE org_id = $1 AND directory_key = $2",
            )
            .bind(org_id)
            .bind(directory_key)
            .fetch_optional(c)
            .await?
        }))
    }

    /// The subscriptions registered under an active directory, in creation order.
    pub async fn subscriptions_of_directory(
        self,
        directory_row_id: i64,
    ) -> StoreResult<Vec<RegisteredAccountRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, RegisteredAccountRow>(
                "SELECT s.subscription_id AS cloud_id, a.name, a.created_at \
                 FROM azure_subscriptions s JOIN cloud_accounts a ON a.id = s.account_id \
                 WHERE s.active_directory_id = $1 ORDER BY a.id",
            )
            .bind(directory_row_id)
            .fetch_all(c)
            .await?
        }))
    }

    pub async fn gcp_organisation_by_public_id(
        self,
        id: &PublicId,
    ) -> StoreResult<Option<GcpOrganisationRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, GcpOrganisationRow>(select_gcp_organisation!(
                "WHERE public_id = $1"
            ))
            .bind(id.to_string())
            .fetch_optional(c)
            .await?
        }))
    }

    pub async fn gcp_organisation_by_unique_id(
        self,
        org_id: i64,
        unique_id: &str,
    ) -> StoreResult<Option<GcpOrganisationRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, GcpOrganisationRow>(select_gcp_organisation!(
                "WHERE org_id = $1 AND service_account_unique_id = $2"
            ))
            .bind(org_id)
            .bind(unique_id)
            .fetch_optional(c)
            .await?
        }))
    }

    /// The projects registered through a GCP organisation, in creation order.
    pub async fn projects_of_gcp_organisation(
        self,
        gcp_organisation_id: i64,
    ) -> StoreResult<Vec<RegisteredAccountRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, RegisteredAccountRow>(
                "SELECT p.project_id AS cloud_id, p.project_name AS name, a.created_at \
                 FROM gcp_projects p JOIN cloud_accounts a ON a.id = p.account_id \
                 WHERE p.gcp_organisation_id = $1 ORDER BY a.id",
            )
            .bind(gcp_organisation_id)
            .fetch_all(c)
            .await?
        }))
    }
}

impl Tx {
    /// Stores an account's Bot settings (a JSON object), replacing what was there.
    pub async fn put_bot_settings(
        &mut self,
        account_id: i64,
        bot: &str,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "INSERT INTO cloud_account_bot_settings (account_id, bot, updated_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (account_id) \
                 DO UPDATE SET bot = excluded.bot, updated_at = excluded.updated_at",
            )
            .bind(account_id)
            .bind(bot)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Stores a rule setting of an account, replacing the rule's earlier one: the rule moves
    /// to the end of the account's rules.
    pub async fn put_rule_setting(
        &mut self,
        account_id: i64,
        rule_id: &str,
        setting: &str,
        note: Option<&str>,
        noted_by: Option<&str>,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "DELETE FROM cloud_account_rule_settings WHERE account_id = $1 AND rule_id = $2",
            )
            .bind(account_id)
            .bind(rule_id)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "INSERT INTO cloud_account_rule_settings \
                 (account_id, rule_id, setting, note, noted_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(account_id)
            .bind(rule_id)
            .bind(setting)
            .bind(note)
            .bind(noted_by)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    pub async fn insert_active_directory(
        &mut self,
        directory: &NewActiveDirectory<'_>,
        now: Millis,
    ) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO azure_active_directories (org_id, name, directory_id, directory_key, \
                 application_id, application_key_sealed, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(directory.org_id)
            .bind(directory.name)
            .bind(directory.directory_id)
            .bind(directory.directory_key)
            .bind(directory.application_id)
            .bind(directory.application_key_sealed)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    /// Makes account `account_id` the Azure subscription `subscription_id` (its lower-cased
    /// `subscription_key` unique in the organisation) of an active directory.
    pub async fn insert_azure_subscription(
        &mut self,
        account_id: i64,
        org_id: i64,
        directory_row_id: i64,
        subscription_id: &str,
        subscription_key: &str,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "INSERT INTO azure_subscriptions (account_id, org_id, active_directory_id, \
                 subscription_id, subscription_key) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(account_id)
            .bind(org_id)
            .bind(directory_row_id)
            .bind(subscription_id)
            .bind(subscription_key)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    pub async fn insert_gcp_organisation(
        &mut self,
        organisation: &NewGcpOrganisation<'_>,
        now: Millis,
    ) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO gcp_organisations (public_id, org_id, service_account_name, \
                 service_account_unique_id, key_sealed, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(organisation.public_id.to_string())
            .bind(organisation.org_id)
            .bind(organisation.service_account_name)
            .bind(organisation.service_account_unique_id)
            .bind(organisation.key_sealed)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    /// Makes account `account_id` the GCP project `project_id` (unique in the organisation),
    /// reached through a GCP organisation's service account.
    pub async fn insert_gcp_project(
        &mut self,
        account_id: i64,
        org_id: i64,
        gcp_organisation_id: i64,
        project_id: &str,
        project_name: &str,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "INSERT INTO gcp_projects (account_id, org_id, gcp_organisation_id, project_id, \
                 project_name) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(account_id)
            .bind(org_id)
            .bind(gcp_organisation_id)
            .bind(project_id)
            .bind(project_name)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }
}
