//! Envelopes: a handler's answer is an `Envelope` (status and JSON value) left in the
//! response's extensions; the `render` middleware writes it in the format asked for, applies
//! `failSilently`, `hideLinks`, `forcedError` and `callback`, and sets `Last-Modified` from the
//! envelope's `updated`, `Cache-Control` and `X-Content-Type-Options`.

use axum::body::Body;
use axum::extract::{Query, Request};
use axum::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, LAST_MODIFIED};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::negotiation::{self, Format};

const NOSNIFF: HeaderName = HeaderName::from_static("x-content-type-options");
/// What idOS sends on answers and errors.
const CACHE_SUCCESS: &str = "private, no-cache, no-store, max-age=0, must-revalidate";
const CACHE_ERROR: &str = "no-store,no-cache";

/// An answer before rendering.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub status: StatusCode,
    pub body: Value,
}

impl Envelope {
    pub fn new(status: StatusCode, body: Value) -> Self {
        Self { status, body }
    }

    /// `{"status":true,"data":…}`, with `updated` (Unix seconds) when given.
    pub fn data(status: StatusCode, data: Value, updated: Option<i64>) -> Self {
        let mut body = json!({ "status": true, "data": data });
        if let Some(updated) = updated {
            body["updated"] = json!(updated);
        }
        Self::new(status, body)
    }

    /// `{"status":true}` and more members (`deleted` …).
    pub fn status_only(extra: Value) -> Self {
        let mut body = json!({ "status": true });
        if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
            body.extend(extra);
        }
        Self::new(StatusCode::OK, body)
    }
}

/// The envelope as JSON, and in the extensions for `render` to write in the format asked for.
impl IntoResponse for Envelope {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            negotiation::json(&self.body),
        )
            .into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// `?page=` and `?perPage=` of a list.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub page: usize,
    pub per_page: usize,
}

pub const DEFAULT_PER_PAGE: usize = 100;
pub const MAX_PER_PAGE: usize = 1000;

impl Page {
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Self, String> {
        let number = |name: &str, default: usize| -> Result<usize, String> {
            match pairs.iter().find(|(k, _)| k == name) {
                None => Ok(default),
                Some((_, v)) => v
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| format!("{name} must be a positive integer")),
            }
        };
        Ok(Self {
            page: number("page", 1)?,
            per_page: number("perPage", DEFAULT_PER_PAGE)?.min(MAX_PER_PAGE),
        })
    }
}

/// The paginated envelope of one page of `items`, with `updated` when given.
pub fn paged(items: Vec<Value>, page: Page, updated: Option<i64>) -> Envelope {
    let total = items.len();
    let last_page = total.div_ceil(page.per_page).max(1);
    let start = (page.page - 1).saturating_mul(page.per_page).min(total);
    let data: Vec<Value> = items.into_iter().skip(start).take(page.per_page).collect();
    let (from, to) = if data.is_empty() {
        (Value::Null, Value::Null)
    } else {
        (json!(start + 1), json!(start + data.len()))
    };
    let mut envelope = Envelope::data(StatusCode::OK, Value::Array(data), updated);
    envelope.body["pagination"] = json!({
        "total": total,
        "per_page": page.per_page,
        "current_page": page.page,
        "last_page": last_page,
        "from": from,
        "to": to,
    });
    envelope
}

/// A query flag as idOS reads them: `true`, `1`, `yes`, `on` (any case).
pub fn truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | "on"
    )
}

