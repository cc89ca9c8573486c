//! The Xponent face's `POST /token`, the bare-token authentication of every `/user` route,
//! the `/user` routes themselves, login tokens and their redemption at `POST /login`: each
//! route's success shape and every documented error, word for word.

use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::helpers::{
    OWNER_PASSWORD, Reply, TestApp, fresh_nonce, postgres_in_use, sso_jwt, sso_timestamp,
    token_hash, unknown_id,
};
use orghub::domain::PublicId;
use orghub::service::Bootstrap;

const SIX_HOURS_MS: i64 = 6 * 60 * 60 * 1000;
const SIXTY_SECONDS_MS: i64 = 60 * 1000;

const TOKEN_REQUIRED: &str = "The following fields are required: userId, nonce, hash";
const TOKEN_NON_EMPTY: &str = "The following fields must be non-empty strings: userId, nonce, hash";
const AUTH_REQUIRED: &str = "Authorization must be included as a request header";
const TOKEN_NOT_VALID: &str = "Unauthorized - Token is not valid";
const LOGIN_TOKEN_NOT_VALID: &str = "Unauthorized - Login token is not valid";
const ORG_PERMISSIONS: &str = "Invalid user admin permissions for this organization";
const USERS_REQUIRED: &str = "The following fields are required for all new users: email, name";
const USERS_NON_EMPTY: &str =
    "The following fields must be non-empty strings for all users: email, name";
const USERS_ROLE_NON_EMPTY: &str =
    "The following optional fields, if provided, must be non-empty strings for all users: role";
const UPDATE_EMPTY: &str = "Body cannot empty or null";
const UPDATE_NON_EMPTY: &str =
    "The following fields, if provided, must be non-empty strings: name, email, role";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// An expiration rendered as a string of epoch milliseconds, within a minute of now + `ttl`.
#[track_caller]
fn assert_expires_in(expiration: &Value, ttl: i64) {
    let text = expiration
        .as_str()
        .unwrap_or_else(|| panic!("expiration {expiration} is not a string"));
    let millis: i64 = text
        .parse()
        .unwrap_or_else(|_| panic!("expiration {text:?} is not epoch milliseconds"));
    let expected = now_ms() + ttl;
    assert!(
        (millis - expected).abs() < 60_000,
        "expiration {millis} is not within a minute of {expected}"
    );
}

#[track_caller]
fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("{value} is not a string"))
        .to_owned()
}

/// `POST /xponent/token` with a raw body (None: no body at all).
async fn post_token_raw(app: &TestApp, body: Option<&str>) -> Reply {
    app.send("POST", "/xponent/token", None, body).await
}

async fn post_token(app: &TestApp, user_id: &str, nonce: &str, hash: &str) -> Reply {
    let body = json!({ "userId": user_id, "nonce": nonce, "hash": hash });
    post_token_raw(app, Some(&body.to_string())).await
}

/// A correct token request for `user_id` with `secret`, on a fresh nonce.
async fn request_owner_token(app: &TestApp, user_id: &str, secret: &str) -> Reply {
    let nonce = fresh_nonce();
    post_token(app, user_id, &nonce, &token_hash(secret, &nonce)).await
}

/// A second root organization, unrelated to `app.root_with_token()`'s.
async fn other_root(app: &TestApp) -> (Bootstrap, String) {
    let boot = app.bootstrap("Other Root", "owner@other.test").await;
    let token = app.owner_token(&boot).await;
    (boot, token)
}

async fn create_users(app: &TestApp, token: &str, org: &str, users: Value) -> Vec<Value> {
    app.post(&format!("/xponent/user/org/{org}"), token, &users)
        .await
        .xponent_items("users")
}

/// Creates one user; returns it as the face renders it.
async fn create_user(app: &TestApp, token: &str, org: &str, name: &str, email: &str) -> Value {
    let users = create_users(app, token, org, json!([{ "name": name, "email": email }])).await;
    assert_eq!(users.len(), 1);
    users[0].clone()
}

async fn create_owner(app: &TestApp, token: &str, org: &str, name: &str, email: &str) -> Value {
    let users = create_users(
        app,
        token,
        org,
        json!([{ "name": name, "email": email, "role": "Owner" }]),
    )
    .await;
    users[0].clone()
}

async fn list_users(app: &TestApp, token: &str) -> Vec<Value> {
    app.get("/xponent/user", token).await.xponent_items("users")
}

async fn listed_ids(app: &TestApp, token: &str) -> BTreeSet<String> {
    list_users(app, token)
        .await
        .iter()
        .map(|u| text(&u["id"]))
        .collect()
}

async fn login_token(app: &TestApp, token: &str, user_id: &str) -> String {
    let reply = app
        .get(&format!("/xponent/user/{user_id}/loginToken"), token)
        .await;
    text(&reply.xponent_items("tokens")[0]["token"])
}

async fn redeem(app: &TestApp, login_token: &str) -> Reply {
    app.send(
        "POST",
        "/xponent/login",
        None,
        Some(&json!({ "token": login_token }).to_string()),
    )
    .await
}

/// A session token for `user_id`: a login token, redeemed.
async fn session_for(app: &TestApp, owner_token: &str, user_id: &str) -> String {
    let login = login_token(app, owner_token, user_id).await;
    text(&redeem(app, &login).await.xponent_items("tokens")[0]["token"])
}

#[track_caller]
fn assert_user_shape(user: &Value) {
    for key in ["id", "name", "email", "organizationId", "role"] {
        assert!(user[key].is_string(), "{key} of {user}");
    }
    assert!(user["projects"].is_array(), "projects of {user}");
    assert!(PublicId::parse(user["id"].as_str().unwrap()).is_some());
    assert!(PublicId::parse(user["organizationId"].as_str().unwrap()).is_some());
}

// ---------------------------------------------------------------------------------------------
// POST /token
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn token_is_issued_for_an_owner_with_a_six_hour_expiration() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Root", "owner@root.test").await;

    let reply = request_owner_token(&app, &boot.user_id, &boot.secret_key).await;
    let tokens = reply.xponent_items("tokens");
    assert_eq!(tokens.len(), 1);
    let token = text(&tokens[0]["token"]);
    assert!(!token.is_empty());
    assert_expires_in(&tokens[0]["expiration"], SIX_HOURS_MS);

    // The token authenticates the owner.
    let users = list_users(&app, &token).await;
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["id"], json!(boot.user_id));
    app.stop().await;
}

#[tokio::test]
async fn token_requires_all_three_fields() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Root", "owner@root.test").await;
    let nonce = fresh_nonce();
    let hash = token_hash(&boot.secret_key, &nonce);

    for body in [
        json!({}),
        json!({ "nonce": nonce, "hash": hash }),
        json!({ "userId": boot.user_id, "hash": hash }),
        json!({ "userId": boot.user_id, "nonce": nonce }),
        json!({ "userId": boot.user_id }),
        // A missing field wins over a bad one.
        json!({ "userId": 5, "nonce": "" }),
    ] {
        post_token_raw(&app, Some(&body.to_string()))
            .await
            .assert_xponent_error(400, TOKEN_REQUIRED);
    }
    app.stop().await;
}

#[tokio::test]
async fn token_refuses_bodies_that_are_not_an_object() {
    let app = TestApp::spawn().await;
    for body in [
        None,
        Some(""),
        Some("   "),
        Some("null"),
        Some("not json"),
        Some("{\"userId\":"),
        Some("[]"),
        Some("[{\"userId\":\"x\",\"nonce\":\"y\",\"hash\":\"z\"}]"),
        Some("\"a string\""),
        Some("42"),
    ] {
        post_token_raw(&app, body)
            .await
            .assert_xponent_error(400, TOKEN_REQUIRED);
    }
    app.stop().await;
}

