//! Templates, projects and their connections. A template lists typed connections; a project
//! made from it has one connection per template connection, whose details are filled in
//! later, one connection at a time.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::auth::Caller;
use super::body::Body;
use super::cursor::{Page, PageParams, Paged};
use super::etag::{IfMatch, etag_of, tagged};
use super::idempotency::{IdempotencyKey, IdempotencyParam};
use super::ids::{ConnectionId, OrgId, ProjectId};
use super::orgs::{created, public_id};
use super::problem::{ApiError, ApiResult, FieldError, Problem, pointer};
use super::{BASE_PATH, Native};
use crate::domain::connection::{ConnectionProblem, Rule};
use crate::http::AppState;
use crate::http::kit::{BodyProblem, Face};
use crate::service::{
    ConnectionRefusal, ConnectionSlot, ConnectionUpdate, NewProject as ProjectRequest, Project,
    ProjectChanges, ProjectWithConnections, Template, TemplateImport, TemplateImportConnection,
};

/// A template: what a project made from it starts with.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    /// Free text: what the template is for.
    #[serde(rename = "type")]
    pub kind: String,
    /// It is available to the organizations below its own too.
    pub global: bool,
}

impl From<Template> for TemplateOut {
    fn from(template: Template) -> Self {
        Self {
            id: template.public_id,
            name: template.name,
            kind: template.kind,
            global: template.global,
        }
    }
}

/// A connection of a new template.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTemplateConnection {
    pub name: String,
    /// queue, database, soapWebService, webService, twitter, lift or email.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A new template.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTemplate {
    pub name: String,
    /// Free text: what the template is for.
    #[serde(rename = "type")]
    pub kind: String,
    /// Make it available to the organizations below this one too.
    #[serde(default)]
    pub global: bool,
    /// Copied as is into each project made from the template.
    #[serde(default)]
    pub graphs: Value,
    #[serde(default)]
    pub connections: Vec<NewTemplateConnection>,
}

/// A project, as lists show it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProjectOut {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub description: String,
    /// The template it was made from; null for a project created empty.
    #[schema(format = Uuid)]
    pub template_id: Option<String>,
}

impl From<Project> for ProjectOut {
    fn from(project: Project) -> Self {
        Self {
            id: project.public_id,
            name: project.name,
            description: project.description,
            template_id: project.template_public_id,
        }
    }
}

/// A connection of a project. Its details are write-only: they hold credentials.
#[derive(Debug, Serialize, ToSchema)]
pub struct Connection {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

impl From<ConnectionSlot> for Connection {
    fn from(slot: ConnectionSlot) -> Self {
        Self {
            id: slot.public_id,
            name: slot.name,
            kind: slot.kind,
        }
    }
}

/// A project with its connections.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectDetail {
    #[serde(flatten)]
    pub project: ProjectOut,
    pub connections: Vec<Connection>,
}

impl ProjectDetail {
    fn new(project: Project, connections: Vec<ConnectionSlot>) -> Self {
        Self {
            project: project.into(),
            connections: connections.into_iter().map(Connection::from).collect(),
        }
    }
}

/// A new project, empty or from a template available to the organization.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewProject {
    pub name: String,
    pub description: String,
    pub template_id: Option<Uuid>,
}

