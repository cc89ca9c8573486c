//! Entity tags against lost updates: a single resource is answered with an `ETag` (a digest of
//! its representation), and a change sent with `If-Match` is refused with 412 when the
//! resource has changed since the client read it.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::header::{ETAG, IF_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::problem::ApiError;

/// The strong entity tag of a representation: the first 128 bits of its SHA-256, quoted.
pub fn etag_of<T: Serialize>(representation: &T) -> String {
    let bytes = serde_json::to_vec(representation).expect("a representation serializes");
    let digest = crate::crypto::sha256(&bytes);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// A single resource as JSON, with its `ETag`.
pub fn tagged<T: Serialize>(status: StatusCode, representation: &T) -> Response {
    let etag = etag_of(representation);
    let mut response = (status, Json(representation)).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(ETAG, value);
    }
    response
}

/// 412: what a change is answered when the resource is no longer the one the client read.
pub fn precondition_failed() -> ApiError {
    ApiError::typed(
        StatusCode::PRECONDITION_FAILED,
        "precondition-failed",
        "Precondition failed",
        "The resource has changed since it was read (If-Match does not match its ETag): read it again",
    )
}

/// The request's `If-Match` condition, when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// No `If-Match`: the change is unconditional.
    Absent,
    /// `If-Match: *`: any current representation.
    Any,
    /// The entity tags the client accepts (weak tags never match: RFC 9110 §13.1.1).
    Tags(Vec<String>),
}

impl IfMatch {
    fn parse(value: &str) -> Self {
        if value.trim() == "*" {
            return Self::Any;
        }
        Self::Tags(
            value
                .split(',')
                .map(str::trim)
                .filter(|tag| !tag.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// Refuses the change (412) unless `current` (the resource's tag now) is accepted.
    pub fn check(&self, current: &str) -> Result<(), ApiError> {
        let matches = match self {
            Self::Absent | Self::Any => true,
            Self::Tags(tags) => tags.iter().any(|tag| tag == current),
        };
        if matches {
            Ok(())
        } else {
            Err(precondition_failed())
        }
    }

    /// The condition for a service's change (`service::Expect`), checked there in the
    /// change's own transaction: `tag_of` gives the tag of the record as it is then.
    pub fn holds<T>(&self, tag_of: impl Fn(&T) -> String) -> impl Fn(&T) -> bool {
        move |record| self.check(&tag_of(record)).is_ok()
    }

    /// Whether the change is conditional at all.
    pub fn is_present(&self) -> bool {
        *self != Self::Absent
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(IF_MATCH) else {
            return Ok(Self::Absent);
        };
        let value = value
            .to_str()
            .map_err(|_| ApiError::bad_parameter("If-Match", "is not an entity tag list"))?;
        Ok(Self::parse(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_listed_strong_tag_or_a_star_matches() {
        let current = "\"abc\"";
        assert!(IfMatch::Absent.check(current).is_ok());
        assert!(IfMatch::parse("*").check(current).is_ok());
        assert!(IfMatch::parse("\"x\", \"abc\"").check(current).is_ok());
        assert!(IfMatch::parse("W/\"abc\"").check(current).is_err());
        assert!(IfMatch::parse("\"other\"").check(current).is_err());
    }
}
