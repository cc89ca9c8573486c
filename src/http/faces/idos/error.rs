//! The idOS error envelope, `{"status":false,"error":{"code","type","link","message"}}`, and
//! the face's words for every refusal.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::conventions::envelope::Envelope;
use crate::domain::events::EventType;
use crate::domain::{IdosKind, Kind, TextProblem};
use crate::http::kit::{BodyProblem, Face, Scheme, internal};
use crate::service::idos::WIDGET_TYPES;
use crate::service::{
    Conflict, FieldRule, Forbidden, HandshakeFailure, IdosInvalid, IdosTokenRefusal, Invalid,
    Quota, ServiceError, TextField, Unauthorized,
};

/// Where each error type is described, as the idOS blueprint links it.
const ERROR_LINKS: &str = "https://veridu.com/wiki/";

/// The idOS face, for the HTTP kit.
pub struct Idos;

pub const IDENTITY_TOKEN: Scheme = Scheme::Named("IdentityToken");
pub const CREDENTIAL_TOKEN: Scheme = Scheme::Named("CredentialToken");
pub const USER_TOKEN: Scheme = Scheme::Named("UserToken");

impl Face for Idos {
    type Error = IdosHttpError;

    const SCHEMES: &'static [Scheme] = &[IDENTITY_TOKEN, CREDENTIAL_TOKEN, USER_TOKEN];

    const QUERY_CREDENTIALS: &'static [(&'static str, Scheme)] = &[
        ("identityToken", IDENTITY_TOKEN),
        ("credentialToken", CREDENTIAL_TOKEN),
        ("token", CREDENTIAL_TOKEN),
        ("userToken", USER_TOKEN),
    ];

    fn body_refused(problem: BodyProblem) -> IdosHttpError {
        match problem {
            BodyProblem::TooLarge => IdosHttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "REQUEST_TOO_LARGE",
                "The request body is too large",
            ),
            BodyProblem::Unreadable => IdosHttpError::invalid("The request body could not be read"),
            BodyProblem::Empty | BodyProblem::NotJson | BodyProblem::NotAnObject => {
                IdosHttpError::invalid(
                    "The request body must be a JSON object or application/x-www-form-urlencoded fields",
                )
            }
        }
    }

    /// Every route names the kinds it takes itself (`auth.rs`); this is the general word.
    fn credentials_missing() -> IdosHttpError {
        IdosHttpError::authorization_missing(&["Identity Token", "Credential Token", "User Token"])
    }

    fn invalid_id(param: &str, value: &str) -> IdosHttpError {
        IdosHttpError::invalid(format!("'{value}' is not a valid {param}"))
    }

    fn route_not_found() -> IdosHttpError {
        IdosHttpError::new(StatusCode::NOT_FOUND, "ROUTE_NOT_FOUND", "Route not found")
    }

    fn method_not_allowed() -> IdosHttpError {
        IdosHttpError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "Method not allowed for this route",
        )
    }

    fn timed_out() -> IdosHttpError {
        IdosHttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "REQUEST_TIMEOUT",
            "The request took too long",
        )
    }
}

/// An idOS error answer.
#[derive(Debug)]
pub struct IdosHttpError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub message: String,
    /// For the log only (see `kit::internal`).
    internal: Option<anyhow::Error>,
}

pub type IdosReply = Result<Response, IdosHttpError>;

impl IdosHttpError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            message: message.into(),
            internal: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message)
    }

    pub fn authorization_missing(valid: &[&str]) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "AUTHORIZATION_MISSING",
            format!(
                "Authorization details missing. Valid Authorization: {}",
                valid.join(", ")
            ),
        )
    }

    pub fn internal(error: anyhow::Error) -> Self {
        Self {
            internal: Some(error),
            ..Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "APPLICATION_ERROR",
                "Internal Application Error",
            )
        }
    }

    /// The error envelope.
    pub fn envelope(&self) -> serde_json::Value {
        json!({
            "status": false,
            "error": {
                "code": self.status.as_u16(),
                "type": self.kind,
                "link": format!("{ERROR_LINKS}{}", self.kind),
                "message": self.message,
            }
        })
    }
}

