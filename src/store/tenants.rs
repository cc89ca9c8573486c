//! Tenants: each root organization's tree, its usage (kept by triggers, see the `0007`
//! migration) and its lock.

use super::{Exec, StoreResult, Tx, on_exec, on_tx};

/// How many organizations (root included) and users a tree holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct TenantUsage {
    pub orgs: i64,
    pub users: i64,
}

impl Exec<'_> {
    /// The usage of the tenant at `root_id`, unlocked: for a refusal before costly work only
    /// (the quota is checked again under the tenant's lock, see `Tx::lock_tenant`).
    pub async fn tenant_usage(self, root_id: i64) -> StoreResult<Option<TenantUsage>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, TenantUsage>(
                "SELECT orgs, users FROM tenant_usage WHERE root_id = $1",
            )
            .bind(root_id)
            .fetch_optional(c)
            .await?
        }))
    }
}

impl Tx {
    /// Locks the tenant at `root_id` until the transaction ends, and reads its usage. Every
    /// write that changes a tree's shape (creating, moving, deleting organizations) or its
    /// counts (users) takes it first, so that such writes of one tenant follow one another
    /// and a quota checked here cannot be overshot by a concurrent write. On SQLite the
    /// transaction holds the database's write lock already (`BEGIN IMMEDIATE`); on
    /// PostgreSQL the usage row is locked. `None` when there is no such tenant.
    pub async fn lock_tenant(&mut self, root_id: i64) -> StoreResult<Option<TenantUsage>> {
        const READ: super::locks::LockingRead = super::locks::locking_read!(
            "SELECT orgs, users FROM tenant_usage t WHERE t.root_id = $1",
            "t"
        );
        let sql = self.locking(&READ, super::RowLock::Update);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, TenantUsage>(sql)
                .bind(root_id)
                .fetch_optional(c)
                .await?
        }))
    }

    /// The hooks of the organizations of the tree at `root_id`.
    pub async fn count_tenant_hooks(&mut self, root_id: i64) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "SELECT count(*) FROM hooks h JOIN organizations o ON o.id = h.org_id \
                 WHERE o.root_id = $1",
            )
            .bind(root_id)
            .fetch_one(c)
            .await?
        }))
    }

    /// The API keys of the users of the tree at `root_id` (not revoked ones only: a revoked
    /// key still counts, as it stays listed).
    pub async fn count_tenant_api_keys(&mut self, root_id: i64) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "SELECT count(*) FROM api_keys k JOIN users u ON u.id = k.user_id \
                 WHERE u.root_id = $1",
            )
            .bind(root_id)
            .fetch_one(c)
            .await?
        }))
    }
}
