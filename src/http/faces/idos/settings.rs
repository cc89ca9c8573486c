//! `/companies/{companySlug}/settings`, `/widgets`, `/profiles` and
//! `/credentials/{credentialPubKey}/subscriptions`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::companies::page_of;
use super::conventions::envelope::{Envelope, paged};
use super::error::{IdosHttpError, IdosReply};
use super::input::{Identity, IdentityOrCredential, Input, Params, QueryPairs};
use super::reply;
use crate::http::AppState;
use crate::service::idos::WidgetInput;

fn list_updated<'a>(times: impl Iterator<Item = (i64, Option<i64>)> + 'a) -> i64 {
    reply::list_updated(times.map(|(created, updated)| updated.unwrap_or(created).max(created)))
}

pub async fn list_settings(
    State(state): State<AppState>,
    IdentityOrCredential(caller): IdentityOrCredential,
    params: Params,
    query: QueryPairs,
) -> IdosReply {
    let page = page_of(&query)?;
    let settings = state
        .services
        .idos_settings(&caller, params.slug()?)
        .await?;
    let updated = list_updated(settings.iter().map(|s| (s.created_at, s.updated_at)));
    let items = settings.iter().map(reply::setting).collect();
    Ok(paged(items, page, Some(updated)).into_response())
}

pub async fn create_setting(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let value = input.optional_text("value")?.unwrap_or_default();
    let setting = state
        .services
        .idos_create_setting(
            &caller.actor,
            params.slug()?,
            &input.text("section")?,
            &input.text("property")?,
            &value,
            input.flag("protected")?.unwrap_or(false),
        )
        .await?;
    Ok(Envelope::data(StatusCode::CREATED, reply::setting(&setting), None).into_response())
}

pub async fn get_setting(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let setting = state
        .services
        .idos_setting(&caller.actor, params.slug()?, params.id("settingId")?)
        .await?;
    let updated = reply::updated_of(setting.created_at, setting.updated_at);
    Ok(Envelope::data(StatusCode::OK, reply::setting(&setting), Some(updated)).into_response())
}

pub async fn update_setting(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let value = input.optional_text("value")?.unwrap_or_default();
    let setting = state
        .services
        .idos_update_setting(
            &caller.actor,
            params.slug()?,
            params.id("settingId")?,
            &value,
        )
        .await?;
    let updated = reply::updated_of(setting.created_at, setting.updated_at);
    Ok(Envelope::data(StatusCode::OK, reply::setting(&setting), Some(updated)).into_response())
}

pub async fn delete_setting(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let deleted = state
        .services
        .idos_delete_setting(&caller.actor, params.slug()?, params.id("settingId")?)
        .await?;
    Ok(Envelope::status_only(json!({ "deleted": deleted })).into_response())
}

/// A widget as a request gives it. `config` is any JSON and comes back as sent (a string stays
/// a string), as idOS stores it; absent, `{}` on creation and unchanged on update.
fn widget_input(input: &Input, creating: bool) -> Result<WidgetInput, IdosHttpError> {
    let config = match input.0.get("config") {
        None | Some(Value::Null) => None,
        Some(other) => Some(other.clone()),
    };
    // Required on creation: the service says so once it has checked who may create.
    let credential = input.optional_text("credentialPubKey")?;
    Ok(WidgetInput {
        label: input.text("label")?,
        kind: input.text("type")?,
        enabled: input.flag("enabled")?.unwrap_or(true),
        config: config.or_else(|| creating.then(|| json!({}))),
        credential,
    })
}

/// The widget hash parameter: `[a-z0-9_-]+`.
fn hash(params: &Params) -> Result<&str, IdosHttpError> {
    let hash = params.get("widgetHash");
    if crate::domain::slug::is_slug(hash) {
        Ok(hash)
    } else {
        Err(IdosHttpError::invalid(format!(
            "'{hash}' is not a valid widgetHash"
        )))
    }
}

