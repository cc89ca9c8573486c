//! The organization tree: list, create, rename, move, delete, and the templates available
//! to an organization.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use super::Services;
use super::actor::{Access, Actor};
use super::error::{Conflict, Forbidden, ServiceError, ServiceResult, on_unique};
use super::event_data;
use super::events::{Origin, event};
use super::group_commit::BatchWrite;
use super::records::{Organization, Template};
use crate::domain::events::EventType;
use crate::domain::{Kind, OrgPath, PublicId, now_millis};
use crate::store::{Exec, NewEvent, NewOrg, OrgRow, Tx, UniqueKey};

pub(crate) async fn find_org(exec: Exec<'_>, id: &PublicId, kind: Kind) -> ServiceResult<OrgRow> {
    exec.org_by_public_id(id)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            kind,
            id: id.to_string(),
        })
}

/// Inserts an organization named `name` below `parent` (the caller has authorized it) and
/// writes its creation event.
pub(crate) async fn insert_child_org(
    tx: &mut Tx,
    parent: &OrgRow,
    name: &str,
    origin: Origin<'_>,
) -> ServiceResult<OrgRow> {
    let now = now_millis();
    let id = tx
        .insert_org(
            &PublicId::new(),
            name,
            Some((parent.id, &parent.path())),
            &parent.region,
            now,
        )
        .await
        .map_err(|e| {
            on_unique(e, UniqueKey::OrganizationName, || {
                Conflict::OrganizationName {
                    name: name.to_owned(),
                }
            })
        })?;
    let org = tx.exec().org_by_id(id).await?.expect("inserted above");
    tx.insert_event(org_event(origin, EventType::OrganizationCreated, &org), now)
        .await?;
    Ok(org)
}

fn name_taken(name: &str) -> ServiceError {
    ServiceError::Conflict(Conflict::OrganizationName {
        name: name.to_owned(),
    })
}

/// One `POST /org` request, for the group-commit writer of organizations.
pub(crate) struct NewOrgRequest {
    actor: Actor,
    name: String,
    /// `None`: below the actor's own organization.
    parent: Option<PublicId>,
}

/// Creates the organizations of many requests in one transaction: one or two statements read
/// their parents, each request is authorized here, then one statement inserts the
/// organizations, one sets their paths and one writes their creation events.
pub(crate) struct NewOrgWriter;

impl BatchWrite for NewOrgWriter {
    type Job = NewOrgRequest;
    type Output = OrgRow;

    async fn write(
        &self,
        tx: &mut Tx,
        requests: &[NewOrgRequest],
    ) -> ServiceResult<Vec<ServiceResult<OrgRow>>> {
        // Each request's parent: the one it names, or the actor's own organization.
        let parent_ids: Vec<String> = requests
            .iter()
            .map(|r| match &r.parent {
                Some(id) => id.to_string(),
                None => r.actor.org_public_id.clone(),
            })
            .collect();
        let mut wanted: Vec<&str> = parent_ids.iter().map(String::as_str).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let parents: HashMap<String, OrgRow> = tx
            .exec()
            .orgs_by_public_ids(&wanted)
            .await?
            .into_iter()
            .map(|org| (org.public_id.clone(), org))
            .collect();

        // Each request's parent and new public id, or why it is refused. A name asked for
        // twice in the batch is the first request's.
        let mut names = HashSet::new();
        let checked: Vec<ServiceResult<(&OrgRow, PublicId)>> = requests
            .iter()
            .zip(&parent_ids)
            .map(|(request, parent_id)| {
                let parent = parents
                    .get(parent_id)
                    .ok_or_else(|| ServiceError::NotFound {
                        kind: Kind::ParentOrganization,
                        id: parent_id.clone(),
                    })?;
                request.actor.authorize(
                    Access::Administer,
                    &parent.path(),
                    Kind::ParentOrganization,
                    &parent.public_id,
                )?;
                if !names.insert(request.name.as_str()) {
                    return Err(name_taken(&request.name));
                }
                Ok((parent, PublicId::new()))
            })
            .collect();

        let now = now_millis();
        let new: Vec<NewOrg> = requests
            .iter()
            .zip(&checked)
            .filter_map(|(request, entry)| {
                let (parent, public_id) = entry.as_ref().ok()?;
                Some(NewOrg {
                    public_id,
                    name: &request.name,
                    parent_id: parent.id,
                    region: &parent.region,
                })
            })
            .collect();
        // A row skipped is a name taken already.
        let inserted: HashMap<String, i64> = tx
            .insert_orgs(&new, now)
            .await?
            .into_iter()
            .map(|(id, public_id)| (public_id, id))
            .collect();
        let created: Vec<ServiceResult<OrgRow>> = requests
            .iter()
            .zip(checked)
            .map(|(request, entry)| {
                let (parent, public_id) = entry?;
                let public_id = public_id.to_string();
                let id = *inserted
                    .get(&public_id)
                    .ok_or_else(|| name_taken(&request.name))?;
                Ok(OrgRow {
                    id,
                    public_id,
                    name: request.name.clone(),
                    parent_id: Some(parent.id),
                    parent_public_id: Some(parent.public_id.clone()),
                    path: parent.path().child(id).as_str().to_owned(),
                    region: parent.region.clone(),
                    created_at: now,
                })
            })
            .collect();
        let paths: Vec<(i64, OrgPath)> = created
            .iter()
            .flatten()
            .map(|org| (org.id, org.path()))
            .collect();
        tx.set_org_paths(&paths).await?;
        let events: Vec<NewEvent> = requests
            .iter()
            .zip(&created)
            .filter_map(|(request, org)| {
                let org = org.as_ref().ok()?;
                let origin = Origin::Actor(&request.actor);
                Some(org_event(origin, EventType::OrganizationCreated, org))
            })
            .collect();
        tx.insert_events(&events, now).await?;
        Ok(created)
    }
}

