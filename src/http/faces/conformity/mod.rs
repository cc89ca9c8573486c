//! The Cloud Conformity face (see `docs/faces/conformity.md`),
//! mounted at `/conformity/v1`: API keys, external IDs and cloud accounts, as JSON:API
//! documents (`application/vnd.api+json`) behind `Authorization: ApiKey …`. Trailing slashes,
//! which the Terraform client sends, are trimmed before routing (see `http::app`).

mod accounts;
mod api_keys;
mod document;
mod external_ids;

use axum::Router;
use axum::routing::{get, post};

use crate::http::AppState;
use crate::http::kit;
pub use document::Conformity;

fn routes() -> kit::Routes<AppState> {
    kit::Routes::new()
        .route("/api-keys", get(api_keys::list))
        .route("/organisation/external-id", get(external_ids::organisation))
        .route("/external-ids", post(external_ids::create))
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route(
            "/accounts/{account_id}",
            get(accounts::get)
                .patch(accounts::update)
                .delete(accounts::delete),
        )
        .route("/accounts/{account_id}/access", get(accounts::access))
}

pub fn router() -> Router<AppState> {
    kit::finish::<Conformity, _>(routes())
}

/// Every path of the face (relative to its base path), for the tests that must cover them all.
pub fn paths() -> Vec<&'static str> {
    routes().paths()
}
