//! Query-string parameters, parsed into a typed struct and refused as a problem naming the
//! parameter; unknown parameters are ignored, so several extractors can share one query.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::problem::ApiError;

/// The query string as `T`.
pub struct Params<T>(pub T);

/// `query` as `T`, or the problem naming the parameter that does not fit.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let name = error.path().to_string();
        let detail = error.into_inner().to_string();
        if name == "." {
            ApiError::bad_request(format!("The query string cannot be read: {detail}"))
        } else {
            ApiError::bad_parameter(&name, format!("is invalid: {detail}"))
        }
    })
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parse(parts.uri.query().unwrap_or_default()).map(Self)
    }
}
