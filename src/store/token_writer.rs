//! The writer of owner tokens and their nonces (Xponent `POST /token`, the hottest write),
//! chosen by the store: on SQLite a synchronous connection of its own (`DirectSqlite`), on
//! PostgreSQL a transaction on the pool with two multi-row statements. Its caller sees one
//! method either way.

use super::direct::DirectSqlite;
use super::{NewToken, Store, StoreResult};
use crate::domain::Millis;

/// A nonce to record for a user, and the token to issue if the nonce is new.
pub struct NonceToken<'a> {
    pub user_id: i64,
    pub nonce_digest: &'a [u8],
    pub token: NewToken<'a>,
}

pub enum TokenWriter {
    /// SQLite: each batch runs on the calling thread, which it blocks.
    Direct(DirectSqlite),
    /// PostgreSQL: each batch is a transaction on the pool.
    Pooled(Store),
}

impl Store {
    /// The token writer for this database. On SQLite it opens a connection of its own.
    pub fn token_writer(&self) -> StoreResult<TokenWriter> {
        Ok(match self.direct_sqlite()? {
            Some(direct) => TokenWriter::Direct(direct),
            None => TokenWriter::Pooled(self.clone()),
        })
    }
}

impl TokenWriter {
    /// True when a batch blocks the thread it runs on: whoever drives this writer should give
    /// it a thread of its own (where blocking also spares every hand-off to a driver thread).
    pub fn blocks_its_thread(&self) -> bool {
        matches!(self, Self::Direct(_))
    }

    /// In one transaction, records each nonce for its user unless it was used before, and
    /// inserts the token of each entry whose nonce is new. Returns, per entry, whether its
    /// nonce was new (and its token inserted). On error nothing is written. The entries'
    /// nonces differ (at most `MAX_ROWS` entries).
    pub async fn issue_tokens_for_new_nonces(
        &mut self,
        entries: &[NonceToken<'_>],
        now: Millis,
    ) -> StoreResult<Vec<bool>> {
        match self {
            Self::Direct(direct) => direct.issue_tokens_for_new_nonces(entries, now).await,
            Self::Pooled(store) => {
                // Tokens and nonces only: no cached read depends on them.
                let mut tx = store.begin_token_writes().await?;
                let fresh = tx.issue_tokens_for_new_nonces(entries, now).await?;
                tx.commit().await?;
                Ok(fresh)
            }
        }
    }
}
