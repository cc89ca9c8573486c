//! Surfsight `POST /authenticate`: an email and an argon2id-checked password for a 24-hour
//! user token, behind the sign-in throttle.

use std::net::IpAddr;

use anyhow::Context;

use super::error::{Invalid, ServiceError, ServiceResult, TextField, Unauthorized};
use super::minting::{TokenFor, mint};
use super::records::IssuedToken;
use super::throttle::Attempt;
use super::{Services, ttl};
use crate::crypto;
use crate::domain::email_key_of;
use crate::domain::{Email, EmailProblem, TokenKind, now_millis};

/// A successful sign-in: the token and the integer id of the user's organization.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub token: IssuedToken,
    pub org_id: i64,
}

impl Services {
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        address: Option<IpAddr>,
    ) -> ServiceResult<SignIn> {
        let account = match Email::parse(email) {
            Ok(email) => email.key(),
            // Never looked up, nor kept by the throttle: a database would refuse some of
            // these (a NUL byte), and no stored address can hold them.
            Err(EmailProblem::Text(problem)) => {
                return Err(ServiceError::Invalid(Invalid::Text {
                    field: TextField::Email,
                    problem,
                }));
            }
            // Not an address: it finds no account, but is throttled as any other.
            Err(EmailProblem::Shape) => email_key_of(email.trim()),
        };
        let attempt = Attempt::new(&account, address);
        if let Some(wait) = self.throttle.wait(&attempt, now_millis()) {
            return Err(ServiceError::Throttled {
                retry_after_secs: (wait.max(0) as u64).div_ceil(1000).max(1),
            });
        }

        let user = self
            .store
            .read()
            .user_by_email_key(&account)
            .await
            .context("reading a user by email to sign in")?;
        // Without a user or a password, a decoy is checked: a refusal takes as long either way.
        let phc = user.as_ref().and_then(|u| u.password_hash.clone());
        let matches = crypto::verify_password_blocking(password.to_owned(), phc)
            .await
            .context("checking a password")?;
        let user = match user {
            Some(user) if matches => user,
            _ => {
                self.throttle.record_failure(&attempt, now_millis());
                return Err(ServiceError::Unauthorized(Unauthorized::BadCredentials));
            }
        };
        self.throttle.record_success(&attempt);

        let mut tx = self
            .store
            .begin_token_writes()
            .await
            .context("starting to write a sign-in token")?;
        let token = mint(
            &mut tx,
            TokenFor {
                kind: TokenKind::Password,
                user_id: Some(user.id),
                org_id: user.org_id,
                region: self.region(),
                lifetime: ttl::DAY_TOKEN,
            },
        )
        .await?;
        tx.commit().await.context("committing a sign-in token")?;
        Ok(SignIn {
            token,
            org_id: user.org_id,
        })
    }

    /// Forgets throttle entries whose failures have aged out; returns how many remain.
    pub fn prune_sign_in_throttle(&self) -> usize {
        self.throttle.prune(now_millis())
    }
}
