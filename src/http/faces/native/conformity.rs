//! Cloud Conformity: the cloud accounts of the organizations of the caller's subtree (its own
//! unless `orgId` names another) and the external ids they are registered with (the
//! organization's, once its first account exists, or a temporary one, valid an hour).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::BASE_PATH;
use super::auth::Caller;
use super::body::Body;
use super::cursor::{Page, PageParams, Paged};
use super::etag::tagged;
use super::idempotency::{IdempotencyKey, IdempotencyParam};
use super::ids::AccountId;
use super::orgs::{created, public_id};
use super::params::Params;
use super::problem::{ApiError, ApiResult, Problem};
use crate::domain::Kind;
use crate::domain::events::rfc3339;
use crate::http::AppState;
use crate::service::{
    AccountReach, CloudAccount, ExternalId, Forbidden, NewCloudAccountRequest, ServiceError,
};

/// An AWS account registered with Cloud Conformity.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CloudAccountOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub org_id: String,
    pub name: String,
    pub environment: String,
    pub tags: Vec<String>,
    pub aws_account_id: String,
    pub role_arn: String,
    pub external_id: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<CloudAccount> for CloudAccountOut {
    fn from(account: CloudAccount) -> Self {
        Self {
            id: account.public_id,
            org_id: account.org_public_id,
            name: account.name,
            environment: account.environment,
            tags: account.tags,
            aws_account_id: account.aws_account_id,
            role_arn: account.role_arn,
            external_id: account.external_id,
            created_at: rfc3339(account.created_at),
        }
    }
}

/// A new cloud account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCloudAccount {
    /// The organization of the caller's subtree the account is of; the caller's own when
    /// absent.
    pub org_id: Option<Uuid>,
    pub name: String,
    pub environment: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The IAM role Cloud Conformity assumes: `arn:aws:iam::<account>:role/<name>`.
    pub role_arn: String,
    /// The organization's external id, or a temporary one still valid.
    pub external_id: String,
}

/// The organization whose accounts or external id are meant.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct OrgParam {
    /// An organization of the caller's subtree; the caller's own when absent.
    #[param(format = Uuid)]
    org_id: Option<Uuid>,
}

/// An external id, and until when a client may rely on it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExternalIdOut {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = DateTime)]
    pub valid_until: String,
}

impl From<ExternalId> for ExternalIdOut {
    fn from(id: ExternalId) -> Self {
        Self {
            id: id.id,
            valid_until: rfc3339(id.valid_until),
        }
    }
}

/// A Member's refusal: the service names the organization, which the caller knows; this face
/// says what is missing instead.
fn administered(error: ServiceError) -> ApiError {
    match error {
        ServiceError::Forbidden(Forbidden::OutsideScope {
            kind: Kind::CloudAccount,
            ..
        }) => ApiError::not_found("Only an Owner administers the organization's cloud accounts"),
        other => other.into(),
    }
}

/// The cursor key of an account: its creation time, then its id, so that the list's order
/// is fixed whatever is added or removed meanwhile.
fn account_key(account: &CloudAccount) -> String {
    format!("{:020}/{}", account.created_at, account.public_id)
}

