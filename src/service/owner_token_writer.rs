//! The group-commit writer of Xponent `POST /token`: records the nonces of many checked
//! requests and issues their owner tokens at once, by the store's token writer (see
//! `group_commit`).

use std::collections::HashSet;

use anyhow::Context;
use tokio::sync::Mutex;

use super::error::{ServiceError, ServiceResult, Unauthorized};
use super::group_commit::BatchWrite;
use super::records::IssuedToken;
use super::ttl;
use crate::crypto;
use crate::domain::{Millis, TokenKind, now_millis};
use crate::store::{NewToken, NonceToken, TokenWriter};

/// A checked `POST /token` request: what remains is to record its nonce and issue its token.
pub(crate) struct OwnerTokenRequest {
    pub(crate) user_id: i64,
    pub(crate) org_id: i64,
    /// The SHA-256 of the nonce: nonces are stored as digests.
    pub(crate) nonce_digest: [u8; 32],
    /// The user's token epoch when its key was proven (`NewToken::epoch`).
    pub(crate) epoch: i64,
}

/// Issues the owner tokens of many checked requests at once, by the store's token writer.
pub(crate) struct OwnerTokenWriter {
    region: String,
    /// One batch at a time; the lock is never contended, as one task drives the writer.
    tokens: Mutex<TokenWriter>,
    blocks_its_thread: bool,
}

impl OwnerTokenWriter {
    pub(crate) fn new(region: String, tokens: TokenWriter) -> Self {
        Self {
            region,
            blocks_its_thread: tokens.blocks_its_thread(),
            tokens: Mutex::new(tokens),
        }
    }

    /// A new token for each request, but for a request whose nonce an earlier request of the
    /// batch has: that nonce is the earlier request's.
    fn mint<'a>(&'a self, requests: &'a [OwnerTokenRequest]) -> Minted<'a> {
        let now = now_millis();
        let mut seen = HashSet::new();
        let tokens = requests
            .iter()
            .map(|request| {
                seen.insert((request.user_id, request.nonce_digest))
                    .then(|| {
                        let token = crypto::new_bearer_token(now as u64);
                        let key = crypto::bearer_token_key(&token);
                        (token, key)
                    })
            })
            .collect();
        Minted {
            requests,
            tokens,
            region: &self.region,
            now,
            expires_at: now + ttl::OWNER_TOKEN,
        }
    }
}

/// The tokens of a batch, before their nonces are known to be new.
struct Minted<'a> {
    requests: &'a [OwnerTokenRequest],
    /// Per request, its token and the token's key; `None` for a nonce repeated in the batch.
    tokens: Vec<Option<(String, crypto::BearerTokenKey)>>,
    region: &'a str,
    now: Millis,
    expires_at: Millis,
}

impl Minted<'_> {
    /// What to write: each minted token with its request's nonce.
    fn entries(&self) -> Vec<NonceToken<'_>> {
        self.requests
            .iter()
            .zip(&self.tokens)
            .filter_map(|(request, minted)| {
                let (_, key) = minted.as_ref()?;
                Some(NonceToken {
                    user_id: request.user_id,
                    nonce_digest: &request.nonce_digest,
                    token: NewToken {
                        hash: key,
                        kind: TokenKind::Owner,
                        user_id: Some(request.user_id),
                        org_id: request.org_id,
                        region: self.region,
                        expires_at: self.expires_at,
                        epoch: request.epoch,
                    },
                })
            })
            .collect()
    }

    /// Each request's answer, given for each entry whether its nonce was new.
    fn answers(self, fresh: Vec<bool>) -> Vec<ServiceResult<IssuedToken>> {
        let expires_at = self.expires_at;
        let mut fresh = fresh.into_iter();
        self.tokens
            .into_iter()
            .map(|minted| match minted {
                Some((token, _)) if fresh.next() == Some(true) => {
                    Ok(IssuedToken { token, expires_at })
                }
                _ => Err(ServiceError::Unauthorized(Unauthorized::NonceReused)),
            })
            .collect()
    }
}

impl BatchWrite for OwnerTokenWriter {
    type Job = OwnerTokenRequest;
    type Output = IssuedToken;

    async fn write(
        &self,
        requests: &[OwnerTokenRequest],
    ) -> ServiceResult<Vec<ServiceResult<IssuedToken>>> {
        let minted = self.mint(requests);
        let fresh = self
            .tokens
            .lock()
            .await
            .issue_tokens_for_new_nonces(&minted.entries(), minted.now)
            .await
            .context("issuing owner tokens for new nonces")?;
        Ok(minted.answers(fresh))
    }

    fn blocks_its_thread(&self) -> bool {
        self.blocks_its_thread
    }
}
