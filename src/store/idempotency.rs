//! Idempotency keys of the native API: a claimed key, then the answer it got.

use super::{StoreResult, Tx, on_tx};
use crate::domain::Millis;

/// A key as stored: the request's fingerprint and, once answered, the answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdempotencyRow {
    pub fingerprint: String,
    pub status: Option<i32>,
    /// A JSON array of `[name, value]` pairs.
    pub headers: Option<String>,
    pub body: Option<Vec<u8>>,
    pub created_at: Millis,
}

impl Tx {
    /// Claims `key` in `scope` for a request with `fingerprint`; false when it is claimed
    /// already (by a request answered or in flight).
    pub async fn claim_idempotency_key(
        &mut self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let claimed = on_tx!(self, |c| {
            sqlx::query(
                "INSERT INTO idempotency_keys (scope, idem_key, fingerprint, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (scope, idem_key) DO NOTHING",
            )
            .bind(scope)
            .bind(key)
            .bind(fingerprint)
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(claimed == 1)
    }

    pub async fn idempotency_key(
        &mut self,
        scope: &str,
        key: &str,
    ) -> StoreResult<Option<IdempotencyRow>> {
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, IdempotencyRow>(
                "SELECT fingerprint, status, headers, body, created_at FROM idempotency_keys \
                 WHERE scope = $1 AND idem_key = $2",
            )
            .bind(scope)
            .bind(key)
            .fetch_optional(c)
            .await?
        }))
    }

    /// Records the answer of the request that claimed `key`.
    pub async fn answer_idempotency_key(
        &mut self,
        scope: &str,
        key: &str,
        status: i32,
        headers: &str,
        body: &[u8],
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE idempotency_keys SET status = $1, headers = $2, body = $3 \
                 WHERE scope = $4 AND idem_key = $5",
            )
            .bind(status)
            .bind(headers)
            .bind(body)
            .bind(scope)
            .bind(key)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Frees `key` (its request failed on the server's side, or its record has expired).
    pub async fn release_idempotency_key(&mut self, scope: &str, key: &str) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND idem_key = $2")
                .bind(scope)
                .bind(key)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Deletes the keys claimed before `before`; returns how many.
    pub async fn delete_idempotency_keys_before(&mut self, before: Millis) -> StoreResult<u64> {
        Ok(on_tx!(self, |c| {
            sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                .bind(before)
                .execute(c)
                .await?
                .rows_affected()
        }))
    }
}
