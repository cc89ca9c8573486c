//! Cryptography, all of it from RustCrypto crates: random secrets, digests, AEAD sealing,
//! password hashing. Nothing here is hand-rolled.

mod master_key;
mod password;
mod sealer;

pub use master_key::{MasterKey, MasterKeyError};
pub use password::{hash_password, verify_password};
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
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"sama"));
        assert!(!constant_time_eq(b"same", b"same+"));
    }
}
