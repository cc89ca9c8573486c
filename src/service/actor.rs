//! Who is asking, and the one authorization policy of orghub: an actor may act on an
//! organization when that organization is the actor's own or one of its descendants (any
//! depth), and the action's role requirement holds.

use std::fmt;

use super::error::{Forbidden, ServiceError, ServiceResult};
use crate::domain::{Kind, OrgPath, PublicId, Role, TokenKind};

#[derive(Debug, Clone)]
pub struct ActorUser {
    pub id: i64,
    pub public_id: PublicId,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub org_id: i64,
    pub org_public_id: String,
    pub org_path: OrgPath,
    pub user: Option<ActorUser>,
    pub role: Role,
    /// A partner user (Surfsight): may create organizations below its own.
    pub partner: bool,
    pub token_kind: TokenKind,
    /// The API key's public id when the actor came from one (events name it; never the key).
    pub api_key_id: Option<String>,
    /// The request's `x-request-id`, set by the HTTP layer: events carry it.
    pub request_id: Option<String>,
}

/// What the rule of `Actor::administer_user` looks at in the user acted on.
#[derive(Debug, Clone, Copy)]
pub struct UserStanding<'a> {
    pub id: i64,
    pub public_id: &'a PublicId,
    pub org_path: &'a OrgPath,
    pub role: Role,
    pub partner: bool,
}

/// What an action needs besides the organization being in the actor's subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Administer,
}

impl Actor {
    /// Allows the action on a record of `kind` (public id `id`) that belongs to the
    /// organization at `path`, or refuses it with `Forbidden::OutsideScope`.
    pub fn authorize(
        &self,
        access: Access,
        path: &OrgPath,
        kind: Kind,
        id: impl fmt::Display,
    ) -> ServiceResult<()> {
        let role_ok = access == Access::Read || self.role == Role::Owner;
        if role_ok && path.is_within(&self.org_path) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(Forbidden::OutsideScope {
                kind,
                id: id.to_string(),
            }))
        }
    }

    /// Allows administering `user` — a login token for it, its password, role, email, its
    /// deletion — or refuses. The user must be in the actor's subtree and the actor an Owner
    /// (`authorize`); then, unless the user is the actor itself, the actor must hold every
    /// right the user holds (a non-partner never touches a partner: a login token or a
    /// password would hand it the partner right), and the user must not be an Owner of the
    /// actor's own organization or of an ancestor (fellow Owners cannot take each other over).
    /// Every route and use case that acts on a user asks here.
    pub fn administer_user(&self, user: &UserStanding<'_>) -> ServiceResult<()> {
        self.authorize(
            Access::Administer,
            user.org_path,
            Kind::User,
            user.public_id,
        )?;
        if self.is_user(user.id) {
            return Ok(());
        }
        let holds_more = user.partner && !self.partner;
        let fellow_owner = user.role == Role::Owner && self.org_path.is_within(user.org_path);
        if holds_more || fellow_owner {
            return Err(ServiceError::Forbidden(Forbidden::UserOutOfReach {
                id: user.public_id.to_string(),
            }));
        }
        Ok(())
    }

    pub fn is_user(&self, user_id: i64) -> bool {
        self.user.as_ref().is_some_and(|u| u.id == user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            org_id: 5,
            org_public_id: PublicId::new().to_string(),
            org_path: OrgPath::root(1).child(5),
            user: None,
            role,
            partner: false,
            token_kind: TokenKind::Owner,
            api_key_id: None,
            request_id: None,
        }
    }

    #[test]
    fn owners_administer_their_subtree_only() {
        let owner = actor(Role::Owner);
        let own = OrgPath::root(1).child(5);
        let deep = own.child(9).child(12);
        let parent = OrgPath::root(1);
        let sibling = OrgPath::root(1).child(50);
        for path in [&own, &deep] {
            assert!(
                owner
                    .authorize(Access::Administer, path, Kind::Organization, "x")
                    .is_ok()
            );
        }
        for path in [&parent, &sibling] {
            assert!(
                owner
                    .authorize(Access::Read, path, Kind::Organization, "x")
                    .is_err()
            );
        }
    }

    fn standing<'a>(
        id: i64,
        public_id: &'a PublicId,
        org_path: &'a OrgPath,
        role: Role,
        partner: bool,
    ) -> UserStanding<'a> {
        UserStanding {
            id,
            public_id,
            org_path,
            role,
            partner,
        }
    }

    #[test]
    fn owners_administer_users_below_them_but_not_fellow_owners_or_partners() {
        let mut owner = actor(Role::Owner);
        let own = OrgPath::root(1).child(5);
        let child = own.child(9);
        let parent = OrgPath::root(1);
        let id = PublicId::new();
        let allowed = [
            standing(2, &id, &own, Role::Member, false),
            standing(3, &id, &child, Role::Owner, false),
        ];
        for user in &allowed {
            assert!(owner.administer_user(user).is_ok(), "{user:?}");
        }
        let refused = [
            standing(4, &id, &own, Role::Owner, false),
            standing(5, &id, &own, Role::Member, true),
            standing(6, &id, &child, Role::Owner, true),
        ];
        for user in &refused {
            assert!(
                matches!(
                    owner.administer_user(user),
                    Err(ServiceError::Forbidden(Forbidden::UserOutOfReach { .. }))
                ),
                "{user:?}"
            );
        }
        // Outside the subtree: the ordinary refusal.
        assert!(matches!(
            owner.administer_user(&standing(7, &id, &parent, Role::Member, false)),
            Err(ServiceError::Forbidden(Forbidden::OutsideScope { .. }))
        ));
        // A partner holds the partner right; itself, it may always act on.
        owner.partner = true;
        assert!(owner.administer_user(&refused[1]).is_ok());
        assert!(owner.administer_user(&refused[0]).is_err());
        owner.user = Some(ActorUser {
            id: 4,
            public_id: id,
        });
        assert!(owner.administer_user(&refused[0]).is_ok());
    }

    #[test]
    fn members_read_but_do_not_administer() {
        let member = actor(Role::Member);
        let own = OrgPath::root(1).child(5);
        assert!(
            member
                .authorize(Access::Read, &own, Kind::User, "x")
                .is_ok()
        );
        assert_eq!(
            member
                .authorize(Access::Administer, &own, Kind::User, "u1")
                .unwrap_err()
                .to_string(),
            "forbidden: OutsideScope { kind: User, id: \"u1\" }"
        );
    }
}
