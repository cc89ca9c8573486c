//! `/orgs`: the organization tree.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::BASE_PATH;
use super::auth::Caller;
use super::body::Body;
use super::cursor::{Page, PageParams, Paged};
use super::etag::{IfMatch, etag_of, tagged};
use super::idempotency::{IdempotencyKey, IdempotencyParam};
use super::ids::OrgId;
use super::params::Params;
use super::problem::{ApiResult, Problem};
use crate::domain::PublicId;
use crate::http::AppState;
use crate::http::wire_time::iso_millis;
use crate::service::{Actor, Organization};

/// An organization.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Org {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    /// The parent organization; null for a root organization and for the caller's own.
    #[schema(format = Uuid)]
    pub parent_id: Option<String>,
    pub region: String,
    /// When it was created (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl Org {
    /// `org` as `actor` sees it: the parent of the actor's own organization is above its
    /// reach, and shown as null.
    pub fn seen_by(org: Organization, actor: &Actor) -> Self {
        let parent_id = org
            .parent_public_id
            .filter(|_| org.public_id != actor.org_public_id);
        Self {
            id: org.public_id,
            name: org.name,
            parent_id,
            region: org.region,
            created_at: iso_millis(org.created_at),
        }
    }
}

/// A new organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewOrg {
    /// Unique in its tree; 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// The parent; the caller's own organization when absent.
    pub parent_id: Option<Uuid>,
}

/// A change to an organization: a new name, a new parent (a move), or both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgChanges {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// Moves the organization under this one, which must not be in its own subtree.
    pub parent_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// Delete the organizations below it too; without it, an organization with children is
    /// not deleted.
    #[param(default = false)]
    cascade: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubtreeParams {
    /// How many levels below the organization to include (0: itself only), up to 64.
    #[param(minimum = 0, maximum = 64, default = 64)]
    depth: Option<u32>,
}

pub fn public_id(uuid: Uuid) -> PublicId {
    PublicId::parse(&uuid.hyphenated().to_string()).expect("a UUID is a public id")
}

fn paged(page: &Page, orgs: Vec<Organization>, actor: &Actor) -> Response {
    let page = page.answer(
        orgs,
        |org| org.id.to_string(),
        |org| Org::seen_by(org, actor),
    );
    axum::Json(page).into_response()
}

