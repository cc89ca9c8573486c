//! The native API's credentials: a user's API keys (the key shown once, never listed; revoked
//! at once on every face, with its access tokens) and an Owner's Xponent secret key.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, fresh_nonce, token_hash, unknown_id};
use crate::native::{assert_problem, native_root};
use orghub::service::Quotas;

const REVOKED: &str = "The bearer credential is unknown, expired or revoked";

/// A user of `org` created through the native API with `role`; returns its id.
async fn native_user(app: &TestApp, bearer: &str, org: &str, email: &str, role: &str) -> String {
    let reply = app
        .post(
            "/api/v1/users",
            bearer,
            &json!({ "orgId": org, "name": "Some One", "email": email, "role": role }),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn create_key(app: &TestApp, bearer: &str, user: &str) -> Reply {
    app.send(
        "POST",
        &format!("/api/v1/users/{user}/api-keys"),
        Some(bearer),
        None,
    )
    .await
}

async fn list_keys(app: &TestApp, bearer: &str, user: &str) -> Reply {
    app.get(&format!("/api/v1/users/{user}/api-keys"), bearer)
        .await
}

async fn rotate(app: &TestApp, bearer: &str, user: &str) -> Reply {
    app.send(
        "POST",
        &format!("/api/v1/users/{user}/secret-key"),
        Some(bearer),
        None,
    )
    .await
}

/// A native access token for the API key `id`/`key` (client credentials, HTTP Basic).
async fn access_token(app: &TestApp, id: &str, key: &str) -> String {
    let basic = format!("Basic {}", STANDARD.encode(format!("{id}:{key}")));
    let reply = app
        .send_with_headers(
            "POST",
            "/api/v1/oauth/token",
            &[
                ("Authorization", &basic),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            Some("grant_type=client_credentials"),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["access_token"].as_str().unwrap().to_owned()
}

async fn xponent_token_reply(app: &TestApp, user: &str, secret: &str) -> Reply {
    let nonce = fresh_nonce();
    app.send(
        "POST",
        "/xponent/token",
        None,
        Some(
            &json!({ "userId": user, "nonce": nonce, "hash": token_hash(secret, &nonce) })
                .to_string(),
        ),
    )
    .await
}

#[tokio::test]
async fn a_key_is_shown_once_listed_without_its_secret_and_revoked_at_once_everywhere() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Keys Root").await;
    let owner = &boot.user_id;
    let created = create_key(&app, &bearer, owner).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.headers["cache-control"], "no-store");
    assert_eq!(
        created.headers["location"],
        format!("/api/v1/users/{owner}/api-keys").as_str()
    );
    let key = created.body["key"].as_str().unwrap().to_owned();
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(key.len(), 64);
    assert_eq!(created.body["status"], "ACTIVE");
    assert_eq!(created.body["lastUsedAt"], Value::Null);

    // The key works on every face; so does an access token issued to it.
    let key_bearer = format!("Bearer {key}");
    let own = format!("/api/v1/users/{owner}");
    assert_eq!(app.get(&own, &key_bearer).await.status, 200);
    let conformity_keys = "/api-keys";
    assert_eq!(
        app.conformity("GET", conformity_keys, &key, None)
            .await
            .status,
        200
    );
    let token = format!("Bearer {}", access_token(&app, &id, &key).await);
    assert_eq!(app.get(&own, &token).await.status, 200);

    // Listed, never with a secret.
    let list = list_keys(&app, &bearer, owner).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    let text = list.body.to_string();
    assert!(!text.contains(&key) && !text.contains(&boot.api_key));
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "the bootstrap key and the new one");
    assert!(items.iter().all(|item| item.get("key").is_none()));
    assert_eq!(list.body["next"], Value::Null);
    let listed = items.iter().find(|item| item["id"] == id.as_str()).unwrap();
    assert_eq!(listed["status"], "ACTIVE");
    assert!(listed["lastUsedAt"].is_string(), "the key has been used");

    // Revoked: refused at once by this face, by its tokens and by Cloud Conformity.
    let reply = app.delete(&format!("/api/v1/api-keys/{id}"), &bearer).await;
    assert_eq!(reply.status, 204, "{:?}", reply.body);
    assert_problem(&app.get(&own, &key_bearer).await, 401, REVOKED);
    assert_problem(&app.get(&own, &token).await, 401, REVOKED);
    app.conformity("GET", conformity_keys, &key, None)
        .await
        .assert_conformity_error(403, "The API key is not valid", None);
    let list = list_keys(&app, &bearer, owner).await;
    let listed = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(listed["status"], "REVOKED");
    // The audit log names the caller (its API key), never a secret.
    for kind in ["api_key.created", "api_key.revoked"] {
        let events = app
            .get(&format!("/api/v1/events?type={kind}"), &bearer)
            .await;
        assert_eq!(events.status, 200, "{:?}", events.body);
        let event = &events.body["items"][0];
        assert_eq!(event["data"]["id"], id.as_str(), "{kind}");
        assert!(event["actor"]["apiKeyId"].is_string(), "{kind}: {event}");
        assert!(!events.body.to_string().contains(&key));
    }
    // Revoking again changes nothing; the caller's own key still works.
    let reply = app.delete(&format!("/api/v1/api-keys/{id}"), &bearer).await;
    assert_eq!(reply.status, 204);
    assert_eq!(app.get(&own, &bearer).await.status, 200);
}

#[tokio::test]
async fn an_owner_manages_a_members_keys_and_the_member_none() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Member Root").await;
    let member = native_user(
        &app,
        &bearer,
        &boot.organization_id,
        "member@member-root.test",
        "Member",
    )
    .await;
    let created = create_key(&app, &bearer, &member).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let member_bearer = format!("Bearer {}", created.body["key"].as_str().unwrap());
    let key_id = created.body["id"].as_str().unwrap().to_owned();
    // The Member reads itself with its key, but manages no credential, not even its own.
    assert_eq!(
        app.get(&format!("/api/v1/users/{member}"), &member_bearer)
            .await
            .status,
        200
    );
    let no_user = format!("No user with id '{member}'");
    assert_problem(
        &list_keys(&app, &member_bearer, &member).await,
        404,
        &no_user,
    );
    assert_problem(
        &create_key(&app, &member_bearer, &member).await,
        404,
        &no_user,
    );
    let no_owner = format!("No user with id '{}'", boot.user_id);
    assert_problem(
        &rotate(&app, &member_bearer, &boot.user_id).await,
        404,
        &no_owner,
    );
    let reply = app
        .delete(&format!("/api/v1/api-keys/{key_id}"), &member_bearer)
        .await;
    assert_problem(&reply, 404, &format!("No API key with id '{key_id}'"));
    // A Member has no secret key to be given.
    assert_problem(
        &rotate(&app, &bearer, &member).await,
        403,
        &format!("User '{member}' is not an Owner"),
    );
    // The Owner revokes the Member's key.
    let reply = app
        .delete(&format!("/api/v1/api-keys/{key_id}"), &bearer)
        .await;
    assert_eq!(reply.status, 204);
    assert_problem(
        &app.get(&format!("/api/v1/users/{member}"), &member_bearer)
            .await,
        401,
        REVOKED,
    );
}

