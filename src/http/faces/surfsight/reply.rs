//! Surfsight errors: `{"message": "…"}` with the HTTP status; 429 carries `Retry-After`.

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::domain::{Kind, TextProblem};
use crate::http::kit::{BodyProblem, Face, Scheme, internal};
use crate::service::{
    ClaimProblem, Conflict, FieldRule, Forbidden, Invalid, Quota, ServiceError, SsoRefusal,
    TextField, Unauthorized,
};

/// A text field as the Surfsight bodies name it.
fn field_name(field: TextField) -> &'static str {
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

/// The Surfsight face, for the HTTP kit: its error and its words for what the kit refuses.
pub struct Surfsight;

impl Face for Surfsight {
    type Error = SurfsightError;

    const SCHEMES: &'static [Scheme] = &[Scheme::Bearer];

    fn body_refused(problem: BodyProblem) -> SurfsightError {
        match problem {
            BodyProblem::TooLarge => SurfsightError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large",
            ),
            BodyProblem::Unreadable => {
                SurfsightError::bad_request("The request body could not be read")
            }
            BodyProblem::Empty | BodyProblem::NotJson | BodyProblem::NotAnObject => {
                SurfsightError::bad_request("The request body must be a JSON object")
            }
        }
    }

    fn credentials_missing() -> SurfsightError {
        SurfsightError::unauthorized("An Authorization header with a Bearer token is required")
    }

    fn invalid_id(_param: &str, value: &str) -> SurfsightError {
        SurfsightError::new(StatusCode::NOT_FOUND, format!("{value} was not found"))
    }

    fn route_not_found() -> SurfsightError {
        SurfsightError::new(StatusCode::NOT_FOUND, "Route not found")
    }

    fn method_not_allowed() -> SurfsightError {
        SurfsightError::new(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
    }

    fn timed_out() -> SurfsightError {
        SurfsightError::new(StatusCode::SERVICE_UNAVAILABLE, "The request timed out")
    }
}

#[derive(Debug)]
pub struct SurfsightError {
    status: StatusCode,
    message: String,
    retry_after_secs: Option<u64>,
    /// What went wrong inside, for the log only (see `kit::internal`).
    internal: Option<anyhow::Error>,
}

pub type SurfsightResult = Result<Response, SurfsightError>;

pub const TOKEN_INVALID: &str = "The token is invalid or has expired";

impl SurfsightError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after_secs: None,
            internal: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }
}

impl IntoResponse for SurfsightError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(json!({ "message": self.message }))).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        match self.internal {
            Some(error) => internal::report(response, error),
            None => response,
        }
    }
}

pub fn ok(body: Value) -> Response {
    (StatusCode::OK, Json(body)).into_response()
}

/// A required non-empty string field of a body.
pub fn required_text<'a>(
    object: &'a Map<String, Value>,
    field: &str,
) -> Result<&'a str, SurfsightError> {
    match object.get(field) {
        None | Some(Value::Null) => Err(SurfsightError::bad_request(format!(
            "\"{field}\" is required"
        ))),
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text),
        Some(_) => Err(SurfsightError::bad_request(format!(
            "\"{field}\" must be a non-empty string"
        ))),
    }
}

fn sso_refusal(reason: SsoRefusal) -> String {
    match reason {
        SsoRefusal::Malformed => "The JWT is malformed".into(),
        SsoRefusal::Algorithm(alg) => {
            format!("The JWT must be signed with HS256, not {alg}")
        }
        SsoRefusal::Signature => {
            "The JWT signature does not match the organization's SSO secret".into()
        }
        SsoRefusal::Expired => {
            "The JWT has expired: it is valid for 15 minutes from its timestamp".into()
        }
        SsoRefusal::Future => "The JWT timestamp is in the future".into(),
    }
}

fn bad_claim(claim: &str, problem: ClaimProblem) -> String {
    match (claim, problem) {
        ("timestamp", ClaimProblem::Missing) => {
            "The JWT has no timestamp claim (YYYY-MM-DDThh:mm:ss, UTC) and no iat claim".into()
        }
        ("timestamp", ClaimProblem::Malformed) => {
            "The JWT timestamp claim must be formatted YYYY-MM-DDThh:mm:ss (UTC)".into()
        }
        ("iat", _) => "The JWT iat claim must be a number of seconds since the epoch".into(),
        (claim, ClaimProblem::Missing) => format!("The JWT has no {claim} claim"),
        (claim, ClaimProblem::Malformed) => {
            format!("The JWT {claim} claim must be a positive integer")
        }
    }
}

