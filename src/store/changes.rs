//! Changes committed by any process sharing the database (another server, an operator
//! command), so that what a server caches (`service::read_cache`) is dropped on the next
//! request after a revocation, a role change or a deletion, wherever it was made.
//!
//! Every transaction started with `Store::begin` (all writes but tokens and nonces) announces
//! itself as it commits (`announce`):
//! - **SQLite**: it adds one to the `change_generation` row. A read-only connection of the
//!   watcher asks `PRAGMA data_version`, which changes when any other connection, of this
//!   process or another, has committed: a few microseconds, with no I/O when nothing changed
//!   (the common case) — and only then reads the generation, so the token writer's commits,
//!   which change no generation, do not empty the caches. One look serves every request of
//!   the next `SQLITE_LOOK_EVERY` (a millisecond): under load, each request asking would
//!   put two queries behind one lock on every request (token issuance fell by a fifth), so a
//!   change made by another process is seen by the requests that start at most a millisecond
//!   after its commit.
//! - **PostgreSQL**: it sends `NOTIFY orghub_changes`, delivered at commit to every process
//!   listening; a listener task adds one to a counter per notification. While the listener is
//!   not connected (at start, after a lost connection) every read of the counter gives a new
//!   value, so that nothing is served from a cache until it listens again.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};

use super::StoreResult;

/// The PostgreSQL channel of change notifications.
pub(super) const CHANNEL: &str = "orghub_changes";

/// What a write transaction runs before its commit to announce it (see the module's text).
pub(super) const SQLITE_ANNOUNCE: &str =
    "UPDATE change_generation SET generation = generation + 1 WHERE id = 1";
pub(super) const POSTGRES_ANNOUNCE: &str = "SELECT pg_notify('orghub_changes', '')";
const _: () = assert!(CHANNEL.len() == "orghub_changes".len(), "one channel name");

pub(super) enum ChangeFeed {
    Sqlite(SqliteWatch),
    Postgres(std::sync::Arc<PostgresFeed>),
}

impl ChangeFeed {
    /// A number that changes whenever a change may have been committed by another process
    /// (and sometimes more often: never less).
    pub(super) fn generation(&self) -> u64 {
        match self {
            ChangeFeed::Sqlite(watch) => watch.generation(),
            ChangeFeed::Postgres(feed) => feed.generation(),
        }
    }

    /// Stops listening (PostgreSQL), when the store closes.
    pub(super) fn stop(&self) {
        if let ChangeFeed::Postgres(feed) = self
            && let Some(task) = feed.task.lock().unwrap_or_else(|e| e.into_inner()).take()
        {
            task.abort();
        }
    }
}

/// How long one look at `PRAGMA data_version` serves (see the module's text).
const SQLITE_LOOK_EVERY: Duration = Duration::from_millis(1);

pub(super) struct SqliteWatch {
    state: Mutex<WatchState>,
    /// When the watch was opened: the origin of `looked_at`.
    opened: Instant,
    /// Nanoseconds after `opened` of the last look, and what it gave, for the requests that
    /// come before the next look is due.
    looked_at: AtomicU64,
    last: AtomicU64,
}

struct WatchState {
    conn: Connection,
    /// `PRAGMA data_version` when last asked.
    data_version: i64,
    /// The stored generation when last read.
    generation: u64,
    /// Looks that failed: each counts as a change (both numbers only grow, so their sum
    /// changes whenever either does).
    failures: u64,
}

impl SqliteWatch {
    pub(super) fn open(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(1))?;
        let mut state = WatchState {
            conn,
            data_version: 0,
            generation: 0,
            failures: 0,
        };
        state.data_version = state.data_version()?;
        state.generation = state.stored_generation()?;
        Ok(Self {
            last: AtomicU64::new(state.generation),
            state: Mutex::new(state),
            opened: Instant::now(),
            // No look yet: the first request looks.
            looked_at: AtomicU64::new(u64::MAX),
        })
    }

    fn generation(&self) -> u64 {
        let now = self.nanos_since_opened();
        let looked_at = self.looked_at.load(Ordering::Acquire);
        if looked_at <= now && now - looked_at < SQLITE_LOOK_EVERY.as_nanos() as u64 {
            return self.last.load(Ordering::Acquire);
        }
        let generation = self.look();
        self.last.store(generation, Ordering::Release);
        self.looked_at.store(now, Ordering::Release);
        generation
    }

    fn nanos_since_opened(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_nanos()).unwrap_or(u64::MAX - 1)
    }

    /// Asks the database whether anything was committed since the last look.
    fn look(&self) -> u64 {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let seen = state.data_version().and_then(|version| {
            if version == state.data_version {
                return Ok(None);
            }
            Ok(Some((version, state.stored_generation()?)))
        });
        match seen {
            Ok(None) => {}
            Ok(Some((version, generation))) => {
                state.data_version = version;
                state.generation = generation;
            }
            // Unknown: count it as a change, so that nothing cached is trusted.
            Err(_) => state.failures += 1,
        }
        state.generation + state.failures
    }
}

impl WatchState {
    fn data_version(&self) -> rusqlite::Result<i64> {
        self.conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |row| row.get(0))
    }

    fn stored_generation(&self) -> rusqlite::Result<u64> {
        let generation: i64 = self
            .conn
            .prepare_cached("SELECT generation FROM change_generation WHERE id = 1")?
            .query_row([], |row| row.get(0))?;
        Ok(generation as u64)
    }
}

pub(super) struct PostgresFeed {
    value: AtomicU64,
    listening: AtomicBool,
    task: Mutex<Option<tokio::task::AbortHandle>>,
}

impl PostgresFeed {
    /// Starts the listener task (call it inside a tokio runtime). Its connection is its own,
    /// not one of the pool's.
    pub(super) fn start(options: sqlx::postgres::PgConnectOptions) -> std::sync::Arc<Self> {
        let feed = std::sync::Arc::new(Self {
            value: AtomicU64::new(0),
            listening: AtomicBool::new(false),
            task: Mutex::new(None),
        });
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(options);
        let task = tokio::spawn(listen(pool, std::sync::Arc::downgrade(&feed)));
        *feed.task.lock().unwrap_or_else(|e| e.into_inner()) = Some(task.abort_handle());
        feed
    }

    fn generation(&self) -> u64 {
        if self.listening.load(Ordering::Acquire) {
            self.value.load(Ordering::Acquire)
        } else {
            self.value.fetch_add(1, Ordering::AcqRel) + 1
        }
    }

    fn changed(&self) {
        self.value.fetch_add(1, Ordering::AcqRel);
    }
}

/// Listens for change notifications until the feed is dropped, connecting again after a
/// lost connection (notifications sent meanwhile are lost: reconnecting counts as a change).
async fn listen(pool: PgPool, feed: std::sync::Weak<PostgresFeed>) {
    loop {
        let listener = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.eager_reconnect(false);
            listener.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        }
        .await;
        let Some(current) = feed.upgrade() else {
            return;
        };
        let mut listener = match listener {
            Ok(listener) => listener,
            Err(error) => {
                drop(current);
                tracing::warn!(error = %error, "cannot listen for changes; caches are off meanwhile");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        // From here on every change is notified: what was cached before may be stale.
        current.listening.store(true, Ordering::Release);
        current.changed();
        drop(current);
        loop {
            let received = listener.try_recv().await;
            let Some(current) = feed.upgrade() else {
                return;
            };
            current.changed();
            if !matches!(received, Ok(Some(_))) {
                current.listening.store(false, Ordering::Release);
                tracing::warn!(
                    "the change listener lost its connection; caches are off until it is back"
                );
                break;
            }
        }
    }
}
