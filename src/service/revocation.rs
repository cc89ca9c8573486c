//! Operator revocations behind the command line: one bearer token, every token of a user, and
//! an organization's SSO secret with the admin tokens issued on it. No actor: whoever runs
//! `orghub` on the server's database is trusted. A running server that cached a revoked
//! token's actor drops it on its next request, whichever process made the change (see
//! `store::changes`; on PostgreSQL once the change's notification has arrived).

use anyhow::Context;

use super::Services;
use super::error::{ServiceError, ServiceResult, internal};
use super::lookup::find_user;
use crate::crypto::{self, SealContext};
use crate::domain::{Kind, PublicId};
use crate::store::RowLock;

/// An organization as an operator names it: its Surfsight integer id or its public id.
#[derive(Debug, Clone, Copy)]
pub enum OrgRef {
    Id(i64),
    Public(PublicId),
}

impl OrgRef {
    /// An integer is a Surfsight id, anything else must be a public id (a UUID).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().parse::<i64>() {
            Ok(id) => Some(Self::Id(id)),
            Err(_) => PublicId::parse(text.trim()).map(Self::Public),
        }
    }
}

impl std::fmt::Display for OrgRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Id(id) => write!(f, "{id}"),
            Self::Public(id) => write!(f, "{id}"),
        }
    }
}

/// A new SSO secret, shown this once.
#[derive(Debug, Clone)]
pub struct RotatedSsoSecret {
    pub org_id: i64,
    pub sso_secret: String,
    /// Organization admin tokens that were ended with the old secret.
    pub ended_tokens: u64,
}

impl Services {
    /// Ends one bearer token (of any kind) given by its value; false when no such token exists.
    pub async fn revoke_token(&self, token: &str) -> ServiceResult<bool> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to revoke a token")?;
        let deleted = tx
            .delete_token(&crypto::bearer_token_key(token.trim()))
            .await
            .context("deleting a token")?;
        tx.commit()
            .await
            .context("committing a token's revocation")?;
        Ok(deleted)
    }

    /// Ends every token of a user, including any issued in a race with this; returns how many
    /// were deleted.
    pub async fn revoke_user_tokens(&self, user_id: &PublicId) -> ServiceResult<u64> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to revoke a user's tokens")?;
        let user = find_user(tx.exec(), user_id).await?;
        let ended = tx
            .end_user_tokens(user.id)
            .await
            .context("ending a user's tokens")?;
        tx.commit()
            .await
            .context("committing the revocation of a user's tokens")?;
        Ok(ended)
    }

    /// Issues (or rotates) an organization's SSO secret; the admin tokens issued on the old
    /// one end with it.
    pub async fn rotate_sso_secret(&self, org: OrgRef) -> ServiceResult<RotatedSsoSecret> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to rotate an SSO secret")?;
        // Locked: two rotations follow one another, and the organization does not go meanwhile.
        let row = match org {
            OrgRef::Id(id) => tx.org_by_id_locked(id, RowLock::Update).await,
            OrgRef::Public(id) => tx.org_locked(&id, RowLock::Update).await,
        }
        .with_context(|| format!("reading organization {org}"))?
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::Organization,
            id: org.to_string(),
        })?;
        let sso_secret = crypto::random_hex_secret();
        let sealed = self
            .sealer
            .seal_str(&sso_secret, SealContext::SsoSecret { org_id: row.id })
            .map_err(|e| internal(e, "sealing an SSO secret"))?;
        tx.set_sso_secret(row.id, &sealed)
            .await
            .context("storing an SSO secret")?;
        let ended_tokens = tx
            .end_org_admin_tokens(row.id)
            .await
            .context("ending an organization's admin tokens")?;
        tx.commit()
            .await
            .context("committing an SSO secret's rotation")?;
        Ok(RotatedSsoSecret {
            org_id: row.id,
            sso_secret,
            ended_tokens,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_organization_is_named_by_its_integer_id_or_its_uuid() {
        assert!(matches!(OrgRef::parse("17"), Some(OrgRef::Id(17))));
        let id = PublicId::new();
        assert!(matches!(OrgRef::parse(&id.to_string()), Some(OrgRef::Public(p)) if p == id));
        assert!(OrgRef::parse("seventeen").is_none());
    }
}
