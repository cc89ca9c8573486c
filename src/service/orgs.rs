//! The organization tree: list, create, rename, move, delete, and the templates available
//! to an organization.

use anyhow::Context;
use serde_json::json;

use super::Services;
use super::actor::{Access, Actor};
use super::error::TextField;
use super::error::{Conflict, Forbidden, ServiceError, ServiceResult, internal, on_unique};
use super::events::Origin;
use super::lookup::{find_org, find_org_locked, lock_tenant, parse_name};
use super::new_org_writer::NewOrgRequest;
use super::org_writes::org_event;
use super::precondition::{self, Expect};
use super::records::{Organization, Template};
use crate::domain::events::EventType;
use crate::domain::{Kind, PublicId, now_millis};
use crate::store::{OrgRow, RowLock, StoreError, Tx, UniqueKey};

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
        let name = parse_name(name, TextField::Name)?;
        let org = self
            .new_orgs
            .submit(NewOrgRequest {
                actor: actor.clone(),
                name: name.into_string(),
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
        self.update_org_expecting(actor, id, name, parent, None)
            .await
    }

    /// `update_org`, made only if `expect` holds of the organization as it is when locked.
    pub async fn update_org_expecting(
        &self,
        actor: &Actor,
        id: &PublicId,
        name: Option<&str>,
        parent: Option<&PublicId>,
        expect: Expect<'_, Organization>,
    ) -> ServiceResult<Organization> {
        let name = name.map(|n| parse_name(n, TextField::Name)).transpose()?;
        let name = name.as_ref().map(|n| n.as_str());
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to update an organization")?;
        let org = administered_org_of_locked_tenant(&mut tx, actor, id).await?;
        expected_of(expect, &org)?;
        let now = now_millis();
        let mut moved_from = None;
        if let Some(parent_id) = parent {
            // Read under the tenant's lock: no other move, creation or deletion in this tree
            // can change the paths compared below before this transaction ends.
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
                moved_from = Some(org.parent_public_id);
            }
        }
        let renamed = name.is_some_and(|n| n != org.name);
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
        let origin = Origin::Actor(actor);
        if let Some(previous_parent) = moved_from {
            let mut moved = org_event(origin, EventType::OrganizationMoved, &updated);
            moved.data["previousParentId"] = json!(previous_parent.map(|id| id.to_string()));
            tx.insert_event(moved, now)
                .await
                .context("writing an organization's move event")?;
        }
        if renamed {
            let mut renamed = org_event(origin, EventType::OrganizationUpdated, &updated);
            renamed.data["previousName"] = json!(org.name);
            tx.insert_event(renamed, now)
                .await
                .context("writing an organization's update event")?;
        }
        tx.commit()
            .await
            .context("committing an organization's update")?;
        Ok(updated.into())
    }

    /// Deletes an organization with its users, projects and templates. Refused for the
    /// actor's own organization and while it has child organizations.
    pub async fn delete_org(&self, actor: &Actor, id: &PublicId) -> ServiceResult<Organization> {
        self.delete_org_expecting(actor, id, None).await
    }

    /// `delete_org`, made only if `expect` holds of the organization as it is when locked.
    pub async fn delete_org_expecting(
        &self,
        actor: &Actor,
        id: &PublicId,
        expect: Expect<'_, Organization>,
    ) -> ServiceResult<Organization> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete an organization")?;
        let org = administered_org_of_locked_tenant(&mut tx, actor, id).await?;
        expected_of(expect, &org)?;
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
        tx.insert_event(
            org_event(Origin::Actor(actor), EventType::OrganizationDeleted, &org),
            now_millis(),
        )
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

/// The organization `id`, which the actor must administer, read again under its tenant's
/// lock and its own row lock (see `Tx::lock_tenant`): on PostgreSQL two moves of one tree
/// (X under Y, Y under X) or a move and a deletion then follow one another, and the second
/// sees the first's paths. The first read, unlocked, only finds the tenant, and lets a
/// caller outside it be refused without waiting for another tenant's lock.
pub(super) async fn administered_org_of_locked_tenant(
    tx: &mut Tx,
    actor: &Actor,
    id: &PublicId,
) -> ServiceResult<crate::store::OrgRow> {
    let seen = find_org(tx.exec(), id, Kind::Organization).await?;
    actor.authorize(
        Access::Administer,
        &seen.path,
        Kind::Organization,
        seen.public_id,
    )?;
    lock_tenant(tx, seen.path.root_id()).await?;
    let org = find_org_locked(tx, id, Kind::Organization, RowLock::Update).await?;
    actor.authorize(
        Access::Administer,
        &org.path,
        Kind::Organization,
        org.public_id,
    )?;
    Ok(org)
}

/// Refuses a change to `org` unless the caller's expectation holds of it now.
pub(super) fn expected_of(expect: Expect<'_, Organization>, org: &OrgRow) -> ServiceResult<()> {
    if expect.is_none() {
        return Ok(());
    }
    let record = Organization::from(org.clone());
    precondition::check(
        expect,
        &record,
        Kind::Organization,
        &record.public_id.to_string(),
    )
}
