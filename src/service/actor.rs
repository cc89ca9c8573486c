//! Who is asking, and the one authorization policy of orghub: an actor may act on an
//! organization when that organization is the actor's own or one of its descendants (any
//! depth), and the action's role requirement holds.

use super::error::{Forbidden, ServiceError, ServiceResult};
use crate::domain::{Kind, OrgPath, PublicId, Role};

/// What kind of bearer token authenticated the actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// From Xponent `POST /token` (an Owner's secret key, 6 hours).
    Owner,
    /// A 60-second single-use login token; it authenticates nothing until redeemed.
    Login,
    /// A user's session, from a redeemed login token (6 hours).
    Session,
    /// A user's session from Surfsight `POST /authenticate` (email and password, 24 hours).
    Password,
    /// An organization admin token from a Surfsight SSO JWT (no user, 24 hours).
    OrgAdmin,
    /// Not a stored token: the actor of a Cloud Conformity API key.
    ApiKey,
    /// Not a stored token: the actor of an idOS JWT (identity or credential token).
    Idos,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Login => "login",
            Self::Session => "session",
            Self::Password => "password",
            Self::OrgAdmin => "org_admin",
            Self::ApiKey => "api_key",
            Self::Idos => "idos",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Owner,
            Self::Login,
            Self::Session,
            Self::Password,
            Self::OrgAdmin,
            Self::ApiKey,
            Self::Idos,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

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
        id: &str,
    ) -> ServiceResult<()> {
        let role_ok = access == Access::Read || self.role == Role::Owner;
        if role_ok && path.is_within(&self.org_path) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(Forbidden::OutsideScope {
                kind,
                id: id.to_owned(),
            }))
        }
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
