use sqlx::QueryBuilder;

use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::{ApiKeyStatus, Millis, OrgPath, PublicId, Role, TokenKind};

/// The columns of a new token, in the order every insert binds them (`NewToken`'s fields,
/// then the time of insertion): one list for the sqlx statements and `DirectSqlite`'s.
macro_rules! insert_into_tokens {
    () => {
        "INSERT INTO tokens (hash, kind, user_id, org_id, region, expires_at, epoch, created_at) "
    };
}

/// One new token's row, as `insert_into_tokens!` lists them.
pub(super) const INSERT_TOKEN: &str = concat!(
    insert_into_tokens!(),
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
);

#[derive(Clone)]
pub struct NewToken<'a> {
    /// The token's key (`crypto::bearer_token_key`): the token itself is never stored.
    pub hash: &'a [u8],
    pub kind: TokenKind,
    pub user_id: Option<i64>,
    pub org_id: i64,
    pub region: &'a str,
    pub expires_at: Millis,
    /// The epoch of the credential it was issued on (see `TokenActorRow::is_current`).
    pub epoch: i64,
}

/// What a bearer token stands for: its subject user (if any) and organization.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenActorRow {
    pub kind: TokenKind,
    pub region: String,
    pub expires_at: Millis,
    pub org_id: i64,
    pub org_public_id: PublicId,
    pub org_path: OrgPath,
    pub user_id: Option<i64>,
    pub user_public_id: Option<PublicId>,
    pub role: Option<Role>,
    pub partner: Option<bool>,
    pub epoch: i64,
    pub user_epoch: Option<i64>,
    pub sso_epoch: i64,
    /// The API key a native access token was issued to (none for other kinds).
    pub api_key_public_id: Option<PublicId>,
    pub api_key_status: Option<ApiKeyStatus>,
}

impl TokenActorRow {
    /// False once what the token was issued on has changed since: its user's password or
    /// secret key (or a revocation of all its tokens), for a token without a user, its
    /// organization's SSO secret, and for a native access token, its API key (revoked).
    pub fn is_current(&self) -> bool {
        if self
            .api_key_status
            .is_some_and(|status| status != ApiKeyStatus::Active)
        {
            return false;
        }
        match (self.user_id, self.user_epoch) {
            (Some(_), Some(user_epoch)) => self.epoch == user_epoch,
            (Some(_), None) => false,
            (None, _) => self.epoch == self.sso_epoch,
        }
    }
}

/// A single-use token taken out of the table (`Tx::take_token`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TakenToken {
    pub user_id: Option<i64>,
    pub expires_at: Millis,
    pub region: String,
    pub epoch: i64,
}

impl Exec<'_> {
    pub async fn token_actor(self, hash: &[u8]) -> StoreResult<Option<TokenActorRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, TokenActorRow>(
                "SELECT t.kind, t.region, t.expires_at, o.id AS org_id, o.public_id AS org_public_id, \
                 o.path AS org_path, u.id AS user_id, u.public_id AS user_public_id, u.role, u.partner, \
                 t.epoch, u.token_epoch AS user_epoch, o.sso_epoch, \
                 k.public_id AS api_key_public_id, k.status AS api_key_status \
                 FROM tokens t JOIN organizations o ON o.id = t.org_id \
                 LEFT JOIN users u ON u.id = t.user_id \
                 LEFT JOIN api_keys k ON k.id = t.api_key_id WHERE t.hash = $1",
            )
            .bind(hash)
            .fetch_optional(c)
            .await?
        }))
    }
}

impl Tx {
    pub async fn insert_token(&mut self, token: &NewToken<'_>, now: Millis) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(INSERT_TOKEN)
                .bind(token.hash)
                .bind(token.kind.as_str())
                .bind(token.user_id)
                .bind(token.org_id)
                .bind(token.region)
                .bind(token.expires_at)
                .bind(token.epoch)
                .bind(now)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Inserts the tokens in one statement (at most `MAX_ROWS`).
    pub async fn insert_tokens(&mut self, tokens: &[NewToken<'_>], now: Millis) -> StoreResult<()> {
        if tokens.is_empty() {
            return Ok(());
        }
        on_tx!(self, |c| {
            let mut query = QueryBuilder::new(insert_into_tokens!());
            query.push_values(tokens, |mut row, token| {
                row.push_bind(token.hash)
                    .push_bind(token.kind.as_str())
                    .push_bind(token.user_id)
                    .push_bind(token.org_id)
                    .push_bind(token.region)
                    .push_bind(token.expires_at)
                    .push_bind(token.epoch)
                    .push_bind(now);
            });
            query
                .build()
                .persistent(tokens.len() == 1)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Removes a single-use token of `kind` and returns it if it existed.
    pub async fn take_token(
        &mut self,
        hash: &[u8],
        kind: TokenKind,
    ) -> StoreResult<Option<TakenToken>> {
        Ok(on_tx!(self, |c| {
            sqlx::query_as(
                "DELETE FROM tokens WHERE hash = $1 AND kind = $2 \
                 RETURNING user_id, expires_at, region, epoch",
            )
            .bind(hash)
            .bind(kind.as_str())
            .fetch_optional(c)
            .await?
        }))
    }

    /// Deletes one token by its key; false when there was none.
    pub async fn delete_token(&mut self, hash: &[u8]) -> StoreResult<bool> {
        let deleted = on_tx!(self, |c| {
            sqlx::query("DELETE FROM tokens WHERE hash = $1")
                .bind(hash)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(deleted > 0)
    }

    /// Ends every token of a user: its epoch moves on, so a token issued on what the user
    /// had before is refused even if it is written after this, and the rows go. Returns how
    /// many tokens were deleted.
    pub async fn end_user_tokens(&mut self, user_id: i64) -> StoreResult<u64> {
        Ok(on_tx!(self, |c| {
            sqlx::query("UPDATE users SET token_epoch = token_epoch + 1 WHERE id = $1")
                .bind(user_id)
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM tokens WHERE user_id = $1")
                .bind(user_id)
                .execute(c)
                .await?
                .rows_affected()
        }))
    }

    /// Ends the organization admin tokens of an organization (its SSO epoch moves on).
    pub async fn end_org_admin_tokens(&mut self, org_id: i64) -> StoreResult<u64> {
        Ok(on_tx!(self, |c| {
            sqlx::query("UPDATE organizations SET sso_epoch = sso_epoch + 1 WHERE id = $1")
                .bind(org_id)
                .execute(&mut *c)
                .await?;
            sqlx::query("DELETE FROM tokens WHERE org_id = $1 AND user_id IS NULL AND kind = $2")
                .bind(org_id)
                .bind(TokenKind::OrgAdmin.as_str())
                .execute(c)
                .await?
                .rows_affected()
        }))
    }

    pub async fn delete_expired_tokens(&mut self, now: Millis) -> StoreResult<u64> {
        Ok(on_tx!(self, |c| {
            sqlx::query("DELETE FROM tokens WHERE expires_at <= $1")
                .bind(now)
                .execute(c)
                .await?
                .rows_affected()
        }))
    }
}
