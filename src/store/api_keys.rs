use super::{StoreResult, Tx, on_tx};
use crate::domain::{Millis, PublicId};

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
