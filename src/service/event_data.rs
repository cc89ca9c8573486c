//! The `data` of events: each resource as it is after the change, in one JSON shape whatever
//! face made the change. Never a secret: no password hash, secret key, SSO secret, API key,
//! connection details, hook URL path or hook secret.

use serde_json::{Value, json};

use crate::domain::events::rfc3339;
use crate::domain::{ApiKeyStatus, Millis, PublicId};
use crate::store::{CloudAccountRow, ConnectionRow, HookRow, OrgRow, ProjectRow, UserRow};

pub(crate) fn organization(org: &OrgRow) -> Value {
    json!({
        "id": org.public_id.to_string(),
        "name": org.name,
        "parentId": org.parent_public_id.map(|id| id.to_string()),
        "region": org.region,
        "createdAt": rfc3339(org.created_at),
    })
}

pub(crate) fn user(user: &UserRow) -> Value {
    json!({
        "id": user.public_id.to_string(),
        "organizationId": user.org_public_id.to_string(),
        "name": user.name,
        "email": user.email.as_str(),
        "role": user.role.as_str(),
        "partner": user.partner,
    })
}

pub(crate) fn project(project: &ProjectRow) -> Value {
    json!({
        "id": project.public_id.to_string(),
        "name": project.name,
        "description": project.description,
        "templateId": project.template_public_id.map(|id| id.to_string()),
    })
}

/// A project connection: its name and type, never its details.
pub(crate) fn connection(project: &ProjectRow, connection: &ConnectionRow) -> Value {
    json!({
        "id": connection.public_id.to_string(),
        "projectId": project.public_id.to_string(),
        "name": connection.name,
        "type": connection.kind.as_str(),
    })
}

pub(crate) fn cloud_account(account: &CloudAccountRow) -> Value {
    json!({
        "id": account.public_id.to_string(),
        "organizationId": account.org_public_id.to_string(),
        "name": account.name,
        "environment": account.environment,
        "tags": account.tags.0,
        "awsAccountId": account.aws_account_id,
        "roleArn": account.role_arn,
        "externalId": account.external_id,
        "createdAt": rfc3339(account.created_at),
        "updatedAt": rfc3339(account.updated_at),
    })
}

/// A hook: where it points only as far as its origin (scheme, host, port): a URL's path
/// and query may carry a credential, which is why the URL is sealed.
pub(crate) fn hook(hook: &HookRow, origin: &str, types: &[String]) -> Value {
    json!({
        "id": hook.public_id,
        "organizationId": hook.org_public_id,
        "endpoint": origin,
        "types": if types.is_empty() { json!("*") } else { json!(types) },
        "includeDescendants": hook.include_descendants,
        "enabled": hook.enabled,
    })
}

/// An API key as events show it: never the key.
pub(crate) fn api_key(id: &PublicId, user: &UserRow, created_at: Millis) -> Value {
    json!({
        "id": id.to_string(),
        "userId": user.public_id.to_string(),
        "status": ApiKeyStatus::Active.as_str(),
        "createdAt": rfc3339(created_at),
    })
}
