//! Projects, created empty or from a template, and their typed connections.

use anyhow::Context;
use serde_json::{Map, Value, json};

use super::Services;
use super::actor::{Access, Actor};
use super::error::TextField;
use super::error::{Forbidden, ServiceError, ServiceResult, internal};
use super::event_data;
use super::events::{EventOrg, Origin, event};
use super::lookup::{find_org, find_org_locked, parse_free_text, parse_name};
use super::precondition::{self, Expect};
use super::project_reads::connection_slots;
use super::records::{ConnectionOutcome, ConnectionRefusal, ConnectionSlot, Project};
use crate::crypto::SealContext;
use crate::domain::connection::validate_details;
use crate::domain::events::EventType;
use crate::domain::{Kind, PublicId, now_millis};
use crate::store::{Exec, NewConnection, NewEvent, ProjectRow, RowLock, Tx};

pub struct NewProject<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub template: Option<PublicId>,
}

/// One connection to fill in: its id (from the project's creation) and its details.
pub struct ConnectionUpdate {
    pub id: PublicId,
    pub details: Map<String, Value>,
}

#[derive(Default)]
pub struct ProjectChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub connections: Vec<ConnectionUpdate>,
}

async fn find_project(exec: Exec<'_>, id: &PublicId) -> ServiceResult<ProjectRow> {
    exec.project_by_public_id(id)
        .await
        .with_context(|| format!("reading project {id}"))?
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::Project,
            id: id.to_string(),
        })
}

/// `find_project` in a write transaction, locking the row against a concurrent change or
/// deletion (see `store::RowLock`).
async fn find_project_locked(tx: &mut Tx, id: &PublicId) -> ServiceResult<ProjectRow> {
    tx.project_locked(id, RowLock::Update)
        .await
        .with_context(|| format!("reading and locking project {id}"))?
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::Project,
            id: id.to_string(),
        })
}

/// A project with its connections, as a caller reads it (what `If-Match` is checked of).
pub type ProjectWithConnections = (Project, Vec<ConnectionSlot>);

/// The project `id` for a change by `actor`: locked, authorized on the locked row, and
/// refused unless `expect` holds of it (with its connections) as it is now.
async fn project_for_change(
    tx: &mut Tx,
    actor: &Actor,
    id: &PublicId,
    expect: Expect<'_, ProjectWithConnections>,
) -> ServiceResult<ProjectRow> {
    let project = find_project_locked(tx, id).await?;
    actor.authorize(
        Access::Administer,
        &project.org_path,
        Kind::Project,
        project.public_id,
    )?;
    if expect.is_some() {
        let current = (
            Project::from(project.clone()),
            connection_slots(tx.exec(), project.id).await?,
        );
        precondition::check(expect, &current, Kind::Project, &id.to_string())?;
    }
    Ok(project)
}

fn project_event(actor: &Actor, kind: EventType, org: EventOrg, project: &ProjectRow) -> NewEvent {
    event(
        Origin::Actor(actor),
        kind,
        org,
        event_data::project(project),
    )
}

/// The organization of a project, for its events.
async fn project_org(tx: &mut Tx, project: &ProjectRow) -> ServiceResult<EventOrg> {
    let org = tx
        .exec()
        .org_by_id(project.org_id)
        .await
        .with_context(|| format!("reading the organization of project {}", project.public_id))?
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::Organization,
            id: project.org_id.to_string(),
        })?;
    Ok((&org).into())
}

impl Services {
    pub async fn list_projects(
        &self,
        actor: &Actor,
        org_id: &PublicId,
    ) -> ServiceResult<Vec<Project>> {
        let org = find_org(self.store.read(), org_id, Kind::Organization).await?;
        actor.authorize(Access::Read, &org.path, Kind::Organization, org.public_id)?;
        let rows = self
            .store
            .read()
            .projects_of_org(org.id)
            .await
            .context("reading the projects of an organization")?;
        Ok(rows.into_iter().map(Project::from).collect())
    }

    /// Creates a project; from a template, it copies the template's graphs and creates one
    /// connection (to be filled in later) per template connection.
    pub async fn create_project(
        &self,
        actor: &Actor,
        org_id: &PublicId,
        new: &NewProject<'_>,
    ) -> ServiceResult<(Project, Option<Vec<ConnectionSlot>>)> {
        parse_name(new.name, TextField::Name)?;
        parse_free_text(new.description, TextField::Description)?;
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create a project")?;
        // Locked against its deletion until the project is in.
        let org = find_org_locked(&mut tx, org_id, Kind::Organization, RowLock::KeyShare).await?;
        actor.authorize(
            Access::Administer,
            &org.path,
            Kind::Organization,
            org.public_id,
        )?;

        let template = match &new.template {
            None => None,
            Some(template_id) => {
                let template = tx
                    .exec()
                    .template_by_public_id(template_id)
                    .await
                    .with_context(|| format!("reading template {template_id}"))?
                    .ok_or_else(|| ServiceError::NotFound {
                        kind: Kind::Template,
                        id: template_id.to_string(),
                    })?;
                let available = template.org_id == org.id
                    || (template.global && org.path.is_within(&template.org_path));
                if !available {
                    let within_reach = template.org_path.is_within(&actor.org_path)
                        || (template.global && actor.org_path.is_within(&template.org_path));
                    return Err(ServiceError::Forbidden(Forbidden::TemplateNotAllowed {
                        template: template.public_id.to_string(),
                        org: org.public_id.to_string(),
                        within_reach,
                    }));
                }
                if serde_json::from_str::<Value>(&template.graphs).is_err() {
                    return Err(ServiceError::TemplateGeneration {
                        template: template.public_id.to_string(),
                    });
                }
                Some(template)
            }
        };

        let now = now_millis();
        let public_id = PublicId::new();
        let project_id = tx
            .insert_project(
                &public_id,
                org.id,
                new.name,
                new.description,
                template.as_ref().map(|t| t.id),
                template.as_ref().map(|t| t.graphs.as_str()),
                now,
            )
            .await
            .context("inserting a project")?;
        let slots = match &template {
            None => None,
            Some(template) => {
                let mut slots = Vec::new();
                let connections = tx
                    .exec()
                    .template_connections(template.id)
                    .await
                    .context("reading a template's connections")?;
                for (position, connection) in connections.into_iter().enumerate() {
                    let id = PublicId::new();
                    tx.insert_project_connection(
                        project_id,
                        position as i64,
                        &NewConnection {
                            public_id: &id,
                            name: &connection.name,
                            kind: connection.kind,
                        },
                        now,
                    )
                    .await
                    .context("inserting a project's connection")?;
                    slots.push(ConnectionSlot {
                        public_id: id.to_string(),
                        name: connection.name,
                        kind: connection.kind.as_str().to_owned(),
                    });
                }
                Some(slots)
            }
        };
        let row = find_project(tx.exec(), &public_id).await?;
        let mut created = project_event(actor, EventType::ProjectCreated, (&org).into(), &row);
        if let Some(slots) = &slots {
            created.data["connections"] = slots
                .iter()
                .map(|slot| json!({ "id": slot.public_id, "name": slot.name, "type": slot.kind }))
                .collect();
        }
        tx.insert_event(created, now)
            .await
            .context("writing a project's creation event")?;
        tx.commit().await.context("committing a new project")?;
        Ok((row.into(), slots))
    }

