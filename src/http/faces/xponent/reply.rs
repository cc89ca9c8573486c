//! The Xponent envelope: every response carries `metadata` (`status`, `message` — "OK" on
//! 200 — and `numItems` on 200), and errors are `{"metadata":{"status","message"}}` with the
//! document's message texts, word for word.

use axum::Json;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use serde_json::{Map, Value, json};

use crate::domain::{Kind, TextProblem};
use crate::http::kit::{BodyProblem, Face, Scheme, internal, stream};
use crate::service::{
    Conflict, FieldRule, Forbidden, Invalid, Quota, ServiceError, ServiceResult, TextField,
    Unauthorized,
};

/// What a quota counts, in the plural.
fn quota_items(quota: Quota) -> &'static str {
    match quota {
        Quota::Organizations => "organizations",
        Quota::Users => "users",
        Quota::ApiKeys => "API keys",
        Quota::Hooks => "hooks",
    }
}

/// A text field as the Xponent bodies name it.
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

/// What a text must be, after "The field {name} ".
fn text_rule(problem: TextProblem) -> String {
    match problem {
        TextProblem::Blank => "must not be blank".to_owned(),
        TextProblem::TooLong { max } => format!("must be at most {max} characters"),
        TextProblem::ForbiddenCharacter => {
            "must not contain control characters or bidirectional overrides".to_owned()
        }
    }
}

/// `{"<key>": items, "metadata": {"status": 200, "message": "OK", "numItems": n}}`.
pub fn ok(key: &str, items: Vec<Value>) -> Response {
    ok_with(key, items, Map::new())
}

/// As `ok`, with extra members in `metadata` (the login token route adds `expiration`).
pub fn ok_with(key: &str, items: Vec<Value>, metadata: Map<String, Value>) -> Response {
    let metadata = ok_metadata(metadata, items.len());
    let mut body = Map::new();
    body.insert(key.into(), Value::Array(items));
    body.insert("metadata".into(), metadata);
    (StatusCode::OK, Json(Value::Object(body))).into_response()
}

fn ok_metadata(mut metadata: Map<String, Value>, num_items: usize) -> Value {
    metadata.insert("status".into(), json!(200));
    metadata.insert("message".into(), json!("OK"));
    metadata.insert("numItems".into(), json!(num_items));
    Value::Object(metadata)
}

/// As `ok`, for a list read page by page (never all at once): the body is streamed as
/// `{"<key>":[…],"metadata":{…}}`, the items first so that `numItems` (how many were sent) can
/// be written last (see `kit::stream::json_array`).
pub async fn ok_paged<T, S>(key: &str, pages: S) -> XponentResult
where
    T: serde::Serialize + Send + 'static,
    S: Stream<Item = ServiceResult<Vec<T>>> + Send + 'static,
{
    let mut opening = b"{".to_vec();
    serde_json::to_writer(&mut opening, key).expect("a string serializes");
    opening.extend_from_slice(b":[");
    let body = stream::json_array(opening, pages, |count| {
        let mut closing = b"],\"metadata\":".to_vec();
        serde_json::to_writer(&mut closing, &ok_metadata(Map::new(), count))
            .expect("a JSON value serializes");
        closing.push(b'}');
        closing
    })
    .await?;
    Ok((StatusCode::OK, [(CONTENT_TYPE, "application/json")], body).into_response())
}

/// The Xponent face, for the HTTP kit: its error and its words for what the kit refuses.
pub struct Xponent;

impl Face for Xponent {
    type Error = XponentError;

    /// The token alone: the document's clients send no scheme, and `Bearer …` is refused.
    const SCHEMES: &'static [Scheme] = &[Scheme::Bare];

    fn body_refused(problem: BodyProblem) -> XponentError {
        match problem {
            BodyProblem::TooLarge => {
                XponentError::new(StatusCode::PAYLOAD_TOO_LARGE, "Body is too large")
            }
            BodyProblem::Unreadable => XponentError::bad_request("Body could not be read"),
            BodyProblem::Empty | BodyProblem::NotJson | BodyProblem::NotAnObject => {
                XponentError::bad_request("Body must be an object")
            }
        }
    }

    fn credentials_missing() -> XponentError {
        XponentError::bad_request("Authorization must be included as a request header")
    }

