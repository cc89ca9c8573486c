//! Domain errors. They carry typed data only: each face renders them with its own status
//! codes and message texts. An internal error carries, for the log, what was being done.

use super::quotas::Quota;
use crate::domain::{Kind, TextProblem};
use crate::store::{StoreError, UniqueKey};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{kind:?} {id} not found")]
    NotFound { kind: Kind, id: String },
    #[error("forbidden: {0:?}")]
    Forbidden(Forbidden),
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    #[error("invalid: {0:?}")]
    Invalid(Invalid),
    #[error("unauthorized: {0:?}")]
    Unauthorized(Unauthorized),
    /// Too many failed sign-ins for an account or from an address: wait and retry.
    #[error("throttled for {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    /// The server is at its limit of costly work (password hashing): retry later.
    #[error("busy: retry in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    /// A template's stored graphs could not be copied into a new project.
    #[error("template {template} could not be generated")]
    TemplateGeneration { template: String },
    /// A store, sealing or task failure, with the context of what was being done (never a
    /// secret). Store errors reach it through `anyhow::Context`, which names the step.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forbidden {
    /// The record lies outside the actor's organization subtree, or the action needs a role
    /// the actor does not have. `kind` names what the actor tried to act on.
    OutsideScope {
        kind: Kind,
        id: String,
    },
    OwnOrganization {
        id: String,
    },
    OwnUser {
        id: String,
    },
    NotAnOwner {
        user: String,
    },
    NoSecretKey {
        user: String,
    },
    TemplateNotAllowed {
        template: String,
        org: String,
        /// The caller can see the template (it is in the caller's subtree, or a global
        /// template of one of its ancestors). When not, a face may answer as if it did not
        /// exist, as it does for any record out of reach.
        within_reach: bool,
    },
    /// Only partner users create organizations through Surfsight.
    NotAPartner,
    /// The action is about the actor's own user, and the actor has none (an organization
    /// admin token).
    NoUser,
    /// The user holds a right the actor does not (the partner flag), or is an Owner of the
    /// actor's own organization (see `Actor::administer_user`).
    UserOutOfReach {
        id: String,
    },
    /// The tenant (root organization's tree) holds as many of these as its quota allows.
    QuotaExceeded {
        quota: Quota,
        limit: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    OrganizationName {
        name: String,
    },
    Email {
        email: String,
    },
    HasChildOrganizations {
        id: String,
    },
    MoveIntoOwnSubtree {
        id: String,
        parent: String,
    },
    AlreadyRegistered {
        what: Registration,
        value: String,
    },
    /// idOS: a company setting of this section and property exists already.
    IdosSetting {
        section: String,
        property: String,
    },
    /// idOS: the credential is subscribed to this category already.
    IdosSubscription {
        category: String,
    },
    /// The record is no longer what the caller expected (`service::Expect`, the native API's
    /// `If-Match`): it changed since the caller read it.
    ChangedSinceRead {
        kind: Kind,
        id: String,
    },
}

/// What a Cloud Conformity organisation registers once: its accounts' Azure subscriptions and
/// GCP projects, its Azure active directories and GCP service accounts. `value` is already
/// registered as `what` in the organisation: `Conflict::AlreadyRegistered`; `value` names no
/// `what` of the organisation: `Invalid::NotRegistered`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// An account of the organisation (a user's access list names accounts).
    Account,
    AzureSubscription,
    GcpProject,
    ActiveDirectory,
    GcpServiceAccount,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// A hook's setting (operator commands only): the field and what it must be.
    Hook {
        field: &'static str,
        reason: String,
    },
    Email {
        value: String,
    },
    Role {
        value: String,
    },
    ConnectionType {
        value: String,
    },
    /// A field of the request that breaks its rule.
    Field {
        field: &'static str,
        rule: FieldRule,
    },
    RoleArn {
        value: String,
    },
    /// Not an external ID of the organisation, or a temporary one that has expired.
    ExternalId {
        value: String,
    },
    SsoClaim {
        claim: &'static str,
        problem: ClaimProblem,
    },
    /// Cloud Conformity: `value` names no `what` registered in the organisation (an unknown
    /// active directory, GCP service account, or account of an access list).
    NotRegistered {
        what: Registration,
        value: String,
    },
    /// Cloud Conformity: a rule setting's `provider` is not the cloud of its account.
    RuleProvider {
        rule: String,
        provider: String,
    },
    /// Cloud Conformity: Bot settings with `disabledRegions` for an account outside AWS.
    DisabledRegionsOutsideAws,
    /// A bulk request with more items than a request may carry.
    TooManyItems {
        max: usize,
    },
    /// A text that breaks the text rules (`domain::text`): blank, too long, or holding a
    /// control or bidi character.
    Text {
        field: TextField,
        problem: TextProblem,
    },
    /// A list with more than `max` items.
    TooMany {
        field: TextField,
        max: usize,
    },
    /// What only the idOS face checks.
    Idos(IdosInvalid),
}

