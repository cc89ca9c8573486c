//! What token introspection (the native API, RFC 7662) learns of an idOS JWT. It is checked
//! as the idOS face checks it — algorithm, issuer, signature, expiry, subject, region — but
//! for no audience, and without creating the end user a user token names. A token that fails
//! any check is simply not active.

use anyhow::Context;
use serde_json::{Map, Value};

use super::auth::{is_user_name, read_unverified, string_claim, verify};
use crate::crypto::SealContext;
use crate::domain::{Millis, OrgPath, TokenKind};
use crate::service::Services;
use crate::service::error::ServiceResult;
use crate::store::CompanyRow;

/// An idOS token that passes every check.
#[derive(Debug, Clone)]
pub(crate) struct IdosTokenFacts {
    pub kind: TokenKind,
    pub org_public_id: String,
    pub org_path: OrgPath,
    /// The identity's user (an identity token) or the end user's name (a user token).
    pub subject: Option<String>,
    /// `iat` and `exp`, when the token has them.
    pub issued_at: Option<Millis>,
    pub expires_at: Option<Millis>,
}

impl Services {
    /// The facts of `token` if it is a valid idOS token of this region; None otherwise.
    pub(crate) async fn idos_token_facts(
        &self,
        token: &str,
    ) -> ServiceResult<Option<IdosTokenFacts>> {
        let Ok((alg, claims)) = read_unverified(token) else {
            return Ok(None);
        };
        let Some(issuer) = string_claim(&claims, "iss").filter(|_| alg == "HS256") else {
            return Ok(None);
        };
        let Some(subject) = string_claim(&claims, "sub") else {
            // No subject: an identity token.
            let Some(identity) = self
                .store
                .read()
                .identity_by_public_key(issuer)
                .await
                .context("reading an idOS identity to introspect")?
            else {
                return Ok(None);
            };
            let key = self
                .sealer
                .open_string(
                    &identity.private_key_sealed,
                    SealContext::IdosIdentityKey {
                        public_key: &identity.public_key,
                    },
                )
                .context("opening an idOS identity's key")?;
            if verify(token, &key).is_err() || identity.region != self.region() {
                return Ok(None);
            }
            return Ok(Some(IdosTokenFacts {
                kind: TokenKind::IdosIdentity,
                org_public_id: identity.org_public_id.to_string(),
                org_path: identity.org_path,
                subject: Some(identity.user_public_id.to_string()),
                issued_at: claim_millis(&claims, "iat"),
                expires_at: claim_millis(&claims, "exp"),
            }));
        };
        // A subject: a credential token (issued by a handler) or a user token (by a credential).
        let handler = self
            .store
            .read()
            .handler_by_public_key(issuer)
            .await
            .context("reading an idOS handler to introspect")?
            .filter(|handler| handler.enabled);
        let (kind, credential_key, subject) = match handler {
            Some(handler) => {
                let key = self
                    .sealer
                    .open_string(
                        &handler.private_key_sealed,
                        SealContext::IdosHandlerKey {
                            public_key: &handler.public_key,
                        },
                    )
                    .context("opening an idOS handler's key")?;
                if verify(token, &key).is_err() {
                    return Ok(None);
                }
                (TokenKind::IdosCredential, subject, None)
            }
            None => (TokenKind::IdosUser, issuer, Some(subject)),
        };
        let Some(credential) = self
            .store
            .read()
            .credential_by_public_key(credential_key)
            .await
            .context("reading an idOS credential to introspect")?
        else {
            return Ok(None);
        };
        if kind == TokenKind::IdosUser {
            let key = self
                .sealer
                .open_string(
                    &credential.private_key_sealed,
                    SealContext::IdosCredentialKey {
                        public_key: &credential.public_key,
                    },
                )
                .context("opening an idOS credential's key")?;
            if verify(token, &key).is_err() || !subject.is_some_and(is_user_name) {
                return Ok(None);
            }
        }
        let Some(company) = self
            .store
            .read()
            .company_by_id(credential.org_id)
            .await
            .context("reading a credential's company to introspect")?
            .filter(|company: &CompanyRow| company.region == self.region())
        else {
            return Ok(None);
        };
        Ok(Some(IdosTokenFacts {
            kind,
            org_public_id: company.public_id.to_string(),
            org_path: company.path,
            subject: subject.map(str::to_owned),
            issued_at: claim_millis(&claims, "iat"),
            expires_at: claim_millis(&claims, "exp"),
        }))
    }
}

/// A NumericDate claim (seconds) in milliseconds.
fn claim_millis(claims: &Map<String, Value>, name: &str) -> Option<Millis> {
    claims
        .get(name)?
        .as_i64()
        .map(|secs| secs.saturating_mul(1000))
}
