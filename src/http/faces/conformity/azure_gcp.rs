//! Azure and GCP: `POST /accounts/azure`, `POST /accounts/gcp`, `POST
//! /azure/active-directories`, `GET /azure/active-directories/{directoryId}/subscriptions`,
//! `POST /gcp/organisations` and `GET /gcp/organisations/{id}/projects`.

use axum::extract::State;
use serde_json::{Map, Value, json};

use super::accounts::account_json;
use super::document::{Conformity, ConformityError, ConformityResult, Document, ok};
use super::members::{attributes, environment, optional_object, required_text, tags};
use super::path::PathParams;
use crate::domain::Email;
use crate::domain::conformity::{is_azure_id, is_gcp_project_id, is_gcp_unique_id};
use crate::http::AppState;
use crate::http::kit::{Caller, PathId};
use crate::service::{
    NewAccountBasics, NewActiveDirectoryRequest, NewAzureAccountRequest, NewGcpAccountRequest,
    NewGcpOrganisationRequest,
};

const GUID_SHAPE: &str = "a GUID: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
const PROJECT_ID_SHAPE: &str =
    "6 to 30 lowercase letters, digits and hyphens, starting with a letter";

/// `data.attributes.access` of a new Azure or GCP account.
fn access<'a>(
    attributes: &'a Map<String, Value>,
    members: &str,
) -> Result<&'a Map<String, Value>, ConformityError> {
    optional_object(attributes, "access").ok_or_else(|| {
        ConformityError::invalid(
            "/data/attributes/access",
            format!("access with {members} is required"),
        )
    })
}

/// `POST /accounts/azure`: an Azure subscription of an active directory of the organisation.
pub async fn create_azure_account(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    Document(data): Document,
) -> ConformityResult {
    const SUBSCRIPTION: &str = "/data/attributes/access/subscriptionId";
    let attributes = attributes(&data)?;
    let name = required_text(attributes, "name", "/data/attributes/name")?;
    let environment = environment(attributes)?;
    let tags = tags(attributes)?.unwrap_or_default();
    let access = access(attributes, "subscriptionId and activeDirectoryId")?;
    let subscription_id = required_text(access, "subscriptionId", SUBSCRIPTION)?;
    if !is_azure_id(subscription_id) {
        return Err(ConformityError::invalid(
            SUBSCRIPTION,
            format!("'{subscription_id}' is not an Azure subscription id ({GUID_SHAPE})"),
        ));
    }
    let active_directory_id = required_text(
        access,
        "activeDirectoryId",
        "/data/attributes/access/activeDirectoryId",
    )?;
    let account = state
        .services
        .create_azure_account(
            &actor,
            NewAzureAccountRequest {
                basics: NewAccountBasics {
                    name,
                    environment,
                    tags: &tags,
                },
                subscription_id,
                active_directory_id,
            },
        )
        .await?;
    Ok(ok(json!({ "data": account_json(&account) })))
}

/// `POST /accounts/gcp`: a GCP project reached through a GCP organisation's service account.
pub async fn create_gcp_account(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    Document(data): Document,
) -> ConformityResult {
    const PROJECT: &str = "/data/attributes/access/projectId";
    let attributes = attributes(&data)?;
    let name = required_text(attributes, "name", "/data/attributes/name")?;
    let environment = environment(attributes)?;
    let tags = tags(attributes)?.unwrap_or_default();
    let access = access(
        attributes,
        "projectId, projectName and serviceAccountUniqueId",
    )?;
    let project_id = required_text(access, "projectId", PROJECT)?;
    if !is_gcp_project_id(project_id) {
        return Err(ConformityError::invalid(
            PROJECT,
            format!("'{project_id}' is not a GCP project id ({PROJECT_ID_SHAPE})"),
        ));
    }
    let project_name = required_text(access, "projectName", "/data/attributes/access/projectName")?;
    let service_account_unique_id = required_text(
        access,
        "serviceAccountUniqueId",
        "/data/attributes/access/serviceAccountUniqueId",
    )?;
    let account = state
        .services
        .create_gcp_account(
            &actor,
            NewGcpAccountRequest {
                basics: NewAccountBasics {
                    name,
                    environment,
                    tags: &tags,
                },
                project_id,
                project_name,
                service_account_unique_id,
            },
        )
        .await?;
    Ok(ok(json!({ "data": account_json(&account) })))
}