#[tokio::test]
async fn token_fields_must_be_non_empty_strings() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Root", "owner@root.test").await;
    let nonce = fresh_nonce();
    let hash = token_hash(&boot.secret_key, &nonce);
    let id = boot.user_id.as_str();

    for body in [
        json!({ "userId": 5, "nonce": nonce, "hash": hash }),
        json!({ "userId": "", "nonce": nonce, "hash": hash }),
        json!({ "userId": id, "nonce": "", "hash": hash }),
        json!({ "userId": id, "nonce": 123456, "hash": hash }),
        json!({ "userId": id, "nonce": nonce, "hash": "" }),
        json!({ "userId": id, "nonce": nonce, "hash": null }),
        json!({ "userId": id, "nonce": nonce, "hash": [hash] }),
        json!({ "userId": { "id": id }, "nonce": true, "hash": 1 }),
    ] {
        post_token_raw(&app, Some(&body.to_string()))
            .await
            .assert_xponent_error(400, TOKEN_NON_EMPTY);
    }
    app.stop().await;
}

#[tokio::test]
async fn token_refuses_a_malformed_user_id() {
    let app = TestApp::spawn().await;
    let nonce = fresh_nonce();
    let unknown = unknown_id();
    for user_id in [
        "not-an-id",
        "12345",
        &unknown[..35],
        &format!("{unknown}0"),
        &unknown.replace('-', ""),
    ] {
        post_token(&app, user_id, &nonce, "abc")
            .await
            .assert_xponent_error(400, "Invalid format for userId");
    }
    app.stop().await;
}

#[tokio::test]
async fn token_nonce_must_have_at_least_thirty_characters() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Root", "owner@root.test").await;

    let short = "a".repeat(29);
    post_token(
        &app,
        &boot.user_id,
        &short,
        &token_hash(&boot.secret_key, &short),
    )
    .await
    .assert_xponent_error(400, "Nonce must be a minimum of 30 characters");

    let exact = "b".repeat(30);
    let tokens = post_token(
        &app,
        &boot.user_id,
        &exact,
        &token_hash(&boot.secret_key, &exact),
    )
    .await
    .xponent_items("tokens");
    assert_eq!(tokens.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn token_refuses_a_hash_that_does_not_match() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Root", "owner@root.test").await;
    let nonce = fresh_nonce();

    for hash in [
        "0".repeat(64),
        "not even hex".to_owned(),
        token_hash("the wrong secret", &nonce),
        token_hash(&boot.secret_key, &fresh_nonce()),
    ] {
        post_token(&app, &boot.user_id, &nonce, &hash)
            .await
            .assert_xponent_error(401, "Unauthorized - Hash does not match");
    }

    // A refused hash does not use the nonce up.
    post_token(
        &app,
        &boot.user_id,
        &nonce,
        &token_hash(&boot.secret_key, &nonce),
    )
    .await
    .xponent_items("tokens");
    app.stop().await;
}

#[tokio::test]
async fn token_refuses_a_replayed_nonce() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Root", "owner@root.test").await;
    let nonce = fresh_nonce();
    let hash = token_hash(&boot.secret_key, &nonce);

    post_token(&app, &boot.user_id, &nonce, &hash)
        .await
        .xponent_items("tokens");
    post_token(&app, &boot.user_id, &nonce, &hash)
        .await
        .assert_xponent_error(401, "Unauthorized - Nonce has already been used");
    app.stop().await;
}

#[tokio::test]
async fn token_accepts_an_uppercase_hex_hash() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Root", "owner@root.test").await;
    let nonce = fresh_nonce();
    let hash = token_hash(&boot.secret_key, &nonce).to_ascii_uppercase();

    let tokens = post_token(&app, &boot.user_id, &nonce, &hash)
        .await
        .xponent_items("tokens");
    list_users(&app, &text(&tokens[0]["token"])).await;
    app.stop().await;
}

#[tokio::test]
async fn token_is_refused_to_a_member() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "Mem", "mem@root.test").await;
    assert_eq!(member["role"], "Member");
    let id = text(&member["id"]);

    // Whatever the hash: a member has no secret to hash.
    request_owner_token(&app, &id, &boot.secret_key)
        .await
        .assert_xponent_error(
            403,
            &format!("User with id '{id}' is not an organization owner"),
        );
    app.stop().await;
}

#[tokio::test]
async fn token_is_refused_to_an_owner_without_a_secret_key_until_one_is_issued() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let owner = create_owner(&app, &token, &boot.organization_id, "Own", "own@root.test").await;
    assert_eq!(owner["role"], "Owner");
    let id = text(&owner["id"]);

    request_owner_token(&app, &id, &boot.secret_key)
        .await
        .assert_xponent_error(
            403,
            &format!("User with id '{id}' does not have a secret key"),
        );

    let secret = app
        .services
        .issue_secret_key(&PublicId::parse(&id).unwrap())
        .await
        .expect("a secret key for an owner");
    request_owner_token(&app, &id, &secret)
        .await
        .xponent_items("tokens");
    app.stop().await;
}

#[tokio::test]
async fn token_for_an_unknown_user_does_not_exist() {
    let app = TestApp::spawn().await;
    let id = unknown_id();
    request_owner_token(&app, &id, "whatever")
        .await
        .assert_xponent_error(404, &format!("User with id '{id}' does not exist"));
    app.stop().await;
}

#[tokio::test]
async fn token_follows_a_rotated_secret_key() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Root", "owner@root.test").await;
    request_owner_token(&app, &boot.user_id, &boot.secret_key)
        .await
        .xponent_items("tokens");

    let rotated = app
        .services
        .issue_secret_key(&PublicId::parse(&boot.user_id).unwrap())
        .await
        .expect("a rotated key");
    assert_ne!(rotated, boot.secret_key);

    request_owner_token(&app, &boot.user_id, &boot.secret_key)
        .await
        .assert_xponent_error(401, "Unauthorized - Hash does not match");
    request_owner_token(&app, &boot.user_id, &rotated)
        .await
        .xponent_items("tokens");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Authorization header, on every authenticated route
// ---------------------------------------------------------------------------------------------

/// Every authenticated route of this file, with a request that would otherwise succeed.
fn authenticated_routes(org: &str, user: &str) -> Vec<(&'static str, String, Option<String>)> {
    vec![
        ("GET", "/xponent/user".to_owned(), None),
        (
            "POST",
            format!("/xponent/user/org/{org}"),
            Some(json!([{ "name": "N", "email": "n@root.test" }]).to_string()),
        ),
        (
            "PUT",
            format!("/xponent/user/{user}"),
            Some(json!({ "name": "Renamed" }).to_string()),
        ),
        ("DELETE", format!("/xponent/user/{user}"), None),
        ("GET", format!("/xponent/user/{user}/loginToken"), None),
    ]
}

#[tokio::test]
async fn every_user_route_requires_the_authorization_header() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;

    for (method, path, body) in authenticated_routes(&boot.organization_id, &text(&member["id"])) {
        for auth in [None, Some(""), Some("   ")] {
            app.send(method, &path, auth, body.as_deref())
                .await
                .assert_xponent_error(400, AUTH_REQUIRED);
        }
    }
    // Nothing was changed.
    assert_eq!(list_users(&app, &token).await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn every_user_route_refuses_an_invalid_token() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;
    let login = login_token(&app, &token, &text(&member["id"])).await;

    let bearer = format!("Bearer {token}");
    let bad_auth = [
        "garbage",
        "0123456789abcdef0123456789abcdef",
        bearer.as_str(),
        // A login token authenticates nothing until it is redeemed.
        login.as_str(),
    ];
    for (method, path, body) in authenticated_routes(&boot.organization_id, &text(&member["id"])) {
        for auth in bad_auth {
            app.send(method, &path, Some(auth), body.as_deref())
                .await
                .assert_xponent_error(401, TOKEN_NOT_VALID);
        }
    }
    assert_eq!(list_users(&app, &token).await.len(), 2);
    // The login token was not spent by being shown as an Authorization header.
    redeem(&app, &login).await.xponent_items("tokens");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// GET /user
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn list_users_covers_the_whole_subtree_and_no_other_root() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    let grandchild = app.create_org(&token, "Grandchild", Some(&child)).await;
    let great = app
        .create_org(&token, "Great-grandchild", Some(&grandchild))
        .await;

    let in_root = create_user(&app, &token, &boot.organization_id, "R", "r@root.test").await;
    let in_child = create_user(&app, &token, &child, "C", "c@root.test").await;
    let in_grandchild = create_user(&app, &token, &grandchild, "G", "g@root.test").await;
    let in_great = create_user(&app, &token, &great, "GG", "gg@root.test").await;

    let (other, other_token) = other_root(&app).await;
    let other_child = app.create_org(&other_token, "Other child", None).await;
    let foreign = create_user(&app, &other_token, &other_child, "F", "f@other.test").await;

    let users = list_users(&app, &token).await;
    for user in &users {
        assert_user_shape(user);
        assert_eq!(user["projects"], json!([]));
    }
    let ids: BTreeSet<String> = users.iter().map(|u| text(&u["id"])).collect();
    let expected: BTreeSet<String> = [&in_root, &in_child, &in_grandchild, &in_great]
        .iter()
        .map(|u| text(&u["id"]))
        .chain([boot.user_id.clone()])
        .collect();
    assert_eq!(ids, expected);
    assert_eq!(users.len(), 5);

    // Each user carries its own organization, name, email and role.
    let find = |id: &Value| users.iter().find(|u| u["id"] == *id).unwrap().clone();
    let owner = find(&json!(boot.user_id));
    assert_eq!(owner["organizationId"], json!(boot.organization_id));
    assert_eq!(owner["email"], "owner@root.test");
    assert_eq!(owner["role"], "Owner");
    let great_user = find(&in_great["id"]);
    assert_eq!(great_user["organizationId"], json!(great));
    assert_eq!(great_user["name"], "GG");
    assert_eq!(great_user["email"], "gg@root.test");
    assert_eq!(great_user["role"], "Member");

    // The other root sees its own users only.
    let other_ids = listed_ids(&app, &other_token).await;
    let expected_other: BTreeSet<String> = [other.user_id.clone(), text(&foreign["id"])].into();
    assert_eq!(other_ids, expected_other);
    app.stop().await;
}

