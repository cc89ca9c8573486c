//! Users as Cloud Conformity sees them. A Conformity user is an orghub user of the caller's own
//! organisation: inviting one creates an orghub user (without a password; it signs in once
//! one is set through another face), revoking one deletes it. Its Conformity role decides its
//! orghub role (`ADMIN` is an Owner, the others Members) and is kept beside it, with its
//! per-account access levels, so that both read back as given.

use anyhow::Context;
use serde_json::json;

use super::Services;
use super::actor::{Access, Actor};
use super::conformity_records::{AccountAccess, ConformityUser};
use super::error::{
    Conflict, Forbidden, Invalid, Registration, ServiceError, ServiceResult, TextField, on_unique,
};
use super::events::{Origin, event};
use super::lookup::{
    find_user, find_user_locked, lock_actor_org, lock_tenant, parse_email, parse_name, standing,
};
use super::quotas::Quota;
use crate::domain::conformity::{AccessLevel, ConformityRole};
use crate::domain::events::EventType;
use crate::domain::{Kind, PublicId, now_millis};
use crate::store::{
    AccountAccessRow, ConformityUserRow, Exec, NewEvent, NewUser, RowLock, Tx, UniqueKey,
};

/// One entry of an access list as given: an account id (any text) and a level.
pub struct AccessRequest {
    pub account: String,
    pub level: AccessLevel,
}

/// How a user comes to Conformity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// `POST /users`: invited, until a password is set.
    Invited,
    /// `POST /users/sso`: signs in through the organisation's identity provider.
    Sso,
}

pub struct ConformityInvite<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub role: ConformityRole,
    pub access: &'a [AccessRequest],
    pub arrival: Arrival,
}

fn user_event(actor: &Actor, kind: EventType, user: &ConformityUserRow) -> NewEvent {
    event(
        Origin::Actor(actor),
        kind,
        actor.into(),
        json!({
            "id": user.public_id.to_string(),
            "organizationId": user.org_public_id.to_string(),
        }),
    )
}

fn administer_users(actor: &Actor) -> ServiceResult<()> {
    actor.authorize(
        Access::Administer,
        &actor.org_path,
        Kind::User,
        &actor.org_public_id,
    )
}

fn access_of(rows: Vec<AccountAccessRow>) -> Vec<AccountAccess> {
    rows.into_iter()
        .filter_map(|row| {
            Some(AccountAccess {
                level: AccessLevel::parse(&row.level)?,
                account_public_id: row.account_public_id,
            })
        })
        .collect()
}

/// The user `id` of the actor's own organisation; another organisation's is not found.
async fn org_user(
    exec: Exec<'_>,
    actor: &Actor,
    id: &PublicId,
) -> ServiceResult<ConformityUserRow> {
    exec.conformity_user_by_public_id(id)
        .await
        .context("reading conformity user by public id")?
        .filter(|user| user.org_id == actor.org_id)
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::User,
            id: id.to_string(),
        })
}

/// Sets the access levels of `access`, in order, to accounts of the actor's organisation; an
/// entry naming another account is refused.
async fn put_access(
    tx: &mut Tx,
    actor: &Actor,
    user_id: i64,
    access: &[AccessRequest],
) -> ServiceResult<()> {
    for entry in access {
        let unknown = || {
            ServiceError::Invalid(Invalid::NotRegistered {
                what: Registration::Account,
                value: entry.account.clone(),
            })
        };
        let id = PublicId::parse(&entry.account).ok_or_else(unknown)?;
        // Locked against its deletion until the access level that refers to it is in.
        let account = tx
            .cloud_account_locked(&id, RowLock::KeyShare)
            .await
            .context("reading and locking a cloud account")?
            .filter(|account| account.org_id == actor.org_id)
            .ok_or_else(unknown)?;
        tx.put_account_access(user_id, account.id, entry.level.as_str())
            .await
            .context("storing an access level")?;
    }
    Ok(())
}

impl Services {
    async fn conformity_user_view(&self, row: ConformityUserRow) -> ServiceResult<ConformityUser> {
        let access = self
            .store
            .read()
            .account_access_of_user(row.id)
            .await
            .context("reading account access of user")?;
        Ok(ConformityUser::from_row(row, access_of(access)))
    }

    /// The actor's own user; an actor without one (an organization admin token) has none.
    pub async fn conformity_whoami(&self, actor: &Actor) -> ServiceResult<ConformityUser> {
        let user = actor
            .user
            .as_ref()
            .ok_or(ServiceError::Forbidden(Forbidden::NoUser))?;
        let row = org_user(self.store.read(), actor, &user.public_id).await?;
        self.conformity_user_view(row).await
    }

    /// A user of the actor's organisation; every user of it may read every other.
    pub async fn conformity_user(
        &self,
        actor: &Actor,
        id: &PublicId,
    ) -> ServiceResult<ConformityUser> {
        let row = org_user(self.store.read(), actor, id).await?;
        self.conformity_user_view(row).await
    }

