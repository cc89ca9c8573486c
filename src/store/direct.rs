//! A SQLite write connection driven synchronously, through rusqlite, for the hottest batch
//! write: owner tokens with their nonces.
//!
//! Through sqlx every statement is a trip to the connection's worker thread and back, and a
//! batch writer that every waiting request depends on spent half its time in those trips
//! (four a batch). Here the whole transaction runs on the calling thread, with statements
//! prepared once. A second writer connection is safe: SQLite lets one write at a time, and
//! each waits for the other with the same busy timeout. PostgreSQL has no such connection.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior, params};

use super::tokens::NewToken;
use super::{StoreError, StoreResult};
use crate::domain::Millis;

/// A nonce to record for a user, and the token to issue if the nonce is new.
pub struct NonceToken<'a> {
    pub user_id: i64,
    pub nonce_digest: &'a [u8],
    pub token: NewToken<'a>,
}

pub struct DirectSqlite {
    conn: Connection,
}

impl DirectSqlite {
    /// Opens the database (already migrated) with the settings of the store's writer.
    pub(super) fn open(path: &Path, busy_timeout: Duration) -> StoreResult<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(busy_timeout)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = memory;
             PRAGMA wal_autocheckpoint = 10000;
             PRAGMA cache_size = -32768;",
        )?;
        Ok(Self { conn })
    }

    /// In one transaction, records each nonce for its user unless it was used before, and
    /// inserts the token of each entry whose nonce is new. Returns, per entry, whether its
    /// nonce was new (and its token inserted). On error nothing is written.
    pub fn issue_tokens_for_new_nonces(
        &mut self,
        entries: &[NonceToken<'_>],
        now: Millis,
    ) -> StoreResult<Vec<bool>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut fresh = Vec::with_capacity(entries.len());
        {
            let mut use_nonce = tx.prepare_cached(
                "INSERT INTO nonces (user_id, digest, created_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (user_id, digest) DO NOTHING",
            )?;
            let mut insert_token = tx.prepare_cached(
                "INSERT INTO tokens (hash, kind, user_id, org_id, region, expires_at, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for entry in entries {
                let new = use_nonce.execute(params![entry.user_id, entry.nonce_digest, now])? == 1;
                if new {
                    let token = &entry.token;
                    insert_token.execute(params![
                        token.hash,
                        token.kind,
                        token.user_id,
                        token.org_id,
                        token.region,
                        token.expires_at,
                        now
                    ])?;
                }
                fresh.push(new);
            }
        }
        tx.commit()?;
        Ok(fresh)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match &error {
            rusqlite::Error::SqliteFailure(failure, _)
                if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
            {
                StoreError::ForeignKey
            }
            _ => StoreError::Direct(error),
        }
    }
}
