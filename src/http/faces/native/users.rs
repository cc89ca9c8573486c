//! `/users`: the users of the caller's subtree, their role and their password.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::BASE_PATH;
use super::auth::Caller;
use super::body::Body;
use super::cursor::{Page, PageParams, Paged};
use super::etag::{IfMatch, etag_of, tagged};
use super::idempotency::{IdempotencyKey, IdempotencyParam};
use super::ids::UserId;
use super::orgs::{created, public_id};
use super::params::Params;
use super::problem::{ApiResult, Problem};
use crate::domain::PublicId;
use crate::http::AppState;
use crate::service::{Actor, NewUserRequest, User, UserChanges, UserQuery};

/// A user's role in its organization.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub enum RoleName {
    Owner,
    Member,
}

impl RoleName {
    fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Member => "Member",
        }
    }
}

/// A user.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserOut {
    #[schema(format = Uuid)]
    pub id: String,
    /// The organization the user belongs to.
    #[schema(format = Uuid)]
    pub org_id: String,
    pub name: String,
    #[schema(format = Email)]
    pub email: String,
    /// `Owner` or `Member`.
    pub role: String,
    /// A partner user may create organizations through the Surfsight face.
    pub partner: bool,
}

impl From<User> for UserOut {
    fn from(user: User) -> Self {
        Self {
            id: user.public_id,
            org_id: user.org_public_id,
            name: user.name,
            email: user.email,
            role: user.role.as_str().to_owned(),
            partner: user.partner,
        }
    }
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewUser {
    /// The organization the user joins.
    pub org_id: Uuid,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(format = Email)]
    pub email: String,
    /// `Member` when absent.
    pub role: Option<RoleName>,
    /// Lets the user sign in with email and password; at least 8 characters.
    #[schema(format = Password, min_length = 8)]
    pub password: Option<String>,
}

/// A change to a user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserPatch {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[schema(format = Email)]
    pub email: Option<String>,
    pub role: Option<RoleName>,
}

/// A user's role in its organization.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoleBody {
    pub role: RoleName,
}

/// A user's new password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordBody {
    /// At least 8 characters.
    #[schema(format = Password, min_length = 8)]
    pub password: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct UserFilterParams {
    /// Only the users of this organization.
    #[param(format = Uuid)]
    org_id: Option<Uuid>,
    /// Only the user with this email.
    email: Option<String>,
}

/// Changes the user if `if_match` holds of it as it is when the change locks it.
async fn change(
    state: &AppState,
    actor: &Actor,
    id: &PublicId,
    if_match: &IfMatch,
    changes: UserChanges,
) -> ApiResult<User> {
    let holds = if_match.holds(|user: &User| etag_of(&UserOut::from(user.clone())));
    let expect = if_match.is_present().then_some(&holds as _);
    Ok(state
        .services
        .update_user_expecting(actor, id, &changes, expect)
        .await?)
}

