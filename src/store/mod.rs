//! The store: every SQL statement of orghub lives under this module, and nowhere else.
//!
//! One SQL text serves both databases (sqlx's SQLite driver binds `$1`-style placeholders);
//! the only dialect differences are the migrations and the connection set-up below. The two
//! drivers stay native (no `sqlx::Any`), and the macros `on_pool!`/`on_tx!` compile each
//! statement once per driver so the methods are written once.

mod api_keys;
mod changes;
mod cloud_accounts;
mod conformity_accounts;
mod conformity_groups;
mod conformity_users;
mod decode;
mod deliveries;
mod direct;
mod error;
mod events;
mod external_ids;
mod hooks;
mod idempotency;
mod idos;
mod idos_slugs;
mod locks;
mod nonces;
mod oauth;
mod org_tree;
mod orgs;
mod projects;
mod sqlite_files;
mod sqlite_rebuild;
mod templates;
mod tenants;
mod token_writer;
mod tokens;
mod user_pages;
mod users;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{ConnectOptions, Postgres, Sqlite, Transaction};
use tokio::sync::OwnedMutexGuard;

pub use api_keys::{ApiKeyActorRow, ApiKeyRow};
pub use cloud_accounts::{CloudAccountRow, NewCloudAccount};
pub use conformity_accounts::{
    AccountCloudRow, ActiveDirectoryRow, GcpOrganisationRow, NewActiveDirectory,
    NewGcpOrganisation, RegisteredAccountRow, RuleSettingRow,
};
pub use conformity_groups::GroupRow;
pub use conformity_users::{AccountAccessRow, ConformityUserRow};
pub use decode::JsonText;
pub use deliveries::{
    AttemptRow, ClaimedDelivery, DELIVERY_FAILED, DELIVERY_PENDING, DELIVERY_SUCCEEDED,
    DeliveryOutcome, PendingSummary,
};
pub use error::{StoreError, UniqueKey};
pub use events::{EventFilter, EventRow, NewEvent};
pub use hooks::{FailingHook, HookRow, NewHook};
pub use idempotency::IdempotencyRow;
pub use idos::*;
pub use locks::RowLock;
pub use oauth::{ApiKeyClientRow, ApiKeyInfoRow, NewNativeToken, TokenInfoRow};
pub use orgs::{NewOrg, OrgRow, SsoSecretRow};
pub use projects::{ConnectionRow, NewConnection, ProjectRow};
pub use templates::{TemplateConnectionRow, TemplateRow};
pub use tenants::TenantUsage;
pub use token_writer::{NonceToken, TokenWriter};
pub use tokens::{NewToken, TakenToken, TokenActorRow};
pub use user_pages::UserFilter;
pub use users::{ListedUserRow, NewUser, UserRow};

pub type StoreResult<T> = Result<T, StoreError>;

/// The most rows a multi-row statement may be given (`Tx::insert_tokens`, `Tx::insert_orgs`…). The widest binds 7 values a row, so a statement stays far
/// below the bind-parameter limits (SQLite 32,766, PostgreSQL 65,535). These statements are
/// built with `QueryBuilder`; their text changes with the number of rows, and a cached variant
/// per size would push the fixed statements out of the connection's prepared-statement cache.
/// So only the one-row form is cached (`.persistent(rows.len() == 1)`): it is what a lone
/// request runs, and preparing it each time cost about 75k instructions, more than the rest of
/// `POST /xponent/org`; a larger batch is prepared each time, its cost shared by its rows.
pub const MAX_ROWS: usize = 1_000;

