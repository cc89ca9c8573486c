//! The HTTP layer: the router of every face, health checks, and the middleware every request
//! goes through (request id, one log line, internal errors logged once, repeated
//! and trailing slashes). Each face's router brings its own time limit and fallbacks
//! and its panic guard (`kit::finish`); the health checks have a panic guard of their own.

mod client_address;
pub mod faces;
mod health;
pub mod kit;
pub(crate) mod wire_time;

pub use client_address::ClientAddress;

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderName, Uri};
use tower::Layer;
use tower::util::{MapRequest, MapRequestLayer};
use tower_http::LatencyUnit;
use tower_http::normalize_path::{NormalizePath, NormalizePathLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::service::Services;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    /// The idOS face's settings (its rate limit).
    pub idos: faces::idos::IdosConfig,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as one service. Before routing, repeated slashes are collapsed into
/// one and a trailing slash is trimmed, so `/conformity/v1//api-keys/` reaches
/// `/conformity/v1/api-keys` and `/xponent/org/` reaches `/xponent/org`.
pub fn app(state: AppState) -> MapRequest<NormalizePath<Router>, fn(Request) -> Request> {
    let idos = state.idos.clone();
    let router = Router::new()
        .merge(health::router())
        .nest("/xponent", faces::xponent::router())
        .nest("/surfsight/v2", faces::surfsight::router())
        .nest("/conformity/v1", faces::conformity::router())
        .nest("/idos/1.0", faces::idos::router(idos))
        .nest(faces::native::BASE_PATH, faces::native::router())
        .with_state(state)
        .layer(kit::internal::LogInternalErrors)
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let request_id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    // The path only: query strings may carry tokens.
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        request_id = %request_id,
                    )
                })
                .on_response(
                    DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                ),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(SetSensitiveRequestHeadersLayer::new([AUTHORIZATION]));
    let trimmed = NormalizePathLayer::trim_trailing_slash().layer(router);
    MapRequestLayer::new(collapse_slashes as fn(Request) -> Request).layer(trimmed)
}

/// The request with every run of slashes in its path made one slash; the query string is
/// kept as it is. Clients that join a base URL ending in `/` with a path starting with `/`
/// (the Cloud Conformity Terraform client does) send `/v1//api-keys/`.
fn collapse_slashes(mut request: Request) -> Request {
    if let Some(uri) = collapsed(request.uri()) {
        *request.uri_mut() = uri;
    }
    request
}

/// `uri` with its path's repeated slashes collapsed, or `None` when it has none.
fn collapsed(uri: &Uri) -> Option<Uri> {
    let path = uri.path();
    if !path.contains("//") {
        return None;
    }
    let mut single = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && single.ends_with('/')) {
            single.push(c);
        }
    }
    let path_and_query = match uri.query() {
        Some(query) => format!("{single}?{query}"),
        None => single,
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(path_and_query.parse().ok()?);
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use super::collapsed;
    use axum::http::Uri;

    fn collapse(text: &str) -> Option<String> {
        collapsed(&text.parse::<Uri>().unwrap()).map(|uri| uri.to_string())
    }

    #[test]
    fn repeated_slashes_become_one_and_the_query_stays() {
        assert_eq!(
            collapse("/conformity/v1//api-keys/").as_deref(),
            Some("/conformity/v1/api-keys/")
        );
        assert_eq!(collapse("///a///b//").as_deref(), Some("/a/b/"));
        assert_eq!(
            collapse("/v1//accounts/x/settings/rules?notes=true&x=a//b").as_deref(),
            Some("/v1/accounts/x/settings/rules?notes=true&x=a//b")
        );
        assert_eq!(
            collapse("http://h:1/v1//users").as_deref(),
            Some("http://h:1/v1/users")
        );
    }

    #[test]
    fn a_path_without_repeated_slashes_is_left_alone() {
        assert_eq!(collapse("/conformity/v1/api-keys/"), None);
        assert_eq!(collapse("/a?b=//c"), None);
    }
}
