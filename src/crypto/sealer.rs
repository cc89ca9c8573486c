//! Sealing of secrets that must be read back (owner secret keys, connection details, SSO
//! secrets): XChaCha20-Poly1305 under the master key, a fresh 24-byte nonce per message.
//! The associated data names what the secret belongs to (`SealContext`), so a sealed value
//! copied to another row or column does not open.

use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

use super::{MasterKey, SealContext};

const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("sealing failed")]
    Seal,
    #[error("a sealed value did not open (wrong master key, or the value was tampered with)")]
    Open,
}

#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl Sealer {
    pub fn new(key: &MasterKey) -> Self {
        let key = Key::from(*key.bytes());
        Self {
            cipher: XChaCha20Poly1305::new(&key),
        }
    }

    /// Returns `nonce || ciphertext`.
    pub fn seal(&self, plaintext: &[u8], context: SealContext<'_>) -> Result<Vec<u8>, SealError> {
        let aad = context.associated_data();
        let nonce = XNonce::generate();
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| SealError::Seal)?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        sealed.extend_from_slice(nonce.as_slice());
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    pub fn open(&self, sealed: &[u8], context: SealContext<'_>) -> Result<Vec<u8>, SealError> {
        let aad = context.associated_data();
        if sealed.len() < NONCE_LEN {
            return Err(SealError::Open);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| SealError::Open)?;
        self.cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| SealError::Open)
    }

    pub fn seal_str(
        &self,
        plaintext: &str,
        context: SealContext<'_>,
    ) -> Result<Vec<u8>, SealError> {
        self.seal(plaintext.as_bytes(), context)
    }

    pub fn open_string(
        &self,
        sealed: &[u8],
        context: SealContext<'_>,
    ) -> Result<String, SealError> {
        String::from_utf8(self.open(sealed, context)?).map_err(|_| SealError::Open)
    }
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer() -> Sealer {
        Sealer::new(&MasterKey::generate())
    }

    const USER_1: SealContext = SealContext::OwnerSecretKey { user_id: 1 };

    #[test]
    fn a_sealed_value_opens_with_its_context_only() {
        let sealer = sealer();
        let sealed = sealer.seal(b"hunter2", USER_1).unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(sealer.open(&sealed, USER_1).unwrap(), b"hunter2");
        for other in [
            SealContext::OwnerSecretKey { user_id: 2 },
            SealContext::SsoSecret { org_id: 1 },
            SealContext::ConnectionDetails { connection_id: 1 },
        ] {
            assert!(sealer.open(&sealed, other).is_err(), "{other:?}");
        }
    }

    #[test]
    fn another_master_key_or_a_flipped_bit_does_not_open() {
        let sealed = sealer().seal(b"x", USER_1).unwrap();
        assert!(sealer().open(&sealed, USER_1).is_err());
        let sealer = sealer();
        let mut sealed = sealer.seal(b"x", USER_1).unwrap();
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(sealer.open(&sealed, USER_1).is_err());
        assert!(sealer.open(&[1, 2, 3], USER_1).is_err());
    }

    #[test]
    fn two_seals_of_one_value_differ() {
        let sealer = sealer();
        assert_ne!(
            sealer.seal(b"x", USER_1).unwrap(),
            sealer.seal(b"x", USER_1).unwrap()
        );
    }
}