/// How long a SQLite connection waits for another process's writer to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The settings of every SQLite connection: the sqlx pools' and `DirectSqlite`'s alike.
const SQLITE_PRAGMAS: [(&str, &str); 5] = [
    ("journal_mode", "WAL"),
    ("synchronous", "NORMAL"),
    ("foreign_keys", "ON"),
    // Statement journals (a multi-row insert in a transaction needs one) and temporary sort
    // tables stay in memory instead of temporary files.
    ("temp_store", "memory"),
    // `orghub serve` checkpoints in the background (`Store::checkpoint`); a commit checkpoints
    // by itself only when the log has grown past 40 MB.
    ("wal_autocheckpoint", "10000"),
];

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum Location<'a> {
    /// An embedded SQLite database file (created when missing).
    SqliteFile(&'a Path),
    /// A PostgreSQL server, by `postgres://` URL.
    Postgres(&'a str),
}

#[derive(Clone)]
pub struct Store {
    db: Db,
    /// How many write transactions this process has committed that may change what the
    /// service caches (see `Store::changes`).
    changes: Arc<AtomicU64>,
    /// Woken by each commit that wrote hook deliveries (`Store::hook_deliveries_written`).
    hooks_wake: Arc<tokio::sync::Notify>,
    /// Changes committed by any process sharing the database (see `changes.rs`).
    feed: Arc<changes::ChangeFeed>,
}

#[derive(Clone)]
enum Db {
    /// SQLite allows one writer at a time: a one-connection write pool queues writers in the
    /// process instead of letting them fail with SQLITE_BUSY; readers use their own pool (WAL).
    /// The one other writer is the owner tokens' own connection (`Store::token_writer`);
    /// the two take turns through `write_turn`.
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        /// One connection for `checkpoint`, so the writer never waits for one.
        checkpointer: SqlitePool,
        /// The database file, for `Store::token_writer`.
        path: Arc<PathBuf>,
        /// Whose turn it is to write, `write` or the direct writer: a fair queue in the
        /// process. Left to SQLite's busy handler, which sleeps 1 to 100 ms at a time, the
        /// organization writes kept the lock and token batches waited up to a second.
        write_turn: Arc<tokio::sync::Mutex<()>>,
    },
    Postgres(PgPool),
}

/// A write transaction on either database.
pub struct Tx {
    conn: TxConn,
    /// The store's change count, bumped on commit; `None` for a transaction that only writes
    /// tokens and nonces (`Store::begin_token_writes`).
    changes: Option<Arc<AtomicU64>>,
    /// On SQLite, this process's turn to write, held until the transaction ends.
    _turn: Option<OwnedMutexGuard<()>>,
    /// Set when the transaction wrote hook deliveries: its commit wakes the delivery worker.
    wakes_hooks: bool,
    hooks_wake: Arc<tokio::sync::Notify>,
}

enum TxConn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Where a query runs: on the read pool, or inside a write transaction (for reads whose answer
/// a write in the same transaction depends on).
pub enum Exec<'a> {
    Pool(&'a Store),
    Tx(&'a mut Tx),
}

impl Store {
    pub fn read(&self) -> Exec<'_> {
        Exec::Pool(self)
    }
}

impl Tx {
    pub fn exec(&mut self) -> Exec<'_> {
        Exec::Tx(self)
    }
}

