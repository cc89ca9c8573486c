//! `/companies` and `/companies/{companySlug}`.

use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

use super::conventions::envelope::{Envelope, Page, paged};
use super::error::{IdosHttpError, IdosReply};
use super::input::{Identity, Input, Params, QueryPairs};
use super::reply;
use crate::http::AppState;
use crate::service::idos::CompanyWindow;
use axum::extract::State;

/// A `YYYY-MM-DD` date (UTC midnight) in milliseconds.
pub fn date_millis(field: &str, text: &str) -> Result<i64, IdosHttpError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), &format)
        .map(|date| date.midnight().assume_utc().unix_timestamp() * 1000)
        .map_err(|_| IdosHttpError::invalid(format!("{field} must be a date, YYYY-MM-DD")))
}

pub fn page_of(query: &QueryPairs) -> Result<Page, IdosHttpError> {
    Page::from_pairs(&query.0).map_err(IdosHttpError::invalid)
}

pub async fn list(
    State(state): State<AppState>,
    Identity(caller): Identity,
    query: QueryPairs,
) -> IdosReply {
    let after = match query.get("after").filter(|v| !v.is_empty()) {
        Some(text) => date_millis("after", text)?,
        None => i64::MIN,
    };
    let before = match query.get("before").filter(|v| !v.is_empty()) {
        Some(text) => date_millis("before", text)?,
        None => i64::MAX,
    };
    let page = page_of(&query)?;
    let companies = state
        .services
        .idos_companies(&caller.actor, CompanyWindow { after, before })
        .await?;
    let updated = reply::list_updated(companies.iter().map(|c| c.updated_at.max(c.created_at)));
    let items = companies.iter().map(reply::company).collect();
    Ok(paged(items, page, Some(updated)).into_response())
}

/// Public: a company's name, slug and public key need no credential.
pub async fn get_one(State(state): State<AppState>, params: Params) -> IdosReply {
    let company = state.services.idos_public_company(params.slug()?).await?;
    let updated = reply::updated_of(company.created_at, Some(company.updated_at));
    Ok(Envelope::data(StatusCode::OK, reply::company(&company), Some(updated)).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let name = input.text("name")?;
    let company = state
        .services
        .idos_create_company(&caller.actor, params.slug()?, &name)
        .await?;
    Ok(Envelope::data(StatusCode::CREATED, reply::company(&company), None).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let name = input.text("name")?;
    let company = state
        .services
        .idos_rename_company(&caller.actor, params.slug()?, &name)
        .await?;
    let updated = reply::updated_of(company.created_at, Some(company.updated_at));
    Ok(Envelope::data(StatusCode::OK, reply::company(&company), Some(updated)).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    state
        .services
        .idos_delete_company(&caller.actor, params.slug()?)
        .await?;
    Ok(Envelope::status_only(json!({ "deleted": 1 })).into_response())
}