/// Creates a user in an organization of the caller's subtree.
#[utoipa::path(
    post,
    path = "/users",
    operation_id = "createUser",
    tag = "users",
    params(IdempotencyParam),
    request_body = NewUser,
    responses(
        (status = 201, description = "The user created", body = UserOut,
            headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "The body is not JSON, or a header is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller is not an Owner, or the tree is at its quota", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email is in use, or the idempotency key's first request is still being answered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the idempotency key was used with another request", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The server is busy hashing passwords: retry", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn create_user(
    State(state): State<AppState>,
    Caller(actor): Caller,
    key: IdempotencyKey,
    body: Body<NewUser>,
) -> ApiResult<Response> {
    key.run(&state, &actor, &body.json, async {
        let new = &body.value;
        let request = NewUserRequest {
            name: new.name.clone(),
            email: new.email.clone(),
            role: new.role.map(|role| role.as_str().to_owned()),
            password: new.password.clone(),
        };
        let mut users = state
            .services
            .create_users(&actor, &public_id(new.org_id), &[request])
            .await?;
        let user = UserOut::from(users.remove(0));
        let location = format!("{BASE_PATH}/users/{}", user.id);
        Ok(created(&user, &location))
    })
    .await
}

/// The users of the caller's subtree, a page at a time in creation order.
#[utoipa::path(
    get,
    path = "/users",
    operation_id = "listUsers",
    tag = "users",
    params(UserFilterParams, PageParams),
    responses(
        (status = 200, description = "A page of users", body = Paged<UserOut>),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization in the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The email filter is not an email", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_users(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Params(filter): Params<UserFilterParams>,
    page: Page,
) -> ApiResult<Response> {
    let query = UserQuery {
        org: filter.org_id.map(public_id),
        email: filter.email,
    };
    let users = state
        .services
        .users_page(&actor, &query, page.after_id()?, page.fetch_size())
        .await?;
    let page = page.answer(users, |user| user.id.to_string(), UserOut::from);
    Ok(axum::Json(page).into_response())
}

/// Reads a user of the caller's subtree.
#[utoipa::path(
    get,
    path = "/users/{user_id}",
    operation_id = "getUser",
    tag = "users",
    params(UserId),
    responses(
        (status = 200, description = "The user", body = UserOut, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's subtree", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn get_user(
    State(state): State<AppState>,
    Caller(actor): Caller,
    UserId(id): UserId,
) -> ApiResult<Response> {
    let user = state.services.get_user(&actor, &id).await?;
    Ok(tagged(StatusCode::OK, &UserOut::from(user)))
}

/// Changes a user's name, email or role. With `If-Match`, refused (412) when the user has
/// changed since it was read.
#[utoipa::path(
    patch,
    path = "/users/{user_id}",
    operation_id = "updateUser",
    tag = "users",
    params(UserId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = UserPatch,
    responses(
        (status = 200, description = "The user as changed", body = UserOut, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not administer this user", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email is in use", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The user has changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn update_user(
    State(state): State<AppState>,
    Caller(actor): Caller,
    UserId(id): UserId,
    if_match: IfMatch,
    body: Body<UserPatch>,
) -> ApiResult<Response> {
    let patch = body.value;
    let changes = UserChanges {
        name: patch.name,
        email: patch.email,
        role: patch.role.map(|role| role.as_str().to_owned()),
        password: None,
    };
    let user = change(&state, &actor, &id, &if_match, changes).await?;
    Ok(tagged(StatusCode::OK, &UserOut::from(user)))
}

/// Deletes a user of the caller's subtree (never the caller itself).
#[utoipa::path(
    delete,
    path = "/users/{user_id}",
    operation_id = "deleteUser",
    tag = "users",
    params(UserId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "The id is not a UUID", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not administer this user, or is this user", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The user has changed since it was read", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn delete_user(
    State(state): State<AppState>,
    Caller(actor): Caller,
    UserId(id): UserId,
    if_match: IfMatch,
) -> ApiResult<Response> {
    let holds = if_match.holds(|user: &User| etag_of(&UserOut::from(user.clone())));
    let expect = if_match.is_present().then_some(&holds as _);
    state
        .services
        .delete_user_expecting(&actor, &id, expect)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Sets a user's role in its organization.
#[utoipa::path(
    put,
    path = "/users/{user_id}/role",
    operation_id = "setUserRole",
    tag = "users",
    params(UserId, ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    request_body = RoleBody,
    responses(
        (status = 200, description = "The user with its new role", body = UserOut, headers(("ETag" = String))),
        (status = 400, description = "The id is not a UUID, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not administer this user", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The user has changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The role is not Owner or Member", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn set_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    UserId(id): UserId,
    if_match: IfMatch,
    body: Body<RoleBody>,
) -> ApiResult<Response> {
    let changes = UserChanges {
        role: Some(body.value.role.as_str().to_owned()),
        ..UserChanges::default()
    };
    let user = change(&state, &actor, &id, &if_match, changes).await?;
    Ok(tagged(StatusCode::OK, &UserOut::from(user)))
}

/// Sets a user's password; the user's tokens end.
#[utoipa::path(
    put,
    path = "/users/{user_id}/password",
    operation_id = "setUserPassword",
    tag = "users",
    params(UserId),
    request_body = PasswordBody,
    responses(
        (status = 204, description = "The password is set"),
        (status = 400, description = "The id is not a UUID, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid bearer credential", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not administer this user", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in the caller's subtree", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The password is too short", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The server is busy hashing passwords: retry", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn set_password(
    State(state): State<AppState>,
    Caller(actor): Caller,
    UserId(id): UserId,
    body: Body<PasswordBody>,
) -> ApiResult<Response> {
    let changes = UserChanges {
        password: Some(body.value.password),
        ..UserChanges::default()
    };
    change(&state, &actor, &id, &IfMatch::Absent, changes).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
