//! What every face router ends with: its 404 and 405 answers and its time limit.

use std::time::Duration;

use axum::Router;
use axum::response::IntoResponse;
use tower_http::catch_panic::CatchPanicLayer;

use super::Face;
use super::time_limit::TimeLimit;
use crate::service::ServiceError;

/// The face's 500 for a handler that panicked; the panic itself is in the log already (the
/// panic hook prints it), the internal error says where it answered.
fn panicked<F: Face>(_panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let error = anyhow::anyhow!("a request handler panicked");
    F::Error::from(ServiceError::Internal(error)).into_response()
}

/// A face's routes as they are added, with their paths kept: the tenant-isolation test
/// (`tests/api/isolation.rs`) must cover every route of every face, and finds a new one here.
pub struct Routes<S> {
    router: Router<S>,
    paths: Vec<&'static str>,
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            paths: Vec::new(),
        }
    }

    /// `Router::route`, keeping the path.
    pub fn route(mut self, path: &'static str, methods: axum::routing::MethodRouter<S>) -> Self {
        self.router = self.router.route(path, methods);
        self.paths.push(path);
        self
    }

    /// Routes made elsewhere (the native face's come from its OpenAPI router, which keeps
    /// their paths in its document).
    pub fn from_router(router: Router<S>) -> Self {
        Self {
            router,
            paths: Vec::new(),
        }
    }

    /// Every path routed, in the order added.
    pub fn paths(&self) -> Vec<&'static str> {
        self.paths.clone()
    }
}

impl<S: Clone + Send + Sync + 'static> Default for Routes<S> {
    fn default() -> Self {
        Self::new()
    }
}

/// The longest a request may take before the face answers that it timed out.
pub const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(30);

/// `routes` with face `F`'s answers for unknown routes and methods, for a request that takes
/// longer than [`REQUEST_TIME_LIMIT`], and for a handler that panics (the face's 500, logged
/// as an internal error).
pub fn finish<F: Face, S>(routes: Routes<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    routes
        .router
        .fallback(|| async { F::route_not_found() })
        .method_not_allowed_fallback(|| async { F::method_not_allowed() })
        .layer(CatchPanicLayer::custom(panicked::<F>))
        .layer(TimeLimit::<F>::new(REQUEST_TIME_LIMIT))
}
