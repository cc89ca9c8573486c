//! Surfsight errors: `{"message": "…"}` with the HTTP status; 429 carries `Retry-After`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::domain::Kind;
use crate::service::{
    ClaimProblem, Conflict, Forbidden, Invalid, ServiceError, SsoRefusal, Unauthorized,
};

#[derive(Debug)]
pub struct SurfsightError {
    status: StatusCode,
    message: String,
    retry_after_secs: Option<u64>,
}

pub type SurfsightResult = Result<Response, SurfsightError>;

pub const TOKEN_INVALID: &str = "The token is invalid or has expired";

impl SurfsightError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            retry_after_secs: None,
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
        response
    }
}

pub fn ok(body: Value) -> Response {
    (StatusCode::OK, Json(body)).into_response()
}

/// The request body as a JSON object.
pub fn json_object(
    body: Result<Bytes, BytesRejection>,
) -> Result<Map<String, Value>, SurfsightError> {
    let bytes = body.map_err(|rejection| {
        let message = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            "The request body is too large"
        } else {
            "The request body could not be read"
        };
        SurfsightError::new(rejection.status(), message)
    })?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(SurfsightError::bad_request(
            "The request body must be a JSON object",
        )),
    }
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
        SsoRefusal::NotEnabled => {
            "The organization has no SSO secret: create it with POST /organizations".into()
        }
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

impl From<ServiceError> for SurfsightError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound { kind, id } => Self::new(
                StatusCode::NOT_FOUND,
                match kind {
                    Kind::Organization | Kind::ParentOrganization => {
                        format!("Organization {id} was not found")
                    }
                    other => format!("{other:?} {id} was not found"),
                },
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
            ServiceError::Conflict(other) => Self::new(StatusCode::CONFLICT, format!("{other:?}")),
            ServiceError::Invalid(Invalid::SsoClaim { claim, problem }) => {
                Self::bad_request(bad_claim(claim, problem))
            }
            ServiceError::Invalid(other) => {
                Self::bad_request(format!("Invalid request: {other:?}"))
            }
            ServiceError::Unauthorized(Unauthorized::BadCredentials) => {
                Self::unauthorized("Invalid email or password")
            }
            ServiceError::Unauthorized(Unauthorized::Sso(reason)) => {
                Self::unauthorized(sso_refusal(reason))
            }
            ServiceError::Unauthorized(_) => Self::unauthorized(TOKEN_INVALID),
            ServiceError::Throttled { retry_after_secs } => Self {
                status: StatusCode::TOO_MANY_REQUESTS,
                message: format!(
                    "Too many failed sign-in attempts: retry in {retry_after_secs} seconds"
                ),
                retry_after_secs: Some(retry_after_secs),
            },
            ServiceError::Internal(error) => {
                tracing::error!(error = %format!("{error:#}"), "internal error");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
            }
            ServiceError::TemplateGeneration { .. } => {
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
            }
        }
    }
}
