//! Surfsight organization authentication: partners create organizations with an SSO secret,
//! sign HS256 JWTs with it, and exchange them for 24-hour organization admin tokens.

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use anyhow::Context;

use super::actor::{Access, Actor};
use super::error::TextField;
use super::error::{
    ClaimProblem, Forbidden, Invalid, ServiceError, ServiceResult, SsoRefusal, Unauthorized,
    internal,
};
use super::events::Origin;
use super::lookup::{lock_tenant, parse_name};
use super::minting::{TokenFor, mint};
use super::org_writes::insert_child_org;
use super::quotas::Quota;
use super::records::{IssuedToken, Organization};
use super::{Services, ttl};
use crate::crypto::{self, SealContext};
use crate::domain::{Kind, Millis, TokenKind, now_millis};
use crate::store::RowLock;

/// A new organization and its SSO secret, which is shown this once.
#[derive(Debug, Clone)]
pub struct SsoOrganization {
    pub organization: Organization,
    pub sso_secret: String,
}

/// What a JWT naming no usable organization is checked against (see `exchange_sso_jwt`).
static DECOY_SSO_SECRET: LazyLock<String> = LazyLock::new(crypto::random_hex_secret);

fn refused(reason: SsoRefusal) -> ServiceError {
    ServiceError::Unauthorized(Unauthorized::Sso(reason))
}

fn bad_claim(claim: &'static str, problem: ClaimProblem) -> ServiceError {
    ServiceError::Invalid(Invalid::SsoClaim { claim, problem })
}

impl Services {
    /// Surfsight `POST /organizations`: a partner creates an organization below its own.
    pub async fn create_sso_org(
        &self,
        actor: &Actor,
        name: &str,
    ) -> ServiceResult<SsoOrganization> {
        if !actor.partner {
            return Err(ServiceError::Forbidden(Forbidden::NotAPartner));
        }
        let name = parse_name(name, TextField::Name)?;
        let name = name.as_str();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create an SSO organization")?;
        // The tenant's lock first: organizations are counted, and the tree's shape changes.
        let usage = lock_tenant(&mut tx, actor.org_path.root_id()).await?;
        let parent = tx
            .org_by_id_locked(actor.org_id, RowLock::KeyShare)
            .await
            .context("reading a partner's organization")?
            .ok_or_else(|| ServiceError::NotFound {
                kind: Kind::Organization,
                id: actor.org_public_id.clone(),
            })?;
        actor.authorize(
            Access::Administer,
            &parent.path,
            Kind::ParentOrganization,
            parent.public_id,
        )?;
        self.config
            .quotas
            .check(Quota::Organizations, usage.orgs, 1)?;
        let org = insert_child_org(&mut tx, &parent, name, Origin::Actor(actor)).await?;
        let sso_secret = crypto::random_hex_secret();
        let sealed = self
            .sealer
            .seal_str(&sso_secret, SealContext::SsoSecret { org_id: org.id })
            .map_err(|e| internal(e, "sealing an SSO secret"))?;
        tx.set_sso_secret(org.id, &sealed)
            .await
            .context("storing an SSO secret")?;
        tx.commit()
            .await
            .context("committing an SSO organization")?;
        Ok(SsoOrganization {
            organization: org.into(),
            sso_secret,
        })
    }

    /// Surfsight `GET /organizations`: a partner sees every organization below its own; any
    /// other actor (an organization admin token, a user) sees its own organization.
    pub async fn sso_orgs(&self, actor: &Actor) -> ServiceResult<Vec<Organization>> {
        let rows = if actor.partner {
            let mut subtree = self
                .store
                .read()
                .orgs_in_subtree(&actor.org_path)
                .await
                .context("reading a partner's organizations")?;
            subtree.retain(|org| org.id != actor.org_id);
            subtree
        } else {
            // Not the whole subtree: an admin token of a big tree would read it all for one row.
            self.store
                .read()
                .org_by_id(actor.org_id)
                .await
                .context("reading an actor's organization")?
                .into_iter()
                .collect()
        };
        Ok(rows.into_iter().map(Organization::from).collect())
    }

    /// Surfsight `GET /organizations/sso`: checks a partner's HS256 JWT and issues a 24-hour
    /// organization admin token for the organization it names.
    pub async fn exchange_sso_jwt(&self, jwt: &str) -> ServiceResult<IssuedToken> {
        let alg = header_alg(jwt)?;
        if alg != "HS256" {
            return Err(refused(SsoRefusal::Algorithm(alg)));
        }
        let claims = jsonwebtoken::dangerous::insecure_decode_claims::<Map<String, Value>>(jwt)
            .map_err(|_| refused(SsoRefusal::Malformed))?;
        let org_id = organization_id(&claims)?;
        let row = self
            .store
            .read()
            .org_sso_secret(org_id)
            .await
            .with_context(|| format!("reading the SSO secret of organization {org_id}"))?;
        // An unknown organization, one of another region and one without an SSO secret are
        // refused as a bad signature is, after a check against a decoy that costs the same:
        // a caller without the secret learns nothing of which organizations exist.
        let Some((sealed, epoch)) = row
            .filter(|row| row.region == self.region())
            .and_then(|row| Some((row.sso_secret_sealed?, row.sso_epoch)))
        else {
            let _ = verify_signature(jwt, &DECOY_SSO_SECRET);
            return Err(refused(SsoRefusal::Signature));
        };
        let secret = self
            .sealer
            .open_string(&sealed, SealContext::SsoSecret { org_id })
            .map_err(|e| internal(e, "opening an SSO secret"))?;
        verify_signature(jwt, &secret)?;
        check_window(issued_at(&claims)?, now_millis())?;

        let mut tx = self
            .store
            .begin_token_writes()
            .await
            .context("starting to write an organization admin token")?;
        let token = mint(
            &mut tx,
            TokenFor {
                kind: TokenKind::OrgAdmin,
                user_id: None,
                org_id,
                region: self.region(),
                lifetime: ttl::DAY_TOKEN,
                // Rotating the SSO secret moves the epoch on and ends this token.
                epoch,
            },
        )
        .await?;
        tx.commit()
            .await
            .context("committing an organization admin token")?;
        Ok(token)
    }
}

