//! Records as idOS shows them: snake_case fields, Unix seconds.

use serde_json::{Value, json};

use crate::service::idos::{Company, Credential, Handler, seconds};

pub fn updated_of(created_at: i64, updated_at: Option<i64>) -> i64 {
    seconds(updated_at.unwrap_or(created_at).max(created_at))
}

/// The `updated` of a list: its latest change, or now when it is empty.
pub fn list_updated(times: impl Iterator<Item = i64>) -> i64 {
    times
        .max()
        .map(seconds)
        .unwrap_or_else(|| seconds(crate::domain::now_millis()))
}

fn optional_seconds(millis: Option<i64>) -> Value {
    millis.map_or(Value::Null, |m| json!(seconds(m)))
}

pub fn company(company: &Company) -> Value {
    json!({
        "name": company.name,
        "slug": company.slug,
        "public_key": company.public_key,
        "created_at": seconds(company.created_at),
        "updated_at": seconds(company.updated_at),
    })
}

pub fn credential(credential: &Credential) -> Value {
    let mut value = json!({
        "company_id": credential.company_id,
        "name": credential.name,
        "slug": credential.slug,
        "public": credential.public_key,
        "production": credential.production,
        "created_at": seconds(credential.created_at),
        "updated_at": optional_seconds(credential.updated_at),
    });
    if let Some(private) = &credential.private_key {
        value["private"] = json!(private);
    }
    value
}

pub fn handler(handler: &Handler) -> Value {
    let mut value = json!({
        "id": handler.id,
        "company_id": handler.company_id,
        "name": handler.name,
        "auth_username": handler.auth_username,
        "public": handler.public_key,
        "enabled": handler.enabled,
        "created_at": seconds(handler.created_at),
        "updated_at": optional_seconds(handler.updated_at),
    });
    if let Some(private) = &handler.private_key {
        value["private"] = json!(private);
    }
    value
}

/// A hook; its signing secret only when just created.
pub fn hook(hook: &crate::service::idos::Hook) -> Value {
    let mut value = json!({
        "id": hook.id,
        "trigger": hook.trigger,
        "url": hook.url,
        "subscribed": hook.subscribed,
        "created_at": seconds(hook.created_at),
        "updated_at": optional_seconds(hook.updated_at),
    });
    if let Some(secret) = &hook.secret {
        value["secret"] = json!(secret);
    }
    value
}

/// A member; `identity_id` only once the member has an identity (an invited member has none
/// until it is given one).
pub fn member(member: &crate::service::idos::Member) -> Value {
    let mut value = json!({
        "id": member.id,
        "company_id": member.company_id,
        "user_id": member.user_public_id,
        "name": member.name,
        "email": member.email,
        "role": member.role.as_str(),
        "created_at": seconds(member.created_at),
        "updated_at": seconds(member.updated_at),
    });
    if let Some(identity) = member.identity_id {
        value["identity_id"] = json!(identity);
    }
    value
}

pub fn invitation(invitation: &crate::service::idos::Invitation) -> Value {
    json!({
        "id": invitation.id,
        "member_id": invitation.member_id,
        "name": invitation.name,
        "email": invitation.email,
        "role": invitation.role,
        "voided": invitation.voided,
        "expires": seconds(invitation.expires_at),
        "created_at": seconds(invitation.created_at),
        "updated_at": optional_seconds(invitation.updated_at),
    })
}

pub fn setting(setting: &crate::service::idos::Setting) -> Value {
    json!({
        "id": setting.id,
        "company_id": setting.company_id,
        "section": setting.section,
        "property": setting.property,
        "value": setting.value,
        "protected": setting.protected,
        "created_at": seconds(setting.created_at),
        "updated_at": optional_seconds(setting.updated_at),
    })
}

pub fn widget(widget: &crate::service::idos::Widget) -> Value {
    json!({
        "hash": widget.hash,
        "label": widget.label,
        "type": widget.kind,
        "enabled": widget.enabled,
        "config": widget.config,
        "credential": widget.credential,
        "created_at": seconds(widget.created_at),
        "updated_at": optional_seconds(widget.updated_at),
    })
}

pub fn subscription(subscription: &crate::service::idos::Subscription) -> Value {
    json!({
        "id": subscription.id,
        "category_slug": subscription.category_slug,
        "created_at": seconds(subscription.created_at),
        "updated_at": optional_seconds(subscription.updated_at),
    })
}

/// A company profile: the end user, with the attributes orghub keeps of it (none yet).
pub fn profile(profile: &crate::service::idos::Profile) -> Value {
    json!({
        "id": profile.id,
        "username": profile.username,
        "credential": profile.credential,
        "firstnames": [],
        "middlenames": [],
        "lastnames": [],
        "warnings": [],
        "gates": [],
        "created_at": seconds(profile.created_at),
        "updated_at": optional_seconds(profile.updated_at),
    })
}
