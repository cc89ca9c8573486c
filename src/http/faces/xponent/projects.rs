//! `/project`: projects of an organization, created from templates, with typed connections.

use axum::extract::State;
use serde_json::{Map, Value, json};

use super::input::{Body, field, object_body, parse_id};
use super::reply::Xponent;
use super::reply::{TOKEN_NOT_VALID, XponentError, XponentResult, ok};
use crate::domain::Kind;
use crate::domain::connection::{ConnectionProblem, Rule};
use crate::http::AppState;
use crate::http::kit::{Caller, PathId};
use crate::service::{
    ConnectionRefusal, ConnectionUpdate, NewProject, Project, ProjectChanges, ServiceError,
};

fn project_json(project: &Project) -> Value {
    json!({
        "id": project.public_id,
        "name": project.name,
        "description": project.description,
        "templateId": project.template_public_id,
    })
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
    PathId(org_id, _): PathId<Xponent>,
) -> XponentResult {
    let projects = state.services.list_projects(&actor, &org_id).await?;
    Ok(ok("projects", projects.iter().map(project_json).collect()))
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
    PathId(org_id, _): PathId<Xponent>,
    body: Body,
) -> XponentResult {
    let object = object_body(body, "Body cannot empty or null")?;
    let (name, description, template) = (
        field(&object, "name"),
        field(&object, "description"),
        field(&object, "templateId"),
    );
    if name.is_absent() || description.is_absent() {
        return Err(XponentError::bad_request(
            "The following fields are required for a new project: name, description",
        ));
    }
    if name.is_bad() || description.is_bad() || template.is_bad() {
        return Err(XponentError::bad_request(
            "The following fields, if provided, must be non-empty strings: name, description, templateId",
        ));
    }
    let template = template
        .text()
        .map(|t| parse_id(t, "templateId"))
        .transpose()?;
    let (project, slots) = state
        .services
        .create_project(
            &actor,
            &org_id,
            &NewProject {
                name: name.text().unwrap_or_default(),
                description: description.text().unwrap_or_default(),
                template,
            },
        )
        .await?;
    let mut item = project_json(&project);
    if let Some(slots) = slots {
        item["connections"] = slots
            .iter()
            .map(|s| json!({ "id": s.public_id, "name": s.name, "type": s.kind }))
            .collect();
    }
    Ok(ok("projects", vec![item]))
}

/// The connections member of a project update, checked in the document's order.
fn connection_updates(object: &Map<String, Value>) -> Result<Vec<ConnectionUpdate>, XponentError> {
    let Some(connections) = object.get("connections") else {
        return Ok(Vec::new());
    };
    let Value::Array(connections) = connections else {
        return Err(XponentError::bad_request("Connections must be an array"));
    };
    connections
        .iter()
        .map(|connection| {
            let required = || {
                XponentError::bad_request(
                    "The following fields are required for each connection: id, details",
                )
            };
            let connection = connection.as_object().ok_or_else(required)?;
            let (Some(id), Some(details)) = (connection.get("id"), connection.get("details")) else {
                return Err(required());
            };
            let id = id
                .as_str()
                .and_then(crate::domain::PublicId::parse)
                .ok_or_else(|| XponentError::bad_request("Invalid format for connection id"))?;
            let details = details
                .as_object()
                .ok_or_else(|| XponentError::bad_request("Connection details must be an object"))?;
            match field(details, "type") {
                f if f.is_absent() => Err(XponentError::bad_request(
                    "The following fields are required for each connection details: type",
                )),
                f if f.is_bad() => Err(XponentError::bad_request(
                    "The following fields must be non-empty strings for all connection details: type",
                )),
                _ => Ok(ConnectionUpdate {
                    id,
                    details: details.clone(),
                }),
            }
        })
        .collect()
}

pub async fn update(
    State(state): State<AppState>,
    caller: Result<Caller<Xponent>, XponentError>,
    PathId(project_id, _): PathId<Xponent>,
    body: Body,
) -> XponentResult {
    // This route's document words the 401 with a closing period.
    let Caller(actor, _) = caller.map_err(|e| match e.message.as_str() {
        TOKEN_NOT_VALID => XponentError::unauthorized(format!("{TOKEN_NOT_VALID}.")),
        _ => e,
    })?;
    let object = object_body(body, "Body cannot be empty or null")?;
    let (name, description) = (field(&object, "name"), field(&object, "description"));
    if name.is_bad() || description.is_bad() {
        return Err(XponentError::bad_request(
            "The following fields, if provided, must be non-empty strings: name, description.",
        ));
    }
    let changes = ProjectChanges {
        name: name.text().map(str::to_owned),
        description: description.text().map(str::to_owned),
        connections: connection_updates(&object)?,
    };
    if changes.name.is_none()
        && changes.description.is_none()
        && !object.contains_key("connections")
    {
        return Err(XponentError::bad_request("Body cannot be empty or null"));
    }
    let (project, outcomes) = state
        .services
        .update_project(&actor, &project_id, &changes)
        .await
        .map_err(|e| match e {
            ServiceError::NotFound {
                kind: Kind::Project,
                id,
            } => XponentError::not_found(format!("Project with id '{id}' not found.")),
            e => e.into(),
        })?;
    let (mut success, mut failure) = (Vec::new(), Vec::new());
    for outcome in outcomes {
        match outcome.result {
            Ok(()) => success.push(json!({
                "id": outcome.public_id, "name": outcome.name, "message": "Connection updated successfully",
            })),
            Err(refusal) => failure.push(json!({
                "id": outcome.public_id, "name": outcome.name,
                "message": refusal_message(&outcome.public_id, &refusal),
            })),
        }
    }
    let mut item = project_json(&project);
    item["connections"] = json!({ "success": success, "failure": failure });
    Ok(ok("projects", vec![item]))
}

/// Why connection `id` was not saved, in the document's words. No value is quoted but the
/// `type` the client sent, so no secret is echoed.
fn refusal_message(id: &str, refusal: &ConnectionRefusal) -> String {
    let problem = match refusal {
        ConnectionRefusal::NotInProject => {
            return format!("Connection with id '{id}' not found in this project");
        }
        ConnectionRefusal::Details(problem) => problem,
    };
    match problem {
        ConnectionProblem::TypeMismatch { given, expected } => format!(
            "Connection type '{given}' does not match the template connection type '{expected}'"
        ),
        ConnectionProblem::Missing { connection, fields } => format!(
            "The following fields are required for a {connection} connection: {}",
            fields.join(", ")
        ),
        ConnectionProblem::Field { field, rule } => {
            let must = match rule {
                Rule::NonEmptyString => "must be a non-empty string".to_owned(),
                Rule::Port => "must be an integer between 1 and 65535".to_owned(),
                Rule::Boolean => "must be a boolean".to_owned(),
                Rule::Object => "must be an object".to_owned(),
                Rule::OneOf(allowed) => format!("must be one of: {}", allowed.join(", ")),
            };
            format!("The field '{field}' {must}")
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
    PathId(project_id, _): PathId<Xponent>,
) -> XponentResult {
    let project = state.services.delete_project(&actor, &project_id).await?;
    Ok(ok("projects", vec![project_json(&project)]))
}
