//! `POST /organizations`, `GET /organizations` and `GET /organizations/sso`.

use axum::extract::State;
use serde_json::{Value, json};

use super::reply::{Surfsight, SurfsightResult, ok, required_text};
use crate::http::AppState;
use crate::http::kit::{Caller, Credentials, JsonObject};
use crate::http::wire_time::iso_millis;
use crate::service::Organization;

fn organization_json(org: &Organization) -> Value {
    json!({
        "id": org.id,
        "name": org.name,
        "partnerId": org.parent_id,
        "createdAt": iso_millis(org.created_at),
    })
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Surfsight>,
    JsonObject(object, _): JsonObject<Surfsight>,
) -> SurfsightResult {
    let name = required_text(&object, "name")?.trim();
    let created = state.services.create_sso_org(&actor, name).await?;
    Ok(ok(json!({
        "organizationId": created.organization.id,
        "ssoSecret": created.sso_secret,
    })))
}

pub async fn list(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Surfsight>,
) -> SurfsightResult {
    let orgs = state.services.sso_orgs(&actor).await?;
    Ok(ok(
        json!({ "data": orgs.iter().map(organization_json).collect::<Vec<_>>() }),
    ))
}

/// Exchanges the partner's JWT (in the `Authorization` header) for an admin token.
pub async fn sso(
    State(state): State<AppState>,
    Credentials(jwt, _): Credentials<Surfsight>,
) -> SurfsightResult {
    let token = state.services.exchange_sso_jwt(&jwt.value).await?;
    Ok(ok(json!({ "token": token.token })))
}
