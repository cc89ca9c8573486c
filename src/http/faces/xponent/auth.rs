//! The bare `Authorization` header of the Xponent face: the token string alone, no scheme.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::reply::XponentError;
use crate::http::AppState;
use crate::service::Actor;

/// The authenticated caller of an Xponent route.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = XponentError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            XponentError::bad_request("Authorization must be included as a request header")
        })?;
        let token = header.to_str().unwrap_or_default().trim();
        if token.is_empty() {
            return Err(XponentError::bad_request(
                "Authorization must be included as a request header",
            ));
        }
        Ok(Caller(state.services.authenticate(token).await?))
    }
}
