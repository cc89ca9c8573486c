//! `Authorization: Bearer <credential>`: any bearer credential orghub issues names an actor
//! here, and the services decide what that actor may do, as on every face.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::Native;
use super::problem::ApiError;
use crate::http::AppState;
use crate::http::kit::{Credentials, request_id};
use crate::service::{Actor, ServiceError};

/// The kinds of bearer credential the native API accepts, tried in the order of [`ACCEPTED`]
/// until one knows the credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerKind {
    /// A token orghub stores: a native access token (`POST /oauth/token`), or one issued on
    /// another face (an Xponent owner or session token, a Surfsight partner or organization
    /// admin token). One look-up serves them all: they share the tokens table and
    /// `Services::authenticate`, which knows each kind.
    FaceToken,
    /// An API key (`orghub api-key create`, Cloud Conformity's `ApiKey`).
    ApiKey,
}

/// Every kind, in the order tried.
pub const ACCEPTED: &[BearerKind] = &[BearerKind::FaceToken, BearerKind::ApiKey];

async fn authenticate_as(
    state: &AppState,
    kind: BearerKind,
    credential: &str,
) -> Result<Actor, ServiceError> {
    match kind {
        BearerKind::FaceToken => state.services.authenticate(credential).await,
        BearerKind::ApiKey => state.services.authenticate_api_key(credential).await,
    }
}

/// The actor behind the request's bearer credential. A credential no kind knows is one 401,
/// whichever kind refused it last; any other failure (a store error) is answered at once.
pub async fn authenticate(state: &AppState, credential: &str) -> Result<Actor, ApiError> {
    Ok(bearer_actor(state, credential).await?)
}

/// `authenticate` in the service's terms, for the routes that answer in words of their own
/// (OAuth introspection and revocation).
pub async fn bearer_actor(state: &AppState, credential: &str) -> Result<Actor, ServiceError> {
    let mut refusal = None;
    for &kind in ACCEPTED {
        match authenticate_as(state, kind, credential).await {
            Ok(actor) => return Ok(actor),
            Err(ServiceError::Unauthorized(why)) => refusal = Some(why),
            Err(other) => return Err(other),
        }
    }
    let why = refusal.expect("at least one kind of credential is accepted");
    Err(ServiceError::Unauthorized(why))
}

/// The authenticated caller of a native route.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Credentials(credential, PhantomData) =
            Credentials::<Native>::from_request_parts(parts, state).await?;
        let mut actor = authenticate(state, &credential.value).await?;
        actor.request_id = request_id(parts);
        Ok(Self(actor))
    }
}