#[tokio::test]
async fn a_rotated_secret_key_refuses_the_old_one_and_ends_its_tokens() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Secret Root").await;
    let old_token = app.owner_token(&boot).await;
    assert_eq!(app.get("/xponent/org", &old_token).await.status, 200);
    let reply = rotate(&app, &bearer, &boot.user_id).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.headers["cache-control"], "no-store");
    assert_eq!(reply.body["userId"], boot.user_id.as_str());
    let secret = reply.body["secretKey"].as_str().unwrap().to_owned();
    assert_ne!(secret, boot.secret_key);
    // The old key proves nothing now, and its token has ended.
    xponent_token_reply(&app, &boot.user_id, &boot.secret_key)
        .await
        .assert_xponent_error(401, "Unauthorized - Hash does not match");
    assert_eq!(app.get("/xponent/org", &old_token).await.status, 401);
    let new_token = app.owner_token_for(&boot.user_id, &secret).await;
    assert_eq!(app.get("/xponent/org", &new_token).await.status, 200);
    // The secret is never shown again: not in the user, not in the audit log.
    let user = app
        .get(&format!("/api/v1/users/{}", boot.user_id), &bearer)
        .await;
    assert!(!user.body.to_string().contains(&secret));
    let events = app.get("/api/v1/events", &bearer).await;
    assert_eq!(events.status, 200);
    assert!(!events.body.to_string().contains(&secret));
}

