//! OAuth 2.0 for the native API: `POST /oauth/token` (the client credentials grant, RFC 6749
//! §4.4), `POST /oauth/introspect` (RFC 7662) and `POST /oauth/revoke` (RFC 7009).
//!
//! The client is an API key: `client_id` is the key's id, `client_secret` the key. It
//! authenticates with HTTP Basic (RFC 6749 §2.3.1) or with `client_id` and `client_secret` in
//! the body. Introspection and revocation also take a bearer token (any token orghub issued,
//! or an API key). Bodies are `application/x-www-form-urlencoded`, as RFC 6749 wants, or a
//! JSON object of strings. Errors are RFC 6749 §5.2 objects (`error`, `error_description`),
//! not problem details: OAuth clients read these.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::bearer_actor;
use crate::http::AppState;
use crate::http::kit::{internal, request_id};
use crate::service::{Actor, ServiceError, TokenIntrospection, TokenKind, ttl};

/// The only grant of the token endpoint.
const CLIENT_CREDENTIALS: &str = "client_credentials";

/// The challenges of a 401: the client's credentials, or a bearer token.
const BASIC_CHALLENGE: &str = r#"Basic realm="orghub""#;
const BEARER_CHALLENGE: &str = r#"Bearer realm="orghub", error="invalid_token""#;

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

/// The routes, for the native router to merge (`/oauth/token`, `/oauth/introspect`, `/oauth/revoke`).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(token))
        .routes(routes!(introspect))
        .routes(routes!(revoke))
}

/// The body of `POST /oauth/token`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Documentation only: the body is read by `OAuthRequest`.
pub struct TokenRequest {
    /// `client_credentials`, the only grant.
    #[schema(example = "client_credentials")]
    grant_type: String,
    /// The API key's id, unless the client authenticates with HTTP Basic.
    #[schema(format = Uuid)]
    client_id: Option<String>,
    /// The API key, unless the client authenticates with HTTP Basic.
    client_secret: Option<String>,
    /// Ignored: a native access token may do what its API key's user may do.
    scope: Option<String>,
}

/// An access token (RFC 6749 §5.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The token, for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until it expires.
    #[schema(example = 3600)]
    pub expires_in: i64,
}

/// The body of `POST /oauth/introspect` and `POST /oauth/revoke`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Documentation only: the body is read by `OAuthRequest`.
pub struct TokenParam {
    /// Any token orghub issued, or an API key.
    token: String,
    /// Ignored: every kind of token is looked up.
    token_type_hint: Option<String>,
    /// The caller's API key id, unless it authenticates otherwise.
    #[schema(format = Uuid)]
    client_id: Option<String>,
    /// The caller's API key, unless it authenticates otherwise.
    client_secret: Option<String>,
}

/// What a token is (RFC 7662 §2.2). An inactive token, or one the caller may not see, is
/// only `{"active": false}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntrospectionResponse {
    pub active: bool,
    /// `Bearer`: every kind is accepted as a bearer token by the native API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    /// What orghub issued it as: `native` (this endpoint's tokens), `api_key`, `xponent_owner`,
    /// `xponent_session`, `xponent_login`, `surfsight_user`, `surfsight_org_admin`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// The API key it was issued to (or is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The id of the user it acts as; absent for an organization admin token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// The id of its organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// When it was issued (seconds since the Unix epoch).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// When it expires (seconds since the Unix epoch); absent for an API key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
}

/// An OAuth error (RFC 6749 §5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthErrorBody {
    /// `invalid_request`, `invalid_client`, `unsupported_grant_type`, `invalid_token` or
    /// `server_error`.
    #[schema(example = "invalid_client")]
    pub error: &'static str,
    pub error_description: String,
}

/// Issues an access token to an API key (client credentials grant).
#[utoipa::path(
    post,
    path = "/oauth/token",
    operation_id = "issueToken",
    tag = "oauth",
    request_body(content((TokenRequest = "application/x-www-form-urlencoded"), (TokenRequest = "application/json"))),
    responses(
        (status = 200, description = "An access token of an hour", body = TokenResponse),
        (status = 400, description = "`invalid_request` (a parameter missing or repeated, a body neither a form nor a JSON object of strings, two ways of client authentication) or `unsupported_grant_type`", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`: no client authentication, or an unknown or revoked key, or a secret that does not match", body = OAuthErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Basic realm=\"orghub\"`"))),
    ),
    security((), ("basic" = []))
)]
pub async fn token(State(state): State<AppState>, request: OAuthRequest) -> Response {
    answer(issue(&state, &request).await)
}

