//! JSON:API documents in and out: `application/vnd.api+json` bodies, and errors as
//! `{"errors":[{"status", "detail", "source"}]}`.

use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::domain::{Kind, TextProblem};
use crate::http::kit::{BodyProblem, Face, JsonObject, Scheme, internal};
use crate::service::{
    Conflict, FieldRule, Forbidden, Invalid, Quota, Registration, ServiceError, TextField,
};

pub const MEDIA_TYPE: &str = "application/vnd.api+json";

/// A `200` JSON:API document. The Terraform client treats every other status as a failure,
/// so creations answer `200` too.
pub fn ok(document: Value) -> Response {
    (
        StatusCode::OK,
        [(CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE))],
        document.to_string(),
    )
        .into_response()
}

/// The Cloud Conformity face, for the HTTP kit: its error and its words for what the kit
/// refuses.
pub struct Conformity;

impl Face for Conformity {
    type Error = ConformityError;

    /// `ApiKey <key>`; a `Bearer` token of another face works too.
    const SCHEMES: &'static [Scheme] = &[Scheme::ApiKey, Scheme::Bearer];

    fn body_refused(problem: BodyProblem) -> ConformityError {
        match problem {
            BodyProblem::TooLarge => ConformityError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large",
            ),
            BodyProblem::Unreadable => ConformityError::new(
                StatusCode::BAD_REQUEST,
                "The request body could not be read",
            ),
            BodyProblem::Empty | BodyProblem::NotJson | BodyProblem::NotAnObject => {
                ConformityError::new(
                    StatusCode::BAD_REQUEST,
                    "The request body must be a JSON:API document",
                )
            }
        }
    }

    fn credentials_missing() -> ConformityError {
        ConformityError::new(
            StatusCode::UNAUTHORIZED,
            "An Authorization header with an API key is required: Authorization: ApiKey <key>",
        )
    }

    /// An id that is not a UUID names nothing: the answer is the route's "not found".
    fn invalid_id(param: &str, value: &str) -> ConformityError {
        match param {
            "group_id" => ConformityError::not_found(Kind::Group, value),
            "user_id" => ConformityError::not_found(Kind::User, value),
            "organisation_id" => ConformityError::not_found(Kind::GcpOrganisation, value),
            _ => ConformityError::account_not_found(value),
        }
    }

    fn route_not_found() -> ConformityError {
        ConformityError::new(StatusCode::NOT_FOUND, "Route not found")
    }

    fn method_not_allowed() -> ConformityError {
        ConformityError::new(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
    }

    fn timed_out() -> ConformityError {
        ConformityError::new(StatusCode::SERVICE_UNAVAILABLE, "The request timed out")
    }
}

#[derive(Debug)]
pub struct ConformityError {
    status: StatusCode,
    detail: String,
    /// A JSON pointer into the request document, when one member is at fault.
    pointer: Option<&'static str>,
    /// What went wrong inside, for the log only (see `kit::internal`).
    internal: Option<anyhow::Error>,
}

pub type ConformityResult = Result<Response, ConformityError>;

impl ConformityError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            pointer: None,
            internal: None,
        }
    }

    /// A 422 for one member of the request document.
    pub fn invalid(pointer: &'static str, detail: impl Into<String>) -> Self {
        Self {
            pointer: Some(pointer),
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
        }
    }

    pub fn account_not_found(id: &str) -> Self {
        Self::not_found(Kind::CloudAccount, id)
    }

    /// The 404 of a record of `kind` named `id`.
    pub fn not_found(kind: Kind, id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, not_found(kind, id))
    }
}

