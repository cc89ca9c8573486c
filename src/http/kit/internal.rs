//! Internal errors: logged once, with the matched route and the error's context, by one
//! middleware; the client gets only the face's generic answer.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{MatchedPath, Request};
use axum::response::Response;
use tower::{Layer, Service};

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
///
/// A layer of its own rather than `middleware::from_fn`: it runs on every request, and this
/// way it neither boxes the inner future nor clones the inner service.
#[derive(Clone, Copy, Default)]
pub struct LogInternalErrors;

impl<S> Layer<S> for LogInternalErrors {
    type Service = LogInternalErrorsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        LogInternalErrorsService { inner }
    }
}

#[derive(Clone)]
pub struct LogInternalErrorsService<S> {
    inner: S,
}

impl<S> Service<Request> for LogInternalErrorsService<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = LoggedResponse<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let route = request.extensions().get::<MatchedPath>().cloned();
        LoggedResponse {
            response: self.inner.call(request),
            route,
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner response future; its response is looked at once it is ready.
    pub struct LoggedResponse<F> {
        #[pin]
        response: F,
        route: Option<MatchedPath>,
    }
}

impl<F, E> Future for LoggedResponse<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = std::task::ready!(this.response.poll(cx));
        if let Ok(response) = &result
            && let Some(InternalError(error)) = response.extensions().get::<InternalError>()
        {
            tracing::error!(
                route = this.route.as_ref().map_or("(no route)", MatchedPath::as_str),
                status = response.status().as_u16(),
                error = %format!("{error:#}"),
                "internal error"
            );
        }
        Poll::Ready(result)
    }
}
