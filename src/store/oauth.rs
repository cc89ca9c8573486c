//! Native access tokens (OAuth 2.0 client credentials, the client being an API key) and what
//! token introspection reads of stored tokens and API keys.

use super::api_keys::ApiKeyActorRow;
use super::tokens::TokenActorRow;
use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::{Millis, PublicId, TokenKind};

/// An API key as an OAuth 2.0 client: its actor, the digest its secret is checked against,
/// and its user's token epoch (that a new token carries).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyClientRow {
    #[sqlx(flatten)]
    pub actor: ApiKeyActorRow,
    pub key_hash: Vec<u8>,
    pub token_epoch: i64,
}

/// A stored token as introspection reports it: its actor row and its time of issue.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenInfoRow {
    #[sqlx(flatten)]
    pub actor: TokenActorRow,
    pub created_at: Millis,
}

/// An API key as introspection reports it: its actor row and its time of creation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyInfoRow {
    #[sqlx(flatten)]
    pub actor: ApiKeyActorRow,
    pub created_at: Millis,
}

/// A new native access token's row.
#[derive(Debug, Clone)]
pub struct NewNativeToken<'a> {
    /// The token's key (`crypto::bearer_token_key`), never the token.
    pub hash: &'a [u8],
    pub api_key_id: i64,
    pub user_id: i64,
    pub org_id: i64,
    pub region: &'a str,
    pub expires_at: Millis,
    /// The user's token epoch when the key was checked (`NewToken::epoch`).
    pub epoch: i64,
}

/// The columns of `ApiKeyActorRow`, from `api_keys k`, `users u` and `organizations o`.
macro_rules! api_key_actor_columns {
    () => {
        "k.id AS key_id, k.public_id AS key_public_id, k.status, k.region, k.last_used_at, \
         u.id AS user_id, u.public_id AS user_public_id, u.role, u.partner, o.id AS org_id, \
         o.public_id AS org_public_id, o.path AS org_path"
    };
}

impl Exec<'_> {
    /// The API key `public_id` as an OAuth client (its digest included, for the caller to
    /// compare in constant time).
    pub async fn api_key_client(
        self,
        public_id: &PublicId,
    ) -> StoreResult<Option<ApiKeyClientRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ApiKeyClientRow>(concat!(
                "SELECT ",
                api_key_actor_columns!(),
                ", k.key_hash, u.token_epoch \
                 FROM api_keys k JOIN users u ON u.id = k.user_id \
                 JOIN organizations o ON o.id = u.org_id WHERE k.public_id = $1"
            ))
            .bind(public_id.to_string())
            .fetch_optional(c)
            .await?
        }))
    }

    /// The stored token of key `hash` (any kind), with its subject and API key.
    pub async fn token_info(self, hash: &[u8]) -> StoreResult<Option<TokenInfoRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, TokenInfoRow>(
                "SELECT t.kind, t.region, t.expires_at, t.created_at, o.id AS org_id, \
                 o.public_id AS org_public_id, o.path AS org_path, u.id AS user_id, \
                 u.public_id AS user_public_id, u.role, u.partner, t.epoch, \
                 u.token_epoch AS user_epoch, o.sso_epoch, k.public_id AS api_key_public_id, \
                 k.status AS api_key_status \
                 FROM tokens t JOIN organizations o ON o.id = t.org_id \
                 LEFT JOIN users u ON u.id = t.user_id \
                 LEFT JOIN api_keys k ON k.id = t.api_key_id WHERE t.hash = $1",
            )
            .bind(hash)
            .fetch_optional(c)
            .await?
        }))
    }

    /// The API key of digest `key_hash`, with its user and organization.
    pub async fn api_key_info(self, key_hash: &[u8]) -> StoreResult<Option<ApiKeyInfoRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ApiKeyInfoRow>(concat!(
                "SELECT ",
                api_key_actor_columns!(),
                ", k.created_at FROM api_keys k JOIN users u ON u.id = k.user_id \
                 JOIN organizations o ON o.id = u.org_id WHERE k.key_hash = $1"
            ))
            .bind(key_hash)
            .fetch_optional(c)
            .await?
        }))
    }
}

impl Tx {
    pub async fn insert_native_token(
        &mut self,
        token: &NewNativeToken<'_>,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "INSERT INTO tokens \
                 (hash, kind, user_id, org_id, region, expires_at, epoch, created_at, api_key_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(token.hash)
            .bind(TokenKind::Native.as_str())
            .bind(token.user_id)
            .bind(token.org_id)
            .bind(token.region)
            .bind(token.expires_at)
            .bind(token.epoch)
            .bind(now)
            .bind(token.api_key_id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Deletes the tokens issued to an API key (once it is revoked); returns how many.
    pub async fn end_api_key_tokens(&mut self, api_key_id: i64) -> StoreResult<u64> {
        Ok(on_tx!(self, |c| {
            sqlx::query("DELETE FROM tokens WHERE api_key_id = $1")
                .bind(api_key_id)
                .execute(c)
                .await?
                .rows_affected()
        }))
    }
}
