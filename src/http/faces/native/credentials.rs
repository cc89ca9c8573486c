//! A user's credentials: its API keys (`/users/{user_id}/api-keys`, `/api-keys/{key_id}`) and
//! its Xponent secret key (`/users/{user_id}/secret-key`). A secret is in the answer that
//! makes it, once, never stored by the face and never in a list: an `Idempotency-Key` replay
//! answers it null.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, HeaderValue, LOCATION};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::BASE_PATH;
use super::auth::Caller;
use super::cursor::{Page, PageParams, Paged};
use super::idempotency::{IdempotencyKey, IdempotencyParam};
use super::ids::{ApiKeyId, UserId};
use super::problem::{ApiResult, Problem};
use crate::domain::events::rfc3339;
use crate::http::AppState;
use crate::service::{ApiKey, NewApiKey};

/// An API key, without its secret.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyOut {
    #[schema(format = Uuid)]
    pub id: String,
    /// `ACTIVE` or `REVOKED`.
    pub status: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Null until the key is first used (noted at most once a minute).
    #[schema(format = DateTime)]
    pub last_used_at: Option<String>,
}

impl From<ApiKey> for ApiKeyOut {
    fn from(key: ApiKey) -> Self {
        Self {
            id: key.public_id,
            status: key.status,
            created_at: rfc3339(key.created_at),
            last_used_at: key.last_used_at.map(rfc3339),
        }
    }
}

/// A new API key with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub record: ApiKeyOut,
    /// The key itself: `Authorization: Bearer <key>` here, `ApiKey <key>` on the Cloud
    /// Conformity face. Shown only in this answer: null when it is replayed for an
    /// `Idempotency-Key`.
    pub key: Option<String>,
}

impl From<NewApiKey> for CreatedApiKey {
    fn from(new: NewApiKey) -> Self {
        Self {
            record: ApiKeyOut::from(new.record),
            key: Some(new.key),
        }
    }
}

/// A user's new Xponent secret key, shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeyOut {
    /// The user whose key it is.
    #[schema(format = Uuid)]
    pub user_id: String,
    /// The key: Xponent `POST /token` takes the hex SHA-256 of the key followed by a nonce.
    /// Null when the answer is replayed for an `Idempotency-Key`.
    pub secret_key: Option<String>,
}

/// An answer carrying a secret: never kept by a cache.
pub fn secret_answer<T: Serialize>(
    status: StatusCode,
    body: &T,
    location: Option<&str>,
) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(value) = location.and_then(|location| location.parse().ok()) {
        headers.insert(LOCATION, value);
    }
    response
}

/// Issues an API key to a user the caller administers. The key is in this answer only.
#[utoipa::path(
    post,
    path = "/users/{user_id}/api-keys",
    operation_id = "createApiKey",
    tag = "credentials",
    params(UserId, IdempotencyParam),
    responses(
        (status = 201, description = "The key, with its secret shown this once", body = CreatedApiKey,
            headers(("Location" = String), ("Cache-Control" = String, description = "no-store"))),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user is beyond the caller's reach, or the tree is at its quota of API keys", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user administered by the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key's first request is still being answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The idempotency key was used with another request", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_api_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    UserId(id): UserId,
    key: IdempotencyKey,
) -> ApiResult<Response> {
    key.run(&state, &actor, &Value::Null, async {
        let created = state.services.create_user_api_key(&actor, &id).await?;
        let location = format!("{BASE_PATH}/users/{id}/api-keys");
        Ok(secret_answer(
            StatusCode::CREATED,
            &CreatedApiKey::from(created),
            Some(&location),
        ))
    })
    .await
}

/// The API keys of a user the caller administers, revoked ones included, in creation order, a
/// page at a time; never their secrets.
#[utoipa::path(
    get,
    path = "/users/{user_id}/api-keys",
    operation_id = "listApiKeys",
    tag = "credentials",
    params(UserId, PageParams),
    responses(
        (status = 200, description = "A page of the user's keys", body = Paged<ApiKeyOut>),
        (status = 400, description = "The id is not a UUID, or a paging parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user is beyond the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user administered by the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_api_keys(
    State(state): State<AppState>,
    Caller(actor): Caller,
    UserId(id): UserId,
    page: Page,
) -> ApiResult<Response> {
    let keys = state
        .services
        .user_api_keys(&actor, &id, page.slice()?)
        .await?;
    let page = page.answer(keys, |key| key.id.to_string(), ApiKeyOut::from);
    Ok(axum::Json(page).into_response())
}

/// Revokes an API key of a user the caller administers, for good: the key and the access
/// tokens issued to it are refused at once, on every face. A revoked key stays listed.
#[utoipa::path(
    delete,
    path = "/api-keys/{key_id}",
    operation_id = "revokeApiKey",
    tag = "credentials",
    params(ApiKeyId),
    responses(
        (status = 204, description = "Revoked (or already revoked)"),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key's user is beyond the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such API key administered by the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn revoke_api_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiKeyId(id): ApiKeyId,
) -> ApiResult<Response> {
    state.services.revoke_user_api_key(&actor, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Issues, or rotates, the Xponent secret key of an Owner the caller administers. The old
/// key, and every token of the user, end at once. The key is in this answer only.
#[utoipa::path(
    post,
    path = "/users/{user_id}/secret-key",
    operation_id = "issueSecretKey",
    tag = "credentials",
    params(UserId, IdempotencyParam),
    responses(
        (status = 200, description = "The new key, shown this once", body = SecretKeyOut,
            headers(("Cache-Control" = String, description = "no-store"))),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user is not an Owner, or is beyond the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user administered by the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key's first request is still being answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The idempotency key was used with another request", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn issue_secret_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    UserId(id): UserId,
    key: IdempotencyKey,
) -> ApiResult<Response> {
    key.run(&state, &actor, &Value::Null, async {
        let secret_key = state.services.issue_user_secret_key(&actor, &id).await?;
        let body = SecretKeyOut {
            user_id: id.to_string(),
            secret_key: Some(secret_key),
        };
        Ok(secret_answer(StatusCode::OK, &body, None))
    })
    .await
}
