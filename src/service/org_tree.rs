//! The organization tree read a page at a time (children, subtree to a depth), the path from
//! the caller's organization down to an organization, and the deletion of a whole subtree.

use anyhow::Context;

use super::Services;
use super::actor::{Access, Actor};
use super::error::{Forbidden, ServiceError, ServiceResult, internal};
use super::events::Origin;
use super::lookup::find_org;
use super::org_writes::org_event;
use super::orgs::administered_org_of_locked_tenant;
use super::precondition::Expect;
use super::records::Organization;
use crate::domain::events::EventType;
use crate::domain::{Kind, PublicId, now_millis};
use crate::store::OrgRow;

/// The deepest a subtree read may reach below its organization.
pub const MAX_SUBTREE_DEPTH: u32 = 64;

impl Services {
    /// At most `limit` children of organization `id`, after id `after`, in id order.
    pub async fn org_children(
        &self,
        actor: &Actor,
        id: &PublicId,
        after: Option<i64>,
        limit: u32,
    ) -> ServiceResult<Vec<Organization>> {
        let org = self.readable_org(actor, id).await?;
        let rows = self
            .store
            .read()
            .org_children_after(org.id, after.unwrap_or(0), i64::from(limit))
            .await
            .context("reading a page of child organizations")?;
        Ok(rows.into_iter().map(Organization::from).collect())
    }

    /// At most `limit` organizations of the subtree at `id` (itself included) down to `depth`
    /// levels below it, after id `after`, in id order.
    pub async fn org_subtree(
        &self,
        actor: &Actor,
        id: &PublicId,
        depth: u32,
        after: Option<i64>,
        limit: u32,
    ) -> ServiceResult<Vec<Organization>> {
        let org = self.readable_org(actor, id).await?;
        let max_ids = org.path.depth() as i64 + i64::from(depth.min(MAX_SUBTREE_DEPTH));
        let rows = self
            .store
            .read()
            .org_subtree_after(&org.path, max_ids, after.unwrap_or(0), i64::from(limit))
            .await
            .context("reading a page of a subtree")?;
        Ok(rows.into_iter().map(Organization::from).collect())
    }

    /// The organizations from the caller's own organization down to `id`'s parent, top
    /// first: the ancestors the caller may see (those above its own organization are not).
    pub async fn org_ancestors(
        &self,
        actor: &Actor,
        id: &PublicId,
    ) -> ServiceResult<Vec<Organization>> {
        let org = self.readable_org(actor, id).await?;
        let visible: Vec<i64> = org
            .path
            .ids()
            .skip(actor.org_path.depth() - 1)
            .filter(|ancestor| *ancestor != org.id)
            .collect();
        let mut rows = self
            .store
            .read()
            .orgs_by_ids(&visible)
            .await
            .context("reading an organization's ancestors")?;
        rows.sort_by_key(|row| row.path.depth());
        Ok(rows.into_iter().map(Organization::from).collect())
    }

    /// Deletes organization `id` and every organization below it, with their users,
    /// projects and templates, in one transaction, deepest first, each with its deletion
    /// event. Refused for the actor's own organization. Returns what was deleted.
    pub async fn delete_org_tree(
        &self,
        actor: &Actor,
        id: &PublicId,
        expect: Expect<'_, Organization>,
    ) -> ServiceResult<Vec<Organization>> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete an organization tree")?;
        // The tenant's lock: no organization joins the subtree while it is deleted.
        let org = administered_org_of_locked_tenant(&mut tx, actor, id).await?;
        super::orgs::expected_of(expect, &org)?;
        if org.id == actor.org_id {
            return Err(ServiceError::Forbidden(Forbidden::OwnOrganization {
                id: org.public_id.to_string(),
            }));
        }
        let mut subtree: Vec<OrgRow> = tx
            .exec()
            .orgs_in_subtree(&org.path)
            .await
            .context("reading the subtree to delete")?;
        subtree.sort_by_key(|row| std::cmp::Reverse(row.path.depth()));
        let now = now_millis();
        for row in &subtree {
            tx.delete_org(row.id)
                .await
                .map_err(|e| internal(e, "deleting an organization of a tree"))?;
            tx.insert_event(
                org_event(Origin::Actor(actor), EventType::OrganizationDeleted, row),
                now,
            )
            .await
            .context("writing an organization's deletion event")?;
        }
        tx.commit()
            .await
            .context("committing an organization tree's deletion")?;
        Ok(subtree.into_iter().map(Organization::from).collect())
    }

    /// Organization `id`, which the actor may read.
    async fn readable_org(&self, actor: &Actor, id: &PublicId) -> ServiceResult<OrgRow> {
        let org = find_org(self.store.read(), id, Kind::Organization).await?;
        actor.authorize(Access::Read, &org.path, Kind::Organization, org.public_id)?;
        Ok(org)
    }
}
