//! The `data` of the events of idOS records: each record as it is after the change (for a
//! delete, what was deleted), never a secret (no private key, handler password or hook URL
//! path).

use serde_json::{Value, json};

use crate::domain::events::rfc3339;
use crate::store::{CredentialRow, HandlerRow, IdosUserRow, InvitationRow, SettingRow, WidgetRow};

pub(super) fn credential(credential: &CredentialRow) -> Value {
    json!({
        "id": credential.id,
        "publicKey": credential.public_key,
        "name": credential.name,
        "slug": credential.slug,
        "production": credential.production,
        "createdAt": rfc3339(credential.created_at),
    })
}

pub(super) fn handler(handler: &HandlerRow) -> Value {
    json!({
        "id": handler.id,
        "publicKey": handler.public_key,
        "name": handler.name,
        "authUsername": handler.auth_username,
        "enabled": handler.enabled,
        "createdAt": rfc3339(handler.created_at),
    })
}

pub(super) fn invitation(invitation: &InvitationRow, user_public_id: &str) -> Value {
    json!({
        "id": invitation.id,
        "userId": user_public_id,
        "email": invitation.email,
        "name": invitation.name,
        "role": invitation.role,
        "expiresAt": rfc3339(invitation.expires_at),
    })
}

/// A setting; a protected one's value is left out (it may be a credential).
pub(super) fn setting(setting: &SettingRow) -> Value {
    json!({
        "id": setting.id,
        "section": setting.section,
        "property": setting.property,
        "protected": setting.protected,
        "value": if setting.protected { Value::Null } else { json!(setting.value) },
    })
}

pub(super) fn widget(widget: &WidgetRow) -> Value {
    json!({
        "hash": widget.hash,
        "label": widget.label,
        "type": widget.kind,
        "enabled": widget.enabled,
        "credentialPublicKey": widget.credential_public_key,
    })
}

pub(super) fn subscription(id: i64, credential_public_key: &str, category: &str) -> Value {
    json!({
        "id": id,
        "credentialPublicKey": credential_public_key,
        "categorySlug": category,
    })
}

pub(super) fn profile(user: &IdosUserRow, credential_public_key: &str) -> Value {
    json!({
        "id": user.id,
        "username": user.username,
        "credentialPublicKey": credential_public_key,
    })
}

pub(super) fn identity(public_key: &str, user_public_id: &str) -> Value {
    json!({
        "publicKey": public_key,
        "userId": user_public_id,
    })
}
