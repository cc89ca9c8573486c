//! `Idempotency-Key` on POST: a retry with the same key and body gets the first answer again
//! (with `Idempotent-Replayed: true`); the same key with another body is a 422; a retry while
//! the first is still being answered is a 409. Server failures (5xx) are not kept, so a retry
//! after one tries again.

use axum::body::Body as HttpBody;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::problem::{ApiError, ApiResult};
use crate::http::AppState;
use crate::service::{Actor, IdempotentStart, KeptAnswer};

const HEADER: &str = "idempotency-key";
const MAX_KEY: usize = 255;
/// The headers of an answer kept with it.
const KEPT_HEADERS: [&str; 3] = ["content-type", "location", "etag"];
/// The most a kept answer's body may hold.
const MAX_KEPT_BODY: usize = 1 << 20;

/// The request's idempotency key, if it has one, and the path (with its query: `?orgId=`
/// names what some POSTs act on) it was sent to.
pub struct IdempotencyKey {
    key: Option<String>,
    path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let uri = match parts.extensions.get::<OriginalUri>() {
            Some(original) => &original.0,
            None => &parts.uri,
        };
        let path = uri
            .path_and_query()
            .map_or_else(|| uri.path(), |path| path.as_str())
            .to_owned();
        let key = match parts.headers.get(HEADER) {
            None => None,
            Some(value) => {
                let text = value.to_str().ok().filter(|text| {
                    (1..=MAX_KEY).contains(&text.len())
                        && text.bytes().all(|b| b.is_ascii_graphic())
                });
                let text = text.ok_or_else(|| {
                    ApiError::bad_parameter(
                        "Idempotency-Key",
                        "must be 1 to 255 visible ASCII characters",
                    )
                })?;
                Some(text.to_owned())
            }
        };
        Ok(Self { key, path })
    }
}

/// The `Idempotency-Key` header, as the document describes it on every POST.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IdempotencyParam {
    /// Any 1 to 255 visible ASCII characters, new for each request: a retry with the same
    /// key and body within 24 hours gets the first answer again.
    #[param(rename = "Idempotency-Key", min_length = 1, max_length = 255)]
    idempotency_key: Option<String>,
}

/// The body members that hold a password: a user's, an idOS handler's.
const PASSWORD_MEMBERS: [&str; 2] = ["password", "authPassword"];

/// `value` with every object's members in key order, so that two bodies that differ only in
/// their members' order are one request. Passwords are left out: the fingerprint is a fast
/// hash, and must not let anyone who reads the table guess at them.
fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map
                .iter()
                .filter(|(k, _)| !PASSWORD_MEMBERS.contains(&k.as_str()))
                .collect();
            members.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

fn fingerprint(path: &str, body: &Value) -> String {
    let text = format!("{path}\n{}", canonical(body));
    crate::crypto::sha256_hex(text.as_bytes())
}

/// The members of the answers that carry a secret shown once: a hook's `secret`, an API key's
/// `key`, an Xponent `secretKey`, an idOS credential's, handler's or identity's `privateKey`.
const SECRET_MEMBERS: [&str; 4] = ["secret", "key", "secretKey", "privateKey"];

/// The body to keep: a secret shown once is not kept, and a replay shows it null.
fn without_secret(body: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut object))
            if SECRET_MEMBERS.iter().any(|name| object.contains_key(*name)) =>
        {
            for name in SECRET_MEMBERS {
                if let Some(secret) = object.get_mut(name) {
                    *secret = Value::Null;
                }
            }
            serde_json::to_vec(&object).unwrap_or_default()
        }
        _ => body.to_vec(),
    }
}

fn replay(answer: KeptAnswer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = (status, answer.body).into_response();
    let headers = response.headers_mut();
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            headers.insert(name, value);
        }
    }
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

impl IdempotencyKey {
    /// Answers the request with `answer`, once per key: see the module's comment.
    pub async fn run(
        self,
        state: &AppState,
        actor: &Actor,
        body: &Value,
        answer: impl Future<Output = ApiResult<Response>>,
    ) -> ApiResult<Response> {
        let Some(key) = self.key else {
            return answer.await;
        };
        let services = &state.services;
        match services
            .start_idempotent(actor, &key, &fingerprint(&self.path, body))
            .await?
        {
            IdempotentStart::Fresh => {}
            IdempotentStart::Replay(kept) => return Ok(replay(kept)),
            IdempotentStart::InFlight => {
                return Err(ApiError::typed(
                    StatusCode::CONFLICT,
                    "idempotency-key-in-use",
                    "Idempotency key in use",
                    "A request with this Idempotency-Key is still being answered: retry later",
                ));
            }
            IdempotentStart::Mismatch => {
                return Err(ApiError::typed(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency-key-reused",
                    "Idempotency key reused",
                    "This Idempotency-Key was used with another request: use a new key",
                ));
            }
        }
        let response = answer.await.unwrap_or_else(IntoResponse::into_response);
        if response.status().is_server_error() {
            services.release_idempotent(actor, &key).await?;
            return Ok(response);
        }
        let (parts, body) = response.into_parts();
        let bytes = match axum::body::to_bytes(body, MAX_KEPT_BODY).await {
            Ok(bytes) => bytes,
            Err(error) => {
                services.release_idempotent(actor, &key).await?;
                return Err(ApiError::internal(anyhow::anyhow!(
                    "reading an answer to keep for its idempotency key: {error}"
                )));
            }
        };
        let kept = KeptAnswer {
            status: parts.status.as_u16(),
            headers: KEPT_HEADERS
                .iter()
                .filter_map(|name| {
                    let value = parts.headers.get(*name)?.to_str().ok()?;
                    Some(((*name).to_owned(), value.to_owned()))
                })
                .collect(),
            body: without_secret(&bytes),
        };
        services.keep_idempotent_answer(actor, &key, &kept).await?;
        Ok(Response::from_parts(parts, HttpBody::from(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::fingerprint;

    #[test]
    fn members_order_does_not_change_a_fingerprint_but_values_and_paths_do() {
        let a = fingerprint("/api/v1/orgs", &json!({"name": "x", "parentId": null}));
        let b = fingerprint("/api/v1/orgs", &json!({"parentId": null, "name": "x"}));
        assert_eq!(a, b);
        assert_ne!(a, fingerprint("/api/v1/orgs", &json!({"name": "y"})));
        assert_ne!(
            a,
            fingerprint("/api/v1/users", &json!({"name": "x", "parentId": null}))
        );
        assert_ne!(
            fingerprint("/api/v1/external-ids?orgId=a", &json!(null)),
            fingerprint("/api/v1/external-ids?orgId=b", &json!(null))
        );
    }

    #[test]
    fn passwords_are_not_in_a_fingerprint() {
        let path = "/api/v1/orgs/x/idos-handlers";
        assert_eq!(
            fingerprint(path, &json!({"name": "h", "authPassword": "one"})),
            fingerprint(path, &json!({"name": "h", "authPassword": "two"}))
        );
        assert_eq!(
            fingerprint(path, &json!({"password": "one"})),
            fingerprint(path, &json!({"password": "two"}))
        );
    }
}
