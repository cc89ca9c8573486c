//! Look-ups and parses that many use cases share. A leaf: it imports no use-case module, so
//! every use case may import it without a cycle.

use anyhow::Context;

use super::actor::{Actor, UserStanding};
use super::error::{Invalid, ServiceError, ServiceResult, TextField};
use crate::domain::{
    Email, EmailProblem, FreeText, Kind, Label, Name, PublicId, Role, TextProblem,
};
use crate::store::{Exec, OrgRow, RowLock, TenantUsage, Tx, UserRow};

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

/// `find_user` in a write transaction, locking the row (see `store::RowLock`): a write
/// that depends on what it read must not meet a row changed or deleted meanwhile.
pub(crate) async fn find_user_locked(
    tx: &mut Tx,
    id: &PublicId,
    lock: RowLock,
) -> ServiceResult<UserRow> {
    tx.user_locked(id, lock)
        .await
        .with_context(|| format!("reading and locking user {id}"))?
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::User,
            id: id.to_string(),
        })
}

/// `find_org` in a write transaction, locking the row (see `store::RowLock`).
pub(crate) async fn find_org_locked(
    tx: &mut Tx,
    id: &PublicId,
    kind: Kind,
    lock: RowLock,
) -> ServiceResult<OrgRow> {
    tx.org_locked(id, lock)
        .await
        .with_context(|| format!("reading and locking organization {id}"))?
        .ok_or_else(|| ServiceError::NotFound {
            kind,
            id: id.to_string(),
        })
}

/// The actor's own organization, read and locked in a write transaction (see
/// `store::RowLock`): `KeyShare` before inserting rows that refer to it, so that a concurrent
/// deletion of the organization waits for them (or they find it gone: not found) instead of
/// failing on its foreign key.
pub(crate) async fn lock_actor_org(
    tx: &mut Tx,
    actor: &Actor,
    lock: RowLock,
) -> ServiceResult<OrgRow> {
    tx.org_by_id_locked(actor.org_id, lock)
        .await
        .with_context(|| format!("reading and locking organization {}", actor.org_public_id))?
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::Organization,
            id: actor.org_public_id.clone(),
        })
}

/// Takes the lock of the tenant at `root_id` (see `Tx::lock_tenant`) and reads its usage.
pub(crate) async fn lock_tenant(tx: &mut Tx, root_id: i64) -> ServiceResult<TenantUsage> {
    Ok(tx
        .lock_tenant(root_id)
        .await
        .with_context(|| format!("locking tenant {root_id}"))?
        .with_context(|| format!("tenant {root_id} has no usage row"))?)
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

/// A text that breaks the text rules of `domain::text`.
pub(crate) fn bad_text(field: TextField, problem: TextProblem) -> ServiceError {
    ServiceError::Invalid(Invalid::Text { field, problem })
}

/// An email address. A text-rule problem is told as such, never echoing the text (it may hold
/// control characters); a mere shape problem echoes it, as the faces' documents do.
pub(crate) fn parse_email(text: &str) -> ServiceResult<Email> {
    Email::parse(text).map_err(|problem| match problem {
        EmailProblem::Text(problem) => bad_text(TextField::Email, problem),
        EmailProblem::Shape => ServiceError::Invalid(Invalid::Email {
            value: text.to_owned(),
        }),
    })
}

pub(crate) fn parse_name(text: &str, field: TextField) -> ServiceResult<Name> {
    Name::parse(text).map_err(|problem| bad_text(field, problem))
}

pub(crate) fn parse_label(text: &str, field: TextField) -> ServiceResult<Label> {
    Label::parse(text).map_err(|problem| bad_text(field, problem))
}

pub(crate) fn parse_free_text(text: &str, field: TextField) -> ServiceResult<FreeText> {
    FreeText::parse(text).map_err(|problem| bad_text(field, problem))
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
