use super::locks::{LockingRead, RowLock, locking_read};
use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::{Email, Millis, OrgPath, PublicId, Role};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub public_id: PublicId,
    pub org_id: i64,
    pub org_public_id: PublicId,
    pub org_path: OrgPath,
    pub name: String,
    pub email: Email,
    pub role: Role,
    pub partner: bool,
    pub password_hash: Option<String>,
    pub secret_key_sealed: Option<Vec<u8>>,
    pub region: String,
    /// The epoch of the user's credentials: the tokens issued on them carry it.
    pub token_epoch: i64,
}

/// A user as a list shows it: what `GET /xponent/user` answers with, and nothing else (no
/// secret, no path); each column less is one copy less per row of a 100,000-user list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedUserRow {
    pub id: i64,
    pub public_id: PublicId,
    pub org_public_id: PublicId,
    pub name: String,
    pub email: Email,
    pub role: Role,
    pub partner: bool,
}

pub struct NewUser<'a> {
    pub public_id: &'a PublicId,
    pub org_id: i64,
    /// The organization's tree (counted in its usage).
    pub root_id: i64,
    pub name: &'a str,
    pub email: &'a Email,
    pub role: Role,
    pub partner: bool,
    pub password_hash: Option<&'a str>,
    pub region: &'a str,
}

/// The user columns with their organization's public id and path (`u` and `o`).
macro_rules! user_columns {
    () => {
        concat!(
            "u.id, u.public_id, u.org_id, o.public_id AS org_public_id, o.path AS org_path, ",
            "u.name, u.email, u.role, u.partner, u.password_hash, u.secret_key_sealed, ",
            "u.region, u.token_epoch "
        )
    };
}

pub(super) use user_columns;

/// The user columns with their organization's public id and path, followed by `$tail`.
macro_rules! select_user {
    ($tail:literal) => {
        concat!(
            "SELECT ",
            user_columns!(),
            "FROM users u JOIN organizations o ON o.id = u.org_id ",
            $tail
        )
    };
}

/// One page of the users of a subtree (`$1`..`$2` its path range), in creation order: those
/// after user `$3`, at most `$4`. The plan must walk users by primary key from `$3` and look
/// each one's organization up, stopping after `$4` rows; driven from the subtree's
/// organizations instead, every page would sort the whole subtree. `CROSS JOIN` fixes that
/// join order on SQLite, whose planner otherwise prefers the path index; PostgreSQL reorders
/// it freely and picks the walk from its statistics.
///
/// The columns are those of `ListedUserRow`: a list shows no secret.
const USERS_PAGE: &str = concat!(
    "SELECT u.id, u.public_id, o.public_id AS org_public_id, u.name, u.email, u.role, ",
    "u.partner ",
    "FROM users u CROSS JOIN organizations o ",
    "WHERE o.id = u.org_id AND u.id > $3 AND o.path >= $1 AND o.path < $2 ",
    "ORDER BY u.id LIMIT $4"
);

/// The project memberships (user id, project public id, role) of the users of a subtree
/// (`$1`..`$2`) whose ids lie in `$3..=$4`, by user then project: the memberships of one page.
const MEMBERSHIPS_OF_PAGE: &str = "SELECT m.user_id, p.public_id, m.role FROM project_members m \
     JOIN projects p ON p.id = m.project_id \
     JOIN users u ON u.id = m.user_id \
     JOIN organizations o ON o.id = u.org_id \
     WHERE m.user_id >= $3 AND m.user_id <= $4 AND o.path >= $1 AND o.path < $2 \
     ORDER BY m.user_id, p.id";

const USER_BY_PUBLIC_ID: LockingRead = locking_read!(select_user!("WHERE u.public_id = $1"), "u");
const USER_BY_ID: LockingRead = locking_read!(select_user!("WHERE u.id = $1"), "u");

impl Tx {
    /// The user `id`, read and locked (see `locks`) for the rest of the transaction.
    pub async fn user_locked(
        &mut self,
        id: &PublicId,
        lock: RowLock,
    ) -> StoreResult<Option<UserRow>> {
        let sql = self.locking(&USER_BY_PUBLIC_ID, lock);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, UserRow>(sql)
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }

    /// The user with integer id `id`, read and locked (see `locks`).
    pub async fn user_by_id_locked(
        &mut self,
        id: i64,
        lock: RowLock,
    ) -> StoreResult<Option<UserRow>> {
        let sql = self.locking(&USER_BY_ID, lock);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, UserRow>(sql)
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }
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

