//! The SQLite database file and its companions (`-wal`, `-shm`, `-journal`), readable by
//! orghub's user only. SQLite creates a database file 0644 less the umask and gives its
//! companions the database file's mode, so the file is created 0600 before SQLite opens it.
//! Files an earlier version left open to others are closed to them.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::{StoreError, StoreResult};
use crate::private_files;

const COMPANIONS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// Before SQLite opens `path`: creates the file 0600 when missing, and makes it and any
/// companion left from an earlier run private.
pub(super) fn prepare(path: &Path) -> StoreResult<()> {
    match private_files::create_new_file(path) {
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(source) => return Err(file_error(path, source)),
    }
    make_private(path)
}

/// Makes the database file and whichever companions exist private.
pub(super) fn make_private(path: &Path) -> StoreResult<()> {
    for file in std::iter::once(path.to_owned()).chain(companions(path)) {
        match private_files::make_private(&file) {
            Ok(None) => {}
            Ok(Some(mode)) => tracing::warn!(
                file = %file.display(),
                mode = %format!("{mode:04o}"),
                "a database file was open to other users: it is 0600 now"
            ),
            Err(source) => return Err(file_error(&file, source)),
        }
    }
    Ok(())
}

fn companions(path: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    COMPANIONS.iter().map(move |suffix| {
        let mut name = OsString::from(path.as_os_str());
        name.push(suffix);
        PathBuf::from(name)
    })
}

fn file_error(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::File {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::store::{Location, Store};

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    /// Whatever the test process's umask (0022 usually, which gives SQLite's own files 0644).
    #[tokio::test]
    async fn a_new_database_and_its_write_ahead_log_are_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orghub.sqlite3");
        let store = Store::open(Location::SqliteFile(&path)).await.unwrap();
        // The pools are open: the log and its index exist now.
        for file in [path.clone()].into_iter().chain(companions(&path).take(2)) {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
        store.close().await;
    }

    #[tokio::test]
    async fn database_files_left_open_to_others_are_closed_to_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orghub.sqlite3");
        Store::open(Location::SqliteFile(&path))
            .await
            .unwrap()
            .close()
            .await;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let store = Store::open(Location::SqliteFile(&path)).await.unwrap();
        for file in [path.clone()].into_iter().chain(companions(&path).take(2)) {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }
        store.close().await;
    }
}
