//! Temporary external IDs (Cloud Conformity `POST /external-ids`). The organisation's
//! singleton lives on the organization row (see `orgs.rs`).

use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::Millis;

impl Exec<'_> {
    /// True when `external_id` is a temporary external ID of `org_id` still valid at `now`.
    pub async fn temporary_external_id_valid(
        self,
        org_id: i64,
        external_id: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let found: Option<i64> = on_exec!(self, |c| {
            sqlx::query_scalar(
                "SELECT org_id FROM external_ids \
                 WHERE public_id = $1 AND org_id = $2 AND valid_until > $3",
            )
            .bind(external_id)
            .bind(org_id)
            .bind(now)
            .fetch_optional(c)
            .await?
        });
        Ok(found.is_some())
    }
}

impl Tx {
    pub async fn insert_external_id(
        &mut self,
        external_id: &str,
        org_id: i64,
        valid_until: Millis,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "INSERT INTO external_ids (public_id, org_id, valid_until, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(external_id)
            .bind(org_id)
            .bind(valid_until)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    pub async fn delete_expired_external_ids(&mut self, now: Millis) -> StoreResult<u64> {
        Ok(on_tx!(self, |c| {
            sqlx::query("DELETE FROM external_ids WHERE valid_until <= $1")
                .bind(now)
                .execute(c)
                .await?
                .rows_affected()
        }))
    }
}
