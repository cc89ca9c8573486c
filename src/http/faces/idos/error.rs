//! The idOS error envelope, `{"status":false,"error":{"code","type","link","message"}}`, and
//! the face's words for every refusal.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::conventions::envelope::Envelope;
use crate::http::kit::{BodyProblem, Face, Scheme, internal};
use crate::service::idos::{IdosError, IdosKind, TokenRefusal};
use crate::service::{Conflict, Forbidden, Invalid, ServiceError};

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

fn kind_name(kind: IdosKind) -> &'static str {
    match kind {
        IdosKind::Company => "Company",
        IdosKind::Credential => "Credential",
        IdosKind::Handler => "Handler",
        IdosKind::Hook => "Hook",
        IdosKind::Member => "Member",
        IdosKind::Membership => "Membership",
        IdosKind::Invitation => "Invitation",
        IdosKind::Setting => "Setting",
        IdosKind::Widget => "Widget",
        IdosKind::Subscription => "Subscription",
        IdosKind::Profile => "Profile",
        IdosKind::User => "User",
    }
}

fn token_message(refusal: TokenRefusal) -> String {
    match refusal {
        TokenRefusal::Malformed => "Invalid Token".into(),
        TokenRefusal::TooLarge => "Invalid Token: a token is at most 8192 bytes".into(),
        TokenRefusal::Algorithm(alg) => {
            format!("Invalid Token: tokens are signed with HS256, not {alg}")
        }
        TokenRefusal::UnknownIssuer => {
            "Invalid Token: its issuer (iss) is not a known public key".into()
        }
        TokenRefusal::Signature => "Token Verification Failed".into(),
        TokenRefusal::Expired => "Token Expired".into(),
        TokenRefusal::Audience => {
            "Token Validation Failed: the audience (aud) is not this API".into()
        }
        TokenRefusal::SubjectNotAllowed => {
            "Invalid Token Format: Identity Token must not have a subject claim.".into()
        }
        TokenRefusal::MissingSubject => "Missing Subject Claim".into(),
        TokenRefusal::InvalidSubject => "Invalid Subject Claim".into(),
    }
}

impl From<IdosError> for IdosHttpError {
    fn from(error: IdosError) -> Self {
        match error {
            IdosError::Service(error) => error.into(),
            IdosError::NotFound(kind, id) => Self::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("{} {id} not found", kind_name(kind)),
            ),
            IdosError::Invalid { message, .. } => Self::invalid(message),
            IdosError::Token(TokenRefusal::Expired) => Self::new(
                StatusCode::BAD_REQUEST,
                "TOKEN_EXPIRED",
                token_message(TokenRefusal::Expired),
            ),
            IdosError::Token(refusal) => Self::new(
                StatusCode::BAD_REQUEST,
                "INVALID_TOKEN",
                token_message(refusal),
            ),
            IdosError::Conflict(message) => Self::new(StatusCode::CONFLICT, "CONFLICT", message),
            IdosError::Handshake(message) => Self::new(
                StatusCode::BAD_REQUEST,
                "HOOK_HANDSHAKE_FAILED",
                format!("Failed to perform hook handshake: {message}"),
            ),
        }
    }
}

impl From<ServiceError> for IdosHttpError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound { id, .. } => Self::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("{id} not found"),
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
                },
            ),
            ServiceError::Invalid(invalid) => Self::invalid(match invalid {
                Invalid::Email { value } => format!("'{value}' is not a valid email address"),
                Invalid::Field { field, reason } => format!("{field} {reason}"),
                Invalid::Role { value } => format!("'{value}' is not a role"),
                _ => "The request is not valid".into(),
            }),
            ServiceError::Unauthorized(_) => {
                Self::new(StatusCode::BAD_REQUEST, "INVALID_TOKEN", "Invalid Token")
            }
            ServiceError::Throttled { retry_after_secs } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMIT_EXCEEDED",
                format!("Too Many Requests: retry in {retry_after_secs} seconds"),
            ),
            ServiceError::Internal(error) => Self::internal(error),
            ServiceError::TemplateGeneration { template } => Self::internal(anyhow::anyhow!(
                "template {template} could not be generated"
            )),
        }
    }
}
