//! The request time limit, answered in the face's own words.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service};

use super::Face;

/// Answers `F::timed_out()` for a request whose response head is not ready within `limit`
/// (a streamed body may take longer). A layer of its own, so that the hot path boxes nothing.
pub struct TimeLimit<F> {
    limit: Duration,
    face: PhantomData<fn() -> F>,
}

impl<F> TimeLimit<F> {
    pub fn new(limit: Duration) -> Self {
        Self {
            limit,
            face: PhantomData,
        }
    }
}

impl<F> Clone for TimeLimit<F> {
    fn clone(&self) -> Self {
        Self::new(self.limit)
    }
}

impl<F, S> Layer<S> for TimeLimit<F> {
    type Service = TimeLimited<F, S>;

    fn layer(&self, inner: S) -> Self::Service {
        TimeLimited {
            inner,
            limit: self.limit,
            face: PhantomData,
        }
    }
}

pub struct TimeLimited<F, S> {
    inner: S,
    limit: Duration,
    face: PhantomData<fn() -> F>,
}

impl<F, S: Clone> Clone for TimeLimited<F, S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            limit: self.limit,
            face: PhantomData,
        }
    }
}

impl<F: Face, S> Service<Request> for TimeLimited<F, S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Limited<F, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        Limited {
            response: tokio::time::timeout(self.limit, self.inner.call(request)),
            face: PhantomData,
        }
    }
}

pin_project_lite::pin_project! {
    pub struct Limited<F, R> {
        #[pin]
        response: tokio::time::Timeout<R>,
        face: PhantomData<fn() -> F>,
    }
}

impl<F: Face, R, E> Future for Limited<F, R>
where
    R: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Ready(match std::task::ready!(self.project().response.poll(cx)) {
            Ok(result) => result,
            Err(_elapsed) => Ok(F::timed_out().into_response()),
        })
    }
}
