//! `POST /authenticate`, and the `Authorization: Bearer …` of every other route.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde_json::json;

use super::reply::{SurfsightError, SurfsightResult, json_object, ok, required_text};
use crate::http::{AppState, ClientAddress, strip_scheme};
use crate::service::Actor;

pub async fn authenticate(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    body: Result<Bytes, BytesRejection>,
) -> SurfsightResult {
    let object = json_object(body)?;
    let email = required_text(&object, "email")?;
    let password = required_text(&object, "password")?;
    let signed_in = state.services.sign_in(email, password, address).await?;
    Ok(ok(json!({
        "data": { "token": signed_in.token.token, "organizationId": signed_in.org_id }
    })))
}

/// The bearer credentials of a request: a token, or (for `/organizations/sso`) a JWT.
pub struct BearerCredentials(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BearerCredentials {
    type Rejection = SurfsightError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, SurfsightError> {
        parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| strip_scheme(value, "Bearer"))
            .map(|credentials| Self(credentials.to_owned()))
            .ok_or_else(|| {
                SurfsightError::unauthorized(
                    "An Authorization header with a Bearer token is required",
                )
            })
    }
}

/// The authenticated caller of a Surfsight route.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = SurfsightError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, SurfsightError> {
        let BearerCredentials(token) = BearerCredentials::from_request_parts(parts, state).await?;
        Ok(Self(state.services.authenticate(&token).await?))
    }
}