#[tokio::test]
async fn list_users_of_a_child_owner_excludes_parent_and_siblings() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    let sibling = app.create_org(&token, "Sibling", None).await;
    let grandchild = app.create_org(&token, "Grandchild", Some(&child)).await;

    let child_owner = create_owner(&app, &token, &child, "CO", "co@root.test").await;
    let in_grandchild = create_user(&app, &token, &grandchild, "G", "g@root.test").await;
    create_user(&app, &token, &sibling, "S", "s@root.test").await;

    let child_owner_id = text(&child_owner["id"]);
    let secret = app
        .services
        .issue_secret_key(&PublicId::parse(&child_owner_id).unwrap())
        .await
        .unwrap();
    let child_token = app.owner_token_for(&child_owner_id, &secret).await;

    let ids = listed_ids(&app, &child_token).await;
    let expected: BTreeSet<String> = [child_owner_id, text(&in_grandchild["id"])].into();
    assert_eq!(ids, expected);
    assert!(!ids.contains(&boot.user_id));
    app.stop().await;
}

/// Creates `count` members of `org`, 500 per request; returns them as the face rendered them.
async fn create_members(
    app: &TestApp,
    token: &str,
    org: &str,
    prefix: &str,
    count: usize,
) -> Vec<Value> {
    let mut created = Vec::with_capacity(count);
    for start in (0..count).step_by(500) {
        let batch: Vec<Value> = (start..count.min(start + 500))
            .map(|i| json!({ "name": format!("{prefix} {i}"), "email": format!("{prefix}{i}@list.test") }))
            .collect();
        created.extend(create_users(app, token, org, Value::Array(batch)).await);
    }
    assert_eq!(created.len(), count);
    created
}

/// `GET /xponent/user`: the raw response, its headers and body text, or the error that cut
/// its body short.
async fn get_users_raw(
    app: &TestApp,
    token: &str,
) -> (
    reqwest::StatusCode,
    reqwest::header::HeaderMap,
    Result<String, reqwest::Error>,
) {
    let response = app
        .client
        .get(app.url("/xponent/user"))
        .header("Authorization", token)
        .send()
        .await
        .expect("the server answers");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await)
}

/// Gives each listed user of `users` whose position `i` is a multiple of `every` a membership
/// of `project` with `role`, behind orghub's back (no route adds members).
async fn add_members(app: &TestApp, project: &str, role: &str, users: &[Value], every: usize) {
    let ids: Vec<String> = users
        .iter()
        .step_by(every)
        .map(|u| format!("'{}'", text(&u["id"])))
        .collect();
    app.raw_execute(&format!(
        "INSERT INTO project_members (project_id, user_id, role) \
         SELECT p.id, u.id, '{role}' FROM projects p, users u \
         WHERE p.public_id = '{project}' AND u.public_id IN ({})",
        ids.join(", ")
    ))
    .await;
}

async fn new_project(app: &TestApp, token: &str, org: &str, name: &str) -> String {
    let reply = app
        .post(
            &format!("/xponent/project/org/{org}"),
            token,
            &json!({ "name": name, "description": "A project" }),
        )
        .await;
    text(&reply.xponent_items("projects")[0]["id"])
}

#[tokio::test]
async fn list_users_longer_than_a_page_lists_each_user_once_in_creation_order() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    let (other, other_token) = other_root(&app).await;

    // 2,300 users of the subtree, their batches interleaved with another root's users, so
    // that the subtree's ids are spread out and foreign ones lie within every page's range.
    let mut expected = vec![json!({
        "id": boot.user_id,
        "name": "Owner",
        "email": "owner@root.test",
        "organizationId": boot.organization_id,
        "role": "Owner",
        "projects": [],
    })];
    let root_org = boot.organization_id.clone();
    for (i, (org, count)) in [
        (&root_org, 700),
        (&child, 500),
        (&root_org, 600),
        (&child, 500),
    ]
    .into_iter()
    .enumerate()
    {
        expected.extend(create_members(&app, &token, org, &format!("m{i}-"), count).await);
        create_members(
            &app,
            &other_token,
            &other.organization_id,
            &format!("f{i}-"),
            60,
        )
        .await;
    }
    assert_eq!(expected.len(), 2_301);

    // Memberships on both sides of every page boundary: of two neighbours, at least one is a
    // member of a project. Projects are listed in creation order.
    let alpha = new_project(&app, &token, &root_org, "Alpha").await;
    let beta = new_project(&app, &token, &child, "Beta").await;
    add_members(&app, &alpha, "Member", &expected, 2).await;
    add_members(&app, &beta, "Owner", &expected, 3).await;
    for (i, user) in expected.iter_mut().enumerate() {
        let mut projects = Vec::new();
        if i % 2 == 0 {
            projects.push(json!({ "id": alpha, "role": "Member" }));
        }
        if i % 3 == 0 {
            projects.push(json!({ "id": beta, "role": "Owner" }));
        }
        user["projects"] = Value::Array(projects);
    }

    let (status, headers, body) = get_users_raw(&app, &token).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
    assert!(
        headers.get("content-length").is_none(),
        "a streamed body has no length up front: {headers:?}"
    );
    let body = body.expect("the whole body");
    assert!(body.starts_with(r#"{"users":[{"#), "{}", &body[..40]);
    let body: Value = serde_json::from_str(&body).expect("one JSON document");
    assert_eq!(
        body["metadata"],
        json!({ "status": 200, "message": "OK", "numItems": 2_301 })
    );
    let listed = body["users"].as_array().expect("a users array");
    assert_eq!(listed.len(), expected.len());
    for (i, (got, want)) in listed.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "user {i} of the list");
    }

    // The other root lists its own 241 users only.
    let other_ids = listed_ids(&app, &other_token).await;
    assert_eq!(other_ids.len(), 241);
    assert!(other_ids.contains(&other.user_id));
    app.stop().await;
}

