//! What every face router ends with: its 404 and 405 answers and its time limit.

use std::time::Duration;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::response::IntoResponse;
use tower::ServiceBuilder;
use tower::timeout::TimeoutLayer;

use super::Face;
use crate::http::AppState;

/// The longest a request may take before the face answers that it timed out.
pub const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(30);

/// `routes` with face `F`'s answers for unknown routes and methods, and for a request that
/// takes longer than [`REQUEST_TIME_LIMIT`].
pub fn finish<F: Face>(routes: Router<AppState>) -> Router<AppState> {
    routes
        .fallback(|| async { F::route_not_found() })
        .method_not_allowed_fallback(|| async { F::method_not_allowed() })
        .layer(
            ServiceBuilder::new()
                // The only error a timeout layer gives is the elapsed time limit.
                .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                    F::timed_out().into_response()
                }))
                .layer(TimeoutLayer::new(REQUEST_TIME_LIMIT)),
        )
}
