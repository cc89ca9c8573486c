//! Xponent `POST /token`: an owner token for a user id, a nonce and the hex SHA-256 of the
//! user's secret key followed by the nonce.
//!
//! The hash is checked in the request, against the user read through a short-lived cache
//! (see `read_cache`); only the writes (the nonce, then the token) go through the group-commit
//! writer (`owner_token_writer`), a whole batch of requests at once.

use std::net::IpAddr;

use super::Services;
use super::error::{Forbidden, ServiceError, ServiceResult, Unauthorized, internal};
use super::lookup::find_user;
use super::owner_token_writer::OwnerTokenRequest;
use super::records::IssuedToken;
use crate::crypto::{self, SealContext, Sealer};
use crate::domain::{Kind, PublicId, Role};
use crate::store::UserRow;

impl Services {
    /// Checks, in this order: the client address's rate, the user exists in this server's
    /// region, is an Owner, has a secret key, and `hash` is the SHA-256 of that key followed
    /// by `nonce`; the user's rate; then records the nonce, which must be new for this user,
    /// and issues a 6-hour token (see `token_rate` for why the two rates are charged where).
    pub async fn issue_owner_token(
        &self,
        user_id: &PublicId,
        nonce: &str,
        hash: &str,
        address: Option<IpAddr>,
    ) -> ServiceResult<IssuedToken> {
        self.token_rates.charge_address(address)?;
        let user = self.token_owner(user_id, nonce, hash).await?;
        self.token_rates.charge_user(user.id)?;
        self.owner_tokens
            .submit(OwnerTokenRequest {
                user_id: user.id,
                org_id: user.org_id,
                nonce_digest: crypto::sha256(nonce.as_bytes()),
                // The epoch of the key just proven: if it is rotated meanwhile, the token is
                // refused.
                epoch: user.token_epoch,
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
        // A user of another region does not exist for this server.
        if user.region != self.region() {
            return Err(ServiceError::NotFound {
                kind: Kind::User,
                id: user_id.to_string(),
            });
        }
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
