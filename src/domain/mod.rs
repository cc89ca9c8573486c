//! Pure types and rules: no I/O, no wire formats. A value of these types is valid once built.

mod api_key_status;
pub mod aws;
pub mod conformity;
pub mod connection;
mod email;
pub mod events;
mod ids;
mod role;
pub mod slug;
pub mod text;
mod token_kind;
mod tree;

pub use api_key_status::ApiKeyStatus;
pub use email::{Email, EmailProblem, key_of as email_key_of};
pub use ids::PublicId;
pub use role::Role;
pub use text::{FreeText, Label, Name, TextProblem};
pub use token_kind::TokenKind;
pub use tree::OrgPath;

/// Milliseconds since the Unix epoch: the one time unit of the store and the wire formats.
pub type Millis = i64;

pub fn now_millis() -> Millis {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as Millis
}

/// The kinds of record a domain error can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Organization,
    ParentOrganization,
    User,
    Project,
    Template,
    CloudAccount,
    ApiKey,
    /// An organisation's singleton external ID (Cloud Conformity), before its first account.
    ExternalId,
    /// A Cloud Conformity group of accounts.
    Group,
    /// A Cloud Conformity GCP organisation (a service account).
    GcpOrganisation,
    /// A Cloud Conformity Azure active directory, by its directory id.
    ActiveDirectory,
    /// A configured rule setting of a Cloud Conformity account, by rule id.
    RuleSetting,
    /// A hook (an endpoint that receives events).
    Hook,
    /// A record only the idOS face has.
    Idos(IdosKind),
}

/// The records of the idOS face that are not orghub's own (a company is an organization, a
/// member a user, a hook a hook).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdosKind {
    /// A key pair of an orghub user, which signs its IdentityTokens.
    Identity,
    Credential,
    Handler,
    Invitation,
    /// The caller's own membership of a company.
    Membership,
    Setting,
    Widget,
    Subscription,
    /// An end user of a credential (a company profile).
    Profile,
}