#[tokio::test]
async fn list_users_of_an_organization_without_users_is_an_empty_envelope() {
    let app = TestApp::spawn().await;
    app.bootstrap("Partner", "partner@fleet.test").await;
    let (partner, _) = app
        .surfsight_sign_in("partner@fleet.test", OWNER_PASSWORD)
        .await;
    let (org_id, secret) = app.surfsight_create_org(&partner, "Fleet One").await;
    let jwt = sso_jwt(
        &secret,
        &json!({ "organizationId": org_id, "timestamp": sso_timestamp(0) }),
        jsonwebtoken::Algorithm::HS256,
    );
    // An organization admin token: an actor with no user, over an organization with none.
    let admin = text(
        &app.get("/surfsight/v2/organizations/sso", &format!("Bearer {jwt}"))
            .await
            .body["token"],
    );

    let (status, headers, body) = get_users_raw(&app, &admin).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
    let body = body.expect("the whole body");
    assert!(body.starts_with(r#"{"users":[],"metadata":{"#), "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("one JSON document"),
        json!({ "users": [], "metadata": { "status": 200, "message": "OK", "numItems": 0 } })
    );
    app.stop().await;
}

/// Makes a user unreadable, as a faulty migration or a hand edit could.
async fn damage_user(app: &TestApp, user_id: &str) {
    if postgres_in_use() {
        app.raw_execute("ALTER TABLE users ALTER COLUMN name DROP NOT NULL")
            .await;
        app.raw_execute(&format!(
            "UPDATE users SET name = NULL WHERE public_id = '{user_id}'"
        ))
        .await;
    } else {
        app.raw_execute(&format!(
            "UPDATE users SET name = X'FF' WHERE public_id = '{user_id}'"
        ))
        .await;
    }
}

#[tokio::test]
async fn list_users_failing_after_the_first_page_cuts_the_body_and_on_it_answers_500() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let members = create_members(&app, &token, &boot.organization_id, "m", 1_500).await;

    // The last user is on a later page: the status is sent, then the body stops short. The
    // connection is closed while the first pages may still sit in the server's buffers, so
    // the client may see the close before even the status line: cut short either way.
    damage_user(&app, &text(&members[1_499]["id"])).await;
    let sent = app
        .client
        .get(app.url("/xponent/user"))
        .header("Authorization", &token)
        .send()
        .await;
    if let Ok(response) = sent {
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/json");
        let body = response.text().await;
        assert!(body.is_err(), "the body must not end as if complete");
    }

    // A user of the first page: the usual error, before anything is sent.
    damage_user(&app, &text(&members[0]["id"])).await;
    app.get("/xponent/user", &token)
        .await
        .assert_xponent_error(500, "Internal server error");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// POST /user/org/{org_id}
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_users_returns_every_new_user() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;

    let users = create_users(
        &app,
        &token,
        &child,
        json!([
            { "name": "Ann", "email": "ann@root.test" },
            { "name": "Bob", "email": "bob@root.test", "role": "Owner" },
            { "name": "Cat", "email": "cat@root.test", "role": "Member" },
        ]),
    )
    .await;
    assert_eq!(users.len(), 3);
    for user in &users {
        assert_user_shape(user);
        assert_eq!(user["organizationId"], json!(child));
        assert_eq!(user["projects"], json!([]));
    }
    let summary: Vec<(Value, Value, Value)> = users
        .iter()
        .map(|u| (u["name"].clone(), u["email"].clone(), u["role"].clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (json!("Ann"), json!("ann@root.test"), json!("Member")),
            (json!("Bob"), json!("bob@root.test"), json!("Owner")),
            (json!("Cat"), json!("cat@root.test"), json!("Member")),
        ]
    );

    // They are listed, as returned.
    let listed = list_users(&app, &token).await;
    assert_eq!(listed.len(), 4);
    for user in &users {
        assert!(listed.contains(user), "{user} is listed as created");
    }
    assert!(listed.iter().any(|u| u["id"] == json!(boot.user_id)));
    app.stop().await;
}

#[tokio::test]
async fn create_users_refuses_a_malformed_organization_id() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    for org in ["not-an-id", "1", &unknown_id().replace('-', "")] {
        app.post(
            &format!("/xponent/user/org/{org}"),
            &token,
            &json!([{ "name": "N", "email": "n@root.test" }]),
        )
        .await
        .assert_xponent_error(400, "Invalid format for organization id");
    }
    app.stop().await;
}

#[tokio::test]
async fn create_users_refuses_an_empty_body() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let path = format!("/xponent/user/org/{}", boot.organization_id);
    for body in [None, Some(""), Some(" \n"), Some("null"), Some("[]")] {
        app.send("POST", &path, Some(&token), body)
            .await
            .assert_xponent_error(400, "Body cannot be empty or null");
    }
    app.stop().await;
}

#[tokio::test]
async fn create_users_refuses_a_body_that_is_not_an_array() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let path = format!("/xponent/user/org/{}", boot.organization_id);
    for body in [
        json!({ "name": "N", "email": "n@root.test" }).to_string(),
        "{}".to_owned(),
        "not json".to_owned(),
        "[{\"name\":".to_owned(),
        "\"text\"".to_owned(),
        "7".to_owned(),
    ] {
        app.send("POST", &path, Some(&token), Some(&body))
            .await
            .assert_xponent_error(400, "Body must be an array");
    }
    app.stop().await;
}