fn not_found(kind: Kind, id: &str) -> String {
    match kind {
        Kind::Organization | Kind::ParentOrganization => {
            format!("Organisation {id} was not found")
        }
        Kind::User => format!("User {id} was not found"),
        Kind::Project => format!("Project {id} was not found"),
        Kind::Template => format!("Template {id} was not found"),
        Kind::ApiKey => format!("API key {id} was not found"),
        Kind::CloudAccount => format!("Account {id} was not found"),
        Kind::ExternalId => format!("External ID {id} was not found"),
        Kind::Group => format!("Group {id} was not found"),
        Kind::GcpOrganisation => format!("GCP organisation {id} was not found"),
        Kind::ActiveDirectory => format!("Active directory {id} was not found"),
        Kind::RuleSetting => format!("Rule {id} has no setting in this account"),
        Kind::Hook => format!("Hook {id} was not found"),
        // Records of the idOS face: Conformity routes never look them up.
        Kind::Idos(_) => format!("Record {id} was not found"),
    }
}

impl IntoResponse for ConformityError {
    fn into_response(self) -> Response {
        let source = match self.pointer {
            Some(pointer) => json!({ "pointer": pointer }),
            None => json!({}),
        };
        let document = json!({
            "errors": [{ "status": self.status.as_u16(), "detail": self.detail, "source": source }]
        });
        let response = (
            self.status,
            [(CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE))],
            document.to_string(),
        )
            .into_response();
        match self.internal {
            Some(error) => internal::report(response, error),
            None => response,
        }
    }
}

/// The `data` object of a request document. The body must be JSON:API (or plain JSON); the
/// media type is checked before the body is read.
pub struct Document(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Document {
    type Rejection = ConformityError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ConformityError> {
        let FullDocument { data, .. } = FullDocument::from_request(request, state).await?;
        Ok(Self(data))
    }
}

/// A request document's `data` object and its `meta` (`null` when absent), for routes that
/// read both.
pub struct FullDocument {
    pub data: Map<String, Value>,
    pub meta: Value,
}

impl<S: Send + Sync> FromRequest<S> for FullDocument {
    type Rejection = ConformityError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ConformityError> {
        check_media_type(request.headers())?;
        let JsonObject(mut document, _) =
            JsonObject::<Conformity>::from_request(request, state).await?;
        match document.remove("data") {
            Some(Value::Object(data)) => Ok(Self {
                data,
                meta: document.remove("meta").unwrap_or(Value::Null),
            }),
            _ => Err(ConformityError {
                pointer: Some("/data"),
                ..ConformityError::new(
                    StatusCode::BAD_REQUEST,
                    "The document must have a data object",
                )
            }),
        }
    }
}

fn check_media_type(headers: &HeaderMap) -> Result<(), ConformityError> {
    let media_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    match media_type {
        Some(media_type) if media_type != MEDIA_TYPE && media_type != "application/json" => {
            Err(ConformityError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Content-Type must be {MEDIA_TYPE}"),
            ))
        }
        _ => Ok(()),
    }
}

/// A text field as the Conformity documents name it, and where it sits in a request.
fn text_member(field: TextField) -> (&'static str, Option<&'static str>) {
    match field {
        TextField::Name => ("name", Some("/data/attributes/name")),
        TextField::Environment => ("environment", Some("/data/attributes/environment")),
        TextField::Tags => ("tags", Some("/data/attributes/tags")),
        TextField::Email => ("email", None),
        TextField::Description => ("description", None),
        TextField::OwnerName | TextField::ConnectionName => ("name", None),
        TextField::Type => ("type", None),
        TextField::FirstName => ("firstName", Some("/data/attributes/firstName")),
        TextField::LastName => ("lastName", Some("/data/attributes/lastName")),
        TextField::ServiceAccountName => ("serviceAccountName", Some("/data/serviceAccountName")),
        TextField::ProjectName => ("projectName", Some("/data/attributes/access/projectName")),
        TextField::Note => ("note", Some("/data/attributes/note")),
        TextField::Value => ("value", None),
        TextField::Url => ("url", None),
    }
}

/// A 422 for a text that breaks the text rules, pointing at its member.
pub(super) fn bad_text(field: TextField, problem: TextProblem) -> ConformityError {
    let (name, pointer) = text_member(field);
    let detail = match problem {
        TextProblem::Blank => format!("{name} must not be blank"),
        TextProblem::TooLong { max } => format!("{name} must be at most {max} characters"),
        TextProblem::ForbiddenCharacter => {
            format!("{name} must not contain control characters or bidirectional overrides")
        }
    };
    ConformityError {
        pointer,
        ..ConformityError::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
    }
}

