//! `Authorization: ApiKey <key>`. Bearer tokens of the other faces (a Surfsight organization
//! admin token above all: it is valid on every face for its organization) are accepted too,
//! as `Bearer <token>` or in place of the key.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::document::ConformityError;
use crate::http::{AppState, strip_scheme};
use crate::service::{Actor, ServiceError};

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
            match state.services.authenticate_api_key(key).await {
                Err(ServiceError::Unauthorized(refused)) => state
                    .services
                    .authenticate(key)
                    .await
                    .map_err(|_| ServiceError::Unauthorized(refused))?,
                other => other?,
            }
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
