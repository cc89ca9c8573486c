//! Company members (orghub users of the organization), the caller's membership, and
//! invitations. An invitation adds its member (an orghub user) at once; the invitation is
//! used ("voided") once that user has an identity. Acting on a member is acting on a user:
//! `Actor::administer_user` decides, as on every face.

use anyhow::Context;
use serde_json::json;

use super::{company_event, company_for, credential_of, event_data, idos_invalid, not_found};
use crate::domain::events::EventType;
use crate::domain::{IdosKind, Kind, Millis, PublicId, Role, now_millis};
use crate::service::Services;
use crate::service::actor::{Access, Actor};
use crate::service::error::{
    Conflict, FieldRule, IdosInvalid, Invalid, ServiceError, ServiceResult, TextField, on_unique,
};
use crate::service::event_data as orghub_event_data;
use crate::service::events::{Origin, event};
use crate::service::lookup::{find_user, lock_tenant, parse_email, parse_name, standing};
use crate::service::quotas::Quota;
use crate::store::{CompanyRow, Exec, IdosTable, InvitationRow, MemberRow, NewUser, UniqueKey};

/// The roles idOS gives members. Owners and admins administer (orghub `Owner`), reviewers read
/// (orghub `Member`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdosRole {
    Owner,
    Admin,
    Reviewer,
}

impl IdosRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "company.owner",
            Self::Admin => "company.admin",
            Self::Reviewer => "company.reviewer",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Owner, Self::Admin, Self::Reviewer]
            .into_iter()
            .find(|role| role.as_str() == text.trim())
    }

    pub fn orghub_role(self) -> Role {
        match self {
            Self::Owner | Self::Admin => Role::Owner,
            Self::Reviewer => Role::Member,
        }
    }

    /// The idOS role of a user: its label when it agrees with the user's orghub role (which
    /// another face may have changed since), else the role's own label.
    fn of(role: Role, label: Option<&str>) -> Self {
        match label.and_then(Self::parse) {
            Some(label) if label.orghub_role() == role => label,
            _ if role == Role::Owner => Self::Owner,
            _ => Self::Reviewer,
        }
    }
}

fn parse_role(text: &str) -> ServiceResult<IdosRole> {
    IdosRole::parse(text).ok_or_else(|| {
        idos_invalid(IdosInvalid::Role {
            value: text.to_owned(),
        })
    })
}

