//! Company members (orghub users of the organization), the caller's membership, and
//! invitations. An invitation adds its member (an orghub user) at once; the invitation is
//! used ("voided") once that user has an identity.

use serde_json::json;

use super::{IdosKind, IdosResult, company_for, credential_of, invalid, not_found};
use crate::domain::{Millis, PublicId, Role, now_millis};
use crate::service::Services;
use crate::service::actor::{Access, Actor};
use crate::service::error::{Conflict, Forbidden, ServiceError, on_unique};
use crate::service::users::parse_email;
use crate::store::{CompanyRow, IdosTable, InvitationRow, MemberRow, NewEvent, NewUser, UniqueKey};

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
    fn of(role: &str, label: Option<&str>) -> Self {
        let role = Role::parse(role).unwrap_or_default();
        match label.and_then(Self::parse) {
            Some(label) if label.orghub_role() == role => label,
            _ if role == Role::Owner => Self::Owner,
            _ => Self::Reviewer,
        }
    }
}

fn parse_role(text: &str) -> IdosResult<IdosRole> {
    IdosRole::parse(text).ok_or_else(|| {
        invalid(
            "role",
            format!("'{text}' is not a role: company.owner, company.admin or company.reviewer"),
        )
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
            role: IdosRole::of(&row.role, row.idos_role.as_deref()),
            id: row.id,
            user_public_id: row.public_id,
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

/// An expiry day must be 1 to 7 days from today, as idOS has it.
fn check_expiry(expires: Millis, now: Millis) -> IdosResult<()> {
    let today = now - now.rem_euclid(DAY);
    let days = (expires - today).div_euclid(DAY);
    if !(1..=7).contains(&days) {
        return Err(invalid(
            "expires",
            "Invalid expiration date. Min: 1 day, Max: 7 days from today",
        ));
    }
    Ok(())
}

fn user_event(
    kind: &'static str,
    org_id: i64,
    user_public_id: &str,
    org_public_id: &str,
) -> NewEvent<'static> {
    NewEvent {
        kind,
        org_id: Some(org_id),
        subject: "user",
        payload: json!({ "id": user_public_id, "organizationId": org_public_id }),
    }
}

impl Services {
    async fn member_of(&self, company: &CompanyRow, id: i64) -> IdosResult<MemberRow> {
        self.idos_read()
            .member_by_id(id)
            .await?
            .filter(|member| member.org_id == company.id)
            .ok_or_else(|| not_found(IdosKind::Member, id))
    }

    pub async fn idos_members(&self, actor: &Actor, slug: &str) -> IdosResult<Vec<Member>> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let rows = self.idos_read().members_of_org(company.id).await?;
        Ok(rows.into_iter().map(Member::from).collect())
    }

    pub async fn idos_member(&self, actor: &Actor, slug: &str, id: i64) -> IdosResult<Member> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        Ok(self.member_of(&company, id).await?.into())
    }

    /// The caller's own membership of the company: its user, when the user belongs to it.
    pub async fn idos_membership(&self, actor: &Actor, slug: &str) -> IdosResult<Member> {
        let company = company_for(self.idos_read(), actor, slug, Access::Read).await?;
        let user = actor
            .user
            .as_ref()
            .ok_or_else(|| not_found(IdosKind::Membership, slug))?;
        self.idos_read()
            .member_by_id(user.id)
            .await?
            .filter(|member| member.org_id == company.id)
            .map(Member::from)
            .ok_or_else(|| not_found(IdosKind::Membership, slug))
    }

    pub async fn idos_set_member_role(
        &self,
        actor: &Actor,
        slug: &str,
        id: i64,
        role: &str,
    ) -> IdosResult<Member> {
        let role = parse_role(role)?;
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let member = self.member_of(&company, id).await?;
        let now = now_millis();
        let mut tx = self.store.begin().await?;
        tx.set_member_role(member.id, role.orghub_role().as_str(), role.as_str(), now)
            .await?;
        tx.insert_event(
            user_event(
                "user.updated",
                company.id,
                &member.public_id,
                &company.public_id,
            ),
            now,
        )
        .await?;
        let updated = tx
            .exec()
            .member_by_id(member.id)
            .await?
            .ok_or_else(|| not_found(IdosKind::Member, id))?;
        tx.commit().await?;
        Ok(updated.into())
    }

    /// Removes a member (the orghub user, with its tokens, keys and identities).
    pub async fn idos_delete_member(&self, actor: &Actor, slug: &str, id: i64) -> IdosResult<u64> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let member = self.member_of(&company, id).await?;
        if actor.is_user(member.id) {
            return Err(ServiceError::Forbidden(Forbidden::OwnUser {
                id: member.public_id,
            })
            .into());
        }
        let mut tx = self.store.begin().await?;
        tx.delete_user(member.id).await?;
        tx.insert_event(
            user_event(
                "user.deleted",
                company.id,
                &member.public_id,
                &company.public_id,
            ),
            now_millis(),
        )
        .await?;
        tx.commit().await?;
        Ok(1)
    }

    pub async fn idos_invitations(&self, actor: &Actor, slug: &str) -> IdosResult<Vec<Invitation>> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let rows = self.idos_read().invitations_of_org(company.id).await?;
        Ok(rows.into_iter().map(Invitation::from).collect())
    }

    pub async fn idos_invite(
        &self,
        actor: &Actor,
        slug: &str,
        invitation: NewInvitation,
    ) -> IdosResult<Invitation> {
        let role = parse_role(&invitation.role)?;
        let email = parse_email(&invitation.email)?;
        let name = invitation.name.trim();
        if name.is_empty() {
            return Err(invalid("name", "name must be a non-empty string"));
        }
        let now = now_millis();
        let expires = match invitation.expires {
            Some(expires) => {
                check_expiry(expires, now)?;
                expires
            }
            None => now + DAY,
        };
        let mut tx = self.store.begin().await?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let credential =
            credential_of(tx.exec(), &company, &invitation.credential_public_key).await?;
        let public_id = PublicId::new();
        let user_id = tx
            .insert_user(
                &NewUser {
                    public_id: &public_id,
                    org_id: company.id,
                    name,
                    email: email.as_str(),
                    email_key: &email.key(),
                    role: role.orghub_role().as_str(),
                    partner: false,
                    password_hash: None,
                },
                now,
            )
            .await
            .map_err(|e| {
                on_unique(e, UniqueKey::UserEmail, || Conflict::Email {
                    email: email.to_string(),
                })
            })?;
        tx.set_member_role(user_id, role.orghub_role().as_str(), role.as_str(), now)
            .await?;
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
            .await?;
        tx.insert_event(
            user_event(
                "user.created",
                company.id,
                &public_id.to_string(),
                &company.public_id,
            ),
            now,
        )
        .await?;
        let row = tx
            .exec()
            .invitation_by_id(id)
            .await?
            .ok_or_else(|| not_found(IdosKind::Invitation, id))?;
        tx.commit().await?;
        Ok(row.into())
    }

    async fn invitation_of(&self, company: &CompanyRow, id: i64) -> IdosResult<InvitationRow> {
        self.idos_read()
            .invitation_by_id(id)
            .await?
            .filter(|invitation| invitation.org_id == company.id)
            .ok_or_else(|| not_found(IdosKind::Invitation, id))
    }

    /// Changes an invitation's expiry day (`None` leaves it).
    pub async fn idos_update_invitation(
        &self,
        actor: &Actor,
        slug: &str,
        id: i64,
        expires: Option<Millis>,
    ) -> IdosResult<Invitation> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let current = self.invitation_of(&company, id).await?;
        let now = now_millis();
        let mut tx = self.store.begin().await?;
        let expires = match expires {
            Some(expires) => {
                check_expiry(expires, now)?;
                expires
            }
            None => current.expires_at,
        };
        tx.set_invitation_expiry(id, expires, now).await?;
        let row = tx
            .exec()
            .invitation_by_id(id)
            .await?
            .ok_or_else(|| not_found(IdosKind::Invitation, id))?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// Withdraws an invitation; a member that never used it (no identity yet) goes with it.
    pub async fn idos_delete_invitation(
        &self,
        actor: &Actor,
        slug: &str,
        id: i64,
    ) -> IdosResult<u64> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let invitation = self.invitation_of(&company, id).await?;
        let mut tx = self.store.begin().await?;
        let deleted = tx
            .delete_idos_row(IdosTable::Invitations, invitation.id)
            .await?;
        if !invitation.voided && !actor.is_user(invitation.user_id) {
            tx.delete_user(invitation.user_id).await?;
        }
        tx.commit().await?;
        Ok(deleted)
    }
}
