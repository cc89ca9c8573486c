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
