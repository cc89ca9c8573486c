//! Surfsight `POST /authenticate`: an email and an argon2id-checked password for a 24-hour
//! user token, behind the sign-in throttle and the password gate.

use std::net::IpAddr;

use anyhow::Context;

use super::error::{
    FieldRule, Invalid, ServiceError, ServiceResult, TextField, Unauthorized, password_failure,
};
use super::minting::{TokenFor, mint};
use super::records::IssuedToken;
use super::throttle::Attempt;
use super::{Services, ttl};
use crate::domain::{
    Email, EmailProblem, Millis, TextProblem, TokenKind, email_key_of, now_millis,
};
use crate::store::UserRow;

/// A successful sign-in: the token and the integer id of the user's organization.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub token: IssuedToken,
    pub org_id: i64,
}

/// No email longer than this is stored (`Email::parse` allows 254 bytes), so a longer one is
/// refused before it costs a look-up, a hash or a throttle key.
const MAX_EMAIL_CHARS: usize = 254;

fn throttled(wait: Millis) -> ServiceError {
    ServiceError::Throttled {
        retry_after_secs: (wait.max(0) as u64).div_ceil(1000).max(1),
    }
}

impl Services {
    /// Counts the attempt as a failure first (the throttle's reservation), then checks the
    /// password under the password gate; a success takes the count back. So parallel
    /// attempts cannot all pass a check made before any of them was counted.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        address: Option<IpAddr>,
    ) -> ServiceResult<SignIn> {
        let too_long = || {
            ServiceError::Invalid(Invalid::Field {
                field: "email",
                rule: FieldRule::MaxChars(MAX_EMAIL_CHARS),
            })
        };
        if email.trim().chars().nth(MAX_EMAIL_CHARS).is_some() {
            return Err(too_long());
        }
        let account = match Email::parse(email) {
            Ok(email) => email.key(),
            // Over 254 bytes in fewer characters: as long as any other over-long address.
            Err(EmailProblem::Text(TextProblem::TooLong { .. })) => return Err(too_long()),
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
        let reservation = self
            .throttle
            .reserve(&Attempt::new(&account, address), now_millis())
            .map_err(throttled)?;
        match self.check_password(&account, password).await {
            Ok(Some(user)) => {
                self.throttle.succeeded(reservation, now_millis());
                self.mint_password_token(user).await
            }
            // A failure: the reservation stays counted.
            Ok(None) => Err(ServiceError::Unauthorized(Unauthorized::BadCredentials)),
            Err(error) => {
                // Nothing was checked (busy, or the store failed): it is not a failure.
                self.throttle.release(reservation);
                Err(error)
            }
        }
    }

    /// The user whose password this is, or `None`. Without such a user (or one of another
    /// region, or without a password), a decoy is checked: a refusal takes as long either way.
    async fn check_password(
        &self,
        account: &str,
        password: &str,
    ) -> ServiceResult<Option<UserRow>> {
        let user = self
            .store
            .read()
            .user_by_email_key(account)
            .await
            .context("reading a user by email to sign in")?
            .filter(|user| user.region == self.region());
        let phc = user.as_ref().and_then(|u| u.password_hash.clone());
        let matches = self
            .passwords
            .verify_password_blocking(password.to_owned(), phc)
            .await
            .map_err(|e| password_failure(e, "checking a password"))?;
        Ok(user.filter(|_| matches))
    }

    async fn mint_password_token(&self, user: UserRow) -> ServiceResult<SignIn> {
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
                // The epoch read with the password hash just checked: if the password changed
                // meanwhile, this token is refused.
                epoch: user.token_epoch,
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
