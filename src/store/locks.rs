//! Row locks of reads inside a write transaction: the one place where the two databases
//! differ in how a read-then-write is kept safe.
//!
//! On SQLite a write transaction starts with `BEGIN IMMEDIATE` and there is one writer, so
//! what a transaction reads cannot change before it commits: no lock clause is needed (nor
//! accepted). On PostgreSQL (READ COMMITTED) another transaction may change or delete a row
//! between a read and the write that depends on it: such reads carry `FOR UPDATE` (the row
//! will be changed or deleted) or `FOR KEY SHARE` (a row will be inserted that refers to it),
//! and a read after waiting for a lock sees the latest committed row, or none.

use super::{Tx, TxConn};

/// How a read inside a write transaction locks the rows it returns (on PostgreSQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowLock {
    /// The row will be updated or deleted.
    Update,
    /// A row referring to it will be inserted: it must not be deleted (or its key changed)
    /// before the commit; other readers and updaters of other columns are not held up.
    KeyShare,
}

/// One read in three spellings: as is (SQLite), and with each PostgreSQL locking clause.
pub(crate) struct LockingRead {
    pub(crate) plain: &'static str,
    pub(crate) update: &'static str,
    pub(crate) key_share: &'static str,
}

/// `LockingRead` of `$sql`, locking only the rows of table alias `$of` (the other tables of
/// a join, such as an organization's parent, are read but not locked).
macro_rules! locking_read {
    ($sql:expr, $of:literal) => {
        $crate::store::locks::LockingRead {
            plain: $sql,
            update: concat!($sql, " FOR UPDATE OF ", $of),
            key_share: concat!($sql, " FOR KEY SHARE OF ", $of),
        }
    };
}
pub(crate) use locking_read;

impl Tx {
    /// The text of `read` for this transaction's database and `lock`.
    pub(crate) fn locking(&self, read: &LockingRead, lock: RowLock) -> &'static str {
        match (&self.conn, lock) {
            (TxConn::Sqlite(_), _) => read.plain,
            (TxConn::Postgres(_), RowLock::Update) => read.update,
            (TxConn::Postgres(_), RowLock::KeyShare) => read.key_share,
        }
    }
}
