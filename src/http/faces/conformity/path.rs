//! Path parameters that are not one UUID (an account and a rule id, an Azure directory id),
//! read as text and refused in the face's words.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use super::document::{Conformity, ConformityError};
use crate::http::kit::Face;

/// The route's path parameters, in order, as text.
pub struct PathParams(pub Vec<String>);

impl<S: Send + Sync> FromRequestParts<S> for PathParams {
    type Rejection = ConformityError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ConformityError> {
        // A route without parameters is wrongly wired: nothing can be found through it.
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| Conformity::route_not_found())?;
        Ok(Self(
            params.iter().map(|(_, value)| value.to_owned()).collect(),
        ))
    }
}