/// Invalid input other than SSO claims: Surfsight routes only meet these through fields that
/// other faces also take, worded plainly.
fn invalid(invalid: Invalid) -> String {
    match invalid {
        Invalid::Email { value } => format!("'{value}' is not a valid email address"),
        Invalid::Role { value } => format!("'{value}' is not a role: Owner or Member"),
        Invalid::ConnectionType { value } => format!("'{value}' is not a connection type"),
        Invalid::Field { field, rule } => match rule {
            FieldRule::NotEmpty | FieldRule::NonEmptyString => {
                format!("\"{field}\" must be a non-empty string")
            }
            FieldRule::MinChars(n) => format!("\"{field}\" must have at least {n} characters"),
            FieldRule::MaxChars(n) => format!("\"{field}\" must have at most {n} characters"),
        },
        Invalid::RoleArn { value } => format!("'{value}' is not an IAM role ARN"),
        Invalid::Hook { field, reason } => format!("\"{field}\" {reason}"),
        Invalid::ExternalId { value } => format!("'{value}' is not a valid external ID"),
        Invalid::SsoClaim { claim, problem } => bad_claim(claim, problem),
        Invalid::TooManyItems { max } => format!("A request may carry at most {max} items"),
        Invalid::NotRegistered { value, .. } => format!("'{value}' is not valid"),
        Invalid::RuleProvider { provider, .. } => format!("'{provider}' is not a provider"),
        Invalid::DisabledRegionsOutsideAws => "Bot regions apply to AWS accounts only".into(),
        Invalid::Text { field, problem } => {
            let field = field_name(field);
            match problem {
                TextProblem::Blank => format!("\"{field}\" must not be blank"),
                TextProblem::TooLong { max } => {
                    format!("\"{field}\" must be at most {max} characters")
                }
                TextProblem::ForbiddenCharacter => format!(
                    "\"{field}\" must not contain control characters or bidirectional overrides"
                ),
            }
        }
        Invalid::TooMany { field, max } => {
            format!("\"{}\" must have at most {max} items", field_name(field))
        }
        Invalid::Idos(_) => "The request is not valid".into(),
    }
}

impl From<ServiceError> for SurfsightError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound { kind, id } => Self::new(
                StatusCode::NOT_FOUND,
                match kind {
                    Kind::Organization | Kind::ParentOrganization => {
                        format!("Organization {id} was not found")
                    }
                    Kind::User => format!("User {id} was not found"),
                    Kind::Project => format!("Project {id} was not found"),
                    Kind::Template => format!("Template {id} was not found"),
                    Kind::CloudAccount => format!("Account {id} was not found"),
                    Kind::ApiKey => format!("API key {id} was not found"),
                    Kind::ExternalId => format!("External ID {id} was not found"),
                    Kind::Group => format!("Group {id} was not found"),
                    Kind::GcpOrganisation => format!("GCP organisation {id} was not found"),
                    Kind::ActiveDirectory => format!("Active directory {id} was not found"),
                    Kind::RuleSetting => format!("Rule setting {id} was not found"),
                    Kind::Hook => format!("Hook {id} was not found"),
                    Kind::Idos(_) => format!("Record {id} was not found"),
                },
            ),
            ServiceError::Forbidden(Forbidden::QuotaExceeded { quota, limit }) => Self::new(
                StatusCode::FORBIDDEN,
                format!(
                    "The organization tree has reached its limit of {limit} {}",
                    match quota {
                        Quota::Organizations => "organizations",
                        Quota::Users => "users",
                        Quota::ApiKeys => "API keys",
                        Quota::Hooks => "hooks",
                    }
                ),
            ),
            ServiceError::Forbidden(Forbidden::NotAPartner) => Self::new(
                StatusCode::FORBIDDEN,
                "Only partners can create organizations",
            ),
            ServiceError::Forbidden(_) => Self::new(
                StatusCode::FORBIDDEN,
                "The token does not give access to this organization",
            ),
            ServiceError::Conflict(Conflict::OrganizationName { name }) => Self::new(
                StatusCode::CONFLICT,
                format!("An organization named '{name}' already exists"),
            ),
            ServiceError::Conflict(Conflict::Email { email }) => Self::new(
                StatusCode::CONFLICT,
                format!("The email '{email}' is already in use"),
            ),
            ServiceError::Conflict(Conflict::HasChildOrganizations { id }) => Self::new(
                StatusCode::CONFLICT,
                format!("Organization {id} has child organizations"),
            ),
            ServiceError::Conflict(Conflict::MoveIntoOwnSubtree { id, parent }) => Self::new(
                StatusCode::CONFLICT,
                format!("Organization {id} cannot be moved under its own descendant {parent}"),
            ),
            ServiceError::Conflict(Conflict::AlreadyRegistered { value, .. }) => {
                Self::new(StatusCode::CONFLICT, format!("'{value}' is already in use"))
            }
            // idOS records: Surfsight routes never make them.
            ServiceError::Conflict(
                Conflict::IdosSetting { .. } | Conflict::IdosSubscription { .. },
            ) => Self::new(StatusCode::CONFLICT, "The record already exists"),
            // Conditional changes: Surfsight routes never make them.
            ServiceError::Conflict(Conflict::ChangedSinceRead { id, .. }) => Self::new(
                StatusCode::CONFLICT,
                format!("The record {id} has changed since it was read"),
            ),
            ServiceError::Invalid(Invalid::SsoClaim { claim, problem }) => {
                Self::bad_request(bad_claim(claim, problem))
            }
            ServiceError::Invalid(other) => Self::bad_request(invalid(other)),
            ServiceError::Unauthorized(Unauthorized::BadCredentials) => {
                Self::unauthorized("Invalid email or password")
            }
            ServiceError::Unauthorized(Unauthorized::Sso(reason)) => {
                Self::unauthorized(sso_refusal(reason))
            }
            ServiceError::Unauthorized(_) => Self::unauthorized(TOKEN_INVALID),
            ServiceError::Throttled { retry_after_secs } => Self {
                retry_after_secs: Some(retry_after_secs),
                ..Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "Too many failed sign-in attempts: retry in {retry_after_secs} seconds"
                    ),
                )
            },
            ServiceError::Busy { retry_after_secs } => Self {
                retry_after_secs: Some(retry_after_secs),
                ..Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("The server is busy: retry in {retry_after_secs} seconds"),
                )
            },
            ServiceError::Internal(error) => Self {
                internal: Some(error),
                ..Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
            },
            ServiceError::TemplateGeneration { .. } => {
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
            }
        }
    }
}
