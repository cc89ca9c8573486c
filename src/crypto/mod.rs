//! Cryptography, all of it from RustCrypto crates: random secrets, digests, AEAD sealing,
//! password hashing. Nothing here is hand-rolled.

mod master_key;
mod password;
mod seal_context;
mod sealer;
pub mod webhook;

pub use master_key::{MasterKey, MasterKeyError};
pub use password::{HeldPermit, PasswordError, PasswordGate};
pub use seal_context::SealContext;
pub use sealer::{SealError, Sealer};

use rand::RngCore;
use sha2::{Digest, Sha256};

/// `len` bytes from the operating system's CSPRNG (through rand's thread RNG, seeded from it).
pub fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

/// A new opaque secret of 256 bits, as 64 lowercase hex characters.
pub fn random_hex_secret() -> String {
    hex::encode(random_bytes(32))
}

/// A new bearer token: 76 lowercase hex characters. The first 12 are its time of issue in
/// milliseconds since the Unix epoch, so that new tokens' keys (`bearer_token_key`) sort last;
/// the other 64 are random (256 bits).
pub fn new_bearer_token(issued_at_millis: u64) -> String {
    let mut bytes = [0u8; TOKEN_TIME_BYTES + 32];
    bytes[..TOKEN_TIME_BYTES]
        .copy_from_slice(&issued_at_millis.to_be_bytes()[8 - TOKEN_TIME_BYTES..]);
    rand::rng().fill_bytes(&mut bytes[TOKEN_TIME_BYTES..]);
    hex::encode(bytes)
}

/// How many leading bytes of a bearer token (and of its key) are its time of issue.
const TOKEN_TIME_BYTES: usize = 6;

/// What a bearer token is stored and looked up as (`bearer_token_key`).
pub type BearerTokenKey = [u8; TOKEN_TIME_BYTES + 32];

/// What a bearer token is stored and looked up as: its time of issue (from its first 12
/// characters), then its SHA-256. The store holds no token, only its digest; and as the keys
/// of new tokens sort last, a batch of them lands on the last page of the tokens' index
/// instead of on one random page each, which under load was most of what a SQLite commit
/// wrote. A string that does not start with 12 hex characters gets time 0, which no token has.
pub fn bearer_token_key(token: &str) -> BearerTokenKey {
    let mut key = [0u8; TOKEN_TIME_BYTES + 32];
    let mut time = [0u8; TOKEN_TIME_BYTES];
    if let Some(hex_time) = token.as_bytes().get(..2 * TOKEN_TIME_BYTES)
        && hex::decode_to_slice(hex_time, &mut time).is_ok()
    {
        key[..TOKEN_TIME_BYTES].copy_from_slice(&time);
    }
    key[TOKEN_TIME_BYTES..].copy_from_slice(&sha256(token.as_bytes()));
    key
}

/// `len` characters from [A-Za-z0-9] (for API keys, whose public form is 64 alphanumerics).
pub fn random_alphanumeric(len: usize) -> String {
    use rand::Rng;
    use rand::distr::Alphanumeric;
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// SHA-256 of `data`. Bearer tokens, API keys and nonces are stored only as this digest:
/// they carry 256 bits of entropy (or need only be recognised), so a fast hash is enough.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Lowercase hex SHA-256, as Xponent clients compute `hash = sha256(secret + nonce)`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(sha256(data))
}

/// Compares two byte strings in constant time (for secrets a client proves it knows).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_hex_matches_a_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn random_secrets_are_long_and_distinct() {
        let (a, b) = (random_hex_secret(), random_hex_secret());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        let key = random_alphanumeric(64);
        assert_eq!(key.len(), 64);
        assert!(key.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn a_bearer_token_starts_with_its_time_of_issue_then_256_random_bits() {
        let issued_at = 1_795_000_000_123u64;
        let (a, b) = (new_bearer_token(issued_at), new_bearer_token(issued_at));
        assert_eq!(a.len(), 76);
        assert!(a.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        assert_eq!(&a[..12], format!("{issued_at:012x}"));
        assert_eq!(a[..12], b[..12]);
        assert_ne!(a[12..], b[12..]);
    }

    #[test]
    fn a_bearer_token_key_is_its_time_then_its_digest_and_sorts_by_time() {
        let token = new_bearer_token(1_795_000_000_123);
        let key = bearer_token_key(&token);
        assert_eq!(key[..6], hex::decode(&token[..12]).unwrap()[..]);
        assert_eq!(key[6..], sha256(token.as_bytes()));

        let later = bearer_token_key(&new_bearer_token(1_795_000_000_124));
        let much_later = bearer_token_key(&new_bearer_token(1_900_000_000_000));
        assert!(key < later && later < much_later);

        // Anything else gets time 0; a wrong token's key is never a real one's.
        for other in ["not-a-token", "é", "0123456789ab", "0123zz"] {
            let key = bearer_token_key(other);
            assert_eq!(key[6..], sha256(other.as_bytes()), "{other}");
        }
        assert_eq!(bearer_token_key("not-a-token")[..6], [0; 6]);
        assert_eq!(bearer_token_key("0123456789zz")[..6], [0; 6]);
        assert_eq!(
            bearer_token_key("0123456789ab")[..6],
            [1, 0x23, 0x45, 0x67, 0x89, 0xab]
        );
        let mut wrong = token.clone();
        wrong.replace_range(75.., if token.ends_with('0') { "1" } else { "0" });
        assert_ne!(bearer_token_key(&wrong), key);
    }

    #[test]
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"sama"));
        assert!(!constant_time_eq(b"same", b"same+"));
    }
}
