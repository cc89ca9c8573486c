//! Request bodies read as JSON, refused in the face's own words.

use std::marker::PhantomData;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::Face;

/// Why a body could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyProblem {
    /// Over the body size limit.
    TooLarge,
    /// The bytes could not be read (the client went away, or sent a broken body).
    Unreadable,
    /// Empty, or only white space.
    Empty,
    /// Not JSON at all.
    NotJson,
    /// JSON, but not an object (only [`JsonObject`] refuses this).
    NotAnObject,
}

/// A body as JSON, before the route checks its shape; only a body that cannot be read at all
/// is refused here, since faces word an empty or malformed body differently per route.
#[derive(Debug)]
pub enum Json {
    /// No body, or only white space.
    Empty,
    Value(Value),
    /// Bytes that are not JSON.
    Malformed,
}

/// The body of a request of face `F`, read as [`Json`].
pub struct JsonBody<F>(pub Json, pub PhantomData<F>);

/// The body of a request of face `F`, which must be a JSON object.
pub struct JsonObject<F>(pub Map<String, Value>, pub PhantomData<F>);

async fn read<F: Face, S: Send + Sync>(request: Request, state: &S) -> Result<Json, F::Error> {
    let bytes = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            F::body_refused(if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                BodyProblem::TooLarge
            } else {
                BodyProblem::Unreadable
            })
        })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Json::Empty);
    }
    Ok(match serde_json::from_slice(&bytes) {
        Ok(value) => Json::Value(value),
        Err(_) => Json::Malformed,
    })
}

impl<F: Face, S: Send + Sync> FromRequest<S> for JsonBody<F> {
    type Rejection = F::Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, F::Error> {
        Ok(Self(read::<F, S>(request, state).await?, PhantomData))
    }
}

impl<F: Face, S: Send + Sync> FromRequest<S> for JsonObject<F> {
    type Rejection = F::Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, F::Error> {
        match read::<F, S>(request, state).await? {
            Json::Value(Value::Object(object)) => Ok(Self(object, PhantomData)),
            Json::Value(_) => Err(F::body_refused(BodyProblem::NotAnObject)),
            Json::Empty => Err(F::body_refused(BodyProblem::Empty)),
            Json::Malformed => Err(F::body_refused(BodyProblem::NotJson)),
        }
    }
}
