//! Ending an API key: a leaf shared by the operator's `orghub api-key revoke` and the native
//! API's token revocation (`POST /api/v1/oauth/revoke` given a key).

use anyhow::Context;

use super::error::{ServiceError, ServiceResult};
use super::events::{Origin, event};
use super::records::ApiKey;
use crate::domain::events::{EventType, rfc3339};
use crate::domain::{ApiKeyStatus, Kind, now_millis};
use crate::store::{ApiKeyRow, Tx};

/// Marks the key (read and locked in `tx`) `REVOKED`, ends the native access tokens issued
/// to it and writes its event, by `origin`. The caller commits: `tx` must be of
/// `Store::begin`, so that every cached actor of the key's tokens is dropped at once.
pub(crate) async fn end_api_key(
    tx: &mut Tx,
    origin: Origin<'_>,
    row: ApiKeyRow,
) -> ServiceResult<ApiKey> {
    tx.set_api_key_status(row.id, ApiKeyStatus::Revoked)
        .await
        .context("revoking an API key")?;
    tx.end_api_key_tokens(row.id)
        .await
        .context("ending the tokens of an API key")?;
    let user = tx
        .exec()
        .user_by_id(row.user_id)
        .await
        .context("reading the user of an API key")?
        .ok_or_else(|| ServiceError::NotFound {
            kind: Kind::User,
            id: row.user_id.to_string(),
        })?;
    let data = serde_json::json!({
        "id": row.public_id.to_string(),
        "userId": user.public_id.to_string(),
        "status": ApiKeyStatus::Revoked.as_str(),
        "createdAt": rfc3339(row.created_at),
    });
    tx.insert_event(
        event(origin, EventType::ApiKeyRevoked, (&user).into(), data),
        now_millis(),
    )
    .await
    .context("writing an API key's revocation event")?;
    Ok(ApiKey {
        status: ApiKeyStatus::Revoked.as_str().to_owned(),
        ..row.into()
    })
}
