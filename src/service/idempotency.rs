//! Idempotency keys: a request sent again with the same key gets the first answer, whatever
//! happened in between, for 24 hours. A key belongs to its caller (tenant and user, API key or
//! organization), so two callers' keys never meet.

use anyhow::Context;

use super::Services;
use super::actor::Actor;
use super::error::ServiceResult;
use crate::domain::{Millis, now_millis};

/// How long an answer is kept for its key.
pub const IDEMPOTENCY_TTL: Millis = 24 * 60 * 60 * 1000;

/// How long a claimed key may wait for its answer before another request may take it over:
/// longer than any request may take (see `kit::REQUEST_TIME_LIMIT`), so only a request lost
/// with its server leaves a key this long unanswered.
const IN_FLIGHT_LIMIT: Millis = 5 * 60 * 1000;

/// An answer as kept for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What a request with an idempotency key is to do.
#[derive(Debug)]
pub enum IdempotentStart {
    /// The key is the request's now: answer it, then keep the answer (`keep_answer`).
    Fresh,
    /// The key has answered this request before: send that answer again.
    Replay(KeptAnswer),
    /// The key's first request is still being answered.
    InFlight,
    /// The key was used for another request.
    Mismatch,
}

fn scope(actor: &Actor) -> String {
    let who = match (&actor.api_key_id, &actor.user) {
        (Some(key), _) => format!("key:{key}"),
        (None, Some(user)) => format!("user:{}", user.public_id),
        (None, None) => format!("org:{}", actor.org_public_id),
    };
    format!("{}/{who}", actor.org_path.root_id())
}

impl Services {
    /// Claims `key` for the actor's request with `fingerprint`, or says what the key answered.
    pub async fn start_idempotent(
        &self,
        actor: &Actor,
        key: &str,
        fingerprint: &str,
    ) -> ServiceResult<IdempotentStart> {
        let scope = scope(actor);
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to claim an idempotency key")?;
        if !tx
            .claim_idempotency_key(&scope, key, fingerprint, now)
            .await
            .context("claiming an idempotency key")?
        {
            let row = tx
                .idempotency_key(&scope, key)
                .await
                .context("reading an idempotency key")?
                .context("an idempotency key claimed is missing")?;
            let expired = row.created_at < now - IDEMPOTENCY_TTL;
            let abandoned = row.status.is_none() && row.created_at < now - IN_FLIGHT_LIMIT;
            if !(expired || abandoned) {
                return Ok(if row.fingerprint != fingerprint {
                    IdempotentStart::Mismatch
                } else {
                    match (row.status, row.headers, row.body) {
                        (Some(status), Some(headers), Some(body)) => {
                            IdempotentStart::Replay(KeptAnswer {
                                status: u16::try_from(status).context("a kept status")?,
                                headers: serde_json::from_str(&headers)
                                    .context("the kept headers of an idempotency key")?,
                                body,
                            })
                        }
                        _ => IdempotentStart::InFlight,
                    }
                });
            }
            tx.release_idempotency_key(&scope, key)
                .await
                .context("releasing an expired idempotency key")?;
            tx.claim_idempotency_key(&scope, key, fingerprint, now)
                .await
                .context("claiming an expired idempotency key again")?;
        }
        tx.commit()
            .await
            .context("committing the claim of an idempotency key")?;
        Ok(IdempotentStart::Fresh)
    }

    /// Keeps the answer of the request that claimed `key`.
    pub async fn keep_idempotent_answer(
        &self,
        actor: &Actor,
        key: &str,
        answer: &KeptAnswer,
    ) -> ServiceResult<()> {
        let headers = serde_json::to_string(&answer.headers).context("serializing headers")?;
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to keep an idempotent answer")?;
        tx.answer_idempotency_key(
            &scope(actor),
            key,
            i32::from(answer.status),
            &headers,
            &answer.body,
        )
        .await
        .context("keeping an idempotent answer")?;
        tx.commit()
            .await
            .context("committing an idempotent answer")?;
        Ok(())
    }

    /// Frees `key`: its request failed on the server's side, and a retry may try again.
    pub async fn release_idempotent(&self, actor: &Actor, key: &str) -> ServiceResult<()> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to release an idempotency key")?;
        tx.release_idempotency_key(&scope(actor), key)
            .await
            .context("releasing an idempotency key")?;
        tx.commit()
            .await
            .context("committing the release of an idempotency key")?;
        Ok(())
    }

    /// Deletes the keys older than their 24 hours; returns how many.
    pub async fn purge_idempotency_keys(&self) -> ServiceResult<u64> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to purge idempotency keys")?;
        let purged = tx
            .delete_idempotency_keys_before(now_millis() - IDEMPOTENCY_TTL)
            .await
            .context("deleting old idempotency keys")?;
        tx.commit()
            .await
            .context("committing the purge of idempotency keys")?;
        Ok(purged)
    }
}
