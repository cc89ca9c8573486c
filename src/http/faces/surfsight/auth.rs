//! `POST /authenticate`: a partner's email and password for a 24-hour token.

use axum::extract::State;
use serde_json::json;

use super::reply::{Surfsight, SurfsightResult, ok, required_text};
use crate::http::kit::JsonObject;
use crate::http::{AppState, ClientAddress};

pub async fn authenticate(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    JsonObject(object, _): JsonObject<Surfsight>,
) -> SurfsightResult {
    let email = required_text(&object, "email")?;
    let password = required_text(&object, "password")?;
    let signed_in = state.services.sign_in(email, password, address).await?;
    Ok(ok(json!({
        "data": { "token": signed_in.token.token, "organizationId": signed_in.org_id }
    })))
}
