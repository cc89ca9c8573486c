//! `Authorization: ApiKey <key>`. An organization admin token (`Bearer …`, from Surfsight) is
//! accepted too: it is valid on every face for its organization.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::document::ConformityError;
use crate::http::{AppState, strip_scheme};
use crate::service::Actor;

/// The authenticated caller of a Conformity route.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ConformityError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, ConformityError> {
        let value = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let actor = if let Some(key) = strip_scheme(value, "ApiKey") {
            state.services.authenticate_api_key(key).await?
        } else if let Some(token) = strip_scheme(value, "Bearer") {
            state.services.authenticate(token).await?
        } else {
            return Err(ConformityError::new(
                StatusCode::UNAUTHORIZED,
                "An Authorization header with an API key is required: Authorization: ApiKey <key>",
            ));
        };
        Ok(Self(actor))
    }
}
