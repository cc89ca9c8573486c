//! `/user`: users of the caller's subtree, bulk creation, and 60-second login tokens.

use axum::extract::State;
use futures_util::stream;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::input::{Body, Field, Shape, field, object_body, shape};
use super::reply::Xponent;
use super::reply::{XponentError, XponentResult, ok, ok_paged, ok_with};
use crate::http::AppState;
use crate::http::kit::{Caller, PathId};
use crate::service::{
    Conflict, Forbidden, NewUserRequest, ProjectMembership, ServiceError, User, UserChanges,
};

/// A user as this face shows it, serialized straight from the record: a list of 100,000
/// users builds no JSON tree per user. Fields are in the alphabetical order the answers have
/// always had.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserReply<'a> {
    email: &'a str,
    id: &'a str,
    name: &'a str,
    organization_id: &'a str,
    #[serde(serialize_with = "project_replies")]
    projects: &'a [ProjectMembership],
    role: &'a str,
}

impl<'a> From<&'a User> for UserReply<'a> {
    fn from(user: &'a User) -> Self {
        Self {
            email: &user.email,
            id: &user.public_id,
            name: &user.name,
            organization_id: &user.org_public_id,
            projects: &user.projects,
            role: user.role.as_str(),
        }
    }
}

/// `[{"id": <project>, "role": <role>}, …]`.
fn project_replies<S: Serializer>(
    projects: &&[ProjectMembership],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct ProjectReply<'a> {
        id: &'a str,
        role: &'a str,
    }
    serializer.collect_seq(projects.iter().map(|p| ProjectReply {
        id: &p.project_public_id,
        role: &p.role,
    }))
}

/// A user of a streamed list: owned, since a page outlives the request's borrows.
struct ListedUser(User);

impl Serialize for ListedUser {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        UserReply::from(&self.0).serialize(serializer)
    }
}

fn user_json(user: &User) -> Value {
    serde_json::to_value(UserReply::from(user)).expect("a user serializes")
}

/// Streamed a page at a time (`kit::stream`), so a request holds at most two pages in memory,
/// whatever the subtree.
pub async fn list(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
) -> XponentResult {
    let pages = stream::try_unfold(state.services.list_users(&actor), |mut pages| async move {
        let page = pages.next_page().await?;
        Ok(page.map(|users| (users.into_iter().map(ListedUser).collect(), pages)))
    });
    ok_paged("users", pages).await
}

const PASSWORD_NOT_TEXT: &str =
    "The optional field password, if provided, must be a non-empty string";

/// Checks every user object before anything is written: one bad user, none created.
fn new_user_requests(items: &[Value]) -> Result<Vec<NewUserRequest>, XponentError> {
    let objects: Vec<&Map<String, Value>> = items.iter().filter_map(Value::as_object).collect();
    let required = XponentError::bad_request(
        "The following fields are required for all new users: email, name",
    );
    if objects.len() != items.len() {
        return Err(required);
    }
    if objects
        .iter()
        .any(|o| field(o, "email").is_absent() || field(o, "name").is_absent())
    {
        return Err(required);
    }
    if objects
        .iter()
        .any(|o| field(o, "email").is_bad() || field(o, "name").is_bad())
    {
        return Err(XponentError::bad_request(
            "The following fields must be non-empty strings for all users: email, name",
        ));
    }
    if objects.iter().any(|o| field(o, "role").is_bad()) {
        return Err(XponentError::bad_request(
            "The following optional fields, if provided, must be non-empty strings for all users: role",
        ));
    }
    // `password` is orghub's own field (see README): it lets the user sign in elsewhere.
    if objects.iter().any(|o| field(o, "password").is_bad()) {
        return Err(XponentError::bad_request(PASSWORD_NOT_TEXT));
    }
    Ok(objects
        .iter()
        .map(|o| NewUserRequest {
            name: field(o, "name").text().unwrap_or_default().to_owned(),
            email: field(o, "email").text().unwrap_or_default().to_owned(),
            role: field(o, "role").text().map(str::to_owned),
            password: field(o, "password").text().map(str::to_owned),
        })
        .collect())
}

pub async fn create(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
    PathId(org_id, _): PathId<Xponent>,
    body: Body,
) -> XponentResult {
    let items = match shape(body) {
        Shape::Empty => return Err(XponentError::bad_request("Body cannot be empty or null")),
        Shape::Array(items) if items.is_empty() => {
            return Err(XponentError::bad_request("Body cannot be empty or null"));
        }
        Shape::Array(items) => items,
        Shape::Object(_) | Shape::Other => {
            return Err(XponentError::bad_request("Body must be an array"));
        }
    };
    let requests = new_user_requests(&items)?;
    let users = state
        .services
        .create_users(&actor, &org_id, &requests)
        .await?;
    Ok(ok("users", users.iter().map(user_json).collect()))
}

pub async fn update(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
    PathId(user_id, _): PathId<Xponent>,
    body: Body,
) -> XponentResult {
    let object = object_body(body, "Body cannot empty or null")?;
    let fields = [
        field(&object, "name"),
        field(&object, "email"),
        field(&object, "role"),
    ];
    let password = field(&object, "password");
    if fields.iter().all(Field::is_absent) && password.is_absent() {
        return Err(XponentError::bad_request("Body cannot empty or null"));
    }
    if fields.iter().any(Field::is_bad) {
        return Err(XponentError::bad_request(
            "The following fields, if provided, must be non-empty strings: name, email, role",
        ));
    }
    if password.is_bad() {
        return Err(XponentError::bad_request(PASSWORD_NOT_TEXT));
    }
    let [name, email, role] = fields.map(|f| f.text().map(str::to_owned));
    let changes = UserChanges {
        name,
        email,
        role,
        password: password.text().map(str::to_owned),
    };
    let user = state
        .services
        .update_user(&actor, &user_id, &changes)
        .await
        .map_err(|e| match e {
            ServiceError::Conflict(Conflict::Email { email }) => XponentError::conflict(format!(
                "The email provided, '{email}', is already in use by a different account"
            )),
            e => e.into(),
        })?;
    Ok(ok("users", vec![user_json(&user)]))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
    PathId(user_id, _): PathId<Xponent>,
) -> XponentResult {
    let user = state.services.delete_user(&actor, &user_id).await?;
    Ok(ok("users", vec![user_json(&user)]))
}

pub async fn login_token(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Xponent>,
    PathId(user_id, _): PathId<Xponent>,
) -> XponentResult {
    let token = state
        .services
        .issue_login_token(&actor, &user_id)
        .await
        .map_err(|e| match e {
            ServiceError::Forbidden(Forbidden::OutsideScope { .. }) => {
                XponentError::forbidden("Invalid admin permissions for this user")
            }
            e => e.into(),
        })?;
    let expiration = token.expires_at.to_string();
    let mut metadata = Map::new();
    metadata.insert("expiration".into(), json!(expiration));
    Ok(ok_with(
        "tokens",
        vec![json!({ "token": token.token, "expiration": expiration })],
        metadata,
    ))
}
