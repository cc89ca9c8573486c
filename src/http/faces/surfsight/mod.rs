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

pub fn router() -> Router<AppState> {
    let routes = Router::new()
        .route("/authenticate", post(auth::authenticate))
        .route("/organizations", get(orgs::list).post(orgs::create))
        .route("/organizations/sso", get(orgs::sso));
    kit::finish::<Surfsight, _>(routes)
}