#[tokio::test]
async fn each_documented_refusal_has_its_status_and_words() {
    let app = TestApp::spawn_with_quotas(Quotas {
        api_keys: 2,
        ..Quotas::default()
    })
    .await;
    let (boot, bearer) = native_root(&app, "Refusing Root").await;
    let owner = &boot.user_id;
    let paths = [
        ("POST", format!("/api/v1/users/{owner}/api-keys")),
        ("GET", format!("/api/v1/users/{owner}/api-keys")),
        ("POST", format!("/api/v1/users/{owner}/secret-key")),
        ("DELETE", format!("/api/v1/api-keys/{}", unknown_id())),
    ];
    // No credential, a bad one.
    for (method, path) in &paths {
        let reply = app.send(method, path, None, None).await;
        assert_problem(
            &reply,
            401,
            "The request needs an Authorization header: Bearer and a token or API key",
        );
        let reply = app.send(method, path, Some("Bearer nope"), None).await;
        assert_problem(&reply, 401, REVOKED);
    }
    // Ids that are not UUIDs.
    for (method, path, param) in [
        ("POST", "/api/v1/users/nope/api-keys", "user_id"),
        ("GET", "/api/v1/users/nope/api-keys", "user_id"),
        ("POST", "/api/v1/users/nope/secret-key", "user_id"),
        ("DELETE", "/api/v1/api-keys/nope", "key_id"),
    ] {
        let reply = app.send(method, path, Some(&bearer), None).await;
        assert_problem(
            &reply,
            400,
            &format!("The parameter '{param}' is not a UUID"),
        );
    }
    // Unknown ids.
    let unknown = unknown_id();
    let no_user = format!("No user with id '{unknown}'");
    assert_problem(&create_key(&app, &bearer, &unknown).await, 404, &no_user);
    assert_problem(&list_keys(&app, &bearer, &unknown).await, 404, &no_user);
    assert_problem(&rotate(&app, &bearer, &unknown).await, 404, &no_user);
    let reply = app
        .delete(&format!("/api/v1/api-keys/{unknown}"), &bearer)
        .await;
    assert_problem(&reply, 404, &format!("No API key with id '{unknown}'"));

    // A fellow Owner of the caller's organization is beyond its reach.
    let fellow = native_user(
        &app,
        &bearer,
        &boot.organization_id,
        "fellow@refusing-root.test",
        "Owner",
    )
    .await;
    let out_of_reach =
        format!("User '{fellow}' is beyond the caller's reach: a fellow Owner, or a partner");
    assert_problem(
        &create_key(&app, &bearer, &fellow).await,
        403,
        &out_of_reach,
    );
    assert_problem(&list_keys(&app, &bearer, &fellow).await, 403, &out_of_reach);
    assert_problem(&rotate(&app, &bearer, &fellow).await, 403, &out_of_reach);
    let fellow_key = app
        .services
        .create_api_key(&orghub::domain::PublicId::parse(&fellow).unwrap())
        .await
        .unwrap();
    let reply = app
        .delete(
            &format!("/api/v1/api-keys/{}", fellow_key.record.public_id),
            &bearer,
        )
        .await;
    assert_problem(&reply, 403, &out_of_reach);

    // The tree holds two keys now (the bootstrap key and the fellow's): at its quota.
    assert_problem(
        &create_key(&app, &bearer, owner).await,
        403,
        "The organization tree has reached its limit of 2 API keys",
    );

    // Another tree's caller learns nothing of this one's users and keys.
    let (_, other) = native_root(&app, "Sibling Root").await;
    let no_owner = format!("No user with id '{owner}'");
    assert_problem(&create_key(&app, &other, owner).await, 404, &no_owner);
    assert_problem(&list_keys(&app, &other, owner).await, 404, &no_owner);
    assert_problem(&rotate(&app, &other, owner).await, 404, &no_owner);
    let boot_key = list_keys(&app, &bearer, owner).await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = app
        .delete(&format!("/api/v1/api-keys/{boot_key}"), &other)
        .await;
    assert_problem(&reply, 404, &format!("No API key with id '{boot_key}'"));
    assert_eq!(app.get("/api/v1/events", &bearer).await.status, 200);
}

