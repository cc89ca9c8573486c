//! The organization tree: list, create, rename, move, delete, and the templates available
//! to an organization.

use std::collections::{HashMap, HashSet};

use anyhow::Context;

use super::Services;
use super::actor::{Access, Actor};
use super::error::{Conflict, Forbidden, ServiceError, ServiceResult, internal, on_unique};
use super::group_commit::BatchWrite;
use super::lookup::find_org;
use super::org_writes::org_event;
use super::records::{Organization, Template};
use crate::domain::{Kind, OrgPath, PublicId, now_millis};
use crate::store::{NewEvent, NewOrg, OrgRow, Store, StoreError, Tx, UniqueKey};

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
pub(crate) struct NewOrgWriter {
    pub(crate) store: Store,
}

impl BatchWrite for NewOrgWriter {
    type Job = NewOrgRequest;
    type Output = OrgRow;

    async fn write(&self, requests: &[NewOrgRequest]) -> ServiceResult<Vec<ServiceResult<OrgRow>>> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create organizations")?;
        let created = insert_orgs(&mut tx, requests).await?;
        tx.commit().await.context("committing new organizations")?;
        Ok(created)
    }
}

/// `NewOrgWriter`'s work in `tx`.
async fn insert_orgs(
    tx: &mut Tx,
    requests: &[NewOrgRequest],
) -> ServiceResult<Vec<ServiceResult<OrgRow>>> {
    // Each request's parent: the one it names, or the actor's own organization (whose
    // public id, read from the store, parses).
    let parent_ids: Vec<Option<PublicId>> = requests
        .iter()
        .map(|r| r.parent.or_else(|| PublicId::parse(&r.actor.org_public_id)))
        .collect();
    let mut wanted: Vec<PublicId> = parent_ids.iter().flatten().copied().collect();
    wanted.sort_unstable();
    wanted.dedup();
    let parents: HashMap<PublicId, OrgRow> = tx
        .exec()
        .orgs_by_public_ids(&wanted)
        .await
        .context("reading the parents of new organizations")?
        .into_iter()
        .map(|org| (org.public_id, org))
        .collect();

    // Each request's parent and new public id, or why it is refused. A name asked for
    // twice in the batch is the first request's.
    let mut names = HashSet::new();
    let checked: Vec<ServiceResult<(&OrgRow, PublicId)>> = requests
        .iter()
        .zip(&parent_ids)
        .map(|(request, parent_id)| {
            let parent = parent_id.and_then(|id| parents.get(&id)).ok_or_else(|| {
                ServiceError::NotFound {
                    kind: Kind::ParentOrganization,
                    id: request
                        .parent
                        .map_or_else(|| request.actor.org_public_id.clone(), |id| id.to_string()),
                }
            })?;
            request.actor.authorize(
                Access::Administer,
                &parent.path,
                Kind::ParentOrganization,
                parent.public_id,
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
    let inserted: HashMap<PublicId, i64> = tx
        .insert_orgs(&new, now)
        .await
        .context("inserting new organizations")?
        .into_iter()
        .map(|(id, public_id)| (public_id, id))
        .collect();
    let created: Vec<ServiceResult<OrgRow>> = requests
        .iter()
        .zip(checked)
        .map(|(request, entry)| {
            let (parent, public_id) = entry?;
            let id = *inserted
                .get(&public_id)
                .ok_or_else(|| name_taken(&request.name))?;
            Ok(OrgRow {
                id,
                public_id,
                name: request.name.clone(),
                parent_id: Some(parent.id),
                parent_public_id: Some(parent.public_id),
                path: parent.path.child(id),
                region: parent.region.clone(),
                created_at: now,
            })
        })
        .collect();
    let paths: Vec<(i64, OrgPath)> = created
        .iter()
        .flatten()
        .map(|org| (org.id, org.path.clone()))
        .collect();
    tx.set_org_paths(&paths)
        .await
        .context("setting the paths of new organizations")?;
    let events: Vec<NewEvent> = created
        .iter()
        .flatten()
        .map(|org| org_event("organization.created", org))
        .collect();
    tx.insert_events(&events, now)
        .await
        .context("writing the creation events of new organizations")?;
    Ok(created)
}

impl Services {
    pub async fn get_org(&self, actor: &Actor, id: &PublicId) -> ServiceResult<Organization> {
        let org = find_org(self.store.read(), id, Kind::Organization).await?;
        actor.authorize(Access::Read, &org.path, Kind::Organization, org.public_id)?;
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
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to update an organization")?;
        let org = find_org(tx.exec(), id, Kind::Organization).await?;
        actor.authorize(
            Access::Administer,
            &org.path,
            Kind::Organization,
            org.public_id,
        )?;
        let now = now_millis();
        if let Some(parent_id) = parent {
            let parent = find_org(tx.exec(), parent_id, Kind::ParentOrganization).await?;
            if org.parent_id != Some(parent.id) {
                // The actor's own organization is the top of its world: it cannot move it.
                if org.id == actor.org_id {
                    return Err(ServiceError::Forbidden(Forbidden::OutsideScope {
                        kind: Kind::Organization,
                        id: org.public_id.to_string(),
                    }));
                }
                actor.authorize(
                    Access::Administer,
                    &parent.path,
                    Kind::ParentOrganization,
                    parent.public_id,
                )?;
                if parent.path.is_within(&org.path) {
                    return Err(ServiceError::Conflict(Conflict::MoveIntoOwnSubtree {
                        id: org.public_id.to_string(),
                        parent: parent.public_id.to_string(),
                    }));
                }
                tx.move_org(org.id, &org.path, (parent.id, &parent.path), now)
                    .await
                    .context("moving an organization")?;
            }
        }
        if let Some(name) = name.filter(|n| *n != org.name) {
            tx.rename_org(org.id, name, now).await.map_err(|e| {
                on_unique(
                    e,
                    UniqueKey::OrganizationName,
                    || Conflict::OrganizationName {
                        name: name.to_owned(),
                    },
                    "renaming an organization",
                )
            })?;
        }
        let updated = tx
            .exec()
            .org_by_id(org.id)
            .await
            .context("reading an organization just updated")?
            .context("an organization just updated is missing")?;
        tx.insert_event(org_event("organization.updated", &updated), now)
            .await
            .context("writing an organization's update event")?;
        tx.commit()
            .await
            .context("committing an organization's update")?;
        Ok(updated.into())
    }

    /// Deletes an organization with its users, projects and templates. Refused for the
    /// actor's own organization and while it has child organizations.
    pub async fn delete_org(&self, actor: &Actor, id: &PublicId) -> ServiceResult<Organization> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete an organization")?;
        let org = find_org(tx.exec(), id, Kind::Organization).await?;
        actor.authorize(
            Access::Administer,
            &org.path,
            Kind::Organization,
            org.public_id,
        )?;
        if org.id == actor.org_id {
            return Err(ServiceError::Forbidden(Forbidden::OwnOrganization {
                id: org.public_id.to_string(),
            }));
        }
        let has_children = || {
            ServiceError::Conflict(Conflict::HasChildOrganizations {
                id: org.public_id.to_string(),
            })
        };
        if tx
            .exec()
            .org_has_children(org.id)
            .await
            .context("looking for child organizations")?
        {
            return Err(has_children());
        }
        tx.delete_org(org.id).await.map_err(|e| match e {
            // A child created meanwhile by another process.
            StoreError::ForeignKey => has_children(),
            other => internal(other, "deleting an organization"),
        })?;
        tx.insert_event(org_event("organization.deleted", &org), now_millis())
            .await
            .context("writing an organization's deletion event")?;
        tx.commit()
            .await
            .context("committing an organization's deletion")?;
        Ok(org.into())
    }

    /// The organization's templates and the global templates of its ancestors.
    pub async fn org_templates(
        &self,
        actor: &Actor,
        id: &PublicId,
    ) -> ServiceResult<Vec<Template>> {
        let org = find_org(self.store.read(), id, Kind::Organization).await?;
        actor.authorize(Access::Read, &org.path, Kind::Organization, org.public_id)?;
        let rows = self
            .store
            .read()
            .templates_available_to(org.id, &org.path)
            .await
            .context("reading the templates available to an organization")?;
        Ok(rows.into_iter().map(Template::from).collect())
    }
}
