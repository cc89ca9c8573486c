//! What a server caches (the actor of a token, the owner a `POST /token` names, a small
//! subtree) is dropped on the next request after a change made by any process sharing the
//! database: a second server, or an operator command. Every server here keeps its cached
//! reads for an hour, so a refusal cannot come from an entry that happened to expire.
//!
//! On SQLite the next request asks the file itself; on PostgreSQL the change is heard by a
//! notification, a moment after the commit: the tests wait until it is (`until_change_heard`,
//! which returns at once on SQLite), never for a cache to expire.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::cli::{request_owner_token, secret_key_from_the_cli};
use crate::helpers::{OWNER_PASSWORD, TestApp};

const LASTING: Duration = Duration::from_secs(3600);

/// Two servers on one database, a root on it, and an owner token.
async fn two_servers() -> (TestApp, TestApp, orghub::service::Bootstrap, String) {
    let first = TestApp::spawn_with_read_cache(LASTING).await;
    let second = first.spawn_beside().await;
    let (boot, token) = first.root_with_token().await;
    (first, second, boot, token)
}

/// A user of the root, with a password, and its Surfsight token.
async fn user_with_token(
    app: &TestApp,
    boot: &orghub::service::Bootstrap,
    token: &str,
    role: &str,
) -> (String, String) {
    user_of_org_with_token(app, &boot.organization_id, token, role).await
}

/// A user of organization `org`, with a password, and its Surfsight token.
async fn user_of_org_with_token(
    app: &TestApp,
    org: &str,
    token: &str,
    role: &str,
) -> (String, String) {
    let email = format!("{}-user@root.test", role.to_lowercase());
    let user = app
        .post(
            &format!("/xponent/user/org/{org}"),
            token,
            &json!([{ "name": role, "email": email, "role": role, "password": OWNER_PASSWORD }]),
        )
        .await
        .xponent_items("users")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (user_token, _) = app.surfsight_sign_in(&email, OWNER_PASSWORD).await;
    (user, user_token)
}

#[tokio::test]
async fn a_user_deleted_through_one_server_is_refused_at_once_by_the_other() {
    let (first, second, boot, token) = two_servers().await;
    let (user, user_token) = user_with_token(&first, &boot, &token, "Member").await;
    // The second server caches the token's actor.
    for _ in 0..2 {
        second
            .get("/xponent/org", &user_token)
            .await
            .xponent_items("organizations");
    }
    let before = second.services.store().changes();
    first
        .delete(&format!("/xponent/user/{user}"), &token)
        .await
        .xponent_items("users");
    second.until_change_heard(before).await;
    second
        .get("/xponent/org", &user_token)
        .await
        .assert_xponent_error(401, "Unauthorized - Token is not valid");
    second.stop().await;
    first.stop().await;
}

#[tokio::test]
async fn a_role_taken_away_through_one_server_counts_at_once_on_the_other() {
    let (first, second, _, token) = two_servers().await;
    // An Owner of a child organization: the root's Owner administers it (a fellow Owner of
    // the root's own organization it may not).
    let below = first.create_org(&token, "Below", None).await;
    let (user, user_token) = user_of_org_with_token(&first, &below, &token, "Owner").await;
    let child = second
        .create_org(&user_token, "Made by an Owner", None)
        .await;
    // Cached after that write, so that only the change made on the first server can drop it.
    for _ in 0..2 {
        second
            .get("/xponent/org", &user_token)
            .await
            .xponent_items("organizations");
    }
    let heard = second.services.store().changes();
    first
        .put(
            &format!("/xponent/user/{user}"),
            &token,
            &json!({ "role": "Member" }),
        )
        .await
        .xponent_items("users");
    second.until_change_heard(heard).await;
    second
        .put(
            &format!("/xponent/org/{child}"),
            &user_token,
            &json!({ "name": "Renamed" }),
        )
        .await
        .assert_xponent_error(403, "Invalid user admin permissions for this organization");
    second.stop().await;
    first.stop().await;
}

