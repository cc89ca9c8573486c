//! Hooks: endpoints that receive an organization's events, signed (Standard Webhooks), and
//! their delivery log.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::BASE_PATH;
use super::auth::Caller;
use super::body::Body;
use super::cursor::{Page, PageParams, Paged};
use super::etag::{IfMatch, etag_of, tagged};
use super::idempotency::{IdempotencyKey, IdempotencyParam};
use super::ids::{HookId, OrgId};
use super::orgs::{created, public_id};
use super::problem::{ApiError, ApiResult, Problem};
use crate::domain::events::rfc3339;
use crate::http::AppState;
use crate::service::{HookRequest, HookView};
use crate::store::AttemptRow;

/// A hook. Its signing secret is shown once, when it is created.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Hook {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub org_id: String,
    pub url: String,
    /// The event types it receives; empty: every type.
    pub types: Vec<String>,
    /// It receives the events of the organizations below its own too.
    pub include_descendants: bool,
    /// How many deliveries may be in flight at once.
    pub max_in_flight: i64,
    pub enabled: bool,
    /// Since when every attempt has failed; null when the last one succeeded.
    #[schema(format = DateTime)]
    pub failing_since: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<HookView> for Hook {
    fn from(hook: HookView) -> Self {
        Self {
            id: hook.id,
            org_id: hook.organization_id,
            url: hook.url,
            types: hook.types,
            include_descendants: hook.include_descendants,
            max_in_flight: hook.max_in_flight,
            enabled: hook.enabled,
            failing_since: hook.failing_since.map(rfc3339),
            created_at: rfc3339(hook.created_at),
        }
    }
}

/// A new hook, with its signing secret (`whsec_…`), shown this once: a replay of the request
/// under its `Idempotency-Key` shows it as null.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedHook {
    #[serde(flatten)]
    pub hook: Hook,
    pub secret: Option<String>,
}

/// A new hook.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewHook {
    /// An http or https URL.
    pub url: String,
    /// Event types (`organization.created`…); empty or absent: every type.
    #[serde(default)]
    pub types: Vec<String>,
    #[serde(default)]
    pub include_descendants: bool,
    /// At least 1.
    #[schema(minimum = 1)]
    pub max_in_flight: Option<u32>,
}

/// A change to a hook.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HookPatch {
    /// Disabling fails its pending deliveries; enabling sends new events again.
    pub enabled: bool,
}

/// An attempt of the delivery log.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    #[schema(format = Uuid)]
    pub event_id: String,
    pub event_type: String,
    /// The delivery's state now: pending, succeeded or failed.
    pub delivery_status: String,
    #[schema(format = DateTime)]
    pub attempted_at: String,
    /// The receiver's status; null when no answer came.
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub succeeded: bool,
    /// Why the attempt failed, when it did.
    pub error: Option<String>,
}

impl From<AttemptRow> for Attempt {
    fn from(row: AttemptRow) -> Self {
        Self {
            event_id: row.event_public_id,
            event_type: row.event_type,
            delivery_status: row.delivery_status,
            attempted_at: rfc3339(row.attempted_at),
            status_code: row.status_code,
            latency_ms: row.latency_ms,
            succeeded: row.succeeded,
            error: row.error,
        }
    }
}

/// The event to send again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Replay {
    pub event_id: Uuid,
}

