//! Per-caller rate limits: a fixed one-minute window per caller, counted in this process's
//! memory (each node of a cluster counts its own). Every answer says `X-Rate-Limit-Limit`,
//! `-Remaining` and `-Reset` (the window's end, Unix seconds); past the limit the answer is the
//! face's 429.
//!
//! The caller is the credential's issuer (`iss` of the token, read before the token is
//! verified, so that minting new tokens does not reset a count) with its kind, or the client's
//! address when the request carries no credential.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, Query, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::envelope::ErrorMaker;

const LIMIT: HeaderName = HeaderName::from_static("x-rate-limit-limit");
const REMAINING: HeaderName = HeaderName::from_static("x-rate-limit-remaining");
const RESET: HeaderName = HeaderName::from_static("x-rate-limit-reset");

const WINDOW_SECS: u64 = 60;
/// Past this many callers, windows that have ended are forgotten.
const PRUNE_AT: usize = 100_000;

/// Counts requests per caller and window.
pub struct RateLimiter {
    limit: u32,
    windows: Mutex<HashMap<String, (u64, u32)>>,
}

/// One request counted: whether it may go on, and the headers' values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub allowed: bool,
    pub remaining: u32,
    pub reset: u64,
}

impl RateLimiter {
    /// `limit` requests a minute per caller (at least 1).
    pub fn new(limit: u32) -> Arc<Self> {
        Arc::new(Self {
            limit: limit.max(1),
            windows: Mutex::default(),
        })
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    pub fn hit(&self, caller: &str, now_secs: u64) -> Count {
        let window = now_secs - now_secs % WINDOW_SECS;
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= PRUNE_AT {
            windows.retain(|_, (start, _)| *start == window);
        }
        let entry = windows.entry(caller.to_owned()).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        Count {
            allowed: entry.1 <= self.limit,
            remaining: self.limit.saturating_sub(entry.1),
            reset: window + WINDOW_SECS,
        }
    }
}

/// Who is counted: `<scheme>:<iss>` for a token (header first, then the query string's token
/// parameters), else the client's address.
pub fn caller_key(
    headers: &HeaderMap,
    query: &[(String, String)],
    token_params: &[&str],
    issuer: fn(&str) -> Option<String>,
    peer: Option<SocketAddr>,
) -> String {
    let from_header = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .map(|(scheme, token)| (scheme.to_ascii_lowercase(), token.trim().to_owned()));
    let from_query = || {
        token_params.iter().find_map(|name| {
            query
                .iter()
                .find(|(k, v)| k == name && !v.is_empty())
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        })
    };
    match from_header.or_else(from_query) {
        Some((scheme, token)) => match issuer(&token) {
            Some(iss) => format!("{scheme}:{iss}"),
            // An unreadable token is counted by itself.
            None => format!("{scheme}:#{}", crate::crypto::sha256_hex(token.as_bytes())),
        },
        None => match peer {
            Some(addr) => format!("addr:{}", addr.ip()),
            None => "addr:unknown".to_owned(),
        },
    }
}

/// The middleware: counts the request, answers 429 past the limit, and puts the three headers
/// on every answer.
pub async fn limit(
    limiter: Arc<RateLimiter>,
    token_params: &'static [&'static str],
    issuer: fn(&str) -> Option<String>,
    errors: ErrorMaker,
    request: Request,
    next: Next,
) -> Response {
    let query = Query::<Vec<(String, String)>>::try_from_uri(request.uri())
        .map(|Query(pairs)| pairs)
        .unwrap_or_default();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    let key = caller_key(request.headers(), &query, token_params, issuer, peer);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let count = limiter.hit(&key, now);
    let mut response = if count.allowed {
        next.run(request).await
    } else {
        errors(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMIT_EXCEEDED",
            format!(
                "429 Too Many Requests: at most {} requests a minute; the window resets at {}",
                limiter.limit(),
                count.reset
            ),
        )
        .into_response()
    };
    let headers = response.headers_mut();
    headers.insert(LIMIT, HeaderValue::from(limiter.limit()));
    headers.insert(REMAINING, HeaderValue::from(count.remaining));
    headers.insert(RESET, HeaderValue::from(count.reset));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_counts_to_its_limit_then_starts_again() {
        let limiter = RateLimiter::new(2);
        assert_eq!(
            limiter.hit("a", 120),
            Count {
                allowed: true,
                remaining: 1,
                reset: 180
            }
        );
        assert_eq!(
            limiter.hit("a", 130),
            Count {
                allowed: true,
                remaining: 0,
                reset: 180
            }
        );
        assert_eq!(
            limiter.hit("a", 179),
            Count {
                allowed: false,
                remaining: 0,
                reset: 180
            }
        );
        assert!(limiter.hit("b", 179).allowed);
        assert_eq!(
            limiter.hit("a", 180),
            Count {
                allowed: true,
                remaining: 1,
                reset: 240
            }
        );
    }
}