#[tokio::test]
async fn create_users_requires_email_and_name_for_all() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let path = format!("/xponent/user/org/{}", boot.organization_id);
    let good = json!({ "name": "Good", "email": "good@root.test" });
    for body in [
        json!([{ "name": "N" }]),
        json!([{ "email": "e@root.test" }]),
        json!([{}]),
        json!([good, { "name": "Only name" }]),
        json!([good, "not an object"]),
        json!([null]),
        json!([[good]]),
        // A missing field wins over a bad one.
        json!([{ "name": "", "role": "" }]),
    ] {
        app.post(&path, &token, &body)
            .await
            .assert_xponent_error(400, USERS_REQUIRED);
    }
    assert_eq!(list_users(&app, &token).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn create_users_requires_non_empty_string_email_and_name() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let path = format!("/xponent/user/org/{}", boot.organization_id);
    let good = json!({ "name": "Good", "email": "good@root.test" });
    for body in [
        json!([{ "name": "", "email": "e@root.test" }]),
        json!([{ "name": "N", "email": "" }]),
        json!([{ "name": 5, "email": "e@root.test" }]),
        json!([{ "name": "N", "email": null }]),
        json!([{ "name": ["N"], "email": { "a": 1 } }]),
        json!([good, { "name": "N", "email": false }]),
        // A bad required field wins over a bad role.
        json!([{ "name": "", "email": "e@root.test", "role": 1 }]),
    ] {
        app.post(&path, &token, &body)
            .await
            .assert_xponent_error(400, USERS_NON_EMPTY);
    }
    assert_eq!(list_users(&app, &token).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn create_users_requires_a_provided_role_to_be_a_non_empty_string() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let path = format!("/xponent/user/org/{}", boot.organization_id);
    for role in [
        json!(""),
        json!(null),
        json!(1),
        json!(["Owner"]),
        json!(true),
    ] {
        let body = json!([
            { "name": "Good", "email": "good@root.test" },
            { "name": "N", "email": "n@root.test", "role": role },
        ]);
        app.post(&path, &token, &body)
            .await
            .assert_xponent_error(400, USERS_ROLE_NON_EMPTY);
    }
    assert_eq!(list_users(&app, &token).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn create_users_refuses_a_role_other_than_member_or_owner() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let path = format!("/xponent/user/org/{}", boot.organization_id);
    for role in ["Admin", "owner", "MEMBER", " Owner"] {
        let body = json!([
            { "name": "Good", "email": "good@root.test" },
            { "name": "N", "email": "n@root.test", "role": role },
        ]);
        app.post(&path, &token, &body).await.assert_xponent_error(
            400,
            &format!(
                "Invalid value for role '{role}': the only valid values are 'Member' and 'Owner'"
            ),
        );
    }
    assert_eq!(list_users(&app, &token).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn create_users_refuses_a_malformed_email() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let path = format!("/xponent/user/org/{}", boot.organization_id);
    for email in ["no-at-sign", "@root.test", "a@", "a@b@c", "a b@root.test"] {
        app.post(&path, &token, &json!([{ "name": "N", "email": email }]))
            .await
            .assert_xponent_error(400, &format!("Invalid format for email '{email}'"));
    }
    assert_eq!(list_users(&app, &token).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn create_users_in_another_root_is_forbidden() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let (other, other_token) = other_root(&app).await;
    let other_child = app.create_org(&other_token, "Other child", None).await;

    for org in [&other.organization_id, &other_child] {
        app.post(
            &format!("/xponent/user/org/{org}"),
            &token,
            &json!([{ "name": "N", "email": "n@root.test" }]),
        )
        .await
        .assert_xponent_error(403, ORG_PERMISSIONS);
    }
    assert_eq!(list_users(&app, &other_token).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn create_users_in_the_parent_organization_is_forbidden() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    let child_owner = create_owner(&app, &token, &child, "CO", "co@root.test").await;
    let id = text(&child_owner["id"]);
    let secret = app
        .services
        .issue_secret_key(&PublicId::parse(&id).unwrap())
        .await
        .unwrap();
    let child_token = app.owner_token_for(&id, &secret).await;

    app.post(
        &format!("/xponent/user/org/{}", boot.organization_id),
        &child_token,
        &json!([{ "name": "N", "email": "n@root.test" }]),
    )
    .await
    .assert_xponent_error(403, ORG_PERMISSIONS);
    app.stop().await;
}

#[tokio::test]
async fn create_users_in_an_unknown_organization_is_not_found() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let org = unknown_id();
    app.post(
        &format!("/xponent/user/org/{org}"),
        &token,
        &json!([{ "name": "N", "email": "n@root.test" }]),
    )
    .await
    .assert_xponent_error(404, &format!("Organization with id '{org}' not found"));
    app.stop().await;
}

#[tokio::test]
async fn create_users_refuses_an_email_already_in_use() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let (_, other_token) = other_root(&app).await;
    let path = format!("/xponent/user/org/{}", boot.organization_id);
    let conflict = |email: &str| {
        format!(
            "The email provided for a new user, '{email}', is already in use by a different account"
        )
    };

    for email in [
        "owner@root.test",
        "OWNER@Root.Test",
        // Emails are unique across roots.
        "owner@other.test",
    ] {
        app.post(&path, &token, &json!([{ "name": "N", "email": email }]))
            .await
            .assert_xponent_error(409, &conflict(email));
    }
    assert_eq!(list_users(&app, &token).await.len(), 1);
    assert_eq!(list_users(&app, &other_token).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn create_users_refuses_a_duplicate_email_within_one_batch() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let path = format!("/xponent/user/org/{}", boot.organization_id);
    for second in ["twin@root.test", "Twin@ROOT.test"] {
        let body = json!([
            { "name": "One", "email": "twin@root.test" },
            { "name": "Two", "email": second },
        ]);
        app.post(&path, &token, &body).await.assert_xponent_error(
            409,
            &format!(
                "The email provided for a new user, '{second}', is already in use by a different account"
            ),
        );
    }
    assert_eq!(list_users(&app, &token).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn create_users_creates_none_when_one_conflicts() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    create_user(&app, &token, &child, "Taken", "taken@root.test").await;
    let before = listed_ids(&app, &token).await;
    assert_eq!(before.len(), 2);

    let path = format!("/xponent/user/org/{child}");
    let batch = json!([
        { "name": "A", "email": "a@root.test" },
        { "name": "B", "email": "b@root.test", "role": "Owner" },
        { "name": "C", "email": "taken@root.test" },
    ]);
    app.post(&path, &token, &batch).await.assert_xponent_error(
        409,
        "The email provided for a new user, 'taken@root.test', is already in use by a different account",
    );
    assert_eq!(listed_ids(&app, &token).await, before);

    // Validation errors late in the batch create none either.
    let invalid_third = json!([
        { "name": "A", "email": "a@root.test" },
        { "name": "B", "email": "b@root.test" },
        { "name": "C", "email": "c@root.test", "role": "Boss" },
    ]);
    app.post(&path, &token, &invalid_third)
        .await
        .assert_xponent_error(
            400,
            "Invalid value for role 'Boss': the only valid values are 'Member' and 'Owner'",
        );
    assert_eq!(listed_ids(&app, &token).await, before);

    // The first two were never created: their emails are free.
    let created = create_users(
        &app,
        &token,
        &child,
        json!([
            { "name": "A", "email": "a@root.test" },
            { "name": "B", "email": "b@root.test" },
        ]),
    )
    .await;
    assert_eq!(created.len(), 2);
    assert_eq!(listed_ids(&app, &token).await.len(), 4);
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// PUT /user/{user_id}
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn update_user_changes_name_email_and_role() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    let user = create_user(&app, &token, &child, "Before", "before@root.test").await;
    let id = text(&user["id"]);
    let path = format!("/xponent/user/{id}");

    let updated = app
        .put(
            &path,
            &token,
            &json!({ "name": "After", "email": "after@root.test", "role": "Owner" }),
        )
        .await
        .xponent_items("users");
    assert_eq!(updated.len(), 1);
    assert_user_shape(&updated[0]);
    assert_eq!(
        updated[0],
        json!({
            "id": id,
            "name": "After",
            "email": "after@root.test",
            "organizationId": child,
            "role": "Owner",
            "projects": [],
        })
    );

    // Only the fields given change.
    let renamed = app
        .put(&path, &token, &json!({ "name": "Renamed" }))
        .await
        .xponent_items("users");
    assert_eq!(renamed[0]["name"], "Renamed");
    assert_eq!(renamed[0]["email"], "after@root.test");
    assert_eq!(renamed[0]["role"], "Owner");
    let demoted = app
        .put(&path, &token, &json!({ "role": "Member" }))
        .await
        .xponent_items("users");
    assert_eq!(demoted[0]["name"], "Renamed");
    assert_eq!(demoted[0]["role"], "Member");

    // A user may keep its own email, in another case.
    let recased = app
        .put(&path, &token, &json!({ "email": "AFTER@root.test" }))
        .await
        .xponent_items("users");
    assert_eq!(recased[0]["email"], "AFTER@root.test");

    let listed = list_users(&app, &token).await;
    assert!(listed.contains(&recased[0]));
    assert!(listed.iter().any(|u| u["id"] == json!(boot.user_id)));
    app.stop().await;
}

#[tokio::test]
async fn update_user_refuses_a_malformed_user_id() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    for id in ["not-an-id", "42", &unknown_id().replace('-', "")] {
        app.put(
            &format!("/xponent/user/{id}"),
            &token,
            &json!({ "name": "N" }),
        )
        .await
        .assert_xponent_error(400, "Invalid format for user id");
    }
    app.stop().await;
}

#[tokio::test]
async fn update_user_refuses_an_empty_body() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;
    let path = format!("/xponent/user/{}", text(&member["id"]));
    for body in [None, Some(""), Some("  "), Some("null"), Some("{}")] {
        app.send("PUT", &path, Some(&token), body)
            .await
            .assert_xponent_error(400, UPDATE_EMPTY);
    }
    // Unknown members only: nothing to change.
    app.put(&path, &token, &json!({ "nickname": "x" }))
        .await
        .assert_xponent_error(400, UPDATE_EMPTY);
    app.stop().await;
}

#[tokio::test]
async fn update_user_refuses_a_body_that_is_not_an_object() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;
    let path = format!("/xponent/user/{}", text(&member["id"]));
    for body in [
        "[]",
        "[{\"name\":\"N\"}]",
        "not json",
        "{\"name\":",
        "\"N\"",
        "3",
    ] {
        app.send("PUT", &path, Some(&token), Some(body))
            .await
            .assert_xponent_error(400, "Body must be an object");
    }
    app.stop().await;
}

#[tokio::test]
async fn update_user_fields_must_be_non_empty_strings() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;
    let path = format!("/xponent/user/{}", text(&member["id"]));
    for body in [
        json!({ "name": "" }),
        json!({ "email": "" }),
        json!({ "role": "" }),
        json!({ "name": 1 }),
        json!({ "email": null }),
        json!({ "role": ["Owner"] }),
        json!({ "name": "Fine", "email": false }),
    ] {
        app.put(&path, &token, &body)
            .await
            .assert_xponent_error(400, UPDATE_NON_EMPTY);
    }
    // Nothing changed.
    let listed = list_users(&app, &token).await;
    assert!(listed.contains(&member));
    app.stop().await;
}

#[tokio::test]
async fn update_user_refuses_an_invalid_role_or_email() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;
    let path = format!("/xponent/user/{}", text(&member["id"]));
    app.put(&path, &token, &json!({ "role": "Admin" }))
        .await
        .assert_xponent_error(
            400,
            "Invalid value for role 'Admin': the only valid values are 'Member' and 'Owner'",
        );
    app.put(&path, &token, &json!({ "email": "nobody" }))
        .await
        .assert_xponent_error(400, "Invalid format for email 'nobody'");
    assert!(list_users(&app, &token).await.contains(&member));
    app.stop().await;
}

