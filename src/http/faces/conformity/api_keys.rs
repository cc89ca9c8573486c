//! `GET /api-keys`: the caller's own keys (the Terraform client validates its key with it).

use axum::extract::State;
use serde_json::json;

use super::document::{Conformity, ConformityResult, ok};
use crate::http::AppState;
use crate::http::kit::Caller;

pub async fn list(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
) -> ConformityResult {
    let keys = state.services.list_api_keys(&actor).await?;
    let data: Vec<_> = keys
        .iter()
        .map(|key| {
            json!({
                "type": "api-keys",
                "id": key.public_id,
                "attributes": {
                    "status": key.status,
                    "created-date": key.created_at,
                    "last-used-date": key.last_used_at,
                },
            })
        })
        .collect();
    Ok(ok(json!({ "data": data })))
}
