//! A user's identity keys (`/users/{user_id}/identity-keys`): the key pairs its idOS
//! IdentityTokens are signed with (HS256, `iss` the public key). The private key is in the
//! answer that makes it, once (null in an `Idempotency-Key` replay).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::BASE_PATH;
use super::auth::Caller;
use super::credentials::secret_answer;
use super::cursor::{Page, PageParams, Paged};
use super::idempotency::{IdempotencyKey, IdempotencyParam};
use super::ids::{IdentityKey, UserId};
use super::problem::{ApiResult, Problem};
use crate::domain::PublicId;
use crate::domain::events::rfc3339;
use crate::http::AppState;
use crate::service::idos::Identity;

/// An identity key, without its private key.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdentityKeyOut {
    /// The `iss` of the IdentityTokens it signs.
    pub public_key: String,
    #[schema(format = Uuid)]
    pub user_id: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl IdentityKeyOut {
    fn of(identity: Identity, user: &PublicId) -> Self {
        Self {
            public_key: identity.public_key,
            user_id: user.to_string(),
            created_at: rfc3339(identity.created_at),
        }
    }
}

/// A new identity key with its private key, shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedIdentityKey {
    #[serde(flatten)]
    pub identity: IdentityKeyOut,
    /// Signs IdentityTokens. Null when the answer is replayed for an `Idempotency-Key`.
    pub private_key: Option<String>,
}

/// Makes an identity key for a user the caller administers: the user may then sign idOS
/// IdentityTokens, acting as itself. The private key is in this answer only.
#[utoipa::path(
    post,
    path = "/users/{user_id}/identity-keys",
    operation_id = "createIdentityKey",
    tag = "idos",
    params(UserId, IdempotencyParam),
    responses(
        (status = 201, description = "The key, with its private key shown this once", body = CreatedIdentityKey,
            headers(("Location" = String), ("Cache-Control" = String, description = "no-store"))),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user is beyond the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user administered by the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key's first request is still being answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The idempotency key was used with another request", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_identity_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    UserId(user): UserId,
    key: IdempotencyKey,
) -> ApiResult<Response> {
    key.run(&state, &actor, &Value::Null, async {
        let made = state.services.create_user_identity(&actor, &user).await?;
        let location = format!("{BASE_PATH}/users/{user}/identity-keys");
        let body = CreatedIdentityKey {
            identity: IdentityKeyOut::of(made.identity, &user),
            private_key: Some(made.private_key),
        };
        Ok(secret_answer(StatusCode::CREATED, &body, Some(&location)))
    })
    .await
}

/// The identity keys of a user the caller administers, in creation order; never their
/// private keys.
#[utoipa::path(
    get,
    path = "/users/{user_id}/identity-keys",
    operation_id = "listIdentityKeys",
    tag = "idos",
    params(UserId, PageParams),
    responses(
        (status = 200, description = "A page of the user's keys", body = Paged<IdentityKeyOut>),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user is beyond the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user administered by the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_identity_keys(
    State(state): State<AppState>,
    Caller(actor): Caller,
    UserId(user): UserId,
    page: Page,
) -> ApiResult<Response> {
    let slice = page.slice()?;
    let identities = state.services.user_identities(&actor, &user, slice).await?;
    let page = page.answer(
        identities,
        |i| i.id.to_string(),
        |i| IdentityKeyOut::of(i, &user),
    );
    Ok(axum::Json(page).into_response())
}

/// Deletes an identity key of a user the caller administers: the IdentityTokens it signed are
/// refused at once.
#[utoipa::path(
    delete,
    path = "/users/{user_id}/identity-keys/{identity_key}",
    operation_id = "deleteIdentityKey",
    tag = "idos",
    params(UserId, IdentityKey),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a UUID, or the key not a public key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user is beyond the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user administered by the caller, or no such key of it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_identity_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    UserId(user): UserId,
    IdentityKey(key): IdentityKey,
) -> ApiResult<Response> {
    state
        .services
        .delete_user_identity(&actor, &user, &key)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
