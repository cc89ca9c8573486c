//! The group-commit writer of Xponent `POST /org`: the organizations of many requests,
//! checked and inserted in one transaction (see `group_commit`).

use std::collections::{HashMap, HashSet};

use anyhow::Context;

use super::actor::{Access, Actor};
use super::error::{Conflict, Forbidden, ServiceError, ServiceResult};
use super::events::Origin;
use super::group_commit::BatchWrite;
use super::lookup::lock_tenant;
use super::org_writes::org_event;
use super::quotas::{Quota, Quotas};
use crate::domain::events::EventType;
use crate::domain::{Kind, OrgPath, PublicId, now_millis};
use crate::store::{NewEvent, NewOrg, OrgRow, Store, Tx};

fn name_taken(name: &str) -> ServiceError {
    ServiceError::Conflict(Conflict::OrganizationName {
        name: name.to_owned(),
    })
}

/// One `POST /org` request, for the group-commit writer of organizations.
pub(crate) struct NewOrgRequest {
    pub(crate) actor: Actor,
    pub(crate) name: String,
    /// `None`: below the actor's own organization.
    pub(crate) parent: Option<PublicId>,
}

/// Creates the organizations of many requests in one transaction: the parents' tenants are
/// locked (in id order, so that two writers never wait for each other in a circle), their
/// parents read, each request authorized and counted against its tenant's quota here, then
/// one statement inserts the organizations, one sets their paths and one writes their
/// creation events.
pub(crate) struct NewOrgWriter {
    pub(crate) store: Store,
    pub(crate) quotas: Quotas,
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
        let created = insert_orgs(&mut tx, requests, &self.quotas).await?;
        tx.commit().await.context("committing new organizations")?;
        Ok(created)
    }
}

/// `NewOrgWriter`'s work in `tx`.
async fn insert_orgs(
    tx: &mut Tx,
    requests: &[NewOrgRequest],
    quotas: &Quotas,
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
    // The tenants first (see `Tx::lock_tenant`): a first read finds them, a second, under
    // their locks, reads the parents as no move or deletion can change them any more.
    let mut roots: Vec<i64> = tx
        .exec()
        .orgs_by_public_ids(&wanted)
        .await
        .context("finding the tenants of new organizations")?
        .iter()
        .map(|org| org.path.root_id())
        .collect();
    roots.sort_unstable();
    roots.dedup();
    // How many more organizations each tenant may take.
    let mut room: HashMap<i64, u64> = HashMap::new();
    for root in roots {
        let usage = lock_tenant(tx, root).await?;
        let limit = quotas.limit(Quota::Organizations);
        room.insert(root, limit.saturating_sub(usage.orgs.max(0) as u64));
    }
    let parents: HashMap<PublicId, OrgRow> = tx
        .exec()
        .orgs_by_public_ids(&wanted)
        .await
        .context("reading the parents of new organizations")?
        .into_iter()
        .map(|org| (org.public_id, org))
        .collect();

    // Each request's parent and new public id, or why it is refused. A name asked for
    // twice in one tree in the batch is the first request's.
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
            if !names.insert((parent.path.root_id(), request.name.as_str())) {
                return Err(name_taken(&request.name));
            }
            // A parent moved into another tenant between the two reads cannot be: moves stay
            // within a tree. A tenant not locked above has no room.
            let left = room.entry(parent.path.root_id()).or_default();
            if *left == 0 {
                return Err(ServiceError::Forbidden(Forbidden::QuotaExceeded {
                    quota: Quota::Organizations,
                    limit: quotas.limit(Quota::Organizations),
                }));
            }
            *left -= 1;
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
                root_id: parent.path.root_id(),
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
    let events: Vec<NewEvent> = requests
        .iter()
        .zip(&created)
        .filter_map(|(request, org)| {
            let org = org.as_ref().ok()?;
            let origin = Origin::Actor(&request.actor);
            Some(org_event(origin, EventType::OrganizationCreated, org))
        })
        .collect();
    tx.insert_events(&events, now)
        .await
        .context("writing the creation events of new organizations")?;
    Ok(created)
}