/// Invalid members the Conformity routes do not point at themselves, worded plainly.
fn invalid(invalid: Invalid) -> String {
    match invalid {
        Invalid::Email { value } => format!("'{value}' is not a valid email address"),
        Invalid::Role { value } => format!("'{value}' is not a role"),
        Invalid::ConnectionType { value } => format!("'{value}' is not a connection type"),
        Invalid::Field { field, rule } => match rule {
            FieldRule::NotEmpty | FieldRule::NonEmptyString => format!("{field} is required"),
            FieldRule::MinChars(n) => format!("{field} must have at least {n} characters"),
            FieldRule::MaxChars(n) => format!("{field} must have at most {n} characters"),
        },
        Invalid::RoleArn { value } => format!("'{value}' is not an IAM role ARN"),
        Invalid::Hook { field, reason } => format!("{field} {reason}"),
        Invalid::ExternalId { value } => format!("'{value}' is not a valid external ID"),
        Invalid::SsoClaim { claim, .. } => format!("The claim {claim} is not valid"),
        Invalid::TooManyItems { max } => format!("A request may carry at most {max} items"),
        Invalid::Text { field, .. } => format!("{} is not valid", text_member(field).0),
        Invalid::TooMany { field, max } => {
            format!("{} must have at most {max} items", text_member(field).0)
        }
        Invalid::NotRegistered { value, .. } => format!("'{value}' is not registered"),
        Invalid::RuleProvider { rule, provider } => {
            format!("Provider {provider} is invalid for {rule}")
        }
        Invalid::DisabledRegionsOutsideAws => {
            "disabledRegions can only be set for AWS accounts".to_owned()
        }
        // idOS input: Conformity routes never take it.
        Invalid::Idos(_) => "The request is not valid".to_owned(),
    }
}

/// The member at fault and the words for a value that names nothing registered.
fn not_registered(what: Registration, value: &str) -> (&'static str, String) {
    match what {
        Registration::Account => (
            "/data/attributes/accessList",
            format!("'{value}' is not an account of this organisation"),
        ),
        Registration::ActiveDirectory => (
            "/data/attributes/access/activeDirectoryId",
            format!(
                "'{value}' is not an active directory of this organisation: add it with POST /azure/active-directories"
            ),
        ),
        Registration::GcpServiceAccount => (
            "/data/attributes/access/serviceAccountUniqueId",
            format!(
                "'{value}' is not the service account of a GCP organisation of this organisation: add it with POST /gcp/organisations"
            ),
        ),
        Registration::AzureSubscription => (
            "/data/attributes/access/subscriptionId",
            format!("'{value}' is not an Azure subscription of this organisation"),
        ),
        Registration::GcpProject => (
            "/data/attributes/access/projectId",
            format!("'{value}' is not a GCP project of this organisation"),
        ),
    }
}

fn conflict(conflict: Conflict) -> String {
    match conflict {
        Conflict::OrganizationName { name } => {
            format!("An organisation named '{name}' already exists")
        }
        Conflict::Email { email } => format!("The email '{email}' is already in use"),
        Conflict::HasChildOrganizations { id } => {
            format!("Organisation {id} has child organisations")
        }
        Conflict::MoveIntoOwnSubtree { id, parent } => {
            format!("Organisation {id} cannot be moved under its own descendant {parent}")
        }
        Conflict::AlreadyRegistered { what, value } => match what {
            Registration::AzureSubscription => {
                format!(
                    "The Azure subscription '{value}' is already an account of this organisation"
                )
            }
            Registration::GcpProject => {
                format!("The GCP project '{value}' is already an account of this organisation")
            }
            Registration::ActiveDirectory => {
                format!("The active directory '{value}' is already registered in this organisation")
            }
            Registration::GcpServiceAccount => format!(
                "The service account '{value}' is already a GCP organisation of this organisation"
            ),
            Registration::Account => format!("The account '{value}' is already registered"),
        },
        // idOS records: Conformity routes never make them.
        Conflict::IdosSetting { .. } | Conflict::IdosSubscription { .. } => {
            "The record already exists".to_owned()
        }
        // Conditional changes: Conformity routes never make them.
        Conflict::ChangedSinceRead { id, .. } => {
            format!("The record {id} has changed since it was read")
        }
    }
}