    /// Up to `limit` users of the organizations in the subtree at `root`, the first ones
    /// created after user `after`, in creation order: one page of the subtree's users.
    pub async fn users_in_subtree_after(
        self,
        root: &OrgPath,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<ListedUserRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ListedUserRow>(USERS_PAGE)
                .bind(root.as_str())
                .bind(root.subtree_upper_bound())
                .bind(after)
                .bind(limit)
                .fetch_all(c)
                .await?
        }))
    }

    /// (user id, project public id, role) for every project membership of the users of the
    /// subtree at `root` whose ids lie in `first..=last` (those of one page), by user.
    pub async fn memberships_in_subtree_between(
        self,
        root: &OrgPath,
        first: i64,
        last: i64,
    ) -> StoreResult<Vec<(i64, PublicId, String)>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as(MEMBERSHIPS_OF_PAGE)
                .bind(root.as_str())
                .bind(root.subtree_upper_bound())
                .bind(first)
                .bind(last)
                .fetch_all(c)
                .await?
        }))
    }

    /// (project public id, role) for each project the user is a member of.
    pub async fn memberships_of_user(self, user_id: i64) -> StoreResult<Vec<(PublicId, String)>> {
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
                "INSERT INTO users (public_id, org_id, root_id, name, email, email_key, role, \
                 partner, password_hash, region, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
            )
            .bind(user.public_id.to_string())
            .bind(user.org_id)
            .bind(user.root_id)
            .bind(user.name)
            .bind(user.email.as_str())
            .bind(user.email.key())
            .bind(user.role.as_str())
            .bind(user.partner)
            .bind(user.password_hash)
            .bind(user.region)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    pub async fn update_user(
        &mut self,
        id: i64,
        name: &str,
        email: &Email,
        role: Role,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE users SET name = $1, email = $2, email_key = $3, role = $4, updated_at = $5 \
                 WHERE id = $6",
            )
            .bind(name)
            .bind(email.as_str())
            .bind(email.key())
            .bind(role.as_str())
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

impl super::Store {
    /// Recomputes the comparison keys of emails that are not plain ASCII, whose keys were once
    /// lower case only and are now NFKC then lower case (`Email::key`): without it, an old
    /// address in a compatibility form would no longer match at sign-in. Run at every open;
    /// it reads only the rows it may change, and writes none once they are right. A key that
    /// would collide with another account's is left as it was (and logged): an operator must
    /// decide which account keeps the address. Returns how many keys changed.
    pub(super) async fn rekey_emails(&self) -> StoreResult<u64> {
        let sql = match &self.db {
            super::Db::Sqlite { .. } => {
                "SELECT id, email_key FROM users WHERE email_key GLOB '*[^ -~]*'"
            }
            super::Db::Postgres(_) => "SELECT id, email_key FROM users WHERE email_key ~ '[^ -~]'",
        };
        let rows: Vec<(i64, String)> =
            super::on_pool!(self, |c| sqlx::query_as(sql).fetch_all(c).await?);
        let mut changed = 0;
        for (id, key) in rows {
            let rekeyed = crate::domain::email_key_of(&key);
            if rekeyed == key {
                continue;
            }
            let mut tx = self.begin().await?;
            let updated = on_tx!(tx, |c| {
                sqlx::query("UPDATE users SET email_key = $1 WHERE id = $2")
                    .bind(&rekeyed)
                    .bind(id)
                    .execute(c)
                    .await
                    .map(|done| done.rows_affected())
            });
            match updated {
                Ok(_) => {
                    tx.commit().await?;
                    changed += 1;
                }
                Err(error) => {
                    tracing::warn!(user = id, error = %error, "an email's key was left as it was");
                }
            }
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Db, Location, Store};

    /// The plan SQLite runs `sql` with, one line per step.
    async fn sqlite_plan(sql: &str, binds: (&str, &str, i64, i64)) -> Vec<String> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = Store::open(Location::SqliteFile(&dir.path().join("plan.sqlite3")))
            .await
            .expect("the store opens");
        let Db::Sqlite { read, .. } = &store.db else {
            unreachable!("a SQLite file was opened")
        };
        let rows: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                .bind(binds.0)
                .bind(binds.1)
                .bind(binds.2)
                .bind(binds.3)
                .fetch_all(read)
                .await
                .expect("a plan");
        store.close().await;
        rows.into_iter().map(|(.., detail)| detail).collect()
    }

    #[tokio::test]
    async fn a_page_of_users_walks_users_by_primary_key_without_sorting() {
        let plan = sqlite_plan(USERS_PAGE, ("/1/", "/10", 0, 500)).await;
        assert_eq!(
            plan,
            [
                "SEARCH u USING INTEGER PRIMARY KEY (rowid>?)",
                "SEARCH o USING INTEGER PRIMARY KEY (rowid=?)",
            ],
        );
    }

    #[tokio::test]
    async fn the_memberships_of_a_page_are_read_by_user_id_range() {
        let plan = sqlite_plan(MEMBERSHIPS_OF_PAGE, ("/1/", "/10", 1, 500)).await;
        assert_eq!(
            plan.first().map(String::as_str),
            Some("SEARCH m USING INDEX project_members_user_idx (user_id>? AND user_id<?)"),
            "{plan:?}"
        );
        // Only the page's own memberships are sorted (by project within a user).
        assert!(plan.iter().all(|step| !step.contains("SCAN")), "{plan:?}");
    }
}
