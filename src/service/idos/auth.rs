//! idOS authentication: three kinds of HS256 JWT, each signed with the private key of the
//! record its `iss` names (identities, the key pairs of orghub users, are made in
//! `identities`).

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::company_event;
use crate::crypto::SealContext;
use crate::domain::events::EventType;
use crate::domain::{Role, TokenKind, now_millis};
use crate::service::Services;
use crate::service::actor::{Actor, ActorUser};
use crate::service::error::{IdosTokenRefusal, ServiceError, ServiceResult, Unauthorized};
use crate::store::{CompanyRow, IdosUserRow};

type TokenRefusal = IdosTokenRefusal;

/// The longest token read: a JWT of idOS claims is a few hundred bytes.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Tolerated disagreement between a client's clock and ours on `exp`, in seconds.
const LEEWAY_SECS: u64 = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdosTokenKind {
    /// `iss` an identity's public key, no `sub`, signed with the identity's private key.
    Identity,
    /// `iss` a handler's public key, `sub` a credential's public key, signed with the
    /// handler's private key.
    Credential,
    /// `iss` a credential's public key, `sub` a user name, signed with the credential's
    /// private key.
    User,
}

/// What an idOS token checks `aud` against, when the token has one.
pub struct TokenCheck<'a> {
    pub audiences: &'a [String],
}

/// The authenticated caller of an idOS route.
#[derive(Debug, Clone)]
pub struct IdosCaller {
    pub kind: IdosTokenKind,
    /// An identity acts as its user; a credential or user token reads its credential's company.
    pub actor: Actor,
    pub identity_id: Option<i64>,
    pub credential_id: Option<i64>,
    pub handler_id: Option<i64>,
    pub user: Option<IdosUserRow>,
}

fn refused(refusal: TokenRefusal) -> ServiceError {
    ServiceError::Unauthorized(Unauthorized::IdosToken(refusal))
}

/// The `alg` of the header and the unverified claims.
pub(super) fn read_unverified(token: &str) -> ServiceResult<(String, Map<String, Value>)> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(refused(TokenRefusal::TooLarge {
            max: MAX_TOKEN_BYTES,
        }));
    }
    let malformed = || refused(TokenRefusal::Malformed);
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let decode = |part: &str| -> Option<Map<String, Value>> {
        URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
    };
    let header = decode(header).ok_or_else(malformed)?;
    let claims = decode(payload).ok_or_else(malformed)?;
    let alg = match header.get("alg") {
        Some(Value::String(alg)) => alg.clone(),
        _ => return Err(malformed()),
    };
    Ok((alg, claims))
}

/// The issuer (`iss`) of a token, unverified: what the rate limit counts by.
pub fn unverified_issuer(token: &str) -> Option<String> {
    let (_, claims) = read_unverified(token).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}

pub(super) fn verify(token: &str, key: &str) -> ServiceResult<()> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.validate_aud = false;
    validation.leeway = LEEWAY_SECS;
    jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_secret(key.as_bytes()),
        &validation,
    )
    .map(drop)
    .map_err(|e| match e.kind() {
        ErrorKind::InvalidSignature => refused(TokenRefusal::Signature),
        ErrorKind::ExpiredSignature => refused(TokenRefusal::Expired),
        _ => refused(TokenRefusal::Malformed),
    })
}

fn check_audience(claims: &Map<String, Value>, check: &TokenCheck<'_>) -> ServiceResult<()> {
    let ok = |aud: &str| {
        check
            .audiences
            .iter()
            .any(|a| a.trim_end_matches('/') == aud.trim_end_matches('/'))
    };
    match claims.get("aud") {
        None => Ok(()),
        Some(Value::String(aud)) if ok(aud) => Ok(()),
        Some(Value::Array(auds)) if auds.iter().any(|a| a.as_str().is_some_and(ok)) => Ok(()),
        Some(_) => Err(refused(TokenRefusal::Audience)),
    }
}

pub(super) fn string_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims
        .get(name)
        .and_then(Value::as_str)
        .filter(|value| !value.is_empty())
}

