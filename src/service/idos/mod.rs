//! The idOS use cases: companies (organizations by slug), identities, handlers, credentials,
//! hooks, members, invitations, settings, widgets, subscriptions and company profiles.
//!
//! Authorization is orghub's one policy (`Actor::authorize`): an identity acts as its orghub
//! user, on its organization's subtree; routes the idOS server opens to reviewers read
//! (`Access::Read`), every other route administers (`Access::Administer`, an Owner).

mod auth;
mod companies;
mod credentials;
mod hooks;
mod members;
mod settings;

pub use auth::{
    IdentityKeys, IdosCaller, IdosTokenKind, MAX_TOKEN_BYTES, TokenCheck, unverified_issuer,
};
pub use companies::{Company, CompanyWindow};
pub use credentials::{Credential, Handler, HandlerChanges, NewHandler};
pub use hooks::{Hook, HookInput, TRIGGER_CATALOG, canonical_trigger};
pub use members::{IdosRole, Invitation, Member, NewInvitation};
pub use settings::{Profile, Setting, Subscription, WIDGET_TYPES, Widget, WidgetInput};

use super::Services;
use super::actor::{Access, Actor};
use super::error::{Forbidden, ServiceError};
use crate::domain::Kind;
use crate::store::{CompanyRow, CredentialRow, Exec};

/// What an idOS use case can name as missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdosKind {
    Company,
    Credential,
    Handler,
    Hook,
    Member,
    Membership,
    Invitation,
    Setting,
    Widget,
    Subscription,
    Profile,
    User,
}

/// Why an idOS JWT was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRefusal {
    /// Not three base64url JSON parts, or over the size limit.
    Malformed,
    TooLarge,
    /// Signed with another algorithm than HS256; carries the header's `alg`.
    Algorithm(String),
    /// No `iss`, or one that names no identity / handler / credential.
    UnknownIssuer,
    Signature,
    Expired,
    /// `aud` present and not this API.
    Audience,
    /// An identity token with a `sub`.
    SubjectNotAllowed,
    MissingSubject,
    /// A credential token whose `sub` names no credential, or a user token whose `sub` is
    /// not `[a-zA-Z0-9_-]+`.
    InvalidSubject,
}

/// The errors of the idOS use cases: orghub's domain errors, plus what only idOS has.
#[derive(Debug, thiserror::Error)]
pub enum IdosError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("{0:?} {1} not found")]
    NotFound(IdosKind, String),
    #[error("invalid {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("token refused: {0:?}")]
    Token(TokenRefusal),
    #[error("conflict: {0}")]
    Conflict(String),
    /// The hook's URL did not answer the handshake (`GET url` → 204).
    #[error("hook handshake failed: {0}")]
    Handshake(String),
}

impl From<crate::store::StoreError> for IdosError {
    fn from(error: crate::store::StoreError) -> Self {
        Self::Service(error.into())
    }
}

impl From<crate::crypto::SealError> for IdosError {
    fn from(error: crate::crypto::SealError) -> Self {
        Self::Service(error.into())
    }
}

pub type IdosResult<T> = Result<T, IdosError>;

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> IdosError {
    IdosError::Invalid {
        field,
        message: message.into(),
    }
}

pub(crate) fn not_found(kind: IdosKind, id: impl ToString) -> IdosError {
    IdosError::NotFound(kind, id.to_string())
}

/// Unix seconds from orghub's milliseconds: idOS speaks seconds.
pub fn seconds(millis: i64) -> i64 {
    millis.div_euclid(1000)
}

/// A new 32-hex-character key (128 random bits).
pub(crate) fn new_key() -> String {
    hex::encode(crate::crypto::random_bytes(16))
}

/// The company `slug`, when the actor may act on it with `access`.
pub(crate) async fn company_for(
    exec: Exec<'_>,
    actor: &Actor,
    slug: &str,
    access: Access,
) -> IdosResult<CompanyRow> {
    let company = exec
        .company_by_slug(slug)
        .await?
        .ok_or_else(|| not_found(IdosKind::Company, slug))?;
    actor.authorize(
        access,
        &company.path(),
        Kind::Organization,
        &company.public_id,
    )?;
    Ok(company)
}

/// The credential `public_key` of `company`; another company's credential is not found.
pub(crate) async fn credential_of(
    exec: Exec<'_>,
    company: &CompanyRow,
    public_key: &str,
) -> IdosResult<CredentialRow> {
    exec.credential_by_public_key(public_key)
        .await?
        .filter(|credential| credential.org_id == company.id)
        .ok_or_else(|| not_found(IdosKind::Credential, public_key))
}

/// A refusal for an action the actor's role does not allow on its own subtree.
pub(crate) fn forbidden(company: &CompanyRow) -> IdosError {
    IdosError::Service(ServiceError::Forbidden(Forbidden::OutsideScope {
        kind: Kind::Organization,
        id: company.public_id.clone(),
    }))
}

impl Services {
    /// The store, for the idOS use cases of this module's children.
    fn idos_read(&self) -> Exec<'_> {
        self.store.read()
    }
}
