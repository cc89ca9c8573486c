//! An organization's idOS credentials (`/orgs/{org_id}/idos-credentials`: the keys that sign
//! UserTokens) and handlers (`/orgs/{org_id}/idos-handlers`: the services that sign
//! CredentialTokens), the same records as the idOS face's, through the same use cases.
//!
//! They are named by their public key within their organization, as on the idOS face: a key is
//! not a UUID, and the organization in the path is what authorization weighs. A private key is
//! in the answer that makes it, once (null in an `Idempotency-Key` replay); a handler's
//! password is never in an answer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{ETAG, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::BASE_PATH;
use super::auth::Caller;
use super::body::Body;
use super::credentials::secret_answer;
use super::cursor::{Page, PageParams, Paged};
use super::etag::{IfMatch, etag_of, tagged};
use super::idempotency::{IdempotencyKey, IdempotencyParam};
use super::ids::{CredentialKey, HandlerKey, OrgId};
use super::problem::{ApiResult, Problem};
use crate::domain::PublicId;
use crate::domain::events::rfc3339;
use crate::http::AppState;
use crate::service::idos::{
    CompanyRef, Credential, Handler, HandlerChanges, HandlerRef, NewHandler,
};

/// An idOS credential, without its private key.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdosCredential {
    /// Its id here, and the `iss` of the UserTokens it signs.
    pub public_key: String,
    #[schema(format = Uuid)]
    pub org_id: String,
    pub name: String,
    /// Made from its name.
    pub slug: String,
    pub production: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Null until it is renamed.
    #[schema(format = DateTime)]
    pub updated_at: Option<String>,
}

impl IdosCredential {
    fn of(credential: Credential, org: &PublicId) -> Self {
        Self {
            public_key: credential.public_key,
            org_id: org.to_string(),
            name: credential.name,
            slug: credential.slug,
            production: credential.production,
            created_at: rfc3339(credential.created_at),
            updated_at: credential.updated_at.map(rfc3339),
        }
    }
}

/// A new credential with its private key, which signs UserTokens (HS256), shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedIdosCredential {
    #[serde(flatten)]
    pub credential: IdosCredential,
    /// Null when the answer is replayed for an `Idempotency-Key`.
    pub private_key: Option<String>,
}

/// A new credential.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewIdosCredential {
    pub name: String,
    #[serde(default)]
    pub production: bool,
}

/// A credential's new name.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IdosCredentialPatch {
    pub name: String,
}

/// An idOS handler, without its private key or its password.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdosHandler {
    /// Its id here, and the `iss` of the CredentialTokens it signs.
    pub public_key: String,
    #[schema(format = Uuid)]
    pub org_id: String,
    pub name: String,
    pub auth_username: String,
    /// A disabled handler's tokens are refused.
    pub enabled: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Null until it is changed.
    #[schema(format = DateTime)]
    pub updated_at: Option<String>,
}

impl IdosHandler {
    fn of(handler: Handler, org: &PublicId) -> Self {
        Self {
            public_key: handler.public_key,
            org_id: org.to_string(),
            name: handler.name,
            auth_username: handler.auth_username,
            enabled: handler.enabled,
            created_at: rfc3339(handler.created_at),
            updated_at: handler.updated_at.map(rfc3339),
        }
    }
}

/// A new handler with its private key, which signs CredentialTokens (HS256), shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedIdosHandler {
    #[serde(flatten)]
    pub handler: IdosHandler,
    /// Null when the answer is replayed for an `Idempotency-Key`.
    pub private_key: Option<String>,
}

fn enabled_by_default() -> bool {
    true
}

/// A new handler.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewIdosHandler {
    pub name: String,
    pub auth_username: String,
    /// Kept sealed, never shown.
    #[schema(write_only)]
    pub auth_password: String,
    #[serde(default = "enabled_by_default")]
    #[schema(default = true)]
    pub enabled: bool,
}

/// A change to a handler: what is absent stays.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IdosHandlerPatch {
    pub name: Option<String>,
    pub auth_username: Option<String>,
    #[schema(write_only)]
    pub auth_password: Option<String>,
    pub enabled: Option<bool>,
}

/// 201 with a private key shown once: never kept by a cache, and its `ETag` is the record's
/// as reads show it, so that a change can follow with `If-Match` at once.
fn created_with_key<R: Serialize, B: Serialize>(record: &R, body: &B, location: &str) -> Response {
    let etag = etag_of(record);
    let mut response = secret_answer(StatusCode::CREATED, body, Some(location));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(ETAG, value);
    }
    response
}

