//! The native API's OAuth 2.0 client credentials grant (RFC 6749 §4.4). The client is an API
//! key: `client_id` is the key's public id, `client_secret` the key itself. A client receives
//! an opaque access token of an hour (`TokenKind::Native`) that acts as the key's user, and
//! that ends with the key's revocation and with its user's tokens.

use anyhow::Context;

use super::actor::{Actor, ActorUser};
use super::error::{ServiceError, ServiceResult, Unauthorized};
use super::records::IssuedToken;
use super::{Services, ttl};
use crate::crypto;
use crate::domain::{ApiKeyStatus, PublicId, TokenKind, now_millis};
use crate::store::{ApiKeyActorRow, ApiKeyClientRow, NewNativeToken};

/// A key's `last_used_at` is written at most this often when it obtains tokens.
const LAST_USED_RESOLUTION: i64 = 60 * 1000;

impl Services {
    /// The actor of an API key presented as an OAuth client (`client_id`, `client_secret`):
    /// its user, as `ApiKey` authentication gives it. See `check_client` for what is refused.
    pub async fn authenticate_client(
        &self,
        client_id: &str,
        client_secret: &str,
    ) -> ServiceResult<Actor> {
        let client = self.check_client(client_id, client_secret).await?;
        Ok(key_actor(client.actor, TokenKind::ApiKey))
    }

    /// Issues a native access token to an API key presented as an OAuth client.
    pub async fn issue_native_token(
        &self,
        client_id: &str,
        client_secret: &str,
    ) -> ServiceResult<IssuedToken> {
        let client = self.check_client(client_id, client_secret).await?;
        let now = now_millis();
        let token = crypto::new_bearer_token(now as u64);
        let expires_at = now + ttl::NATIVE_TOKEN;
        // A token write: no cached read depends on tokens nor on a key's `last_used_at`, so
        // this transaction does not empty the caches (see `Store::begin_token_writes`). A key
        // revoked meanwhile is caught when the token is used (`TokenActorRow::is_current`).
        let mut tx = self
            .store
            .begin_token_writes()
            .await
            .context("starting to write a native access token")?;
        tx.insert_native_token(
            &NewNativeToken {
                hash: &crypto::bearer_token_key(&token),
                api_key_id: client.actor.key_id,
                user_id: client.actor.user_id,
                org_id: client.actor.org_id,
                region: self.region(),
                expires_at,
                epoch: client.token_epoch,
            },
            now,
        )
        .await
        .context("storing a native access token")?;
        if client
            .actor
            .last_used_at
            .is_none_or(|last| now - last >= LAST_USED_RESOLUTION)
        {
            tx.touch_api_key(client.actor.key_id, now)
                .await
                .context("noting an API key's use")?;
        }
        tx.commit()
            .await
            .context("committing a native access token")?;
        Ok(IssuedToken { token, expires_at })
    }

    /// The API key `client_id` if `client_secret` is that key, active and of this region.
    /// One refusal (`Unauthorized::ApiKeyInvalid`) for every failure, so that a caller
    /// learns nothing of which keys exist; the secret's digest is compared in constant time.
    async fn check_client(
        &self,
        client_id: &str,
        client_secret: &str,
    ) -> ServiceResult<ApiKeyClientRow> {
        let invalid = || ServiceError::Unauthorized(Unauthorized::ApiKeyInvalid);
        let digest = crypto::sha256(client_secret.as_bytes());
        let id = PublicId::parse(client_id).ok_or_else(invalid)?;
        let client = self
            .store
            .read()
            .api_key_client(&id)
            .await
            .context("reading an API key as an OAuth client")?
            .filter(|client| crypto::constant_time_eq(&client.key_hash, &digest))
            .ok_or_else(invalid)?;
        if client.actor.status != ApiKeyStatus::Active || client.actor.region != self.region() {
            return Err(invalid());
        }
        Ok(client)
    }
}

/// The actor of an API key's user.
fn key_actor(row: ApiKeyActorRow, token_kind: TokenKind) -> Actor {
    Actor {
        org_id: row.org_id,
        org_public_id: row.org_public_id.to_string(),
        org_path: row.org_path,
        user: Some(ActorUser {
            id: row.user_id,
            public_id: row.user_public_id,
        }),
        role: row.role,
        partner: row.partner,
        token_kind,
        api_key_id: Some(row.key_public_id.to_string()),
        request_id: None,
    }
}
