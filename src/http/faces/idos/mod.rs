//! The idOS face (see `docs/faces/idos.md`), mounted at `/idos/1.0`: the General and Company
//! groups of the idOS API on orghub's organizations (companies), with idOS's conventions as
//! layers of its own (`conventions/`): envelopes in JSON, JSON-P or XML, conditional requests,
//! rate-limit headers, CORS.

mod companies;
pub mod conventions;
mod credentials;
mod error;
mod hooks;
mod input;
mod members;
mod reply;
mod settings;

use std::sync::Arc;

use axum::Router;
use axum::extract::Extension;
use axum::http::{Method, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use serde_json::json;

use crate::http::AppState;
use crate::http::kit;
use crate::service::idos::HookHandshake;
use conventions::envelope::{self, Envelope};
use conventions::rate_limit::{self, RateLimiter};
use conventions::{cors, etag};
pub use error::{Idos, IdosHttpError};

/// The requests a minute each caller may make, unless configured (`--idos-rate-limit`): the
/// figure of the idOS documentation's examples.
pub const DEFAULT_RATE_LIMIT: u32 = 5400;

/// The face's settings.
#[derive(Clone)]
pub struct IdosConfig {
    /// Requests a minute per caller.
    pub rate_limit: u32,
    /// What makes hook handshakes: the hook engine's client, set when the server starts
    /// (`Application::run_until_stopped`), with its rules on which addresses hooks may reach.
    pub handshake: Option<Arc<dyn HookHandshake>>,
}

impl Default for IdosConfig {
    fn default() -> Self {
        Self {
            rate_limit: DEFAULT_RATE_LIMIT,
            handshake: None,
        }
    }
}

/// The hook handshake of the running server, for the hook routes.
#[derive(Clone)]
pub struct Handshake(pub Option<Arc<dyn HookHandshake>>);

/// One route of `GET /`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Endpoint {
    pub name: String,
    pub uri: String,
    pub methods: Vec<String>,
}

/// The routes as they are built, and the list of their endpoints that `GET /` shows.
struct Routes {
    routes: kit::Routes<AppState>,
    endpoints: Vec<Endpoint>,
}

impl Routes {
    /// Adds `uri` answering `actions` (method and public name), with the route's CORS.
    fn add(
        mut self,
        uri: &'static str,
        actions: &[(Method, &str)],
        handlers: MethodRouter<AppState>,
    ) -> Self {
        let methods: Vec<Method> = actions.iter().map(|(m, _)| m.clone()).collect();
        // OPTIONS without a preflight's headers gets 204, as idOS answers it.
        let handlers = handlers
            .options(|| async { StatusCode::NO_CONTENT })
            .layer::<_, std::convert::Infallible>(from_fn_with_state(
                cors::method_list(&methods),
                cors::repeat_preflight_headers,
            ))
            .layer::<_, std::convert::Infallible>(cors::layer(&methods));
        self.routes = self.routes.route(uri, handlers);
        for (method, name) in actions {
            self.endpoints.push(Endpoint {
                name: (*name).to_owned(),
                uri: uri.to_owned(),
                methods: vec![method.as_str().to_owned()],
            });
        }
        self
    }
}

/// The error envelope the conventions' layers answer with.
fn error_envelope(status: StatusCode, kind: &'static str, message: String) -> Envelope {
    Envelope::new(status, IdosHttpError::new(status, kind, message).envelope())
}

/// The query-string parameters that carry tokens, for the rate limit's caller.
const TOKEN_PARAMS: &[&str] = &["identityToken", "credentialToken", "token", "userToken"];

/// Every path of the face, as routed (for the tenant-isolation test's check that each route
/// is in its table).
pub fn paths() -> Vec<&'static str> {
    routes().routes.paths()
}

