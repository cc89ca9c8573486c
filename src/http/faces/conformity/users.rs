//! Users: `GET /users/whoami`, `GET/POST /users`, `POST /users/sso` and
//! `GET/PATCH/DELETE /users/{id}`. A Conformity user is an orghub user of the caller's
//! organisation; its Conformity role and access list read back as given.

use axum::extract::State;
use serde_json::{Map, Value, json};

use super::document::{Conformity, ConformityError, ConformityResult, Document, ok};
use super::members::{attributes, required_exact_text, required_text};
use crate::domain::Email;
use crate::domain::conformity::{AccessLevel, ConformityRole};
use crate::http::AppState;
use crate::http::kit::{Caller, PathId};
use crate::service::{
    AccessRequest, Arrival, ConformityInvite, ConformityUser, Invalid, Registration, ServiceError,
    TokenKind, UserStatus,
};

fn access_list_json(user: &ConformityUser) -> Value {
    user.access
        .iter()
        .map(|entry| json!({ "account": entry.account_public_id, "level": entry.level.as_str() }))
        .collect::<Vec<_>>()
        .into()
}

/// A user as every route shows it. The access list is given under `attributes.accessList`
/// (where the Terraform client reads it) and `relationships.accountAccessList` (where the
/// Conformity document shows it).
fn user_json(user: &ConformityUser) -> Value {
    let access = access_list_json(user);
    json!({
        "type": "users",
        "id": user.public_id,
        "attributes": {
            "first-name": user.first_name,
            "last-name": user.last_name,
            "role": user.role.as_str(),
            "email": user.email,
            "status": match user.status {
                UserStatus::Active => "ACTIVE",
                UserStatus::Invited => "INVITED",
            },
            "mfa": false,
            "last-login-date": null,
            "created-date": user.created_at,
            "has-credentials": user.has_credentials,
            "summary-email-opt-out": false,
            "accessList": access,
        },
        "relationships": {
            "organisation": { "data": { "type": "organisations", "id": user.org_public_id } },
            "accountAccessList": access,
        },
    })
}

/// An access list: an array of `{account, level}` objects, the level one of `NONE`,
/// `READONLY`, `FULL`. `pointer` is where it is in the document.
fn access_list(
    value: Option<&Value>,
    pointer: &'static str,
) -> Result<Option<Vec<AccessRequest>>, ConformityError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(access_list_shape(pointer)),
    };
    let mut entries = Vec::with_capacity(items.len());
    for item in items {
        let entry = item.as_object().ok_or_else(|| access_list_shape(pointer))?;
        let account = entry
            .get("account")
            .and_then(Value::as_str)
            .ok_or_else(|| access_list_shape(pointer))?;
        let level = entry
            .get("level")
            .and_then(Value::as_str)
            .ok_or_else(|| access_list_shape(pointer))?;
        let level = AccessLevel::parse(level).ok_or_else(|| {
            ConformityError::invalid(
                pointer,
                format!("'{level}' is not an access level: NONE, READONLY or FULL"),
            )
        })?;
        entries.push(AccessRequest {
            account: account.to_owned(),
            level,
        });
    }
    Ok(Some(entries))
}

fn access_list_shape(pointer: &'static str) -> ConformityError {
    ConformityError::invalid(
        pointer,
        "accessList must be an array of {account, level} objects",
    )
}

/// `role`: a string, one of `allowed`.
fn role(
    object: &Map<String, Value>,
    pointer: &'static str,
    allowed: &[ConformityRole],
    words: &str,
) -> Result<ConformityRole, ConformityError> {
    let text = required_text(object, "role", pointer)?;
    ConformityRole::parse(text)
        .filter(|role| allowed.contains(role))
        .ok_or_else(|| ConformityError::invalid(pointer, format!("role must be {words}")))
}

