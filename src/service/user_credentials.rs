//! A user's credentials, managed by an actor (the native API): its API keys and its Xponent
//! secret key. Whoever administers the user (`Actor::administer_user`) may; the operator's
//! commands (`orghub api-key …`, `orghub secret-key …`) use the same writes without an actor.

use anyhow::Context;

use super::actor::Actor;
use super::api_keys::NewApiKey;
use super::error::{Forbidden, ServiceError, ServiceResult};
use super::events::Origin;
use super::key_ending::end_api_key;
use super::lookup::{find_user, standing};
use super::records::ApiKey;
use super::{Services, Slice};
use crate::domain::{ApiKeyStatus, Kind, PublicId};
use crate::store::RowLock;

impl Services {
    /// The API keys of a user the actor administers, revoked ones included.
    pub async fn user_api_keys(
        &self,
        actor: &Actor,
        user_id: &PublicId,
        slice: Slice,
    ) -> ServiceResult<Vec<ApiKey>> {
        let user = find_user(self.store.read(), user_id).await?;
        actor.administer_user(&standing(&user))?;
        let rows = self
            .store
            .read()
            .api_keys_of_user(user.id, slice.after_id(), slice.row_limit())
            .await
            .context("reading a user's API keys")?;
        Ok(rows.into_iter().map(ApiKey::from).collect())
    }

    /// Issues a new API key to a user the actor administers; the key is shown this once.
    pub async fn create_user_api_key(
        &self,
        actor: &Actor,
        user_id: &PublicId,
    ) -> ServiceResult<NewApiKey> {
        self.issue_api_key(Origin::Actor(actor), user_id).await
    }

    /// Revokes an API key of a user the actor administers; its native access tokens end with
    /// it. A key out of the actor's reach is not found; a key already revoked stays as it is.
    pub async fn revoke_user_api_key(
        &self,
        actor: &Actor,
        key_id: &PublicId,
    ) -> ServiceResult<ApiKey> {
        let not_found = || ServiceError::NotFound {
            kind: Kind::ApiKey,
            id: key_id.to_string(),
        };
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to revoke an API key")?;
        let row = tx
            .api_key_locked(key_id, RowLock::Update)
            .await
            .with_context(|| format!("reading API key {key_id}"))?
            .ok_or_else(not_found)?;
        let user = tx
            .exec()
            .user_by_id(row.user_id)
            .await
            .context("reading the user of an API key")?
            .ok_or_else(not_found)?;
        actor
            .administer_user(&standing(&user))
            .map_err(|refusal| match refusal {
                // Whose key it is stays unsaid.
                ServiceError::Forbidden(Forbidden::OutsideScope { .. }) => not_found(),
                other => other,
            })?;
        if row.status != ApiKeyStatus::Active {
            return Ok(row.into());
        }
        let key = end_api_key(&mut tx, Origin::Actor(actor), row).await?;
        tx.commit()
            .await
            .context("committing an API key's revocation")?;
        Ok(key)
    }

    /// Issues or rotates the Xponent secret key of an Owner the actor administers; the user's
    /// tokens end with the old key. The key is shown this once.
    pub async fn issue_user_secret_key(
        &self,
        actor: &Actor,
        user_id: &PublicId,
    ) -> ServiceResult<String> {
        self.rotate_secret_key(Origin::Actor(actor), user_id).await
    }
}
