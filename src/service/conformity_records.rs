//! What the Cloud Conformity use cases return beyond `records.rs`: accounts with their cloud
//! and settings, rule settings, active directories, GCP organisations, groups and users as
//! Conformity sees them.

use serde_json::{Map, Value};

use super::records::CloudAccount;
use crate::domain::Millis;
use crate::domain::conformity::{AccessLevel, CloudType, ConformityRole};
use crate::store::{AccountCloudRow, ConformityUserRow, GroupRow, RuleSettingRow};

/// The cloud an account lives in, with what identifies it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cloud {
    /// The role ARN and external ID are the `CloudAccount`'s own.
    Aws,
    Azure {
        subscription_id: String,
        active_directory_id: String,
    },
    Gcp {
        project_id: String,
        project_name: String,
        service_account_unique_id: String,
    },
}

impl Cloud {
    pub fn kind(&self) -> CloudType {
        match self {
            Self::Aws => CloudType::Aws,
            Self::Azure { .. } => CloudType::Azure,
            Self::Gcp { .. } => CloudType::Gcp,
        }
    }

    pub(super) fn from_row(row: &AccountCloudRow) -> Self {
        match row {
            AccountCloudRow {
                subscription_id: Some(subscription_id),
                active_directory_id,
                ..
            } => Self::Azure {
                subscription_id: subscription_id.clone(),
                active_directory_id: active_directory_id.clone().unwrap_or_default(),
            },
            AccountCloudRow {
                project_id: Some(project_id),
                project_name,
                service_account_unique_id,
                ..
            } => Self::Gcp {
                project_id: project_id.clone(),
                project_name: project_name.clone().unwrap_or_default(),
                service_account_unique_id: service_account_unique_id.clone().unwrap_or_default(),
            },
            _ => Self::Aws,
        }
    }
}

/// A configured rule setting of an account, as it was given.
#[derive(Debug, Clone)]
pub struct RuleSetting {
    pub rule_id: String,
    /// The `ruleSetting` object.
    pub setting: Value,
    pub note: Option<RuleNote>,
}

/// The note given with a rule setting's last change.
#[derive(Debug, Clone)]
pub struct RuleNote {
    pub note: String,
    /// The public id of the user who gave it, when a user did.
    pub by: Option<String>,
    pub at: Millis,
}

impl From<RuleSettingRow> for RuleSetting {
    fn from(row: RuleSettingRow) -> Self {
        Self {
            setting: serde_json::from_str(&row.setting).unwrap_or(Value::Null),
            note: row.note.map(|note| RuleNote {
                note,
                by: row.noted_by,
                at: row.updated_at,
            }),
            rule_id: row.rule_id,
        }
    }
}

/// A Conformity account: the cloud account, the cloud it lives in, and its settings.
#[derive(Debug, Clone)]
pub struct ConformityAccount {
    pub account: CloudAccount,
    pub cloud: Cloud,
    /// The Bot settings as stored; `None` until some are set.
    pub bot: Option<Map<String, Value>>,
    /// The configured rule settings, in the order of their last change.
    pub rules: Vec<RuleSetting>,
}

impl ConformityAccount {
    pub(super) fn new(
        account: CloudAccount,
        cloud: Option<&AccountCloudRow>,
        rules: Vec<RuleSetting>,
    ) -> Self {
        Self {
            cloud: cloud.map_or(Cloud::Aws, Cloud::from_row),
            bot: cloud
                .and_then(|c| c.bot.as_deref())
                .and_then(|bot| serde_json::from_str(bot).ok()),
            account,
            rules,
        }
    }

    /// True once Bot or rule settings have been configured.
    pub fn has_settings(&self) -> bool {
        self.bot.is_some() || !self.rules.is_empty()
    }
}

/// The rule settings of one account.
#[derive(Debug, Clone)]
pub struct AccountRules {
    pub account_public_id: String,
    pub org_public_id: String,
    pub rules: Vec<RuleSetting>,
}

/// An Azure active directory registered in an organisation; its application key is never
/// shown.
#[derive(Debug, Clone)]
pub struct ActiveDirectory {
    /// As it was given: the directory's id is its Conformity id.
    pub directory_id: String,
    pub name: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A GCP organisation: a service account whose key (sealed, never shown) reaches projects.
#[derive(Debug, Clone)]
pub struct GcpOrganisation {
    pub public_id: String,
    pub service_account_name: String,
    pub service_account_unique_id: String,
    pub created_at: Millis,
}

/// A subscription of an active directory, or a project of a GCP organisation, registered as an
/// account.
#[derive(Debug, Clone)]
pub struct RegisteredAccount {
    /// The subscription id, or the project id.
    pub cloud_id: String,
    /// The account's name, or the project's.
    pub name: String,
    pub created_at: Millis,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub public_id: String,
    pub org_public_id: String,
    pub name: String,
    pub tags: Vec<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// The public ids of the organisation's accounts with one of the group's tags, in
    /// creation order.
    pub accounts: Vec<String>,
}

impl Group {
    /// The group with the accounts (public id, tags) of its organisation that have one of its
    /// tags.
    pub(super) fn from_row(row: GroupRow, accounts: &[(String, Vec<String>)]) -> Self {
        let tags: Vec<String> = serde_json::from_str(&row.tags).unwrap_or_default();
        let accounts = accounts
            .iter()
            .filter(|(_, account_tags)| account_tags.iter().any(|t| tags.contains(t)))
            .map(|(id, _)| id.clone())
            .collect();
        Self {
            public_id: row.public_id,
            org_public_id: row.org_public_id,
            name: row.name,
            tags,
            created_at: row.created_at,
            updated_at: row.updated_at,
            accounts,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Active,
    /// Invited through `POST /users` and without a password yet.
    Invited,
}

/// One entry of a user's access list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountAccess {
    pub account_public_id: String,
    pub level: AccessLevel,
}

/// A user of an organisation, as Cloud Conformity sees it.
#[derive(Debug, Clone)]
pub struct ConformityUser {
    pub public_id: String,
    pub org_public_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: ConformityRole,
    pub status: UserStatus,
    /// The user has a password.
    pub has_credentials: bool,
    pub created_at: Millis,
    pub access: Vec<AccountAccess>,
}

impl ConformityUser {
    pub(super) fn from_row(row: ConformityUserRow, access: Vec<AccountAccess>) -> Self {
        let role = ConformityRole::of(
            row.role,
            row.conformity_role
                .as_deref()
                .and_then(ConformityRole::parse),
        );
        // The names given, while the user's name is still made of them; otherwise the name's
        // first word and the rest.
        let (first_name, last_name) = match (row.first_name, row.last_name) {
            (Some(first), Some(last)) if format!("{first} {last}") == row.name => (first, last),
            _ => match row.name.split_once(' ') {
                Some((first, last)) => (first.to_owned(), last.to_owned()),
                None => (row.name.clone(), String::new()),
            },
        };
        let status = if row.origin.as_deref() == Some("invited") && !row.has_password {
            UserStatus::Invited
        } else {
            UserStatus::Active
        };
        Self {
            public_id: row.public_id,
            org_public_id: row.org_public_id,
            first_name,
            last_name,
            email: row.email,
            role,
            status,
            has_credentials: row.has_password,
            created_at: row.created_at,
            access,
        }
    }
}
