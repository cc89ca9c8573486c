//! The idOS use cases: companies (organizations by slug), identities, handlers, credentials,
//! hooks, members, invitations, settings, widgets, subscriptions and company profiles.
//!
//! Authorization is orghub's one policy (`Actor::authorize`, and `Actor::administer_user` for
//! members): an identity acts as its orghub user, on its organization's subtree; routes the idOS
//! server opens to reviewers read (`Access::Read`), every other route administers
//! (`Access::Administer`, an Owner). Errors are orghub's typed domain errors; the face words
//! them. Every change writes its event (`domain::events`) in its transaction.

mod auth;
mod companies;
mod credentials;
mod event_data;
mod hooks;
mod identities;
mod introspection;
mod members;
mod settings;

/// Lists of the idOS use cases are asked for a slice at a time.
pub use crate::service::Slice;
pub use auth::{IdosCaller, IdosTokenKind, MAX_TOKEN_BYTES, TokenCheck, unverified_issuer};
pub use companies::{Company, CompanyWindow};
pub use credentials::{Credential, Handler, HandlerChanges, HandlerRef, NewHandler};
pub use hooks::{Hook, HookHandshake, HookInput, canonical_trigger};
pub use identities::{Identity, IdentityKeys, NewIdentity};
pub use members::{IdosRole, Invitation, Member, NewInvitation};
pub use settings::{Profile, Setting, Subscription, WIDGET_TYPES, Widget, WidgetInput};

use anyhow::Context;

use super::actor::{Access, Actor};
use super::error::{FieldRule, IdosInvalid, Invalid, ServiceError, ServiceResult, TextField};
use super::events::{EventOrg, Origin, event};
use super::lookup::parse_name;
use crate::domain::events::EventType;
use crate::domain::{IdosKind, Kind, PublicId, now_millis};
use crate::store::{CompanyRow, CredentialRow, Exec, IdosTable, NewEvent, Tx};

/// Unix seconds from orghub's milliseconds: idOS speaks seconds.
pub fn seconds(millis: i64) -> i64 {
    millis.div_euclid(1000)
}

/// A new 32-hex-character key (128 random bits).
pub(crate) fn new_key() -> String {
    hex::encode(crate::crypto::random_bytes(16))
}

pub(crate) fn idos_invalid(invalid: IdosInvalid) -> ServiceError {
    ServiceError::Invalid(Invalid::Idos(invalid))
}

pub(crate) fn not_found(kind: IdosKind, id: impl ToString) -> ServiceError {
    ServiceError::NotFound {
        kind: Kind::Idos(kind),
        id: id.to_string(),
    }
}

/// A name: something other than spaces, without control characters.
pub(crate) fn check_name(field: &'static str, name: &str) -> ServiceResult<()> {
    if name.trim().is_empty() {
        return Err(ServiceError::Invalid(Invalid::Field {
            field,
            rule: FieldRule::NonEmptyString,
        }));
    }
    if name.chars().any(char::is_control) {
        return Err(idos_invalid(IdosInvalid::NotPrintable { field }));
    }
    // The rules of every stored name: at most 200 characters, no line separator or
    // bidirectional override.
    parse_name(name, TextField::Name)?;
    Ok(())
}

/// How a request names a company: the idOS face by its slug, the native API by its public
/// id (an organization may have no slug yet: see `store/idos_slugs.rs`).
#[derive(Debug, Clone, Copy)]
pub enum CompanyRef<'a> {
    Slug(&'a str),
    Id(&'a PublicId),
}

/// The idOS use cases that only the idOS face calls name their company by slug.
impl<'a> From<&'a str> for CompanyRef<'a> {
    fn from(slug: &'a str) -> Self {
        Self::Slug(slug)
    }
}

/// The company `company` names, when the actor may act on it with `access`.
pub(crate) async fn company_for(
    exec: Exec<'_>,
    actor: &Actor,
    company: impl Into<CompanyRef<'_>>,
    access: Access,
) -> ServiceResult<CompanyRow> {
    let reference = company.into();
    let found = match reference {
        CompanyRef::Slug(slug) => exec
            .company_by_slug(slug)
            .await
            .context("reading a company by its slug")?,
        CompanyRef::Id(id) => exec
            .company_by_public_id(id)
            .await
            .context("reading a company by its id")?,
    };
    let company = found.ok_or_else(|| ServiceError::NotFound {
        kind: Kind::Organization,
        id: match reference {
            CompanyRef::Slug(slug) => slug.to_owned(),
            CompanyRef::Id(id) => id.to_string(),
        },
    })?;
    actor.authorize(access, &company.path, Kind::Organization, company.public_id)?;
    Ok(company)
}

/// The credential `public_key` of `company`; another company's credential is not found.
pub(crate) async fn credential_of(
    exec: Exec<'_>,
    company: &CompanyRow,
    public_key: &str,
) -> ServiceResult<CredentialRow> {
    exec.credential_by_public_key(public_key)
        .await
        .context("reading a credential")?
        .filter(|credential| credential.org_id == company.id)
        .ok_or_else(|| not_found(IdosKind::Credential, public_key))
}

impl From<&CompanyRow> for EventOrg {
    fn from(company: &CompanyRow) -> Self {
        Self {
            id: company.id,
            public_id: company.public_id.to_string(),
            path: company.path.as_str().to_owned(),
        }
    }
}

/// The event of a change to a record of `company`, by `actor`.
/// The end of a use case that deletes one idOS row: the deletion, its event and the commit,
/// in one transaction. `what` names the record in the contexts of internal errors.
pub(crate) async fn delete_with_event(
    mut tx: Tx,
    table: IdosTable,
    id: i64,
    event: NewEvent,
    what: &'static str,
) -> ServiceResult<u64> {
    let deleted = tx
        .delete_idos_row(table, id)
        .await
        .with_context(|| format!("deleting a {what}"))?;
    tx.insert_event(event, now_millis())
        .await
        .with_context(|| format!("writing a {what}'s deletion event"))?;
    tx.commit()
        .await
        .with_context(|| format!("committing a {what}'s deletion"))?;
    Ok(deleted)
}

pub(crate) fn company_event(
    actor: &Actor,
    kind: EventType,
    company: &CompanyRow,
    data: serde_json::Value,
) -> NewEvent {
    event(Origin::Actor(actor), kind, company.into(), data)
}
