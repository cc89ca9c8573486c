//! The group-commit writer of Xponent `POST /org`: the organizations of many requests,
//! checked and inserted in one transaction (see `group_commit`).

use std::collections::{HashMap, HashSet};

use anyhow::Context;

use super::actor::{Access, Actor};
use super::error::{Conflict, ServiceError, ServiceResult};
use super::events::Origin;
use super::group_commit::BatchWrite;
use super::org_writes::org_event;
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
