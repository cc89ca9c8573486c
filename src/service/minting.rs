//! Minting bearer tokens: a leaf that the sign-in use cases share.

use anyhow::Context;

use super::error::ServiceResult;
use super::records::IssuedToken;
use crate::crypto;
use crate::domain::{Millis, TokenKind, now_millis};
use crate::store::{NewToken, Tx};

/// What a new token stands for.
pub(crate) struct TokenFor<'a> {
    pub kind: TokenKind,
    pub user_id: Option<i64>,
    pub org_id: i64,
    pub region: &'a str,
    pub lifetime: Millis,
    /// The epoch of the credential checked to issue it (`NewToken::epoch`).
    pub epoch: i64,
}

/// Creates a random bearer token and stores its key (never the token) in `tx`.
pub(crate) async fn mint(tx: &mut Tx, token_for: TokenFor<'_>) -> ServiceResult<IssuedToken> {
    let now = now_millis();
    let token = crypto::new_bearer_token(now as u64);
    let expires_at = now + token_for.lifetime;
    tx.insert_token(
        &NewToken {
            hash: &crypto::bearer_token_key(&token),
            kind: token_for.kind,
            user_id: token_for.user_id,
            org_id: token_for.org_id,
            region: token_for.region,
            expires_at,
            epoch: token_for.epoch,
        },
        now,
    )
    .await
    .with_context(|| format!("storing a new {} token", token_for.kind.as_str()))?;
    Ok(IssuedToken { token, expires_at })
}
