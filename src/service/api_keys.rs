//! API keys (Cloud Conformity `Authorization: ApiKey …`): 64 random characters, stored as
//! SHA-256 digests, each belonging to one user.

use anyhow::Context;

use super::actor::{Actor, ActorUser};
use super::error::{ServiceError, ServiceResult, Unauthorized};
use super::event_data;
use super::events::{Origin, event};
use super::key_ending::end_api_key;
use super::lookup::{find_user, find_user_locked, lock_tenant, standing};
use super::quotas::Quota;
use super::records::ApiKey;
use super::{Services, Slice};
use crate::crypto;
use crate::domain::events::EventType;
use crate::domain::{ApiKeyStatus, Kind, PublicId, TokenKind, now_millis};
use crate::store::RowLock;

const API_KEY_CHARS: usize = 64;

/// `last_used_at` is written at most this often per key, so reads stay reads.
const LAST_USED_RESOLUTION: i64 = 60 * 1000;

/// A new key and its record; the key is shown this once.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub key: String,
    pub record: ApiKey,
}

impl Services {
    /// Resolves an API key to its user's actor. Unknown and revoked keys, and keys of another
    /// region, authenticate nothing.
    pub async fn authenticate_api_key(&self, key: &str) -> ServiceResult<Actor> {
        let invalid = || ServiceError::Unauthorized(Unauthorized::ApiKeyInvalid);
        let row = self
            .store
            .read()
            .api_key_actor(&crypto::sha256(key.as_bytes()))
            .await
            .context("reading the actor of an API key")?
            .ok_or_else(invalid)?;
        if row.status != ApiKeyStatus::Active || row.region != self.region() {
            return Err(invalid());
        }
        let now = now_millis();
        if row
            .last_used_at
            .is_none_or(|last| now - last >= LAST_USED_RESOLUTION)
        {
            let mut tx = self
                .store
                .begin()
                .await
                .context("starting to note an API key's use")?;
            tx.touch_api_key(row.key_id, now)
                .await
                .context("noting an API key's use")?;
            tx.commit().await.context("committing an API key's use")?;
        }
        Ok(Actor {
            org_id: row.org_id,
            org_public_id: row.org_public_id.to_string(),
            org_path: row.org_path,
            user: Some(ActorUser {
                id: row.user_id,
                public_id: row.user_public_id,
            }),
            role: row.role,
            partner: row.partner,
            token_kind: TokenKind::ApiKey,
            api_key_id: Some(row.key_public_id.to_string()),
            request_id: None,
        })
    }

    /// The actor's own keys (an actor without a user, such as an organization admin token,
    /// has none).
    pub async fn list_api_keys(&self, actor: &Actor) -> ServiceResult<Vec<ApiKey>> {
        let Some(user) = &actor.user else {
            return Ok(Vec::new());
        };
        let rows = self
            .store
            .read()
            .api_keys_of_user(user.id, Slice::ALL.after_id(), Slice::ALL.row_limit())
            .await
            .context("reading a user's API keys")?;
        Ok(rows.into_iter().map(ApiKey::from).collect())
    }

    /// Issues a new key to a user (`orghub api-key create`).
    pub async fn create_api_key(&self, user_id: &PublicId) -> ServiceResult<NewApiKey> {
        self.issue_api_key(Origin::Operator, user_id).await
    }

    /// Issues a new key to a user, by `origin`: an actor must administer the user
    /// (`Actor::administer_user`), checked on the locked row.
    pub(crate) async fn issue_api_key(
        &self,
        origin: Origin<'_>,
        user_id: &PublicId,
    ) -> ServiceResult<NewApiKey> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create an API key")?;
        // Counted under the tenant's lock (see `quotas`), the user locked against deletion.
        let seen = find_user(tx.exec(), user_id).await?;
        let root_id = seen.org_path.root_id();
        lock_tenant(&mut tx, root_id).await?;
        let user = find_user_locked(&mut tx, user_id, RowLock::KeyShare).await?;
        if let Origin::Actor(actor) = origin {
            actor.administer_user(&standing(&user))?;
        }
        let keys = tx
            .count_tenant_api_keys(root_id)
            .await
            .context("counting a tenant's API keys")?;
        self.config.quotas.check(Quota::ApiKeys, keys, 1)?;
        let key = crypto::random_alphanumeric(API_KEY_CHARS);
        let public_id = PublicId::new();
        let now = now_millis();
        let id = tx
            .insert_api_key(&public_id, user.id, &crypto::sha256(key.as_bytes()), now)
            .await
            .context("storing an API key")?;
        let data = event_data::api_key(&public_id, &user, now);
        tx.insert_event(
            event(origin, EventType::ApiKeyCreated, (&user).into(), data),
            now,
        )
        .await
        .context("writing an API key's creation event")?;
        tx.commit().await.context("committing an API key")?;
        Ok(NewApiKey {
            key,
            record: ApiKey {
                id,
                public_id: public_id.to_string(),
                status: ApiKeyStatus::Active.as_str().to_owned(),
                created_at: now,
                last_used_at: None,
            },
        })
    }

    /// Revokes a key for good (`orghub api-key revoke`); it stays listed as `REVOKED`.
    pub async fn revoke_api_key(&self, key_id: &PublicId) -> ServiceResult<ApiKey> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to revoke an API key")?;
        let row = tx
            .api_key_locked(key_id, RowLock::Update)
            .await
            .with_context(|| format!("reading API key {key_id}"))?
            .ok_or_else(|| ServiceError::NotFound {
                kind: Kind::ApiKey,
                id: key_id.to_string(),
            })?;
        let key = end_api_key(&mut tx, Origin::Operator, row).await?;
        tx.commit()
            .await
            .context("committing an API key's revocation")?;
        Ok(key)
    }
}
