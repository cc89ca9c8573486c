//! A SQLite write connection driven synchronously, through rusqlite, for the hottest batch
//! write: owner tokens with their nonces (the SQLite side of `TokenWriter`).
//!
//! Through sqlx every statement is a trip to the connection's worker thread and back, and a
//! batch writer that every waiting request depends on spent half its time in those trips
//! (four a batch). Here the whole transaction runs on the calling thread, with statements
//! prepared once. It takes turns with the store's writer (`Db::Sqlite::write_turn`), as SQLite
//! lets one connection write at a time. PostgreSQL has no such connection.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior, params};
use tokio::sync::Mutex;

use super::tokens::INSERT_TOKEN;
use super::{NonceToken, SQLITE_PRAGMAS, StoreResult};
use crate::domain::Millis;

pub struct DirectSqlite {
    conn: Connection,
    /// Shared with the store's writer (`Db::Sqlite::write_turn`).
    write_turn: Arc<Mutex<()>>,
}

impl DirectSqlite {
    /// Opens the database (already migrated) with the settings of every store connection
    /// (`SQLITE_PRAGMAS`) and a larger page cache: nonces land on random pages of their index
    /// (their keys are hashes), and 32 MiB instead of the default 2 MiB keeps those pages at
    /// hand rather than read back from the file each time.
    pub(super) fn open(
        path: &Path,
        busy_timeout: Duration,
        write_turn: Arc<Mutex<()>>,
    ) -> StoreResult<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(busy_timeout)?;
        let settings: String = SQLITE_PRAGMAS
            .iter()
            .chain(&[("cache_size", "-32768")])
            .map(|(name, value)| format!("PRAGMA {name} = {value};"))
            .collect();
        conn.execute_batch(&settings)?;
        Ok(Self { conn, write_turn })
    }

    /// `TokenWriter::issue_tokens_for_new_nonces`. Waits for its turn to write, then blocks
    /// the thread for the whole transaction.
    pub(super) async fn issue_tokens_for_new_nonces(
        &mut self,
        entries: &[NonceToken<'_>],
        now: Millis,
    ) -> StoreResult<Vec<bool>> {
        let _turn = self.write_turn.lock().await;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut fresh = Vec::with_capacity(entries.len());
        {
            let mut use_nonce = tx.prepare_cached(
                "INSERT INTO nonces (user_id, digest, created_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (user_id, digest) DO NOTHING",
            )?;
            // `$1`…`$8` are SQLite named parameters, numbered in order of appearance.
            let mut insert_token = tx.prepare_cached(INSERT_TOKEN)?;
            for entry in entries {
                let new = use_nonce.execute(params![entry.user_id, entry.nonce_digest, now])? == 1;
                if new {
                    let token = &entry.token;
                    insert_token.execute(params![
                        token.hash,
                        token.kind.as_str(),
                        token.user_id,
                        token.org_id,
                        token.region,
                        token.expires_at,
                        token.epoch,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Email, PublicId, Role, TokenKind};
    use crate::store::{Location, NewToken, NewUser, Store, StoreError, TokenWriter};

    /// A store with one organization and one user; returns the store, the user's id and the
    /// organization's id.
    async fn store_with_a_user(dir: &Path) -> (Store, i64, i64) {
        let store = Store::open(Location::SqliteFile(&dir.join("orghub.sqlite3")))
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        let org_id = tx
            .insert_org(&PublicId::new(), "Org", None, "eu", 1)
            .await
            .unwrap();
        let user = NewUser {
            public_id: &PublicId::new(),
            org_id,
            root_id: org_id,
            name: "Owner",
            email: &Email::parse("owner@example.com").unwrap(),
            role: Role::Owner,
            partner: false,
            password_hash: None,
            region: "eu",
        };
        let user_id = tx.insert_user(&user, 1).await.unwrap();
        tx.commit().await.unwrap();
        (store, user_id, org_id)
    }

    fn entry<'a>(user_id: i64, org_id: i64, nonce: &'a [u8], key: &'a [u8]) -> NonceToken<'a> {
        NonceToken {
            user_id,
            nonce_digest: nonce,
            token: NewToken {
                hash: key,
                kind: TokenKind::Owner,
                user_id: Some(user_id),
                org_id,
                region: "eu",
                expires_at: 10,
                epoch: 0,
            },
        }
    }

    /// The store's token writer, which on SQLite is this connection.
    fn direct(store: &Store) -> TokenWriter {
        let writer = store.token_writer().unwrap();
        assert!(matches!(writer, TokenWriter::Direct(_)));
        assert!(writer.blocks_its_thread());
        writer
    }

    async fn count(store: &Store, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        super::super::on_pool!(store, |c| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(c)
                .await
                .unwrap()
        })
    }

    #[tokio::test]
    async fn a_token_is_inserted_only_for_a_nonce_not_used_before() {
        let dir = tempfile::tempdir().unwrap();
        let (store, user, org) = store_with_a_user(dir.path()).await;
        let mut direct = direct(&store);

        let first = [
            entry(user, org, b"n1", b"k1"),
            entry(user, org, b"n2", b"k2"),
        ];
        assert_eq!(
            direct.issue_tokens_for_new_nonces(&first, 5).await.unwrap(),
            [true, true]
        );
        let again = [
            entry(user, org, b"n2", b"k3"),
            entry(user, org, b"n3", b"k4"),
        ];
        assert_eq!(
            direct.issue_tokens_for_new_nonces(&again, 6).await.unwrap(),
            [false, true]
        );

        assert_eq!(count(&store, "nonces").await, 3);
        let keys: Vec<Vec<u8>> = super::super::on_pool!(store, |c| {
            sqlx::query_scalar("SELECT hash FROM tokens ORDER BY hash")
                .fetch_all(c)
                .await
                .unwrap()
        });
        assert_eq!(keys, [b"k1".to_vec(), b"k2".to_vec(), b"k4".to_vec()]);
    }

    #[tokio::test]
    async fn a_batch_that_fails_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (store, user, org) = store_with_a_user(dir.path()).await;
        let mut direct = direct(&store);

        // The second entry's user does not exist: the first entry's writes are undone too.
        let batch = [
            entry(user, org, b"n1", b"k1"),
            entry(user + 1, org, b"n2", b"k2"),
        ];
        let error = direct
            .issue_tokens_for_new_nonces(&batch, 5)
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::ForeignKey), "{error:?}");
        assert_eq!(count(&store, "nonces").await, 0);
        assert_eq!(count(&store, "tokens").await, 0);

        // The connection is usable afterwards.
        let retry = [entry(user, org, b"n1", b"k1")];
        assert_eq!(
            direct.issue_tokens_for_new_nonces(&retry, 6).await.unwrap(),
            [true]
        );
    }

    #[tokio::test]
    async fn it_waits_for_its_turn_while_the_store_writes() {
        let dir = tempfile::tempdir().unwrap();
        let (store, user, org) = store_with_a_user(dir.path()).await;
        let mut direct = direct(&store);

        let tx = store.begin().await.unwrap();
        let batch = [entry(user, org, b"n1", b"k1")];
        let mut issue = std::pin::pin!(direct.issue_tokens_for_new_nonces(&batch, 5));
        assert!(
            futures::poll!(issue.as_mut()).is_pending(),
            "the store's writer has the turn"
        );
        tx.commit().await.unwrap();
        assert_eq!(issue.await.unwrap(), [true]);
    }
}
