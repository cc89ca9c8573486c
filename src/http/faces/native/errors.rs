//! The native face's words for every domain error.
//!
//! A record outside the caller's reach is answered 404, as if it did not exist: a caller of
//! another tree learns nothing of which ids exist there.

use axum::http::StatusCode;

use super::problem::{ApiError, FieldError, pointer};
use crate::domain::{IdosKind, Kind, TextProblem};
use crate::service::{
    Conflict, FieldRule, Forbidden, IdosInvalid, Invalid, Quota, ServiceError, TextField,
    Unauthorized,
};

/// A record kind in the face's words.
pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Organization => "organization",
        Kind::ParentOrganization => "parent organization",
        Kind::User => "user",
        Kind::Project => "project",
        Kind::Template => "template",
        Kind::CloudAccount => "cloud account",
        Kind::ApiKey => "API key",
        Kind::ExternalId => "external id",
        Kind::Group => "group",
        Kind::GcpOrganisation => "GCP organisation",
        Kind::ActiveDirectory => "active directory",
        Kind::RuleSetting => "rule setting",
        Kind::Hook => "hook",
        Kind::Idos(IdosKind::Credential) => "idOS credential",
        Kind::Idos(IdosKind::Handler) => "idOS handler",
        Kind::Idos(IdosKind::Identity) => "identity key",
        Kind::Idos(_) => "idOS record",
    }
}

/// The body member a text field is, in this face's bodies.
fn field_pointer(field: TextField) -> String {
    pointer(match field {
        TextField::Name | TextField::OwnerName | TextField::ConnectionName => "name",
        TextField::Email => "email",
        TextField::Description => "description",
        TextField::Environment => "environment",
        TextField::Tags => "tags",
        TextField::Type => "type",
        TextField::FirstName => "firstName",
        TextField::LastName => "lastName",
        TextField::ServiceAccountName => "serviceAccountName",
        TextField::ProjectName => "projectName",
        TextField::Note => "note",
        TextField::Url => "url",
        TextField::Value => "value",
    })
}

fn text_rule(problem: TextProblem) -> String {
    match problem {
        TextProblem::Blank => "must not be blank".to_owned(),
        TextProblem::TooLong { max } => format!("must be at most {max} characters"),
        TextProblem::ForbiddenCharacter => {
            "must not contain control characters or bidirectional overrides".to_owned()
        }
    }
}

fn quota_items(quota: Quota) -> &'static str {
    match quota {
        Quota::Organizations => "organizations",
        Quota::Users => "users",
        Quota::ApiKeys => "API keys",
        Quota::Hooks => "hooks",
    }
}

fn not_found(kind: Kind, id: &str) -> ApiError {
    // idOS records are named by their public key here.
    let named = if matches!(kind, Kind::Idos(_)) {
        "public key"
    } else {
        "id"
    };
    ApiError::not_found(format!("No {} with {named} '{id}'", kind_name(kind)))
}

fn forbidden(detail: impl Into<String>) -> ApiError {
    ApiError::status(StatusCode::FORBIDDEN, detail)
}

fn conflict(kind: &str, title: &str, detail: impl Into<String>) -> ApiError {
    ApiError::typed(StatusCode::CONFLICT, kind, title, detail)
}