#[tokio::test]
async fn update_user_of_another_root_is_forbidden() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let (other, other_token) = other_root(&app).await;
    let other_child = app.create_org(&other_token, "Other child", None).await;
    let foreign = create_user(&app, &other_token, &other_child, "F", "f@other.test").await;

    for id in [other.user_id.clone(), text(&foreign["id"])] {
        app.put(
            &format!("/xponent/user/{id}"),
            &token,
            &json!({ "name": "Hijacked" }),
        )
        .await
        .assert_xponent_error(403, ORG_PERMISSIONS);
    }
    assert!(list_users(&app, &other_token).await.contains(&foreign));
    app.stop().await;
}

#[tokio::test]
async fn update_user_unknown_is_not_found() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let id = unknown_id();
    app.put(
        &format!("/xponent/user/{id}"),
        &token,
        &json!({ "name": "N" }),
    )
    .await
    .assert_xponent_error(404, &format!("User with id '{id}' not found"));
    app.stop().await;
}

#[tokio::test]
async fn update_user_refuses_an_email_in_use_by_another_account() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    other_root(&app).await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;
    let path = format!("/xponent/user/{}", text(&member["id"]));
    for email in ["owner@root.test", "Owner@ROOT.test", "owner@other.test"] {
        app.put(&path, &token, &json!({ "email": email, "name": "Changed" }))
            .await
            .assert_xponent_error(
                409,
                &format!("The email provided, '{email}', is already in use by a different account"),
            );
    }
    assert!(list_users(&app, &token).await.contains(&member));
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// DELETE /user/{user_id}
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn delete_user_returns_it_and_removes_it() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    let grandchild = app.create_org(&token, "Grandchild", Some(&child)).await;
    let doomed = create_user(&app, &token, &grandchild, "Doomed", "doomed@root.test").await;
    let kept = create_user(&app, &token, &child, "Kept", "kept@root.test").await;
    let id = text(&doomed["id"]);

    let deleted = app
        .delete(&format!("/xponent/user/{id}"), &token)
        .await
        .xponent_items("users");
    assert_eq!(deleted, vec![doomed.clone()]);

    let ids = listed_ids(&app, &token).await;
    let expected: BTreeSet<String> = [boot.user_id.clone(), text(&kept["id"])].into();
    assert_eq!(ids, expected);

    // Gone: a second delete finds nothing, and the email is free again.
    app.delete(&format!("/xponent/user/{id}"), &token)
        .await
        .assert_xponent_error(404, &format!("User with id '{id}' not found"));
    create_user(&app, &token, &child, "Reborn", "doomed@root.test").await;
    app.stop().await;
}

#[tokio::test]
async fn delete_user_ends_its_sessions_and_login_tokens() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;
    let id = text(&member["id"]);
    let session = session_for(&app, &token, &id).await;
    let pending = login_token(&app, &token, &id).await;
    list_users(&app, &session).await;

    app.delete(&format!("/xponent/user/{id}"), &token)
        .await
        .xponent_items("users");
    app.get("/xponent/user", &session)
        .await
        .assert_xponent_error(401, TOKEN_NOT_VALID);
    redeem(&app, &pending)
        .await
        .assert_xponent_error(401, LOGIN_TOKEN_NOT_VALID);
    app.stop().await;
}

#[tokio::test]
async fn delete_user_refuses_a_malformed_user_id() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    for id in ["not-an-id", "42", &unknown_id().replace('-', "")] {
        app.delete(&format!("/xponent/user/{id}"), &token)
            .await
            .assert_xponent_error(400, "Invalid format for user id");
    }
    app.stop().await;
}

#[tokio::test]
async fn delete_user_of_another_root_is_forbidden() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let (other, other_token) = other_root(&app).await;
    let foreign = create_user(
        &app,
        &other_token,
        &other.organization_id,
        "F",
        "f@other.test",
    )
    .await;

    for id in [other.user_id.clone(), text(&foreign["id"])] {
        app.delete(&format!("/xponent/user/{id}"), &token)
            .await
            .assert_xponent_error(403, ORG_PERMISSIONS);
    }
    assert_eq!(list_users(&app, &other_token).await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn delete_self_is_forbidden() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let id = &boot.user_id;
    app.delete(&format!("/xponent/user/{id}"), &token)
        .await
        .assert_xponent_error(
            403,
            &format!("Not allowed to delete self (user with id '{id}')"),
        );
    assert_eq!(listed_ids(&app, &token).await, [id.clone()].into());
    app.stop().await;
}

#[tokio::test]
async fn delete_user_unknown_is_not_found() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let id = unknown_id();
    app.delete(&format!("/xponent/user/{id}"), &token)
        .await
        .assert_xponent_error(404, &format!("User with id '{id}' not found"));
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// GET /user/{user_id}/loginToken
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn login_token_is_issued_for_sixty_seconds() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    let grandchild = app.create_org(&token, "Grandchild", Some(&child)).await;
    let member = create_user(&app, &token, &grandchild, "M", "m@root.test").await;

    let reply = app
        .get(
            &format!("/xponent/user/{}/loginToken", text(&member["id"])),
            &token,
        )
        .await;
    let tokens = reply.xponent_items("tokens");
    assert_eq!(tokens.len(), 1);
    assert!(!text(&tokens[0]["token"]).is_empty());
    assert_expires_in(&tokens[0]["expiration"], SIXTY_SECONDS_MS);
    assert_expires_in(&reply.body["metadata"]["expiration"], SIXTY_SECONDS_MS);
    assert_eq!(
        reply.body["metadata"]["expiration"],
        tokens[0]["expiration"]
    );

    // Each request gives a new token.
    let again = login_token(&app, &token, &text(&member["id"])).await;
    assert_ne!(again, text(&tokens[0]["token"]));
    assert!(listed_ids(&app, &token).await.contains(&boot.user_id));
    app.stop().await;
}

#[tokio::test]
async fn login_token_refuses_a_malformed_user_id() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    for id in ["not-an-id", "42", &unknown_id().replace('-', "")] {
        app.get(&format!("/xponent/user/{id}/loginToken"), &token)
            .await
            .assert_xponent_error(400, "Invalid format for user id");
    }
    app.stop().await;
}

#[tokio::test]
async fn login_token_for_a_user_of_another_root_is_forbidden() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let (other, other_token) = other_root(&app).await;
    let foreign = create_user(
        &app,
        &other_token,
        &other.organization_id,
        "F",
        "f@other.test",
    )
    .await;
    for id in [other.user_id.clone(), text(&foreign["id"])] {
        app.get(&format!("/xponent/user/{id}/loginToken"), &token)
            .await
            .assert_xponent_error(403, "Invalid admin permissions for this user");
    }
    app.stop().await;
}

#[tokio::test]
async fn login_token_for_an_unknown_user_is_not_found() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let id = unknown_id();
    app.get(&format!("/xponent/user/{id}/loginToken"), &token)
        .await
        .assert_xponent_error(404, &format!("User with id '{id}' not found"));
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// POST /login
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn login_redeems_a_login_token_for_a_session_of_its_user() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    let grandchild = app.create_org(&token, "Grandchild", Some(&child)).await;
    let member = create_user(&app, &token, &child, "M", "m@root.test").await;
    let below = create_user(&app, &token, &grandchild, "B", "b@root.test").await;
    let member_id = text(&member["id"]);

    let login = login_token(&app, &token, &member_id).await;
    let tokens = redeem(&app, &login).await.xponent_items("tokens");
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["userId"], json!(member_id));
    assert_expires_in(&tokens[0]["expiration"], SIX_HOURS_MS);
    let session = text(&tokens[0]["token"]);
    assert_ne!(session, login);

    // The session is the member's: it sees the member's subtree, not the root's.
    let ids = listed_ids(&app, &session).await;
    let expected: BTreeSet<String> = [member_id, text(&below["id"])].into();
    assert_eq!(ids, expected);
    app.stop().await;
}

