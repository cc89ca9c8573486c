//! The organization tree: list, create, rename, move, delete, and the templates available
//! to an organization.

use serde_json::json;

use super::Services;
use super::actor::{Access, Actor};
use super::error::{Conflict, Forbidden, ServiceError, ServiceResult, on_unique};
use super::records::{Organization, Template};
use crate::domain::{Kind, PublicId, now_millis};
use crate::store::{Exec, NewEvent, OrgRow, Tx, UniqueKey};

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
    tx.insert_event(org_event("organization.created", &org), now)
        .await?;
    Ok(org)
}

fn org_event(kind: &'static str, org: &OrgRow) -> NewEvent<'static> {
    NewEvent {
        kind,
        org_id: Some(org.id),
        subject: "organization",
        payload: json!({ "id": org.public_id, "name": org.name, "parentId": org.parent_public_id }),
    }
}

impl Services {
    /// The actor's organization and every organization below it.
    pub async fn list_orgs(&self, actor: &Actor) -> ServiceResult<Vec<Organization>> {
        let changes = self.store.changes();
        if let Some(orgs) = self.subtrees.get(&actor.org_id, changes) {
            return Ok(orgs);
        }
        let rows = self.store.read().orgs_in_subtree(&actor.org_path).await?;
        let orgs: Vec<Organization> = rows.into_iter().map(Organization::from).collect();
        if orgs.len() <= super::CACHED_SUBTREE_MAX {
            self.subtrees.insert(actor.org_id, changes, orgs.clone());
        }
        Ok(orgs)
    }

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
    pub async fn create_org(
        &self,
        actor: &Actor,
        name: &str,
        parent: Option<&PublicId>,
    ) -> ServiceResult<Organization> {
        let mut tx = self.store.begin().await?;
        let parent =
            match parent {
                Some(id) => find_org(tx.exec(), id, Kind::ParentOrganization).await?,
                None => tx.exec().org_by_id(actor.org_id).await?.ok_or_else(|| {
                    ServiceError::NotFound {
                        kind: Kind::ParentOrganization,
                        id: actor.org_public_id.clone(),
                    }
                })?,
            };
        let parent_path = parent.path();
        actor.authorize(
            Access::Administer,
            &parent_path,
            Kind::ParentOrganization,
            &parent.public_id,
        )?;
        let org = insert_child_org(&mut tx, &parent, name).await?;
        tx.commit().await?;
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
            }
        }
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
        tx.insert_event(org_event("organization.updated", &updated), now)
            .await?;
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
        tx.insert_event(org_event("organization.deleted", &org), now_millis())
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
