use sqlx::QueryBuilder;

use super::{StoreResult, Tx, on_tx};
use crate::domain::Millis;

impl Tx {
    /// Records each (user id, nonce digest) as used, in one statement (at most `MAX_ROWS`);
    /// returns those that were not used before. A pair already used, or listed twice, is
    /// recorded once.
    pub async fn use_nonces(
        &mut self,
        nonces: &[(i64, &[u8])],
        now: Millis,
    ) -> StoreResult<Vec<(i64, Vec<u8>)>> {
        if nonces.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_tx!(self, |c| {
            let mut query = QueryBuilder::new("INSERT INTO nonces (user_id, digest, created_at) ");
            query.push_values(nonces, |mut row, (user_id, digest)| {
                row.push_bind(*user_id).push_bind(*digest).push_bind(now);
            });
            query.push(" ON CONFLICT (user_id, digest) DO NOTHING RETURNING user_id, digest");
            query
                .build_query_as::<(i64, Vec<u8>)>()
                .persistent(false)
                .fetch_all(c)
                .await?
        }))
    }
}