pub fn router(config: IdosConfig) -> Router<AppState> {
    let routes = routes();
    let endpoints = Arc::new(routes.endpoints);
    let limiter = RateLimiter::new(config.rate_limit);
    // Outermost last: conditional requests see the rendered body; the rendering writes every
    // envelope, the rate limit's 429 included; refusals made without the route (a bad
    // callback, `forcedError`) come inside the rate limit, which counts them too.
    kit::finish::<Idos, _>(routes.routes)
        .layer(Extension(endpoints))
        .layer(Extension(Handshake(config.handshake)))
        .layer(from_fn(|request, next| {
            envelope::refuse(error_envelope, request, next)
        }))
        .layer(from_fn(move |request, next| {
            rate_limit::limit(
                limiter.clone(),
                TOKEN_PARAMS,
                crate::service::idos::unverified_issuer,
                error_envelope,
                request,
                next,
            )
        }))
        .layer(from_fn(envelope::render))
        .layer(from_fn(etag::conditional))
}

fn routes() -> Routes {
    use axum::routing::{delete, get, patch, post, put};
    Routes {
        routes: kit::Routes::new(),
        endpoints: Vec::new(),
    }
    .add("/", &[(Method::GET, "main:listAll")], get(list_endpoints))
    .add(
        "/companies",
        &[(Method::GET, "companies:listAll")],
        get(companies::list),
    )
    .add(
        "/companies/{companySlug}",
        &[
            (Method::GET, "companies:getOne"),
            (Method::POST, "companies:createNew"),
            (Method::PATCH, "companies:updateOne"),
            (Method::DELETE, "companies:deleteOne"),
        ],
        get(companies::get_one)
            .post(companies::create)
            .patch(companies::update)
            .delete(companies::delete),
    )
    .add(
        "/companies/{companySlug}/credentials",
        &[
            (Method::GET, "credentials:listAll"),
            (Method::POST, "credentials:createNew"),
        ],
        get(credentials::list).post(credentials::create),
    )
    .add(
        "/companies/{companySlug}/credentials/{pubKey}",
        &[
            (Method::GET, "credentials:getOne"),
            (Method::PUT, "credentials:updateOne"),
            (Method::PATCH, "credentials:updateOne"),
            (Method::DELETE, "credentials:deleteOne"),
        ],
        get(credentials::get_one)
            .merge(put(credentials::update))
            .merge(patch(credentials::update))
            .merge(delete(credentials::delete)),
    )
    .add(
        "/companies/{companySlug}/handlers",
        &[
            (Method::GET, "handlers:listAll"),
            (Method::POST, "handlers:createNew"),
        ],
        get(credentials::list_handlers).merge(post(credentials::create_handler)),
    )
    .add(
        "/companies/{companySlug}/handlers/{handlerId}",
        &[
            (Method::GET, "handlers:getOne"),
            (Method::PATCH, "handlers:updateOne"),
            (Method::DELETE, "handlers:deleteOne"),
        ],
        get(credentials::get_handler)
            .patch(credentials::update_handler)
            .delete(credentials::delete_handler),
    )
    .add(
        "/companies/{companySlug}/credentials/{pubKey}/hooks",
        &[
            (Method::GET, "hooks:listAll"),
            (Method::POST, "hooks:createNew"),
        ],
        get(hooks::list).post(hooks::create),
    )
    .add(
        "/companies/{companySlug}/credentials/{pubKey}/hooks/{hookId}",
        &[
            (Method::GET, "hooks:getOne"),
            (Method::PATCH, "hooks:updateOne"),
            (Method::DELETE, "hooks:deleteOne"),
        ],
        get(hooks::get_one)
            .patch(hooks::update)
            .delete(hooks::delete),
    )
    .add(
        "/companies/{companySlug}/invitations",
        &[
            (Method::GET, "invitations:listAll"),
            (Method::POST, "invitations:createNew"),
        ],
        get(members::list_invitations).post(members::invite),
    )
    .add(
        "/companies/{companySlug}/invitations/{invitationId}",
        &[
            (Method::PATCH, "invitations:updateOne"),
            (Method::DELETE, "invitations:deleteOne"),
        ],
        patch(members::update_invitation).delete(members::delete_invitation),
    )
    // The blueprint's spelling of the same two actions.
    .add(
        "/companies/{companySlug}/invitation/{invitationId}",
        &[
            (Method::PATCH, "invitation:updateOne"),
            (Method::DELETE, "invitation:deleteOne"),
        ],
        patch(members::update_invitation).delete(members::delete_invitation),
    )
    .add(
        "/companies/{companySlug}/members",
        &[(Method::GET, "members:listAll")],
        get(members::list),
    )
    .add(
        "/companies/{companySlug}/members/{memberId}",
        &[
            (Method::GET, "members:getOne"),
            (Method::PATCH, "members:updateOne"),
            (Method::DELETE, "members:deleteOne"),
        ],
        get(members::get_one)
            .patch(members::update)
            .delete(members::delete),
    )
    .add(
        "/companies/{companySlug}/membership",
        &[(Method::GET, "members:getMembership")],
        get(members::membership),
    )
    .add(
        "/companies/{companySlug}/profiles",
        &[(Method::GET, "companyProfiles:listAll")],
        get(settings::list_profiles),
    )
    .add(
        "/companies/{companySlug}/profiles/{userId}",
        &[
            (Method::GET, "companyProfiles:getOne"),
            (Method::DELETE, "companyProfiles:deleteOne"),
        ],
        get(settings::get_profile).delete(settings::delete_profile),
    )
    .add(
        "/companies/{companySlug}/settings",
        &[
            (Method::GET, "settings:listAll"),
            (Method::POST, "settings:createNew"),
        ],
        get(settings::list_settings).post(settings::create_setting),
    )
    .add(
        "/companies/{companySlug}/settings/{settingId}",
        &[
            (Method::GET, "settings:getOne"),
            (Method::PATCH, "settings:updateOne"),
            (Method::DELETE, "settings:deleteOne"),
        ],
        get(settings::get_setting)
            .patch(settings::update_setting)
            .delete(settings::delete_setting),
    )
    .add(
        "/companies/{companySlug}/credentials/{pubKey}/subscriptions",
        &[
            (Method::GET, "subscriptions:listAll"),
            (Method::POST, "subscriptions:createNew"),
        ],
        get(settings::list_subscriptions).post(settings::subscribe),
    )
    .add(
        "/companies/{companySlug}/credentials/{pubKey}/subscriptions/{subscriptionId}",
        &[(Method::DELETE, "subscriptions:deleteOne")],
        delete(settings::unsubscribe),
    )
    .add(
        "/companies/{companySlug}/widgets",
        &[
            (Method::GET, "widgets:listAll"),
            (Method::POST, "widgets:createNew"),
        ],
        get(settings::list_widgets).post(settings::create_widget),
    )
    .add(
        "/companies/{companySlug}/widgets/{widgetHash}",
        &[
            (Method::GET, "widgets:getOne"),
            (Method::PUT, "widgets:updateOne"),
            (Method::DELETE, "widgets:deleteOne"),
        ],
        get(settings::get_widget)
            .put(settings::update_widget)
            .delete(settings::delete_widget),
    )
}

/// `GET /`: every endpoint with its methods, from the router's own list. One entry per route
/// and method, merged by URI as idOS lists them (one entry per named action).
async fn list_endpoints(Extension(endpoints): Extension<Arc<Vec<Endpoint>>>) -> Response {
    let mut merged: Vec<Endpoint> = Vec::new();
    for endpoint in endpoints.iter() {
        match merged
            .iter_mut()
            .find(|e| e.name == endpoint.name && e.uri == endpoint.uri)
        {
            Some(existing) => existing.methods.extend(endpoint.methods.iter().cloned()),
            None => merged.push(endpoint.clone()),
        }
    }
    Envelope::data(StatusCode::OK, json!(merged), None).into_response()
}