    /// Renames or redescribes a project and fills in connections. Each connection is
    /// checked against its connector model on its own: a bad one is reported, not fatal.
    pub async fn update_project(
        &self,
        actor: &Actor,
        project_id: &PublicId,
        changes: &ProjectChanges,
    ) -> ServiceResult<(Project, Vec<ConnectionOutcome>)> {
        self.update_project_expecting(actor, project_id, changes, None)
            .await
    }

    /// `update_project`, made only if `expect` holds of the project as it is when locked.
    pub async fn update_project_expecting(
        &self,
        actor: &Actor,
        project_id: &PublicId,
        changes: &ProjectChanges,
        expect: Expect<'_, ProjectWithConnections>,
    ) -> ServiceResult<(Project, Vec<ConnectionOutcome>)> {
        if let Some(name) = &changes.name {
            parse_name(name, TextField::Name)?;
        }
        if let Some(description) = &changes.description {
            parse_free_text(description, TextField::Description)?;
        }
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to update a project")?;
        let project = project_for_change(&mut tx, actor, project_id, expect).await?;
        let now = now_millis();
        tx.update_project(
            project.id,
            changes.name.as_deref().unwrap_or(&project.name),
            changes
                .description
                .as_deref()
                .unwrap_or(&project.description),
            now,
        )
        .await
        .context("updating a project")?;

        let existing = tx
            .exec()
            .project_connections(project.id)
            .await
            .context("reading a project's connections")?;
        let org = project_org(&mut tx, &project).await?;
        let mut outcomes = Vec::with_capacity(changes.connections.len());
        for update in &changes.connections {
            let public_id = update.id.to_string();
            let Some(connection) = existing.iter().find(|c| c.public_id == update.id) else {
                outcomes.push(ConnectionOutcome {
                    public_id,
                    name: String::new(),
                    result: Err(ConnectionRefusal::NotInProject),
                });
                continue;
            };
            let result = validate_details(connection.kind, &update.details)
                .map_err(ConnectionRefusal::Details);
            if result.is_ok() {
                let details = Value::Object(update.details.clone()).to_string();
                let sealed = self
                    .sealer
                    .seal_str(
                        &details,
                        SealContext::ConnectionDetails {
                            connection_id: connection.id,
                        },
                    )
                    .map_err(|e| internal(e, "sealing a connection's details"))?;
                tx.set_connection_details(connection.id, &sealed, now)
                    .await
                    .context("storing a connection's details")?;
                let updated = event(
                    Origin::Actor(actor),
                    EventType::ProjectConnectionUpdated,
                    org.clone(),
                    event_data::connection(&project, connection),
                );
                tx.insert_event(updated, now)
                    .await
                    .context("writing a connection's update event")?;
            }
            outcomes.push(ConnectionOutcome {
                public_id,
                name: connection.name.clone(),
                result,
            });
        }
        let updated = find_project(tx.exec(), project_id).await?;
        tx.insert_event(
            project_event(actor, EventType::ProjectUpdated, org, &updated),
            now,
        )
        .await
        .context("writing a project's update event")?;
        tx.commit().await.context("committing a project's update")?;
        Ok((updated.into(), outcomes))
    }

    pub async fn delete_project(
        &self,
        actor: &Actor,
        project_id: &PublicId,
    ) -> ServiceResult<Project> {
        self.delete_project_expecting(actor, project_id, None).await
    }

    /// `delete_project`, made only if `expect` holds of the project as it is when locked.
    pub async fn delete_project_expecting(
        &self,
        actor: &Actor,
        project_id: &PublicId,
        expect: Expect<'_, ProjectWithConnections>,
    ) -> ServiceResult<Project> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete a project")?;
        let project = project_for_change(&mut tx, actor, project_id, expect).await?;
        let org = project_org(&mut tx, &project).await?;
        tx.delete_project(project.id)
            .await
            .context("deleting a project")?;
        tx.insert_event(
            project_event(actor, EventType::ProjectDeleted, org, &project),
            now_millis(),
        )
        .await
        .context("writing a project's deletion event")?;
        tx.commit()
            .await
            .context("committing a project's deletion")?;
        Ok(project.into())
    }
}
