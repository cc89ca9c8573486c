//! The Surfsight face (see `docs/faces/surfsight.md`), mounted at
//! `/surfsight/v2`: partner sign-in, organizations, and SSO admin tokens. Tokens travel as
//! `Authorization: Bearer …`; errors are `{"message": …}`.

mod auth;
mod orgs;
mod reply;

use axum::Router;
use axum::routing::{get, post};

use crate::http::AppState;
use crate::http::kit;
pub use reply::Surfsight;

fn routes() -> kit::Routes<AppState> {
    kit::Routes::new()
        .route("/authenticate", post(auth::authenticate))
        .route("/organizations", get(orgs::list).post(orgs::create))
        .route("/organizations/sso", get(orgs::sso))
}

pub fn router() -> Router<AppState> {
    kit::finish::<Surfsight, _>(routes())
}

/// Every path of the face (relative to its base path), for the tests that must cover them all.
pub fn paths() -> Vec<&'static str> {
    routes().paths()
}
