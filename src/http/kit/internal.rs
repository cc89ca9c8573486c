//! Internal errors: logged once, with the matched route and the error's context, by one
//! middleware; the client gets only the face's generic answer.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// An internal error, left in a response's extensions by the face that answered it.
#[derive(Clone)]
pub struct InternalError(pub Arc<anyhow::Error>);

/// `response` (the face's generic 500) carrying `error` for the log.
pub fn report(mut response: Response, error: anyhow::Error) -> Response {
    response
        .extensions_mut()
        .insert(InternalError(Arc::new(error)));
    response
}

/// Logs the internal error a face left in the response, once, with the route that matched
/// (the route, not the raw path: ids and whatever else a client put in a path stay out).
pub async fn log_internal_errors(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    if let Some(InternalError(error)) = response.extensions().get::<InternalError>() {
        tracing::error!(
            route = route.as_ref().map_or("(no route)", MatchedPath::as_str),
            status = response.status().as_u16(),
            error = %format!("{error:#}"),
            "internal error"
        );
    }
    response
}