fn invalid(pointer: String, detail: impl Into<String>) -> ApiError {
    ApiError::invalid(vec![FieldError::at(pointer, detail)])
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound { kind, id } => not_found(kind, &id),
            ServiceError::Forbidden(refusal) => match refusal {
                Forbidden::OutsideScope { kind, id } => not_found(kind, &id),
                Forbidden::OwnOrganization { id } => forbidden(format!(
                    "Organization '{id}' is the caller's own organization"
                )),
                Forbidden::OwnUser { id } => forbidden(format!("User '{id}' is the caller itself")),
                Forbidden::NotAnOwner { user } => {
                    forbidden(format!("User '{user}' is not an Owner"))
                }
                Forbidden::NoSecretKey { user } => {
                    forbidden(format!("User '{user}' has no secret key"))
                }
                // One the caller cannot see is told apart from a missing one by nothing.
                Forbidden::TemplateNotAllowed {
                    template,
                    within_reach: false,
                    ..
                } => not_found(Kind::Template, &template),
                Forbidden::TemplateNotAllowed { template, org, .. } => forbidden(format!(
                    "Template '{template}' may not be used in organization '{org}'"
                )),
                Forbidden::NotAPartner => {
                    forbidden("Only partner users may create organizations this way")
                }
                Forbidden::NoUser => forbidden("The credential does not belong to a user"),
                Forbidden::UserOutOfReach { id } => forbidden(format!(
                    "User '{id}' is beyond the caller's reach: a fellow Owner, or a partner"
                )),
                Forbidden::QuotaExceeded { quota, limit } => forbidden(format!(
                    "The organization tree has reached its limit of {limit} {}",
                    quota_items(quota)
                )),
            },
            ServiceError::Conflict(clash) => match clash {
                Conflict::OrganizationName { name } => conflict(
                    "name-taken",
                    "Name already in use",
                    format!("The name '{name}' is already in use by another organization"),
                ),
                Conflict::Email { email } => conflict(
                    "email-taken",
                    "Email already in use",
                    format!("The email '{email}' is already in use by another user"),
                ),
                Conflict::HasChildOrganizations { id } => conflict(
                    "has-children",
                    "Organization has children",
                    format!(
                        "Organization '{id}' has child organizations: delete them first, or pass cascade=true"
                    ),
                ),
                Conflict::MoveIntoOwnSubtree { id, parent } => conflict(
                    "move-into-own-subtree",
                    "Move into own subtree",
                    format!(
                        "Organization '{id}' cannot be moved under its own descendant '{parent}'"
                    ),
                ),
                Conflict::AlreadyRegistered { value, .. } => conflict(
                    "already-registered",
                    "Already registered",
                    format!("'{value}' is already registered"),
                ),
                Conflict::IdosSetting { .. } | Conflict::IdosSubscription { .. } => conflict(
                    "already-exists",
                    "Already exists",
                    "The record already exists",
                ),
                Conflict::ChangedSinceRead { .. } => super::etag::precondition_failed(),
            },
            ServiceError::Invalid(problem) => match problem {
                Invalid::Email { value } => invalid(
                    pointer("email"),
                    format!("'{value}' is not an email address"),
                ),
                Invalid::Role { value } => invalid(
                    pointer("role"),
                    format!("'{value}' is not a role: Owner or Member"),
                ),
                Invalid::ConnectionType { value } => invalid(
                    pointer("type"),
                    format!("'{value}' is not a connection type"),
                ),
                Invalid::Field { field, rule } => invalid(
                    pointer(field),
                    match rule {
                        FieldRule::NotEmpty => "must not be empty".to_owned(),
                        FieldRule::NonEmptyString => "must be a non-empty string".to_owned(),
                        FieldRule::MinChars(n) => format!("must be at least {n} characters"),
                        FieldRule::MaxChars(n) => format!("must be at most {n} characters"),
                    },
                ),
                // The operator's option names; this face's bodies are camelCase.
                Invalid::Hook { field, reason } => invalid(
                    pointer(if field == "max-in-flight" {
                        "maxInFlight"
                    } else {
                        field
                    }),
                    reason,
                ),
                Invalid::Text { field, problem } => {
                    invalid(field_pointer(field), text_rule(problem))
                }
                Invalid::TooMany { field, max } => invalid(
                    field_pointer(field),
                    format!("must have at most {max} items"),
                ),
                Invalid::TooManyItems { max } => {
                    invalid(String::new(), format!("must have at most {max} items"))
                }
                Invalid::RoleArn { value } => {
                    invalid(pointer("roleArn"), format!("'{value}' is not a role ARN"))
                }
                Invalid::ExternalId { value } => invalid(
                    pointer("externalId"),
                    format!("'{value}' is not a current external id of the organization"),
                ),
                Invalid::SsoClaim { claim, .. } => {
                    invalid(pointer(claim), "is missing or malformed")
                }
                Invalid::NotRegistered { value, .. } => {
                    invalid(String::new(), format!("'{value}' is not registered"))
                }
                Invalid::RuleProvider { provider, .. } => invalid(
                    pointer("provider"),
                    format!("'{provider}' is not the account's cloud"),
                ),
                Invalid::DisabledRegionsOutsideAws => {
                    invalid(pointer("disabledRegions"), "applies only to AWS accounts")
                }
                Invalid::Idos(IdosInvalid::NotPrintable { field }) => {
                    invalid(pointer(field), "must not contain control characters")
                }
                Invalid::Idos(_) => invalid(String::new(), "is not valid"),
            },
            ServiceError::Unauthorized(refusal) => ApiError::unauthorized(
                match refusal {
                    Unauthorized::BadCredentials => "The email and password do not match",
                    Unauthorized::TokenInvalid
                    | Unauthorized::ApiKeyInvalid
                    | Unauthorized::HashMismatch
                    | Unauthorized::NonceReused
                    | Unauthorized::LoginTokenInvalid
                    | Unauthorized::Sso(_)
                    | Unauthorized::IdosToken(_) => {
                        "The bearer credential is unknown, expired or revoked"
                    }
                },
                true,
            ),
            ServiceError::Throttled { retry_after_secs } => ApiError::status(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many requests: retry in {retry_after_secs} seconds"),
            )
            .retry_later(retry_after_secs),
            ServiceError::Busy { retry_after_secs } => ApiError::status(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("The server is busy: retry in {retry_after_secs} seconds"),
            )
            .retry_later(retry_after_secs),
            ServiceError::TemplateGeneration { template } => ApiError::status(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("A project could not be generated from template '{template}'"),
            ),
            ServiceError::Internal(error) => ApiError::internal(error),
        }
    }
}
