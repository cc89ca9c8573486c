//! `/companies/{companySlug}/credentials/{pubKey}/hooks`.

use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

use super::Handshake;
use super::companies::page_of;
use super::conventions::envelope::{Envelope, paged};
use super::error::{IdosHttpError, IdosReply};
use super::input::{Identity, Input, Params, QueryPairs};
use super::reply;
use crate::http::AppState;
use crate::service::idos::{HookHandshake, HookInput};

/// The server's handshake, or an internal error where the server was built without one.
fn handshake(handshake: &Handshake) -> Result<&dyn HookHandshake, IdosHttpError> {
    handshake
        .0
        .as_deref()
        .ok_or_else(|| IdosHttpError::internal(anyhow::anyhow!("no hook handshake client")))
}

fn hook_input(input: &Input) -> Result<HookInput, IdosHttpError> {
    Ok(HookInput {
        trigger: input.optional_text("trigger")?,
        url: input.optional_text("url")?,
        subscribed: input.flag("subscribed")?,
    })
}

pub async fn list(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    query: QueryPairs,
) -> IdosReply {
    let page = page_of(&query)?;
    let hooks = state
        .services
        .idos_hooks(&caller.actor, params.slug()?, params.key("pubKey")?)
        .await?;
    let updated = reply::list_updated(
        hooks
            .iter()
            .map(|h| h.updated_at.unwrap_or(h.created_at).max(h.created_at)),
    );
    let items = hooks.iter().map(reply::hook).collect();
    Ok(paged(items, page, Some(updated)).into_response())
}

pub async fn get_one(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let hook = state
        .services
        .idos_hook(
            &caller.actor,
            params.slug()?,
            params.key("pubKey")?,
            params.id("hookId")?,
        )
        .await?;
    let updated = reply::updated_of(hook.created_at, hook.updated_at);
    Ok(Envelope::data(StatusCode::OK, reply::hook(&hook), Some(updated)).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Extension(client): Extension<Handshake>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let hook = state
        .services
        .idos_create_hook(
            &caller.actor,
            params.slug()?,
            params.key("pubKey")?,
            hook_input(&input)?,
            handshake(&client)?,
        )
        .await?;
    Ok(Envelope::data(StatusCode::CREATED, reply::hook(&hook), None).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Extension(client): Extension<Handshake>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let hook = state
        .services
        .idos_update_hook(
            &caller.actor,
            params.slug()?,
            params.key("pubKey")?,
            params.id("hookId")?,
            hook_input(&input)?,
            handshake(&client)?,
        )
        .await?;
    let updated = reply::updated_of(hook.created_at, hook.updated_at);
    Ok(Envelope::data(StatusCode::OK, reply::hook(&hook), Some(updated)).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let deleted = state
        .services
        .idos_delete_hook(
            &caller.actor,
            params.slug()?,
            params.key("pubKey")?,
            params.id("hookId")?,
        )
        .await?;
    Ok(Envelope::status_only(json!({ "deleted": deleted })).into_response())
}