/// Creates a hook for an organization of the caller's subtree.
#[utoipa::path(
    post,
    path = "/orgs/{org_id}/hooks",
    operation_id = "createHook",
    tag = "hooks",
    params(OrgId, IdempotencyParam),
    request_body = NewHook,
    responses(
        (status = 201, description = "The hook, with its secret", body = CreatedHook,
            headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "A parameter is invalid, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The tree is at its quota of hooks", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization administered by the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key's first request is still being answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the idempotency key was used with another request", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_hook(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    key: IdempotencyKey,
    body: Body<NewHook>,
) -> ApiResult<Response> {
    key.run(&state, &actor, &body.json, async {
        let new = &body.value;
        let request = HookRequest {
            org,
            url: new.url.clone(),
            types: new.types.clone(),
            include_descendants: new.include_descendants,
            max_in_flight: new.max_in_flight,
        };
        let made = state.services.create_org_hook(&actor, &request).await?;
        let hook = Hook::from(made.hook);
        let location = format!("{BASE_PATH}/hooks/{}", hook.id);
        Ok(created(
            &CreatedHook {
                hook,
                secret: Some(made.secret),
            },
            &location,
        ))
    })
    .await
}

/// The hooks of an organization of the caller's subtree, in creation order, a page at a time.
#[utoipa::path(
    get,
    path = "/orgs/{org_id}/hooks",
    operation_id = "listHooks",
    tag = "hooks",
    params(OrgId, PageParams),
    responses(
        (status = 200, description = "A page of the organization's hooks", body = Paged<Hook>),
        (status = 400, description = "The id is not a UUID, or a paging parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization administered by the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_hooks(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    page: Page,
) -> ApiResult<Response> {
    let hooks = state
        .services
        .org_hooks(&actor, &org, page.slice()?)
        .await?;
    let page = page.answer(hooks, |hook| hook.row_id.to_string(), Hook::from);
    Ok(axum::Json(page).into_response())
}

/// Reads a hook.
#[utoipa::path(
    get,
    path = "/hooks/{hook_id}",
    operation_id = "getHook",
    tag = "hooks",
    params(HookId),
    responses(
        (status = 200, description = "The hook", body = Hook, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such hook administered by the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_hook(
    State(state): State<AppState>,
    Caller(actor): Caller,
    HookId(id): HookId,
) -> ApiResult<Response> {
    let hook = state.services.org_hook(&actor, &id).await?;
    Ok(tagged(StatusCode::OK, &Hook::from(hook)))
}

/// The ETag of a hook as the service has it now (for `If-Match`, checked in the change's
/// transaction).
fn hook_etag(hook: &HookView) -> String {
    etag_of(&Hook::from(hook.clone()))
}

/// Enables or disables a hook.
#[utoipa::path(
    patch,
    path = "/hooks/{hook_id}",
    operation_id = "updateHook",
    tag = "hooks",
    params(HookId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = HookPatch,
    responses(
        (status = 200, description = "The hook as changed", body = Hook, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such hook administered by the caller", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The hook has changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn update_hook(
    State(state): State<AppState>,
    Caller(actor): Caller,
    HookId(id): HookId,
    if_match: IfMatch,
    body: Body<HookPatch>,
) -> ApiResult<Response> {
    let holds = if_match.holds(hook_etag);
    let hook = state
        .services
        .set_org_hook_enabled(
            &actor,
            &id,
            body.value.enabled,
            if_match.is_present().then_some(&holds as _),
        )
        .await?;
    Ok(tagged(StatusCode::OK, &Hook::from(hook)))
}

/// Deletes a hook with its pending deliveries and its delivery log.
#[utoipa::path(
    delete,
    path = "/hooks/{hook_id}",
    operation_id = "deleteHook",
    tag = "hooks",
    params(HookId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such hook administered by the caller", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The hook has changed since it was read", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_hook(
    State(state): State<AppState>,
    Caller(actor): Caller,
    HookId(id): HookId,
    if_match: IfMatch,
) -> ApiResult<Response> {
    let holds = if_match.holds(hook_etag);
    state
        .services
        .delete_org_hook(&actor, &id, if_match.is_present().then_some(&holds as _))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The hook's delivery log, newest attempt first, a page at a time.
#[utoipa::path(
    get,
    path = "/hooks/{hook_id}/deliveries",
    operation_id = "listHookDeliveries",
    tag = "hooks",
    params(HookId, PageParams),
    responses(
        (status = 200, description = "A page of attempts", body = Paged<Attempt>),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such hook administered by the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn deliveries(
    State(state): State<AppState>,
    Caller(actor): Caller,
    HookId(id): HookId,
    page: Page,
) -> ApiResult<Response> {
    let attempts = state
        .services
        .org_hook_attempts(&actor, &id, page.after_id()?, page.fetch_size())
        .await?;
    let page = page.answer(attempts, |row| row.id.to_string(), Attempt::from);
    Ok(axum::Json(page).into_response())
}

/// Sends an event to the hook again, whatever became of its delivery.
#[utoipa::path(
    post,
    path = "/hooks/{hook_id}/replay",
    operation_id = "replayHookDelivery",
    tag = "hooks",
    params(HookId, IdempotencyParam),
    request_body = Replay,
    responses(
        (status = 202, description = "The delivery is due again"),
        (status = 400, description = "The id is not a UUID, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such hook administered by the caller, or the hook never had this event", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key's first request is still being answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the idempotency key was used with another request", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn replay(
    State(state): State<AppState>,
    Caller(actor): Caller,
    HookId(id): HookId,
    key: IdempotencyKey,
    body: Body<Replay>,
) -> ApiResult<Response> {
    key.run(&state, &actor, &body.json, async {
        let event = public_id(body.value.event_id);
        if state
            .services
            .replay_org_delivery(&actor, &id, &event)
            .await?
        {
            Ok(StatusCode::ACCEPTED.into_response())
        } else {
            Err(ApiError::not_found(format!(
                "Hook '{id}' has no delivery of event '{event}'"
            )))
        }
    })
    .await
}
