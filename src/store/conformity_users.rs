//! Users as Cloud Conformity sees them: orghub's `users` rows, with the Conformity role, names
//! and origin a user was given through the Conformity face (`conformity_users`), and its access
//! levels to accounts (`conformity_account_access`).

use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::{Millis, PublicId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConformityUserRow {
    pub id: i64,
    pub public_id: String,
    pub org_id: i64,
    pub org_public_id: String,
    pub name: String,
    pub email: String,
    /// orghub's role (`Owner` or `Member`).
    pub role: crate::domain::Role,
    pub has_password: bool,
    pub created_at: Millis,
    /// The Conformity role given through the face, if one was.
    pub conformity_role: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// `invited`, `sso` or `role`, for a user the face has touched.
    pub origin: Option<String>,
}

macro_rules! select_conformity_user {
    ($tail:literal) => {
        concat!(
            "SELECT u.id, u.public_id, u.org_id, o.public_id AS org_public_id, u.name, u.email, ",
            "u.role, u.password_hash IS NOT NULL AS has_password, u.created_at, ",
            "c.role AS conformity_role, c.first_name, c.last_name, c.origin ",
            "FROM users u JOIN organizations o ON o.id = u.org_id ",
            "LEFT JOIN conformity_users c ON c.user_id = u.id ",
            $tail
        )
    };
}

/// One entry of a user's access list: an account (by public id) and the level.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountAccessRow {
    pub user_id: i64,
    pub account_public_id: String,
    pub level: String,
}

macro_rules! select_access {
    ($tail:literal) => {
        concat!(
            "SELECT x.user_id, a.public_id AS account_public_id, x.level ",
            "FROM conformity_account_access x JOIN cloud_accounts a ON a.id = x.account_id ",
            $tail
        )
    };
}

impl Exec<'_> {
    pub async fn conformity_user_by_public_id(
        self,
        id: &PublicId,
    ) -> StoreResult<Option<ConformityUserRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ConformityUserRow>(select_conformity_user!(
                "WHERE u.public_id = $1"
            ))
            .bind(id.to_string())
            .fetch_optional(c)
            .await?
        }))
    }

    pub async fn conformity_user_by_id(self, id: i64) -> StoreResult<Option<ConformityUserRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ConformityUserRow>(select_conformity_user!("WHERE u.id = $1"))
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }

    /// The users of one organization (not of those below it), in creation order.
    pub async fn conformity_users_of_org(self, org_id: i64) -> StoreResult<Vec<ConformityUserRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ConformityUserRow>(select_conformity_user!(
                "WHERE u.org_id = $1 ORDER BY u.id"
            ))
            .bind(org_id)
            .fetch_all(c)
            .await?
        }))
    }

    /// A user's access list, in account creation order.
    pub async fn account_access_of_user(self, user_id: i64) -> StoreResult<Vec<AccountAccessRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, AccountAccessRow>(select_access!(
                "WHERE x.user_id = $1 ORDER BY a.id"
            ))
            .bind(user_id)
            .fetch_all(c)
            .await?
        }))
    }

    /// The access lists of the users of one organization, by user, then account.
    pub async fn account_access_of_org(self, org_id: i64) -> StoreResult<Vec<AccountAccessRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, AccountAccessRow>(select_access!(
                "JOIN users u ON u.id = x.user_id WHERE u.org_id = $1 ORDER BY x.user_id, a.id"
            ))
            .bind(org_id)
            .fetch_all(c)
            .await?
        }))
    }
}

impl Tx {
    /// Records what the face knows of a user it has just added.
    pub async fn insert_conformity_user(
        &mut self,
        user_id: i64,
        conformity_role: &str,
        first_name: &str,
        last_name: &str,
        origin: &str,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "INSERT INTO conformity_users (user_id, role, first_name, last_name, origin) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(user_id)
            .bind(conformity_role)
            .bind(first_name)
            .bind(last_name)
            .bind(origin)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Gives a user orghub role `role` and Conformity role `conformity_role` (a user the face
    /// had not added gets a `conformity_users` row of origin `role`).
    pub async fn set_conformity_role(
        &mut self,
        user_id: i64,
        role: &str,
        conformity_role: &str,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3")
                .bind(role)
                .bind(now)
                .bind(user_id)
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "INSERT INTO conformity_users (user_id, role, origin) VALUES ($1, $2, 'role') \
                 ON CONFLICT (user_id) DO UPDATE SET role = excluded.role",
            )
            .bind(user_id)
            .bind(conformity_role)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Sets a user's access level to an account, replacing an earlier one.
    pub async fn put_account_access(
        &mut self,
        user_id: i64,
        account_id: i64,
        level: &str,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "INSERT INTO conformity_account_access (user_id, account_id, level) \
                 VALUES ($1, $2, $3) ON CONFLICT (user_id, account_id) \
                 DO UPDATE SET level = excluded.level",
            )
            .bind(user_id)
            .bind(account_id)
            .bind(level)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }
}
