use sqlx::error::DatabaseError;

/// The uniqueness rules the schema enforces, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueKey {
    OrganizationName,
    UserEmail,
    Nonce,
    /// Cloud Conformity: an Azure subscription, GCP project, active directory or GCP service
    /// account registered twice in one organisation.
    AzureSubscription,
    GcpProject,
    ActiveDirectory,
    GcpServiceAccount,
    Other,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unique constraint violated: {0:?}")]
    Unique(UniqueKey),
    #[error("foreign key constraint violated")]
    ForeignKey,
    #[error(transparent)]
    Database(sqlx::Error),
    /// From the synchronous SQLite connection (`DirectSqlite`).
    #[error(transparent)]
    Direct(rusqlite::Error),
    #[error(transparent)]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Creating the SQLite database file, or setting its mode.
    #[error("{path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match error.as_database_error() {
            Some(db) if db.is_unique_violation() => StoreError::Unique(unique_key(db)),
            Some(db) if db.is_foreign_key_violation() => StoreError::ForeignKey,
            _ => StoreError::Database(error),
        }
    }
}

/// Errors of the synchronous SQLite connection (`DirectSqlite`), mapped as sqlx's are: a
/// foreign-key violation (a token for a user deleted meanwhile) is `ForeignKey`.
impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match &error {
            rusqlite::Error::SqliteFailure(failure, _)
                if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY =>
            {
                StoreError::ForeignKey
            }
            _ => StoreError::Direct(error),
        }
    }
}

/// PostgreSQL names the violated constraint; SQLite names the table and column in its message.
fn unique_key(error: &dyn DatabaseError) -> UniqueKey {
    const KEYS: [(&str, &str, UniqueKey); 8] = [
        (
            "organizations_tree_name_key",
            "organizations.root_id, organizations.name",
            UniqueKey::OrganizationName,
        ),
        // Roots' names, unique among roots (only the operator creates roots).
        (
            "organizations_root_name_key",
            "organizations.name",
            UniqueKey::OrganizationName,
        ),
        ("users_email_key", "users.email_key", UniqueKey::UserEmail),
        (
            "nonces_pkey",
            "nonces.user_id, nonces.digest",
            UniqueKey::Nonce,
        ),
        (
            "azure_subscriptions_subscription_key",
            "azure_subscriptions.org_id, azure_subscriptions.subscription_key",
            UniqueKey::AzureSubscription,
        ),
        (
            "gcp_projects_project_key",
            "gcp_projects.org_id, gcp_projects.project_id",
            UniqueKey::GcpProject,
        ),
        (
            "azure_active_directories_directory_key",
            "azure_active_directories.org_id, azure_active_directories.directory_key",
            UniqueKey::ActiveDirectory,
        ),
        (
            "gcp_organisations_service_account_key",
            "gcp_organisations.org_id, gcp_organisations.service_account_unique_id",
            UniqueKey::GcpServiceAccount,
        ),
    ];
    let message = error.message();
    KEYS.iter()
        .find(|(pg, sqlite, _)| error.constraint() == Some(*pg) || message.contains(sqlite))
        .map(|(_, _, key)| *key)
        .unwrap_or(UniqueKey::Other)
}
