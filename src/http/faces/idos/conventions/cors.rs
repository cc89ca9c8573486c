//! CORS as idOS sends it: any origin echoed, credentials allowed, the route's methods, a
//! listed set of request and exposed headers, cached 3628800 seconds. tower-http's layer
//! answers preflight requests; idOS also repeats the preflight headers on actual answers, which
//! `repeat_preflight_headers` adds.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_MAX_AGE, ORIGIN,
};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub const MAX_AGE_SECS: u64 = 3_628_800;

pub const ALLOWED_HEADERS: [HeaderName; 5] = [
    axum::http::header::AUTHORIZATION,
    axum::http::header::CONTENT_TYPE,
    axum::http::header::IF_MODIFIED_SINCE,
    axum::http::header::IF_NONE_MATCH,
    HeaderName::from_static("x-requested-with"),
];

pub const EXPOSED_HEADERS: [HeaderName; 4] = [
    axum::http::header::ETAG,
    HeaderName::from_static("x-rate-limit-limit"),
    HeaderName::from_static("x-rate-limit-remaining"),
    HeaderName::from_static("x-rate-limit-reset"),
];

/// The methods a route answers, and `OPTIONS`.
pub fn with_options(methods: &[Method]) -> Vec<Method> {
    let mut all = methods.to_vec();
    all.push(Method::OPTIONS);
    all
}

/// `GET,DELETE,OPTIONS`: the methods as idOS lists them.
pub fn method_list(methods: &[Method]) -> String {
    with_options(methods)
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

/// The CORS layer of a route answering `methods`.
pub fn layer(methods: &[Method]) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_credentials(true)
        .allow_methods(with_options(methods))
        .allow_headers(ALLOWED_HEADERS)
        .expose_headers(EXPOSED_HEADERS)
        .max_age(Duration::from_secs(MAX_AGE_SECS))
}

/// Adds `Access-Control-Allow-Methods`, `-Allow-Headers` and `-Max-Age` to the answer of a
/// cross-origin request (one with `Origin`), as idOS sends them on every answer.
pub async fn repeat_preflight_headers(
    State(methods): State<String>,
    request: Request,
    next: Next,
) -> Response {
    let cross_origin = request.headers().contains_key(ORIGIN);
    let mut response = next.run(request).await;
    if cross_origin {
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&methods) {
            headers.insert(ACCESS_CONTROL_ALLOW_METHODS, value);
        }
        headers.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(
                "Authorization, Content-Type, If-Modified-Since, If-None-Match, X-Requested-With",
            ),
        );
        headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from(MAX_AGE_SECS));
    }
    response
}
