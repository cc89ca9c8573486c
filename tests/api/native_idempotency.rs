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

const IN_USE: &str = "A request with this Idempotency-Key is still being answered: retry later";
const REUSED: &str = "This Idempotency-Key was used with another request: use a new key";

/// A UUID that tells requests apart by `variant`.
fn uuid_for(variant: u8) -> String {
    format!("00000000-0000-4000-8000-0000000000{variant:02}")
}

/// `template` (`/orgs/{org_id}/hooks`) with a UUID in place of each parameter.
fn fill_path(template: &str, variant: u8) -> String {
    let mut path = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = open + rest[open..].find('}').expect("a closed path parameter");
        path.push_str(&rest[..open]);
        path.push_str(&uuid_for(variant));
        rest = &rest[close + 1..];
    }
    path.push_str(rest);
    format!("/api/v1{path}")
}

/// A value that fits `schema` of the OpenAPI document `doc`, with only the required members
/// of objects; strings and UUIDs differ by `variant`.
fn example(doc: &Value, schema: &Value, variant: u8) -> Value {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return example(doc, &doc["components"]["schemas"][name], variant);
    }
    if let Some(parts) = schema["allOf"].as_array() {
        let mut merged = serde_json::Map::new();
        for part in parts {
            if let Value::Object(members) = example(doc, part, variant) {
                merged.extend(members);
            }
        }
        return Value::Object(merged);
    }
    if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let option = options.iter().find(|o| o["type"] != "null");
        return option.map_or(Value::Null, |o| example(doc, o, variant));
    }
    if let Some(first) = schema["enum"].as_array().and_then(|values| values.first()) {
        return first.clone();
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds.iter().find(|k| *k != "null").cloned(),
        other => Some(other.clone()),
    };
    match kind.as_ref().and_then(Value::as_str) {
        Some("object") => {
            let required = schema["required"].as_array().cloned().unwrap_or_default();
            let members = required.iter().filter_map(Value::as_str).map(|name| {
                let value = example(doc, &schema["properties"][name], variant);
                (name.to_owned(), value)
            });
            Value::Object(members.collect())
        }
        Some("array") => json!([]),
        Some("string") if schema["format"] == "uuid" => json!(uuid_for(variant)),
        Some("string") => json!(format!("value {variant}")),
        Some("integer" | "number") => json!(1),
        Some("boolean") => json!(false),
        _ => Value::Null,
    }
}

/// One POST of the OpenAPI document, as a request of `variant`: its path and JSON body.
/// Variant 2 gives the query parameters too (the first leaves them out), so that a request
/// with neither a path parameter nor a body has another request as well.
fn request(doc: &Value, path: &str, operation: &Value, variant: u8) -> (String, Option<String>) {
    let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    let body = (!schema.is_null()).then(|| example(doc, schema, variant).to_string());
    let mut uri = fill_path(path, variant);
    let parameters = operation["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let query: Vec<String> = parameters
        .iter()
        .filter(|p| variant == 2 && p["in"] == "query")
        .map(|p| {
            let value = example(doc, &p["schema"], variant);
            format!(
                "{}={}",
                p["name"].as_str().unwrap(),
                value.as_str().unwrap()
            )
        })
        .collect();
    if !query.is_empty() {
        uri = format!("{uri}?{}", query.join("&"));
    }
    (uri, body)
}

fn takes_a_key(operation: &Value) -> bool {
    let parameters = operation["parameters"].as_array();
    parameters.is_some_and(|all| all.iter().any(|p| p["name"] == "Idempotency-Key"))
}

/// For every POST of the document, a key whose first request is still being answered is a
/// 409, and another request under it a 422. The first request is answered (whatever its
/// status: answers below 500 are kept), then its row is made to look unanswered again, as
/// it is while its request runs.
#[tokio::test]
async fn every_post_answers_409_while_its_keys_first_request_is_in_flight() {
    let app = TestApp::spawn().await;
    let (_, bearer) = native_root(&app, "Root").await;
    let doc = app
        .send("GET", "/api/v1/openapi.json", None, None)
        .await
        .body;
    let posts: Vec<(&String, &Value)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(path, item)| Some((path, item.get("post")?)))
        .collect();
    let mut covered = 0;
    for (path, operation) in posts {
        // The OAuth endpoints (RFC 6749, 7662, 7009) take form bodies and no key: a token's
        // answer holds a secret never kept, and introspection and revocation are idempotent
        // by nature.
        if path.starts_with("/oauth/") {
            assert!(!takes_a_key(operation), "{path}");
            continue;
        }
        assert!(takes_a_key(operation), "{path} takes no Idempotency-Key");
        let name = operation["operationId"].as_str().unwrap();
        let key = format!("in-flight-{name}");
        let headers = [
            ("Authorization", bearer.as_str()),
            ("Content-Type", "application/json"),
            ("Idempotency-Key", key.as_str()),
        ];
        let (uri, body) = request(&doc, path, operation, 1);
        let send = |uri: String, body: Option<String>| {
            let headers = &headers;
            let app = &app;
            async move {
                app.send_with_headers("POST", &uri, headers, body.as_deref())
                    .await
            }
        };
        let first = send(uri.clone(), body.clone()).await;
        assert!(
            first.status.as_u16() < 500 && first.status != 409,
            "{path}: {} {:?}",
            first.status,
            first.body
        );
        app.raw_execute(&format!(
            "UPDATE idempotency_keys SET status = NULL, headers = NULL, body = NULL \
             WHERE idem_key = '{key}'"
        ))
        .await;
        let again = send(uri.clone(), body.clone()).await;
        assert_eq!(again.status, 409, "{path}: {:?}", again.body);
        assert_problem(&again, 409, IN_USE);
        assert_eq!(
            again.body["type"],
            "urn:orghub:problem:idempotency-key-in-use"
        );
        let (other_uri, other_body) = request(&doc, path, operation, 2);
        assert_ne!((&other_uri, &other_body), (&uri, &body), "{path}");
        let other = send(other_uri, other_body).await;
        assert_eq!(other.status, 422, "{path}: {:?}", other.body);
        assert_problem(&other, 422, REUSED);
        covered += 1;
    }
    // The document lists the routes: an empty walk would prove nothing.
    assert!(covered >= 10, "{covered} POST operations");
}
