//! Look-ups and parses that many use cases share. A leaf: it imports no use-case module, so
//! every use case may import it without a cycle.

use anyhow::Context;

use super::actor::UserStanding;
use super::error::{Invalid, ServiceError, ServiceResult};
use crate::domain::{Email, Kind, PublicId, Role};
use crate::store::{Exec, OrgRow, UserRow};

pub(crate) async fn find_user(exec: Exec<'_>, id: &PublicId) -> ServiceResult<UserRow> {
    exec.user_by_public_id(id)
        .await
        .with_context(|| format!("reading user {id}"))?
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::User,
            id: id.to_string(),
        })
}

/// What `Actor::administer_user` weighs of a user row.
pub(crate) fn standing(user: &UserRow) -> UserStanding<'_> {
    UserStanding {
        id: user.id,
        public_id: &user.public_id,
        org_path: &user.org_path,
        role: user.role,
        partner: user.partner,
    }
}

/// The organization `id`; `kind` says what the caller is looking for (an organization, or a
/// parent organization), and so what is not found.
pub(crate) async fn find_org(exec: Exec<'_>, id: &PublicId, kind: Kind) -> ServiceResult<OrgRow> {
    exec.org_by_public_id(id)
        .await
        .with_context(|| format!("reading organization {id}"))?
        .ok_or_else(|| ServiceError::NotFound {
            kind,
            id: id.to_string(),
        })
}

pub(crate) fn parse_email(text: &str) -> ServiceResult<Email> {
    Email::parse(text).ok_or_else(|| {
        ServiceError::Invalid(Invalid::Email {
            value: text.to_owned(),
        })
    })
}

pub(crate) fn parse_role(text: &str) -> ServiceResult<Role> {
    Role::parse(text).ok_or_else(|| {
        ServiceError::Invalid(Invalid::Role {
            value: text.to_owned(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Location, Store};

    #[tokio::test]
    async fn a_store_error_is_internal_and_says_what_was_being_done() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Location::SqliteFile(&dir.path().join("l.sqlite3")))
            .await
            .unwrap();
        let id = PublicId::new();
        assert!(matches!(
            find_user(store.read(), &id).await,
            Err(ServiceError::NotFound {
                kind: Kind::User,
                ..
            })
        ));
        store.close().await;
        let Err(ServiceError::Internal(error)) = find_user(store.read(), &id).await else {
            panic!("a closed store is an internal error");
        };
        let logged = format!("{error:#}");
        assert!(
            logged.starts_with(&format!("reading user {id}: ")),
            "{logged}"
        );
    }
}
