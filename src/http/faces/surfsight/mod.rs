//! The Surfsight face (see `docs/faces/surfsight.md`), mounted at
//! `/surfsight/v2`: partner sign-in, organizations, and SSO admin tokens. Tokens travel as
//! `Authorization: Bearer …`; errors are `{"message": …}`.

mod auth;
mod orgs;
mod reply;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};

use crate::http::AppState;
use reply::SurfsightError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/authenticate", post(auth::authenticate))
        .route("/organizations", get(orgs::list).post(orgs::create))
        .route("/organizations/sso", get(orgs::sso))
        .fallback(|| async { SurfsightError::new(StatusCode::NOT_FOUND, "Route not found") })
        .method_not_allowed_fallback(|| async {
            SurfsightError::new(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
        })
}
