//! `GET /healthz` answers while the process runs; `GET /readyz` only while the database does.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;

use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        // The faces answer a panic in their own format (`kit::finish`); these routes have none.
        .layer(CatchPanicLayer::new())
}

/// A database that does not answer within this long is not ready.
const READY_TIME_LIMIT: Duration = Duration::from_secs(5);

async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let ready = tokio::time::timeout(READY_TIME_LIMIT, state.services.is_ready()).await;
    if ready.unwrap_or(false) {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}
