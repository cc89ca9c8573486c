//! Tokens: Xponent owner tokens from a nonce and hash, bearer-token authentication, and the
//! 60-second login tokens redeemed for a session.

use std::collections::{HashMap, HashSet};

use super::actor::{Actor, ActorUser, TokenKind};
use super::error::{Forbidden, ServiceError, ServiceResult, Unauthorized};
use super::group_commit::BatchWrite;
use super::records::IssuedToken;
use super::users::find_user;
use super::{Services, ttl};
use crate::crypto::{self, Sealer};
use crate::domain::{Kind, OrgPath, PublicId, Role, now_millis};
use crate::store::{NewToken, Tx, UserRow};

/// The associated data that binds a sealed owner secret key to its user.
pub(crate) fn secret_key_context(user_id: i64) -> String {
    format!("users.secret_key:{user_id}")
}

impl Services {
    /// Xponent `POST /token`: `hash` must be the hex SHA-256 of the user's secret key followed
    /// by `nonce`, and the nonce must not have been used before. Concurrent requests are
    /// checked and written together (see `OwnerTokenWriter`).
    pub async fn issue_owner_token(
        &self,
        user_id: &PublicId,
        nonce: &str,
        hash: &str,
    ) -> ServiceResult<IssuedToken> {
        self.owner_tokens
            .submit(OwnerTokenRequest {
                user_id: *user_id,
                nonce: nonce.to_owned(),
                hash: hash.to_owned(),
            })
            .await
    }

    /// Resolves a bearer token to its actor. Login tokens, expired tokens and tokens of
    /// another region authenticate nothing.
    pub async fn authenticate(&self, token: &str) -> ServiceResult<Actor> {
        let hash = crypto::sha256(token.as_bytes());
        let changes = self.store.changes();
        if let Some((actor, expires_at)) = self.actors.get(&hash, changes)
            && expires_at > now_millis()
        {
            return Ok(actor);
        }
        let (actor, expires_at) = self.read_token_actor(&hash).await?;
        self.actors
            .insert(hash, changes, (actor.clone(), expires_at));
        Ok(actor)
    }

    /// The actor of a valid token, with the token's expiry.
    async fn read_token_actor(&self, hash: &[u8; 32]) -> ServiceResult<(Actor, i64)> {
        let invalid = || ServiceError::Unauthorized(Unauthorized::TokenInvalid);
        let row = self
            .store
            .read()
            .token_actor(hash)
            .await?
            .ok_or_else(invalid)?;
        let kind = TokenKind::parse(&row.kind).ok_or_else(invalid)?;
        if kind == TokenKind::Login || row.expires_at <= now_millis() || row.region != self.region()
        {
            return Err(invalid());
        }
        let user = match (row.user_id, row.user_public_id.as_deref()) {
            (Some(id), Some(public_id)) => Some(ActorUser {
                id,
                public_id: PublicId::parse(public_id).ok_or_else(invalid)?,
            }),
            _ => None,
        };
        let actor = Actor {
            org_id: row.org_id,
            org_public_id: row.org_public_id,
            org_path: OrgPath::from_stored(row.org_path),
            user,
            role: row
                .role
                .as_deref()
                .and_then(Role::parse)
                .unwrap_or(Role::Owner),
            partner: row.partner.unwrap_or(false),
            token_kind: kind,
        };
        Ok((actor, row.expires_at))
    }

    /// Xponent `GET /user/{id}/loginToken`: a 60-second, single-use token for a user in the
    /// actor's subtree.
    pub async fn issue_login_token(
        &self,
        actor: &Actor,
        user_id: &PublicId,
    ) -> ServiceResult<IssuedToken> {
        let user = find_user(self.store.read(), user_id).await?;
        actor.authorize(
            super::Access::Administer,
            &OrgPath::from_stored(user.org_path),
            Kind::User,
            &user.public_id,
        )?;
        let mut tx = self.store.begin_token_writes().await?;
        let token = self
            .mint(
                &mut tx,
                TokenKind::Login,
                Some(user.id),
                user.org_id,
                ttl::LOGIN_TOKEN,
            )
            .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Redeems a login token, once, for a session of its user (6 hours).
    pub async fn redeem_login_token(&self, token: &str) -> ServiceResult<(IssuedToken, String)> {
        let invalid = || ServiceError::Unauthorized(Unauthorized::LoginTokenInvalid);
        let mut tx = self.store.begin_token_writes().await?;
        let (user_id, expires_at) = tx
            .take_token(&crypto::sha256(token.as_bytes()), TokenKind::Login.as_str())
            .await?
            .ok_or_else(invalid)?;
        let user_id = user_id.ok_or_else(invalid)?;
        if expires_at <= now_millis() {
            // The spent token stays deleted: commit the removal, then refuse.
            tx.commit().await?;
            return Err(invalid());
        }
        let user = tx.exec().user_by_id(user_id).await?.ok_or_else(invalid)?;
        let session = self
            .mint(
                &mut tx,
                TokenKind::Session,
                Some(user_id),
                user.org_id,
                ttl::SESSION,
            )
            .await?;
        tx.commit().await?;
        Ok((session, user.public_id))
    }

    /// Deletes every expired token (a spent login token is already gone); returns how many.
    pub async fn purge_expired_tokens(&self) -> ServiceResult<u64> {
        let mut tx = self.store.begin_token_writes().await?;
        let purged = tx.delete_expired_tokens(now_millis()).await?;
        tx.commit().await?;
        Ok(purged)
    }

    /// Creates a random bearer token and stores its hash.
    pub(crate) async fn mint(
        &self,
        tx: &mut Tx,
        kind: TokenKind,
        user_id: Option<i64>,
        org_id: i64,
        lifetime: i64,
    ) -> ServiceResult<IssuedToken> {
        let token = crypto::random_hex_secret();
        let now = now_millis();
        let expires_at = now + lifetime;
        tx.insert_token(
            &NewToken {
                hash: &crypto::sha256(token.as_bytes()),
                kind: kind.as_str(),
                user_id,
                org_id,
                region: self.region(),
                expires_at,
            },
            now,
        )
        .await?;
        Ok(IssuedToken { token, expires_at })
    }
}

/// One `POST /token` request, for the group-commit writer of owner tokens.
pub(crate) struct OwnerTokenRequest {
    user_id: PublicId,
    nonce: String,
    hash: String,
}

/// Issues the owner tokens of many requests in one transaction: one statement reads their
/// users, each hash is checked here, one statement records the nonces and one inserts the
/// tokens.
pub(crate) struct OwnerTokenWriter {
    sealer: Sealer,
    region: String,
}

impl OwnerTokenWriter {
    pub(crate) fn new(sealer: Sealer, region: String) -> Self {
        Self { sealer, region }
    }

