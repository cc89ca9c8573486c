//! The HTTP kit: what every face is built from, so that a face is only its routes, its envelope
//! and its words.
//!
//! A face implements [`Face`] on a marker type (its error type and the words for the kit's
//! refusals), then uses:
//! - [`JsonBody`] / [`JsonObject`]: the request body read as JSON, refused in the face's words
//!   when too large, unreadable, not JSON or (for `JsonObject`) not an object;
//! - [`Credentials`] and [`Caller`]: the `Authorization` schemes (and query-string names) the
//!   face accepts, and the authenticated actor behind them;
//! - [`PathId`]: an id of the path, refused with the face's "invalid id" answer;
//! - [`stream::json_array`]: a long list sent page by page, never all in memory;
//! - [`renderings::Renderings`]: the JSON of a cached page's items, made once per page;
//! - [`finish`]: the face's 404/405 fallbacks and its request time limit;
//! - [`internal::report`]: an internal error put in the response's extensions, logged once
//!   (with the matched route) by the [`internal::LogInternalErrors`] layer, never shown to the client.

mod body;
mod credentials;
pub mod internal;
mod path_id;
pub mod renderings;
mod router;
pub mod stream;
mod time_limit;

pub use body::{BodyProblem, Json, JsonBody, JsonObject};
pub use credentials::{Caller, Credential, Credentials, Scheme, request_id};
pub use path_id::PathId;
pub use router::{Routes, finish};

use axum::response::IntoResponse;

use crate::service::ServiceError;

/// A face of orghub: its error type and its words for what the kit refuses.
pub trait Face: Send + Sync + 'static {
    /// The face's error: its status codes, its envelope, its message texts. Every service
    /// error has an answer in it.
    type Error: IntoResponse + From<ServiceError> + Send + 'static;

    /// The `Authorization` schemes this face reads, in order of preference.
    const SCHEMES: &'static [Scheme];

    /// Query-string parameters that may carry a credential (idOS), with the scheme each is.
    const QUERY_CREDENTIALS: &'static [(&'static str, Scheme)] = &[];

    /// The body could not be used as JSON (or, for [`JsonObject`], as a JSON object).
    fn body_refused(problem: BodyProblem) -> Self::Error;

    /// No credential in a scheme this face reads.
    fn credentials_missing() -> Self::Error;

    /// The path parameter `param` (its name in the route, e.g. `org_id`) is not an id.
    fn invalid_id(param: &str, value: &str) -> Self::Error;

    fn route_not_found() -> Self::Error;

    fn method_not_allowed() -> Self::Error;

    /// The request took longer than the server's time limit.
    fn timed_out() -> Self::Error;
}

#[cfg(test)]
mod tests;
