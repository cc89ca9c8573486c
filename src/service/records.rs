//! What the services return: plain records that faces render in their own wire formats.

use crate::domain::connection::ConnectionProblem;
use crate::domain::{Millis, Role};
use crate::store::{ListedUserRow, OrgRow, ProjectRow, TemplateRow, UserRow};

#[derive(Debug, Clone)]
pub struct Organization {
    /// The numeric id, for faces that speak integers.
    pub id: i64,
    pub public_id: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub parent_public_id: Option<String>,
    pub region: String,
    pub created_at: Millis,
}

impl From<OrgRow> for Organization {
    fn from(row: OrgRow) -> Self {
        Self {
            id: row.id,
            public_id: row.public_id.to_string(),
            name: row.name,
            parent_id: row.parent_id,
            parent_public_id: row.parent_public_id.map(|id| id.to_string()),
            region: row.region,
            created_at: row.created_at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ProjectMembership {
    pub project_public_id: String,
    pub role: String,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub public_id: String,
    pub name: String,
    pub email: String,
    pub org_public_id: String,
    pub role: Role,
    pub partner: bool,
    pub projects: Vec<ProjectMembership>,
}

impl User {
    pub(crate) fn from_row(row: UserRow, projects: Vec<ProjectMembership>) -> Self {
        Self {
            id: row.id,
            public_id: row.public_id.to_string(),
            name: row.name,
            email: row.email.to_string(),
            org_public_id: row.org_public_id.to_string(),
            role: row.role,
            partner: row.partner,
            projects,
        }
    }

    pub(crate) fn listed(row: ListedUserRow, projects: Vec<ProjectMembership>) -> Self {
        Self {
            id: row.id,
            public_id: row.public_id.to_string(),
            name: row.name,
            email: row.email.to_string(),
            org_public_id: row.org_public_id.to_string(),
            role: row.role,
            partner: row.partner,
            projects,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Template {
    pub public_id: String,
    pub name: String,
    pub kind: String,
    pub global: bool,
}

impl From<TemplateRow> for Template {
    fn from(row: TemplateRow) -> Self {
        Self {
            public_id: row.public_id.to_string(),
            name: row.name,
            kind: row.kind,
            global: row.global,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Project {
    pub public_id: String,
    pub name: String,
    pub description: String,
    pub template_public_id: Option<String>,
}

impl From<ProjectRow> for Project {
    fn from(row: ProjectRow) -> Self {
        Self {
            public_id: row.public_id.to_string(),
            name: row.name,
            description: row.description,
            template_public_id: row.template_public_id.map(|id| id.to_string()),
        }
    }
}

/// A connection of a project, as created from its template's connection.
#[derive(Debug, Clone)]
pub struct ConnectionSlot {
    pub public_id: String,
    pub name: String,
    pub kind: String,
}

/// What became of one connection in a project update.
#[derive(Debug, Clone)]
pub struct ConnectionOutcome {
    pub public_id: String,
    /// Empty when the id names no connection of the project.
    pub name: String,
    pub result: Result<(), ConnectionRefusal>,
}

/// Why a connection of a project update was not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionRefusal {
    /// The id names no connection of the project.
    NotInProject,
    /// The details do not fit the connection's connector model.
    Details(ConnectionProblem),
}

/// A bearer token, shown once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub expires_at: Millis,
}

/// An API key as it may be shown: never the key itself.
#[derive(Debug, Clone)]
pub struct ApiKey {
    /// The row id: the key of a page's cursor, never shown.
    pub id: i64,
    pub public_id: String,
    pub status: String,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
}

impl From<crate::store::ApiKeyRow> for ApiKey {
    fn from(row: crate::store::ApiKeyRow) -> Self {
        Self {
            id: row.id,
            public_id: row.public_id.to_string(),
            status: row.status.as_str().to_owned(),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        }
    }
}

/// A Cloud Conformity external ID: the organisation's singleton or a temporary one.
#[derive(Debug, Clone)]
pub struct ExternalId {
    pub id: String,
    pub valid_until: Millis,
}

#[derive(Debug, Clone)]
pub struct CloudAccount {
    pub public_id: String,
    pub org_public_id: String,
    pub name: String,
    pub environment: String,
    pub tags: Vec<String>,
    pub aws_account_id: String,
    pub role_arn: String,
    pub external_id: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl From<crate::store::CloudAccountRow> for CloudAccount {
    fn from(row: crate::store::CloudAccountRow) -> Self {
        Self {
            public_id: row.public_id.to_string(),
            org_public_id: row.org_public_id.to_string(),
            name: row.name,
            environment: row.environment,
            tags: row.tags.0,
            aws_account_id: row.aws_account_id,
            role_arn: row.role_arn,
            external_id: row.external_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}