/// `POST /azure/active-directories`: a directory, its application id and key (kept sealed).
pub async fn create_active_directory(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    Document(data): Document,
) -> ConformityResult {
    const DIRECTORY: &str = "/data/attributes/directoryId";
    const APPLICATION: &str = "/data/attributes/applicationId";
    let attributes = attributes(&data)?;
    let name = required_text(attributes, "name", "/data/attributes/name")?;
    let directory_id = required_text(attributes, "directoryId", DIRECTORY)?;
    if !is_azure_id(directory_id) {
        return Err(ConformityError::invalid(
            DIRECTORY,
            format!("'{directory_id}' is not an Azure directory id ({GUID_SHAPE})"),
        ));
    }
    let application_id = required_text(attributes, "applicationId", APPLICATION)?;
    if !is_azure_id(application_id) {
        return Err(ConformityError::invalid(
            APPLICATION,
            format!("'{application_id}' is not an Azure application id ({GUID_SHAPE})"),
        ));
    }
    let application_key = required_text(
        attributes,
        "applicationKey",
        "/data/attributes/applicationKey",
    )?;
    let directory = state
        .services
        .create_active_directory(
            &actor,
            NewActiveDirectoryRequest {
                name,
                directory_id,
                application_id,
                application_key,
            },
        )
        .await?;
    Ok(ok(json!({ "data": {
        "type": "active-directories",
        "id": directory.directory_id,
        "attributes": {
            "name": directory.name,
            "directory-id": directory.directory_id,
            "created-date": directory.created_at,
            "last-modified-date": directory.updated_at,
        },
    } })))
}

/// `GET /azure/active-directories/{directoryId}/subscriptions`: the directory's subscriptions
/// registered as accounts (orghub does not call Azure: it knows no others).
pub async fn subscriptions(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathParams(params): PathParams,
) -> ConformityResult {
    let directory_id = params.last().map(String::as_str).unwrap_or_default();
    if !is_azure_id(directory_id) {
        return Err(ConformityError::not_found(
            crate::domain::Kind::ActiveDirectory,
            directory_id,
        ));
    }
    let subscriptions = state
        .services
        .active_directory_subscriptions(&actor, directory_id)
        .await?;
    let data: Vec<Value> = subscriptions
        .iter()
        .map(|subscription| {
            json!({
                "type": "subscriptions",
                "id": subscription.cloud_id,
                "attributes": {
                    "display-name": subscription.name,
                    "state": "Enabled",
                    "added-to-conformity": true,
                },
            })
        })
        .collect();
    Ok(ok(json!({ "data": data })))
}

/// The members of a GCP service-account key, as Google issues it.
const KEY_MEMBERS: [(&str, &str); 10] = [
    ("type", "/data/serviceAccountKeyJson/type"),
    ("project_id", "/data/serviceAccountKeyJson/project_id"),
    (
        "private_key_id",
        "/data/serviceAccountKeyJson/private_key_id",
    ),
    ("private_key", "/data/serviceAccountKeyJson/private_key"),
    ("client_email", "/data/serviceAccountKeyJson/client_email"),
    ("client_id", "/data/serviceAccountKeyJson/client_id"),
    ("auth_uri", "/data/serviceAccountKeyJson/auth_uri"),
    ("token_uri", "/data/serviceAccountKeyJson/token_uri"),
    (
        "auth_provider_x509_cert_url",
        "/data/serviceAccountKeyJson/auth_provider_x509_cert_url",
    ),
    (
        "client_x509_cert_url",
        "/data/serviceAccountKeyJson/client_x509_cert_url",
    ),
];