fn query_pairs(request: &Request) -> Vec<(String, String)> {
    Query::<Vec<(String, String)>>::try_from_uri(request.uri())
        .map(|Query(pairs)| pairs)
        .unwrap_or_default()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// How an error of the face is made here (a function of the face, so the layer stays generic).
pub type ErrorMaker = fn(StatusCode, &'static str, String) -> Envelope;

/// The rendering middleware of the idOS face.
pub async fn render(request: Request, next: Next) -> Response {
    let pairs = query_pairs(&request);
    let callback = param(&pairs, "callback").filter(|c| !c.is_empty());
    let format = negotiation::choose(
        param(&pairs, "forceOutput"),
        request.headers().get(ACCEPT).and_then(|v| v.to_str().ok()),
        callback,
    );
    let fail_silently = param(&pairs, "failSilently").is_some_and(truthy);
    let show_links = param(&pairs, "hideLinks").is_some_and(|v| !truthy(v));
    // The path as the client sent it, before the face's base path was taken off.
    let self_link = request
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(
            || request.uri().to_string(),
            |original| original.0.to_string(),
        );

    // A callback that is not an identifier path cannot be called: its error (`refuse`) is JSON.
    let format = if callback.is_some_and(|c| !negotiation::is_callback(c)) {
        Format::Json
    } else {
        format
    };
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    let Some(mut envelope) = parts.extensions.remove::<Envelope>() else {
        parts
            .headers
            .insert(NOSNIFF, HeaderValue::from_static("nosniff"));
        return Response::from_parts(parts, body);
    };
    let success = envelope.status.is_success();
    if show_links && envelope.body.is_object() {
        envelope.body["links"] = json!({ "self": self_link });
    } else if let Value::Object(map) = &mut envelope.body {
        map.remove("links");
    }
    parts.status = if fail_silently && !success {
        StatusCode::OK
    } else {
        envelope.status
    };
    if success
        && let Some(updated) = envelope.body.get("updated").and_then(Value::as_i64)
        && let Some(date) = http_date(updated)
    {
        parts.headers.insert(LAST_MODIFIED, date);
    }
    let bytes = format.render(&envelope.body);
    parts.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static(if success { CACHE_SUCCESS } else { CACHE_ERROR }),
    );
    parts
        .headers
        .insert(NOSNIFF, HeaderValue::from_static("nosniff"));
    Response::from_parts(parts, Body::from(bytes))
}

/// The answers given without running the route, inside the rate limit so that they count and
/// carry its headers: a `callback` that is not a JavaScript identifier path (400), and
/// `forcedError`.
pub async fn refuse(errors: ErrorMaker, request: Request, next: Next) -> Response {
    let pairs = query_pairs(&request);
    if param(&pairs, "callback").is_some_and(|c| !c.is_empty() && !negotiation::is_callback(c)) {
        return errors(
            StatusCode::BAD_REQUEST,
            "INVALID_CALLBACK",
            "callback must be a JavaScript identifier or a dotted path of identifiers".into(),
        )
        .into_response();
    }
    if let Some(forced) = param(&pairs, "forcedError").filter(|e| !e.is_empty()) {
        return forced_error(errors, forced).into_response();
    }
    next.run(request).await
}

/// `forcedError=<TYPE>`: the answer that error type gets, for clients testing their error
/// handling. Unknown types get the generic 500, as idOS answers an unknown forced error.
fn forced_error(errors: ErrorMaker, forced: &str) -> Envelope {
    let known: &[(&str, StatusCode, &str)] = &[
        (
            "AUTHORIZATION_MISSING",
            StatusCode::BAD_REQUEST,
            "Authorization details missing",
        ),
        ("INVALID_TOKEN", StatusCode::BAD_REQUEST, "Invalid Token"),
        ("TOKEN_EXPIRED", StatusCode::BAD_REQUEST, "Token Expired"),
        (
            "VALIDATION_ERROR",
            StatusCode::BAD_REQUEST,
            "The request is not valid",
        ),
        ("NOT_ALLOWED", StatusCode::FORBIDDEN, "Not Allowed."),
        ("NOT_FOUND", StatusCode::NOT_FOUND, "Item not found."),
        ("CONFLICT", StatusCode::CONFLICT, "Conflict"),
        (
            "RATE_LIMIT_EXCEEDED",
            StatusCode::TOO_MANY_REQUESTS,
            "Too Many Requests",
        ),
        (
            "HOOK_HANDSHAKE_FAILED",
            StatusCode::BAD_REQUEST,
            "Failed to perform hook handshake",
        ),
    ];
    let wanted = forced.trim().to_ascii_uppercase();
    match known.iter().find(|(kind, _, _)| *kind == wanted) {
        Some((kind, status, message)) => errors(*status, kind, format!("{message} (forced)")),
        None => errors(
            StatusCode::INTERNAL_SERVER_ERROR,
            "APPLICATION_ERROR",
            "Internal Application Error (forced)".into(),
        ),
    }
}

/// An HTTP date (`Tue, 22 Dec 2015 19:09:18 GMT`) of Unix seconds.
pub fn http_date(seconds: i64) -> Option<HeaderValue> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let when = time::OffsetDateTime::from_unix_timestamp(seconds).ok()?;
    HeaderValue::from_str(&when.format(&format).ok()?).ok()
}

/// Unix seconds of an HTTP date.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(text.trim(), &format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cut_the_list_and_say_where_they_are() {
        let items: Vec<Value> = (1..=5).map(|n| json!(n)).collect();
        let page = Page {
            page: 2,
            per_page: 2,
        };
        let envelope = paged(items, page, Some(7));
        assert_eq!(
            envelope.body,
            json!({"status": true, "data": [3, 4], "updated": 7, "pagination": {
                "total": 5, "per_page": 2, "current_page": 2, "last_page": 3, "from": 3, "to": 4}})
        );
    }

    #[test]
    fn http_dates_go_both_ways() {
        let date = http_date(1450811358).unwrap();
        assert_eq!(date, "Tue, 22 Dec 2015 19:09:18 GMT");
        assert_eq!(
            parse_http_date("Tue, 22 Dec 2015 19:09:18 GMT"),
            Some(1450811358)
        );
    }
}
