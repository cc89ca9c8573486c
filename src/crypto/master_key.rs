//! The master key that seals secrets at rest: `ORGHUB_MASTER_KEY` (base64 of 32 bytes), or
//! `<data-dir>/master.key`, created with mode 0600 on first start when neither exists. A key
//! file that group or others may read or write is refused: the key may have leaked, and its
//! owner should know before orghub seals anything more with it.

use std::io::{Read, Write};
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
    #[error(
        "the master key file {path} can be read or written by other users (mode {mode:04o}): \
         run `chmod 600 {path}` (and consider the key leaked if others could read it)"
    )]
    Exposed { path: String, mode: u32 },
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
        crate::private_files::create_dir(data_dir).map_err(io_error)?;
        match std::fs::File::open(&path) {
            Ok(mut file) => {
                // The mode of the file opened, not of whatever the path names a moment later.
                let metadata = file.metadata().map_err(io_error)?;
                if let Some(mode) = crate::private_files::shared_mode(&metadata) {
                    return Err(MasterKeyError::Exposed {
                        path: path.display().to_string(),
                        mode,
                    });
                }
                let mut text = String::new();
                file.read_to_string(&mut text).map_err(io_error)?;
                Self::from_base64(&text).ok_or_else(|| MasterKeyError::BadFile {
                    path: path.display().to_string(),
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate();
                match crate::private_files::create_new_file(&path) {
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

    #[cfg(unix)]
    #[test]
    fn a_key_file_others_can_read_or_write_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        MasterKey::load(None, dir.path()).unwrap();
        let path = dir.path().join(KEY_FILE);
        for mode in [0o640, 0o604, 0o620, 0o602] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let error = MasterKey::load(None, dir.path()).unwrap_err();
            assert!(
                matches!(error, MasterKeyError::Exposed { mode: m, .. } if m == mode),
                "{error:?}"
            );
            let message = error.to_string();
            assert!(
                message.contains(&format!("chmod 600 {}", path.display())),
                "{message}"
            );
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        MasterKey::load(None, dir.path()).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_data_directory_it_creates_is_0700() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        MasterKey::load(None, &dir).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
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
