//! Quotas per tenant (a root organization's tree): how many organizations, users, API keys and
//! hooks one tree may hold, so that one tenant cannot fill the database for all. Counted inside the
//! write transaction, under the tenant's lock (`Tx::lock_tenant`), so that concurrent
//! creations cannot overshoot.

use super::error::{Forbidden, ServiceError, ServiceResult};

/// What a quota limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    Organizations,
    Users,
    ApiKeys,
    Hooks,
}

/// The limits, per root organization's tree. The defaults are generous: the benchmark's
/// write scenario alone creates about 200,000 organizations in one tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// Organizations of a tree, its root included.
    pub orgs: u64,
    pub users: u64,
    /// API keys of the users of a tree, revoked ones included (they stay listed).
    pub api_keys: u64,
    /// Hooks of the organizations of a tree (each event fans out to them).
    pub hooks: u64,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            orgs: 1_000_000,
            users: 1_000_000,
            api_keys: 100_000,
            hooks: 1_000,
        }
    }
}

impl Quotas {
    pub fn limit(&self, quota: Quota) -> u64 {
        match quota {
            Quota::Organizations => self.orgs,
            Quota::Users => self.users,
            Quota::ApiKeys => self.api_keys,
            Quota::Hooks => self.hooks,
        }
    }

    /// Refuses adding `adding` to `used` when the sum passes the quota's limit.
    pub(crate) fn check(&self, quota: Quota, used: i64, adding: usize) -> ServiceResult<()> {
        let limit = self.limit(quota);
        if used.max(0) as u64 + adding as u64 > limit {
            return Err(ServiceError::Forbidden(Forbidden::QuotaExceeded {
                quota,
                limit,
            }));
        }
        Ok(())
    }
}