    /// The checks of `POST /token` but the nonce's, in order, on the request's user.
    fn check<'u>(
        &self,
        request: &OwnerTokenRequest,
        user: Option<&'u UserRow>,
    ) -> ServiceResult<&'u UserRow> {
        let user = user.ok_or_else(|| ServiceError::NotFound {
            kind: Kind::User,
            id: request.user_id.to_string(),
        })?;
        if Role::parse(&user.role) != Some(Role::Owner) {
            return Err(ServiceError::Forbidden(Forbidden::NotAnOwner {
                user: request.user_id.to_string(),
            }));
        }
        let sealed = user.secret_key_sealed.as_deref().ok_or_else(|| {
            ServiceError::Forbidden(Forbidden::NoSecretKey {
                user: request.user_id.to_string(),
            })
        })?;
        let secret = self
            .sealer
            .open_string(sealed, &secret_key_context(user.id))?;
        let expected = crypto::sha256_hex(format!("{secret}{}", request.nonce).as_bytes());
        if !crypto::constant_time_eq(
            expected.as_bytes(),
            request.hash.to_ascii_lowercase().as_bytes(),
        ) {
            return Err(ServiceError::Unauthorized(Unauthorized::HashMismatch));
        }
        Ok(user)
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
        let mut ids: Vec<PublicId> = requests.iter().map(|r| r.user_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let users: HashMap<String, UserRow> = tx
            .exec()
            .users_by_public_ids(&ids)
            .await?
            .into_iter()
            .map(|user| (user.public_id.clone(), user))
            .collect();

        // Each request's user and nonce digest, or why it is refused.
        let mut checked: Vec<ServiceResult<(&UserRow, [u8; 32])>> = requests
            .iter()
            .map(|request| {
                let user = self.check(request, users.get(&request.user_id.to_string()))?;
                Ok((user, crypto::sha256(request.nonce.as_bytes())))
            })
            .collect();
        // A nonce sent twice in the batch is the first request's.
        let mut seen = HashSet::new();
        for entry in &mut checked {
            let first = match entry {
                Ok((user, digest)) => seen.insert((user.id, *digest)),
                Err(_) => true,
            };
            if !first {
                *entry = Err(nonce_reused());
            }
        }

        let now = now_millis();
        let nonces: Vec<(i64, &[u8])> = checked
            .iter()
            .flatten()
            .map(|(user, digest)| (user.id, digest.as_slice()))
            .collect();
        let fresh: HashSet<(i64, Vec<u8>)> =
            tx.use_nonces(&nonces, now).await?.into_iter().collect();

        // The token of each request whose nonce was fresh, with the token's digest.
        let issued: Vec<ServiceResult<(&UserRow, String, [u8; 32])>> = checked
            .into_iter()
            .map(|entry| {
                let (user, digest) = entry?;
                if !fresh.contains(&(user.id, digest.to_vec())) {
                    return Err(nonce_reused());
                }
                let token = crypto::random_hex_secret();
                let hash = crypto::sha256(token.as_bytes());
                Ok((user, token, hash))
            })
            .collect();
        let expires_at = now + ttl::OWNER_TOKEN;
        let tokens: Vec<NewToken> = issued
            .iter()
            .flatten()
            .map(|(user, _, hash)| NewToken {
                hash,
                kind: TokenKind::Owner.as_str(),
                user_id: Some(user.id),
                org_id: user.org_id,
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
