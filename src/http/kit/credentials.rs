//! Who a request comes from: the credential in the schemes a face reads, and the actor
//! behind it.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Query};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::Face;
use crate::http::AppState;
use crate::service::{Actor, ServiceError};

/// The longest `x-request-id` an event records.
const MAX_REQUEST_ID: usize = 128;

/// How a credential is presented in `Authorization`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// The whole header is the token, with no scheme name (Xponent).
    Bare,
    /// `Bearer <token>`.
    Bearer,
    /// `ApiKey <key>` (Cloud Conformity).
    ApiKey,
    /// `<name> <credential>`, a scheme of the face's own (idOS's `IdentityToken` …).
    Named(&'static str),
}

impl Scheme {
    /// The credential after this scheme in an `Authorization` value; the scheme name's case
    /// does not matter.
    pub fn strip(self, value: &str) -> Option<&str> {
        let name = match self {
            Scheme::Bare => return Some(value.trim()).filter(|v| !v.is_empty()),
            Scheme::Bearer => "Bearer",
            Scheme::ApiKey => "ApiKey",
            Scheme::Named(name) => name,
        };
        let (given, rest) = value.trim().split_once(' ')?;
        given
            .eq_ignore_ascii_case(name)
            .then(|| rest.trim())
            .filter(|credential| !credential.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub scheme: Scheme,
    pub value: String,
}

/// The first credential of a request in a scheme face `F` reads: the `Authorization` header
/// first, then the face's query-string parameters.
pub struct Credentials<F>(pub Credential, pub PhantomData<F>);

impl<F: Face, S: Send + Sync> FromRequestParts<S> for Credentials<F> {
    type Rejection = F::Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, F::Error> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok());
        let from_header = header.and_then(|value| {
            F::SCHEMES.iter().find_map(|&scheme| {
                scheme.strip(value).map(|credential| Credential {
                    scheme,
                    value: credential.to_owned(),
                })
            })
        });
        let credential = match from_header {
            Some(credential) => Some(credential),
            None if F::QUERY_CREDENTIALS.is_empty() => None,
            None => from_query::<F>(parts),
        };
        credential
            .map(|credential| Self(credential, PhantomData))
            .ok_or_else(F::credentials_missing)
    }
}

fn from_query<F: Face>(parts: &Parts) -> Option<Credential> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri).ok()?;
    F::QUERY_CREDENTIALS.iter().find_map(|&(name, scheme)| {
        pairs
            .iter()
            .find(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| Credential {
                scheme,
                value: value.clone(),
            })
    })
}

/// The authenticated caller of a route of face `F`. A bearer token of any face works on every
/// face; an API key is tried as a token too, since clients put tokens where keys go.
pub struct Caller<F>(pub Actor, pub PhantomData<F>);

impl<F: Face> FromRequestParts<AppState> for Caller<F> {
    type Rejection = F::Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, F::Error> {
        let Credentials(credential, _) = Credentials::<F>::from_request_parts(parts, state).await?;
        let services = &state.services;
        let actor = match credential.scheme {
            // Boxed: its write would otherwise size every request's future (see
            // `Services::authenticate`).
            Scheme::ApiKey => {
                match Box::pin(services.authenticate_api_key(&credential.value)).await {
                    Err(ServiceError::Unauthorized(refused)) => services
                        .authenticate(&credential.value)
                        .await
                        .map_err(|_| ServiceError::Unauthorized(refused))?,
                    other => other?,
                }
            }
            Scheme::Bare | Scheme::Bearer | Scheme::Named(_) => {
                services.authenticate(&credential.value).await?
            }
        };
        let mut actor = actor;
        actor.request_id = request_id(parts);
        Ok(Self(actor, PhantomData))
    }
}

/// The request's `x-request-id`, as events keep it: `SetRequestIdLayer` has set it (the
/// client's own, or a new UUID), and a client's id of unbounded length is not kept. For a
/// face that authenticates its callers itself.
pub fn request_id(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .filter(|id| !id.is_empty() && id.len() <= MAX_REQUEST_ID)
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::Scheme;

    #[test]
    fn a_scheme_is_stripped_whatever_its_case() {
        assert_eq!(Scheme::Bearer.strip("bearer  abc "), Some("abc"));
        assert_eq!(Scheme::ApiKey.strip("ApiKey k"), Some("k"));
        assert_eq!(
            Scheme::Named("UserToken").strip("USERTOKEN j.w.t"),
            Some("j.w.t")
        );
    }

    #[test]
    fn another_scheme_or_an_empty_credential_is_not_taken() {
        assert_eq!(Scheme::Bearer.strip("ApiKey k"), None);
        assert_eq!(Scheme::Bearer.strip("Bearer   "), None);
        assert_eq!(Scheme::Bearer.strip("Bearer"), None);
    }

    #[test]
    fn a_bare_token_is_the_whole_value() {
        assert_eq!(Scheme::Bare.strip(" Bearer abc "), Some("Bearer abc"));
        assert_eq!(Scheme::Bare.strip("  "), None);
    }
}
