//! Cloud accounts: `POST/GET /accounts`, `GET/PATCH/DELETE /accounts/{id}` and
//! `GET /accounts/{id}/access`.

use axum::extract::State;
use serde_json::{Map, Value, json};

use super::document::{Conformity, ConformityError, ConformityResult, Document, ok};
use crate::http::AppState;
use crate::http::kit::{Caller, PathId};
use crate::service::{CloudAccount, CloudAccountChanges, NewCloudAccountRequest};

fn account_json(account: &CloudAccount) -> Value {
    json!({
        "type": "accounts",
        "id": account.public_id,
        "attributes": {
            "name": account.name,
            "environment": account.environment,
            "tags": account.tags,
            "awsaccount-id": account.aws_account_id,
            "cloud-type": "aws",
            "status": "ACTIVE",
            "created-date": account.created_at,
            "last-modified-date": account.updated_at,
        },
        "relationships": {
            "organisation": { "data": { "type": "organisations", "id": account.org_public_id } }
        },
    })
}

fn attributes(data: &Map<String, Value>) -> Result<&Map<String, Value>, ConformityError> {
    match data.get("attributes") {
        Some(Value::Object(attributes)) => Ok(attributes),
        _ => Err(ConformityError::invalid(
            "/data/attributes",
            "The document's data must have an attributes object",
        )),
    }
}

/// A string member, or `None` when it is absent or null.
fn optional_text<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    pointer: &'static str,
) -> Result<Option<&'a str>, ConformityError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(ConformityError::invalid(
            pointer,
            format!("{key} must be a string"),
        )),
    }
}

fn required_text<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    pointer: &'static str,
) -> Result<&'a str, ConformityError> {
    optional_text(object, key, pointer)?
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .ok_or_else(|| ConformityError::invalid(pointer, format!("{key} is required")))
}

fn optional_tags(attributes: &Map<String, Value>) -> Result<Option<Vec<String>>, ConformityError> {
    let bad =
        || ConformityError::invalid("/data/attributes/tags", "tags must be an array of strings");
    match attributes.get("tags") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned).ok_or_else(bad))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(bad()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    Document(data): Document,
) -> ConformityResult {
    let attributes = attributes(&data)?;
    let name = required_text(attributes, "name", "/data/attributes/name")?;
    let environment =
        optional_text(attributes, "environment", "/data/attributes/environment")?.unwrap_or("");
    let tags = optional_tags(attributes)?.unwrap_or_default();
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
            NewCloudAccountRequest {
                name,
                environment,
                tags: &tags,
                role_arn,
                external_id,
            },
        )
        .await?;
    Ok(ok(json!({ "data": account_json(&account) })))
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
) -> ConformityResult {
    let accounts = state.services.list_cloud_accounts(&actor).await?;
    Ok(ok(
        json!({ "data": accounts.iter().map(account_json).collect::<Vec<_>>() }),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
) -> ConformityResult {
    let account = state.services.get_cloud_account(&actor, &id).await?;
    Ok(ok(json!({ "data": account_json(&account) })))
}

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
        tags: optional_tags(attributes)?,
    };
    let account = state
        .services
        .update_cloud_account(&actor, &id, changes)
        .await?;
    Ok(ok(json!({ "data": account_json(&account) })))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
) -> ConformityResult {
    state.services.delete_cloud_account(&actor, &id).await?;
    Ok(ok(json!({ "meta": { "status": "sent" } })))
}

/// The role and external ID the account is reached with. The Terraform client reads the
/// resource's members at the top level of the document, JSON:API clients under `data`: both
/// are given.
pub async fn access(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
) -> ConformityResult {
    let account = state.services.get_cloud_account(&actor, &id).await?;
    let resource = json!({
        "id": format!("{}:access", account.public_id),
        "type": "settings",
        "attributes": {
            "type": "access",
            "configuration": { "externalId": account.external_id, "roleArn": account.role_arn },
        },
    });
    let mut document = resource.as_object().cloned().unwrap_or_default();
    document.insert("data".into(), resource);
    Ok(ok(Value::Object(document)))
}
