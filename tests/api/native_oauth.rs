//! The native API's OAuth endpoints: access tokens for API keys (client credentials),
//! introspection and revocation of every kind of token orghub issues, across tenants and faces.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use orghub::domain::PublicId;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{OWNER_PASSWORD, Reply, TestApp, sso_jwt, sso_timestamp};

const TOKEN: &str = "/api/v1/oauth/token";
const INTROSPECT: &str = "/api/v1/oauth/introspect";
const REVOKE: &str = "/api/v1/oauth/revoke";
const FORM: &str = "application/x-www-form-urlencoded";

const AUTH_REQUIRED: &str =
    "Authentication is required: HTTP Basic, client_id and client_secret, or a Bearer token";
const CLIENT_REQUIRED: &str =
    "Client authentication is required: HTTP Basic, or client_id and client_secret in the body";
const CLIENT_REFUSED: &str = "The client is unknown or revoked, or its secret does not match";
const TOKEN_REFUSED: &str = "The bearer token is unknown, expired or revoked";
const XPONENT_TOKEN_NOT_VALID: &str = "Unauthorized - Token is not valid";
const INACTIVE: fn() -> Value = || json!({ "active": false });

/// An API key as an OAuth client.
struct Client {
    id: String,
    secret: String,
}

impl Client {
    fn basic(&self) -> String {
        format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", self.id, self.secret))
        )
    }

    fn form(&self) -> String {
        format!("client_id={}&client_secret={}", self.id, self.secret)
    }
}

/// A new API key of `user_id`.
async fn client_of(app: &TestApp, user_id: &str) -> Client {
    let key = app
        .services
        .create_api_key(&PublicId::parse(user_id).unwrap())
        .await
        .unwrap();
    Client {
        id: key.record.public_id,
        secret: key.key,
    }
}

/// A tenant: a root organization, its Owner's Xponent token and an API key of the Owner.
struct Tenant {
    org_id: String,
    user_id: String,
    owner_token: String,
    client: Client,
}

async fn tenant(app: &TestApp, name: &str, email: &str) -> Tenant {
    let boot = app.bootstrap(name, email).await;
    let owner_token = app.owner_token(&boot).await;
    let client = client_of(app, &boot.user_id).await;
    Tenant {
        org_id: boot.organization_id,
        user_id: boot.user_id,
        owner_token,
        client,
    }
}

/// A POST with a form body (and `auth` as the Authorization header).
async fn form(app: &TestApp, path: &str, auth: Option<&str>, body: &str) -> Reply {
    let mut headers = vec![("Content-Type", FORM)];
    if let Some(auth) = auth {
        headers.push(("Authorization", auth));
    }
    app.send_with_headers("POST", path, &headers, Some(body))
        .await
}

/// A POST with a JSON body.
async fn json_post(app: &TestApp, path: &str, auth: Option<&str>, body: &Value) -> Reply {
    app.send("POST", path, auth, Some(&body.to_string())).await
}

