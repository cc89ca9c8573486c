//! `/org`: the organization tree, and the templates available to an organization.

use axum::extract::State;
use futures_util::stream;
use serde_json::{Value, json};

use super::input::{Body, field, object_body, parse_id};
use super::reply::Xponent;
use super::reply::{XponentError, XponentResult, ok, ok_paged};
use crate::http::AppState;
use crate::http::kit::{Caller, PathId};
use crate::service::{Actor, Conflict, Organization, ServiceError};

const EMPTY_BODY: &str = "Body cannot be empty or null";

/// `parentId` is null for the caller's own organization: "that entry is the organization of
/// the requesting user".
fn org_json(org: &Organization, actor: &Actor) -> Value {
    let parent = if org.public_id == actor.org_public_id {
        None
    } else {
        org.parent_public_id.as_deref()
    };
    json!({ "id": org.public_id, "name": org.name, "parentId": parent })
}

/// Streamed a page at a time, so a request holds one page in memory, whatever the subtree.
pub async fn list(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
) -> XponentResult {
    let pages = state.services.list_orgs(&actor);
    let pages = stream::try_unfold((pages, actor), |(mut pages, actor)| async move {
        let page = pages.next_page().await?;
        Ok(page.map(|orgs| {
            let items = orgs.iter().map(|o| org_json(o, &actor)).collect();
            (items, (pages, actor))
        }))
    });
    ok_paged("organizations", pages).await
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
    body: Body,
) -> XponentResult {
    let object = object_body(body, EMPTY_BODY)?;
    let (name, parent) = (field(&object, "name"), field(&object, "parentId"));
    if name.is_absent() {
        return Err(XponentError::bad_request(
            "The following fields are required for a new organization: name",
        ));
    }
    if name.is_bad() || parent.is_bad() {
        return Err(XponentError::bad_request(
            "The following fields, if provided, must be non-empty strings: name, parentId",
        ));
    }
    let parent = parent.text().map(|p| parse_id(p, "parentId")).transpose()?;
    let name = name.text().unwrap_or_default();
    let org = state
        .services
        .create_org(&actor, name, parent.as_ref())
        .await?;
    Ok(ok("organizations", vec![org_json(&org, &actor)]))
}

pub async fn update(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
    PathId(org_id, _): PathId<Xponent>,
    body: Body,
) -> XponentResult {
    let object = object_body(body, EMPTY_BODY)?;
    let (name, parent) = (field(&object, "name"), field(&object, "parentId"));
    if name.is_absent() && parent.is_absent() {
        return Err(XponentError::bad_request(EMPTY_BODY));
    }
    if name.is_bad() {
        return Err(XponentError::bad_request(
            "The following fields, if provided, must be non-empty strings: name",
        ));
    }
    if parent.is_bad() {
        return Err(XponentError::bad_request(
            "The following fields, if provided, must be non-empty strings: name, parentId",
        ));
    }
    let parent = parent.text().map(|p| parse_id(p, "parentId")).transpose()?;
    let org = state
        .services
        .update_org(&actor, &org_id, name.text(), parent.as_ref())
        .await
        .map_err(|e| match e {
            ServiceError::Conflict(Conflict::OrganizationName { name }) => XponentError::conflict(
                format!("The name '{name}' is already in use by a different organization"),
            ),
            e => e.into(),
        })?;
    Ok(ok("organizations", vec![org_json(&org, &actor)]))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
    PathId(org_id, _): PathId<Xponent>,
) -> XponentResult {
    let org = state.services.delete_org(&actor, &org_id).await?;
    Ok(ok("organizations", vec![org_json(&org, &actor)]))
}

pub async fn templates(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
    PathId(org_id, _): PathId<Xponent>,
) -> XponentResult {
    let templates = state.services.org_templates(&actor, &org_id).await?;
    Ok(ok(
        "templates",
        templates
            .iter()
            .map(|t| json!({ "name": t.name, "id": t.public_id, "type": t.kind }))
            .collect(),
    ))
}
