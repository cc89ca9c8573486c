//! The native API's hooks: create (the secret shown once), list, read, enable and disable,
//! delete, the delivery log, and a replay.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};
use crate::native::{
    STALE, assert_problem, exactly_one_of_concurrent_changes, native_org, native_root, patch,
};
use crate::receiver::Receiver;
use orghub::hooks::HookSettings;

async fn spawn() -> TestApp {
    TestApp::spawn_with_hooks(HookSettings {
        allow_private: true,
        poll: Duration::from_millis(100),
        ..HookSettings::default()
    })
    .await
}

async fn create(app: &TestApp, bearer: &str, org: &str, body: &Value, key: Option<&str>) -> Reply {
    let mut headers = vec![
        ("Authorization", bearer),
        ("Content-Type", "application/json"),
    ];
    if let Some(key) = key {
        headers.push(("Idempotency-Key", key));
    }
    app.send_with_headers(
        "POST",
        &format!("/api/v1/orgs/{org}/hooks"),
        &headers,
        Some(&body.to_string()),
    )
    .await
}

#[tokio::test]
async fn a_hook_is_created_with_its_secret_once_then_read_disabled_and_deleted() {
    let app = spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let org = boot.organization_id.as_str();
    let body = json!({ "url": "https://hooks.example/in", "types": ["organization.created"] });
    let reply = create(&app, &bearer, org, &body, Some("hook-1")).await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    assert!(reply.body["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(reply.body["types"], json!(["organization.created"]));
    assert_eq!(reply.body["enabled"], true);
    let id = reply.body["id"].as_str().unwrap().to_owned();
    // A replay under the key answers the same hook, without its secret: it is not kept.
    let again = create(&app, &bearer, org, &body, Some("hook-1")).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["id"], id.as_str());
    assert_eq!(again.body["secret"], Value::Null);

    let path = format!("/api/v1/hooks/{id}");
    let read = app.get(&path, &bearer).await;
    assert_eq!(read.status, 200);
    assert!(read.body.get("secret").is_none());
    assert_eq!(read.body["url"], "https://hooks.example/in");
    let list = app.get(&format!("/api/v1/orgs/{org}/hooks"), &bearer).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["next"], Value::Null);
    let off = app
        .send_with_headers(
            "PATCH",
            &path,
            &[
                ("Authorization", &bearer),
                ("Content-Type", "application/json"),
            ],
            Some(r#"{"enabled":false}"#),
        )
        .await;
    assert_eq!(off.body["enabled"], false);
    assert_eq!(app.delete(&path, &bearer).await.status, 204);
    let reply = app.get(&path, &bearer).await;
    assert_problem(&reply, 404, &format!("No hook with id '{id}'"));
}

#[tokio::test]
async fn a_bad_url_or_type_is_a_422_problem() {
    let app = spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let org = boot.organization_id.as_str();
    let reply = create(&app, &bearer, org, &json!({ "url": "ftp://x" }), None).await;
    assert_problem(&reply, 422, "The field at '/url' must be http or https");
    let reply = create(
        &app,
        &bearer,
        org,
        &json!({ "url": "https://x.example", "types": ["no.such"] }),
        None,
    )
    .await;
    assert_problem(
        &reply,
        422,
        "The field at '/types' 'no.such' is not an event type",
    );
}

#[tokio::test]
async fn deliveries_are_logged_and_one_is_replayed() {
    let app = spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let mut receiver = Receiver::start().await;
    let reply = create(
        &app,
        &bearer,
        &boot.organization_id,
        &json!({ "url": receiver.url(), "types": ["organization.created"], "includeDescendants": true }),
        None,
    )
    .await;
    let hook = reply.body["id"].as_str().unwrap().to_owned();
    native_org(&app, &bearer, "Child", &boot.organization_id).await;
    let first = receiver.expect().await.json();
    let event = first["id"].as_str().unwrap().to_owned();
    let log_path = format!("/api/v1/hooks/{hook}/deliveries");
    let mut log = app.get(&log_path, &bearer).await;
    for _ in 0..50 {
        if !log.body["items"].as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        log = app.get(&log_path, &bearer).await;
    }
    assert_eq!(log.body["items"][0]["eventId"], event.as_str());
    assert_eq!(log.body["items"][0]["succeeded"], true);
    let replay = app
        .post(
            &format!("/api/v1/hooks/{hook}/replay"),
            &bearer,
            &json!({ "eventId": event }),
        )
        .await;
    assert_eq!(replay.status, 202, "{:?}", replay.body);
    assert_eq!(receiver.expect().await.json()["id"], event.as_str());
    let unknown = crate::helpers::unknown_id();
    let reply = app
        .post(
            &format!("/api/v1/hooks/{hook}/replay"),
            &bearer,
            &json!({ "eventId": unknown }),
        )
        .await;
    assert_problem(
        &reply,
        404,
        &format!("Hook '{hook}' has no delivery of event '{unknown}'"),
    );
}

#[tokio::test]
async fn another_trees_hooks_are_out_of_reach_and_a_member_manages_none() {
    let app = spawn().await;
    let (victim, victim_bearer) = native_root(&app, "Victim").await;
    let (_, intruder) = native_root(&app, "Intruder").await;
    let org = victim.organization_id.as_str();
    let reply = create(
        &app,
        &victim_bearer,
        org,
        &json!({ "url": "https://v.example/h" }),
        None,
    )
    .await;
    let hook = reply.body["id"].as_str().unwrap().to_owned();
    let reply = create(
        &app,
        &intruder,
        org,
        &json!({ "url": "https://evil.example/h" }),
        None,
    )
    .await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        app.get(&format!("/api/v1/orgs/{org}/hooks"), &intruder)
            .await
            .status,
        404
    );
    for path in [
        format!("/api/v1/hooks/{hook}"),
        format!("/api/v1/hooks/{hook}/deliveries"),
    ] {
        assert_eq!(app.get(&path, &intruder).await.status, 404);
    }
    assert_eq!(
        app.delete(&format!("/api/v1/hooks/{hook}"), &intruder)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/v1/hooks/{hook}"), &victim_bearer)
            .await
            .status,
        200
    );
}

