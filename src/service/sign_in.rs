//! Surfsight `POST /authenticate`: an email and an argon2id-checked password for a 24-hour
//! user token, behind the sign-in throttle.

use std::net::IpAddr;
use std::sync::LazyLock;

use super::actor::TokenKind;
use super::error::{ServiceError, ServiceResult, Unauthorized};
use super::records::IssuedToken;
use super::throttle::Attempt;
use super::{Services, ttl};
use crate::crypto;
use crate::domain::{Email, now_millis};

/// Verified against when the account does not exist or has no password, so that such an
/// attempt costs as much time as a wrong password.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    crypto::hash_password(&crypto::random_hex_secret()).expect("hashing a random password")
});

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
        let account = Email::parse(email)
            .map(|e| e.key())
            .unwrap_or_else(|| email.trim().to_lowercase());
        let attempt = Attempt::new(&account, address);
        if let Some(wait) = self.throttle.wait(&attempt, now_millis()) {
            return Err(ServiceError::Throttled {
                retry_after_secs: (wait.max(0) as u64).div_ceil(1000).max(1),
            });
        }

        let user = self.store.read().user_by_email_key(&account).await?;
        let phc = user
            .as_ref()
            .and_then(|u| u.password_hash.clone())
            .unwrap_or_else(|| DECOY_HASH.clone());
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || crypto::verify_password(&password, &phc))
            .await
            .map_err(anyhow::Error::new)?;
        let user = match user {
            Some(user) if matches && user.password_hash.is_some() => user,
            _ => {
                self.throttle.record_failure(&attempt, now_millis());
                return Err(ServiceError::Unauthorized(Unauthorized::BadCredentials));
            }
        };
        self.throttle.record_success(&attempt);

        let mut tx = self.store.begin_token_writes().await?;
        let token = self
            .mint(
                &mut tx,
                TokenKind::Password,
                Some(user.id),
                user.org_id,
                ttl::DAY_TOKEN,
            )
            .await?;
        tx.commit().await?;
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