impl IntoResponse for IdosHttpError {
    fn into_response(self) -> Response {
        let response = Envelope::new(self.status, self.envelope()).into_response();
        match self.internal {
            Some(error) => internal::report(response, error),
            None => response,
        }
    }
}

/// The name of what is missing, as idOS words it.
fn kind_name(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Organization | Kind::ParentOrganization => "Company",
        Kind::User => "Member",
        Kind::Hook => "Hook",
        Kind::Idos(kind) => match kind {
            IdosKind::Identity => "Identity",
            IdosKind::Credential => "Credential",
            IdosKind::Handler => "Handler",
            IdosKind::Invitation => "Invitation",
            IdosKind::Membership => "Membership",
            IdosKind::Setting => "Setting",
            IdosKind::Widget => "Widget",
            IdosKind::Subscription => "Subscription",
            IdosKind::Profile => "Profile",
        },
        Kind::Project
        | Kind::Template
        | Kind::CloudAccount
        | Kind::ApiKey
        | Kind::ExternalId
        | Kind::Group
        | Kind::GcpOrganisation
        | Kind::ActiveDirectory
        | Kind::RuleSetting => return None,
    })
}

fn token_message(refusal: IdosTokenRefusal) -> String {
    match refusal {
        IdosTokenRefusal::Malformed => "Invalid Token".into(),
        IdosTokenRefusal::TooLarge { max } => {
            format!("Invalid Token: a token is at most {max} bytes")
        }
        IdosTokenRefusal::Algorithm(alg) => {
            format!("Invalid Token: tokens are signed with HS256, not {alg}")
        }
        IdosTokenRefusal::UnknownIssuer => {
            "Invalid Token: its issuer (iss) is not a known public key".into()
        }
        IdosTokenRefusal::Signature => "Token Verification Failed".into(),
        IdosTokenRefusal::Expired => "Token Expired".into(),
        IdosTokenRefusal::Audience => {
            "Token Validation Failed: the audience (aud) is not this API".into()
        }
        IdosTokenRefusal::SubjectNotAllowed => {
            "Invalid Token Format: Identity Token must not have a subject claim.".into()
        }
        IdosTokenRefusal::MissingSubject => "Missing Subject Claim".into(),
        IdosTokenRefusal::InvalidSubject => "Invalid Subject Claim".into(),
        IdosTokenRefusal::Region => {
            "Invalid Token: its key belongs to another region than this server's".into()
        }
    }
}

fn handshake_message(failure: HandshakeFailure) -> String {
    let reason = match failure {
        HandshakeFailure::Status(status) => {
            format!("the URL answered {status} instead of 204 No Content")
        }
        HandshakeFailure::TimedOut { secs } => {
            format!("the URL did not answer within {secs} seconds")
        }
        HandshakeFailure::AddressRefused => {
            "the URL's address is not public (loopback, private, link-local or reserved)".into()
        }
        HandshakeFailure::Unreachable => "the URL could not be reached".into(),
    };
    format!("Failed to perform hook handshake: {reason}")
}

fn idos_invalid(invalid: IdosInvalid) -> IdosHttpError {
    let message = match invalid {
        IdosInvalid::Missing { field } => format!("{field} is required"),
        IdosInvalid::NotPrintable { field } => format!("{field} must be printable"),
        IdosInvalid::Word { field, max } => {
            format!("{field} must be a string of 1 to {max} printable characters")
        }
        IdosInvalid::Url { value } => format!("'{value}' is not an http or https URL"),
        IdosInvalid::Trigger { value } => {
            let catalog: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
            format!(
                "'{value}' is not an event type; one of: {}",
                catalog.join(", ")
            )
        }
        IdosInvalid::Role { value } => {
            format!("'{value}' is not a role: company.owner, company.admin or company.reviewer")
        }
        IdosInvalid::ExpiryDay { min, max } => {
            format!("Invalid expiration date. Min: {min} day, Max: {max} days from today")
        }
        IdosInvalid::WidgetType { .. } => {
            format!("type must be one of: {}", WIDGET_TYPES.join(", "))
        }
        IdosInvalid::CategorySlug { .. } => "categorySlug must be [a-zA-Z0-9_.-]+".into(),
        IdosInvalid::Handshake(failure) => {
            return IdosHttpError::new(
                StatusCode::BAD_REQUEST,
                "HOOK_HANDSHAKE_FAILED",
                handshake_message(failure),
            );
        }
    };
    IdosHttpError::invalid(message)
}