/// The text fields of requests, for faces to name (and point at) in their own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// The name of the record the request is about (organization, user, project, account,
    /// template).
    Name,
    /// `orghub bootstrap --owner-name`.
    OwnerName,
    Email,
    Description,
    /// A Cloud Conformity account's `environment`.
    Environment,
    /// A Cloud Conformity account's `tags`.
    Tags,
    /// A template's `type` (`orghub template import`).
    Type,
    /// A template connection's `name` (`orghub template import`).
    ConnectionName,
    /// A Cloud Conformity user's `firstName` and `lastName`.
    FirstName,
    LastName,
    /// A Cloud Conformity GCP organisation's `serviceAccountName`.
    ServiceAccountName,
    /// A Cloud Conformity GCP account's `access.projectName`.
    ProjectName,
    /// The `note` of a Cloud Conformity rule setting.
    Note,
    /// A hook's `url` (idOS).
    Url,
    /// The `value` of an idOS company setting.
    Value,
}

/// An idOS request that breaks one of idOS's own rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdosInvalid {
    /// A field the action needs is absent.
    Missing { field: &'static str },
    /// A name with control characters.
    NotPrintable { field: &'static str },
    /// Not 1 to `max` printable characters.
    Word { field: &'static str, max: usize },
    /// Not an absolute http or https URL with a host.
    Url { value: String },
    /// A hook trigger that names no event type of the catalog (nor an idOS alias of one).
    Trigger { value: String },
    /// Not one of idOS's member roles.
    Role { value: String },
    /// An invitation's expiry day not `min` to `max` days from today.
    ExpiryDay { min: i64, max: i64 },
    /// A widget type idOS does not have.
    WidgetType { value: String },
    /// A subscription category that is not `[a-zA-Z0-9_.-]+` of at most 100 characters.
    CategorySlug { value: String },
    /// The hook's URL did not pass the handshake (`GET url` answered 204).
    Handshake(HandshakeFailure),
}

/// Why a hook's handshake failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeFailure {
    /// The URL answered with this status instead of 204 (a redirect too: none is followed).
    Status(u16),
    /// No answer within this many seconds.
    TimedOut { secs: u64 },
    /// The URL's address is loopback, private, link-local or reserved, and the operator has
    /// not allowed those (`--hooks-allow-private`).
    AddressRefused,
    /// No connection could be made.
    Unreachable,
}

/// What a field of a request must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldRule {
    /// Something other than spaces.
    NotEmpty,
    /// A string with something other than spaces.
    NonEmptyString,
    /// At least this many characters.
    MinChars(usize),
    /// At most this many characters.
    MaxChars(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimProblem {
    Missing,
    Malformed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unauthorized {
    TokenInvalid,
    HashMismatch,
    NonceReused,
    LoginTokenInvalid,
    /// An email and password that do not match (or no such user).
    BadCredentials,
    /// An API key that is unknown or revoked.
    ApiKeyInvalid,
    Sso(SsoRefusal),
    /// An idOS JWT (identity, credential or user token) refused.
    IdosToken(IdosTokenRefusal),
}

/// Why an idOS JWT was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdosTokenRefusal {
    /// Not three base64url JSON parts, or an `alg` that is not a string.
    Malformed,
    /// Longer than a token may be.
    TooLarge {
        max: usize,
    },
    /// Signed with another algorithm than HS256; carries the header's `alg`.
    Algorithm(String),
    /// No `iss`, or one that names no identity, enabled handler or credential.
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
    /// The key's user or company belongs to another region than this server's.
    Region,
}

/// Why a Surfsight SSO JWT was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoRefusal {
    /// Not three base64url JSON parts.
    Malformed,
    /// Signed with another algorithm than HS256 (or `none`); carries the header's `alg`.
    Algorithm(String),
    /// Not signed with the SSO secret of the organization it names. One refusal for a bad
    /// signature, an unknown organization and one without an SSO secret, so that an
    /// unauthenticated caller learns nothing of which organizations exist.
    Signature,
    /// Older than its 15 minutes.
    Expired,
    /// Dated further ahead than the clock skew allows.
    Future,
}

/// A password could not be hashed or checked: busy (the gate's wait ran out) or internal.
pub(crate) fn password_failure(
    error: crate::crypto::PasswordError,
    doing: &'static str,
) -> ServiceError {
    match error {
        crate::crypto::PasswordError::Busy(waited) => ServiceError::Busy {
            retry_after_secs: waited.as_secs().max(1),
        },
        crate::crypto::PasswordError::Failed(error) => ServiceError::Internal(error.context(doing)),
    }
}

// No `From<StoreError>` nor `From<SealError>`: each call says what it was doing, with
// `anyhow::Context`, and the `anyhow::Error` becomes `Internal`.

/// Maps a uniqueness violation to the conflict it means in the use case at hand; any other
/// store error is internal, in the context of `doing`.
pub(crate) fn on_unique(
    error: StoreError,
    key: UniqueKey,
    conflict: impl FnOnce() -> Conflict,
    doing: &'static str,
) -> ServiceError {
    match error {
        StoreError::Unique(k) if k == key => ServiceError::Conflict(conflict()),
        other => internal(other, doing),
    }
}

/// An error no client can mend, in the context of what was being done.
pub(crate) fn internal(
    error: impl std::error::Error + Send + Sync + 'static,
    doing: &'static str,
) -> ServiceError {
    ServiceError::Internal(anyhow::Error::new(error).context(doing))
}

pub type ServiceResult<T> = Result<T, ServiceError>;
