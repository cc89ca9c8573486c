//! Bearer tokens: authentication (with a short-lived cache of actors), the 60-second login
//! tokens redeemed for a session, and minting. Owner tokens are in `owner_tokens`.

use super::actor::{Actor, ActorUser, TokenKind};
use super::error::{ServiceError, ServiceResult, Unauthorized};
use super::records::IssuedToken;
use super::users::find_user;
use super::{Services, ttl};
use crate::crypto;
use crate::domain::{Kind, OrgPath, PublicId, Role, now_millis};
use crate::store::{NewToken, Tx};

impl Services {
    /// Resolves a bearer token to its actor. Login tokens, expired tokens and tokens of
    /// another region authenticate nothing.
    pub async fn authenticate(&self, token: &str) -> ServiceResult<Actor> {
        let hash = crypto::bearer_token_key(token);
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
    async fn read_token_actor(&self, hash: &crypto::BearerTokenKey) -> ServiceResult<(Actor, i64)> {
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
            api_key_id: None,
            request_id: None,
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
            .take_token(&crypto::bearer_token_key(token), TokenKind::Login.as_str())
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
        let now = now_millis();
        let token = crypto::new_bearer_token(now as u64);
        let expires_at = now + lifetime;
        tx.insert_token(
            &NewToken {
                hash: &crypto::bearer_token_key(&token),
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
