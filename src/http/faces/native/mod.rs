//! The native API (see `docs/faces/native.md`), mounted at `/api/v1`: orghub's own API,
//! described by its OpenAPI document. Errors are problem details, lists are cursor pages,
//! single resources carry entity tags.
//!
//! Routes are declared once, with `utoipa-axum`'s `routes!`: the router and the document come
//! from the same list.

mod auth;
mod body;
mod conformity;
mod credentials;
mod cursor;
mod errors;
mod etag;
mod events;
mod hooks;
mod idempotency;
mod identity_keys;
mod idos;
mod ids;
mod oauth;
mod openapi;
mod orgs;
mod params;
mod problem;
mod projects;
mod users;

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware::from_fn;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::AppState;
use crate::http::kit::{self, BodyProblem, Face, Scheme};
pub use problem::{ApiError, Problem};

/// Where the face is mounted (see `http::app`).
pub const BASE_PATH: &str = "/api/v1";

/// The native face, for the HTTP kit: its error and its words for what the kit refuses.
pub struct Native;

impl Face for Native {
    type Error = ApiError;

    const SCHEMES: &'static [Scheme] = &[Scheme::Bearer];

    fn body_refused(problem: BodyProblem) -> ApiError {
        match problem {
            BodyProblem::TooLarge => ApiError::status(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is larger than the server accepts",
            ),
            BodyProblem::Unreadable => ApiError::bad_request("The request body could not be read"),
            BodyProblem::Empty => {
                ApiError::bad_request("The request body is empty: a JSON object is expected")
            }
            BodyProblem::NotJson => ApiError::bad_request("The request body is not JSON"),
            BodyProblem::NotAnObject => {
                ApiError::bad_request("The request body is not a JSON object")
            }
        }
    }

    fn credentials_missing() -> ApiError {
        ApiError::unauthorized(
            "The request needs an Authorization header: Bearer and a token or API key",
            false,
        )
    }

    fn invalid_id(param: &str, _value: &str) -> ApiError {
        ApiError::bad_parameter(param, "is not a UUID")
    }

    fn route_not_found() -> ApiError {
        ApiError::not_found("No route has this path")
    }

    fn method_not_allowed() -> ApiError {
        ApiError::status(
            StatusCode::METHOD_NOT_ALLOWED,
            "The route does not take this method",
        )
    }

    fn timed_out() -> ApiError {
        ApiError::status(
            StatusCode::SERVICE_UNAVAILABLE,
            "The request took longer than the server allows",
        )
    }
}

/// Every documented route, with the document they make.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(orgs::create_org))
        .routes(routes!(orgs::get_org, orgs::update_org, orgs::delete_org))
        .routes(routes!(orgs::list_children))
        .routes(routes!(orgs::subtree))
        .routes(routes!(orgs::ancestors))
        .routes(routes!(users::create_user, users::list_users))
        .routes(routes!(
            users::get_user,
            users::update_user,
            users::delete_user
        ))
        .routes(routes!(users::set_role))
        .routes(routes!(users::set_password))
        .routes(routes!(events::list_events))
        .routes(routes!(hooks::create_hook, hooks::list_hooks))
        .routes(routes!(
            hooks::get_hook,
            hooks::update_hook,
            hooks::delete_hook
        ))
        .routes(routes!(hooks::deliveries))
        .routes(routes!(hooks::replay))
        .routes(routes!(projects::list_templates, projects::create_template))
        .routes(routes!(projects::list_projects, projects::create_project))
        .routes(routes!(
            projects::get_project,
            projects::update_project,
            projects::delete_project
        ))
        .routes(routes!(projects::set_connection))
        .routes(routes!(
            conformity::list_accounts,
            conformity::create_account
        ))
        .routes(routes!(conformity::get_account, conformity::delete_account))
        .routes(routes!(conformity::organization_external_id))
        .routes(routes!(conformity::create_external_id))
        .routes(routes!(
            credentials::create_api_key,
            credentials::list_api_keys
        ))
        .routes(routes!(credentials::revoke_api_key))
        .routes(routes!(credentials::issue_secret_key))
        .routes(routes!(idos::create_credential, idos::list_credentials))
        .routes(routes!(
            idos::get_credential,
            idos::update_credential,
            idos::delete_credential
        ))
        .routes(routes!(idos::create_handler, idos::list_handlers))
        .routes(routes!(
            idos::get_handler,
            idos::update_handler,
            idos::delete_handler
        ))
        .routes(routes!(
            identity_keys::create_identity_key,
            identity_keys::list_identity_keys
        ))
        .routes(routes!(identity_keys::delete_identity_key))
        .merge(oauth::routes())
}

/// The OpenAPI document of the face (`orghub openapi` prints it).
pub fn document() -> utoipa::openapi::OpenApi {
    api().into_openapi()
}

pub fn router() -> Router<AppState> {
    let (routes, document) = api().split_for_parts();
    let routes = routes.merge(openapi::routes(Arc::new(document)));
    kit::finish::<Native, _>(kit::Routes::from_router(routes))
        .layer(from_fn(problem::with_instance))
}

/// Every path of the face (relative to its base path), for the tests that must cover them all.
pub fn paths() -> Vec<String> {
    let mut paths: Vec<String> = document().paths.paths.keys().cloned().collect();
    paths.extend(openapi::PATHS.iter().map(|path| (*path).to_owned()));
    paths
}
