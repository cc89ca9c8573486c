//! Xponent `POST /token`: an owner token for a user id, a nonce and the hex SHA-256 of the
//! user's secret key followed by the nonce.
//!
//! The hash is checked in the request, against the user read through a short-lived cache
//! (see `read_cache`); only the writes (the nonce, then the token) go through the group-commit
//! writer, a whole batch of requests in one transaction. On SQLite that writer has a
//! synchronous connection and a thread of its own (`DirectSqlite`).

use std::collections::HashSet;

use super::error::{Forbidden, ServiceError, ServiceResult, Unauthorized};
use super::group_commit::BatchWrite;
use super::records::IssuedToken;
use super::users::find_user;
use super::{Services, TokenKind, ttl};
use tokio::sync::Mutex;

use crate::crypto;
use crate::domain::{Millis, PublicId, Role, now_millis};
use crate::store::{DirectSqlite, NewToken, NonceToken, Tx, UserRow};

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

/// Issues the owner tokens of many checked requests in one transaction. On SQLite it has a
/// synchronous connection of its own (`DirectSqlite`) and runs on a thread of its own; on
/// PostgreSQL two multi-row statements record the nonces and insert the tokens.
pub(crate) struct OwnerTokenWriter {
    region: String,
    direct: Option<Mutex<DirectSqlite>>,
}

impl OwnerTokenWriter {
    pub(crate) fn new(region: String, direct: Option<DirectSqlite>) -> Self {
        Self {
            region,
            direct: direct.map(Mutex::new),
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
                        kind: TokenKind::Owner.as_str(),
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
    const TOKENS_ONLY: bool = true;

    async fn write(
        &self,
        tx: &mut Tx,
        requests: &[OwnerTokenRequest],
    ) -> ServiceResult<Vec<ServiceResult<IssuedToken>>> {
        let minted = self.mint(requests);
        let fresh = tx
            .issue_tokens_for_new_nonces(&minted.entries(), minted.now)
            .await?;
        Ok(minted.answers(fresh))
    }

    fn writes_directly(&self) -> bool {
        self.direct.is_some()
    }

    async fn write_directly(
        &self,
        requests: &[OwnerTokenRequest],
    ) -> Option<ServiceResult<Vec<ServiceResult<IssuedToken>>>> {
        let direct = self.direct.as_ref()?;
        let minted = self.mint(requests);
        let fresh = direct
            .lock()
            .await
            .issue_tokens_for_new_nonces(&minted.entries(), minted.now)
            .await;
        Some(fresh.map(|fresh| minted.answers(fresh)).map_err(Into::into))
    }
}
