//! `GET /organisation/external-id` (the singleton) and `POST /external-ids` (temporary).

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use super::document::{Conformity, ConformityResult, ok};
use crate::http::AppState;
use crate::http::kit::Caller;
use crate::service::ExternalId;

fn external_id_document(external_id: &ExternalId) -> Response {
    ok(json!({
        "data": {
            "type": "external-ids",
            "id": external_id.id,
            "attributes": { "valid-until": external_id.valid_until },
            "relationships": {},
        }
    }))
}

pub async fn organisation(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
) -> ConformityResult {
    let external_id = state
        .services
        .organisation_external_id(&actor, None)
        .await?;
    Ok(external_id_document(&external_id))
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
) -> ConformityResult {
    let external_id = state
        .services
        .create_temporary_external_id(&actor, None)
        .await?;
    Ok(external_id_document(&external_id))
}
