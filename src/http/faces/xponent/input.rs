//! Xponent request bodies, body ids and fields, with the document's 400 messages.

use serde_json::{Map, Value};

use super::reply::XponentError;
use crate::domain::PublicId;
use crate::http::kit::{Json, JsonBody};

/// An Xponent request body, read by the kit; routes check its [`Shape`].
pub type Body = JsonBody<super::Xponent>;

/// A request body as the routes see it before validating fields.
pub enum Shape {
    /// No body, only whitespace, or `null`.
    Empty,
    Object(Map<String, Value>),
    Array(Vec<Value>),
    /// Not JSON, or JSON of another type.
    Other,
}

pub fn shape(body: Body) -> Shape {
    match body.0 {
        Json::Empty | Json::Value(Value::Null) => Shape::Empty,
        Json::Value(Value::Object(map)) => Shape::Object(map),
        Json::Value(Value::Array(items)) => Shape::Array(items),
        Json::Value(_) | Json::Malformed => Shape::Other,
    }
}

/// The common shape check of routes whose body must be a JSON object.
pub fn object_body(body: Body, empty_message: &str) -> Result<Map<String, Value>, XponentError> {
    match shape(body) {
        Shape::Empty => Err(XponentError::bad_request(empty_message)),
        Shape::Object(map) => Ok(map),
        Shape::Array(_) | Shape::Other => Err(XponentError::bad_request("Body must be an object")),
    }
}

/// A body id in the one documented format, or the documented "Invalid format for …".
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
