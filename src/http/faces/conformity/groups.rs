//! Groups: `GET/POST /groups` and `GET/PATCH/DELETE /groups/{id}`. A group's accounts are
//! those of its organisation with one of its tags.

use axum::extract::State;
use serde_json::{Map, Value, json};

use super::document::{Conformity, ConformityError, ConformityResult, Document, ok};
use super::members::{attributes, optional_text, tags};
use crate::domain::conformity::is_group_name;
use crate::http::AppState;
use crate::http::kit::{Caller, PathId};
use crate::service::{Group, GroupChanges};

const NAME: &str = "/data/attributes/name";

fn group_json(group: &Group) -> Value {
    json!({
        "type": "groups",
        "id": group.public_id,
        "attributes": {
            "name": group.name,
            "tags": group.tags,
            "created-date": group.created_at,
            "last-modified-date": group.updated_at,
        },
        "relationships": {
            "organisation": { "data": { "type": "organisations", "id": group.org_public_id } },
            "accounts": {
                "data": group.accounts.iter()
                    .map(|id| json!({ "type": "accounts", "id": id }))
                    .collect::<Vec<_>>()
            },
        },
    })
}

/// `name`, when given: not blank, and 3 to 100 letters, digits, spaces and `" - _ ' # & : , . / |`.
fn name(attributes: &Map<String, Value>) -> Result<Option<&str>, ConformityError> {
    match optional_text(attributes, "name", NAME)? {
        Some(name) if name.trim().is_empty() => {
            Err(ConformityError::invalid(NAME, "name is required"))
        }
        Some(name) if !is_group_name(name) => Err(ConformityError::invalid(
            NAME,
            "name must be 3 to 100 letters, digits, spaces or \" - _ ' # & : , . / |",
        )),
        name => Ok(name),
    }
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
) -> ConformityResult {
    let groups = state.services.list_groups(&actor).await?;
    Ok(ok(
        json!({ "data": groups.iter().map(group_json).collect::<Vec<_>>() }),
    ))
}

/// One group, as an array of one: the Conformity document and its Terraform client read it so.
pub async fn get(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
) -> ConformityResult {
    let group = state.services.get_group(&actor, &id).await?;
    Ok(ok(json!({ "data": [group_json(&group)] })))
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    Document(data): Document,
) -> ConformityResult {
    let attributes = attributes(&data)?;
    let name =
        name(attributes)?.ok_or_else(|| ConformityError::invalid(NAME, "name is required"))?;
    let tags = tags(attributes)?.unwrap_or_default();
    let group = state.services.create_group(&actor, name, &tags).await?;
    Ok(ok(json!({ "data": group_json(&group) })))
}

/// Changes `name` and `tags`; a member not given keeps its value, `tags: null` clears them.
pub async fn update(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
    Document(data): Document,
) -> ConformityResult {
    let attributes = attributes(&data)?;
    let changes = GroupChanges {
        name: name(attributes)?.map(str::to_owned),
        tags: tags(attributes)?,
    };
    let group = state.services.update_group(&actor, &id, changes).await?;
    Ok(ok(json!({ "data": group_json(&group) })))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
) -> ConformityResult {
    state.services.delete_group(&actor, &id).await?;
    Ok(ok(json!({ "meta": { "status": "deleted" } })))
}
