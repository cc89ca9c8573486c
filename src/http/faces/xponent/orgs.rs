//! `/org`: the organization tree, and the templates available to an organization.

use std::sync::{Arc, LazyLock};

use axum::extract::State;
use futures_util::stream;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::input::{Body, field, object_body, parse_id};
use super::reply::Xponent;
use super::reply::{XponentError, XponentResult, ok, ok_paged};
use crate::http::AppState;
use crate::http::kit::renderings::{Rendered, Renderings};
use crate::http::kit::{Caller, PathId};
use crate::service::{Actor, Conflict, Organization, ServiceError};

const EMPTY_BODY: &str = "Body cannot be empty or null";

/// An organization as this face shows it, serialized straight from the record. `parentId` is
/// null for the caller's own organization: "that entry is the organization of the requesting
/// user". Fields are in the alphabetical order the answers have always had.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrgReply<'a> {
    id: &'a str,
    name: &'a str,
    parent_id: Option<&'a str>,
}

impl<'a> OrgReply<'a> {
    fn new(org: &'a Organization, actor_org: &str) -> Self {
        Self {
            id: &org.public_id,
            name: &org.name,
            parent_id: (org.public_id != actor_org)
                .then_some(org.parent_public_id.as_deref())
                .flatten(),
        }
    }
}

fn org_json(org: &Organization, actor: &Actor) -> Value {
    serde_json::to_value(OrgReply::new(org, &actor.org_public_id)).expect("an org serializes")
}

/// An organization of a streamed list: its place in a page shared with the subtree cache (no
/// copy per request), the page's JSON when it was rendered once for every request, and the
/// caller's organization (whose parent is not shown).
struct ListedOrg {
    page: Arc<[Organization]>,
    rendered: Option<Rendered>,
    index: usize,
    caller_org: Arc<str>,
}

impl Serialize for ListedOrg {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let org = &self.page[self.index];
        match &self.rendered {
            Some(rendered) if org.public_id != *self.caller_org => {
                rendered[self.index].serialize(serializer)
            }
            _ => OrgReply::new(org, &self.caller_org).serialize(serializer),
        }
    }
}

/// The organizations of cached subtrees as every caller below their root sees them (with
/// their parent); the one caller whose organization it is gets that one rendered anew.
static RENDERED_ORGS: LazyLock<Renderings<Organization>> = LazyLock::new(Renderings::new);

fn render_listed(org: &Organization) -> Box<RawValue> {
    serde_json::value::to_raw_value(&OrgReply::new(org, "")).expect("an org serializes")
}

/// Streamed a page at a time (`kit::stream`), so a request holds at most two pages in memory,
/// whatever the subtree.
pub async fn list(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
) -> XponentResult {
    let pages = state.services.list_orgs(&actor);
    let caller_org: Arc<str> = actor.org_public_id.as_str().into();
    let pages = stream::try_unfold((pages, caller_org), |(mut pages, caller_org)| async move {
        let page = pages.next_page().await?;
        let shared = pages.page_is_shared();
        Ok(page.map(|page| {
            let rendered = shared.then(|| RENDERED_ORGS.of(&page, render_listed));
            let items = (0..page.len())
                .map(|index| ListedOrg {
                    page: page.clone(),
                    rendered: rendered.clone(),
                    index,
                    caller_org: caller_org.clone(),
                })
                .collect();
            (items, (pages, caller_org))
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
