use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::{Millis, PublicId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: i64,
    pub public_id: String,
    pub user_id: i64,
    pub status: String,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
}

impl Exec<'_> {
    pub async fn api_keys_of_user(self, user_id: i64) -> StoreResult<Vec<ApiKeyRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ApiKeyRow>(
                "SELECT id, public_id, user_id, status, created_at, last_used_at FROM api_keys \
                 WHERE user_id = $1 ORDER BY id",
            )
            .bind(user_id)
            .fetch_all(c)
            .await?
        }))
    }
}

impl Tx {
    /// Stores a new API key by its SHA-256 only.
    pub async fn insert_api_key(
        &mut self,
        public_id: &PublicId,
        user_id: i64,
        key_hash: &[u8],
        now: Millis,
    ) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO api_keys (public_id, user_id, key_hash, status, created_at) \
                 VALUES ($1, $2, $3, 'ACTIVE', $4) RETURNING id",
            )
            .bind(public_id.to_string())
            .bind(user_id)
            .bind(key_hash)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }
}