/// The tag is compared inside the change's transaction, on the locked hook: of many clients
/// that read the same version and change it at once, exactly one wins; a deletion from that
/// read is refused after it.
#[tokio::test]
async fn of_concurrent_changes_from_one_read_exactly_one_is_made() {
    let app = spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    // A type no test event has: no delivery changes the hook (its `failingSince`) meanwhile.
    let body = json!({ "url": "https://hooks.example/in", "types": ["organization.deleted"] });
    let made = create(&app, &bearer, &boot.organization_id, &body, None).await;
    let path = format!("/api/v1/hooks/{}", made.body["id"].as_str().unwrap());
    exactly_one_of_concurrent_changes(&app, &path, &bearer, |_| json!({ "enabled": false })).await;
}

#[tokio::test]
async fn a_change_with_a_stale_etag_is_refused_and_changes_nothing() {
    let app = spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    // A type no test event has: no delivery changes the hook (its `failingSince`) meanwhile.
    let body = json!({ "url": "https://hooks.example/in", "types": ["organization.deleted"] });
    let made = create(&app, &bearer, &boot.organization_id, &body, None).await;
    let path = format!("/api/v1/hooks/{}", made.body["id"].as_str().unwrap());
    let etag = app.get(&path, &bearer).await.headers["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let off = patch(&app, &path, &bearer, None, &json!({ "enabled": false })).await;
    assert_eq!(off.status, 200, "{:?}", off.body);
    let stale = patch(
        &app,
        &path,
        &bearer,
        Some(&etag),
        &json!({ "enabled": true }),
    )
    .await;
    assert_problem(&stale, 412, STALE);
    assert_eq!(app.get(&path, &bearer).await.body["enabled"], false);
}

#[tokio::test]
async fn hooks_are_listed_a_page_at_a_time_in_creation_order() {
    let app = spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let org = boot.organization_id.as_str();
    let mut made = Vec::new();
    for n in 0..3 {
        let body = json!({ "url": format!("https://hooks.example/{n}"), "types": ["organization.deleted"] });
        let reply = create(&app, &bearer, org, &body, None).await;
        made.push(reply.body["id"].clone());
    }
    let mut listed = Vec::new();
    let mut path = format!("/api/v1/orgs/{org}/hooks?limit=2");
    loop {
        let page = app.get(&path, &bearer).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        listed.extend(
            page.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["id"].clone()),
        );
        match page.body["next"].as_str() {
            Some(next) => path = format!("/api/v1/orgs/{org}/hooks?limit=2&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(listed, made);
    let refused = app
        .get(&format!("/api/v1/orgs/{org}/hooks?limit=0"), &bearer)
        .await;
    assert_problem(
        &refused,
        400,
        "The parameter 'limit' must be from 1 to 1000",
    );
}