/// A text field under the name an idOS client knows it by.
fn text_field(field: TextField) -> &'static str {
    match field {
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
        TextField::Value => "value",
        TextField::Url => "url",
    }
}

/// orghub's other rules, in idOS's words (the idOS routes reach few of them).
fn invalid(invalid: Invalid) -> IdosHttpError {
    match invalid {
        Invalid::Idos(invalid) => idos_invalid(invalid),
        Invalid::Email { value } => {
            IdosHttpError::invalid(format!("'{value}' is not a valid email address"))
        }
        Invalid::Field { field, rule } => IdosHttpError::invalid(match rule {
            FieldRule::NotEmpty | FieldRule::NonEmptyString => {
                format!("{field} must be a non-empty string")
            }
            FieldRule::MinChars(n) => format!("{field} must have at least {n} characters"),
            FieldRule::MaxChars(n) => format!("{field} must have at most {n} characters"),
        }),
        Invalid::Role { value } => IdosHttpError::invalid(format!("'{value}' is not a role")),
        Invalid::TooManyItems { max } => {
            IdosHttpError::invalid(format!("A request may carry at most {max} items"))
        }
        Invalid::Hook { field, reason } => IdosHttpError::invalid(format!("{field} {reason}")),
        Invalid::Text { field, problem } => IdosHttpError::invalid(match problem {
            TextProblem::Blank => format!("{} must not be blank", text_field(field)),
            TextProblem::TooLong { max } => {
                format!("{} must have at most {max} characters", text_field(field))
            }
            TextProblem::ForbiddenCharacter => format!(
                "{} must not contain control characters or bidirectional overrides",
                text_field(field)
            ),
        }),
        Invalid::TooMany { field, max } => IdosHttpError::invalid(format!(
            "{} must have at most {max} items",
            text_field(field)
        )),
        Invalid::ConnectionType { .. }
        | Invalid::RoleArn { .. }
        | Invalid::ExternalId { .. }
        | Invalid::SsoClaim { .. }
        | Invalid::NotRegistered { .. }
        | Invalid::RuleProvider { .. }
        | Invalid::DisabledRegionsOutsideAws => IdosHttpError::invalid("The request is not valid"),
    }
}

