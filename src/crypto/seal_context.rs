//! What each sealed secret belongs to, in one place. The context is the associated data of
//! the seal: a sealed value copied to another row or column does not open.

/// A column holding sealed values, and the row a value belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealContext<'a> {
    /// `users.secret_key_sealed`: an Owner's secret key for Xponent `POST /token`.
    OwnerSecretKey { user_id: i64 },
    /// `project_connections.details_sealed`: a connection's details, credentials included.
    ConnectionDetails { connection_id: i64 },
    /// `organizations.sso_secret_sealed`: the secret a partner signs Surfsight SSO JWTs with.
    SsoSecret { org_id: i64 },
    /// `azure_active_directories.application_key_sealed`: the key Cloud Conformity would read
    /// an Azure directory with.
    AzureApplicationKey {
        org_id: i64,
        directory_id: uuid::Uuid,
    },
    /// `gcp_organisations.key_sealed`: a GCP service account's key (JSON).
    GcpServiceAccountKey { organisation: uuid::Uuid },
    /// `hooks.url_sealed`: where a hook's deliveries go (a URL may carry credentials).
    HookUrl { hook: &'a str },
    /// `hooks.secret_sealed` and `hooks.previous_secret_sealed`: a hook's signing secret.
    HookSecret { hook: &'a str },
    /// `idos_identities.private_key_sealed`: the key an identity signs IdentityTokens with.
    IdosIdentityKey { public_key: &'a str },
    /// `idos_credentials.private_key_sealed`: the key a credential signs UserTokens with.
    IdosCredentialKey { public_key: &'a str },
    /// `idos_handlers.private_key_sealed`: the key a handler signs CredentialTokens with.
    IdosHandlerKey { public_key: &'a str },
    /// `idos_handlers.auth_password_sealed`: a handler's password.
    IdosHandlerPassword { public_key: &'a str },
}

impl SealContext<'_> {
    /// The associated data. Every value already sealed was sealed with these exact texts:
    /// changing one makes those values unreadable.
    pub(super) fn associated_data(self) -> String {
        match self {
            Self::OwnerSecretKey { user_id } => format!("users.secret_key:{user_id}"),
            Self::ConnectionDetails { connection_id } => {
                format!("project_connections.details:{connection_id}")
            }
            Self::SsoSecret { org_id } => format!("organizations.sso_secret:{org_id}"),
            Self::AzureApplicationKey {
                org_id,
                directory_id,
            } => format!("azure_active_directories.application_key:{org_id}:{directory_id}"),
            Self::GcpServiceAccountKey { organisation } => {
                format!("gcp_organisations.key:{organisation}")
            }
            Self::HookUrl { hook } => format!("hooks.url:{hook}"),
            Self::HookSecret { hook } => format!("hooks.secret:{hook}"),
            Self::IdosIdentityKey { public_key } => {
                format!("idos_identities.private_key:{public_key}")
            }
            Self::IdosCredentialKey { public_key } => {
                format!("idos_credentials.private_key:{public_key}")
            }
            Self::IdosHandlerKey { public_key } => {
                format!("idos_handlers.private_key:{public_key}")
            }
            Self::IdosHandlerPassword { public_key } => {
                format!("idos_handlers.auth_password:{public_key}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_associated_data_of_stored_values_does_not_change() {
        assert_eq!(
            SealContext::OwnerSecretKey { user_id: 7 }.associated_data(),
            "users.secret_key:7"
        );
        assert_eq!(
            SealContext::ConnectionDetails { connection_id: 8 }.associated_data(),
            "project_connections.details:8"
        );
        assert_eq!(
            SealContext::SsoSecret { org_id: 9 }.associated_data(),
            "organizations.sso_secret:9"
        );
        assert_eq!(
            SealContext::HookUrl { hook: "h" }.associated_data(),
            "hooks.url:h"
        );
        assert_eq!(
            SealContext::HookSecret { hook: "h" }.associated_data(),
            "hooks.secret:h"
        );
        assert_eq!(
            SealContext::IdosIdentityKey { public_key: "p" }.associated_data(),
            "idos_identities.private_key:p"
        );
        assert_eq!(
            SealContext::IdosCredentialKey { public_key: "p" }.associated_data(),
            "idos_credentials.private_key:p"
        );
        assert_eq!(
            SealContext::IdosHandlerKey { public_key: "p" }.associated_data(),
            "idos_handlers.private_key:p"
        );
        assert_eq!(
            SealContext::IdosHandlerPassword { public_key: "p" }.associated_data(),
            "idos_handlers.auth_password:p"
        );
    }
}
