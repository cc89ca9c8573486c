//! Reading Xponent request bodies, path ids and fields, with the document's 400 messages.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::reply::XponentError;
use crate::domain::PublicId;

/// A request body as the routes see it before validating fields.
pub enum Body {
    /// No body, only whitespace, or `null`.
    Empty,
    Object(Map<String, Value>),
    Array(Vec<Value>),
    /// Not JSON, or JSON of another type.
    Other,
}

pub fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Body, XponentError> {
    let bytes = body.map_err(|rejection| {
        let message = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            "Body is too large"
        } else {
            "Body could not be read"
        };
        XponentError::new(rejection.status(), message)
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Body::Empty);
    }
    Ok(match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Null) => Body::Empty,
        Ok(Value::Object(map)) => Body::Object(map),
        Ok(Value::Array(items)) => Body::Array(items),
        Ok(_) | Err(_) => Body::Other,
    })
}

/// The common shape check of routes whose body must be a JSON object.
pub fn object_body(
    body: Result<Bytes, BytesRejection>,
    empty_message: &str,
) -> Result<Map<String, Value>, XponentError> {
    match read_body(body)? {
        Body::Empty => Err(XponentError::bad_request(empty_message)),
        Body::Object(map) => Ok(map),
        Body::Array(_) | Body::Other => Err(XponentError::bad_request("Body must be an object")),
    }
}

/// A path or body id in the one documented format, or the documented "Invalid format for …".
pub fn parse_id(text: &str, what: &str) -> Result<PublicId, XponentError> {
    PublicId::parse(text)
        .ok_or_else(|| XponentError::bad_request(format!("Invalid format for {what}")))
}

/// What a body member holds, as far as the "non-empty string" rules care.
pub enum Field<'a> {
    Absent,
    Text(&'a str),
    /// Present but not a non-empty string (wrong type, empty, or null).
    Bad,
}

pub fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Field<'a> {
    match object.get(name) {
        None => Field::Absent,
        Some(Value::String(s)) if !s.is_empty() => Field::Text(s),
        Some(_) => Field::Bad,
    }
}

impl<'a> Field<'a> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    pub fn is_bad(&self) -> bool {
        matches!(self, Field::Bad)
    }

    pub fn text(&self) -> Option<&'a str> {
        match self {
            Field::Text(s) => Some(s),
            _ => None,
        }
    }
}
