//! The native API's conventions (`/api/v1`): problem details, bearer credentials, the OpenAPI
//! document and its reference page. The resources have modules of their own (`native_*`).

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, unknown_id};
use orghub::service::Bootstrap;

/// A root organization, and `Bearer <its owner's API key>`.
pub async fn native_root(app: &TestApp, name: &str) -> (Bootstrap, String) {
    let email = format!("owner@{}.test", name.to_lowercase().replace(' ', "-"));
    let boot = app.bootstrap(name, &email).await;
    let bearer = format!("Bearer {}", boot.api_key);
    (boot, bearer)
}

/// Creates an organization through the native API; returns its JSON.
pub async fn native_org(app: &TestApp, bearer: &str, name: &str, parent: &str) -> Value {
    let reply = app
        .post(
            "/api/v1/orgs",
            bearer,
            &json!({ "name": name, "parentId": parent }),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body
}

/// Asserts a problem+json answer: its status, `detail`, and the pointer of its first error.
#[track_caller]
pub fn assert_problem(reply: &Reply, status: u16, detail: &str) {
    assert_eq!(reply.status.as_u16(), status, "status of {:?}", reply.body);
    assert_eq!(
        reply.headers["content-type"], "application/problem+json",
        "{:?}",
        reply.body
    );
    assert_eq!(reply.body["status"], status);
    assert_eq!(reply.body["detail"], detail, "{:?}", reply.body);
    assert!(reply.body["type"].is_string() && reply.body["title"].is_string());
}

#[tokio::test]
async fn an_organization_is_read_with_its_etag() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Native Root").await;
    let reply = app
        .get(&format!("/api/v1/orgs/{}", boot.organization_id), &bearer)
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["id"], boot.organization_id.as_str());
    assert_eq!(reply.body["name"], "Native Root");
    assert_eq!(reply.body["parentId"], Value::Null);
    let etag = reply.headers["etag"].to_str().unwrap();
    assert!(etag.starts_with('"') && etag.ends_with('"'));
}

#[tokio::test]
async fn no_credential_or_a_bad_one_is_a_401_problem_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    let (boot, _) = native_root(&app, "Native Root").await;
    let path = format!("/api/v1/orgs/{}", boot.organization_id);
    let reply = app.send("GET", &path, None, None).await;
    assert_problem(
        &reply,
        401,
        "The request needs an Authorization header: Bearer and a token or API key",
    );
    assert_eq!(
        reply.headers["www-authenticate"],
        r#"Bearer realm="orghub""#
    );
    assert_eq!(reply.body["instance"], path.as_str());
    let reply = app.get(&path, "Bearer not-a-token").await;
    assert_problem(
        &reply,
        401,
        "The bearer credential is unknown, expired or revoked",
    );
    assert_eq!(
        reply.headers["www-authenticate"],
        r#"Bearer realm="orghub", error="invalid_token""#
    );
    // The key in another scheme is not read.
    let reply = app.get(&path, &format!("ApiKey {}", boot.api_key)).await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn an_owner_token_of_another_face_is_a_bearer_credential_too() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let reply = app
        .get(
            &format!("/api/v1/orgs/{}", boot.organization_id),
            &format!("Bearer {token}"),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
}

#[tokio::test]
async fn a_bad_id_an_unknown_id_an_unknown_route_and_a_wrong_method_are_problems() {
    let app = TestApp::spawn().await;
    let (_, bearer) = native_root(&app, "Native Root").await;
    let reply = app.get("/api/v1/orgs/nope", &bearer).await;
    assert_problem(&reply, 400, "The parameter 'org_id' is not a UUID");
    assert_eq!(reply.body["errors"][0]["parameter"], "org_id");
    let unknown = unknown_id();
    let reply = app.get(&format!("/api/v1/orgs/{unknown}"), &bearer).await;
    assert_problem(&reply, 404, &format!("No organization with id '{unknown}'"));
    let reply = app.get("/api/v1/nothing-here", &bearer).await;
    assert_problem(&reply, 404, "No route has this path");
    assert_eq!(reply.body["instance"], "/api/v1/nothing-here");
    let reply = app.send("PUT", "/api/v1/orgs", Some(&bearer), None).await;
    assert_problem(&reply, 405, "The route does not take this method");
}

#[tokio::test]
async fn the_openapi_document_and_its_reference_page_are_served_without_a_credential() {
    let app = TestApp::spawn().await;
    let reply = app.send("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["openapi"], "3.1.0");
    assert_eq!(
        reply.body["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let operations: Vec<&Value> = reply.body["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .collect();
    assert!(operations.len() >= 7);
    for operation in operations {
        assert!(operation["operationId"].is_string(), "{operation}");
        assert!(operation["summary"].is_string(), "{operation}");
        assert!(operation["responses"]["401"].is_object(), "{operation}");
    }
    let page = app
        .client
        .get(app.url("/api/v1/docs"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("/api/v1/docs/scalar.js") && html.contains("\"openapi\":\"3.1.0\""));
    assert!(
        !html.contains("cdn."),
        "the page loads nothing from elsewhere"
    );
    let script = app
        .client
        .get(app.url("/api/v1/docs/scalar.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert!(script.bytes().await.unwrap().len() > 100_000);
}

/// A `PATCH` with a JSON body, and `If-Match` when given.
pub async fn patch(
    app: &TestApp,
    path: &str,
    bearer: &str,
    if_match: Option<&str>,
    body: &Value,
) -> Reply {
    let mut headers = vec![
        ("Authorization", bearer),
        ("Content-Type", "application/json"),
    ];
    if let Some(tag) = if_match {
        headers.push(("If-Match", tag));
    }
    app.send_with_headers("PATCH", path, &headers, Some(&body.to_string()))
        .await
}

/// The problem detail of a change refused for a stale `If-Match`.
pub const STALE: &str =
    "The resource has changed since it was read (If-Match does not match its ETag): read it again";

/// Sixteen PATCHes of `path`, each with its own `body(i)`, all from one read: exactly one is
/// made and the others are refused as stale; the record then reads as that one change made
/// it, a DELETE with the old tag is refused, and one with the current tag is made.
pub async fn exactly_one_of_concurrent_changes(
    app: &TestApp,
    path: &str,
    bearer: &str,
    body: impl Fn(usize) -> Value,
) {
    let tag = app.get(path, bearer).await.headers["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let changes = (0..16).map(|i| {
        let (tag, body) = (&tag, body(i));
        async move { patch(app, path, bearer, Some(tag), &body).await }
    });
    let replies = futures::future::join_all(changes).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    let made: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
    assert_eq!(made.len(), 1, "{statuses:?}");
    for reply in replies.iter().filter(|r| r.status != 200) {
        assert_problem(reply, 412, STALE);
    }
    let read = app.get(path, bearer).await;
    assert_eq!(read.body, made[0].body);
    let delete_if = |tag: String| async move {
        app.send_with_headers(
            "DELETE",
            path,
            &[("Authorization", bearer), ("If-Match", &tag)],
            None,
        )
        .await
    };
    assert_problem(&delete_if(tag.clone()).await, 412, STALE);
    let current = read.headers["etag"].to_str().unwrap().to_owned();
    assert_eq!(delete_if(current).await.status, 204);
}