#[tokio::test]
async fn login_token_is_redeemed_once_only() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;
    let login = login_token(&app, &token, &text(&member["id"])).await;

    redeem(&app, &login).await.xponent_items("tokens");
    redeem(&app, &login)
        .await
        .assert_xponent_error(401, LOGIN_TOKEN_NOT_VALID);
    app.stop().await;
}

#[tokio::test]
async fn login_refuses_tokens_that_are_not_login_tokens() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;
    let session = session_for(&app, &token, &text(&member["id"])).await;

    for garbage in [
        "garbage",
        "0123456789abcdef",
        token.as_str(),
        session.as_str(),
    ] {
        redeem(&app, garbage)
            .await
            .assert_xponent_error(401, LOGIN_TOKEN_NOT_VALID);
    }
    // The owner token and the session still work: redeeming them spent nothing.
    list_users(&app, &token).await;
    list_users(&app, &session).await;
    app.stop().await;
}

#[tokio::test]
async fn login_requires_a_non_empty_token_field() {
    let app = TestApp::spawn().await;
    for body in [
        None,
        Some(""),
        Some("null"),
        Some("{}"),
        Some("{\"login\":\"x\"}"),
        Some("[]"),
        Some("not json"),
    ] {
        app.send("POST", "/xponent/login", None, body)
            .await
            .assert_xponent_error(400, "The following fields are required: token");
    }
    for value in [json!(""), json!(null), json!(5), json!(["x"])] {
        app.send(
            "POST",
            "/xponent/login",
            None,
            Some(&json!({ "token": value }).to_string()),
        )
        .await
        .assert_xponent_error(400, "The following fields must be non-empty strings: token");
    }
    app.stop().await;
}

#[tokio::test]
async fn member_session_reads_users_but_cannot_administer_them() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;
    let other = create_user(&app, &token, &boot.organization_id, "O", "o@root.test").await;
    let session = session_for(&app, &token, &text(&member["id"])).await;
    let other_id = text(&other["id"]);

    assert_eq!(list_users(&app, &session).await.len(), 3);
    app.post(
        &format!("/xponent/user/org/{}", boot.organization_id),
        &session,
        &json!([{ "name": "N", "email": "n@root.test" }]),
    )
    .await
    .assert_xponent_error(403, ORG_PERMISSIONS);
    app.put(
        &format!("/xponent/user/{other_id}"),
        &session,
        &json!({ "name": "X" }),
    )
    .await
    .assert_xponent_error(403, ORG_PERMISSIONS);
    app.delete(&format!("/xponent/user/{other_id}"), &session)
        .await
        .assert_xponent_error(403, ORG_PERMISSIONS);
    app.get(&format!("/xponent/user/{other_id}/loginToken"), &session)
        .await
        .assert_xponent_error(403, "Invalid admin permissions for this user");
    assert_eq!(list_users(&app, &token).await.len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn a_role_change_applies_to_existing_sessions() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;
    let id = text(&member["id"]);
    let session = session_for(&app, &token, &id).await;
    let path = format!("/xponent/user/org/{}", boot.organization_id);
    let body = json!([{ "name": "N", "email": "n@root.test" }]);

    app.post(&path, &session, &body)
        .await
        .assert_xponent_error(403, ORG_PERMISSIONS);
    app.put(
        &format!("/xponent/user/{id}"),
        &token,
        &json!({ "role": "Owner" }),
    )
    .await
    .xponent_items("users");
    app.post(&path, &session, &body)
        .await
        .xponent_items("users");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Races
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn concurrent_uses_of_one_nonce_issue_one_token() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Root", "owner@root.test").await;
    let nonce = fresh_nonce();
    let hash = token_hash(&boot.secret_key, &nonce);

    let replies =
        futures::future::join_all((0..8).map(|_| post_token(&app, &boot.user_id, &nonce, &hash)))
            .await;
    let issued = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(issued, 1, "{replies:?}");
    for reply in replies.iter().filter(|r| r.status != 200) {
        reply.assert_xponent_error(401, "Unauthorized - Nonce has already been used");
    }
    app.stop().await;
}

#[tokio::test]
async fn two_hundred_concurrent_token_requests_all_succeed_with_working_tokens() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Root", "owner@root.test").await;

    let replies = futures::future::join_all(
        (0..200).map(|_| request_owner_token(&app, &boot.user_id, &boot.secret_key)),
    )
    .await;
    let mut tokens = BTreeSet::new();
    for reply in &replies {
        let items = reply.xponent_items("tokens");
        assert_eq!(items.len(), 1);
        assert_expires_in(&items[0]["expiration"], SIX_HOURS_MS);
        tokens.insert(text(&items[0]["token"]));
    }
    assert_eq!(tokens.len(), 200, "every token is its own");
    let listings = futures::future::join_all(tokens.iter().map(|t| list_users(&app, t))).await;
    for users in listings {
        assert_eq!(users.len(), 1);
        assert_eq!(users[0]["id"], json!(boot.user_id));
    }
    app.stop().await;
}

#[tokio::test]
async fn one_nonce_sent_by_fifty_requests_at_once_is_accepted_once() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Root", "owner@root.test").await;
    let nonce = fresh_nonce();
    let hash = token_hash(&boot.secret_key, &nonce);

    let replies =
        futures::future::join_all((0..50).map(|_| post_token(&app, &boot.user_id, &nonce, &hash)))
            .await;
    let issued: Vec<_> = replies.iter().filter(|r| r.status == 200).collect();
    assert_eq!(issued.len(), 1, "{replies:?}");
    let token = text(&issued[0].xponent_items("tokens")[0]["token"]);
    assert_eq!(list_users(&app, &token).await.len(), 1);
    for reply in replies.iter().filter(|r| r.status != 200) {
        reply.assert_xponent_error(401, "Unauthorized - Nonce has already been used");
    }
    app.stop().await;
}

/// What a token request sent in the crowd below should get.
enum Expect {
    Token,
    Error(u16, String),
}

#[tokio::test]
async fn token_requests_at_once_get_their_own_answers_good_or_bad() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let (other, _) = other_root(&app).await;
    let member =
        text(&create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await["id"]);
    let keyless =
        text(&create_owner(&app, &token, &boot.organization_id, "K", "k@root.test").await["id"]);
    let unknown = unknown_id();
    let spent = fresh_nonce();
    post_token(
        &app,
        &boot.user_id,
        &spent,
        &token_hash(&boot.secret_key, &spent),
    )
    .await
    .xponent_items("tokens");
    let mismatched = fresh_nonce();

    let mut crowd = Vec::new();
    let good = |user: &str, secret: &str| {
        let nonce = fresh_nonce();
        let hash = token_hash(secret, &nonce);
        (user.to_owned(), nonce, hash, Expect::Token)
    };
    for _ in 0..10 {
        crowd.push(good(&boot.user_id, &boot.secret_key));
        crowd.push(good(&other.user_id, &other.secret_key));
    }
    let refusals = [
        (
            boot.user_id.clone(),
            mismatched.clone(),
            token_hash("the wrong secret", &mismatched),
            Expect::Error(401, "Unauthorized - Hash does not match".into()),
        ),
        (
            unknown.clone(),
            fresh_nonce(),
            "abc".into(),
            Expect::Error(404, format!("User with id '{unknown}' does not exist")),
        ),
        (
            member.clone(),
            fresh_nonce(),
            "abc".into(),
            Expect::Error(
                403,
                format!("User with id '{member}' is not an organization owner"),
            ),
        ),
        (
            keyless.clone(),
            fresh_nonce(),
            "abc".into(),
            Expect::Error(
                403,
                format!("User with id '{keyless}' does not have a secret key"),
            ),
        ),
        (
            boot.user_id.clone(),
            spent.clone(),
            token_hash(&boot.secret_key, &spent),
            Expect::Error(401, "Unauthorized - Nonce has already been used".into()),
        ),
    ];
    // The refusals spread among the good requests.
    for (i, refusal) in refusals.into_iter().enumerate() {
        crowd.insert(i * 4 + 1, refusal);
    }

    let replies = futures::future::join_all(
        crowd
            .iter()
            .map(|(user, nonce, hash, _)| post_token(&app, user, nonce, hash)),
    )
    .await;
    let mut tokens = Vec::new();
    for ((user, _, _, expect), reply) in crowd.iter().zip(&replies) {
        match expect {
            Expect::Token => tokens.push((user, text(&reply.xponent_items("tokens")[0]["token"]))),
            Expect::Error(status, message) => reply.assert_xponent_error(*status, message),
        }
    }
    assert_eq!(tokens.len(), 20);
    for (user, token) in tokens {
        let users = list_users(&app, &token).await;
        assert!(users.iter().any(|u| u["id"] == json!(user)), "{users:?}");
    }
    // The refused hash did not use its nonce up.
    post_token(
        &app,
        &boot.user_id,
        &mismatched,
        &token_hash(&boot.secret_key, &mismatched),
    )
    .await
    .xponent_items("tokens");
    app.stop().await;
}