/// A service-account key: every member a non-empty string of its kind. Returns the key's
/// `client_id`, the service account's unique id.
fn service_account_key(key: &Map<String, Value>) -> Result<&str, ConformityError> {
    for (member, pointer) in KEY_MEMBERS {
        let value = key
            .get(member)
            .and_then(Value::as_str)
            .filter(|value| !value.trim().is_empty())
            .ok_or_else(|| {
                ConformityError::invalid(
                    pointer,
                    format!("serviceAccountKeyJson.{member} must be a non-empty string"),
                )
            })?;
        let problem = match member {
            "type" if value != "service_account" => {
                Some("serviceAccountKeyJson.type must be \"service_account\"".to_owned())
            }
            "project_id" if !is_gcp_project_id(value) => Some(format!(
                "'{value}' is not a GCP project id ({PROJECT_ID_SHAPE})"
            )),
            "private_key"
                if !(value.contains("-----BEGIN") && value.contains("PRIVATE KEY-----")) =>
            {
                Some("serviceAccountKeyJson.private_key must be a PEM private key".to_owned())
            }
            "client_email" if Email::parse(value).is_err() => {
                Some(format!("'{value}' is not a valid email address"))
            }
            "client_id" if !is_gcp_unique_id(value) => Some(
                "serviceAccountKeyJson.client_id must be the service account's unique id (digits)"
                    .to_owned(),
            ),
            "auth_uri" | "token_uri" | "auth_provider_x509_cert_url" | "client_x509_cert_url"
                if !value.starts_with("https://") =>
            {
                Some(format!(
                    "serviceAccountKeyJson.{member} must be an https URL"
                ))
            }
            _ => None,
        };
        if let Some(problem) = problem {
            return Err(ConformityError::invalid(pointer, problem));
        }
    }
    Ok(key
        .get("client_id")
        .and_then(Value::as_str)
        .unwrap_or_default())
}

/// `POST /gcp/organisations`: a service account and its key (kept sealed). The document has no
/// `attributes`: its members are `data.serviceAccountName` and `data.serviceAccountKeyJson`.
pub async fn create_gcp_organisation(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    Document(data): Document,
) -> ConformityResult {
    let service_account_name =
        required_text(&data, "serviceAccountName", "/data/serviceAccountName")?;
    let key = optional_object(&data, "serviceAccountKeyJson").ok_or_else(|| {
        ConformityError::invalid(
            "/data/serviceAccountKeyJson",
            "serviceAccountKeyJson must be a service-account key object",
        )
    })?;
    let unique_id = service_account_key(key)?;
    let organisation = state
        .services
        .create_gcp_organisation(
            &actor,
            NewGcpOrganisationRequest {
                service_account_name,
                service_account_unique_id: unique_id,
                key_json: &Value::Object(key.clone()).to_string(),
            },
        )
        .await?;
    Ok(ok(json!({ "data": {
        "type": "gcp-organisations",
        "id": organisation.public_id,
        "attributes": {
            "serviceAccountName": organisation.service_account_name,
            "serviceAccountUniqueId": organisation.service_account_unique_id,
        },
    } })))
}

/// `GET /gcp/organisations/{id}/projects`: the projects registered as accounts through this
/// organisation (orghub does not call Google: it knows no others).
pub async fn projects(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
) -> ConformityResult {
    let projects = state
        .services
        .gcp_organisation_projects(&actor, &id)
        .await?;
    let data: Vec<Value> = projects
        .iter()
        .map(|project| {
            json!({
                "type": "projects",
                "id": project.cloud_id,
                "attributes": {
                    "project-id": project.cloud_id,
                    "name": project.name,
                    "lifecycle-state": "ACTIVE",
                    "added-to-conformity": true,
                },
            })
        })
        .collect();
    Ok(ok(json!({ "data": data })))
}