#[derive(Debug, Clone)]
pub struct Member {
    pub id: i64,
    pub user_public_id: String,
    pub company_id: i64,
    pub identity_id: Option<i64>,
    pub name: String,
    pub email: String,
    pub role: IdosRole,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl From<MemberRow> for Member {
    fn from(row: MemberRow) -> Self {
        Self {
            role: IdosRole::of(row.role, row.idos_role.as_deref()),
            id: row.id,
            user_public_id: row.public_id.to_string(),
            company_id: row.org_id,
            identity_id: row.identity_id,
            name: row.name,
            email: row.email,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: i64,
    pub member_id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub voided: bool,
    pub expires_at: Millis,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

impl From<InvitationRow> for Invitation {
    fn from(row: InvitationRow) -> Self {
        Self {
            id: row.id,
            member_id: row.user_id,
            name: row.name,
            email: row.email,
            role: row.role,
            voided: row.voided,
            expires_at: row.expires_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

pub struct NewInvitation {
    pub role: String,
    pub email: String,
    pub name: String,
    pub credential_public_key: String,
    /// Midnight UTC of the day it expires; `None`: a day from now.
    pub expires: Option<Millis>,
}

const DAY: Millis = 24 * 60 * 60 * 1000;

/// How many days from today an invitation may expire, as idOS has it.
const EXPIRY_DAYS: (i64, i64) = (1, 7);

fn check_expiry(expires: Millis, now: Millis) -> ServiceResult<()> {
    let today = now - now.rem_euclid(DAY);
    let days = (expires - today).div_euclid(DAY);
    if !(EXPIRY_DAYS.0..=EXPIRY_DAYS.1).contains(&days) {
        return Err(idos_invalid(IdosInvalid::ExpiryDay {
            min: EXPIRY_DAYS.0,
            max: EXPIRY_DAYS.1,
        }));
    }
    Ok(())
}

/// The member `id` of `company`; any other user is not found.
async fn member_in(exec: Exec<'_>, company: &CompanyRow, id: i64) -> ServiceResult<MemberRow> {
    exec.member_by_id(id)
        .await
        .context("reading a member")?
        .filter(|member| member.org_id == company.id)
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::User,
            id: id.to_string(),
        })
}

async fn invitation_in(
    exec: Exec<'_>,
    company: &CompanyRow,
    id: i64,
) -> ServiceResult<InvitationRow> {
    exec.invitation_by_id(id)
        .await
        .context("reading an invitation")?
        .filter(|invitation| invitation.org_id == company.id)
        .ok_or_else(|| not_found(IdosKind::Invitation, id))
}

async fn written_invitation(exec: Exec<'_>, id: i64) -> ServiceResult<InvitationRow> {
    Ok(exec
        .invitation_by_id(id)
        .await
        .context("reading an invitation just written")?
        .context("an invitation just written is missing")?)
}

impl Services {
    pub async fn idos_members(&self, actor: &Actor, slug: &str) -> ServiceResult<Vec<Member>> {
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        let rows = self
            .store
            .read()
            .members_of_org(company.id)
            .await
            .context("reading a company's members")?;
        Ok(rows.into_iter().map(Member::from).collect())
    }

    pub async fn idos_member(&self, actor: &Actor, slug: &str, id: i64) -> ServiceResult<Member> {
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        Ok(member_in(self.store.read(), &company, id).await?.into())
    }

    /// The caller's own membership of the company: its user, when the user belongs to it.
    pub async fn idos_membership(&self, actor: &Actor, slug: &str) -> ServiceResult<Member> {
        let company = company_for(self.store.read(), actor, slug, Access::Read).await?;
        let user = actor
            .user
            .as_ref()
            .ok_or_else(|| not_found(IdosKind::Membership, slug))?;
        self.store
            .read()
            .member_by_id(user.id)
            .await
            .context("reading a member")?
            .filter(|member| member.org_id == company.id)
            .map(Member::from)
            .ok_or_else(|| not_found(IdosKind::Membership, slug))
    }

    /// Gives a member another role: a change of the user's role, under
    /// `Actor::administer_user`, recorded as the user's update and role change.
    pub async fn idos_set_member_role(
        &self,
        actor: &Actor,
        slug: &str,
        id: i64,
        role: &str,
    ) -> ServiceResult<Member> {
        let role = parse_role(role)?;
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to change a member's role")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let member = member_in(tx.exec(), &company, id).await?;
        let user = find_user(tx.exec(), &member.public_id).await?;
        actor.administer_user(&standing(&user))?;
        tx.update_user(user.id, &user.name, &user.email, role.orghub_role(), now)
            .await
            .context("changing a member's role")?;
        tx.set_idos_member_role(user.id, role.as_str())
            .await
            .context("storing a member's idOS role")?;
        let updated = find_user(tx.exec(), &member.public_id).await?;
        let user_event = |kind| {
            event(
                Origin::Actor(actor),
                kind,
                (&updated).into(),
                orghub_event_data::user(&updated),
            )
        };
        let mut changed = user_event(EventType::UserUpdated);
        changed.data["idosRole"] = json!(role.as_str());
        tx.insert_event(changed, now)
            .await
            .context("writing a member's update event")?;
        if updated.role != user.role {
            let mut changed = user_event(EventType::UserRoleChanged);
            changed.data["previousRole"] = json!(user.role.as_str());
            tx.insert_event(changed, now)
                .await
                .context("writing a member's role change event")?;
        }
        let member = member_in(tx.exec(), &company, id).await?;
        tx.commit().await.context("committing a member's role")?;
        Ok(member.into())
    }

    /// Removes a member: the orghub user, with its tokens, keys and identities (the user
    /// use case, with its rules and event).
    pub async fn idos_delete_member(
        &self,
        actor: &Actor,
        slug: &str,
        id: i64,
    ) -> ServiceResult<u64> {
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        let member = member_in(self.store.read(), &company, id).await?;
        self.delete_user(actor, &member.public_id).await?;
        Ok(1)
    }

    pub async fn idos_invitations(
        &self,
        actor: &Actor,
        slug: &str,
    ) -> ServiceResult<Vec<Invitation>> {
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        let rows = self
            .store
            .read()
            .invitations_of_org(company.id)
            .await
            .context("reading a company's invitations")?;
        Ok(rows.into_iter().map(Invitation::from).collect())
    }

    /// Invites a member: a new orghub user of the company (with the role's orghub role),
    /// and the invitation, in one transaction with both events.
    pub async fn idos_invite(
        &self,
        actor: &Actor,
        slug: &str,
        invitation: NewInvitation,
    ) -> ServiceResult<Invitation> {
        let role = parse_role(&invitation.role)?;
        let email = parse_email(&invitation.email)?;
        let name = invitation.name.trim();
        if name.is_empty() {
            return Err(ServiceError::Invalid(Invalid::Field {
                field: "name",
                rule: FieldRule::NonEmptyString,
            }));
        }
        parse_name(name, TextField::Name)?;
        let now = now_millis();
        let expires = match invitation.expires {
            Some(expires) => {
                check_expiry(expires, now)?;
                expires
            }
            None => now + DAY,
        };
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to invite a member")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        // Counted under the tenant's lock, as every user creation is.
        let usage = lock_tenant(&mut tx, company.path.root_id()).await?;
        self.config.quotas.check(Quota::Users, usage.users, 1)?;
        let credential =
            credential_of(tx.exec(), &company, &invitation.credential_public_key).await?;
        let public_id = PublicId::new();
        let user_id = tx
            .insert_user(
                &NewUser {
                    public_id: &public_id,
                    org_id: company.id,
                    root_id: company.path.root_id(),
                    name,
                    email: &email,
                    role: role.orghub_role(),
                    partner: false,
                    password_hash: None,
                    // Users take their organization's region.
                    region: &company.region,
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
                    "inserting an invited member",
                )
            })?;
        tx.set_idos_member_role(user_id, role.as_str())
            .await
            .context("storing a member's idOS role")?;
        let id = tx
            .insert_invitation(
                company.id,
                credential.id,
                user_id,
                name,
                email.as_str(),
                role.as_str(),
                expires,
                now,
            )
            .await
            .context("inserting an invitation")?;
        let user = find_user(tx.exec(), &public_id).await?;
        let mut created = event(
            Origin::Actor(actor),
            EventType::UserCreated,
            (&user).into(),
            orghub_event_data::user(&user),
        );
        created.data["idosRole"] = json!(role.as_str());
        let row = written_invitation(tx.exec(), id).await?;
        let invited = company_event(
            actor,
            EventType::InvitationCreated,
            &company,
            event_data::invitation(&row, &public_id.to_string()),
        );
        tx.insert_events(&[created, invited], now)
            .await
            .context("writing an invitation's events")?;
        tx.commit().await.context("committing an invitation")?;
        Ok(row.into())
    }

    /// Changes an invitation's expiry day (`None` leaves it).
    pub async fn idos_update_invitation(
        &self,
        actor: &Actor,
        slug: &str,
        id: i64,
        expires: Option<Millis>,
    ) -> ServiceResult<Invitation> {
        let now = now_millis();
        if let Some(expires) = expires {
            check_expiry(expires, now)?;
        }
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to update an invitation")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let current = invitation_in(tx.exec(), &company, id).await?;
        tx.set_invitation_expiry(id, expires.unwrap_or(current.expires_at), now)
            .await
            .context("changing an invitation's expiry")?;
        let row = written_invitation(tx.exec(), id).await?;
        let user = tx
            .exec()
            .member_by_id(row.user_id)
            .await
            .context("reading an invited member")?
            .map(|member| member.public_id.to_string())
            .unwrap_or_default();
        tx.insert_event(
            company_event(
                actor,
                EventType::InvitationUpdated,
                &company,
                event_data::invitation(&row, &user),
            ),
            now,
        )
        .await
        .context("writing an invitation's update event")?;
        tx.commit()
            .await
            .context("committing an invitation's update")?;
        Ok(row.into())
    }

    /// Withdraws an invitation; a member that never used it (no identity yet) goes with it,
    /// as a user deletion under the same rules as any.
    pub async fn idos_delete_invitation(
        &self,
        actor: &Actor,
        slug: &str,
        id: i64,
    ) -> ServiceResult<u64> {
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete an invitation")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let invitation = invitation_in(tx.exec(), &company, id).await?;
        let user = tx
            .exec()
            .user_by_id(invitation.user_id)
            .await
            .context("reading an invited member")?;
        let user_public_id = user
            .as_ref()
            .map(|user| user.public_id.to_string())
            .unwrap_or_default();
        let deleted = tx
            .delete_idos_row(IdosTable::Invitations, invitation.id)
            .await
            .context("deleting an invitation")?;
        let mut events = vec![company_event(
            actor,
            EventType::InvitationDeleted,
            &company,
            event_data::invitation(&invitation, &user_public_id),
        )];
        if let Some(user) =
            user.filter(|_| !invitation.voided && !actor.is_user(invitation.user_id))
        {
            actor.administer_user(&standing(&user))?;
            tx.delete_user(user.id)
                .await
                .context("deleting an invited member")?;
            events.push(event(
                Origin::Actor(actor),
                EventType::UserDeleted,
                (&user).into(),
                orghub_event_data::user(&user),
            ));
        }
        tx.insert_events(&events, now)
            .await
            .context("writing an invitation's deletion events")?;
        tx.commit()
            .await
            .context("committing an invitation's deletion")?;
        Ok(deleted)
    }
}