#[tokio::test]
async fn an_organization_created_through_one_server_is_listed_at_once_by_the_other() {
    let (first, second, _, token) = two_servers().await;
    let before = second
        .get("/xponent/org", &token)
        .await
        .xponent_items("organizations");
    assert_eq!(before.len(), 1);
    let heard = second.services.store().changes();
    first.create_org(&token, "Seen everywhere", None).await;
    second.until_change_heard(heard).await;
    let after = second
        .get("/xponent/org", &token)
        .await
        .xponent_items("organizations");
    assert_eq!(after.len(), 2, "{after:?}");
    second.stop().await;
    first.stop().await;
}

/// The owner a `POST /token` names is cached with its key: a key rotated by the CLI (another
/// process) makes the old one fail at once, cached or not.
#[tokio::test]
async fn a_key_rotated_by_the_cli_refuses_the_old_one_at_once() {
    let app = TestApp::spawn_with_read_cache(LASTING).await;
    let (boot, _) = app.root_with_token().await;
    // Cached by a request it let through.
    request_owner_token(&app, &boot.user_id, &boot.secret_key)
        .await
        .xponent_items("tokens");
    let heard = app.services.store().changes();
    secret_key_from_the_cli(&app, &boot.user_id);
    app.until_change_heard(heard).await;
    request_owner_token(&app, &boot.user_id, &boot.secret_key)
        .await
        .assert_xponent_error(401, "Unauthorized - Hash does not match");
    app.stop().await;
}

/// A revoked API key is refused at once (keys are not cached), and a token of a user deleted
/// meanwhile is refused by every server.
#[tokio::test]
async fn the_cli_and_a_second_server_agree_on_a_revocation() {
    let (first, second, boot, token) = two_servers().await;
    let key = boot.api_key.clone();
    let keys = second
        .conformity("GET", "/api-keys", &key, None)
        .await
        .conformity_data();
    let key_id = keys[0]["id"].as_str().unwrap().to_owned();
    let heard = second.services.store().changes();
    let output = crate::cli::orghub(&first, &["api-key", "revoke", &key_id]);
    second.until_change_heard(heard).await;
    assert!(output.status.success(), "{}", crate::cli::stderr(&output));
    for app in [&first, &second] {
        app.conformity("GET", "/api-keys", &key, None)
            .await
            .assert_conformity_error(403, "The API key is not valid", None);
        assert_eq!(app.get("/xponent/org", &token).await.status, StatusCode::OK);
    }
    second.stop().await;
    first.stop().await;
}

/// A cached subtree's organizations are rendered to JSON once and shared by every request:
/// the answers from the cache are the first answer, the caller's own
/// organization still without its parent; a rename is listed at once.
#[tokio::test]
async fn a_cached_subtree_lists_as_it_was_read_and_changes_at_once() {
    let app = TestApp::spawn_with_read_cache(LASTING).await;
    let (boot, token) = app.root_with_token().await;
    let child = app
        .create_org(&token, "Child", Some(&boot.organization_id))
        .await;
    let grandchild = app.create_org(&token, "Grandchild", Some(&child)).await;
    let (_, child_token) = user_of_org_with_token(&app, &child, &token, "Owner").await;

    let first = app.get("/xponent/org", &child_token).await.body;
    let cached = app.get("/xponent/org", &child_token).await.body;
    assert_eq!(cached, first);
    let orgs = app
        .get("/xponent/org", &child_token)
        .await
        .xponent_items("organizations");
    assert_eq!(orgs.len(), 2, "{orgs:?}");
    assert_eq!(orgs[0]["id"], child.as_str());
    assert_eq!(orgs[0]["parentId"], serde_json::Value::Null);
    assert_eq!(orgs[1]["parentId"], child.as_str());
    // The root's own list shows the child with its parent.
    let from_root = app
        .get("/xponent/org", &token)
        .await
        .xponent_items("organizations");
    let listed_child = from_root.iter().find(|org| org["id"] == child.as_str());
    assert_eq!(
        listed_child.unwrap()["parentId"],
        boot.organization_id.as_str()
    );

    app.put(
        &format!("/xponent/org/{grandchild}"),
        &token,
        &json!({ "name": "Renamed" }),
    )
    .await
    .xponent_items("organizations");
    let renamed = app
        .get("/xponent/org", &child_token)
        .await
        .xponent_items("organizations");
    assert_eq!(renamed[1]["name"], "Renamed");
    app.stop().await;
}