    /// Every user of the actor's organisation (not of those below it), in creation order.
    pub async fn conformity_users(&self, actor: &Actor) -> ServiceResult<Vec<ConformityUser>> {
        administer_users(actor)?;
        let rows = self
            .store
            .read()
            .conformity_users_of_org(actor.org_id)
            .await
            .context("reading conformity users of org")?;
        let mut access = self
            .store
            .read()
            .account_access_of_org(actor.org_id)
            .await
            .context("reading account access of org")?
            .into_iter()
            .peekable();
        let mut users = Vec::with_capacity(rows.len());
        for row in rows {
            let mut own = Vec::new();
            while let Some(entry) = access.next_if(|entry| entry.user_id <= row.id) {
                if entry.user_id == row.id {
                    own.push(entry);
                }
            }
            users.push(ConformityUser::from_row(row, access_of(own)));
        }
        Ok(users)
    }

    /// Adds a user to the actor's organisation, with a role and access levels.
    pub async fn invite_conformity_user(
        &self,
        actor: &Actor,
        invite: ConformityInvite<'_>,
    ) -> ServiceResult<ConformityUser> {
        administer_users(actor)?;
        parse_name(invite.first_name, TextField::FirstName)?;
        parse_name(invite.last_name, TextField::LastName)?;
        let email = parse_email(invite.email)?;
        let now = now_millis();
        let mut tx = self.store.begin().await.context("starting a transaction")?;
        // Counted under the tenant's lock (see `quotas`); the organisation locked against its
        // deletion until its new user is in.
        let root_id = actor.org_path.root_id();
        let usage = lock_tenant(&mut tx, root_id).await?;
        lock_actor_org(&mut tx, actor, RowLock::KeyShare).await?;
        self.config.quotas.check(Quota::Users, usage.users, 1)?;
        let public_id = PublicId::new();
        let id = tx
            .insert_user(
                &NewUser {
                    public_id: &public_id,
                    org_id: actor.org_id,
                    root_id,
                    name: &format!("{} {}", invite.first_name, invite.last_name),
                    email: &email,
                    role: invite.role.role(),
                    partner: false,
                    password_hash: None,
                    // The caller's token was accepted here, so its organization is this
                    // server's region.
                    region: self.region(),
                },
                now,
            )
            .await
            .map_err(|e| {
                on_unique(
                    e,
                    UniqueKey::UserEmail,
                    || Conflict::Email {
                        email: email.to_string(),
                    },
                    "inviting a user",
                )
            })?;
        let origin = match invite.arrival {
            Arrival::Invited => "invited",
            Arrival::Sso => "sso",
        };
        tx.insert_conformity_user(
            id,
            invite.role.as_str(),
            invite.first_name,
            invite.last_name,
            origin,
        )
        .await
        .context("storing a Conformity user")?;
        put_access(&mut tx, actor, id, invite.access).await?;
        let row = tx
            .exec()
            .conformity_user_by_id(id)
            .await
            .context("reading conformity user by id")?
            .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("inserted above")))?;
        tx.insert_event(user_event(actor, EventType::UserCreated, &row), now)
            .await
            .context("writing the event")?;
        tx.commit().await.context("committing")?;
        self.conformity_user_view(row).await
    }

    /// Gives a user of the actor's organisation a role, and sets the access levels listed
    /// (the others stay).
    pub async fn update_conformity_user(
        &self,
        actor: &Actor,
        id: &PublicId,
        role: ConformityRole,
        access: &[AccessRequest],
    ) -> ServiceResult<ConformityUser> {
        let mut tx = self.store.begin().await.context("starting a transaction")?;
        let user = org_user(tx.exec(), actor, id).await?;
        administer_users(actor)?;
        // Locked: a concurrent revocation waits for this change, or this change finds no user.
        // The one rule for acting on a user: no fellow Owner, no partner by a non-partner.
        actor.administer_user(&standing(
            &find_user_locked(&mut tx, id, RowLock::Update).await?,
        ))?;
        let now = now_millis();
        tx.set_conformity_role(user.id, role.role().as_str(), role.as_str(), now)
            .await
            .context("setting a user's Conformity role")?;
        put_access(&mut tx, actor, user.id, access).await?;
        tx.insert_event(user_event(actor, EventType::UserUpdated, &user), now)
            .await
            .context("writing the event")?;
        tx.commit().await.context("committing")?;
        self.conformity_user(actor, id).await
    }

    /// Removes a user from the actor's organisation (its orghub user, with its tokens and
    /// keys); never the actor itself.
    pub async fn revoke_conformity_user(&self, actor: &Actor, id: &PublicId) -> ServiceResult<()> {
        let mut tx = self.store.begin().await.context("starting a transaction")?;
        let user = org_user(tx.exec(), actor, id).await?;
        administer_users(actor)?;
        if actor.is_user(user.id) {
            return Err(ServiceError::Forbidden(Forbidden::OwnUser {
                id: user.public_id,
            }));
        }
        // The tenant's lock first (its user count changes), as every counted write takes it,
        // then the user's row, which a concurrent change may hold.
        let seen = find_user(tx.exec(), id).await?;
        actor.administer_user(&standing(&seen))?;
        lock_tenant(&mut tx, seen.org_path.root_id()).await?;
        let locked = find_user_locked(&mut tx, id, RowLock::Update).await?;
        actor.administer_user(&standing(&locked))?;
        tx.delete_user(user.id).await.context("deleting a user")?;
        tx.insert_event(
            user_event(actor, EventType::UserDeleted, &user),
            now_millis(),
        )
        .await
        .context("writing the event")?;
        tx.commit().await.context("committing")?;
        Ok(())
    }
}