/// Runs `$body` with `$c` bound to the pool to read from, on whichever database is in use.
macro_rules! on_pool {
    ($store:expr, |$c:ident| $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite { read, .. } => {
                let $c = read;
                $body
            }
            $crate::store::Db::Postgres(pool) => {
                let $c = pool;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection.
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match &mut $tx.conn {
            $crate::store::TxConn::Sqlite(tx) => {
                let $c = &mut **tx;
                $body
            }
            $crate::store::TxConn::Postgres(tx) => {
                let $c = &mut **tx;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to wherever the `Exec` points.
macro_rules! on_exec {
    ($exec:expr, |$c:ident| $body:expr) => {
        match $exec {
            $crate::store::Exec::Pool(store) => $crate::store::on_pool!(store, |$c| $body),
            $crate::store::Exec::Tx(tx) => $crate::store::on_tx!(tx, |$c| $body),
        }
    };
}

pub(crate) use {on_exec, on_pool, on_tx};

impl Store {
    /// Connects and applies the migrations.
    pub async fn open(location: Location<'_>) -> StoreResult<Self> {
        let feed;
        let db = match location {
            Location::SqliteFile(path) => {
                sqlite_files::prepare(path)?;
                let options = SQLITE_PRAGMAS.iter().fold(
                    SqliteConnectOptions::new()
                        .filename(path)
                        .create_if_missing(true)
                        .busy_timeout(BUSY_TIMEOUT),
                    |options, (name, value)| options.pragma(*name, *value),
                );
                let write = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options.clone())
                    .await?;
                SQLITE_MIGRATIONS.run(&write).await?;
                // The one step of a migration that SQL cannot say without a list of columns
                // (see `sqlite_rebuild`).
                sqlite_rebuild::drop_server_wide_org_names(&mut *write.acquire().await?).await?;
                // Its statement runs ten times a second whether or not anything was written:
                // logged at debug like every other statement, it would drown the debug log.
                let checkpointer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options.clone().disable_statement_logging())
                    .await?;
                let read = SqlitePoolOptions::new()
                    .max_connections(read_pool_size())
                    .connect_with(options.read_only(true))
                    .await?;
                // The log and its index exist now; SQLite gave them the database file's mode.
                sqlite_files::make_private(path)?;
                feed = changes::ChangeFeed::Sqlite(changes::SqliteWatch::open(path)?);
                Db::Sqlite {
                    read,
                    write,
                    checkpointer,
                    path: Arc::new(path.to_owned()),
                    write_turn: Arc::default(),
                }
            }
            Location::Postgres(url) => {
                let options = sqlx::postgres::PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options.clone())
                    .await?;
                POSTGRES_MIGRATIONS.run(&pool).await?;
                feed = changes::ChangeFeed::Postgres(changes::PostgresFeed::start(options));
                Db::Postgres(pool)
            }
        };
        let store = Self {
            db,
            changes: Arc::default(),
            hooks_wake: Arc::default(),
            feed: Arc::new(feed),
        };
        store.rekey_emails().await?;
        store.backfill_org_slugs().await?;
        Ok(store)
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so a transaction that reads before it writes cannot fail half-way when
    /// another process (say `orghub bootstrap`) writes at the same time.
    pub async fn begin(&self) -> StoreResult<Tx> {
        let mut tx = self.begin_token_writes().await?;
        tx.changes = Some(self.changes.clone());
        Ok(tx)
    }

    /// Starts a write transaction that writes only tokens and nonces. Nothing cached is read
    /// from those (a cache miss reads a new token; an expired one fails its expiry check), so
    /// its commit is not counted as a change.
    pub async fn begin_token_writes(&self) -> StoreResult<Tx> {
        let (conn, turn) = match &self.db {
            Db::Sqlite {
                write, write_turn, ..
            } => {
                let turn = write_turn.clone().lock_owned().await;
                let tx = write.begin_with("BEGIN IMMEDIATE").await?;
                (TxConn::Sqlite(tx), Some(turn))
            }
            Db::Postgres(pool) => (TxConn::Postgres(pool.begin().await?), None),
        };
        Ok(Tx {
            conn,
            changes: None,
            _turn: turn,
            wakes_hooks: false,
            hooks_wake: self.hooks_wake.clone(),
        })
    }

    /// A count of the changes committed to the database (see `begin`): by this process, at
    /// once, and by any other process sharing the database, as soon as this one can know
    /// (see `changes.rs`). A value read before a query and still current afterwards means no
    /// change can have made the query's answer stale.
    pub fn changes(&self) -> u64 {
        // Both only grow: their sum changes whenever either does.
        self.changes
            .load(Ordering::Acquire)
            .wrapping_add(self.feed.generation())
    }

    /// A synchronous write connection of its own (SQLite only; `None` on PostgreSQL).
    fn direct_sqlite(&self) -> StoreResult<Option<direct::DirectSqlite>> {
        match &self.db {
            Db::Sqlite {
                path, write_turn, ..
            } => direct::DirectSqlite::open(path, BUSY_TIMEOUT, write_turn.clone()).map(Some),
            Db::Postgres(_) => Ok(None),
        }
    }

    /// True for the embedded database, which one `orghub serve` process owns.
    pub fn is_embedded(&self) -> bool {
        matches!(self.db, Db::Sqlite { .. })
    }

    /// Copies what the SQLite write-ahead log holds into the database file, without waiting
    /// for writers or readers (`PASSIVE`), on a connection of its own. Left to commits, a
    /// checkpoint (and its fsync) would stall the one writer and every request queued behind
    /// it. Nothing to do on PostgreSQL.
    /// Returns whether the whole log is now in the database file.
    pub async fn checkpoint(&self) -> StoreResult<bool> {
        let Db::Sqlite { checkpointer, .. } = &self.db else {
            return Ok(true);
        };
        // One row: busy (0 or 1), frames in the log, frames checkpointed.
        let (_busy, logged, copied): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(checkpointer)
                .await?;
        Ok(copied == logged)
    }

    /// True while the database answers.
    pub async fn ping(&self) -> bool {
        let answer: Result<i32, _> = on_pool!(self, |c| {
            sqlx::query_scalar("SELECT 1").fetch_one(c).await
        });
        answer.is_ok()
    }

    pub fn backend_name(&self) -> &'static str {
        match self.db {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite {
                read,
                write,
                checkpointer,
                ..
            } => {
                read.close().await;
                write.close().await;
                checkpointer.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
        self.feed.stop();
    }
}

impl Tx {
    /// Commits, then counts the change. A failed commit is counted too: whether it took
    /// effect is unknown, so caches must not trust what they read before it.
    pub async fn commit(mut self) -> StoreResult<()> {
        // Announced in the transaction itself, so that other processes hear of it exactly
        // when it is committed (see `changes.rs`).
        let announced = match (&self.changes, &mut self.conn) {
            (None, _) => Ok(()),
            (Some(_), TxConn::Sqlite(tx)) => sqlx::query(changes::SQLITE_ANNOUNCE)
                .execute(&mut **tx)
                .await
                .map(drop),
            (Some(_), TxConn::Postgres(tx)) => sqlx::query(changes::POSTGRES_ANNOUNCE)
                .execute(&mut **tx)
                .await
                .map(drop),
        };
        let committed = match announced {
            Ok(()) => match self.conn {
                TxConn::Sqlite(tx) => tx.commit().await,
                TxConn::Postgres(tx) => tx.commit().await,
            },
            Err(error) => Err(error),
        };
        if let Some(changes) = &self.changes {
            changes.fetch_add(1, Ordering::AcqRel);
        }
        if self.wakes_hooks && committed.is_ok() {
            self.hooks_wake.notify_one();
        }
        Ok(committed?)
    }
}

fn read_pool_size() -> u32 {
    std::thread::available_parallelism()
        .map(|n| n.get() as u32 * 2)
        .unwrap_or(4)
        .clamp(2, 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_checkpoint_copies_the_whole_log_into_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orghub.sqlite3");
        let store = Store::open(Location::SqliteFile(&path)).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.insert_org(&crate::domain::PublicId::new(), "Org", None, "eu", 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let wal = dir.path().join("orghub.sqlite3-wal");
        assert!(std::fs::metadata(&wal).unwrap().len() > 0);

        assert!(store.checkpoint().await.unwrap());
        // The log's frames are in the file now: a copy of the file alone holds the row.
        let copy = dir.path().join("copy.sqlite3");
        std::fs::copy(&path, &copy).unwrap();
        let reopened = Store::open(Location::SqliteFile(&copy)).await.unwrap();
        let names: Vec<String> = on_pool!(reopened, |c| {
            sqlx::query_scalar("SELECT name FROM organizations")
                .fetch_all(c)
                .await
                .unwrap()
        });
        assert_eq!(names, ["Org"]);
    }

    /// The rebuild that drops the server-wide unique name (see `sqlite_rebuild`) keeps what
    /// any migration gave `organizations`: a column and a unique index added before `0007`
    /// (as the idOS face's `slug` is, in `0005`), `sso_epoch` of `0006`, its values, and the
    /// indexes and triggers of `0007`; a second open has nothing to do.
    #[tokio::test]
    async fn the_names_rebuild_keeps_every_column_index_and_trigger() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("slugs.sqlite3");
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .pragma("foreign_keys", "ON");
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap();
        let before = sqlx::migrate::Migrator {
            migrations: std::borrow::Cow::Owned(
                SQLITE_MIGRATIONS
                    .migrations
                    .iter()
                    .filter(|m| m.version < 7)
                    .cloned()
                    .collect(),
            ),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        before.run(&pool).await.unwrap();
        sqlx::raw_sql(
            "INSERT INTO organizations (id, public_id, name, parent_id, path, region, created_at, \
               updated_at, sso_epoch, slug) VALUES \
               (1, 'a', 'A', NULL, '/1/', 'us', 1, 1, 3, 'a-slug'), \
               (2, 'b', 'B', 1, '/1/2/', 'us', 1, 1, 0, 'b-slug');",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;

        for _ in 0..2 {
            let store = Store::open(Location::SqliteFile(&path)).await.unwrap();
            let rows: Vec<(i64, i64, String, i64)> = on_pool!(store, |c| {
                sqlx::query_as("SELECT id, sso_epoch, slug, root_id FROM organizations ORDER BY id")
                    .fetch_all(c)
                    .await
                    .unwrap()
            });
            assert_eq!(
                rows,
                [
                    (1, 3, "a-slug".to_owned(), 1),
                    (2, 0, "b-slug".to_owned(), 1)
                ]
            );
            let schema: Vec<(String, String)> = on_pool!(store, |c| {
                sqlx::query_as(
                    "SELECT type, name FROM sqlite_schema WHERE tbl_name = 'organizations' \
                     AND sql IS NOT NULL ORDER BY type, name",
                )
                .fetch_all(c)
                .await
                .unwrap()
            });
            let names: Vec<&str> = schema.iter().map(|(_, name)| name.as_str()).collect();
            assert_eq!(
                names,
                [
                    "organizations_external_id_key",
                    "organizations_parent_idx",
                    "organizations_path_idx",
                    "organizations_root_name_key",
                    "organizations_slug_key",
                    "organizations_tree_name_key",
                    "organizations",
                    "organizations_counted_in",
                    "organizations_counted_out",
                ]
            );
            let table: String = on_pool!(store, |c| {
                sqlx::query_scalar("SELECT sql FROM sqlite_schema WHERE name = 'organizations'")
                    .fetch_one(c)
                    .await
                    .unwrap()
            });
            assert!(!table.contains("organizations_name_key"), "{table}");
            // The slug's index is still unique; names are unique per tree only.
            let mut tx = store.begin().await.unwrap();
            let taken = on_tx!(tx, |c| {
                sqlx::query("UPDATE organizations SET slug = 'a-slug' WHERE id = 2")
                    .execute(c)
                    .await
                    .map(drop)
            });
            assert!(taken.is_err());
            drop(tx);
            store.close().await;
        }
    }

    /// `0007` on a database that already holds trees: each organization and user gets its
    /// tree, each tenant its counts, and names become unique per tree.
    #[tokio::test]
    async fn the_tenants_migration_keeps_existing_trees_and_counts_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .pragma("foreign_keys", "ON");
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .unwrap();
        let before = sqlx::migrate::Migrator {
            migrations: std::borrow::Cow::Owned(
                SQLITE_MIGRATIONS
                    .migrations
                    .iter()
                    .filter(|m| m.version < 7)
                    .cloned()
                    .collect(),
            ),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        before.run(&pool).await.unwrap();
        sqlx::raw_sql(
            "INSERT INTO organizations (id, public_id, name, parent_id, path, region, created_at, updated_at) VALUES \
               (1, 'a', 'A', NULL, '/1/', 'us', 1, 1), (2, 'b', 'B', 1, '/1/2/', 'us', 1, 1), \
               (3, 'c', 'C', NULL, '/3/', 'us', 1, 1), (4, 'd', 'D', 3, '/3/4/', 'us', 1, 1), \
               (9, 'gone', 'Gone', 3, '/3/9/', 'us', 1, 1); \
             DELETE FROM organizations WHERE id = 9; \
             INSERT INTO users (public_id, org_id, name, email, email_key, role, created_at, updated_at) VALUES \
               ('u1', 2, 'U', 'u1@x', 'u1@x', 'Member', 1, 1), ('u2', 4, 'V', 'u2@x', 'u2@x', 'Member', 1, 1), \
               ('u3', 4, 'W', 'u3@x', 'u3@x', 'Member', 1, 1), \
               ('u4', 2, 'K', 'ＫIM@x', 'ｋim@x', 'Member', 1, 1);",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;

        let store = Store::open(Location::SqliteFile(&path)).await.unwrap();
        let trees: Vec<(i64, i64)> = on_pool!(store, |c| {
            sqlx::query_as("SELECT id, root_id FROM organizations ORDER BY id")
                .fetch_all(c)
                .await
                .unwrap()
        });
        assert_eq!(trees, [(1, 1), (2, 1), (3, 3), (4, 3)]);
        let usage: Vec<(i64, i64, i64)> = on_pool!(store, |c| {
            sqlx::query_as("SELECT root_id, orgs, users FROM tenant_usage ORDER BY root_id")
                .fetch_all(c)
                .await
                .unwrap()
        });
        assert_eq!(usage, [(1, 2, 2), (3, 2, 2)]);
        // An old key in a compatibility form is the NFKC one now.
        let key: String = on_pool!(store, |c| {
            sqlx::query_scalar("SELECT email_key FROM users WHERE public_id = 'u4'")
                .fetch_one(c)
                .await
                .unwrap()
        });
        assert_eq!(key, "kim@x");

        let mut tx = store.begin().await.unwrap();
        let path_3 = crate::domain::OrgPath::root(3);
        let id = tx
            .insert_org(
                &crate::domain::PublicId::new(),
                "B",
                Some((3, &path_3)),
                "us",
                2,
            )
            .await
            .unwrap();
        assert!(id > 9, "no id of a deleted organization comes back: {id}");
        let again = tx
            .insert_org(
                &crate::domain::PublicId::new(),
                "D",
                Some((3, &path_3)),
                "us",
                2,
            )
            .await;
        assert!(matches!(
            again,
            Err(StoreError::Unique(UniqueKey::OrganizationName))
        ));
    }
}
