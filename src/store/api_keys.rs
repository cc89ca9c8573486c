use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::{ApiKeyStatus, Millis, OrgPath, PublicId, Role};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: i64,
    pub public_id: PublicId,
    pub user_id: i64,
    pub status: ApiKeyStatus,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
}

/// What an API key stands for: its user and the user's organization.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyActorRow {
    pub key_id: i64,
    pub key_public_id: PublicId,
    pub status: ApiKeyStatus,
    pub region: String,
    pub last_used_at: Option<Millis>,
    pub user_id: i64,
    pub user_public_id: PublicId,
    pub role: Role,
    pub partner: bool,
    pub org_id: i64,
    pub org_public_id: PublicId,
    pub org_path: OrgPath,
}

/// The key columns (never the hash), followed by `$tail` (a literal).
macro_rules! select_key {
    ($tail:literal) => {
        concat!(
            "SELECT id, public_id, user_id, status, created_at, last_used_at FROM api_keys ",
            $tail
        )
    };
}

const KEY_BY_PUBLIC_ID: super::locks::LockingRead =
    super::locks::locking_read!(select_key!("WHERE public_id = $1"), "api_keys");

impl Tx {
    /// The key `id`, read and locked (see `locks`) for the rest of the transaction.
    pub async fn api_key_locked(
        &mut self,
        id: &PublicId,
        lock: super::RowLock,
    ) -> StoreResult<Option<ApiKeyRow>> {
        let sql = self.locking(&KEY_BY_PUBLIC_ID, lock);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, ApiKeyRow>(sql)
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }
}

impl Exec<'_> {
    pub async fn api_key_actor(self, key_hash: &[u8]) -> StoreResult<Option<ApiKeyActorRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ApiKeyActorRow>(
                "SELECT k.id AS key_id, k.public_id AS key_public_id, k.status, k.region, k.last_used_at, u.id AS user_id, \
                 u.public_id AS user_public_id, u.role, u.partner, o.id AS org_id, \
                 o.public_id AS org_public_id, o.path AS org_path \
                 FROM api_keys k JOIN users u ON u.id = k.user_id \
                 JOIN organizations o ON o.id = u.org_id WHERE k.key_hash = $1",
            )
            .bind(key_hash)
            .fetch_optional(c)
            .await?
        }))
    }

    /// At most `limit` keys of the user after the key `after` (its row id), in id order.
    pub async fn api_keys_of_user(
        self,
        user_id: i64,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<ApiKeyRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ApiKeyRow>(select_key!(
                "WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3"
            ))
            .bind(user_id)
            .bind(after)
            .bind(limit)
            .fetch_all(c)
            .await?
        }))
    }

    pub async fn api_key_by_public_id(self, id: &PublicId) -> StoreResult<Option<ApiKeyRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ApiKeyRow>(select_key!("WHERE public_id = $1"))
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }
}

impl Tx {
    /// Stores a new API key by its SHA-256 only; it takes its user's region.
    pub async fn insert_api_key(
        &mut self,
        public_id: &PublicId,
        user_id: i64,
        key_hash: &[u8],
        now: Millis,
    ) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO api_keys (public_id, user_id, key_hash, status, created_at, region) \
                 SELECT $1, $2, $3, $4, $5, region FROM users WHERE id = $2 RETURNING id",
            )
            .bind(public_id.to_string())
            .bind(user_id)
            .bind(key_hash)
            .bind(ApiKeyStatus::Active.as_str())
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    pub async fn set_api_key_status(&mut self, id: i64, status: ApiKeyStatus) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("UPDATE api_keys SET status = $1 WHERE id = $2")
                .bind(status.as_str())
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn touch_api_key(&mut self, id: i64, now: Millis) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}
