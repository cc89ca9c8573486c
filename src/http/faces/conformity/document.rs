//! JSON:API documents in and out: `application/vnd.api+json` bodies, and errors as
//! `{"errors":[{"status", "detail", "source"}]}`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::domain::Kind;
use crate::service::{Forbidden, Invalid, ServiceError};

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

#[derive(Debug)]
pub struct ConformityError {
    status: StatusCode,
    detail: String,
    /// A JSON pointer into the request document, when one member is at fault.
    pointer: Option<&'static str>,
}

pub type ConformityResult = Result<Response, ConformityError>;

impl ConformityError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            pointer: None,
        }
    }

    /// A 422 for one member of the request document.
    pub fn invalid(pointer: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: detail.into(),
            pointer: Some(pointer),
        }
    }

    pub fn account_not_found(id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("Account {id} was not found"))
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
        (
            self.status,
            [(CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE))],
            document.to_string(),
        )
            .into_response()
    }
}

/// The `data` object of a request document. The body must be JSON:API (or plain JSON).
pub fn request_data(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Map<String, Value>, ConformityError> {
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
    if let Some(media_type) = media_type
        && media_type != MEDIA_TYPE
        && media_type != "application/json"
    {
        return Err(ConformityError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("Content-Type must be {MEDIA_TYPE}"),
        ));
    }
    let bytes = body.map_err(|rejection| {
        let detail = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            "The request body is too large"
        } else {
            "The request body could not be read"
        };
        ConformityError::new(rejection.status(), detail)
    })?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(mut document)) => match document.remove("data") {
            Some(Value::Object(data)) => Ok(data),
            _ => Err(ConformityError {
                status: StatusCode::BAD_REQUEST,
                detail: "The document must have a data object".into(),
                pointer: Some("/data"),
            }),
        },
        _ => Err(ConformityError::new(
            StatusCode::BAD_REQUEST,
            "The request body must be a JSON:API document",
        )),
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
            ServiceError::NotFound {
                kind: Kind::CloudAccount,
                id,
            } => Self::account_not_found(&id),
            ServiceError::NotFound { kind, id } => Self::new(
                StatusCode::NOT_FOUND,
                format!("{kind:?} {id} was not found"),
            ),
            ServiceError::Forbidden(Forbidden::OutsideScope { .. }) => Self::new(
                StatusCode::FORBIDDEN,
                "Only organisation admins can manage accounts and external IDs",
            ),
            ServiceError::Forbidden(other) => {
                Self::new(StatusCode::FORBIDDEN, format!("Not allowed: {other:?}"))
            }
            ServiceError::Invalid(Invalid::RoleArn { value }) => Self::invalid(
                "/data/attributes/access/keys/roleArn",
                format!("'{value}' is not an IAM role ARN (arn:aws:iam::<account id>:role/<name>)"),
            ),
            ServiceError::Invalid(Invalid::ExternalId { value }) => Self::invalid(
                "/data/attributes/access/keys/externalId",
                format!("'{value}' is not an external ID of this organisation, or it has expired"),
            ),
            ServiceError::Invalid(other) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Invalid request: {other:?}"),
            ),
            ServiceError::Unauthorized(_) => {
                Self::new(StatusCode::FORBIDDEN, "The API key is not valid")
            }
            ServiceError::Conflict(other) => {
                Self::new(StatusCode::CONFLICT, format!("Conflict: {other:?}"))
            }
            ServiceError::Throttled { retry_after_secs } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many requests: retry in {retry_after_secs} seconds"),
            ),
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