fn org_event(origin: Origin<'_>, kind: EventType, org: &OrgRow) -> NewEvent {
    event(origin, kind, org.into(), event_data::organization(org))
}

impl Services {
    pub async fn get_org(&self, actor: &Actor, id: &PublicId) -> ServiceResult<Organization> {
        let org = find_org(self.store.read(), id, Kind::Organization).await?;
        actor.authorize(
            Access::Read,
            &org.path(),
            Kind::Organization,
            &org.public_id,
        )?;
        Ok(org.into())
    }

    /// Creates an organization under `parent`, or under the actor's own organization.
    /// Concurrent requests are checked and written together (see `NewOrgWriter`).
    pub async fn create_org(
        &self,
        actor: &Actor,
        name: &str,
        parent: Option<&PublicId>,
    ) -> ServiceResult<Organization> {
        let org = self
            .new_orgs
            .submit(NewOrgRequest {
                actor: actor.clone(),
                name: name.to_owned(),
                parent: parent.copied(),
            })
            .await?;
        Ok(org.into())
    }

    /// Renames an organization and/or moves it under another parent in the actor's subtree.
    pub async fn update_org(
        &self,
        actor: &Actor,
        id: &PublicId,
        name: Option<&str>,
        parent: Option<&PublicId>,
    ) -> ServiceResult<Organization> {
        let mut tx = self.store.begin().await?;
        let org = find_org(tx.exec(), id, Kind::Organization).await?;
        let org_path = org.path();
        actor.authorize(
            Access::Administer,
            &org_path,
            Kind::Organization,
            &org.public_id,
        )?;
        let now = now_millis();
        let mut moved_from = None;
        if let Some(parent_id) = parent {
            let parent = find_org(tx.exec(), parent_id, Kind::ParentOrganization).await?;
            if org.parent_id != Some(parent.id) {
                // The actor's own organization is the top of its world: it cannot move it.
                if org.id == actor.org_id {
                    return Err(ServiceError::Forbidden(Forbidden::OutsideScope {
                        kind: Kind::Organization,
                        id: org.public_id,
                    }));
                }
                let parent_path = parent.path();
                actor.authorize(
                    Access::Administer,
                    &parent_path,
                    Kind::ParentOrganization,
                    &parent.public_id,
                )?;
                if parent_path.is_within(&org_path) {
                    return Err(ServiceError::Conflict(Conflict::MoveIntoOwnSubtree {
                        id: org.public_id,
                        parent: parent.public_id,
                    }));
                }
                tx.move_org(org.id, &org_path, (parent.id, &parent_path), now)
                    .await?;
                moved_from = Some(org.parent_public_id.clone());
            }
        }
        let renamed = name.is_some_and(|n| n != org.name);
        if let Some(name) = name.filter(|n| *n != org.name) {
            tx.rename_org(org.id, name, now).await.map_err(|e| {
                on_unique(e, UniqueKey::OrganizationName, || {
                    Conflict::OrganizationName {
                        name: name.to_owned(),
                    }
                })
            })?;
        }
        let updated = tx.exec().org_by_id(org.id).await?.expect("locked above");
        let origin = Origin::Actor(actor);
        if let Some(previous_parent) = moved_from {
            let mut moved = org_event(origin, EventType::OrganizationMoved, &updated);
            moved.data["previousParentId"] = json!(previous_parent);
            tx.insert_event(moved, now).await?;
        }
        if renamed {
            let mut renamed = org_event(origin, EventType::OrganizationUpdated, &updated);
            renamed.data["previousName"] = json!(org.name);
            tx.insert_event(renamed, now).await?;
        }
        tx.commit().await?;
        Ok(updated.into())
    }

    /// Deletes an organization with its users, projects and templates. Refused for the
    /// actor's own organization and while it has child organizations.
    pub async fn delete_org(&self, actor: &Actor, id: &PublicId) -> ServiceResult<Organization> {
        let mut tx = self.store.begin().await?;
        let org = find_org(tx.exec(), id, Kind::Organization).await?;
        actor.authorize(
            Access::Administer,
            &org.path(),
            Kind::Organization,
            &org.public_id,
        )?;
        if org.id == actor.org_id {
            return Err(ServiceError::Forbidden(Forbidden::OwnOrganization {
                id: org.public_id,
            }));
        }
        let has_children = || {
            ServiceError::Conflict(Conflict::HasChildOrganizations {
                id: org.public_id.clone(),
            })
        };
        if tx.exec().org_has_children(org.id).await? {
            return Err(has_children());
        }
        tx.delete_org(org.id).await.map_err(|e| match e {
            crate::store::StoreError::ForeignKey => has_children(),
            other => other.into(),
        })?;
        tx.insert_event(
            org_event(Origin::Actor(actor), EventType::OrganizationDeleted, &org),
            now_millis(),
        )
        .await?;
        tx.commit().await?;
        Ok(org.into())
    }

    /// The organization's templates and the global templates of its ancestors.
    pub async fn org_templates(
        &self,
        actor: &Actor,
        id: &PublicId,
    ) -> ServiceResult<Vec<Template>> {
        let org = find_org(self.store.read(), id, Kind::Organization).await?;
        let path = org.path();
        actor.authorize(Access::Read, &path, Kind::Organization, &org.public_id)?;
        let rows = self
            .store
            .read()
            .templates_available_to(org.id, &path)
            .await?;
        Ok(rows.into_iter().map(Template::from).collect())
    }
}