/// Creates an organization below the caller's organization or below `parentId`.
#[utoipa::path(
    post,
    path = "/orgs",
    operation_id = "createOrganization",
    tag = "organizations",
    params(IdempotencyParam),
    request_body = NewOrg,
    responses(
        (status = 201, description = "The organization created", body = Org,
            headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not an Owner, or the tree is at its quota", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such parent in the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is in use in the tree, or the idempotency key's first request is still being answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the idempotency key was used with another request", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_org(
    State(state): State<AppState>,
    Caller(actor): Caller,
    key: IdempotencyKey,
    body: Body<NewOrg>,
) -> ApiResult<Response> {
    key.run(&state, &actor, &body.json, async {
        let parent = body.value.parent_id.map(public_id);
        let org = state
            .services
            .create_org(&actor, &body.value.name, parent.as_ref())
            .await?;
        let location = format!("{BASE_PATH}/orgs/{}", org.public_id);
        Ok(created(&Org::seen_by(org, &actor), &location))
    })
    .await
}

/// 201 with the new resource, its `ETag` and its `Location`.
pub fn created<T: Serialize>(representation: &T, location: &str) -> Response {
    let mut response = tagged(StatusCode::CREATED, representation);
    if let Ok(value) = location.parse() {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// Reads an organization of the caller's subtree.
#[utoipa::path(
    get,
    path = "/orgs/{org_id}",
    operation_id = "getOrganization",
    tag = "organizations",
    params(OrgId),
    responses(
        (status = 200, description = "The organization", body = Org,
            headers(("ETag" = String, description = "The organization's entity tag"))),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_org(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(id): OrgId,
) -> ApiResult<Response> {
    let org = state.services.get_org(&actor, &id).await?;
    Ok(tagged(StatusCode::OK, &Org::seen_by(org, &actor)))
}

/// Renames and/or moves an organization. With `If-Match`, refused (412) when the
/// organization has changed since it was read.
#[utoipa::path(
    patch,
    path = "/orgs/{org_id}",
    operation_id = "updateOrganization",
    tag = "organizations",
    params(OrgId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = OrgChanges,
    responses(
        (status = 200, description = "The organization as changed", body = Org,
            headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not an Owner, or moves its own organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization or parent in the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is in use, or the new parent is in the organization's own subtree", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The organization has changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn update_org(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(id): OrgId,
    if_match: IfMatch,
    body: Body<OrgChanges>,
) -> ApiResult<Response> {
    let parent = body.value.parent_id.map(public_id);
    let holds = if_match.holds(|org: &Organization| etag_of(&Org::seen_by(org.clone(), &actor)));
    let org = state
        .services
        .update_org_expecting(
            &actor,
            &id,
            body.value.name.as_deref(),
            parent.as_ref(),
            if_match.is_present().then_some(&holds as _),
        )
        .await?;
    Ok(tagged(StatusCode::OK, &Org::seen_by(org, &actor)))
}

/// Deletes an organization with its users and projects; with `cascade=true`, the
/// organizations below it too.
#[utoipa::path(
    delete,
    path = "/orgs/{org_id}",
    operation_id = "deleteOrganization",
    tag = "organizations",
    params(OrgId, DeleteParams, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not an Owner, or deletes its own organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The organization has children and cascade is not set", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The organization has changed since it was read", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_org(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(id): OrgId,
    Params(params): Params<DeleteParams>,
    if_match: IfMatch,
) -> ApiResult<Response> {
    let holds = if_match.holds(|org: &Organization| etag_of(&Org::seen_by(org.clone(), &actor)));
    let expect = if_match.is_present().then_some(&holds as _);
    if params.cascade.unwrap_or(false) {
        state.services.delete_org_tree(&actor, &id, expect).await?;
    } else {
        state
            .services
            .delete_org_expecting(&actor, &id, expect)
            .await?;
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The organization's children, a page at a time in creation order.
#[utoipa::path(
    get,
    path = "/orgs/{org_id}/children",
    operation_id = "listChildOrganizations",
    tag = "organizations",
    params(OrgId, PageParams),
    responses(
        (status = 200, description = "A page of children", body = Paged<Org>),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_children(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(id): OrgId,
    page: Page,
) -> ApiResult<Response> {
    let orgs = state
        .services
        .org_children(&actor, &id, page.after_id()?, page.fetch_size())
        .await?;
    Ok(paged(&page, orgs, &actor))
}

/// The organization and those below it down to `depth` levels, a page at a time in creation
/// order.
#[utoipa::path(
    get,
    path = "/orgs/{org_id}/subtree",
    operation_id = "listOrganizationSubtree",
    tag = "organizations",
    params(OrgId, SubtreeParams, PageParams),
    responses(
        (status = 200, description = "A page of the subtree", body = Paged<Org>),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn subtree(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(id): OrgId,
    Params(params): Params<SubtreeParams>,
    page: Page,
) -> ApiResult<Response> {
    let depth = params.depth.unwrap_or(crate::service::MAX_SUBTREE_DEPTH);
    if depth > crate::service::MAX_SUBTREE_DEPTH {
        return Err(super::problem::ApiError::bad_parameter(
            "depth",
            format!("must be from 0 to {}", crate::service::MAX_SUBTREE_DEPTH),
        ));
    }
    let orgs = state
        .services
        .org_subtree(&actor, &id, depth, page.after_id()?, page.fetch_size())
        .await?;
    Ok(paged(&page, orgs, &actor))
}

/// The organizations from the caller's own organization down to this one's parent, top
/// first (empty for the caller's own organization).
#[utoipa::path(
    get,
    path = "/orgs/{org_id}/ancestors",
    operation_id = "listOrganizationAncestors",
    tag = "organizations",
    params(OrgId),
    responses(
        (status = 200, description = "The ancestors, top first", body = Vec<Org>),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn ancestors(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(id): OrgId,
) -> ApiResult<Response> {
    let orgs = state.services.org_ancestors(&actor, &id).await?;
    let orgs: Vec<Org> = orgs
        .into_iter()
        .map(|org| Org::seen_by(org, &actor))
        .collect();
    Ok(axum::Json(orgs).into_response())
}