/// Creates an idOS credential for an organization the caller administers.
#[utoipa::path(
    post,
    path = "/orgs/{org_id}/idos-credentials",
    operation_id = "createIdosCredential",
    tag = "idos",
    params(OrgId, IdempotencyParam),
    request_body = NewIdosCredential,
    responses(
        (status = 201, description = "The credential, with its private key shown this once", body = CreatedIdosCredential,
            headers(("ETag" = String), ("Location" = String), ("Cache-Control" = String, description = "no-store"))),
        (status = 400, description = "The id is not a UUID, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization administered by the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key's first request is still being answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the idempotency key was used with another request", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_credential(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    key: IdempotencyKey,
    body: Body<NewIdosCredential>,
) -> ApiResult<Response> {
    key.run(&state, &actor, &body.json, async {
        let new = &body.value;
        let mut made = state
            .services
            .idos_create_credential(&actor, CompanyRef::Id(&org), &new.name, new.production)
            .await?;
        let private_key = made.private_key.take();
        let credential = IdosCredential::of(made, &org);
        let location = format!(
            "{BASE_PATH}/orgs/{org}/idos-credentials/{}",
            credential.public_key
        );
        let body = CreatedIdosCredential {
            credential,
            private_key,
        };
        Ok(created_with_key(&body.credential, &body, &location))
    })
    .await
}

/// The idOS credentials of an organization of the caller's subtree, in creation order; never
/// their private keys.
#[utoipa::path(
    get,
    path = "/orgs/{org_id}/idos-credentials",
    operation_id = "listIdosCredentials",
    tag = "idos",
    params(OrgId, PageParams),
    responses(
        (status = 200, description = "A page of the organization's credentials", body = Paged<IdosCredential>),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_credentials(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    page: Page,
) -> ApiResult<Response> {
    let slice = page.slice()?;
    let credentials = state
        .services
        .idos_credentials(&actor, CompanyRef::Id(&org), slice)
        .await?;
    let page = page.answer(
        credentials,
        |c| c.id.to_string(),
        |c| IdosCredential::of(c, &org),
    );
    Ok(axum::Json(page).into_response())
}

/// Reads an idOS credential of an organization the caller administers.
#[utoipa::path(
    get,
    path = "/orgs/{org_id}/idos-credentials/{credential_key}",
    operation_id = "getIdosCredential",
    tag = "idos",
    params(OrgId, CredentialKey),
    responses(
        (status = 200, description = "The credential", body = IdosCredential, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID, or the key not a public key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization administered by the caller, or no such credential of it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_credential(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    CredentialKey(key): CredentialKey,
) -> ApiResult<Response> {
    let credential = state
        .services
        .idos_credential(&actor, CompanyRef::Id(&org), &key)
        .await?;
    Ok(tagged(
        StatusCode::OK,
        &IdosCredential::of(credential, &org),
    ))
}

/// Renames an idOS credential (its slug follows its name).
#[utoipa::path(
    patch,
    path = "/orgs/{org_id}/idos-credentials/{credential_key}",
    operation_id = "updateIdosCredential",
    tag = "idos",
    params(OrgId, CredentialKey, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = IdosCredentialPatch,
    responses(
        (status = 200, description = "The credential as renamed", body = IdosCredential, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID, the key not a public key, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization administered by the caller, or no such credential of it", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The credential has changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn update_credential(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    CredentialKey(key): CredentialKey,
    if_match: IfMatch,
    body: Body<IdosCredentialPatch>,
) -> ApiResult<Response> {
    let company = CompanyRef::Id(&org);
    let holds =
        if_match.holds(|current: &Credential| etag_of(&IdosCredential::of(current.clone(), &org)));
    let expect = if_match.is_present().then_some(&holds as _);
    let credential = state
        .services
        .idos_rename_credential(&actor, company, &key, &body.value.name, expect)
        .await?;
    Ok(tagged(
        StatusCode::OK,
        &IdosCredential::of(credential, &org),
    ))
}

/// Deletes an idOS credential with its idOS hooks, subscriptions, end users, invitations and
/// widgets; the tokens it signed are refused from then on.
#[utoipa::path(
    delete,
    path = "/orgs/{org_id}/idos-credentials/{credential_key}",
    operation_id = "deleteIdosCredential",
    tag = "idos",
    params(OrgId, CredentialKey, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a UUID, or the key not a public key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization administered by the caller, or no such credential of it", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The credential has changed since it was read", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_credential(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    CredentialKey(key): CredentialKey,
    if_match: IfMatch,
) -> ApiResult<Response> {
    let company = CompanyRef::Id(&org);
    let holds =
        if_match.holds(|current: &Credential| etag_of(&IdosCredential::of(current.clone(), &org)));
    let expect = if_match.is_present().then_some(&holds as _);
    state
        .services
        .idos_delete_credential(&actor, company, &key, expect)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Creates an idOS handler for an organization the caller administers.
#[utoipa::path(
    post,
    path = "/orgs/{org_id}/idos-handlers",
    operation_id = "createIdosHandler",
    tag = "idos",
    params(OrgId, IdempotencyParam),
    request_body = NewIdosHandler,
    responses(
        (status = 201, description = "The handler, with its private key shown this once", body = CreatedIdosHandler,
            headers(("ETag" = String), ("Location" = String), ("Cache-Control" = String, description = "no-store"))),
        (status = 400, description = "The id is not a UUID, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization administered by the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key's first request is still being answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the idempotency key was used with another request", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_handler(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    key: IdempotencyKey,
    body: Body<NewIdosHandler>,
) -> ApiResult<Response> {
    key.run(&state, &actor, &body.json, async {
        let new = &body.value;
        let request = NewHandler {
            name: new.name.clone(),
            auth_username: new.auth_username.clone(),
            auth_password: new.auth_password.clone(),
            enabled: new.enabled,
        };
        let mut made = state
            .services
            .idos_create_handler(&actor, CompanyRef::Id(&org), request)
            .await?;
        let private_key = made.private_key.take();
        let handler = IdosHandler::of(made, &org);
        let location = format!(
            "{BASE_PATH}/orgs/{org}/idos-handlers/{}",
            handler.public_key
        );
        let body = CreatedIdosHandler {
            handler,
            private_key,
        };
        Ok(created_with_key(&body.handler, &body, &location))
    })
    .await
}

/// The idOS handlers of an organization the caller administers, in creation order; never
/// their private keys or passwords.
#[utoipa::path(
    get,
    path = "/orgs/{org_id}/idos-handlers",
    operation_id = "listIdosHandlers",
    tag = "idos",
    params(OrgId, PageParams),
    responses(
        (status = 200, description = "A page of the organization's handlers", body = Paged<IdosHandler>),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization administered by the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_handlers(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    page: Page,
) -> ApiResult<Response> {
    let slice = page.slice()?;
    let handlers = state
        .services
        .idos_handlers(&actor, CompanyRef::Id(&org), slice)
        .await?;
    let page = page.answer(handlers, |h| h.id.to_string(), |h| IdosHandler::of(h, &org));
    Ok(axum::Json(page).into_response())
}

/// Reads an idOS handler of an organization the caller administers.
#[utoipa::path(
    get,
    path = "/orgs/{org_id}/idos-handlers/{handler_key}",
    operation_id = "getIdosHandler",
    tag = "idos",
    params(OrgId, HandlerKey),
    responses(
        (status = 200, description = "The handler", body = IdosHandler, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID, or the key not a public key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization administered by the caller, or no such handler of it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_handler(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    HandlerKey(key): HandlerKey,
) -> ApiResult<Response> {
    let handler = state
        .services
        .idos_handler(&actor, CompanyRef::Id(&org), HandlerRef::PublicKey(&key))
        .await?;
    Ok(tagged(StatusCode::OK, &IdosHandler::of(handler, &org)))
}

/// Changes an idOS handler: its name, its credentials for idOS (`authUsername`,
/// `authPassword`), whether it is enabled.
#[utoipa::path(
    patch,
    path = "/orgs/{org_id}/idos-handlers/{handler_key}",
    operation_id = "updateIdosHandler",
    tag = "idos",
    params(OrgId, HandlerKey, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = IdosHandlerPatch,
    responses(
        (status = 200, description = "The handler as changed", body = IdosHandler, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID, the key not a public key, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization administered by the caller, or no such handler of it", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The handler has changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn update_handler(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    HandlerKey(key): HandlerKey,
    if_match: IfMatch,
    body: Body<IdosHandlerPatch>,
) -> ApiResult<Response> {
    let company = CompanyRef::Id(&org);
    let handler = HandlerRef::PublicKey(&key);
    let holds =
        if_match.holds(|current: &Handler| etag_of(&IdosHandler::of(current.clone(), &org)));
    let expect = if_match.is_present().then_some(&holds as _);
    let patch = body.value;
    let changes = HandlerChanges {
        name: patch.name,
        auth_username: patch.auth_username,
        auth_password: patch.auth_password,
        enabled: patch.enabled,
    };
    let changed = state
        .services
        .idos_update_handler(&actor, company, handler, changes, expect)
        .await?;
    Ok(tagged(StatusCode::OK, &IdosHandler::of(changed, &org)))
}

/// Deletes an idOS handler; the tokens it signed are refused from then on.
#[utoipa::path(
    delete,
    path = "/orgs/{org_id}/idos-handlers/{handler_key}",
    operation_id = "deleteIdosHandler",
    tag = "idos",
    params(OrgId, HandlerKey, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a UUID, or the key not a public key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization administered by the caller, or no such handler of it", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The handler has changed since it was read", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_handler(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    HandlerKey(key): HandlerKey,
    if_match: IfMatch,
) -> ApiResult<Response> {
    let company = CompanyRef::Id(&org);
    let handler = HandlerRef::PublicKey(&key);
    let holds =
        if_match.holds(|current: &Handler| etag_of(&IdosHandler::of(current.clone(), &org)));
    let expect = if_match.is_present().then_some(&holds as _);
    state
        .services
        .idos_delete_handler(&actor, company, handler, expect)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