/// A native access token for `client` (HTTP Basic, form body).
async fn issue(app: &TestApp, client: &Client) -> String {
    let reply = form(
        app,
        TOKEN,
        Some(&client.basic()),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["access_token"].as_str().unwrap().to_owned()
}

async fn introspect(app: &TestApp, caller: &Client, token: &str) -> Value {
    let reply = form(
        app,
        INTROSPECT,
        Some(&caller.basic()),
        &format!("token={token}"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.headers["cache-control"], "no-store");
    reply.body
}

async fn revoke(app: &TestApp, caller: &Client, token: &str) {
    let reply = form(
        app,
        REVOKE,
        Some(&caller.basic()),
        &format!("token={token}"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
}

/// An RFC 6749 §5.2 error, word for word, with `Cache-Control: no-store`.
#[track_caller]
fn assert_oauth_error(reply: &Reply, status: u16, error: &str, description: &str) {
    assert_eq!(reply.status.as_u16(), status, "status of {:?}", reply.body);
    assert_eq!(
        reply.body,
        json!({ "error": error, "error_description": description }),
        "body"
    );
    assert_eq!(reply.headers["content-type"], "application/json");
    assert_eq!(reply.headers["cache-control"], "no-store");
}

/// `assert_oauth_error` for a 401 `invalid_client`, with its Basic challenge.
#[track_caller]
fn assert_invalid_client(reply: &Reply, description: &str) {
    assert_oauth_error(reply, 401, "invalid_client", description);
    assert_eq!(reply.headers["www-authenticate"], r#"Basic realm="orghub""#);
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `iat` is about now and `exp` `lifetime` seconds later.
#[track_caller]
fn assert_times(body: &Value, lifetime: i64) {
    let iat = body["iat"].as_i64().expect("iat");
    assert!((now_secs() - iat).abs() <= 5, "iat {iat}");
    assert!(
        (body["exp"].as_i64().expect("exp") - iat - lifetime).abs() <= 1,
        "{body}"
    );
}

#[tokio::test]
async fn an_api_key_obtains_tokens_by_basic_or_body_credentials_in_a_form_or_json() {
    let app = TestApp::spawn().await;
    let root = tenant(&app, "Root", "owner@root.test").await;
    let client = &root.client;
    let replies = [
        form(
            &app,
            TOKEN,
            Some(&client.basic()),
            "grant_type=client_credentials",
        )
        .await,
        form(
            &app,
            TOKEN,
            None,
            &format!("grant_type=client_credentials&{}", client.form()),
        )
        .await,
        json_post(
            &app,
            TOKEN,
            Some(&client.basic()),
            &json!({ "grant_type": "client_credentials" }),
        )
        .await,
        json_post(
            &app,
            TOKEN,
            None,
            &json!({ "grant_type": "client_credentials", "client_id": client.id,
                     "client_secret": client.secret, "scope": "anything" }),
        )
        .await,
    ];
    let mut tokens = Vec::new();
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        let body = reply.body.as_object().unwrap();
        assert_eq!(body.len(), 3, "{body:?}");
        assert_eq!(reply.body["token_type"], "Bearer");
        assert_eq!(reply.body["expires_in"], 3600);
        assert_eq!(reply.headers["cache-control"], "no-store");
        assert_eq!(reply.headers["pragma"], "no-cache");
        assert_eq!(reply.headers["content-type"], "application/json");
        let token = reply.body["access_token"].as_str().unwrap().to_owned();
        assert!(token.len() >= 64, "{token}");
        assert!(!token.contains(&client.secret));
        tokens.push(token);
    }
    tokens.sort();
    tokens.dedup();
    assert_eq!(tokens.len(), 4, "every token is new");
    // Each is a bearer token of the native API, acting as the key's user.
    for token in &tokens {
        let reply = app
            .get(
                &format!("/api/v1/orgs/{}", root.org_id),
                &format!("Bearer {token}"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert_eq!(reply.body["id"], root.org_id.as_str());
    }
    // Form-encoded Basic credentials (RFC 6749 §2.3.1) are decoded: `-` may come as `%2D`.
    let encoded = format!(
        "Basic {}",
        STANDARD.encode(format!(
            "{}:{}",
            client.id.replace('-', "%2D"),
            client.secret
        ))
    );
    let reply = form(&app, TOKEN, Some(&encoded), "grant_type=client_credentials").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    app.stop().await;
}

#[tokio::test]
async fn the_token_endpoint_refuses_each_bad_request_with_its_error() {
    let app = TestApp::spawn().await;
    let root = tenant(&app, "Root", "owner@root.test").await;
    let client = &root.client;
    let basic = client.basic();
    let grant = "grant_type=client_credentials";

    // invalid_request: the request itself is wrong.
    let reply = form(&app, TOKEN, Some(&basic), "").await;
    assert_oauth_error(
        &reply,
        400,
        "invalid_request",
        "The parameter 'grant_type' is required",
    );
    let reply = form(&app, TOKEN, Some(&basic), "grant_type=").await;
    assert_oauth_error(
        &reply,
        400,
        "invalid_request",
        "The parameter 'grant_type' is required",
    );
    let reply = form(
        &app,
        TOKEN,
        Some(&basic),
        "grant_type=client_credentials&grant_type=client_credentials",
    )
    .await;
    assert_oauth_error(
        &reply,
        400,
        "invalid_request",
        "The parameter 'grant_type' is repeated",
    );
    let reply = app
        .send_with_headers(
            "POST",
            TOKEN,
            &[("Content-Type", "text/plain"), ("Authorization", &basic)],
            Some(grant),
        )
        .await;
    assert_oauth_error(
        &reply,
        400,
        "invalid_request",
        "The body must be application/x-www-form-urlencoded or application/json",
    );
    let reply = app
        .send(
            "POST",
            TOKEN,
            Some(&basic),
            Some("[\"client_credentials\"]"),
        )
        .await;
    assert_oauth_error(
        &reply,
        400,
        "invalid_request",
        "The body is not a JSON object",
    );
    let reply = app
        .send("POST", TOKEN, Some(&basic), Some("{\"grant_type\": "))
        .await;
    assert_oauth_error(
        &reply,
        400,
        "invalid_request",
        "The body is not a JSON object",
    );
    let reply = json_post(
        &app,
        TOKEN,
        None,
        &json!({ "grant_type": "client_credentials", "client_id": 7, "client_secret": "x" }),
    )
    .await;
    assert_oauth_error(
        &reply,
        400,
        "invalid_request",
        "The parameter 'client_id' must be a string",
    );
    let reply = form(
        &app,
        TOKEN,
        Some(&basic),
        &format!("{grant}&{}", client.form()),
    )
    .await;
    assert_oauth_error(
        &reply,
        400,
        "invalid_request",
        "The client authenticates one way only: the Authorization header or client_id and client_secret",
    );
    let too_large = format!("{grant}&pad={}", "x".repeat(3 * 1024 * 1024));
    let reply = form(&app, TOKEN, Some(&basic), &too_large).await;
    assert_oauth_error(
        &reply,
        400,
        "invalid_request",
        "The request body could not be read",
    );

    // unsupported_grant_type: every grant but client credentials.
    for other in [
        "password",
        "authorization_code",
        "refresh_token",
        "Client_Credentials",
    ] {
        let reply = form(&app, TOKEN, Some(&basic), &format!("grant_type={other}")).await;
        assert_oauth_error(
            &reply,
            400,
            "unsupported_grant_type",
            "The only grant type is 'client_credentials'",
        );
    }

    // invalid_client: no client, or one that is not an active key with its secret.
    assert_invalid_client(&form(&app, TOKEN, None, grant).await, CLIENT_REQUIRED);
    let bearer = format!("Bearer {}", root.owner_token);
    assert_invalid_client(
        &form(&app, TOKEN, Some(&bearer), grant).await,
        CLIENT_REQUIRED,
    );
    assert_invalid_client(
        &form(&app, TOKEN, Some("Digest username=x"), grant).await,
        "The Authorization header must be HTTP Basic or a Bearer token",
    );
    for unreadable in ["Basic %%%", "Basic bm8gY29sb24=", "Basic YTpiJXp6"] {
        assert_invalid_client(
            &form(&app, TOKEN, Some(unreadable), grant).await,
            "The HTTP Basic credentials cannot be read",
        );
    }
    let only_id = format!("{grant}&client_id={}", client.id);
    assert_invalid_client(
        &form(&app, TOKEN, None, &only_id).await,
        "client_id and client_secret go together",
    );
    let only_secret = format!("{grant}&client_secret={}", client.secret);
    assert_invalid_client(
        &form(&app, TOKEN, None, &only_secret).await,
        "client_id and client_secret go together",
    );
    let other = client_of(&app, &root.user_id).await;
    for (id, secret) in [
        (client.id.clone(), format!("{}x", client.secret)),
        (client.id.clone(), other.secret.clone()),
        (other.id.clone(), client.secret.clone()),
        (PublicId::new().to_string(), client.secret.clone()),
        ("not-an-id".to_owned(), client.secret.clone()),
        (client.id.clone(), client.id.clone()),
    ] {
        let wrong = Client { id, secret };
        assert_invalid_client(
            &form(&app, TOKEN, Some(&wrong.basic()), grant).await,
            CLIENT_REFUSED,
        );
        assert_invalid_client(
            &form(&app, TOKEN, None, &format!("{grant}&{}", wrong.form())).await,
            CLIENT_REFUSED,
        );
    }
    // A revoked key is no client any more.
    app.services
        .revoke_api_key(&PublicId::parse(&other.id).unwrap())
        .await
        .unwrap();
    assert_invalid_client(
        &form(&app, TOKEN, Some(&other.basic()), grant).await,
        CLIENT_REFUSED,
    );
    // The key that was right all along still is.
    issue(&app, client).await;
    app.stop().await;
}

#[tokio::test]
async fn introspection_describes_native_xponent_surfsight_tokens_and_api_keys() {
    let app = TestApp::spawn().await;
    let root = tenant(&app, "Partner", "partner@fleet.test").await;
    let caller = &root.client;

    // A native access token.
    let native = issue(&app, caller).await;
    let body = introspect(&app, caller, &native).await;
    assert_eq!(body["active"], true);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["kind"], "native");
    assert_eq!(body["client_id"], caller.id.as_str());
    assert_eq!(body["sub"], root.user_id.as_str());
    assert_eq!(body["organization_id"], root.org_id.as_str());
    assert_times(&body, 3600);
    assert_eq!(body.as_object().unwrap().len(), 8, "{body}");

    // An Xponent owner token (6 hours), no client.
    let body = introspect(&app, caller, &root.owner_token).await;
    assert_eq!(body["active"], true);
    assert_eq!(body["kind"], "xponent_owner");
    assert_eq!(body["sub"], root.user_id.as_str());
    assert_eq!(body["organization_id"], root.org_id.as_str());
    assert!(body.get("client_id").is_none(), "{body}");
    assert_times(&body, 6 * 3600);

    // A Surfsight partner token, and an organization admin token (no user) of a child.
    let (partner, _) = app
        .surfsight_sign_in("partner@fleet.test", OWNER_PASSWORD)
        .await;
    let body = introspect(&app, caller, &partner).await;
    assert_eq!(body["kind"], "surfsight_user");
    assert_eq!(body["sub"], root.user_id.as_str());
    assert_times(&body, 24 * 3600);
    let (fleet_id, sso_secret) = app.surfsight_create_org(&partner, "Fleet One").await;
    let claims = json!({ "organizationId": fleet_id, "timestamp": sso_timestamp(0) });
    let reply = app
        .get(
            "/surfsight/v2/organizations/sso",
            &format!(
                "Bearer {}",
                sso_jwt(&sso_secret, &claims, jsonwebtoken::Algorithm::HS256)
            ),
        )
        .await;
    let admin = reply.body["token"].as_str().unwrap().to_owned();
    let body = introspect(&app, caller, &admin).await;
    assert_eq!(body["active"], true);
    assert_eq!(body["kind"], "surfsight_org_admin");
    assert!(body.get("sub").is_none(), "{body}");
    let fleet = app
        .get("/xponent/org", &root.owner_token)
        .await
        .xponent_items("organizations")
        .into_iter()
        .find(|org| org["name"] == "Fleet One")
        .unwrap();
    assert_eq!(body["organization_id"], fleet["id"]);
    assert_times(&body, 24 * 3600);

    // An API key: its own client, no expiry.
    let body = introspect(&app, caller, &caller.secret).await;
    assert_eq!(body["active"], true);
    assert_eq!(body["kind"], "api_key");
    assert_eq!(body["client_id"], caller.id.as_str());
    assert_eq!(body["sub"], root.user_id.as_str());
    assert!(body.get("exp").is_none(), "{body}");
    assert!((now_secs() - body["iat"].as_i64().unwrap()).abs() <= 60);

    // Unknown strings are inactive, never an error; the hint changes nothing.
    for unknown in ["nothing", &"0".repeat(76), &format!("{native}x")] {
        assert_eq!(introspect(&app, caller, unknown).await, INACTIVE());
    }
    let reply = form(
        &app,
        INTROSPECT,
        Some(&caller.basic()),
        &format!("token={native}&token_type_hint=refresh_token"),
    )
    .await;
    assert_eq!(reply.body["kind"], "native");

    // The caller may also authenticate with its credentials in a JSON body, or a bearer token.
    let reply = json_post(
        &app,
        INTROSPECT,
        None,
        &json!({ "token": native, "client_id": caller.id, "client_secret": caller.secret }),
    )
    .await;
    assert_eq!(reply.body["kind"], "native", "{:?}", reply.body);
    for bearer in [&native, &root.owner_token, &caller.secret] {
        let reply = form(
            &app,
            INTROSPECT,
            Some(&format!("Bearer {bearer}")),
            &format!("token={}", root.owner_token),
        )
        .await;
        assert_eq!(reply.body["kind"], "xponent_owner", "{:?}", reply.body);
    }
    app.stop().await;
}

#[tokio::test]
async fn an_xponent_token_revoked_through_the_native_api_is_refused_by_xponent_at_once() {
    // Cached actors live an hour here: only the revocation's invalidation can end the token.
    let app = TestApp::spawn_with_read_cache(Duration::from_secs(3600)).await;
    let root = tenant(&app, "Root", "owner@root.test").await;
    let token = &root.owner_token;
    // Used (and so cached) on Xponent, and active.
    for _ in 0..2 {
        app.get("/xponent/org", token)
            .await
            .xponent_items("organizations");
    }
    let body = introspect(&app, &root.client, token).await;
    assert_eq!(body["active"], true);
    assert_eq!(body["kind"], "xponent_owner");

    revoke(&app, &root.client, token).await;

    app.get("/xponent/org", token)
        .await
        .assert_xponent_error(401, XPONENT_TOKEN_NOT_VALID);
    assert_eq!(introspect(&app, &root.client, token).await, INACTIVE());
    // Revoking it again, or anything unknown, is still a 200.
    revoke(&app, &root.client, token).await;
    revoke(&app, &root.client, "no such token").await;
    // The Owner's API key is untouched.
    issue(&app, &root.client).await;
    app.stop().await;
}

#[tokio::test]
async fn a_revoked_native_token_is_refused_at_once_and_is_inactive() {
    let app = TestApp::spawn_with_read_cache(Duration::from_secs(3600)).await;
    let root = tenant(&app, "Root", "owner@root.test").await;
    let native = issue(&app, &root.client).await;
    let org = format!("/api/v1/orgs/{}", root.org_id);
    let bearer = format!("Bearer {native}");
    assert_eq!(app.get(&org, &bearer).await.status, StatusCode::OK);
    // The client revokes its own token, authenticating in a JSON body.
    let reply = json_post(
        &app,
        REVOKE,
        None,
        &json!({ "token": native, "token_type_hint": "access_token",
                 "client_id": root.client.id, "client_secret": root.client.secret }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.headers["cache-control"], "no-store");
    assert_eq!(
        app.get(&org, &bearer).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(introspect(&app, &root.client, &native).await, INACTIVE());
    app.stop().await;
}

#[tokio::test]
async fn a_revoked_api_key_ends_with_its_native_tokens() {
    let app = TestApp::spawn_with_read_cache(Duration::from_secs(3600)).await;
    let root = tenant(&app, "Root", "owner@root.test").await;
    let doomed = client_of(&app, &root.user_id).await;
    let native = issue(&app, &doomed).await;
    let org = format!("/api/v1/orgs/{}", root.org_id);
    assert_eq!(
        app.get(&org, &format!("Bearer {native}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.conformity("GET", "/accounts", &doomed.secret, None)
            .await
            .status,
        StatusCode::OK
    );
    // The Owner's other key revokes it.
    revoke(&app, &root.client, &doomed.secret).await;
    assert_eq!(
        app.get(&org, &format!("Bearer {native}")).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.conformity("GET", "/accounts", &doomed.secret, None)
        .await
        .assert_conformity_error(403, "The API key is not valid", None);
    assert_eq!(introspect(&app, &root.client, &native).await, INACTIVE());
    assert_eq!(
        introspect(&app, &root.client, &doomed.secret).await,
        INACTIVE()
    );
    assert_invalid_client(
        &form(
            &app,
            TOKEN,
            Some(&doomed.basic()),
            "grant_type=client_credentials",
        )
        .await,
        CLIENT_REFUSED,
    );
    // Listed as revoked.
    let keys = app
        .services
        .list_api_keys(
            &app.services
                .authenticate_api_key(&root.client.secret)
                .await
                .unwrap(),
        )
        .await
        .unwrap();
    let listed = keys.iter().find(|k| k.public_id == doomed.id).unwrap();
    assert_eq!(listed.status, "REVOKED");
    app.stop().await;
}

#[tokio::test]
async fn a_foreign_tenant_can_neither_introspect_nor_revoke_a_token() {
    let app = TestApp::spawn_with_read_cache(Duration::from_secs(3600)).await;
    let ours = tenant(&app, "Ours", "owner@ours.test").await;
    let theirs = tenant(&app, "Theirs", "owner@theirs.test").await;
    let native = issue(&app, &ours.client).await;
    let foreign_native = issue(&app, &theirs.client).await;
    let targets = [
        native.clone(),
        ours.owner_token.clone(),
        ours.client.secret.clone(),
    ];
    for token in &targets {
        // By client credentials and by a bearer token of the other tenant alike.
        assert_eq!(introspect(&app, &theirs.client, token).await, INACTIVE());
        let reply = form(
            &app,
            INTROSPECT,
            Some(&format!("Bearer {foreign_native}")),
            &format!("token={token}"),
        )
        .await;
        assert_eq!(reply.body, INACTIVE());
        revoke(&app, &theirs.client, token).await;
        let reply = form(
            &app,
            REVOKE,
            Some(&format!("Bearer {}", theirs.owner_token)),
            &format!("token={token}"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        // Nothing happened: each is still active for its own tenant.
        assert_eq!(introspect(&app, &ours.client, token).await["active"], true);
    }
    app.get("/xponent/org", &ours.owner_token)
        .await
        .xponent_items("organizations");
    issue(&app, &ours.client).await;
    app.stop().await;
}

#[tokio::test]
async fn a_child_organization_sees_only_its_subtree_and_a_member_ends_only_its_own_tokens() {
    let app = TestApp::spawn().await;
    let root = tenant(&app, "Root", "owner@root.test").await;
    let child = app.create_org(&root.owner_token, "Child", None).await;
    let (member_id, _) = app
        .user_with_key(&root.owner_token, &child, "member@root.test", "Member")
        .await;
    let member = client_of(&app, &member_id).await;
    let member_token = issue(&app, &member).await;
    // The child's member does not see its root's tokens; the root's Owner sees the child's.
    assert_eq!(
        introspect(&app, &member, &root.owner_token).await,
        INACTIVE()
    );
    assert_eq!(
        introspect(&app, &root.client, &member_token).await["sub"],
        member_id.as_str()
    );
    // A Member cannot end a fellow's token, even in its own organization...
    let (fellow_id, _) = app
        .user_with_key(&root.owner_token, &child, "fellow@root.test", "Member")
        .await;
    let fellow = client_of(&app, &fellow_id).await;
    let fellow_token = issue(&app, &fellow).await;
    assert_eq!(
        introspect(&app, &member, &fellow_token).await["active"],
        true
    );
    revoke(&app, &member, &fellow_token).await;
    assert_eq!(
        introspect(&app, &fellow, &fellow_token).await["active"],
        true
    );
    // ...but its own, and the Owner above ends any.
    revoke(&app, &member, &member_token).await;
    assert_eq!(introspect(&app, &member, &member_token).await, INACTIVE());
    revoke(&app, &root.client, &fellow_token).await;
    assert_eq!(introspect(&app, &fellow, &fellow_token).await, INACTIVE());
    app.stop().await;
}

#[tokio::test]
async fn expired_tokens_are_inactive_and_refused() {
    let app = TestApp::spawn().await;
    let root = tenant(&app, "Root", "owner@root.test").await;
    let native = issue(&app, &root.client).await;
    let owner = root.owner_token.clone();
    assert_eq!(
        introspect(&app, &root.client, &native).await["active"],
        true
    );
    app.raw_execute("UPDATE tokens SET expires_at = 1").await;
    for token in [&native, &owner] {
        assert_eq!(introspect(&app, &root.client, token).await, INACTIVE());
    }
    let reply = app
        .get(
            &format!("/api/v1/orgs/{}", root.org_id),
            &format!("Bearer {native}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // An expired token authenticates no caller either.
    let reply = form(
        &app,
        INTROSPECT,
        Some(&format!("Bearer {native}")),
        &format!("token={native}"),
    )
    .await;
    assert_oauth_error(&reply, 401, "invalid_token", TOKEN_REFUSED);
    app.stop().await;
}

#[tokio::test]
async fn introspection_and_revocation_refuse_each_bad_request_with_its_error() {
    let app = TestApp::spawn().await;
    let root = tenant(&app, "Root", "owner@root.test").await;
    let basic = root.client.basic();
    for path in [INTROSPECT, REVOKE] {
        assert_oauth_error(
            &form(&app, path, Some(&basic), "").await,
            400,
            "invalid_request",
            "The parameter 'token' is required",
        );
        assert_oauth_error(
            &form(&app, path, Some(&basic), "token=a&token=b").await,
            400,
            "invalid_request",
            "The parameter 'token' is repeated",
        );
        assert_oauth_error(
            &json_post(&app, path, Some(&basic), &json!({ "token": ["a"] })).await,
            400,
            "invalid_request",
            "The parameter 'token' must be a string",
        );
        assert_invalid_client(&form(&app, path, None, "token=a").await, AUTH_REQUIRED);
        let wrong = Client {
            id: root.client.id.clone(),
            secret: "wrong".into(),
        };
        assert_invalid_client(
            &form(&app, path, Some(&wrong.basic()), "token=a").await,
            CLIENT_REFUSED,
        );
        assert_invalid_client(
            &form(&app, path, None, &format!("token=a&{}", wrong.form())).await,
            CLIENT_REFUSED,
        );
        let reply = form(&app, path, Some("Bearer no-such-token"), "token=a").await;
        assert_oauth_error(&reply, 401, "invalid_token", TOKEN_REFUSED);
        assert_eq!(
            reply.headers["www-authenticate"],
            r#"Bearer realm="orghub", error="invalid_token""#
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_oauth_endpoints_are_in_the_openapi_document() {
    let app = TestApp::spawn().await;
    let reply = app.send("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let paths = &reply.body["paths"];
    for (path, id) in [
        ("/oauth/token", "issueToken"),
        ("/oauth/introspect", "introspectToken"),
        ("/oauth/revoke", "revokeToken"),
    ] {
        assert_eq!(paths[path]["post"]["operationId"], id, "{path}");
        let body = &paths[path]["post"]["requestBody"]["content"];
        assert!(body.get(FORM).is_some(), "{path}: {body}");
        assert!(body.get("application/json").is_some(), "{path}: {body}");
        assert_eq!(paths[path]["post"]["tags"], json!(["oauth"]), "{path}");
    }
    let components = &reply.body["components"];
    assert_eq!(components["securitySchemes"]["basic"]["scheme"], "basic");
    for schema in ["TokenResponse", "IntrospectionResponse", "OAuthErrorBody"] {
        assert!(components["schemas"].get(schema).is_some(), "{schema}");
    }
    app.stop().await;
}

#[tokio::test]
async fn idos_tokens_are_introspected_but_not_revocable() {
    use crate::idos::{idos, jwt, tenant as idos_tenant};
    let app = TestApp::spawn().await;
    let t = idos_tenant(&app, "Idos Co").await;
    let caller = client_of(&app, &t.user_id).await;

    // An identity token acts as its user.
    let body = introspect(&app, &caller, &t.token).await;
    assert_eq!(body["active"], true, "{body}");
    assert_eq!(body["kind"], "idos_identity");
    assert_eq!(body["sub"], t.user_id.as_str());
    assert_eq!(body["organization_id"], t.org_id.as_str());
    assert!(
        body.get("exp").is_none() && body.get("client_id").is_none(),
        "{body}"
    );

    // A credential token (from a handler) and a user token (from the credential).
    let reply = idos(
        &app,
        "POST",
        &format!("/companies/{}/credentials", t.slug),
        Some(&t.auth()),
        Some(json!({"name": "Key"})),
    )
    .await;
    let c_pub = reply.body["data"]["public"].as_str().unwrap().to_owned();
    let c_priv = reply.body["data"]["private"].as_str().unwrap().to_owned();
    let reply = idos(
        &app,
        "POST",
        &format!("/companies/{}/handlers", t.slug),
        Some(&t.auth()),
        Some(json!({"name": "h", "authUsername": "u", "authPassword": "p"})),
    )
    .await;
    let h_pub = reply.body["data"]["public"].as_str().unwrap();
    let h_priv = reply.body["data"]["private"].as_str().unwrap();
    let now = now_secs();
    let credential_token = jwt(
        h_priv,
        &json!({"iss": h_pub, "sub": c_pub, "iat": now, "exp": now + 600}),
    );
    let body = introspect(&app, &caller, &credential_token).await;
    assert_eq!(body["kind"], "idos_credential", "{body}");
    assert_eq!(body["organization_id"], t.org_id.as_str());
    assert!(body.get("sub").is_none(), "{body}");
    assert_eq!(
        (body["iat"].as_i64(), body["exp"].as_i64()),
        (Some(now), Some(now + 600))
    );
    let user_token = jwt(&c_priv, &json!({"iss": c_pub, "sub": "alice"}));
    let body = introspect(&app, &caller, &user_token).await;
    assert_eq!(body["kind"], "idos_user", "{body}");
    assert_eq!(body["sub"], "alice");

    // Expired, badly signed, or of another tenant: inactive.
    let expired = jwt(
        &t.private_key,
        &json!({"iss": t.public_key, "exp": now - 120}),
    );
    let forged = jwt("not the key", &json!({"iss": t.public_key}));
    for token in [&expired, &forged] {
        assert_eq!(introspect(&app, &caller, token).await, INACTIVE());
    }
    let other = tenant(&app, "Other", "owner@other.test").await;
    for token in [&t.token, &credential_token, &user_token] {
        assert_eq!(introspect(&app, &other.client, token).await, INACTIVE());
    }
    // Nothing of a JWT is stored to end: revoking one changes nothing.
    revoke(&app, &caller, &t.token).await;
    assert_eq!(introspect(&app, &caller, &t.token).await["active"], true);
    app.stop().await;
}
