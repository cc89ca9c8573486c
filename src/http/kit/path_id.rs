//! Ids in paths: parsed once, and refused with the face's own answer.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use super::Face;
use crate::domain::PublicId;

/// The one path parameter of a route of face `F`, as a [`PublicId`]. A value that is not an
/// id gets `F::invalid_id` with the parameter's name in the route (`org_id`, `user_id` …),
/// which the face words as its document does.
pub struct PathId<F>(pub PublicId, pub PhantomData<F>);

impl<F: Face, S: Send + Sync> FromRequestParts<S> for PathId<F> {
    type Rejection = F::Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, F::Error> {
        // Routes with a path id have one parameter; without one the route is wrongly wired,
        // and no id can be found: the face's 404 is the honest answer.
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| F::route_not_found())?;
        let (param, value) = params.iter().last().ok_or_else(F::route_not_found)?;
        PublicId::parse(value)
            .map(|id| Self(id, PhantomData))
            .ok_or_else(|| F::invalid_id(param, value))
    }
}
