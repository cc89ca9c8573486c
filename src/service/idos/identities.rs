//! Identities: the key pairs of orghub users that sign idOS IdentityTokens. The operator makes
//! them (`orghub identity create`), and so does whoever administers the user
//! (`Actor::administer_user`, the native API). The private key is sealed, and shown only when
//! made.

use anyhow::Context;

use super::{Slice, event_data, new_key, not_found};
use crate::crypto::SealContext;
use crate::domain::events::EventType;
use crate::domain::{IdosKind, Millis, PublicId, now_millis};
use crate::service::Services;
use crate::service::actor::Actor;
use crate::service::error::ServiceResult;
use crate::service::events::{Origin, event};
use crate::service::lookup::{find_user, standing};
use crate::store::{IdentityRow, IdosTable};

/// An identity, without its private key.
#[derive(Debug, Clone)]
pub struct Identity {
    pub id: i64,
    pub public_key: String,
    pub created_at: Millis,
}

impl From<IdentityRow> for Identity {
    fn from(row: IdentityRow) -> Self {
        Self {
            id: row.id,
            public_key: row.public_key,
            created_at: row.created_at,
        }
    }
}

/// A new identity with its private key, shown once.
#[derive(Debug, Clone)]
pub struct NewIdentity {
    pub identity: Identity,
    pub private_key: String,
}

/// A new identity's key pair, as the operator's command prints it.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityKeys {
    pub public_key: String,
    pub private_key: String,
}

impl Services {
    /// Operator command: a new identity for an orghub user.
    pub async fn create_identity(&self, user_id: &PublicId) -> ServiceResult<IdentityKeys> {
        let made = self.issue_identity(Origin::Operator, user_id).await?;
        Ok(IdentityKeys {
            public_key: made.identity.public_key,
            private_key: made.private_key,
        })
    }

    /// A new identity for a user the actor administers.
    pub async fn create_user_identity(
        &self,
        actor: &Actor,
        user_id: &PublicId,
    ) -> ServiceResult<NewIdentity> {
        self.issue_identity(Origin::Actor(actor), user_id).await
    }

    async fn issue_identity(
        &self,
        origin: Origin<'_>,
        user_id: &PublicId,
    ) -> ServiceResult<NewIdentity> {
        let public_key = new_key();
        let private_key = new_key();
        let sealed = self
            .sealer
            .seal_str(
                &private_key,
                SealContext::IdosIdentityKey {
                    public_key: &public_key,
                },
            )
            .context("sealing an idOS identity's key")?;
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create an idOS identity")?;
        let user = find_user(tx.exec(), user_id).await?;
        if let Origin::Actor(actor) = origin {
            actor.administer_user(&standing(&user))?;
        }
        let id = tx
            .insert_identity(user.id, &public_key, &sealed, now)
            .await
            .context("inserting an idOS identity")?;
        let data = event_data::identity(&public_key, &user.public_id.to_string());
        tx.insert_event(
            event(origin, EventType::IdentityCreated, (&user).into(), data),
            now,
        )
        .await
        .context("writing an idOS identity's event")?;
        tx.commit().await.context("committing an idOS identity")?;
        Ok(NewIdentity {
            identity: Identity {
                id,
                public_key,
                created_at: now,
            },
            private_key,
        })
    }

    /// The identities of a user the actor administers, in creation order.
    pub async fn user_identities(
        &self,
        actor: &Actor,
        user_id: &PublicId,
        slice: Slice,
    ) -> ServiceResult<Vec<Identity>> {
        let user = find_user(self.store.read(), user_id).await?;
        actor.administer_user(&standing(&user))?;
        let rows = self
            .store
            .read()
            .identities_of_user(user.id, slice.after_id(), slice.row_limit())
            .await
            .context("reading a user's idOS identities")?;
        Ok(rows.into_iter().map(Identity::from).collect())
    }

    /// Deletes an identity of a user the actor administers: its IdentityTokens are refused
    /// from then on (they are checked against the stored key on every request).
    pub async fn delete_user_identity(
        &self,
        actor: &Actor,
        user_id: &PublicId,
        public_key: &str,
    ) -> ServiceResult<()> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete an idOS identity")?;
        let user = find_user(tx.exec(), user_id).await?;
        actor.administer_user(&standing(&user))?;
        let gone = || not_found(IdosKind::Identity, public_key);
        let row = tx
            .exec()
            .identity_of_user(user.id, public_key)
            .await
            .context("reading an idOS identity")?
            .ok_or_else(gone)?;
        let deleted = tx
            .delete_idos_row(IdosTable::Identities, row.id)
            .await
            .context("deleting an idOS identity")?;
        // A concurrent deletion got there first: one event, from whichever did.
        if deleted == 0 {
            return Err(gone());
        }
        let data = event_data::identity(&row.public_key, &user.public_id.to_string());
        tx.insert_event(
            event(
                Origin::Actor(actor),
                EventType::IdentityDeleted,
                (&user).into(),
                data,
            ),
            now_millis(),
        )
        .await
        .context("writing an idOS identity's deletion event")?;
        tx.commit()
            .await
            .context("committing an idOS identity's deletion")?;
        Ok(())
    }
}
