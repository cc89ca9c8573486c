//! `POST /token` and the redemption of login tokens.

use axum::extract::State;
use serde_json::json;

use super::input::{Body, Field, Shape, field, parse_id, shape};
use super::reply::{XponentError, XponentResult, ok};
use crate::domain::Kind;
use crate::http::{AppState, ClientAddress};
use crate::service::{IssuedToken, ServiceError};

const MIN_NONCE_CHARS: usize = 30;

fn token_json(token: &IssuedToken) -> serde_json::Value {
    json!({ "token": token.token, "expiration": token.expires_at.to_string() })
}

pub async fn issue(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    body: Body,
) -> XponentResult {
    let required =
        || XponentError::bad_request("The following fields are required: userId, nonce, hash");
    let Shape::Object(object) = shape(body) else {
        return Err(required());
    };
    let fields = [
        field(&object, "userId"),
        field(&object, "nonce"),
        field(&object, "hash"),
    ];
    if fields.iter().any(Field::is_absent) {
        return Err(required());
    }
    let [Some(user_id), Some(nonce), Some(hash)] = fields.map(|f| f.text()) else {
        return Err(XponentError::bad_request(
            "The following fields must be non-empty strings: userId, nonce, hash",
        ));
    };
    let user_id = parse_id(user_id, "userId")?;
    if nonce.chars().count() < MIN_NONCE_CHARS {
        return Err(XponentError::bad_request(
            "Nonce must be a minimum of 30 characters",
        ));
    }
    let token = state
        .services
        .issue_owner_token(&user_id, nonce, hash, address)
        .await
        .map_err(|e| match e {
            ServiceError::NotFound {
                kind: Kind::User,
                id,
            } => XponentError::not_found(format!("User with id '{id}' does not exist")),
            e => e.into(),
        })?;
    Ok(ok("tokens", vec![token_json(&token)]))
}

/// `POST /login` `{"token": "<login token>"}`: redeems a login token, once, within its 60
/// seconds, for a 6-hour session token of its user (orghub's own route; see README).
pub async fn redeem(State(state): State<AppState>, body: Body) -> XponentResult {
    let required = || XponentError::bad_request("The following fields are required: token");
    let Shape::Object(object) = shape(body) else {
        return Err(required());
    };
    let token = match field(&object, "token") {
        Field::Absent => return Err(required()),
        Field::Bad => {
            return Err(XponentError::bad_request(
                "The following fields must be non-empty strings: token",
            ));
        }
        Field::Text(token) => token,
    };
    let (session, user_id) = state.services.redeem_login_token(token).await?;
    let mut item = token_json(&session);
    item["userId"] = json!(user_id);
    Ok(ok("tokens", vec![item]))
}