/// A change to a project: the members given are changed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectPatch {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// The templates available to an organization of the caller's subtree: its own and the global
/// templates of its ancestors, a page at a time.
#[utoipa::path(
    get,
    path = "/orgs/{org_id}/templates",
    operation_id = "listTemplates",
    tag = "projects",
    params(OrgId, PageParams),
    responses(
        (status = 200, description = "A page of templates", body = Paged<TemplateOut>),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_templates(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    page: Page,
) -> ApiResult<Response> {
    let templates = state
        .services
        .templates_page(&actor, &org, page.after_id()?, page.fetch_size())
        .await?;
    let page = page.answer(
        templates,
        |t| t.key.to_string(),
        |t| TemplateOut::from(t.record),
    );
    Ok(axum::Json(page).into_response())
}

/// Creates a template in an organization of the caller's subtree.
#[utoipa::path(
    post,
    path = "/orgs/{org_id}/templates",
    operation_id = "createTemplate",
    tag = "projects",
    params(OrgId, IdempotencyParam),
    request_body = NewTemplate,
    responses(
        (status = 201, description = "The template", body = TemplateOut, headers(("ETag" = String))),
        (status = 400, description = "A parameter is invalid, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization administered by the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key's first request is still being answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the idempotency key was used with another request", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_template(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    key: IdempotencyKey,
    body: Body<NewTemplate>,
) -> ApiResult<Response> {
    key.run(&state, &actor, &body.json, async {
        let new = &body.value;
        let import = TemplateImport {
            name: new.name.clone(),
            kind: new.kind.clone(),
            graphs: new.graphs.clone(),
            connections: new
                .connections
                .iter()
                .map(|c| TemplateImportConnection {
                    name: c.name.clone(),
                    kind: c.kind.clone(),
                })
                .collect(),
        };
        let template = state
            .services
            .create_org_template(&actor, &org, &import, new.global)
            .await?;
        Ok(tagged(StatusCode::CREATED, &TemplateOut::from(template)))
    })
    .await
}

/// The projects of an organization of the caller's subtree, a page at a time in creation
/// order.
#[utoipa::path(
    get,
    path = "/orgs/{org_id}/projects",
    operation_id = "listProjects",
    tag = "projects",
    params(OrgId, PageParams),
    responses(
        (status = 200, description = "A page of projects", body = Paged<ProjectOut>),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_projects(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    page: Page,
) -> ApiResult<Response> {
    let projects = state
        .services
        .projects_page(&actor, &org, page.after_id()?, page.fetch_size())
        .await?;
    let page = page.answer(
        projects,
        |p| p.key.to_string(),
        |p| ProjectOut::from(p.record),
    );
    Ok(axum::Json(page).into_response())
}

/// Creates a project in an organization of the caller's subtree, empty or from a template
/// available to it (with one connection per template connection, to be filled in).
#[utoipa::path(
    post,
    path = "/orgs/{org_id}/projects",
    operation_id = "createProject",
    tag = "projects",
    params(OrgId, IdempotencyParam),
    request_body = NewProject,
    responses(
        (status = 201, description = "The project", body = ProjectDetail,
            headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "A parameter is invalid, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The template, which the caller can see, is not available to the organization", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization administered by the caller, or no such template the caller can see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key's first request is still being answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the idempotency key was used with another request", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The template's graphs cannot be copied into a project", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_project(
    State(state): State<AppState>,
    Caller(actor): Caller,
    OrgId(org): OrgId,
    key: IdempotencyKey,
    body: Body<NewProject>,
) -> ApiResult<Response> {
    key.run(&state, &actor, &body.json, async {
        let new = &body.value;
        let request = ProjectRequest {
            name: &new.name,
            description: &new.description,
            template: new.template_id.map(public_id),
        };
        let (project, slots) = state
            .services
            .create_project(&actor, &org, &request)
            .await?;
        let project = ProjectDetail::new(project, slots.unwrap_or_default());
        let location = format!("{BASE_PATH}/projects/{}", project.project.id);
        Ok(created(&project, &location))
    })
    .await
}

/// Reads a project of the caller's subtree with its connections.
#[utoipa::path(
    get,
    path = "/projects/{project_id}",
    operation_id = "getProject",
    tag = "projects",
    params(ProjectId),
    responses(
        (status = 200, description = "The project", body = ProjectDetail, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project in the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_project(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ProjectId(id): ProjectId,
) -> ApiResult<Response> {
    let (project, connections) = state.services.project(&actor, &id).await?;
    Ok(tagged(
        StatusCode::OK,
        &ProjectDetail::new(project, connections),
    ))
}

/// The ETag of a project as the service has it now (for `If-Match`, checked in the change's
/// transaction).
fn project_etag((project, connections): &ProjectWithConnections) -> String {
    etag_of(&ProjectDetail::new(project.clone(), connections.clone()))
}

/// Renames or redescribes a project.
#[utoipa::path(
    patch,
    path = "/projects/{project_id}",
    operation_id = "updateProject",
    tag = "projects",
    params(ProjectId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = ProjectPatch,
    responses(
        (status = 200, description = "The project as changed", body = ProjectDetail, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project administered by the caller", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The project has changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn update_project(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ProjectId(id): ProjectId,
    if_match: IfMatch,
    body: Body<ProjectPatch>,
) -> ApiResult<Response> {
    let changes = ProjectChanges {
        name: body.value.name.clone(),
        description: body.value.description.clone(),
        connections: Vec::new(),
    };
    let holds = if_match.holds(project_etag);
    state
        .services
        .update_project_expecting(
            &actor,
            &id,
            &changes,
            if_match.is_present().then_some(&holds as _),
        )
        .await?;
    let (project, connections) = state.services.project(&actor, &id).await?;
    Ok(tagged(
        StatusCode::OK,
        &ProjectDetail::new(project, connections),
    ))
}

/// Deletes a project with its connections.
#[utoipa::path(
    delete,
    path = "/projects/{project_id}",
    operation_id = "deleteProject",
    tag = "projects",
    params(ProjectId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project administered by the caller", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The project has changed since it was read", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_project(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ProjectId(id): ProjectId,
    if_match: IfMatch,
) -> ApiResult<Response> {
    let holds = if_match.holds(project_etag);
    state
        .services
        .delete_project_expecting(&actor, &id, if_match.is_present().then_some(&holds as _))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Fills in (or replaces) the details of a project's connection. The details are checked
/// against the connection type's connector model; secrets among them are sealed at rest and
/// never shown again.
#[utoipa::path(
    put,
    path = "/projects/{project_id}/connections/{connection_id}",
    operation_id = "setConnectionDetails",
    tag = "projects",
    params(ProjectId, ConnectionId),
    request_body(content = Object, description = "The connection's details, as its connector model has them (`type` is the connection's type)"),
    responses(
        (status = 200, description = "The connection", body = Connection),
        (status = 400, description = "An id is not a UUID, or the body is not a JSON object", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project administered by the caller, or the project has no such connection", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The details do not fit the connection's connector model", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn set_connection(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ProjectId(id): ProjectId,
    ConnectionId(connection_id): ConnectionId,
    body: Body<Value>,
) -> ApiResult<Response> {
    let Value::Object(details) = body.value else {
        return Err(Native::body_refused(BodyProblem::NotAnObject));
    };
    let not_in_project = || {
        ApiError::not_found(format!(
            "Project '{id}' has no connection with id '{connection_id}'"
        ))
    };
    // Looked up first, so that an unknown connection changes nothing.
    let (_, slots) = state.services.project(&actor, &id).await?;
    let connection_key = connection_id.to_string();
    let slot = slots
        .into_iter()
        .find(|slot| slot.public_id == connection_key)
        .ok_or_else(not_in_project)?;
    let changes = ProjectChanges {
        connections: vec![ConnectionUpdate {
            id: connection_id,
            details,
        }],
        ..ProjectChanges::default()
    };
    let (_, outcomes) = state.services.update_project(&actor, &id, &changes).await?;
    match outcomes.into_iter().next().map(|outcome| outcome.result) {
        Some(Ok(())) => Ok(axum::Json(Connection::from(slot)).into_response()),
        Some(Err(ConnectionRefusal::Details(problem))) => Err(details_refused(&problem)),
        Some(Err(ConnectionRefusal::NotInProject)) | None => Err(not_in_project()),
    }
}

/// Why details were refused, one error per field, in the face's words. No value is quoted but
/// the `type` the client sent, so no secret is echoed.
fn details_refused(problem: &ConnectionProblem) -> ApiError {
    let errors = match problem {
        ConnectionProblem::TypeMismatch { given, expected } => vec![FieldError::at(
            pointer("type"),
            format!("'{given}' is not the connection's type, '{expected}'"),
        )],
        ConnectionProblem::Missing { connection, fields } => fields
            .iter()
            .map(|field| {
                FieldError::at(
                    pointer(field),
                    format!("is required for a {connection} connection"),
                )
            })
            .collect(),
        ConnectionProblem::Field { field, rule } => vec![FieldError::at(
            pointer(field),
            match rule {
                Rule::NonEmptyString => "must be a non-empty string".to_owned(),
                Rule::Port => "must be an integer from 1 to 65535".to_owned(),
                Rule::Boolean => "must be a boolean".to_owned(),
                Rule::Object => "must be an object".to_owned(),
                Rule::OneOf(allowed) => format!("must be one of: {}", allowed.join(", ")),
            },
        )],
    };
    ApiError::invalid(errors)
}
