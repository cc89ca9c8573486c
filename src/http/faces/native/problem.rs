//! RFC 9457 problem details: every refusal of the native API is `application/problem+json`
//! with `type`, `title`, `status`, `detail`, `instance` (the request's path, filled in by
//! [`with_instance`]) and, for invalid input, `errors[]` naming each bad field.

use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::kit::internal;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem, as the client receives it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:orghub:problem:invalid-input",
    "title": "Invalid input",
    "status": 422,
    "detail": "The request has 1 invalid field",
    "instance": "/api/v1/orgs",
    "errors": [{"pointer": "/name", "detail": "must not be blank"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem: `about:blank` when the status says it all,
    /// `urn:orghub:problem:<name>` otherwise.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem; the same for every problem of its type.
    pub title: String,
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The path of the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Each invalid part of the request.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid part of a request: a field of the body (`pointer`, a JSON pointer into the body,
/// RFC 6901) or a parameter of the path, query or headers (`parameter`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    pub detail: String,
}

impl FieldError {
    /// The body member at JSON pointer `pointer` (`""` for the whole body).
    pub fn at(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: Some(pointer.into()),
            parameter: None,
            detail: detail.into(),
        }
    }

    pub fn parameter(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: None,
            parameter: Some(name.into()),
            detail: detail.into(),
        }
    }
}

/// A JSON pointer (RFC 6901) to the member named `field` of the body.
pub fn pointer(field: &str) -> String {
    format!("/{}", field.replace('~', "~0").replace('/', "~1"))
}

/// An error of the native face: a problem, the headers that go with it, and (for a 500) what
/// went wrong inside, for the log only.
#[derive(Debug)]
pub struct ApiError {
    /// Boxed: an `ApiError` is the error of most functions of the face, and stays small.
    pub problem: Box<Problem>,
    www_authenticate: Option<&'static str>,
    retry_after_secs: Option<u64>,
    internal: Option<anyhow::Error>,
}

pub type ApiResult<T = Response> = Result<T, ApiError>;

impl ApiError {
    /// A problem whose status says it all (`type` is `about:blank`, the title the status's).
    pub fn status(status: StatusCode, detail: impl Into<String>) -> Self {
        Self::typed(
            status,
            "about:blank",
            status.canonical_reason().unwrap_or("Error"),
            detail,
        )
    }

    /// A problem of a type of orghub's own, `urn:orghub:problem:<name>`.
    pub fn typed(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Self {
        let kind = if kind == "about:blank" {
            kind.to_owned()
        } else {
            format!("urn:orghub:problem:{kind}")
        };
        Self {
            problem: Box::new(Problem {
                kind,
                title: title.to_owned(),
                status: status.as_u16(),
                detail: detail.into(),
                instance: None,
                errors: Vec::new(),
            }),
            www_authenticate: None,
            retry_after_secs: None,
            internal: None,
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::status(StatusCode::NOT_FOUND, detail)
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::status(StatusCode::BAD_REQUEST, detail)
    }

    /// 422 for a request whose parts are each listed in `errors`.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!(
                "{} {}",
                one.pointer
                    .as_deref()
                    .map(|p| format!("The field at '{p}'"))
                    .or_else(|| one
                        .parameter
                        .as_deref()
                        .map(|p| format!("The parameter '{p}'")))
                    .unwrap_or_else(|| "The request".to_owned()),
                one.detail
            ),
            many => format!("The request has {} invalid parts", many.len()),
        };
        let mut error = Self::typed(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Invalid input",
            detail,
        );
        error.problem.errors = errors;
        error
    }

    /// 400 for a parameter of the path or query that cannot be parsed.
    pub fn bad_parameter(name: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let mut error = Self::typed(
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
            "Invalid parameter",
            format!("The parameter '{name}' {detail}"),
        );
        error.problem.errors = vec![FieldError::parameter(name, detail)];
        error
    }

    /// 401, with the `WWW-Authenticate: Bearer` challenge (RFC 6750); `invalid_token` when a
    /// token was sent and refused.
    pub fn unauthorized(detail: impl Into<String>, token_sent: bool) -> Self {
        let mut error = Self::status(StatusCode::UNAUTHORIZED, detail);
        error.www_authenticate = Some(if token_sent {
            r#"Bearer realm="orghub", error="invalid_token""#
        } else {
            r#"Bearer realm="orghub""#
        });
        error
    }

    pub fn retry_later(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    /// 500: the client learns nothing of `error`, which is logged once (see `kit::internal`).
    pub fn internal(error: anyhow::Error) -> Self {
        let mut problem = Self::status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server could not complete the request; the error has been logged",
        );
        problem.internal = Some(error);
        problem
    }
}

/// The problem a response carries, for [`with_instance`] to complete.
#[derive(Clone)]
struct Unfinished(Problem);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = render(status, &self.problem);
        response
            .extensions_mut()
            .insert(Unfinished((*self.problem).clone()));
        let headers = response.headers_mut();
        if let Some(challenge) = self.www_authenticate {
            headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        if let Some(secs) = self.retry_after_secs {
            headers.insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        match self.internal {
            Some(error) => internal::report(response, error),
            None => response,
        }
    }
}

fn render(status: StatusCode, problem: &Problem) -> Response {
    let body = serde_json::to_vec(problem).expect("a problem serializes");
    (
        status,
        [(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
        body,
    )
        .into_response()
}

/// Middleware: a problem answered by any layer of the face gets the request's path as its
/// `instance` (the query string is left out: it may carry a cursor or a filter).
pub async fn with_instance(request: Request, next: Next) -> Response {
    // Within the nest, the URI lacks the face's base path; the original one has it.
    let path = match request.extensions().get::<axum::extract::OriginalUri>() {
        Some(original) => original.path().to_owned(),
        None => request.uri().path().to_owned(),
    };
    let mut response = next.run(request).await;
    if let Some(Unfinished(mut problem)) = response.extensions_mut().remove::<Unfinished>() {
        problem.instance = Some(path);
        let status = response.status();
        let (mut parts, _) = response.into_parts();
        let rendered = render(status, &problem);
        let (_, body) = rendered.into_parts();
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        response = Response::from_parts(parts, body);
    }
    response
}
