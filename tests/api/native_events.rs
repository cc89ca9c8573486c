//! The native API's audit log: the events of the caller's subtree, newest first, filtered by
//! organization, type, actor and time, a cursor page at a time.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::native::{assert_problem, native_org, native_root};

fn types(reply: &Value) -> Vec<String> {
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_audit_log_lists_the_subtrees_changes_newest_first_with_filters() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let a = native_org(&app, &bearer, "A", &boot.organization_id).await;
    let a_id = a["id"].as_str().unwrap();
    let reply = app
        .send_with_headers(
            "PATCH",
            &format!("/api/v1/orgs/{a_id}"),
            &[
                ("Authorization", &bearer),
                ("Content-Type", "application/json"),
            ],
            Some(r#"{"name":"A renamed"}"#),
        )
        .await;
    assert_eq!(reply.status, 200);
    let all = app.get("/api/v1/events", &bearer).await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    let listed = types(&all.body);
    assert_eq!(listed[0], "organization.updated");
    assert_eq!(listed[1], "organization.created");
    let event = &all.body["items"][0];
    assert_eq!(event["organizationId"], a_id);
    assert_eq!(event["data"]["name"], "A renamed");
    assert!(event["actor"]["apiKeyId"].is_string());

    let created = app
        .get("/api/v1/events?type=organization.created", &bearer)
        .await;
    assert!(
        types(&created.body)
            .iter()
            .all(|t| t == "organization.created")
    );
    let of_a = app
        .get(&format!("/api/v1/events?orgId={a_id}"), &bearer)
        .await;
    assert_eq!(
        types(&of_a.body),
        ["organization.updated", "organization.created"]
    );
    let key = event["actor"]["apiKeyId"].as_str().unwrap();
    let by_key = app
        .get(&format!("/api/v1/events?actor={key}"), &bearer)
        .await;
    assert_eq!(by_key.body["items"].as_array().unwrap().len(), 2);
    let later = app
        .get("/api/v1/events?since=2999-01-01T00:00:00Z", &bearer)
        .await;
    assert_eq!(later.body["items"], json!([]));
    let earlier = app
        .get("/api/v1/events?until=2000-01-01T00:00:00Z", &bearer)
        .await;
    assert_eq!(earlier.body["items"], json!([]));
    // One a page, newest first, none twice.
    let first = app.get("/api/v1/events?limit=1", &bearer).await;
    let next = first.body["next"].as_str().unwrap();
    let second = app
        .get(&format!("/api/v1/events?limit=1&cursor={next}"), &bearer)
        .await;
    assert_eq!(second.body["items"][0]["id"], all.body["items"][1]["id"]);
}

#[tokio::test]
async fn a_bad_filter_is_a_400_problem_naming_it() {
    let app = TestApp::spawn().await;
    let (_, bearer) = native_root(&app, "Root").await;
    let reply = app
        .get("/api/v1/events?type=nothing.happened", &bearer)
        .await;
    assert_problem(&reply, 400, "The parameter 'type' is not an event type");
    let reply = app.get("/api/v1/events?since=yesterday", &bearer).await;
    assert_problem(&reply, 400, "The parameter 'since' is not an RFC 3339 time");
    let reply = app.get("/api/v1/events?actor=me", &bearer).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["errors"][0]["parameter"], "actor");
}

#[tokio::test]
async fn another_trees_events_are_not_listed() {
    let app = TestApp::spawn().await;
    let (victim, victim_bearer) = native_root(&app, "Victim").await;
    let (_, intruder) = native_root(&app, "Intruder").await;
    native_org(&app, &victim_bearer, "Secret", &victim.organization_id).await;
    // The intruder's own tree's events only: its bootstrap, by the operator.
    let reply = app.get("/api/v1/events", &intruder).await;
    for event in reply.body["items"].as_array().unwrap() {
        assert_eq!(event["actor"]["kind"], "operator");
        assert!(!event.to_string().contains(&victim.organization_id));
    }
    let reply = app
        .get(
            &format!("/api/v1/events?orgId={}", victim.organization_id),
            &intruder,
        )
        .await;
    assert_problem(
        &reply,
        404,
        &format!("No organization with id '{}'", victim.organization_id),
    );
}

#[tokio::test]
async fn a_child_organizations_caller_sees_no_id_above_its_organization() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let child = native_org(&app, &bearer, "Child", &boot.organization_id).await;
    let child_id = child["id"].as_str().unwrap();
    let reply = app
        .post(
            "/api/v1/users",
            &bearer,
            &json!({ "orgId": child_id, "name": "Mia", "email": "mia@child.test", "role": "Owner" }),
        )
        .await;
    let mia = reply.body["id"].as_str().unwrap().to_owned();
    let key = app
        .services
        .create_api_key(&orghub::domain::PublicId::parse(&mia).unwrap())
        .await
        .unwrap()
        .key;
    let mia_bearer = format!("Bearer {key}");
    let reply = app.get("/api/v1/events", &mia_bearer).await;
    assert_eq!(reply.status, 200);
    let text = reply.body.to_string();
    assert!(text.contains("organization.created"));
    assert!(!text.contains(&boot.organization_id), "{text}");
    assert!(!text.contains(&boot.user_id), "{text}");
    let event = &reply.body["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(event["actor"]["outsideScope"], true);
    let own = app
        .get(&format!("/api/v1/orgs/{child_id}"), &mia_bearer)
        .await;
    assert_eq!(own.body["parentId"], Value::Null);
}
