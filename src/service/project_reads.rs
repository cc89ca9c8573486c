//! Reads of projects and templates a page at a time, and of one project with its connections.

use anyhow::Context;

use super::Services;
use super::actor::{Access, Actor};
use super::error::{ServiceError, ServiceResult};
use super::lookup::find_org;
use super::records::{ConnectionSlot, Project, Template};
use crate::domain::{Kind, PublicId};
use crate::store::Exec;

/// A record of a page, with the key that orders its list.
pub struct Keyed<T> {
    pub key: i64,
    pub record: T,
}

impl Services {
    /// The projects of an organization the actor may read, `limit` at most after the project
    /// whose key is `after`.
    pub async fn projects_page(
        &self,
        actor: &Actor,
        org_id: &PublicId,
        after: Option<i64>,
        limit: u32,
    ) -> ServiceResult<Vec<Keyed<Project>>> {
        let org = find_org(self.store.read(), org_id, Kind::Organization).await?;
        actor.authorize(Access::Read, &org.path, Kind::Organization, org.public_id)?;
        let rows = self
            .store
            .read()
            .projects_of_org_page(org.id, after.unwrap_or(0), i64::from(limit))
            .await
            .context("reading a page of an organization's projects")?;
        Ok(rows
            .into_iter()
            .map(|row| Keyed {
                key: row.id,
                record: row.into(),
            })
            .collect())
    }

    /// The templates available to an organization the actor may read (its own and the
    /// global templates of its ancestors), `limit` at most after the template keyed `after`.
    pub async fn templates_page(
        &self,
        actor: &Actor,
        org_id: &PublicId,
        after: Option<i64>,
        limit: u32,
    ) -> ServiceResult<Vec<Keyed<Template>>> {
        let org = find_org(self.store.read(), org_id, Kind::Organization).await?;
        actor.authorize(Access::Read, &org.path, Kind::Organization, org.public_id)?;
        let rows = self
            .store
            .read()
            .templates_available_page(org.id, &org.path, after.unwrap_or(0), i64::from(limit))
            .await
            .context("reading a page of the templates available to an organization")?;
        Ok(rows
            .into_iter()
            .map(|row| Keyed {
                key: row.id,
                record: row.into(),
            })
            .collect())
    }

    /// A project the actor may read, with its connections in their template's order.
    pub async fn project(
        &self,
        actor: &Actor,
        project_id: &PublicId,
    ) -> ServiceResult<(Project, Vec<ConnectionSlot>)> {
        let row = self
            .store
            .read()
            .project_by_public_id(project_id)
            .await
            .with_context(|| format!("reading project {project_id}"))?
            .ok_or_else(|| ServiceError::NotFound {
                kind: Kind::Project,
                id: project_id.to_string(),
            })?;
        actor.authorize(Access::Read, &row.org_path, Kind::Project, row.public_id)?;
        let slots = connection_slots(self.store.read(), row.id).await?;
        Ok((row.into(), slots))
    }
}

/// The connections of project `project_id` (the store's key), in their template's order.
pub(super) async fn connection_slots(
    exec: Exec<'_>,
    project_id: i64,
) -> ServiceResult<Vec<ConnectionSlot>> {
    let connections = exec
        .project_connections(project_id)
        .await
        .context("reading a project's connections")?;
    Ok(connections
        .into_iter()
        .map(|connection| ConnectionSlot {
            public_id: connection.public_id.to_string(),
            name: connection.name,
            kind: connection.kind.as_str().to_owned(),
        })
        .collect())
}
