//! `Idempotency-Key` on the native API's POSTs: one answer per key and request, replayed;
//! another request under the key refused; keys scoped to their caller.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};
use crate::native::{assert_problem, native_root};

async fn post_with_key(app: &TestApp, bearer: &str, key: &str, body: &Value) -> Reply {
    app.send_with_headers(
        "POST",
        "/api/v1/orgs",
        &[
            ("Authorization", bearer),
            ("Content-Type", "application/json"),
            ("Idempotency-Key", key),
        ],
        Some(&body.to_string()),
    )
    .await
}

async fn children(app: &TestApp, bearer: &str, org: &str) -> Vec<Value> {
    let reply = app
        .get(&format!("/api/v1/orgs/{org}/children"), bearer)
        .await;
    reply.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_retry_with_the_same_key_and_body_gets_the_first_answer_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let root = boot.organization_id.as_str();
    let first = post_with_key(
        &app,
        &bearer,
        "key-1",
        &json!({ "name": "Once", "parentId": root }),
    )
    .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert!(first.headers.get("idempotent-replayed").is_none());
    // The same members in another order are the same request.
    let retry = app
        .send_with_headers(
            "POST",
            "/api/v1/orgs",
            &[
                ("Authorization", &bearer),
                ("Content-Type", "application/json"),
                ("Idempotency-Key", "key-1"),
            ],
            Some(&format!(r#"{{ "parentId": "{root}", "name": "Once" }}"#)),
        )
        .await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.body, first.body);
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(retry.headers["location"], first.headers["location"]);
    assert_eq!(retry.headers["etag"], first.headers["etag"]);
    // Without `parentId` the body is another one, though it means the same parent.
    let other = post_with_key(&app, &bearer, "key-1", &json!({ "name": "Once" })).await;
    assert_eq!(other.status, 422);
    assert_eq!(children(&app, &bearer, root).await.len(), 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_a_422_problem() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    post_with_key(&app, &bearer, "key-2", &json!({ "name": "First" })).await;
    let reply = post_with_key(&app, &bearer, "key-2", &json!({ "name": "Second" })).await;
    assert_problem(
        &reply,
        422,
        "This Idempotency-Key was used with another request: use a new key",
    );
    assert_eq!(
        reply.body["type"],
        "urn:orghub:problem:idempotency-key-reused"
    );
    let names: Vec<Value> = children(&app, &bearer, &boot.organization_id)
        .await
        .iter()
        .map(|o| o["name"].clone())
        .collect();
    assert_eq!(names, [json!("First")]);
}

#[tokio::test]
async fn a_refusal_is_kept_too_and_keys_belong_to_their_caller() {
    let app = TestApp::spawn().await;
    let (_, bearer) = native_root(&app, "Root").await;
    let (_, other) = native_root(&app, "Other").await;
    post_with_key(&app, &bearer, "taken", &json!({ "name": "Twin" })).await;
    // A 409 answered under a key is that key's answer.
    let conflict = post_with_key(&app, &bearer, "key-3", &json!({ "name": "Twin" })).await;
    assert_eq!(conflict.status, 409);
    let replayed = post_with_key(&app, &bearer, "key-3", &json!({ "name": "Twin" })).await;
    assert_eq!(replayed.status, 409);
    assert_eq!(replayed.headers["idempotent-replayed"], "true");
    assert_eq!(replayed.headers["content-type"], "application/problem+json");
    // Another tenant's caller with the same key has a key of its own.
    let theirs = post_with_key(&app, &other, "taken", &json!({ "name": "Twin" })).await;
    assert_eq!(theirs.status, 201, "{:?}", theirs.body);
    assert!(theirs.headers.get("idempotent-replayed").is_none());
}

#[tokio::test]
async fn a_key_that_is_not_visible_ascii_or_too_long_is_refused() {
    let app = TestApp::spawn().await;
    let (_, bearer) = native_root(&app, "Root").await;
    for key in ["has space", &"k".repeat(256)] {
        let reply = post_with_key(&app, &bearer, key, &json!({ "name": "X" })).await;
        assert_problem(
            &reply,
            400,
            "The parameter 'Idempotency-Key' must be 1 to 255 visible ASCII characters",
        );
    }
}

#[tokio::test]
async fn concurrent_requests_with_one_key_create_one_organization() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let body = json!({ "name": "Raced" });
    let replies =
        futures::future::join_all((0..6).map(|_| post_with_key(&app, &bearer, "raced", &body)))
            .await;
    for reply in &replies {
        assert!(
            [201, 409].contains(&reply.status.as_u16()),
            "{:?}",
            reply.body
        );
        if reply.status == 409 {
            assert_eq!(
                reply.body["type"],
                "urn:orghub:problem:idempotency-key-in-use"
            );
        }
    }
    assert_eq!(
        children(&app, &bearer, &boot.organization_id).await.len(),
        1
    );
}
