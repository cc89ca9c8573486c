//! The HTTP layer: the router of every face, health checks, and the middleware every request
//! goes through (request id, one log line, internal errors logged once, panic guard, trailing
//! slashes). Each face's router brings its own time limit and fallbacks (`kit::finish`).

mod client_address;
pub mod faces;
mod health;
pub mod kit;
pub(crate) mod wire_time;

pub use client_address::ClientAddress;

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderName;
use axum::http::header::AUTHORIZATION;
use axum::middleware;
use tower::Layer;
use tower_http::LatencyUnit;
use tower_http::catch_panic::CatchPanicLayer;
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

/// The whole application as one service. Trailing slashes are trimmed before routing, so
/// `/xponent/org/` reaches `/xponent/org`.
pub fn app(state: AppState) -> NormalizePath<Router> {
    let idos = state.idos;
    let router = Router::new()
        .merge(health::router())
        .nest("/xponent", faces::xponent::router())
        .nest("/surfsight/v2", faces::surfsight::router())
        .nest("/conformity/v1", faces::conformity::router())
        .nest("/idos/1.0", faces::idos::router(idos))
        .with_state(state)
        .layer(middleware::from_fn(kit::internal::log_internal_errors))
        .layer(CatchPanicLayer::new())
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
    NormalizePathLayer::trim_trailing_slash().layer(router)
}
