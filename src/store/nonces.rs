use std::collections::HashSet;

use sqlx::QueryBuilder;

use super::{NewToken, NonceToken, StoreResult, Tx, on_tx};
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
                .persistent(nonces.len() == 1)
                .fetch_all(c)
                .await?
        }))
    }

    /// `TokenWriter::issue_tokens_for_new_nonces` in this transaction, with two multi-row
    /// statements (at most `MAX_ROWS` entries, whose nonces differ).
    pub(super) async fn issue_tokens_for_new_nonces(
        &mut self,
        entries: &[NonceToken<'_>],
        now: Millis,
    ) -> StoreResult<Vec<bool>> {
        let nonces: Vec<(i64, &[u8])> = entries
            .iter()
            .map(|entry| (entry.user_id, entry.nonce_digest))
            .collect();
        let new: HashSet<(i64, Vec<u8>)> =
            self.use_nonces(&nonces, now).await?.into_iter().collect();
        let fresh: Vec<bool> = entries
            .iter()
            .map(|entry| new.contains(&(entry.user_id, entry.nonce_digest.to_vec())))
            .collect();
        let tokens: Vec<NewToken> = entries
            .iter()
            .zip(&fresh)
            .filter(|(_, fresh)| **fresh)
            .map(|(entry, _)| entry.token.clone())
            .collect();
        self.insert_tokens(&tokens, now).await?;
        Ok(fresh)
    }
}