    fn invalid_id(param: &str, _value: &str) -> XponentError {
        let what = match param {
            "org_id" => "organization id",
            "user_id" => "user id",
            "project_id" => "project id",
            _ => "id",
        };
        XponentError::bad_request(format!("Invalid format for {what}"))
    }

    fn route_not_found() -> XponentError {
        XponentError::not_found("Route not found")
    }

    fn method_not_allowed() -> XponentError {
        XponentError::new(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
    }

    fn timed_out() -> XponentError {
        XponentError::new(StatusCode::SERVICE_UNAVAILABLE, "Request timed out")
    }
}

/// An error of the Xponent face: a status and its documented message.
#[derive(Debug)]
pub struct XponentError {
    pub status: StatusCode,
    pub message: String,
    /// Seconds for a `Retry-After` header (429 and 503 of the limits).
    retry_after_secs: Option<u64>,
    /// What went wrong inside, for the log only (see `kit::internal`).
    internal: Option<anyhow::Error>,
}

impl XponentError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after_secs: None,
            internal: None,
        }
    }

    /// A refusal to retry later: the message, and `Retry-After` in seconds.
    fn retry_later(status: StatusCode, message: String, retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs),
            ..Self::new(status, message)
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }
}

impl IntoResponse for XponentError {
    fn into_response(self) -> Response {
        let body =
            json!({ "metadata": { "status": self.status.as_u16(), "message": self.message } });
        let mut response = (self.status, Json(body)).into_response();
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

pub type XponentResult = Result<Response, XponentError>;

pub const TOKEN_NOT_VALID: &str = "Unauthorized - Token is not valid";

/// The 403 of the user routes for a user the caller may not administer although it is in the
/// caller's subtree (a fellow Owner, or a partner for a non-partner): the document's text of
/// the login token route.
pub const USER_OUT_OF_REACH: &str = "Invalid admin permissions for this user";

/// The message each domain error has on most routes; a route whose document words a case
/// differently maps that case itself before falling back to this.
impl From<ServiceError> for XponentError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound { kind, id } => Self::not_found(match kind {
                Kind::Organization => format!("Organization with id '{id}' not found"),
                Kind::ParentOrganization => format!("Parent organization with id {id} not found"),
                Kind::User => format!("User with id '{id}' not found"),
                Kind::Project => format!("Project with id '{id}' not found"),
                Kind::Template => format!("Template with id '{id}' not found"),
                // Records of other faces: Xponent routes never look them up.
                Kind::CloudAccount
                | Kind::ApiKey
                | Kind::ExternalId
                | Kind::Group
                | Kind::GcpOrganisation
                | Kind::ActiveDirectory
                | Kind::RuleSetting
                | Kind::Hook
                | Kind::Idos(_) => {
                    format!("Record with id '{id}' not found")
                }
            }),
            ServiceError::Forbidden(forbidden) => Self::forbidden(match forbidden {
                Forbidden::OutsideScope { kind, .. } => match kind {
                    Kind::ParentOrganization => {
                        "Invalid user admin permissions for this parent organization".to_owned()
                    }
                    Kind::Project => "Invalid user admin permissions for this project".to_owned(),
                    _ => "Invalid user admin permissions for this organization".to_owned(),
                },
                Forbidden::OwnOrganization { id } => {
                    format!("Not allowed to delete own organization (organization with id '{id}')")
                }
                Forbidden::OwnUser { id } => {
                    format!("Not allowed to delete self (user with id '{id}')")
                }
                Forbidden::NotAnOwner { user } => {
                    format!("User with id '{user}' is not an organization owner")
                }
                Forbidden::NoSecretKey { user } => {
                    format!("User with id '{user}' does not have a secret key")
                }
                // This face's documents answer 403 whatever the template's tree.
                Forbidden::TemplateNotAllowed { template, org, .. } => format!(
                    "Template with id '{template}' not allowed for use in projects in organization with '{org}'"
                ),
                Forbidden::NotAPartner => "Only partners can create organizations".to_owned(),
                Forbidden::NoUser => "The token does not belong to a user".to_owned(),
                Forbidden::UserOutOfReach { .. } => USER_OUT_OF_REACH.to_owned(),
                Forbidden::QuotaExceeded { quota, limit } => format!(
                    "The organization tree has reached its limit of {limit} {}",
                    quota_items(quota)
                ),
            }),
            ServiceError::Conflict(conflict) => Self::conflict(match conflict {
                Conflict::OrganizationName { name } => {
                    format!("The name {name} is already in use by a different organization")
                }
                Conflict::Email { email } => format!(
                    "The email provided for a new user, '{email}', is already in use by a different account"
                ),
                Conflict::HasChildOrganizations { id } => format!(
                    "Organization with id '{id}' has child organizations: delete or move them first"
                ),
                Conflict::MoveIntoOwnSubtree { id, parent } => format!(
                    "Organization with id '{id}' cannot be moved under its own descendant (organization with id '{parent}')"
                ),
                // Cloud Conformity registrations: Xponent routes never make them.
                Conflict::AlreadyRegistered { value, .. } => {
                    format!("The value '{value}' is already in use")
                }
                // idOS records: Xponent routes never make them.
                Conflict::IdosSetting { .. } | Conflict::IdosSubscription { .. } => {
                    "The record already exists".to_owned()
                }
                // Conditional changes: Xponent routes never make them.
                Conflict::ChangedSinceRead { id, .. } => {
                    format!("The record with id '{id}' has changed since it was read")
                }
            }),
            ServiceError::Invalid(invalid) => Self::bad_request(match invalid {
                Invalid::Email { value } => format!("Invalid format for email '{value}'"),
                Invalid::Role { value } => format!(
                    "Invalid value for role '{value}': the only valid values are 'Member' and 'Owner'"
                ),
                Invalid::ConnectionType { value } => format!("Invalid connection type '{value}'"),
                Invalid::Field { field, rule } => format!(
                    "The field {field} {}",
                    match rule {
                        FieldRule::NotEmpty => "must not be empty".to_owned(),
                        FieldRule::NonEmptyString => "must be a non-empty string".to_owned(),
                        FieldRule::MinChars(n) => format!("must be at least {n} characters"),
                        FieldRule::MaxChars(n) => format!("must be at most {n} characters"),
                    }
                ),
                Invalid::TooManyItems { max } => {
                    format!("Body cannot contain more than {max} items")
                }
                Invalid::RoleArn { value } => format!("Invalid role ARN '{value}'"),
                Invalid::Hook { field, reason } => format!("{field} {reason}"),
                Invalid::ExternalId { value } => format!("Invalid external ID '{value}'"),
                Invalid::SsoClaim { claim, .. } => format!("Invalid claim {claim}"),
                // Cloud Conformity input: Xponent routes never take it.
                Invalid::NotRegistered { value, .. } => format!("Invalid value '{value}'"),
                Invalid::RuleProvider { provider, .. } => format!("Invalid provider '{provider}'"),
                Invalid::DisabledRegionsOutsideAws => "Invalid bot settings".to_owned(),
                Invalid::Text { field, problem } => {
                    format!("The field {} {}", field_name(field), text_rule(problem))
                }
                Invalid::TooMany { field, max } => {
                    format!(
                        "The field {} must have at most {max} items",
                        field_name(field)
                    )
                }
                // idOS input: Xponent routes never take it.
                Invalid::Idos(_) => "Invalid request".to_owned(),
            }),
            ServiceError::Unauthorized(unauthorized) => Self::unauthorized(match unauthorized {
                Unauthorized::TokenInvalid => TOKEN_NOT_VALID,
                Unauthorized::HashMismatch => "Unauthorized - Hash does not match",
                Unauthorized::NonceReused => "Unauthorized - Nonce has already been used",
                Unauthorized::LoginTokenInvalid => "Unauthorized - Login token is not valid",
                Unauthorized::BadCredentials
                | Unauthorized::ApiKeyInvalid
                | Unauthorized::Sso(_)
                | Unauthorized::IdosToken(_) => TOKEN_NOT_VALID,
            }),
            ServiceError::Throttled { retry_after_secs } => Self::retry_later(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many requests: retry in {retry_after_secs} seconds"),
                retry_after_secs,
            ),
            ServiceError::Busy { retry_after_secs } => Self::retry_later(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("Server busy: retry in {retry_after_secs} seconds"),
                retry_after_secs,
            ),
            ServiceError::TemplateGeneration { .. } => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "There was an issue generating from the template provided. Contact your organization's administrator.",
            ),
            ServiceError::Internal(error) => Self {
                internal: Some(error),
                ..Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
            },
        }
    }
}
