//! Files only orghub's own user may touch: the data directory (0700), the SQLite database and
//! its companions and the master key (0600). Modes are set explicitly after creation, so the
//! umask of whoever starts orghub does not loosen them.

use std::fs::File;
use std::io;
use std::path::Path;

/// The permission bits of group and others.
#[cfg(unix)]
const SHARED_BITS: u32 = 0o077;

/// Creates `dir` (and missing parents) readable by its owner only; a directory that exists
/// already is left as the operator set it.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

/// Creates a new file, failing with `AlreadyExists` if there is one, readable and writable by
/// its owner only. The mode is set at creation, so the file is never open to others.
pub fn create_new_file(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

/// The file's mode when group or others may read, write or run it; `None` when only its
/// owner may (and always on systems without Unix modes).
pub fn shared_mode(metadata: &std::fs::Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o7777;
        (mode & SHARED_BITS != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        None
    }
}

/// Takes group's and others' access away from an existing file; returns its former mode when
/// it had to. A missing file is no error (`Ok(None)`).
pub fn make_private(path: &Path) -> io::Result<Option<u32>> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    let Some(mode) = shared_mode(&metadata) else {
        return Ok(None);
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !SHARED_BITS))?;
    }
    Ok(Some(mode))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_new_directory_is_0700_and_an_existing_one_is_left_alone() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);

        let existing = root.path().join("existing");
        std::fs::create_dir(&existing).unwrap();
        std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o750)).unwrap();
        create_dir(&existing).unwrap();
        assert_eq!(mode(&existing), 0o750);
    }

    #[test]
    fn a_new_file_is_0600_and_never_replaces_one() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("f");
        create_new_file(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        let again = create_new_file(&path).unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
    }

    #[test]
    fn make_private_takes_group_and_other_bits_away() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("f");
        std::fs::write(&path, b"x").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
        assert_eq!(make_private(&path).unwrap(), Some(0o664));
        assert_eq!(mode(&path), 0o600);
        assert_eq!(make_private(&path).unwrap(), None);
        assert_eq!(make_private(&root.path().join("missing")).unwrap(), None);
    }
}