/// The `alg` of the JWT's header, read as text so that `none` and unknown names can be named
/// in the refusal.
fn header_alg(jwt: &str) -> ServiceResult<String> {
    let malformed = || refused(SsoRefusal::Malformed);
    let mut parts = jwt.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let header: Map<String, Value> = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(malformed)?;
    match header.get("alg") {
        Some(Value::String(alg)) => Ok(alg.clone()),
        _ => Err(malformed()),
    }
}

fn organization_id(claims: &Map<String, Value>) -> ServiceResult<i64> {
    const CLAIM: &str = "organizationId";
    let id = match claims.get(CLAIM) {
        None | Some(Value::Null) => return Err(bad_claim(CLAIM, ClaimProblem::Missing)),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(_) => None,
    };
    id.filter(|id| *id > 0)
        .ok_or_else(|| bad_claim(CLAIM, ClaimProblem::Malformed))
}

fn verify_signature(jwt: &str, secret: &str) -> ServiceResult<()> {
    let mut validation = Validation::new(Algorithm::HS256);
    // The window is checked from `timestamp`/`iat` below; `exp` is honoured when present.
    validation.required_spec_claims.clear();
    validation.validate_aud = false;
    validation.leeway = (ttl::SSO_CLOCK_SKEW / 1000) as u64;
    jsonwebtoken::decode::<Value>(
        jwt,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map(|_| ())
    .map_err(|e| match e.kind() {
        ErrorKind::InvalidSignature => refused(SsoRefusal::Signature),
        ErrorKind::ExpiredSignature => refused(SsoRefusal::Expired),
        _ => refused(SsoRefusal::Malformed),
    })
}

/// When the JWT was made: its `timestamp` claim (`YYYY-MM-DDThh:mm:ss`, UTC, as Surfsight
/// documents; RFC 3339 is accepted too) or else its `iat` (seconds since the epoch).
fn issued_at(claims: &Map<String, Value>) -> ServiceResult<Millis> {
    if let Some(value) = claims.get("timestamp") {
        return value
            .as_str()
            .and_then(parse_timestamp)
            .ok_or_else(|| bad_claim("timestamp", ClaimProblem::Malformed));
    }
    match claims.get("iat") {
        None => Err(bad_claim("timestamp", ClaimProblem::Missing)),
        Some(iat) => iat
            .as_i64()
            .or_else(|| iat.as_f64().map(|f| f as i64))
            .and_then(|secs| secs.checked_mul(1000))
            .ok_or_else(|| bad_claim("iat", ClaimProblem::Malformed)),
    }
}

fn parse_timestamp(text: &str) -> Option<Millis> {
    let plain = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let moment = PrimitiveDateTime::parse(text, plain)
        .map(PrimitiveDateTime::assume_utc)
        .or_else(|_| OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339))
        .ok()?;
    Some((moment.unix_timestamp_nanos() / 1_000_000) as Millis)
}

/// A JWT is good for 15 minutes from its timestamp, give or take the clock skew.
fn check_window(issued_at: Millis, now: Millis) -> ServiceResult<()> {
    if issued_at - now > ttl::SSO_CLOCK_SKEW {
        Err(refused(SsoRefusal::Future))
    } else if now - issued_at > ttl::SSO_JWT + ttl::SSO_CLOCK_SKEW {
        Err(refused(SsoRefusal::Expired))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_in_the_documented_form_or_rfc_3339() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:10"), Some(10_000));
        assert_eq!(parse_timestamp("1970-01-01T00:00:10Z"), Some(10_000));
        assert_eq!(parse_timestamp("1970-01-01T01:00:10+01:00"), Some(10_000));
        assert_eq!(parse_timestamp("1970-01-01 00:00:10"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn the_window_is_fifteen_minutes_with_a_minute_of_skew() {
        let now = 100 * 60 * 1000;
        assert!(check_window(now, now).is_ok());
        assert!(check_window(now - 15 * 60 * 1000, now).is_ok());
        assert!(check_window(now + 30_000, now).is_ok());
        assert!(matches!(
            check_window(now - 17 * 60 * 1000, now),
            Err(ServiceError::Unauthorized(Unauthorized::Sso(
                SsoRefusal::Expired
            )))
        ));
        assert!(matches!(
            check_window(now + 5 * 60 * 1000, now),
            Err(ServiceError::Unauthorized(Unauthorized::Sso(
                SsoRefusal::Future
            )))
        ));
    }

    #[test]
    fn the_header_alg_is_read_as_text() {
        let header = |json: &str| format!("{}.e30.sig", URL_SAFE_NO_PAD.encode(json));
        assert_eq!(header_alg(&header(r#"{"alg":"none"}"#)).unwrap(), "none");
        assert_eq!(
            header_alg(&header(r#"{"alg":"HS256","typ":"JWT"}"#)).unwrap(),
            "HS256"
        );
        assert!(header_alg("only.two").is_err());
        assert!(header_alg(&header(r#"{"typ":"JWT"}"#)).is_err());
    }
}