pub async fn whoami(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
) -> ConformityResult {
    let user = state.services.conformity_whoami(&actor).await?;
    let mut data = user_json(&user);
    // What the Terraform client's current-user data source reads besides the documented shape.
    let attributes = data["attributes"].as_object_mut().expect("an object");
    attributes.insert("firstName".into(), json!(user.first_name));
    attributes.insert("lastName".into(), json!(user.last_name));
    attributes.insert("created_date".into(), json!(user.created_at));
    attributes.insert("has_credentials".into(), json!(user.has_credentials));
    attributes.insert("summary_email_opt_out".into(), json!(false));
    attributes.insert("isCloudOneUser".into(), json!(false));
    data["meta"] = json!({ "isApiKeyUser": actor.token_kind == TokenKind::ApiKey });
    Ok(ok(json!({ "data": data })))
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
) -> ConformityResult {
    let users = state.services.conformity_users(&actor).await?;
    Ok(ok(
        json!({ "data": users.iter().map(user_json).collect::<Vec<_>>() }),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
) -> ConformityResult {
    let user = state.services.conformity_user(&actor, &id).await?;
    Ok(ok(json!({ "data": user_json(&user) })))
}

async fn add(
    state: AppState,
    actor: crate::service::Actor,
    data: Map<String, Value>,
    arrival: Arrival,
) -> ConformityResult {
    const EMAIL: &str = "/data/attributes/email";
    let attributes = attributes(&data)?;
    let first_name = required_exact_text(attributes, "firstName", "/data/attributes/firstName")?;
    let last_name = required_exact_text(attributes, "lastName", "/data/attributes/lastName")?;
    let email = required_text(attributes, "email", EMAIL)?;
    if Email::parse(email).is_err() {
        return Err(ConformityError::invalid(
            EMAIL,
            format!("'{email}' is not a valid email address"),
        ));
    }
    let role = role(
        attributes,
        "/data/attributes/role",
        &[ConformityRole::Admin, ConformityRole::User],
        "ADMIN or USER",
    )?;
    let access = access_list(attributes.get("accessList"), "/data/attributes/accessList")?
        .unwrap_or_default();
    let user = state
        .services
        .invite_conformity_user(
            &actor,
            ConformityInvite {
                first_name,
                last_name,
                email,
                role,
                access: &access,
                arrival,
            },
        )
        .await?;
    Ok(ok(json!({ "data": user_json(&user) })))
}

/// `POST /users`: invites a user (an orghub user without a password until one is set).
pub async fn invite(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    Document(data): Document,
) -> ConformityResult {
    add(state, actor, data, Arrival::Invited).await
}

/// `POST /users/sso`: adds a user who signs in through the organisation's identity provider.
pub async fn add_sso(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    Document(data): Document,
) -> ConformityResult {
    add(state, actor, data, Arrival::Sso).await
}

/// `PATCH /users/{id}`: `{"data": {"role": …, "accessList": […]}}` (no `attributes`). The
/// access levels listed are set, the others stay; a `USER` needs a list.
pub async fn update(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
    Document(data): Document,
) -> ConformityResult {
    const ACCESS: &str = "/data/accessList";
    let role = role(
        &data,
        "/data/role",
        &ConformityRole::ALL,
        "ADMIN, POWER_USER, READ_ONLY or USER",
    )?;
    let access = access_list(data.get("accessList"), ACCESS)?;
    if role == ConformityRole::User && access.is_none() {
        return Err(ConformityError::invalid(
            ACCESS,
            "accessList is required for the USER role",
        ));
    }
    let user = state
        .services
        .update_conformity_user(&actor, &id, role, &access.unwrap_or_default())
        .await
        .map_err(|error| match error {
            ServiceError::Invalid(Invalid::NotRegistered {
                what: Registration::Account,
                value,
            }) => ConformityError::invalid(
                ACCESS,
                format!("'{value}' is not an account of this organisation"),
            ),
            other => other.into(),
        })?;
    Ok(ok(json!({ "data": user_json(&user) })))
}

/// `DELETE /users/{id}`: removes the user from the organisation (deletes the orghub user).
pub async fn revoke(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
) -> ConformityResult {
    state.services.revoke_conformity_user(&actor, &id).await?;
    Ok(ok(json!({ "meta": { "status": "revoked" } })))
}