/// The cloud accounts of an organization of the caller's subtree (its own unless `orgId` says
/// otherwise), a page at a time in creation order.
#[utoipa::path(
    get,
    path = "/cloud-accounts",
    operation_id = "listCloudAccounts",
    tag = "conformity",
    params(OrgParam, PageParams),
    responses(
        (status = 200, description = "A page of cloud accounts", body = Paged<CloudAccountOut>),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_accounts(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Params(filter): Params<OrgParam>,
    page: Page,
) -> ApiResult<Response> {
    let org = filter.org_id.map(public_id);
    let mut accounts = state
        .services
        .list_cloud_accounts(&actor, org.as_ref())
        .await?;
    accounts.sort_by_key(account_key);
    if let Some(after) = &page.after {
        accounts.retain(|account| account_key(account) > *after);
    }
    accounts.truncate(page.fetch_size() as usize);
    let page = page.answer(accounts, account_key, CloudAccountOut::from);
    Ok(axum::Json(page).into_response())
}

/// Registers an AWS account of an organization of the caller's subtree (its own unless
/// `orgId` says otherwise) with an external id of that organization.
#[utoipa::path(
    post,
    path = "/cloud-accounts",
    operation_id = "createCloudAccount",
    tag = "conformity",
    params(IdempotencyParam),
    request_body = NewCloudAccount,
    responses(
        (status = 201, description = "The cloud account", body = CloudAccountOut,
            headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "A parameter is invalid, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree, or the caller is a Member: only an Owner administers the organization's cloud accounts", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key's first request is still being answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, the role ARN is not one, the external id is not a current one of the organization, or the idempotency key was used with another request", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_account(
    State(state): State<AppState>,
    Caller(actor): Caller,
    key: IdempotencyKey,
    body: Body<NewCloudAccount>,
) -> ApiResult<Response> {
    key.run(&state, &actor, &body.json, async {
        let new = &body.value;
        let org = new.org_id.map(public_id);
        let account = state
            .services
            .create_cloud_account(
                &actor,
                org.as_ref(),
                NewCloudAccountRequest {
                    name: &new.name,
                    environment: &new.environment,
                    tags: &new.tags,
                    role_arn: &new.role_arn,
                    external_id: &new.external_id,
                },
            )
            .await
            .map_err(administered)?;
        let account = CloudAccountOut::from(account);
        let location = format!("{BASE_PATH}/cloud-accounts/{}", account.id);
        Ok(created(&account, &location))
    })
    .await
}

/// Reads a cloud account of an organization of the caller's subtree.
#[utoipa::path(
    get,
    path = "/cloud-accounts/{account_id}",
    operation_id = "getCloudAccount",
    tag = "conformity",
    params(AccountId),
    responses(
        (status = 200, description = "The cloud account", body = CloudAccountOut, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such cloud account in the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_account(
    State(state): State<AppState>,
    Caller(actor): Caller,
    AccountId(id): AccountId,
) -> ApiResult<Response> {
    let account = state
        .services
        .get_cloud_account(&actor, &id, AccountReach::Subtree)
        .await?;
    Ok(tagged(StatusCode::OK, &CloudAccountOut::from(account)))
}

/// Deletes a cloud account of an organization of the caller's subtree.
#[utoipa::path(
    delete,
    path = "/cloud-accounts/{account_id}",
    operation_id = "deleteCloudAccount",
    tag = "conformity",
    params(AccountId),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such cloud account in the caller's subtree, or the caller is a Member", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_account(
    State(state): State<AppState>,
    Caller(actor): Caller,
    AccountId(id): AccountId,
) -> ApiResult<Response> {
    state
        .services
        .delete_cloud_account(&actor, &id, AccountReach::Subtree)
        .await
        .map_err(administered)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The external id of an organization of the caller's subtree (its own unless `orgId` says
/// otherwise): the one its first cloud account was registered with.
#[utoipa::path(
    get,
    path = "/external-id",
    operation_id = "getExternalId",
    tag = "conformity",
    params(OrgParam),
    responses(
        (status = 200, description = "The organization's external id", body = ExternalIdOut),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree, or the organization has no cloud account yet, so no external id", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn organization_external_id(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Params(filter): Params<OrgParam>,
) -> ApiResult<Response> {
    let org = filter.org_id.map(public_id);
    let id = state
        .services
        .organisation_external_id(&actor, org.as_ref())
        .await
        .map_err(|error| match error {
            ServiceError::NotFound {
                kind: Kind::ExternalId,
                ..
            } => ApiError::not_found(
                "The organization has no external id yet: it has one once its first cloud account is registered",
            ),
            other => other.into(),
        })?;
    Ok(axum::Json(ExternalIdOut::from(id)).into_response())
}

/// A temporary external id of an organization of the caller's subtree (its own unless
/// `orgId` says otherwise), valid an hour, to register its first cloud account with.
#[utoipa::path(
    post,
    path = "/external-ids",
    operation_id = "createExternalId",
    tag = "conformity",
    params(OrgParam, IdempotencyParam),
    responses(
        (status = 201, description = "The temporary external id", body = ExternalIdOut),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree, or the caller is a Member: only an Owner administers the organization's cloud accounts", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key's first request is still being answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The idempotency key was used with another request", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_external_id(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Params(filter): Params<OrgParam>,
    key: IdempotencyKey,
) -> ApiResult<Response> {
    key.run(&state, &actor, &serde_json::Value::Null, async {
        let org = filter.org_id.map(public_id);
        let id = state
            .services
            .create_temporary_external_id(&actor, org.as_ref())
            .await
            .map_err(administered)?;
        Ok((StatusCode::CREATED, axum::Json(ExternalIdOut::from(id))).into_response())
    })
    .await
}