pub async fn list_widgets(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    query: QueryPairs,
) -> IdosReply {
    let page = page_of(&query)?;
    let widgets = state
        .services
        .idos_widgets(&caller.actor, params.slug()?)
        .await?;
    let updated = list_updated(widgets.iter().map(|w| (w.created_at, w.updated_at)));
    let items = widgets.iter().map(reply::widget).collect();
    Ok(paged(items, page, Some(updated)).into_response())
}

pub async fn create_widget(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let widget = state
        .services
        .idos_create_widget(&caller.actor, params.slug()?, widget_input(&input, true)?)
        .await?;
    Ok(Envelope::data(StatusCode::CREATED, reply::widget(&widget), None).into_response())
}

/// Public: a page embeds the widget.
pub async fn get_widget(State(state): State<AppState>, params: Params) -> IdosReply {
    let widget = state
        .services
        .idos_public_widget(params.slug()?, hash(&params)?)
        .await?;
    let updated = reply::updated_of(widget.created_at, widget.updated_at);
    Ok(Envelope::data(StatusCode::OK, reply::widget(&widget), Some(updated)).into_response())
}

pub async fn update_widget(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let widget = state
        .services
        .idos_update_widget(
            &caller.actor,
            params.slug()?,
            hash(&params)?,
            widget_input(&input, false)?,
        )
        .await?;
    let updated = reply::updated_of(widget.created_at, widget.updated_at);
    Ok(Envelope::data(StatusCode::OK, reply::widget(&widget), Some(updated)).into_response())
}

pub async fn delete_widget(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let deleted = state
        .services
        .idos_delete_widget(&caller.actor, params.slug()?, hash(&params)?)
        .await?;
    Ok(Envelope::status_only(json!({ "deleted": deleted })).into_response())
}

pub async fn list_subscriptions(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    query: QueryPairs,
) -> IdosReply {
    let page = page_of(&query)?;
    let subscriptions = state
        .services
        .idos_subscriptions(&caller.actor, params.slug()?, params.key("pubKey")?)
        .await?;
    let updated = list_updated(subscriptions.iter().map(|s| (s.created_at, s.updated_at)));
    let items = subscriptions.iter().map(reply::subscription).collect();
    Ok(paged(items, page, Some(updated)).into_response())
}

pub async fn subscribe(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let subscription = state
        .services
        .idos_subscribe(
            &caller.actor,
            params.slug()?,
            params.key("pubKey")?,
            &input.text("categorySlug")?,
        )
        .await?;
    Ok(Envelope::data(
        StatusCode::CREATED,
        reply::subscription(&subscription),
        None,
    )
    .into_response())
}

pub async fn unsubscribe(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let deleted = state
        .services
        .idos_unsubscribe(
            &caller.actor,
            params.slug()?,
            params.key("pubKey")?,
            params.id("subscriptionId")?,
        )
        .await?;
    Ok(Envelope::status_only(json!({ "deleted": deleted })).into_response())
}

pub async fn list_profiles(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    query: QueryPairs,
) -> IdosReply {
    let page = page_of(&query)?;
    let profiles = state
        .services
        .idos_profiles(&caller.actor, params.slug()?)
        .await?;
    let updated = list_updated(profiles.iter().map(|p| (p.created_at, p.updated_at)));
    let items = profiles.iter().map(reply::profile).collect();
    Ok(paged(items, page, Some(updated)).into_response())
}

pub async fn get_profile(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let profile = state
        .services
        .idos_profile(&caller.actor, params.slug()?, params.id("userId")?)
        .await?;
    let updated = reply::updated_of(profile.created_at, profile.updated_at);
    Ok(Envelope::data(StatusCode::OK, reply::profile(&profile), Some(updated)).into_response())
}

pub async fn delete_profile(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let deleted = state
        .services
        .idos_delete_profile(&caller.actor, params.slug()?, params.id("userId")?)
        .await?;
    Ok(Envelope::status_only(json!({ "deleted": deleted })).into_response())
}