#[tokio::test]
async fn concurrent_redemptions_of_one_login_token_give_one_session() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;
    let login = login_token(&app, &token, &text(&member["id"])).await;

    let replies = futures::future::join_all((0..8).map(|_| redeem(&app, &login))).await;
    let redeemed = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(redeemed, 1, "{replies:?}");
    for reply in replies.iter().filter(|r| r.status != 200) {
        reply.assert_xponent_error(401, LOGIN_TOKEN_NOT_VALID);
    }
    app.stop().await;
}

#[tokio::test]
async fn concurrent_creations_of_one_email_create_one_user() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let path = format!("/xponent/user/org/{}", boot.organization_id);

    let replies = futures::future::join_all((0..6).map(|i| {
        let body = json!([
            { "name": format!("Solo {i}"), "email": format!("solo{i}@root.test") },
            { "name": "Shared", "email": "shared@root.test" },
        ]);
        let path = path.clone();
        let app = &app;
        let token = &token;
        async move { app.post(&path, token, &body).await }
    }))
    .await;
    assert_eq!(
        replies.iter().filter(|r| r.status == 200).count(),
        1,
        "{replies:?}"
    );
    for reply in replies.iter().filter(|r| r.status != 200) {
        reply.assert_xponent_error(
            409,
            "The email provided for a new user, 'shared@root.test', is already in use by a different account",
        );
    }
    // The owner, and the two users of the one batch that won.
    assert_eq!(list_users(&app, &token).await.len(), 3);
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn unknown_routes_are_not_found() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    for (method, path) in [
        ("GET", "/xponent/nope"),
        ("GET", "/xponent/users"),
        ("POST", "/xponent/tokens"),
        ("GET", "/xponent/user/a/b/c"),
        ("GET", "/xponent/"),
    ] {
        let reply = app.send(method, path, Some(&token), None).await;
        reply.assert_xponent_error(404, "Route not found");
        assert_eq!(
            reply.body,
            json!({ "metadata": { "status": 404, "message": "Route not found" } })
        );
    }
    // Without credentials as well.
    app.send("GET", "/xponent/nope", None, None)
        .await
        .assert_xponent_error(404, "Route not found");
    app.stop().await;
}

#[tokio::test]
async fn trailing_slashes_are_accepted() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Root", "owner@root.test").await;
    let nonce = fresh_nonce();
    let body = json!({ "userId": boot.user_id, "nonce": nonce, "hash": token_hash(&boot.secret_key, &nonce) });
    let tokens = app
        .send("POST", "/xponent/token/", None, Some(&body.to_string()))
        .await
        .xponent_items("tokens");
    let token = text(&tokens[0]["token"]);

    let users = app
        .get("/xponent/user/", &token)
        .await
        .xponent_items("users");
    assert_eq!(users.len(), 1);
    let created = app
        .post(
            &format!("/xponent/user/org/{}/", boot.organization_id),
            &token,
            &json!([{ "name": "N", "email": "n@root.test" }]),
        )
        .await
        .xponent_items("users");
    let id = text(&created[0]["id"]);
    app.get(&format!("/xponent/user/{id}/loginToken/"), &token)
        .await
        .xponent_items("tokens");
    app.put(
        &format!("/xponent/user/{id}/"),
        &token,
        &json!({ "name": "M" }),
    )
    .await
    .xponent_items("users");
    app.delete(&format!("/xponent/user/{id}/"), &token)
        .await
        .xponent_items("users");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Changes that affect a token's actor apply on its next request (the server caches actors)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_session_is_refused_on_its_next_request_once_its_user_is_deleted() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let member = create_user(&app, &token, &boot.organization_id, "M", "m@root.test").await;
    let session = session_for(&app, &token, &text(&member["id"])).await;
    assert_eq!(list_users(&app, &session).await.len(), 2);

    app.delete(&format!("/xponent/user/{}", text(&member["id"])), &token)
        .await
        .xponent_items("users");
    app.get("/xponent/user", &session)
        .await
        .assert_xponent_error(401, TOKEN_NOT_VALID);
    app.stop().await;
}

#[tokio::test]
async fn a_role_change_applies_to_a_session_on_its_next_request() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    let owner = create_owner(&app, &token, &child, "CO", "co@root.test").await;
    let session = session_for(&app, &token, &text(&owner["id"])).await;
    let new_user = |email: &str| json!([{ "name": "N", "email": email }]);
    let in_child = format!("/xponent/user/org/{child}");
    app.post(&in_child, &session, &new_user("n1@root.test"))
        .await
        .xponent_items("users");

    app.put(
        &format!("/xponent/user/{}", text(&owner["id"])),
        &token,
        &json!({ "role": "Member" }),
    )
    .await
    .xponent_items("users");
    app.post(&in_child, &session, &new_user("n2@root.test"))
        .await
        .assert_xponent_error(403, ORG_PERMISSIONS);
    app.stop().await;
}

#[tokio::test]
async fn a_session_follows_its_organization_when_it_moves() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let moved = app.create_org(&token, "Moved", None).await;
    let below = app.create_org(&token, "Below", Some(&moved)).await;
    let new_parent = app.create_org(&token, "New parent", None).await;
    let owner = create_owner(&app, &token, &moved, "MO", "mo@root.test").await;
    let session = session_for(&app, &token, &text(&owner["id"])).await;
    let orgs_of = |items: Vec<Value>| {
        let mut ids: Vec<String> = items.iter().map(|o| text(&o["id"])).collect();
        ids.sort();
        ids
    };
    let mut expected = vec![moved.clone(), below.clone()];
    expected.sort();
    let listed = app.get("/xponent/org", &session).await;
    assert_eq!(orgs_of(listed.xponent_items("organizations")), expected);

    app.put(
        &format!("/xponent/org/{moved}"),
        &token,
        &json!({ "parentId": new_parent }),
    )
    .await
    .xponent_items("organizations");
    // A session that kept the organization's old place in the tree would list nothing.
    let listed = app.get("/xponent/org", &session).await;
    assert_eq!(orgs_of(listed.xponent_items("organizations")), expected);
    assert_eq!(list_users(&app, &session).await.len(), 1);
    app.stop().await;
}

/// Only an actor is cached: a token refused as unknown is looked up again on its next use, so
/// a token written meanwhile behind this server's back (another node, a restore) works at once.
#[tokio::test]
async fn an_unknown_token_is_looked_up_again_not_cached_as_unknown() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Root", "owner@root.test").await;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let token = orghub::crypto::new_bearer_token(now);
    app.get("/xponent/org", &token)
        .await
        .assert_xponent_error(401, TOKEN_NOT_VALID);

    let key = hex::encode(orghub::crypto::bearer_token_key(&token));
    let key = if postgres_in_use() {
        format!("'\\x{key}'::bytea")
    } else {
        format!("X'{key}'")
    };
    app.raw_execute(&format!(
        "INSERT INTO tokens (hash, kind, user_id, org_id, region, expires_at, created_at) \
         SELECT {key}, 'session', id, org_id, 'us', {}, {now} FROM users \
         WHERE public_id = '{}'",
        now as i64 + SIX_HOURS_MS,
        boot.user_id
    ))
    .await;
    let orgs = app
        .get("/xponent/org", &token)
        .await
        .xponent_items("organizations");
    assert_eq!(orgs.len(), 1);
    app.stop().await;
}
