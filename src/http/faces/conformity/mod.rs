//! The Cloud Conformity face (see `docs/faces/conformity.md`),
//! mounted at `/conformity/v1`: API keys, external IDs, cloud accounts (AWS, Azure, GCP) and
//! their settings, Azure active directories, GCP organisations, groups and users, as JSON:API
//! documents (`application/vnd.api+json`) behind `Authorization: ApiKey …`. Repeated and
//! trailing slashes, which the Terraform client sends, are dealt with before routing (see
//! `http::app`).

mod accounts;
mod api_keys;
mod azure_gcp;
mod document;
mod external_ids;
mod groups;
mod members;
mod path;
mod settings;
mod users;

use axum::Router;
use axum::routing::{get, patch, post};

use crate::http::AppState;
use crate::http::kit;
pub use document::Conformity;

fn routes() -> kit::Routes<AppState> {
    kit::Routes::new()
        .route("/api-keys", get(api_keys::list))
        .route("/organisation/external-id", get(external_ids::organisation))
        .route("/external-ids", post(external_ids::create))
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route("/accounts/azure", post(azure_gcp::create_azure_account))
        .route("/accounts/gcp", post(azure_gcp::create_gcp_account))
        .route(
            "/accounts/{account_id}",
            get(accounts::get)
                .patch(accounts::update)
                .delete(accounts::delete),
        )
        .route("/accounts/{account_id}/access", get(accounts::access))
        .route(
            "/accounts/{account_id}/settings/bot",
            patch(settings::update_bot),
        )
        .route(
            "/accounts/{account_id}/settings/rules",
            get(settings::rules).patch(settings::update_rules),
        )
        .route(
            "/accounts/{account_id}/settings/rules/{rule_id}",
            get(settings::rule).patch(settings::update_rule),
        )
        .route(
            "/azure/active-directories",
            post(azure_gcp::create_active_directory),
        )
        .route(
            "/azure/active-directories/{directory_id}/subscriptions",
            get(azure_gcp::subscriptions),
        )
        .route(
            "/gcp/organisations",
            post(azure_gcp::create_gcp_organisation),
        )
        .route(
            "/gcp/organisations/{organisation_id}/projects",
            get(azure_gcp::projects),
        )
        .route("/groups", get(groups::list).post(groups::create))
        .route(
            "/groups/{group_id}",
            get(groups::get)
                .patch(groups::update)
                .delete(groups::delete),
        )
        .route("/users", get(users::list).post(users::invite))
        .route("/users/whoami", get(users::whoami))
        .route("/users/sso", post(users::add_sso))
        .route(
            "/users/{user_id}",
            get(users::get).patch(users::update).delete(users::revoke),
        )
}

pub fn router() -> Router<AppState> {
    kit::finish::<Conformity, _>(routes())
}

/// Every path of the face (relative to its base path), for the tests that must cover them all.
pub fn paths() -> Vec<&'static str> {
    routes().paths()
}
