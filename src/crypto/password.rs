//! Passwords are stored as argon2id PHC strings. Hashing is slow on purpose (tens of
//! milliseconds), so it runs on tokio's blocking pool, here, for every caller: the only way
//! in is the `async` functions.

use std::sync::LazyLock;

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Hashes `password` with argon2id, on the blocking pool.
pub async fn hash_password_blocking(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .context("the password hashing task failed")?
}

/// True when `password` matches the PHC string `phc`, checked on the blocking pool. Without a
/// stored hash (no such account, or one without a password) a decoy is checked instead, so
/// that the refusal takes as long as a wrong password's. A malformed stored hash never matches.
pub async fn verify_password_blocking(
    password: String,
    phc: Option<String>,
) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => verify_password(&password, &phc),
        None => {
            if let Some(decoy) = DECOY_HASH.as_deref() {
                verify_password(&password, decoy);
            }
            false
        }
    })
    .await
    .context("the password verification task failed")
}

/// The hash of a random password nobody knows, made on first use (on the blocking pool).
static DECOY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_password(&super::random_hex_secret()).ok());

fn hash_password(password: &str) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))?;
    Ok(hash.to_string())
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let phc = hash_password_blocking("correct horse".into())
            .await
            .unwrap();
        assert!(phc.starts_with("$argon2id$"));
        let verify = |password: &str, phc: Option<&str>| {
            verify_password_blocking(password.into(), phc.map(str::to_owned))
        };
        assert!(verify("correct horse", Some(&phc)).await.unwrap());
        assert!(!verify("wrong horse", Some(&phc)).await.unwrap());
        assert!(!verify("correct horse", Some("not a hash")).await.unwrap());
        assert!(!verify("correct horse", None).await.unwrap());
    }
}
