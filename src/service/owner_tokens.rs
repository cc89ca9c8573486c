//! Xponent `POST /token`: an owner token for a user id, a nonce and the hex SHA-256 of the
//! user's secret key followed by the nonce.
//!
//! The hash is checked in the request, against the user read through a short-lived cache
//! (see `read_cache`); only the writes (the nonce, then the token) go through the group-commit
//! writer, a whole batch of requests at once, by the store's token writer.

use std::collections::HashSet;

use anyhow::Context;
use tokio::sync::Mutex;

use super::error::{Forbidden, ServiceError, ServiceResult, Unauthorized, internal};
use super::group_commit::BatchWrite;
use super::lookup::find_user;
use super::records::IssuedToken;
use super::{Services, ttl};
use crate::crypto::{self, SealContext, Sealer};
use crate::domain::{Millis, PublicId, Role, TokenKind, now_millis};
use crate::store::{NewToken, NonceToken, TokenWriter, UserRow};

impl Services {
    /// Checks, in this order: the user exists, is an Owner, has a secret key, and `hash` is
    /// the SHA-256 of that key followed by `nonce`; then records the nonce, which must be new
    /// for this user, and issues a 6-hour token.
    pub async fn issue_owner_token(
        &self,
        user_id: &PublicId,
        nonce: &str,
        hash: &str,
    ) -> ServiceResult<IssuedToken> {
        let user = self.token_owner(user_id, nonce, hash).await?;
        self.owner_tokens
            .submit(OwnerTokenRequest {
                user_id: user.id,
                org_id: user.org_id,
                nonce_digest: crypto::sha256(nonce.as_bytes()),
            })
            .await
    }

    /// The user a token is asked for, once `hash` is proven. A cached user serves only to let
    /// a request through: refused under the cached copy, the request is checked again against
    /// the database, so a key issued by another process (the CLI, another node) counts at
    /// once. Only a user that let a request through is cached.
    async fn token_owner(
        &self,
        user_id: &PublicId,
        nonce: &str,
        hash: &str,
    ) -> ServiceResult<UserRow> {
        let changes = self.store.changes();
        if let Some(user) = self.token_owners.get(user_id, changes)
            && prove_owner(&self.sealer, &user, nonce, hash).is_ok()
        {
            return Ok(user);
        }
        let user = find_user(self.store.read(), user_id).await?;
        prove_owner(&self.sealer, &user, nonce, hash)?;
        self.token_owners.insert(*user_id, changes, user.clone());
        Ok(user)
    }
}

/// Refuses unless `user` is an Owner with a secret key and `hash` is the SHA-256 of that key
/// followed by `nonce`.
fn prove_owner(sealer: &Sealer, user: &UserRow, nonce: &str, hash: &str) -> ServiceResult<()> {
    if user.role != Role::Owner {
        return Err(ServiceError::Forbidden(Forbidden::NotAnOwner {
            user: user.public_id.to_string(),
        }));
    }
    let sealed = user.secret_key_sealed.as_deref().ok_or_else(|| {
        ServiceError::Forbidden(Forbidden::NoSecretKey {
            user: user.public_id.to_string(),
        })
    })?;
    let secret = sealer
        .open_string(sealed, SealContext::OwnerSecretKey { user_id: user.id })
        .map_err(|e| internal(e, "opening an owner's secret key"))?;
    let expected = crypto::sha256_hex(format!("{secret}{nonce}").as_bytes());
    if !crypto::constant_time_eq(expected.as_bytes(), hash.to_ascii_lowercase().as_bytes()) {
        return Err(ServiceError::Unauthorized(Unauthorized::HashMismatch));
    }
    Ok(())
}

/// A checked `POST /token` request: what remains is to record its nonce and issue its token.
pub(crate) struct OwnerTokenRequest {
    user_id: i64,
    org_id: i64,
    nonce_digest: [u8; 32],
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
