//! The Xponent Hub Provisioning face (see `docs/faces/xponent.md`), mounted at
//! `/xponent`. Handlers parse the wire format, call one service, and render the envelope.

mod input;
mod orgs;
mod projects;
mod reply;
mod token;
mod users;

use axum::Router;
use axum::routing::{get, post, put};

use crate::http::AppState;
use crate::http::kit;
pub use reply::{Xponent, XponentError};

fn routes() -> kit::Routes<AppState> {
    kit::Routes::new()
        .route("/token", post(token::issue))
        .route("/login", post(token::redeem))
        .route("/org", get(orgs::list).post(orgs::create))
        .route("/org/{org_id}", put(orgs::update).delete(orgs::delete))
        .route("/org/{org_id}/templates", get(orgs::templates))
        .route(
            "/project/org/{org_id}",
            get(projects::list).post(projects::create),
        )
        .route(
            "/project/{project_id}",
            put(projects::update).delete(projects::delete),
        )
        .route("/user", get(users::list))
        .route("/user/org/{org_id}", post(users::create))
        .route("/user/{user_id}", put(users::update).delete(users::delete))
        .route("/user/{user_id}/loginToken", get(users::login_token))
}

pub fn router() -> Router<AppState> {
    kit::finish::<Xponent, _>(routes())
}

/// Every path of the face (relative to its base path), for the tests that must cover them all.
pub fn paths() -> Vec<&'static str> {
    routes().paths()
}
