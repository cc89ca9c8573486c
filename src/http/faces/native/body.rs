//! Request bodies: JSON read by the kit, then typed; a body that does not fit its type is a
//! 422 problem whose `errors[].pointer` is the JSON pointer of the member at fault.

use std::marker::PhantomData;

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;

use super::Native;
use super::problem::{ApiError, FieldError, pointer};
use crate::http::kit::{Json, JsonBody};

/// The body as `T`, with the JSON it was read from (an idempotency key's request is known by
/// its JSON, not its bytes).
pub struct Body<T> {
    pub value: T,
    pub json: serde_json::Value,
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let JsonBody(json, PhantomData) = JsonBody::<Native>::from_request(request, state).await?;
        let json = match json {
            Json::Value(value) => value,
            Json::Empty => {
                return Err(ApiError::bad_request(
                    "The request body is empty: a JSON object is expected",
                ));
            }
            Json::Malformed => return Err(ApiError::bad_request("The request body is not JSON")),
        };
        let value = typed(&json)?;
        Ok(Self { value, json })
    }
}

/// `json` as `T`, or the 422 naming the member that does not fit.
pub fn typed<T: DeserializeOwned>(json: &serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(json).map_err(|error| {
        let mut at = String::new();
        for segment in error.path().iter() {
            match segment {
                Segment::Seq { index } => at.push_str(&pointer(&index.to_string())),
                Segment::Map { key } | Segment::Enum { variant: key } => at.push_str(&pointer(key)),
                Segment::Unknown => {}
            }
        }
        let message = error.into_inner().to_string();
        // serde names a missing member in its message, and the path stops at its parent.
        let (at, detail) = match missing_field(&message) {
            Some(field) => (format!("{at}{}", pointer(field)), "is required".to_owned()),
            None => (at, message),
        };
        ApiError::invalid(vec![FieldError::at(at, detail)])
    })
}

fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::typed;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Shape {
        name: String,
        items: Vec<u8>,
    }

    fn pointer_of(json: serde_json::Value) -> String {
        let error = typed::<Shape>(&json).unwrap_err();
        error.problem.errors[0].pointer.clone().unwrap()
    }

    #[test]
    fn the_pointer_names_the_member_at_fault() {
        assert_eq!(pointer_of(json!({"items": []})), "/name");
        assert_eq!(pointer_of(json!({"name": 1, "items": []})), "/name");
        assert_eq!(
            pointer_of(json!({"name": "a", "items": [1, "x"]})),
            "/items/1"
        );
        assert_eq!(pointer_of(json!([])), "");
    }
}