impl From<ServiceError> for IdosHttpError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound { kind, id } => Self::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                match kind_name(kind) {
                    Some(name) => format!("{name} {id} not found"),
                    None => format!("{id} not found"),
                },
            ),
            ServiceError::Forbidden(Forbidden::OwnOrganization { .. }) => Self::new(
                StatusCode::FORBIDDEN,
                "NOT_ALLOWED",
                "A company cannot delete itself: delete it from its parent company",
            ),
            ServiceError::Forbidden(Forbidden::OwnUser { .. }) => Self::new(
                StatusCode::FORBIDDEN,
                "NOT_ALLOWED",
                "A member cannot remove itself",
            ),
            ServiceError::Forbidden(Forbidden::UserOutOfReach { .. }) => Self::new(
                StatusCode::FORBIDDEN,
                "NOT_ALLOWED",
                "Not Allowed: the member is an owner of the caller's company or above it, or \
                 holds a right the caller does not",
            ),
            ServiceError::Forbidden(Forbidden::QuotaExceeded { quota, limit }) => Self::new(
                StatusCode::FORBIDDEN,
                "NOT_ALLOWED",
                format!(
                    "Not Allowed: the company tree has reached its limit of {limit} {}",
                    match quota {
                        Quota::Organizations => "companies",
                        Quota::Users => "members",
                        Quota::ApiKeys => "API keys",
                        Quota::Hooks => "hooks",
                    }
                ),
            ),
            ServiceError::Forbidden(_) => Self::new(
                StatusCode::FORBIDDEN,
                "NOT_ALLOWED",
                "Not Allowed: the credential does not allow this action on this company",
            ),
            ServiceError::Conflict(conflict) => Self::new(
                StatusCode::CONFLICT,
                "CONFLICT",
                match conflict {
                    Conflict::OrganizationName { name } => {
                        format!("A company named '{name}' already exists")
                    }
                    Conflict::Email { email } => format!("The email '{email}' is already in use"),
                    Conflict::HasChildOrganizations { .. } => {
                        "The company has child companies: delete them first".into()
                    }
                    Conflict::MoveIntoOwnSubtree { .. } => {
                        "A company cannot move below itself".into()
                    }
                    Conflict::AlreadyRegistered { value, .. } => {
                        format!("'{value}' is already in use")
                    }
                    Conflict::IdosSetting { section, property } => {
                        format!("The setting {section}/{property} already exists")
                    }
                    Conflict::IdosSubscription { category } => {
                        format!("The credential is subscribed to {category} already")
                    }
                    Conflict::ChangedSinceRead { .. } => {
                        "The record has changed since it was read".into()
                    }
                },
            ),
            ServiceError::Invalid(problem) => invalid(problem),
            ServiceError::Unauthorized(Unauthorized::IdosToken(IdosTokenRefusal::Expired)) => {
                Self::new(
                    StatusCode::BAD_REQUEST,
                    "TOKEN_EXPIRED",
                    token_message(IdosTokenRefusal::Expired),
                )
            }
            ServiceError::Unauthorized(Unauthorized::IdosToken(refusal)) => Self::new(
                StatusCode::BAD_REQUEST,
                "INVALID_TOKEN",
                token_message(refusal),
            ),
            ServiceError::Unauthorized(_) => {
                Self::new(StatusCode::BAD_REQUEST, "INVALID_TOKEN", "Invalid Token")
            }
            ServiceError::Throttled { retry_after_secs } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMIT_EXCEEDED",
                format!("Too Many Requests: retry in {retry_after_secs} seconds"),
            ),
            ServiceError::Busy { retry_after_secs } => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE_BUSY",
                format!("The server is busy: retry in {retry_after_secs} seconds"),
            ),
            ServiceError::Internal(error) => Self::internal(error),
            ServiceError::TemplateGeneration { template } => Self::internal(anyhow::anyhow!(
                "template {template} could not be generated"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(error: IdosHttpError) -> (u16, serde_json::Value) {
        (error.status.as_u16(), error.envelope())
    }

    fn envelope(code: u16, kind: &str, message: &str) -> serde_json::Value {
        json!({"status": false, "error": {
            "code": code, "type": kind, "link": format!("{ERROR_LINKS}{kind}"), "message": message}})
    }

    /// The kit's refusals that the integration tests cannot reach cheaply (a 30-second
    /// request, a body that cannot be read).
    #[test]
    fn the_kit_s_refusals_in_idos_words() {
        assert_eq!(
            words(Idos::timed_out()),
            (
                503,
                envelope(503, "REQUEST_TIMEOUT", "The request took too long")
            )
        );
        assert_eq!(
            words(Idos::body_refused(BodyProblem::Unreadable)),
            (
                400,
                envelope(
                    400,
                    "VALIDATION_ERROR",
                    "The request body could not be read"
                )
            )
        );
        assert_eq!(
            words(
                ServiceError::Busy {
                    retry_after_secs: 2
                }
                .into()
            ),
            (
                503,
                envelope(
                    503,
                    "SERVICE_BUSY",
                    "The server is busy: retry in 2 seconds"
                )
            )
        );
    }
}
