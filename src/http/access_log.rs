//! One line per request, written when the response is ready: method, path, status, latency
//! and request id; `INFO`, or `ERROR` for a server error.
//!
//! A layer of its own rather than tower-http's `TraceLayer`: that one opens a span per
//! request, whose fields the log formatter renders into a string before the handler runs and
//! whose context it renders again into the response line. Here the fields are recorded once,
//! as they are (status and latency as numbers): with colour codes kept out of files, the log
//! line went from about 27k to 12k instructions per request (see bench/README.md). The request
//! span is still opened at `DEBUG` (`RUST_LOG=debug`), for correlating everything a request
//! logged.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use tower::{Layer, Service};
use tracing::Span;

/// The layer; `request_id` names the header that `SetRequestIdLayer` filled in before it.
#[derive(Clone)]
pub struct AccessLog {
    pub request_id: HeaderName,
}

impl<S> Layer<S> for AccessLog {
    type Service = AccessLogService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AccessLogService {
            inner,
            request_id: self.request_id.clone(),
        }
    }
}

#[derive(Clone)]
pub struct AccessLogService<S> {
    inner: S,
    request_id: HeaderName,
}

impl<S> Service<Request> for AccessLogService<S>
where
    S: Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = LoggedRequest<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let request_id = request.headers().get(&self.request_id).cloned();
        // The path only: query strings may carry tokens.
        let span = tracing::debug_span!(
            "request",
            method = %request.method(),
            path = request.uri().path(),
            request_id = request_id.as_ref().and_then(|id| id.to_str().ok()),
        );
        let line = Some(Line {
            method: request.method().clone(),
            uri: request.uri().clone(),
            request_id,
            started: Instant::now(),
        });
        let response = span.in_scope(|| self.inner.call(request));
        LoggedRequest {
            response,
            span,
            line,
        }
    }
}

/// What the line says about the request, kept until its response is ready.
struct Line {
    method: Method,
    uri: Uri,
    request_id: Option<HeaderValue>,
    started: Instant,
}

impl Line {
    /// The line: `INFO`, or `ERROR` for a server error (whose cause, when the face left one,
    /// `kit::internal` logs beside it).
    fn write(self, status: StatusCode) {
        let latency_us = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX);
        macro_rules! line {
            ($level:ident) => {
                tracing::$level!(
                    method = self.method.as_str(),
                    path = self.uri.path(),
                    status = status.as_u16(),
                    latency_us,
                    request_id = self.request_id.as_ref().and_then(|id| id.to_str().ok()),
                    "request"
                )
            };
        }
        if status.is_server_error() {
            line!(error);
        } else {
            line!(info);
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner response future, polled inside the request's span.
    pub struct LoggedRequest<F> {
        #[pin]
        response: F,
        span: Span,
        line: Option<Line>,
    }
}

impl<F, E> Future for LoggedRequest<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = {
            let _entered = this.span.enter();
            std::task::ready!(this.response.poll(cx))
        };
        if let (Ok(response), Some(line)) = (&result, this.line.take()) {
            line.write(response.status());
        }
        Poll::Ready(result)
    }
}
