//! Token introspection (RFC 7662) and revocation (RFC 7009) of what orghub issues: bearer
//! tokens of every kind (native access tokens, Xponent owner, login and session tokens,
//! Surfsight tokens), API keys, and — for introspection only, as nothing of them is stored to
//! end — idOS JWTs.
//!
//! The caller is authenticated, and sees only tokens of organizations it may read (its own
//! organization's subtree: the one policy of `actor.rs`). Anything else — unknown, expired,
//! revoked, of another region, or out of the caller's sight — is simply not active: neither
//! answer tells the caller whether a token it may not see exists.

use anyhow::Context;

use super::Services;
use super::actor::{Access, Actor};
use super::error::ServiceResult;
use super::events::Origin;
use super::key_ending::end_api_key;
use crate::crypto;
use crate::domain::{ApiKeyStatus, Kind, Millis, OrgPath, TokenKind, now_millis};
use crate::store::{ApiKeyInfoRow, RowLock, TokenInfoRow};

/// What introspection tells of an active token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenIntrospection {
    pub kind: TokenKind,
    /// The API key the token was issued to (a native access token) or is (an API key).
    pub client_id: Option<String>,
    /// The public id of the user the token acts as; none for an organization admin token.
    pub subject: Option<String>,
    /// The public id of the token's organization.
    pub org_public_id: String,
    /// None for an idOS token without `iat`.
    pub issued_at: Option<Millis>,
    /// None for an API key, which lasts until it is revoked (and an idOS token without `exp`).
    pub expires_at: Option<Millis>,
}

/// A token as the store holds it.
enum Found {
    Token(TokenInfoRow),
    ApiKey(ApiKeyInfoRow),
}

impl Found {
    fn org_path(&self) -> &OrgPath {
        match self {
            Found::Token(row) => &row.actor.org_path,
            Found::ApiKey(row) => &row.actor.org_path,
        }
    }

    /// What an active token is, or None when it is not active.
    fn introspection(&self, region: &str, now: Millis) -> Option<TokenIntrospection> {
        match self {
            Found::Token(row) => {
                let token = &row.actor;
                let active = token.expires_at > now && token.region == region && token.is_current();
                active.then(|| TokenIntrospection {
                    kind: token.kind,
                    client_id: token.api_key_public_id.map(|id| id.to_string()),
                    subject: token.user_public_id.map(|id| id.to_string()),
                    org_public_id: token.org_public_id.to_string(),
                    issued_at: Some(row.created_at),
                    expires_at: Some(token.expires_at),
                })
            }
            Found::ApiKey(row) => {
                let key = &row.actor;
                let active = key.status == ApiKeyStatus::Active && key.region == region;
                active.then(|| TokenIntrospection {
                    kind: TokenKind::ApiKey,
                    client_id: Some(key.key_public_id.to_string()),
                    subject: Some(key.user_public_id.to_string()),
                    org_public_id: key.org_public_id.to_string(),
                    issued_at: Some(row.created_at),
                    expires_at: None,
                })
            }
        }
    }

    /// Whether `caller` may end this token: its own (the token of its user, its API key, or
    /// for an organization admin token, one of the same organization), or any token of an
    /// organization it administers.
    fn revocable_by(&self, caller: &Actor) -> bool {
        let own = match self {
            Found::Token(row) => match row.actor.user_id {
                Some(user_id) => caller.is_user(user_id),
                None => caller.user.is_none() && caller.org_id == row.actor.org_id,
            },
            Found::ApiKey(row) => caller.is_user(row.actor.user_id),
        };
        own || caller
            .authorize(Access::Administer, self.org_path(), Kind::Organization, "")
            .is_ok()
    }
}

impl Services {
    /// RFC 7662: what `token` is, when it is active and `caller` may see it; None otherwise.
    pub async fn introspect_token(
        &self,
        caller: &Actor,
        token: &str,
    ) -> ServiceResult<Option<TokenIntrospection>> {
        let Some(found) = self.find_token(token).await? else {
            return self.introspect_idos_token(caller, token).await;
        };
        let visible = caller
            .authorize(Access::Read, found.org_path(), Kind::Organization, "")
            .is_ok();
        Ok(visible
            .then(|| found.introspection(self.region(), now_millis()))
            .flatten())
    }

    /// RFC 7009: ends `token` if `caller` may end it (`Found::revocable_by`); returns whether
    /// something was ended. A bearer token is deleted; an API key is revoked, with its native
    /// access tokens and its event. Every cached actor of what ended is dropped at once, on
    /// every face and every node (the transaction announces its change: `store::changes`).
    pub async fn revoke_token_as(&self, caller: &Actor, token: &str) -> ServiceResult<bool> {
        let Some(found) = self.find_token(token).await? else {
            return Ok(false);
        };
        if !found.revocable_by(caller) {
            return Ok(false);
        }
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to revoke a token")?;
        let ended = match found {
            Found::Token(_) => tx
                .delete_token(&crypto::bearer_token_key(token))
                .await
                .context("deleting a token")?,
            Found::ApiKey(row) => {
                // Locked: a concurrent revocation of the same key writes no second event.
                let key = tx
                    .api_key_locked(&row.actor.key_public_id, RowLock::Update)
                    .await
                    .context("reading and locking an API key")?
                    .filter(|key| key.status == ApiKeyStatus::Active);
                match key {
                    Some(key) => {
                        end_api_key(&mut tx, Origin::Actor(caller), key).await?;
                        true
                    }
                    None => false,
                }
            }
        };
        tx.commit()
            .await
            .context("committing a token's revocation")?;
        Ok(ended)
    }

    /// RFC 7662 for an idOS JWT (see `idos::introspection`).
    async fn introspect_idos_token(
        &self,
        caller: &Actor,
        token: &str,
    ) -> ServiceResult<Option<TokenIntrospection>> {
        let Some(facts) = self.idos_token_facts(token).await? else {
            return Ok(None);
        };
        let now = now_millis();
        let active = facts.expires_at.is_none_or(|exp| exp > now)
            && caller
                .authorize(Access::Read, &facts.org_path, Kind::Organization, "")
                .is_ok();
        Ok(active.then_some(TokenIntrospection {
            kind: facts.kind,
            client_id: None,
            subject: facts.subject,
            org_public_id: facts.org_public_id,
            issued_at: facts.issued_at,
            expires_at: facts.expires_at,
        }))
    }

    /// The stored token or API key that `token` is, whatever its state.
    async fn find_token(&self, token: &str) -> ServiceResult<Option<Found>> {
        if token.is_empty() {
            return Ok(None);
        }
        if let Some(row) = self
            .store
            .read()
            .token_info(&crypto::bearer_token_key(token))
            .await
            .context("reading a token to introspect")?
        {
            return Ok(Some(Found::Token(row)));
        }
        Ok(self
            .store
            .read()
            .api_key_info(&crypto::sha256(token.as_bytes()))
            .await
            .context("reading an API key to introspect")?
            .map(Found::ApiKey))
    }
}
