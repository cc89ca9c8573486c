//! Cloud Conformity groups: a name and tags in one organisation. A group holds the accounts of
//! its organisation that carry one of its tags; it stores no account of its own.

use anyhow::Context;
use serde_json::json;

use super::Services;
use super::actor::{Access, Actor};
use super::conformity_records::Group;
use super::error::{Invalid, ServiceError, ServiceResult, TextField};
use super::events::{Origin, event};
use super::lookup::{lock_actor_org, parse_name};
use crate::domain::events::EventType;
use crate::domain::text::MAX_TAGS;
use crate::domain::{Kind, PublicId, now_millis};
use crate::store::{Exec, GroupRow, NewEvent, RowLock, Tx};

/// What `PATCH /groups/{id}` may change; `None` keeps the value.
#[derive(Default)]
pub struct GroupChanges {
    pub name: Option<String>,
    pub tags: Option<Vec<String>>,
}

fn group_event(actor: &Actor, kind: EventType, group: &GroupRow) -> NewEvent {
    event(
        Origin::Actor(actor),
        kind,
        actor.into(),
        json!({
            "id": group.public_id.to_string(),
            "organizationId": actor.org_public_id,
            "name": group.name,
        }),
    )
}

fn administer_groups(actor: &Actor) -> ServiceResult<()> {
    actor.authorize(
        Access::Administer,
        &actor.org_path,
        Kind::Group,
        &actor.org_public_id,
    )
}

/// The group `id` of the actor's own organisation; another organisation's is not found.
async fn org_group(exec: Exec<'_>, actor: &Actor, id: &PublicId) -> ServiceResult<GroupRow> {
    exec.group_by_public_id(id)
        .await
        .context("reading group by public id")?
        .filter(|group| group.org_id == actor.org_id)
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::Group,
            id: id.to_string(),
        })
}

/// `org_group` in a write transaction, the row locked against a concurrent change or deletion
/// (see `store::RowLock`).
async fn org_group_locked(tx: &mut Tx, actor: &Actor, id: &PublicId) -> ServiceResult<GroupRow> {
    tx.group_locked(id, RowLock::Update)
        .await
        .context("reading and locking a group")?
        .filter(|group| group.org_id == actor.org_id)
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::Group,
            id: id.to_string(),
        })
}

/// A group's name and tags against the text rules (the face has checked their documented
/// shapes already); `None` is a member left as it is.
fn check_texts(name: Option<&str>, tags: Option<&[String]>) -> ServiceResult<()> {
    if let Some(name) = name {
        parse_name(name, TextField::Name)?;
    }
    if let Some(tags) = tags {
        if tags.len() > MAX_TAGS {
            return Err(ServiceError::Invalid(Invalid::TooMany {
                field: TextField::Tags,
                max: MAX_TAGS,
            }));
        }
        for tag in tags {
            parse_name(tag, TextField::Tags)?;
        }
    }
    Ok(())
}

impl Services {
    /// (public id, tags) of every account of the actor's organisation, in creation order.
    async fn account_tags(&self, actor: &Actor) -> ServiceResult<Vec<(String, Vec<String>)>> {
        Ok(self
            .list_cloud_accounts(actor, None)
            .await?
            .into_iter()
            .map(|account| (account.public_id, account.tags))
            .collect())
    }

    pub async fn list_groups(&self, actor: &Actor) -> ServiceResult<Vec<Group>> {
        let rows = self
            .store
            .read()
            .groups_of_org(actor.org_id)
            .await
            .context("reading groups of org")?;
        let accounts = self.account_tags(actor).await?;
        Ok(rows
            .into_iter()
            .map(|row| Group::from_row(row, &accounts))
            .collect())
    }

    pub async fn get_group(&self, actor: &Actor, id: &PublicId) -> ServiceResult<Group> {
        let row = org_group(self.store.read(), actor, id).await?;
        let accounts = self.account_tags(actor).await?;
        Ok(Group::from_row(row, &accounts))
    }

    pub async fn create_group(
        &self,
        actor: &Actor,
        name: &str,
        tags: &[String],
    ) -> ServiceResult<Group> {
        administer_groups(actor)?;
        check_texts(Some(name), Some(tags))?;
        let public_id = PublicId::new();
        let now = now_millis();
        let mut tx = self.store.begin().await.context("starting a transaction")?;
        // The group refers to the organisation: it must not go meanwhile.
        lock_actor_org(&mut tx, actor, RowLock::KeyShare).await?;
        tx.insert_group(
            &public_id,
            actor.org_id,
            name,
            &serde_json::Value::from(tags).to_string(),
            now,
        )
        .await
        .context("inserting a group")?;
        let row = org_group(tx.exec(), actor, &public_id).await?;
        tx.insert_event(group_event(actor, EventType::GroupCreated, &row), now)
            .await
            .context("writing the event")?;
        tx.commit().await.context("committing")?;
        self.get_group(actor, &public_id).await
    }

    pub async fn update_group(
        &self,
        actor: &Actor,
        id: &PublicId,
        changes: GroupChanges,
    ) -> ServiceResult<Group> {
        check_texts(changes.name.as_deref(), changes.tags.as_deref())?;
        let mut tx = self.store.begin().await.context("starting a transaction")?;
        let group = org_group_locked(&mut tx, actor, id).await?;
        administer_groups(actor)?;
        let tags = changes.tags.map_or_else(
            || group.tags.clone(),
            |tags| serde_json::Value::from(tags).to_string(),
        );
        let now = now_millis();
        tx.update_group(
            group.id,
            changes.name.as_deref().unwrap_or(&group.name),
            &tags,
            now,
        )
        .await
        .context("updating a group")?;
        let updated = org_group(tx.exec(), actor, id).await?;
        tx.insert_event(group_event(actor, EventType::GroupUpdated, &updated), now)
            .await
            .context("writing the event")?;
        tx.commit().await.context("committing")?;
        self.get_group(actor, id).await
    }

    pub async fn delete_group(&self, actor: &Actor, id: &PublicId) -> ServiceResult<()> {
        let mut tx = self.store.begin().await.context("starting a transaction")?;
        let group = org_group_locked(&mut tx, actor, id).await?;
        administer_groups(actor)?;
        tx.delete_group(group.id)
            .await
            .context("deleting a group")?;
        tx.insert_event(
            group_event(actor, EventType::GroupDeleted, &group),
            now_millis(),
        )
        .await
        .context("writing the event")?;
        tx.commit().await.context("committing")?;
        Ok(())
    }
}
