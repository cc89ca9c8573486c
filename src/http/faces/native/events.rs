//! `/events`: the audit log of the caller's subtree, newest first.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::auth::Caller;
use super::cursor::{Page, PageParams, Paged};
use super::orgs::public_id;
use super::params::Params;
use super::problem::{ApiError, ApiResult, Problem};
use crate::domain::Millis;
use crate::domain::events::{EventType, rfc3339};
use crate::http::AppState;
use crate::service::AuditQuery;
use crate::store::EventRow;

/// A change, as the audit log keeps it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventOut {
    #[schema(format = Uuid)]
    pub id: String,
    /// What happened: `organization.created`, `user.updated`…
    #[serde(rename = "type")]
    pub kind: String,
    /// The organization the change belongs to.
    #[schema(format = Uuid)]
    pub organization_id: String,
    #[schema(format = DateTime)]
    pub occurred_at: String,
    /// Who made the change: its kind, organization, user or API key, and credential kind.
    pub actor: Value,
    /// The `x-request-id` of the request that made it.
    pub request_id: Option<String>,
    /// The resource after the change (for a deletion, what was deleted).
    pub data: Value,
}

impl From<EventRow> for EventOut {
    fn from(row: EventRow) -> Self {
        Self {
            id: row.public_id,
            kind: row.kind,
            organization_id: row.org_public_id,
            occurred_at: rfc3339(row.occurred_at),
            actor: serde_json::from_str(&row.actor).unwrap_or(Value::Null),
            request_id: row.request_id,
            data: serde_json::from_str(&row.data).unwrap_or(Value::Null),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct EventFilterParams {
    /// Events of this organization and of those below it.
    #[param(format = Uuid)]
    org_id: Option<Uuid>,
    /// Events of this type, e.g. `organization.created`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    kind: Option<String>,
    /// Events made by this user or API key.
    #[param(format = Uuid)]
    actor: Option<Uuid>,
    /// Events at or after this time (RFC 3339).
    #[param(format = DateTime)]
    since: Option<String>,
    /// Events before this time (RFC 3339).
    #[param(format = DateTime)]
    until: Option<String>,
}

fn millis(name: &str, text: Option<&str>) -> ApiResult<Option<Millis>> {
    text.map(|text| {
        OffsetDateTime::parse(text, &Rfc3339)
            .map(|moment| (moment.unix_timestamp_nanos() / 1_000_000) as Millis)
            .map_err(|_| ApiError::bad_parameter(name, "is not an RFC 3339 time"))
    })
    .transpose()
}

/// The events of the caller's subtree, newest first, a page at a time.
#[utoipa::path(
    get,
    path = "/events",
    operation_id = "listEvents",
    tag = "events",
    params(EventFilterParams, PageParams),
    responses(
        (status = 200, description = "A page of events, newest first", body = Paged<EventOut>),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_events(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Params(filter): Params<EventFilterParams>,
    page: Page,
) -> ApiResult<Response> {
    if let Some(kind) = &filter.kind
        && EventType::parse(kind).is_none()
    {
        return Err(ApiError::bad_parameter("type", "is not an event type"));
    }
    let query = AuditQuery {
        org: filter.org_id.map(public_id),
        kind: filter.kind,
        actor: filter.actor.map(public_id),
        since: millis("since", filter.since.as_deref())?,
        until: millis("until", filter.until.as_deref())?,
    };
    let events = state
        .services
        .audit_events(&actor, &query, page.after_id()?, page.fetch_size())
        .await?;
    let page = page.answer(events, |event| event.id.to_string(), EventOut::from);
    Ok(axum::Json(page).into_response())
}