async fn issue(state: &AppState, request: &OAuthRequest) -> Result<Response, OAuthError> {
    let grant = request
        .param("grant_type")?
        .ok_or_else(|| OAuthError::invalid_request("The parameter 'grant_type' is required"))?;
    if grant != CLIENT_CREDENTIALS {
        return Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The only grant type is 'client_credentials'",
        ));
    }
    let Presented::Client { id, secret } = request.presented()? else {
        return Err(OAuthError::client(
            "Client authentication is required: HTTP Basic, or client_id and client_secret in the body",
        ));
    };
    let issued = state
        .services
        .issue_native_token(&id, &secret)
        .await
        .map_err(OAuthError::from_client)?;
    Ok(no_store(
        StatusCode::OK,
        &TokenResponse {
            access_token: issued.token,
            token_type: "Bearer",
            expires_in: ttl::NATIVE_TOKEN / 1000,
        },
    ))
}

/// Tells whether a token is active and what it is, if the caller may see it.
#[utoipa::path(
    post,
    path = "/oauth/introspect",
    operation_id = "introspectToken",
    tag = "oauth",
    request_body(content((TokenParam = "application/x-www-form-urlencoded"), (TokenParam = "application/json"))),
    responses(
        (status = 200, description = "What the token is; `{\"active\": false}` for a token that is unknown, expired, revoked or outside the caller's organizations", body = IntrospectionResponse),
        (status = 400, description = "`invalid_request`: no `token`, a parameter repeated, or a body neither a form nor a JSON object of strings", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client` (no caller authentication, or client credentials refused) or `invalid_token` (a bearer token refused)", body = OAuthErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Basic realm=\"orghub\"`, or `Bearer realm=\"orghub\", error=\"invalid_token\"`"))),
    ),
    security(("basic" = []), ("bearer" = []))
)]
pub async fn introspect(State(state): State<AppState>, request: OAuthRequest) -> Response {
    answer(introspection(&state, &request).await)
}

async fn introspection(state: &AppState, request: &OAuthRequest) -> Result<Response, OAuthError> {
    let caller = request.caller(state).await?;
    let token = request.token()?;
    let found = state
        .services
        .introspect_token(&caller, token)
        .await
        .map_err(OAuthError::internal)?;
    Ok(no_store(StatusCode::OK, &introspection_response(found)))
}

fn introspection_response(found: Option<TokenIntrospection>) -> IntrospectionResponse {
    let seconds = |millis: i64| millis.div_euclid(1000);
    match found {
        None => IntrospectionResponse {
            active: false,
            token_type: None,
            kind: None,
            client_id: None,
            sub: None,
            organization_id: None,
            iat: None,
            exp: None,
        },
        Some(token) => IntrospectionResponse {
            active: true,
            token_type: Some("Bearer"),
            kind: Some(kind_name(token.kind)),
            client_id: token.client_id,
            sub: token.subject,
            organization_id: Some(token.org_public_id),
            iat: token.issued_at.map(seconds),
            exp: token.expires_at.map(seconds),
        },
    }
}

/// The native API's word for a kind of token.
fn kind_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Native => "native",
        TokenKind::ApiKey => "api_key",
        TokenKind::Owner => "xponent_owner",
        TokenKind::Session => "xponent_session",
        TokenKind::Login => "xponent_login",
        TokenKind::Password => "surfsight_user",
        TokenKind::OrgAdmin => "surfsight_org_admin",
        TokenKind::IdosIdentity => "idos_identity",
        TokenKind::IdosCredential => "idos_credential",
        TokenKind::IdosUser => "idos_user",
    }
}

/// Ends a token the caller may end: its own, or one of an organization it administers. The
/// answer is the same whether anything was ended or not (RFC 7009 §2.2).
#[utoipa::path(
    post,
    path = "/oauth/revoke",
    operation_id = "revokeToken",
    tag = "oauth",
    request_body(content((TokenParam = "application/x-www-form-urlencoded"), (TokenParam = "application/json"))),
    responses(
        (status = 200, description = "The token is ended, or was not one the caller may end"),
        (status = 400, description = "`invalid_request`: no `token`, a parameter repeated, or a body neither a form nor a JSON object of strings", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client` (no caller authentication, or client credentials refused) or `invalid_token` (a bearer token refused)", body = OAuthErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Basic realm=\"orghub\"`, or `Bearer realm=\"orghub\", error=\"invalid_token\"`"))),
    ),
    security(("basic" = []), ("bearer" = []))
)]
pub async fn revoke(State(state): State<AppState>, request: OAuthRequest) -> Response {
    answer(revocation(&state, &request).await)
}

