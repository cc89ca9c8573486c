//! Cloud Conformity groups of accounts. A group stores its name and tags; the accounts it
//! holds are those with one of its tags, found when it is read.

use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::{Millis, PublicId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupRow {
    pub id: i64,
    pub public_id: String,
    pub org_id: i64,
    pub org_public_id: String,
    pub name: String,
    /// A JSON array of strings.
    pub tags: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

macro_rules! select_group {
    ($tail:literal) => {
        concat!(
            "SELECT g.id, g.public_id, g.org_id, o.public_id AS org_public_id, g.name, g.tags, ",
            "g.created_at, g.updated_at FROM conformity_groups g ",
            "JOIN organizations o ON o.id = g.org_id ",
            $tail
        )
    };
}

const GROUP_BY_PUBLIC_ID: super::locks::LockingRead =
    super::locks::locking_read!(select_group!("WHERE g.public_id = $1"), "g");

impl Tx {
    /// The group `id`, read and locked (see `locks`) for the rest of the transaction.
    pub async fn group_locked(
        &mut self,
        id: &PublicId,
        lock: super::RowLock,
    ) -> StoreResult<Option<GroupRow>> {
        let sql = self.locking(&GROUP_BY_PUBLIC_ID, lock);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, GroupRow>(sql)
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }
}

impl Exec<'_> {
    pub async fn groups_of_org(self, org_id: i64) -> StoreResult<Vec<GroupRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, GroupRow>(select_group!("WHERE g.org_id = $1 ORDER BY g.id"))
                .bind(org_id)
                .fetch_all(c)
                .await?
        }))
    }

    pub async fn group_by_public_id(self, id: &PublicId) -> StoreResult<Option<GroupRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, GroupRow>(select_group!("WHERE g.public_id = $1"))
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }
}

impl Tx {
    pub async fn insert_group(
        &mut self,
        public_id: &PublicId,
        org_id: i64,
        name: &str,
        tags: &str,
        now: Millis,
    ) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO conformity_groups (public_id, org_id, name, tags, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            )
            .bind(public_id.to_string())
            .bind(org_id)
            .bind(name)
            .bind(tags)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    pub async fn update_group(
        &mut self,
        id: i64,
        name: &str,
        tags: &str,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE conformity_groups SET name = $1, tags = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(name)
            .bind(tags)
            .bind(now)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    pub async fn delete_group(&mut self, id: i64) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("DELETE FROM conformity_groups WHERE id = $1")
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}
