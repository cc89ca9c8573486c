//! What idOS requests carry: credentials of the kinds a route takes, path parameters, and bodies
//! as JSON or `application/x-www-form-urlencoded`, with booleans as strings (`"false"`).

use std::collections::HashMap;

use axum::extract::{Form, FromRequest, FromRequestParts, Query, RawPathParams, Request};
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::request::Parts;
use serde_json::{Map, Value};

use super::error::{CREDENTIAL_TOKEN, IDENTITY_TOKEN, Idos, IdosHttpError, USER_TOKEN};
use crate::http::AppState;
use crate::http::kit::{self, BodyProblem, Credentials, Face, Json, JsonBody, Scheme};
use crate::service::idos::{IdosCaller, IdosTokenKind, TokenCheck};

/// The audience idOS tokens name (`aud`), besides this server's own base URL.
pub const IDOS_AUDIENCE: &str = "https://api.idos.io/1.0";

fn kind_of(scheme: Scheme) -> Option<IdosTokenKind> {
    match scheme {
        s if s == IDENTITY_TOKEN => Some(IdosTokenKind::Identity),
        s if s == CREDENTIAL_TOKEN => Some(IdosTokenKind::Credential),
        s if s == USER_TOKEN => Some(IdosTokenKind::User),
        _ => None,
    }
}

fn label(kind: IdosTokenKind) -> &'static str {
    match kind {
        IdosTokenKind::Identity => "Identity Token",
        IdosTokenKind::Credential => "Credential Token",
        IdosTokenKind::User => "User Token",
    }
}

/// The caller of a route that takes tokens of the kinds `allowed`.
async fn caller(
    parts: &mut Parts,
    state: &AppState,
    allowed: &[IdosTokenKind],
) -> Result<IdosCaller, IdosHttpError> {
    let missing = || {
        let labels: Vec<&str> = allowed.iter().map(|k| label(*k)).collect();
        IdosHttpError::authorization_missing(&labels)
    };
    let Credentials(credential, _) = Credentials::<Idos>::from_request_parts(parts, state)
        .await
        .map_err(|_| missing())?;
    let kind = kind_of(credential.scheme)
        .filter(|kind| allowed.contains(kind))
        .ok_or_else(missing)?;
    let host = parts
        .headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let audiences = [
        IDOS_AUDIENCE.to_owned(),
        format!("http://{host}/idos/1.0"),
        format!("https://{host}/idos/1.0"),
    ];
    let request_id = kit::request_id(parts);
    Ok(state
        .services
        .authenticate_idos(
            kind,
            &credential.value,
            &TokenCheck {
                audiences: &audiences,
            },
            request_id,
        )
        .await?)
}

/// A caller with an identity token.
pub struct Identity(pub IdosCaller);

impl FromRequestParts<AppState> for Identity {
    type Rejection = IdosHttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, IdosHttpError> {
        caller(parts, state, &[IdosTokenKind::Identity])
            .await
            .map(Self)
    }
}

/// A caller with an identity or a credential token.
pub struct IdentityOrCredential(pub IdosCaller);

impl FromRequestParts<AppState> for IdentityOrCredential {
    type Rejection = IdosHttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, IdosHttpError> {
        caller(
            parts,
            state,
            &[IdosTokenKind::Identity, IdosTokenKind::Credential],
        )
        .await
        .map(Self)
    }
}

/// The path's parameters by name.
pub struct Params(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = IdosHttpError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, IdosHttpError> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| Idos::route_not_found())?;
        Ok(Self(
            raw.iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        ))
    }
}

impl Params {
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or_default()
    }

    /// The company slug, `[a-z0-9_-]+`.
    pub fn slug(&self) -> Result<&str, IdosHttpError> {
        let slug = self.get("companySlug");
        if crate::domain::slug::is_slug(slug) {
            Ok(slug)
        } else {
            Err(IdosHttpError::invalid(format!(
                "'{slug}' is not a company slug ([a-z0-9_-]+)"
            )))
        }
    }

    /// A numeric id parameter.
    pub fn id(&self, name: &str) -> Result<i64, IdosHttpError> {
        let text = self.get(name);
        text.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| IdosHttpError::invalid(format!("'{text}' is not a valid {name}")))
    }

    /// A public key parameter, `[a-zA-Z0-9]+`.
    pub fn key(&self, name: &str) -> Result<&str, IdosHttpError> {
        let key = self.get(name);
        if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(key)
        } else {
            Err(IdosHttpError::invalid(format!(
                "'{key}' is not a valid {name}"
            )))
        }
    }
}

/// The query string's pairs.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = IdosHttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, IdosHttpError> {
        Ok(Self(
            Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
                .map(|Query(pairs)| pairs)
                .unwrap_or_default(),
        ))
    }
}

impl QueryPairs {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A request body as an object: JSON, or form fields (each a string). No body is an empty
/// object.
pub struct Input(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Input {
    type Rejection = IdosHttpError;

    async fn from_request(request: Request, state: &S) -> Result<Self, IdosHttpError> {
        let form = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        if form {
            let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, state)
                .await
                .map_err(|_| Idos::body_refused(BodyProblem::Unreadable))?;
            return Ok(Self(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            ));
        }
        match JsonBody::<Idos>::from_request(request, state).await?.0 {
            Json::Empty => Ok(Self(Map::new())),
            Json::Value(Value::Object(object)) => Ok(Self(object)),
            Json::Value(_) => Err(Idos::body_refused(BodyProblem::NotAnObject)),
            Json::Malformed => Err(Idos::body_refused(BodyProblem::NotJson)),
        }
    }
}

impl Input {
    /// A required non-empty string field.
    pub fn text(&self, field: &str) -> Result<String, IdosHttpError> {
        self.optional_text(field)?
            .ok_or_else(|| IdosHttpError::invalid(format!("{field} is required")))
    }

    /// A string field, when present.
    pub fn optional_text(&self, field: &str) -> Result<Option<String>, IdosHttpError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(IdosHttpError::invalid(format!(
                "{field} must be a non-empty string"
            ))),
        }
    }

    /// A boolean field: `true`/`false`, or the strings `"true"`, `"false"`, `"1"`, `"0"`.
    pub fn flag(&self, field: &str) -> Result<Option<bool>, IdosHttpError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Number(n)) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
                Ok(Some(n.as_i64() == Some(1)))
            }
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(Some(true)),
                "false" | "0" | "no" | "off" | "" => Ok(Some(false)),
                _ => Err(IdosHttpError::invalid(format!("{field} must be a boolean"))),
            },
            Some(_) => Err(IdosHttpError::invalid(format!("{field} must be a boolean"))),
        }
    }
}