pub(super) fn is_user_name(name: &str) -> bool {
    name.len() <= 255
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A credential's company as a read-only actor.
fn company_actor(company: &CompanyRow, kind: TokenKind, request_id: Option<String>) -> Actor {
    Actor {
        org_id: company.id,
        org_public_id: company.public_id.to_string(),
        org_path: company.path.clone(),
        user: None,
        role: Role::Member,
        partner: false,
        token_kind: kind,
        api_key_id: None,
        request_id,
    }
}

impl Services {
    /// Checks an idOS token of `kind` and returns its caller. A user token names its end
    /// user, created (with its event) on first use.
    pub async fn authenticate_idos(
        &self,
        kind: IdosTokenKind,
        token: &str,
        check: &TokenCheck<'_>,
        request_id: Option<String>,
    ) -> ServiceResult<IdosCaller> {
        let (alg, claims) = read_unverified(token)?;
        if alg != "HS256" {
            return Err(refused(TokenRefusal::Algorithm(alg)));
        }
        let issuer = string_claim(&claims, "iss")
            .ok_or_else(|| refused(TokenRefusal::UnknownIssuer))?
            .to_owned();
        match kind {
            IdosTokenKind::Identity => {
                let identity = self
                    .store
                    .read()
                    .identity_by_public_key(&issuer)
                    .await
                    .context("reading an idOS identity")?
                    .ok_or_else(|| refused(TokenRefusal::UnknownIssuer))?;
                let key = self
                    .sealer
                    .open_string(
                        &identity.private_key_sealed,
                        SealContext::IdosIdentityKey {
                            public_key: &identity.public_key,
                        },
                    )
                    .context("opening an idOS identity's key")?;
                verify(token, &key)?;
                check_audience(&claims, check)?;
                if claims.contains_key("sub") {
                    return Err(refused(TokenRefusal::SubjectNotAllowed));
                }
                if identity.region != self.region() {
                    return Err(refused(TokenRefusal::Region));
                }
                Ok(IdosCaller {
                    kind,
                    actor: Actor {
                        org_id: identity.org_id,
                        org_public_id: identity.org_public_id.to_string(),
                        org_path: identity.org_path,
                        user: Some(ActorUser {
                            id: identity.user_id,
                            public_id: identity.user_public_id,
                        }),
                        role: identity.role,
                        partner: identity.partner,
                        token_kind: TokenKind::IdosIdentity,
                        api_key_id: None,
                        request_id,
                    },
                    identity_id: Some(identity.id),
                    credential_id: None,
                    handler_id: None,
                    user: None,
                })
            }
            IdosTokenKind::Credential => {
                let handler = self
                    .store
                    .read()
                    .handler_by_public_key(&issuer)
                    .await
                    .context("reading an idOS handler")?
                    .filter(|handler| handler.enabled)
                    .ok_or_else(|| refused(TokenRefusal::UnknownIssuer))?;
                let key = self
                    .sealer
                    .open_string(
                        &handler.private_key_sealed,
                        SealContext::IdosHandlerKey {
                            public_key: &handler.public_key,
                        },
                    )
                    .context("opening an idOS handler's key")?;
                verify(token, &key)?;
                check_audience(&claims, check)?;
                let subject = string_claim(&claims, "sub")
                    .ok_or_else(|| refused(TokenRefusal::MissingSubject))?;
                let credential = self
                    .store
                    .read()
                    .credential_by_public_key(subject)
                    .await
                    .context("reading an idOS credential")?
                    .ok_or_else(|| refused(TokenRefusal::InvalidSubject))?;
                let company = self
                    .store
                    .read()
                    .company_by_id(credential.org_id)
                    .await
                    .context("reading a credential's company")?
                    .ok_or_else(|| refused(TokenRefusal::InvalidSubject))?;
                if company.region != self.region() {
                    return Err(refused(TokenRefusal::Region));
                }
                Ok(IdosCaller {
                    kind,
                    actor: company_actor(&company, TokenKind::IdosCredential, request_id),
                    identity_id: None,
                    credential_id: Some(credential.id),
                    handler_id: Some(handler.id),
                    user: None,
                })
            }
            IdosTokenKind::User => {
                let credential = self
                    .store
                    .read()
                    .credential_by_public_key(&issuer)
                    .await
                    .context("reading an idOS credential")?
                    .ok_or_else(|| refused(TokenRefusal::UnknownIssuer))?;
                let key = self
                    .sealer
                    .open_string(
                        &credential.private_key_sealed,
                        SealContext::IdosCredentialKey {
                            public_key: &credential.public_key,
                        },
                    )
                    .context("opening an idOS credential's key")?;
                verify(token, &key)?;
                check_audience(&claims, check)?;
                let username = string_claim(&claims, "sub")
                    .ok_or_else(|| refused(TokenRefusal::MissingSubject))?;
                if !is_user_name(username) {
                    return Err(refused(TokenRefusal::InvalidSubject));
                }
                let company = self
                    .store
                    .read()
                    .company_by_id(credential.org_id)
                    .await
                    .context("reading a credential's company")?
                    .ok_or_else(|| refused(TokenRefusal::UnknownIssuer))?;
                if company.region != self.region() {
                    return Err(refused(TokenRefusal::Region));
                }
                let actor = company_actor(&company, TokenKind::IdosUser, request_id);
                let user = match self
                    .store
                    .read()
                    .idos_user(credential.id, username)
                    .await
                    .context("reading an idOS end user")?
                {
                    Some(user) => user,
                    None => {
                        self.create_idos_user(&actor, &company, &credential, username)
                            .await?
                    }
                };
                Ok(IdosCaller {
                    kind,
                    actor,
                    identity_id: None,
                    credential_id: Some(credential.id),
                    handler_id: None,
                    user: Some(user),
                })
            }
        }
    }

    /// The end user `username` of a credential, on its first user token; its event says so.
    async fn create_idos_user(
        &self,
        actor: &Actor,
        company: &CompanyRow,
        credential: &crate::store::CredentialRow,
        username: &str,
    ) -> ServiceResult<IdosUserRow> {
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create an idOS end user")?;
        let created = tx
            .insert_idos_user(credential.id, username, now)
            .await
            .context("inserting an idOS end user")?;
        let user = tx
            .exec()
            .idos_user(credential.id, username)
            .await
            .context("reading an idOS end user")?
            .context("an idOS end user just written is missing")?;
        // A concurrent first request may have created it: one event, from whichever did.
        if created {
            let data = super::event_data::profile(&user, &credential.public_key);
            tx.insert_event(
                company_event(actor, EventType::ProfileCreated, company, data),
                now,
            )
            .await
            .context("writing an idOS end user's event")?;
        }
        tx.commit().await.context("committing an idOS end user")?;
        Ok(user)
    }
}
