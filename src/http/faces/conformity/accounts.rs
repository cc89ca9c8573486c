//! Cloud accounts: `POST/GET /accounts`, `GET/PATCH/DELETE /accounts/{id}` and
//! `GET /accounts/{id}/access`. Azure and GCP accounts are created in `azure_gcp.rs`; every
//! account reads, changes and is deleted here.

use axum::extract::State;
use serde_json::{Map, Value, json};

use super::document::{Conformity, ConformityError, ConformityResult, Document, ok};
use super::members::{
    attributes, environment, optional_text, required_text, tags, tags_of_account_update,
};
use super::settings::rule_json;
use crate::http::AppState;
use crate::http::kit::{Caller, PathId};
use crate::service::{
    AccountReach, Cloud, CloudAccountChanges, ConformityAccount, NewCloudAccountRequest,
};

/// An account as every route shows it. `settings` appears once Bot or rule settings have been
/// configured (the Terraform client takes an account with `settings` for one with settings
/// configured).
pub fn account_json(view: &ConformityAccount) -> Value {
    let account = &view.account;
    let mut attributes = json!({
        "name": account.name,
        "environment": account.environment,
        "tags": account.tags,
        "cloud-type": view.cloud.kind().as_str(),
        "status": "ACTIVE",
        "created-date": account.created_at,
        "last-modified-date": account.updated_at,
    });
    let members = attributes.as_object_mut().expect("an object");
    match &view.cloud {
        Cloud::Aws => {
            members.insert("awsaccount-id".into(), json!(account.aws_account_id));
        }
        Cloud::Azure {
            subscription_id, ..
        } => {
            members.insert(
                "cloud-data".into(),
                json!({ "azure": { "subscriptionId": subscription_id } }),
            );
        }
        Cloud::Gcp {
            project_id,
            project_name,
            service_account_unique_id,
        } => {
            members.insert(
                "cloud-data".into(),
                json!({ "gcp": {
                    "projectId": project_id,
                    "projectName": project_name,
                    "serviceAccountUniqueId": service_account_unique_id,
                } }),
            );
        }
    }
    if view.has_settings() {
        let mut settings = Map::new();
        if let Some(bot) = &view.bot {
            settings.insert("bot".into(), Value::Object(bot.clone()));
        }
        settings.insert(
            "rules".into(),
            view.rules.iter().map(rule_json).collect::<Vec<_>>().into(),
        );
        members.insert("settings".into(), Value::Object(settings));
    }
    json!({
        "type": "accounts",
        "id": account.public_id,
        "attributes": attributes,
        "relationships": {
            "organisation": { "data": { "type": "organisations", "id": account.org_public_id } }
        },
    })
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    Document(data): Document,
) -> ConformityResult {
    let attributes = attributes(&data)?;
    let name = required_text(attributes, "name", "/data/attributes/name")?;
    let environment = environment(attributes)?;
    let tags = tags(attributes)?.unwrap_or_default();
    let keys = attributes
        .get("access")
        .and_then(|access| access.get("keys"))
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ConformityError::invalid(
                "/data/attributes/access/keys",
                "access.keys with roleArn and externalId is required",
            )
        })?;
    let role_arn = required_text(keys, "roleArn", "/data/attributes/access/keys/roleArn")?;
    let external_id = required_text(
        keys,
        "externalId",
        "/data/attributes/access/keys/externalId",
    )?;
    let account = state
        .services
        .create_cloud_account(
            &actor,
            None,
            NewCloudAccountRequest {
                name,
                environment,
                tags: &tags,
                role_arn,
                external_id,
            },
        )
        .await?;
    // A new AWS account has no settings yet.
    let view = ConformityAccount {
        account,
        cloud: Cloud::Aws,
        bot: None,
        rules: Vec::new(),
    };
    Ok(ok(json!({ "data": account_json(&view) })))
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
) -> ConformityResult {
    let accounts = state.services.conformity_accounts(&actor).await?;
    Ok(ok(
        json!({ "data": accounts.iter().map(account_json).collect::<Vec<_>>() }),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
) -> ConformityResult {
    let account = state.services.conformity_account(&actor, &id).await?;
    Ok(ok(json!({ "data": account_json(&account) })))
}

/// Changes `name`, `environment` and `tags`; a member not given keeps its value, and `tags`
/// given as `null` clears them (the Terraform client sends `null` for no tags).
pub async fn update(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
    Document(data): Document,
) -> ConformityResult {
    let attributes = attributes(&data)?;
    let name = match optional_text(attributes, "name", "/data/attributes/name")? {
        Some(name) if name.trim().is_empty() => {
            return Err(ConformityError::invalid(
                "/data/attributes/name",
                "name must not be empty",
            ));
        }
        name => name.map(|n| n.trim().to_owned()),
    };
    let changes = CloudAccountChanges {
        name,
        environment: optional_text(attributes, "environment", "/data/attributes/environment")?
            .map(str::to_owned),
        tags: tags_of_account_update(attributes)?,
    };
    let account = state
        .services
        .update_conformity_account(&actor, &id, changes)
        .await?;
    Ok(ok(json!({ "data": account_json(&account) })))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
) -> ConformityResult {
    // This face's caller is one organisation: it reaches that organisation's accounts only.
    state
        .services
        .delete_cloud_account(&actor, &id, AccountReach::OwnOrganisation)
        .await?;
    Ok(ok(json!({ "meta": { "status": "sent" } })))
}

/// What the account is reached with: the role and external ID of an AWS account, the
/// subscription and active directory of an Azure one, the project and service account of a
/// GCP one. The Terraform client reads the resource's members at the top level of the
/// document, JSON:API clients under `data`: both are given.
pub async fn access(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
) -> ConformityResult {
    let view = state.services.conformity_account(&actor, &id).await?;
    let account = &view.account;
    let configuration = match &view.cloud {
        Cloud::Aws => {
            json!({ "externalId": account.external_id, "roleArn": account.role_arn })
        }
        Cloud::Azure {
            subscription_id,
            active_directory_id,
        } => json!({ "subscriptionId": subscription_id, "activeDirectoryId": active_directory_id }),
        Cloud::Gcp {
            project_id,
            project_name,
            service_account_unique_id,
        } => json!({
            "projectId": project_id,
            "projectName": project_name,
            "serviceAccountUniqueId": service_account_unique_id,
        }),
    };
    let resource = json!({
        "id": format!("{}:access", account.public_id),
        "type": "settings",
        "attributes": { "type": "access", "configuration": configuration },
    });
    let mut document = resource.as_object().cloned().unwrap_or_default();
    document.insert("data".into(), resource);
    Ok(ok(Value::Object(document)))
}