/// A retried key creation with the same `Idempotency-Key` makes no second key: the replay is
/// the first answer with its secret null (the secret is never kept).
#[tokio::test]
async fn an_idempotent_retry_makes_no_second_key_and_replays_no_secret() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Acme").await;
    let path = format!("/api/v1/users/{}/api-keys", boot.user_id);
    let headers = [
        ("Authorization", bearer.as_str()),
        ("Idempotency-Key", "key-once"),
    ];
    let first = app.send_with_headers("POST", &path, &headers, None).await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert!(
        first.body["key"]
            .as_str()
            .is_some_and(|key| key.len() == 64)
    );
    let again = app.send_with_headers("POST", &path, &headers, None).await;
    assert_eq!(again.status, 201, "{:?}", again.body);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.body["key"], Value::Null);
    let listed = list_keys(&app, &bearer, &boot.user_id).await.body["items"]
        .as_array()
        .unwrap()
        .len();
    // The bootstrap key and the one made here.
    assert_eq!(listed, 2);

    let path = format!("/api/v1/users/{}/secret-key", boot.user_id);
    let headers = [
        ("Authorization", bearer.as_str()),
        ("Idempotency-Key", "rotate-once"),
    ];
    let first = app.send_with_headers("POST", &path, &headers, None).await;
    assert!(first.body["secretKey"].is_string(), "{:?}", first.body);
    let again = app.send_with_headers("POST", &path, &headers, None).await;
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body["secretKey"], Value::Null);
}

#[tokio::test]
async fn api_keys_are_listed_a_page_at_a_time_in_creation_order() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Paged Keys").await;
    let owner = boot.user_id.as_str();
    for _ in 0..2 {
        assert_eq!(create_key(&app, &bearer, owner).await.status, 201);
    }
    let all = list_keys(&app, &bearer, owner).await;
    let all: Vec<Value> = all.body["items"].as_array().unwrap().to_vec();
    assert!(all.len() >= 3, "{all:?}");
    let mut listed = Vec::new();
    let mut path = format!("/api/v1/users/{owner}/api-keys?limit=1");
    loop {
        let page = app.get(&path, &bearer).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
        listed.extend(page.body["items"].as_array().unwrap().iter().cloned());
        match page.body["next"].as_str() {
            Some(next) => path = format!("/api/v1/users/{owner}/api-keys?limit=1&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(listed, all);
    let refused = app
        .get(
            &format!("/api/v1/users/{owner}/api-keys?cursor=nonsense"),
            &bearer,
        )
        .await;
    assert_problem(
        &refused,
        400,
        "The parameter 'cursor' is not a cursor of this list",
    );
}
