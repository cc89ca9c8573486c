//! Conditional requests: a weak `ETag` (`W/"<SHA-1 of the body>"`) on every successful `GET`,
//! and `304 Not Modified` (no body) for an `If-None-Match` naming it or an `If-Modified-Since`
//! no older than the answer's `Last-Modified`.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header::{
    CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha1::{Digest, Sha1};

use super::envelope::parse_http_date;

/// Rendered idOS answers are small; a body over this is sent without an ETag.
const MAX_TAGGED_BODY: usize = 16 * 1024 * 1024;

pub fn weak_etag(body: &[u8]) -> String {
    format!("W/\"{}\"", hex::encode(Sha1::digest(body)))
}

/// True when `If-None-Match` names `etag` (weak comparison) or is `*`.
fn none_match(header: &str, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    header
        .split(',')
        .any(|tag| tag.trim() == "*" || opaque(tag) == opaque(etag))
}

pub async fn conditional(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let if_none_match = request
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let if_modified_since = request
        .headers()
        .get(IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_http_date);
    let response = next.run(request).await;
    if !(method == Method::GET || method == Method::HEAD) || !response.status().is_success() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_TAGGED_BODY).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the answer could not be read",
        )
            .into_response();
    };
    let etag = weak_etag(&bytes);
    if let Ok(value) = HeaderValue::from_str(&etag) {
        parts.headers.insert(ETAG, value);
    }
    let last_modified = parts
        .headers
        .get(LAST_MODIFIED)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_http_date);
    let not_modified = match (&if_none_match, if_modified_since, last_modified) {
        (Some(tags), _, _) => none_match(tags, &etag),
        (None, Some(since), Some(modified)) => modified <= since,
        _ => false,
    };
    if not_modified {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(CONTENT_TYPE);
        parts.headers.remove(CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_tags_are_the_sha1_of_the_body() {
        assert_eq!(
            weak_etag(b"abc"),
            "W/\"a9993e364706816aba3e25717850c26c9cd0d89d\""
        );
        assert!(none_match("W/\"x\", \"y\"", "W/\"y\""));
        assert!(!none_match("W/\"x\"", "W/\"y\""));
    }
}
