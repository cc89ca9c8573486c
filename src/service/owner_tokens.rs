//! Xponent `POST /token`: an owner token for a user id, a nonce and the hex SHA-256 of the
//! user's secret key followed by the nonce.
//!
//! The hash is checked in the request, against the user read through a short-lived cache
//! (see `read_cache`); only the writes (the nonce, then the token) go through the group-commit
//! writer, so the one SQLite writer spends two statements on a whole batch of requests.

use std::collections::HashSet;

use super::error::{Forbidden, ServiceError, ServiceResult, Unauthorized};
use super::group_commit::BatchWrite;
use super::records::IssuedToken;
use super::users::find_user;
use super::{Services, TokenKind, ttl};
use crate::crypto;
use crate::domain::{PublicId, Role, now_millis};
use crate::store::{NewToken, Tx, UserRow};

/// The associated data that binds a sealed owner secret key to its user.
pub(crate) fn secret_key_context(user_id: i64) -> String {
    format!("users.secret_key:{user_id}")
}

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
        let user = self.token_owner(user_id).await?;
        if Role::parse(&user.role) != Some(Role::Owner) {
            return Err(ServiceError::Forbidden(Forbidden::NotAnOwner {
                user: user_id.to_string(),
            }));
        }
        let sealed = user.secret_key_sealed.as_deref().ok_or_else(|| {
            ServiceError::Forbidden(Forbidden::NoSecretKey {
                user: user_id.to_string(),
            })
        })?;
        let secret = self
            .sealer
            .open_string(sealed, &secret_key_context(user.id))?;
        let expected = crypto::sha256_hex(format!("{secret}{nonce}").as_bytes());
        if !crypto::constant_time_eq(expected.as_bytes(), hash.to_ascii_lowercase().as_bytes()) {
            return Err(ServiceError::Unauthorized(Unauthorized::HashMismatch));
        }
        self.owner_tokens
            .submit(OwnerTokenRequest {
                user_id: user.id,
                org_id: user.org_id,
                nonce_digest: crypto::sha256(nonce.as_bytes()),
            })
            .await
    }

    /// The user a token is asked for. A secret key changed or a user changed by this process
    /// is read anew at once; by another process (the CLI, another node), within
    /// `ttl::READ_CACHE`.
    async fn token_owner(&self, user_id: &PublicId) -> ServiceResult<UserRow> {
        let changes = self.store.changes();
        if let Some(user) = self.token_owners.get(user_id, changes) {
            return Ok(user);
        }
        let user = find_user(self.store.read(), user_id).await?;
        self.token_owners.insert(*user_id, changes, user.clone());
        Ok(user)
    }
}

/// A checked `POST /token` request: what remains is to record its nonce and issue its token.
pub(crate) struct OwnerTokenRequest {
    user_id: i64,
    org_id: i64,
    nonce_digest: [u8; 32],
}

/// Issues the owner tokens of many checked requests in one transaction: one statement records
/// the nonces, one inserts the tokens.
pub(crate) struct OwnerTokenWriter {
    region: String,
}

impl OwnerTokenWriter {
    pub(crate) fn new(region: String) -> Self {
        Self { region }
    }
}

fn nonce_reused() -> ServiceError {
    ServiceError::Unauthorized(Unauthorized::NonceReused)
}

impl BatchWrite for OwnerTokenWriter {
    type Job = OwnerTokenRequest;
    type Output = IssuedToken;
    const TOKENS_ONLY: bool = true;

    async fn write(
        &self,
        tx: &mut Tx,
        requests: &[OwnerTokenRequest],
    ) -> ServiceResult<Vec<ServiceResult<IssuedToken>>> {
        // A nonce sent twice in the batch is the first request's.
        let mut seen = HashSet::new();
        let first: Vec<bool> = requests
            .iter()
            .map(|r| seen.insert((r.user_id, r.nonce_digest)))
            .collect();
        let now = now_millis();
        let nonces: Vec<(i64, &[u8])> = requests
            .iter()
            .zip(&first)
            .filter(|(_, first)| **first)
            .map(|(r, _)| (r.user_id, r.nonce_digest.as_slice()))
            .collect();
        let fresh: HashSet<(i64, Vec<u8>)> =
            tx.use_nonces(&nonces, now).await?.into_iter().collect();

        // The token of each request whose nonce was fresh, with the token's digest.
        let issued: Vec<ServiceResult<(&OwnerTokenRequest, String, [u8; 32])>> = requests
            .iter()
            .zip(first)
            .map(|(request, first)| {
                if !first || !fresh.contains(&(request.user_id, request.nonce_digest.to_vec())) {
                    return Err(nonce_reused());
                }
                let token = crypto::new_bearer_token(now as u64);
                let hash = crypto::bearer_token_key(&token);
                Ok((request, token, hash))
            })
            .collect();
        let expires_at = now + ttl::OWNER_TOKEN;
        let tokens: Vec<NewToken> = issued
            .iter()
            .flatten()
            .map(|(request, _, hash)| NewToken {
                hash,
                kind: TokenKind::Owner.as_str(),
                user_id: Some(request.user_id),
                org_id: request.org_id,
                region: &self.region,
                expires_at,
            })
            .collect();
        tx.insert_tokens(&tokens, now).await?;
        Ok(issued
            .into_iter()
            .map(|entry| entry.map(|(_, token, _)| IssuedToken { token, expires_at }))
            .collect())
    }
}