async fn revocation(state: &AppState, request: &OAuthRequest) -> Result<Response, OAuthError> {
    let caller = request.caller(state).await?;
    let token = request.token()?;
    state
        .services
        .revoke_token_as(&caller, token)
        .await
        .map_err(OAuthError::internal)?;
    Ok((
        StatusCode::OK,
        [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
    )
        .into_response())
}

fn answer(result: Result<Response, OAuthError>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `body` as JSON, with the headers RFC 6749 §5.1 asks of a response carrying a token.
fn no_store(status: StatusCode, body: &impl Serialize) -> Response {
    let body = serde_json::to_vec(body).expect("an OAuth answer serializes");
    (
        status,
        [
            (CONTENT_TYPE, HeaderValue::from_static(JSON)),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (PRAGMA, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// The parameters of an OAuth request (its form or JSON body) and its `Authorization` header.
pub struct OAuthRequest {
    params: Vec<(String, String)>,
    authorization: Option<String>,
    request_id: Option<String>,
}

/// How the caller authenticates.
enum Presented {
    Client { id: String, secret: String },
    Bearer(String),
    Nothing,
}

impl FromRequest<AppState> for OAuthRequest {
    type Rejection = OAuthError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, OAuthError> {
        let (parts, body) = request.into_parts();
        let authorization = match parts.headers.get(AUTHORIZATION) {
            None => None,
            Some(value) => Some(
                value
                    .to_str()
                    .map_err(|_| {
                        OAuthError::invalid_request("The Authorization header is not text")
                    })?
                    .to_owned(),
            ),
        };
        let request_id = request_id(&parts);
        let media_type = media_type(&parts.headers);
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| OAuthError::invalid_request("The request body could not be read"))?;
        let params = match media_type.as_deref() {
            _ if bytes.iter().all(u8::is_ascii_whitespace) => Vec::new(),
            Some(FORM) => form_urlencoded::parse(&bytes).into_owned().collect(),
            Some(JSON) => json_params(&bytes)?,
            _ => {
                return Err(OAuthError::invalid_request(
                    "The body must be application/x-www-form-urlencoded or application/json",
                ));
            }
        };
        Ok(Self {
            params,
            authorization,
            request_id,
        })
    }
}

/// The media type of the body, lowercase, without its parameters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    Some(value.split(';').next()?.trim().to_ascii_lowercase())
}

/// A JSON object's members as parameters: strings only (null is an absent parameter).
fn json_params(bytes: &[u8]) -> Result<Vec<(String, String)>, OAuthError> {
    let Ok(Value::Object(members)) = serde_json::from_slice::<Value>(bytes) else {
        return Err(OAuthError::invalid_request("The body is not a JSON object"));
    };
    let mut params = Vec::with_capacity(members.len());
    for (name, value) in members {
        match value {
            Value::String(text) => params.push((name, text)),
            Value::Null => {}
            _ => {
                return Err(OAuthError::invalid_request(format!(
                    "The parameter '{name}' must be a string"
                )));
            }
        }
    }
    Ok(params)
}

impl OAuthRequest {
    /// The parameter `name`; an empty one is absent (RFC 6749 §3.1), a repeated one refused.
    fn param(&self, name: &str) -> Result<Option<&str>, OAuthError> {
        let mut values = self
            .params
            .iter()
            .filter(|(key, value)| key == name && !value.is_empty());
        let first = values.next().map(|(_, value)| value.as_str());
        if values.next().is_some() {
            return Err(OAuthError::invalid_request(format!(
                "The parameter '{name}' is repeated"
            )));
        }
        Ok(first)
    }

    fn token(&self) -> Result<&str, OAuthError> {
        self.param("token")?
            .ok_or_else(|| OAuthError::invalid_request("The parameter 'token' is required"))
    }

    /// The caller's credentials: HTTP Basic or a bearer token in the header, or the client's
    /// in the body; one way only (RFC 6749 §2.3).
    fn presented(&self) -> Result<Presented, OAuthError> {
        let header = match self.authorization.as_deref().map(str::trim) {
            None | Some("") => Presented::Nothing,
            Some(value) => match value.split_once(' ') {
                Some((scheme, rest)) if scheme.eq_ignore_ascii_case("Basic") => basic(rest.trim())?,
                Some((scheme, rest)) if scheme.eq_ignore_ascii_case("Bearer") => {
                    Presented::Bearer(rest.trim().to_owned())
                }
                _ => {
                    return Err(OAuthError::client(
                        "The Authorization header must be HTTP Basic or a Bearer token",
                    ));
                }
            },
        };
        let id = self.param("client_id")?;
        let secret = self.param("client_secret")?;
        match (header, id, secret) {
            (header, None, None) => Ok(header),
            (Presented::Nothing, Some(id), Some(secret)) => Ok(Presented::Client {
                id: id.to_owned(),
                secret: secret.to_owned(),
            }),
            (Presented::Nothing, _, _) => Err(OAuthError::client(
                "client_id and client_secret go together",
            )),
            _ => Err(OAuthError::invalid_request(
                "The client authenticates one way only: the Authorization header or client_id and client_secret",
            )),
        }
    }

    /// The authenticated caller of introspection or revocation.
    async fn caller(&self, state: &AppState) -> Result<Actor, OAuthError> {
        let services = &state.services;
        let mut actor = match self.presented()? {
            Presented::Client { id, secret } => services
                .authenticate_client(&id, &secret)
                .await
                .map_err(OAuthError::from_client)?,
            Presented::Bearer(token) => bearer_actor(state, &token)
                .await
                .map_err(OAuthError::from_bearer)?,
            Presented::Nothing => {
                return Err(OAuthError::client(
                    "Authentication is required: HTTP Basic, client_id and client_secret, or a Bearer token",
                ));
            }
        };
        actor.request_id = self.request_id.clone();
        Ok(actor)
    }
}

/// HTTP Basic credentials: base64 of the form-encoded id, `:`, the form-encoded secret.
fn basic(encoded: &str) -> Result<Presented, OAuthError> {
    let unreadable = || OAuthError::client("The HTTP Basic credentials cannot be read");
    let decoded = STANDARD.decode(encoded).map_err(|_| unreadable())?;
    let text = String::from_utf8(decoded).map_err(|_| unreadable())?;
    let (id, secret) = text.split_once(':').ok_or_else(unreadable)?;
    Ok(Presented::Client {
        id: form_decoded(id).ok_or_else(unreadable)?,
        secret: form_decoded(secret).ok_or_else(unreadable)?,
    })
}

/// `text` with `+` and `%XX` decoded (`application/x-www-form-urlencoded`, RFC 6749 App. B).
fn form_decoded(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        match byte {
            b'+' => bytes.push(b' '),
            b'%' => {
                let digits = tail.get(..2)?;
                bytes.extend(hex::decode(digits).ok()?);
                rest = &tail[2..];
                continue;
            }
            other => bytes.push(other),
        }
        rest = tail;
    }
    String::from_utf8(bytes).ok()
}

/// An OAuth error answer (RFC 6749 §5.2), with its challenge on a 401. An internal error is
/// logged once by the kit (`kit::internal`), never shown.
#[derive(Debug)]
pub struct OAuthError {
    status: StatusCode,
    code: &'static str,
    description: String,
    challenge: Option<&'static str>,
    internal: Option<anyhow::Error>,
}

impl OAuthError {
    fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            code,
            description: description.into(),
            challenge: None,
            internal: None,
        }
    }

    fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// 401 `invalid_client`, with the Basic challenge.
    fn client(description: impl Into<String>) -> Self {
        Self {
            challenge: Some(BASIC_CHALLENGE),
            ..Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
        }
    }

    /// Client credentials refused; any other failure is internal.
    fn from_client(error: ServiceError) -> Self {
        match error {
            ServiceError::Unauthorized(_) => {
                Self::client("The client is unknown or revoked, or its secret does not match")
            }
            other => Self::internal(other),
        }
    }

    /// A bearer token refused; any other failure is internal.
    fn from_bearer(error: ServiceError) -> Self {
        match error {
            ServiceError::Unauthorized(_) => Self {
                challenge: Some(BEARER_CHALLENGE),
                ..Self::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "The bearer token is unknown, expired or revoked",
                )
            },
            other => Self::internal(other),
        }
    }

    fn internal(error: ServiceError) -> Self {
        Self {
            internal: Some(anyhow::Error::new(error)),
            ..Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "The server could not complete the request; the error has been logged",
            )
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut response = no_store(
            self.status,
            &OAuthErrorBody {
                error: self.code,
                error_description: self.description,
            },
        );
        if let Some(challenge) = self.challenge {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        match self.internal {
            Some(error) => internal::report(response, error),
            None => response,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoded_basic_credentials_are_decoded() {
        assert_eq!(form_decoded("a%3Ab+c%25").as_deref(), Some("a:b c%"));
        assert_eq!(form_decoded("plain-id_0"), Some("plain-id_0".to_owned()));
        assert_eq!(form_decoded("bad%2"), None);
        assert_eq!(form_decoded("bad%zz"), None);
        let encoded = STANDARD.encode("my%20id:s%3Acret");
        let Ok(Presented::Client { id, secret }) = basic(&encoded) else {
            panic!("credentials expected");
        };
        assert_eq!((id.as_str(), secret.as_str()), ("my id", "s:cret"));
        assert!(basic("%%%").is_err());
        assert!(basic(&STANDARD.encode("no colon")).is_err());
    }

    #[test]
    fn every_kind_has_a_name() {
        for text in [
            "owner",
            "login",
            "session",
            "password",
            "org_admin",
            "api_key",
            "idos_identity",
            "idos_credential",
            "idos_user",
            "native",
        ] {
            assert!(!kind_name(TokenKind::parse(text).unwrap()).is_empty());
        }
    }
}
