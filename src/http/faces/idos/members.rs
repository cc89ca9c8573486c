//! `/companies/{companySlug}/members`, `/membership` and `/invitations`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::json;

use super::companies::{date_millis, page_of};
use super::conventions::envelope::{Envelope, paged};
use super::error::{IdosHttpError, IdosReply};
use super::input::{Identity, Input, Params, QueryPairs};
use super::reply;
use crate::http::AppState;
use crate::service::idos::NewInvitation;

pub async fn list(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    query: QueryPairs,
) -> IdosReply {
    let page = page_of(&query)?;
    let members = state
        .services
        .idos_members(&caller.actor, params.slug()?)
        .await?;
    let updated = reply::list_updated(members.iter().map(|m| m.updated_at.max(m.created_at)));
    let items = members.iter().map(reply::member).collect();
    Ok(paged(items, page, Some(updated)).into_response())
}

pub async fn get_one(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let member = state
        .services
        .idos_member(&caller.actor, params.slug()?, params.id("memberId")?)
        .await?;
    let updated = reply::updated_of(member.created_at, Some(member.updated_at));
    Ok(Envelope::data(StatusCode::OK, reply::member(&member), Some(updated)).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let role = input.text("role")?;
    let member = state
        .services
        .idos_set_member_role(&caller.actor, params.slug()?, params.id("memberId")?, &role)
        .await?;
    let updated = reply::updated_of(member.created_at, Some(member.updated_at));
    Ok(Envelope::data(StatusCode::OK, reply::member(&member), Some(updated)).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let deleted = state
        .services
        .idos_delete_member(&caller.actor, params.slug()?, params.id("memberId")?)
        .await?;
    Ok(Envelope::status_only(json!({ "deleted": deleted })).into_response())
}

pub async fn membership(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let member = state
        .services
        .idos_membership(&caller.actor, params.slug()?)
        .await?;
    let updated = reply::updated_of(member.created_at, Some(member.updated_at));
    Ok(Envelope::data(StatusCode::OK, reply::member(&member), Some(updated)).into_response())
}

pub async fn list_invitations(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    query: QueryPairs,
) -> IdosReply {
    let page = page_of(&query)?;
    let invitations = state
        .services
        .idos_invitations(&caller.actor, params.slug()?)
        .await?;
    let updated = reply::list_updated(
        invitations
            .iter()
            .map(|i| i.updated_at.unwrap_or(i.created_at).max(i.created_at)),
    );
    let items = invitations.iter().map(reply::invitation).collect();
    Ok(paged(items, page, Some(updated)).into_response())
}

fn expires(input: &Input) -> Result<Option<i64>, IdosHttpError> {
    input
        .optional_text("expires")?
        .map(|text| date_millis("expires", &text))
        .transpose()
}

pub async fn invite(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let invitation = NewInvitation {
        role: input.text("role")?,
        email: input.text("email")?,
        name: input.text("name")?,
        credential_public_key: input.text("credentialPubKey")?,
        expires: expires(&input)?,
    };
    let invitation = state
        .services
        .idos_invite(&caller.actor, params.slug()?, invitation)
        .await?;
    Ok(Envelope::data(StatusCode::CREATED, reply::invitation(&invitation), None).into_response())
}

pub async fn update_invitation(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
    input: Input,
) -> IdosReply {
    let invitation = state
        .services
        .idos_update_invitation(
            &caller.actor,
            params.slug()?,
            params.id("invitationId")?,
            expires(&input)?,
        )
        .await?;
    let updated = reply::updated_of(invitation.created_at, invitation.updated_at);
    Ok(Envelope::data(
        StatusCode::OK,
        reply::invitation(&invitation),
        Some(updated),
    )
    .into_response())
}

pub async fn delete_invitation(
    State(state): State<AppState>,
    Identity(caller): Identity,
    params: Params,
) -> IdosReply {
    let deleted = state
        .services
        .idos_delete_invitation(&caller.actor, params.slug()?, params.id("invitationId")?)
        .await?;
    Ok(Envelope::status_only(json!({ "deleted": deleted })).into_response())
}
