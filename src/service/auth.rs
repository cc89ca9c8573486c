//! Bearer tokens: authentication (with a short-lived cache of actors), the 60-second login
//! tokens redeemed for a session, and their purge. Owner tokens are in `owner_tokens`.

use anyhow::Context;

use super::actor::{Actor, ActorUser};
use super::error::{ServiceError, ServiceResult, Unauthorized};
use super::lookup::{find_user, standing};
use super::minting::{TokenFor, mint};
use super::records::IssuedToken;
use super::{Services, ttl};
use crate::crypto;
use crate::domain::{Millis, PublicId, Role, TokenKind, now_millis};
use crate::store::TokenActorRow;

impl Services {
    /// Resolves a bearer token to its actor. Login tokens, expired tokens, tokens of another
    /// region and tokens issued on a credential that has changed since (see
    /// `TokenActorRow::is_current`) authenticate nothing.
    ///
    /// Only an actor is cached: a token that is refused (unknown, expired…) is read again on
    /// its next use, so a token written meanwhile by another process is accepted at once.
    pub async fn authenticate(&self, token: &str) -> ServiceResult<Actor> {
        let hash = crypto::bearer_token_key(token);
        let changes = self.store.changes();
        if let Some((actor, expires_at)) = self.actors.get(&hash, changes)
            && expires_at > now_millis()
        {
            return Ok(actor);
        }
        // Boxed: the read is the rare path, and inline its future would make every caller's
        // future (each request's) several kilobytes larger, copied whenever one is moved.
        let (actor, expires_at) = Box::pin(self.read_token_actor(&hash)).await?;
        self.actors
            .insert(hash, changes, (actor.clone(), expires_at));
        Ok(actor)
    }

    /// The actor of a valid token, with the token's expiry.
    async fn read_token_actor(
        &self,
        hash: &crypto::BearerTokenKey,
    ) -> ServiceResult<(Actor, Millis)> {
        let invalid = || ServiceError::Unauthorized(Unauthorized::TokenInvalid);
        let row = self
            .store
            .read()
            .token_actor(hash)
            .await
            .context("reading the actor of a bearer token")?
            .ok_or_else(invalid)?;
        if row.kind == TokenKind::Login
            || row.expires_at <= now_millis()
            || row.region != self.region()
            || !row.is_current()
        {
            return Err(invalid());
        }
        let expires_at = row.expires_at;
        Ok((token_actor(row)?, expires_at))
    }

    /// Xponent `GET /user/{id}/loginToken`: a 60-second, single-use token for a user the
    /// actor administers (`Actor::administer_user`: a login token is the user's whole power).
    pub async fn issue_login_token(
        &self,
        actor: &Actor,
        user_id: &PublicId,
    ) -> ServiceResult<IssuedToken> {
        let user = find_user(self.store.read(), user_id).await?;
        actor.administer_user(&standing(&user))?;
        let mut tx = self
            .store
            .begin_token_writes()
            .await
            .context("starting to write a login token")?;
        let token = mint(
            &mut tx,
            TokenFor {
                kind: TokenKind::Login,
                user_id: Some(user.id),
                org_id: user.org_id,
                region: self.region(),
                lifetime: ttl::LOGIN_TOKEN,
                epoch: user.token_epoch,
            },
        )
        .await?;
        tx.commit().await.context("committing a login token")?;
        Ok(token)
    }

    /// Redeems a login token, once, for a session of its user (6 hours). A login token of
    /// another region, or issued before its user's tokens were ended, is refused.
    pub async fn redeem_login_token(&self, token: &str) -> ServiceResult<(IssuedToken, String)> {
        let invalid = || ServiceError::Unauthorized(Unauthorized::LoginTokenInvalid);
        let mut tx = self
            .store
            .begin_token_writes()
            .await
            .context("starting to redeem a login token")?;
        let taken = tx
            .take_token(&crypto::bearer_token_key(token), TokenKind::Login)
            .await
            .context("taking a login token")?
            .ok_or_else(invalid)?;
        let user_id = taken.user_id.ok_or_else(invalid)?;
        if taken.expires_at <= now_millis() || taken.region != self.region() {
            // The spent token stays deleted: commit the removal, then refuse.
            tx.commit()
                .await
                .context("deleting an expired login token")?;
            return Err(invalid());
        }
        // Locked against its deletion until the session token that refers to it is in.
        let user = tx
            .user_by_id_locked(user_id, crate::store::RowLock::KeyShare)
            .await
            .with_context(|| format!("reading user {user_id} of a login token"))?
            .filter(|user| user.token_epoch == taken.epoch)
            .ok_or_else(invalid)?;
        let session = mint(
            &mut tx,
            TokenFor {
                kind: TokenKind::Session,
                user_id: Some(user_id),
                org_id: user.org_id,
                region: self.region(),
                lifetime: ttl::SESSION,
                epoch: user.token_epoch,
            },
        )
        .await?;
        tx.commit().await.context("committing a session token")?;
        Ok((session, user.public_id.to_string()))
    }

    /// Deletes every expired token (a spent login token is already gone); returns how many.
    pub async fn purge_expired_tokens(&self) -> ServiceResult<u64> {
        let mut tx = self
            .store
            .begin_token_writes()
            .await
            .context("starting to purge expired tokens")?;
        let purged = tx
            .delete_expired_tokens(now_millis())
            .await
            .context("deleting expired tokens")?;
        tx.commit()
            .await
            .context("committing the purge of tokens")?;
        Ok(purged)
    }
}

/// The actor a token row stands for: its user's, or, for a token without a user (an
/// organization admin token), an Owner of its organization.
fn token_actor(row: TokenActorRow) -> ServiceResult<Actor> {
    let (user, role, partner) = match (row.user_id, row.user_public_id, row.role, row.partner) {
        (Some(id), Some(public_id), Some(role), Some(partner)) => {
            (Some(ActorUser { id, public_id }), role, partner)
        }
        (None, None, None, None) => (None, Role::Owner, false),
        // A token whose user row is gone or incomplete: never an Owner by default.
        _ => {
            return Err(ServiceError::Internal(anyhow::anyhow!(
                "a {} token's user could not be read",
                row.kind.as_str()
            )));
        }
    };
    Ok(Actor {
        org_id: row.org_id,
        org_public_id: row.org_public_id.to_string(),
        org_path: row.org_path,
        user,
        role,
        partner,
        token_kind: row.kind,
        api_key_id: row.api_key_public_id.map(|id| id.to_string()),
        request_id: None,
    })
}