impl From<ServiceError> for ConformityError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound {
                kind: Kind::ExternalId,
                ..
            } => Self::new(
                StatusCode::NOT_FOUND,
                "The organisation has no external ID until an account has been added to it: \
                 create a temporary one with POST /external-ids",
            ),
            ServiceError::NotFound { kind, id } => Self::not_found(kind, &id),
            ServiceError::Forbidden(Forbidden::OutsideScope { kind, .. }) => Self::new(
                StatusCode::FORBIDDEN,
                match kind {
                    Kind::Group => "Only organisation admins can manage groups",
                    Kind::User => "Only organisation admins can manage users",
                    _ => "Only organisation admins can manage accounts and external IDs",
                },
            ),
            ServiceError::Forbidden(Forbidden::QuotaExceeded { quota, limit }) => Self::new(
                StatusCode::FORBIDDEN,
                format!(
                    "The organisation tree has reached its limit of {limit} {}",
                    match quota {
                        Quota::Organizations => "organisations",
                        Quota::Users => "users",
                        Quota::ApiKeys => "API keys",
                        Quota::Hooks => "hooks",
                    }
                ),
            ),
            ServiceError::Forbidden(Forbidden::OwnUser { .. }) => {
                Self::new(StatusCode::FORBIDDEN, "You cannot revoke yourself")
            }
            ServiceError::Forbidden(Forbidden::NoUser) => Self::new(
                StatusCode::FORBIDDEN,
                "These credentials are an organisation's, not a user's",
            ),
            ServiceError::Forbidden(_) => Self::new(
                StatusCode::FORBIDDEN,
                "The API key does not allow this action",
            ),
            ServiceError::Invalid(Invalid::RoleArn { value }) => Self::invalid(
                "/data/attributes/access/keys/roleArn",
                format!("'{value}' is not an IAM role ARN (arn:aws:iam::<account id>:role/<name>)"),
            ),
            ServiceError::Invalid(Invalid::ExternalId { value }) => Self::invalid(
                "/data/attributes/access/keys/externalId",
                format!("'{value}' is not an external ID of this organisation, or it has expired"),
            ),
            ServiceError::Invalid(Invalid::NotRegistered { what, value }) => {
                let (pointer, detail) = not_registered(what, &value);
                Self::invalid(pointer, detail)
            }
            ServiceError::Invalid(Invalid::RuleProvider { rule, provider }) => Self::invalid(
                "/data/attributes/ruleSetting/provider",
                format!("Provider {provider} is invalid for {rule}"),
            ),
            ServiceError::Invalid(Invalid::DisabledRegionsOutsideAws) => Self::invalid(
                "/data/attributes/settings/bot/disabledRegions",
                "disabledRegions can only be set for AWS accounts",
            ),
            ServiceError::Invalid(Invalid::Text { field, problem }) => bad_text(field, problem),
            ServiceError::Invalid(Invalid::TooMany { field, max }) => {
                let (name, pointer) = text_member(field);
                Self {
                    pointer,
                    ..Self::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        format!("{name} must have at most {max} items"),
                    )
                }
            }
            ServiceError::Invalid(other) => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, invalid(other))
            }
            ServiceError::Unauthorized(_) => {
                Self::new(StatusCode::FORBIDDEN, "The API key is not valid")
            }
            ServiceError::Conflict(other) => Self::new(StatusCode::CONFLICT, conflict(other)),
            ServiceError::Throttled { retry_after_secs } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many requests: retry in {retry_after_secs} seconds"),
            ),
            ServiceError::Busy { retry_after_secs } => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("The server is busy: retry in {retry_after_secs} seconds"),
            ),
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
