//! The master key that seals secrets at rest: `ORGHUB_MASTER_KEY` (base64 of 32 bytes), or
//! `<data-dir>/master.key`, created with mode 0600 on first start when neither exists.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub const KEY_FILE: &str = "master.key";

#[derive(Clone)]
pub struct MasterKey([u8; 32]);

#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    #[error("ORGHUB_MASTER_KEY must be the base64 encoding of exactly 32 bytes")]
    BadEnvironmentValue,
    #[error("{path} must hold the base64 encoding of exactly 32 bytes")]
    BadFile { path: String },
    #[error("cannot read or create the master key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl MasterKey {
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        key.copy_from_slice(&super::random_bytes(32));
        Self(key)
    }

    pub fn from_base64(text: &str) -> Option<Self> {
        let bytes = STANDARD.decode(text.trim()).ok()?;
        <[u8; 32]>::try_from(bytes.as_slice()).ok().map(Self)
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The environment's key when given, else the data directory's key file, created if absent.
    pub fn load(env_value: Option<&str>, data_dir: &Path) -> Result<Self, MasterKeyError> {
        if let Some(value) = env_value.filter(|v| !v.trim().is_empty()) {
            return Self::from_base64(value).ok_or(MasterKeyError::BadEnvironmentValue);
        }
        let path = data_dir.join(KEY_FILE);
        let io_error = |source| MasterKeyError::Io {
            path: path.display().to_string(),
            source,
        };
        std::fs::create_dir_all(data_dir).map_err(io_error)?;
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::from_base64(&text).ok_or_else(|| MasterKeyError::BadFile {
                path: path.display().to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                match create_private_file(&path) {
                    Ok(mut file) => {
                        file.write_all(key.to_base64().as_bytes())
                            .map_err(io_error)?;
                        file.sync_all().map_err(io_error)?;
                        Ok(key)
                    }
                    // Another process created it first: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        Self::load(None, data_dir)
                    }
                    Err(e) => Err(io_error(e)),
                }
            }
            Err(e) => Err(io_error(e)),
        }
    }
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_created_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let first = MasterKey::load(None, dir.path()).unwrap();
        let second = MasterKey::load(None, dir.path()).unwrap();
        assert_eq!(first.bytes(), second.bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn the_environment_wins_and_must_be_32_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let key = MasterKey::generate();
        let loaded = MasterKey::load(Some(&key.to_base64()), dir.path()).unwrap();
        assert_eq!(loaded.bytes(), key.bytes());
        assert!(!dir.path().join(KEY_FILE).exists());
        assert!(matches!(
            MasterKey::load(Some("c2hvcnQ="), dir.path()),
            Err(MasterKeyError::BadEnvironmentValue)
        ));
    }
}
