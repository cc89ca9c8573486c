use super::{StoreResult, Tx, on_tx};
use crate::domain::Millis;

impl Tx {
    /// Records a nonce as used by `user_id`; a second use of it fails with
    /// `StoreError::Unique(UniqueKey::Nonce)`.
    pub async fn use_nonce(&mut self, user_id: i64, digest: &[u8], now: Millis) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("INSERT INTO nonces (user_id, digest, created_at) VALUES ($1, $2, $3)")
                .bind(user_id)
                .bind(digest)
                .bind(now)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}
