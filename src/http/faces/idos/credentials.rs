//! `/companies/{companySlug}/credentials` and `/companies/{companySlug}/handlers`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

use super::companies::page_of;
use super::conventions::envelope::{Envelope, paged};
use super::error::IdosReply;
use super::input::{Identity, Input, Params, QueryPairs};
use super::reply;
use crate::http::AppState;
use crate::service::idos::{CompanyRef, HandlerChanges, HandlerRef, NewHandler, Slice};

pub async fn list(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    query: QueryPairs,
) -> IdosReply {
    let page = page_of(&query)?;
    let credentials = state
        .services
        .idos_credentials(&caller.actor, CompanyRef::Slug(params.slug()?), Slice::ALL)
        .await?;
    let updated = reply::list_updated(
        credentials
            .iter()
            .map(|c| c.updated_at.unwrap_or(c.created_at).max(c.created_at)),
    );
    let items = credentials.iter().map(reply::credential).collect();
    Ok(paged(items, page, Some(updated)).into_response())
}

pub async fn get_one(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let credential = state
        .services
        .idos_credential(
            &caller.actor,
            CompanyRef::Slug(params.slug()?),
            params.key("pubKey")?,
        )
        .await?;
    let updated = reply::updated_of(credential.created_at, credential.updated_at);
    Ok(Envelope::data(
        StatusCode::OK,
        reply::credential(&credential),
        Some(updated),
    )
    .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let name = input.text("name")?;
    let production = input.flag("production")?.unwrap_or(false);
    let credential = state
        .services
        .idos_create_credential(
            &caller.actor,
            CompanyRef::Slug(params.slug()?),
            &name,
            production,
        )
        .await?;
    Ok(Envelope::data(StatusCode::CREATED, reply::credential(&credential), None).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let name = input.text("name")?;
    let credential = state
        .services
        .idos_rename_credential(
            &caller.actor,
            CompanyRef::Slug(params.slug()?),
            params.key("pubKey")?,
            &name,
            None,
        )
        .await?;
    let updated = reply::updated_of(credential.created_at, credential.updated_at);
    Ok(Envelope::data(
        StatusCode::OK,
        reply::credential(&credential),
        Some(updated),
    )
    .into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let deleted = state
        .services
        .idos_delete_credential(
            &caller.actor,
            CompanyRef::Slug(params.slug()?),
            params.key("pubKey")?,
            None,
        )
        .await?;
    Ok(Envelope::status_only(json!({ "deleted": deleted })).into_response())
}

pub async fn list_handlers(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    query: QueryPairs,
) -> IdosReply {
    let page = page_of(&query)?;
    let handlers = state
        .services
        .idos_handlers(&caller.actor, CompanyRef::Slug(params.slug()?), Slice::ALL)
        .await?;
    let updated = reply::list_updated(
        handlers
            .iter()
            .map(|h| h.updated_at.unwrap_or(h.created_at).max(h.created_at)),
    );
    let items = handlers.iter().map(reply::handler).collect();
    Ok(paged(items, page, Some(updated)).into_response())
}

pub async fn get_handler(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let handler = state
        .services
        .idos_handler(
            &caller.actor,
            CompanyRef::Slug(params.slug()?),
            HandlerRef::Id(params.id("handlerId")?),
        )
        .await?;
    let updated = reply::updated_of(handler.created_at, handler.updated_at);
    Ok(Envelope::data(StatusCode::OK, reply::handler(&handler), Some(updated)).into_response())
}

pub async fn create_handler(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let handler = NewHandler {
        name: input.text("name")?,
        auth_username: input.text("authUsername")?,
        auth_password: input.text("authPassword")?,
        enabled: input.flag("enabled")?.unwrap_or(true),
    };
    let handler = state
        .services
        .idos_create_handler(&caller.actor, CompanyRef::Slug(params.slug()?), handler)
        .await?;
    Ok(Envelope::data(StatusCode::CREATED, reply::handler(&handler), None).into_response())
}

pub async fn update_handler(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let changes = HandlerChanges {
        name: input.optional_text("name")?,
        auth_username: input.optional_text("authUsername")?,
        auth_password: input.optional_text("authPassword")?,
        enabled: input.flag("enabled")?,
    };
    let handler = state
        .services
        .idos_update_handler(
            &caller.actor,
            CompanyRef::Slug(params.slug()?),
            HandlerRef::Id(params.id("handlerId")?),
            changes,
            None,
        )
        .await?;
    let updated = reply::updated_of(handler.created_at, handler.updated_at);
    Ok(Envelope::data(StatusCode::OK, reply::handler(&handler), Some(updated)).into_response())
}

pub async fn delete_handler(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let deleted = state
        .services
        .idos_delete_handler(
            &caller.actor,
            CompanyRef::Slug(params.slug()?),
            HandlerRef::Id(params.id("handlerId")?),
            None,
        )
        .await?;
    Ok(Envelope::status_only(json!({ "deleted": deleted })).into_response())
}
