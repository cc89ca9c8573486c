use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::{Millis, OrgPath, PublicId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub public_id: String,
    pub org_id: i64,
    pub org_public_id: String,
    pub org_path: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub partner: bool,
    pub password_hash: Option<String>,
    pub secret_key_sealed: Option<Vec<u8>>,
}

pub struct NewUser<'a> {
    pub public_id: &'a PublicId,
    pub org_id: i64,
    pub name: &'a str,
    pub email: &'a str,
    pub email_key: &'a str,
    pub role: &'a str,
    pub partner: bool,
    pub password_hash: Option<&'a str>,
}

/// The user columns with their organization's public id and path, followed by `$tail`.
macro_rules! select_user {
    ($tail:literal) => {
        concat!(
            "SELECT u.id, u.public_id, u.org_id, o.public_id AS org_public_id, o.path AS org_path, ",
            "u.name, u.email, u.role, u.partner, u.password_hash, u.secret_key_sealed ",
            "FROM users u JOIN organizations o ON o.id = u.org_id ",
            $tail
        )
    };
}

impl Exec<'_> {
    pub async fn user_by_public_id(self, id: &PublicId) -> StoreResult<Option<UserRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, UserRow>(select_user!("WHERE u.public_id = $1"))
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn user_by_id(self, id: i64) -> StoreResult<Option<UserRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, UserRow>(select_user!("WHERE u.id = $1"))
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn user_by_email_key(self, email_key: &str) -> StoreResult<Option<UserRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, UserRow>(select_user!("WHERE u.email_key = $1"))
                .bind(email_key)
                .fetch_optional(c)
                .await?
        }))
    }

    /// Every user of the organizations in the subtree at `root`, in creation order.
    pub async fn users_in_subtree(self, root: &OrgPath) -> StoreResult<Vec<UserRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, UserRow>(select_user!(
                "WHERE o.path >= $1 AND o.path < $2 ORDER BY u.id"
            ))
            .bind(root.as_str())
            .bind(root.subtree_upper_bound())
            .fetch_all(c)
            .await?
        }))
    }

    /// (user id, project public id, role) for every project membership of users in the subtree.
    pub async fn memberships_in_subtree(
        self,
        root: &OrgPath,
    ) -> StoreResult<Vec<(i64, String, String)>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as(
                "SELECT m.user_id, p.public_id, m.role FROM project_members m \
                 JOIN projects p ON p.id = m.project_id \
                 JOIN users u ON u.id = m.user_id \
                 JOIN organizations o ON o.id = u.org_id \
                 WHERE o.path >= $1 AND o.path < $2 ORDER BY m.user_id, p.id",
            )
            .bind(root.as_str())
            .bind(root.subtree_upper_bound())
            .fetch_all(c)
            .await?
        }))
    }

    /// (project public id, role) for each project the user is a member of.
    pub async fn memberships_of_user(self, user_id: i64) -> StoreResult<Vec<(String, String)>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as(
                "SELECT p.public_id, m.role FROM project_members m \
                 JOIN projects p ON p.id = m.project_id WHERE m.user_id = $1 ORDER BY p.id",
            )
            .bind(user_id)
            .fetch_all(c)
            .await?
        }))
    }
}

impl Tx {
    pub async fn insert_user(&mut self, user: &NewUser<'_>, now: Millis) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO users (public_id, org_id, name, email, email_key, role, partner, \
                 password_hash, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            )
            .bind(user.public_id.to_string())
            .bind(user.org_id)
            .bind(user.name)
            .bind(user.email)
            .bind(user.email_key)
            .bind(user.role)
            .bind(user.partner)
            .bind(user.password_hash)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    pub async fn update_user(
        &mut self,
        id: i64,
        name: &str,
        email: &str,
        email_key: &str,
        role: &str,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE users SET name = $1, email = $2, email_key = $3, role = $4, updated_at = $5 \
                 WHERE id = $6",
            )
            .bind(name)
            .bind(email)
            .bind(email_key)
            .bind(role)
            .bind(now)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Stores a new sealed owner secret key. Nonces accepted under the old key are dropped:
    /// no hash made with the old key can match any more.
    pub async fn set_secret_key(&mut self, id: i64, sealed: &[u8], now: Millis) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("UPDATE users SET secret_key_sealed = $1, updated_at = $2 WHERE id = $3")
                .bind(sealed)
                .bind(now)
                .bind(id)
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM nonces WHERE user_id = $1")
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn set_password_hash(&mut self, id: i64, phc: &str, now: Millis) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
                .bind(phc)
                .bind(now)
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn delete_user(&mut self, id: i64) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}
