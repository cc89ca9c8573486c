//! The catalog of event types: every change orghub commits is recorded as one (or, when a
//! change is two things at once, such as a rename and a move, two) of these, in the
//! transaction of the change. This list is the one place a type is named; `docs/hooks.md`
//! describes each.

use std::fmt;

/// The type of an event, written as a dotted name (`organization.created`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    OrganizationCreated,
    OrganizationUpdated,
    OrganizationMoved,
    OrganizationDeleted,
    UserCreated,
    UserUpdated,
    UserRoleChanged,
    UserDeleted,
    SecretKeyCreated,
    SecretKeyRotated,
    ApiKeyCreated,
    ApiKeyRevoked,
    TemplateCreated,
    ProjectCreated,
    ProjectUpdated,
    ProjectDeleted,
    ProjectConnectionUpdated,
    CloudAccountCreated,
    CloudAccountUpdated,
    CloudAccountDeleted,
    ExternalIdCreated,
    GroupCreated,
    GroupUpdated,
    GroupDeleted,
    AzureActiveDirectoryCreated,
    GcpOrganisationCreated,
    HookCreated,
    HookSecretRotated,
    HookEnabled,
    HookDisabled,
    HookDeleted,
    HookUpdated,
    IdentityCreated,
    IdentityDeleted,
    CredentialCreated,
    CredentialUpdated,
    CredentialDeleted,
    HandlerCreated,
    HandlerUpdated,
    HandlerDeleted,
    InvitationCreated,
    InvitationUpdated,
    InvitationDeleted,
    SettingCreated,
    SettingUpdated,
    SettingDeleted,
    WidgetCreated,
    WidgetUpdated,
    WidgetDeleted,
    SubscriptionCreated,
    SubscriptionDeleted,
    ProfileCreated,
    ProfileDeleted,
}

impl EventType {
    /// Every type, in catalog order.
    pub const ALL: [EventType; 53] = [
        Self::OrganizationCreated,
        Self::OrganizationUpdated,
        Self::OrganizationMoved,
        Self::OrganizationDeleted,
        Self::UserCreated,
        Self::UserUpdated,
        Self::UserRoleChanged,
        Self::UserDeleted,
        Self::SecretKeyCreated,
        Self::SecretKeyRotated,
        Self::ApiKeyCreated,
        Self::ApiKeyRevoked,
        Self::TemplateCreated,
        Self::ProjectCreated,
        Self::ProjectUpdated,
        Self::ProjectDeleted,
        Self::ProjectConnectionUpdated,
        Self::CloudAccountCreated,
        Self::CloudAccountUpdated,
        Self::CloudAccountDeleted,
        Self::ExternalIdCreated,
        Self::GroupCreated,
        Self::GroupUpdated,
        Self::GroupDeleted,
        Self::AzureActiveDirectoryCreated,
        Self::GcpOrganisationCreated,
        Self::HookCreated,
        Self::HookSecretRotated,
        Self::HookEnabled,
        Self::HookDisabled,
        Self::HookDeleted,
        Self::HookUpdated,
        Self::IdentityCreated,
        Self::IdentityDeleted,
        Self::CredentialCreated,
        Self::CredentialUpdated,
        Self::CredentialDeleted,
        Self::HandlerCreated,
        Self::HandlerUpdated,
        Self::HandlerDeleted,
        Self::InvitationCreated,
        Self::InvitationUpdated,
        Self::InvitationDeleted,
        Self::SettingCreated,
        Self::SettingUpdated,
        Self::SettingDeleted,
        Self::WidgetCreated,
        Self::WidgetUpdated,
        Self::WidgetDeleted,
        Self::SubscriptionCreated,
        Self::SubscriptionDeleted,
        Self::ProfileCreated,
        Self::ProfileDeleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrganizationCreated => "organization.created",
            Self::OrganizationUpdated => "organization.updated",
            Self::OrganizationMoved => "organization.moved",
            Self::OrganizationDeleted => "organization.deleted",
            Self::UserCreated => "user.created",
            Self::UserUpdated => "user.updated",
            Self::UserRoleChanged => "user.role_changed",
            Self::UserDeleted => "user.deleted",
            Self::SecretKeyCreated => "secret_key.created",
            Self::SecretKeyRotated => "secret_key.rotated",
            Self::ApiKeyCreated => "api_key.created",
            Self::ApiKeyRevoked => "api_key.revoked",
            Self::TemplateCreated => "template.created",
            Self::ProjectCreated => "project.created",
            Self::ProjectUpdated => "project.updated",
            Self::ProjectDeleted => "project.deleted",
            Self::ProjectConnectionUpdated => "project.connection.updated",
            Self::CloudAccountCreated => "cloud_account.created",
            Self::CloudAccountUpdated => "cloud_account.updated",
            Self::CloudAccountDeleted => "cloud_account.deleted",
            Self::ExternalIdCreated => "external_id.created",
            Self::GroupCreated => "group.created",
            Self::GroupUpdated => "group.updated",
            Self::GroupDeleted => "group.deleted",
            Self::AzureActiveDirectoryCreated => "azure_active_directory.created",
            Self::GcpOrganisationCreated => "gcp_organisation.created",
            Self::HookCreated => "hook.created",
            Self::HookSecretRotated => "hook.secret_rotated",
            Self::HookEnabled => "hook.enabled",
            Self::HookDisabled => "hook.disabled",
            Self::HookDeleted => "hook.deleted",
            Self::HookUpdated => "hook.updated",
            Self::IdentityCreated => "identity.created",
            Self::IdentityDeleted => "identity.deleted",
            Self::CredentialCreated => "credential.created",
            Self::CredentialUpdated => "credential.updated",
            Self::CredentialDeleted => "credential.deleted",
            Self::HandlerCreated => "handler.created",
            Self::HandlerUpdated => "handler.updated",
            Self::HandlerDeleted => "handler.deleted",
            Self::InvitationCreated => "invitation.created",
            Self::InvitationUpdated => "invitation.updated",
            Self::InvitationDeleted => "invitation.deleted",
            Self::SettingCreated => "setting.created",
            Self::SettingUpdated => "setting.updated",
            Self::SettingDeleted => "setting.deleted",
            Self::WidgetCreated => "widget.created",
            Self::WidgetUpdated => "widget.updated",
            Self::WidgetDeleted => "widget.deleted",
            Self::SubscriptionCreated => "subscription.created",
            Self::SubscriptionDeleted => "subscription.deleted",
            Self::ProfileCreated => "profile.created",
            Self::ProfileDeleted => "profile.deleted",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// A time of an event as RFC 3339 in UTC with milliseconds: `2026-11-23T09:30:00.123Z`.
pub fn rfc3339(millis: crate::domain::Millis) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .ok()
        .and_then(|moment| moment.format(format).ok())
        .unwrap_or_default()
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_type_has_one_distinct_dotted_name_that_parses_back() {
        let names: HashSet<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(names.len(), EventType::ALL.len());
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            assert!(t.as_str().contains('.'), "{t}");
            assert!(
                t.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                "{t}"
            );
        }
        assert_eq!(EventType::parse("organization.bootstrapped"), None);
    }

    #[test]
    fn times_are_rfc_3339_in_utc_with_milliseconds() {
        assert_eq!(rfc3339(1_500), "1970-01-01T00:00:01.500Z");
    }
}
