//! The native API's Cloud Conformity accounts and external ids: a temporary external id, an
//! account registered with it (which makes it the organization's), listed a page at a time,
//! read and deleted; each documented refusal; and another tree's caller refused.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, unknown_id};
use crate::native::{assert_problem, native_org, native_root};

const ROLE_ARN: &str = "arn:aws:iam::223334445555:role/CloudConformity";

fn account(name: &str, external_id: &str) -> Value {
    json!({
        "name": name, "environment": "production", "tags": ["eu"],
        "roleArn": ROLE_ARN, "externalId": external_id
    })
}

/// Registers an account of the caller's organization with `external_id`.
async fn register(app: &TestApp, bearer: &str, name: &str, external_id: &str) -> Reply {
    app.post(
        "/api/v1/cloud-accounts",
        bearer,
        &account(name, external_id),
    )
    .await
}

async fn temporary(app: &TestApp, bearer: &str) -> String {
    let reply = app
        .send("POST", "/api/v1/external-ids", Some(bearer), None)
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    assert!(reply.body["validUntil"].is_string());
    reply.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_account_is_registered_with_a_temporary_external_id_listed_read_and_deleted() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    assert_problem(
        &app.get("/api/v1/external-id", &bearer).await,
        404,
        "The organization has no external id yet: it has one once its first cloud account is registered",
    );
    let external_id = temporary(&app, &bearer).await;
    let reply = register(&app, &bearer, "Prod", &external_id).await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    let id = reply.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/cloud-accounts/{id}");
    assert_eq!(reply.headers["location"], path.as_str());
    assert_eq!(reply.body["orgId"], boot.organization_id.as_str());
    assert_eq!(reply.body["awsAccountId"], "223334445555");
    assert_eq!(reply.body["externalId"], external_id.as_str());
    assert_eq!(reply.body["tags"], json!(["eu"]));

    let singleton = app.get("/api/v1/external-id", &bearer).await;
    assert_eq!(singleton.status, 200);
    assert_eq!(singleton.body["id"], external_id.as_str());
    let second = register(&app, &bearer, "Dev", &external_id).await;
    assert_eq!(second.status, 201, "{:?}", second.body);

    let page = app.get("/api/v1/cloud-accounts?limit=1", &bearer).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body["items"][0]["id"], id.as_str());
    let next = page.body["next"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/v1/cloud-accounts?limit=1&cursor={next}"),
            &bearer,
        )
        .await;
    assert_eq!(rest.body["items"][0]["name"], "Dev");
    assert_eq!(rest.body["next"], Value::Null);

    let read = app.get(&path, &bearer).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["name"], "Prod");
    assert!(read.headers.contains_key("etag"));
    assert_eq!(app.delete(&path, &bearer).await.status, 204);
    let gone = format!("No cloud account with id '{id}'");
    assert_problem(&app.get(&path, &bearer).await, 404, &gone);
    assert_problem(&app.delete(&path, &bearer).await, 404, &gone);
}

#[tokio::test]
async fn a_bad_account_is_a_422_problem() {
    let app = TestApp::spawn().await;
    let (_, bearer) = native_root(&app, "Root").await;
    let external_id = temporary(&app, &bearer).await;
    let mut body = account("Prod", &external_id);
    body["roleArn"] = json!("arn:nope");
    let reply = app.post("/api/v1/cloud-accounts", &bearer, &body).await;
    assert_problem(
        &reply,
        422,
        "The field at '/roleArn' 'arn:nope' is not a role ARN",
    );
    let other = unknown_id();
    let reply = app
        .post("/api/v1/cloud-accounts", &bearer, &account("Prod", &other))
        .await;
    assert_problem(
        &reply,
        422,
        &format!(
            "The field at '/externalId' '{other}' is not a current external id of the organization"
        ),
    );
    let reply = register(&app, &bearer, " ", &external_id).await;
    assert_problem(&reply, 422, "The field at '/name' must not be blank");
    let reply = app
        .post(
            "/api/v1/cloud-accounts",
            &bearer,
            &json!({ "name": "Prod" }),
        )
        .await;
    assert_problem(&reply, 422, "The field at '/environment' is required");
    let reply = app
        .send("POST", "/api/v1/cloud-accounts", Some(&bearer), Some("{"))
        .await;
    assert_problem(&reply, 400, "The request body is not JSON");
}

#[tokio::test]
async fn bad_ids_pages_and_credentials_are_refused() {
    let app = TestApp::spawn().await;
    let (_, bearer) = native_root(&app, "Root").await;
    let reply = app.get("/api/v1/cloud-accounts/nope", &bearer).await;
    assert_problem(&reply, 400, "The parameter 'account_id' is not a UUID");
    let reply = app.delete("/api/v1/cloud-accounts/nope", &bearer).await;
    assert_problem(&reply, 400, "The parameter 'account_id' is not a UUID");
    let reply = app.get("/api/v1/cloud-accounts?limit=1001", &bearer).await;
    assert_problem(&reply, 400, "The parameter 'limit' must be from 1 to 1000");
    let reply = app.get("/api/v1/cloud-accounts?cursor=x", &bearer).await;
    assert_problem(
        &reply,
        400,
        "The parameter 'cursor' is not a cursor of this list",
    );
    for (method, path) in [
        ("GET", "/api/v1/cloud-accounts"),
        ("POST", "/api/v1/cloud-accounts"),
        ("GET", "/api/v1/external-id"),
        ("POST", "/api/v1/external-ids"),
    ] {
        let reply = app.send(method, path, None, None).await;
        assert_problem(
            &reply,
            401,
            "The request needs an Authorization header: Bearer and a token or API key",
        );
    }
    let reply = app
        .send(
            "GET",
            &format!("/api/v1/cloud-accounts/{}", unknown_id()),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn another_trees_caller_gets_404() {
    let app = TestApp::spawn().await;
    let (_, bearer) = native_root(&app, "Victim").await;
    let external_id = temporary(&app, &bearer).await;
    let made = register(&app, &bearer, "VICTIM", &external_id).await;
    let id = made.body["id"].as_str().unwrap();
    let path = format!("/api/v1/cloud-accounts/{id}");
    let (_, intruder) = native_root(&app, "Intruder").await;
    let gone = format!("No cloud account with id '{id}'");
    assert_problem(&app.get(&path, &intruder).await, 404, &gone);
    assert_problem(&app.delete(&path, &intruder).await, 404, &gone);
    let list = app.get("/api/v1/cloud-accounts", &intruder).await;
    assert_eq!(list.body["items"], json!([]));
    // The victim's external id does not register the intruder's account.
    let reply = register(&app, &intruder, "Pwn", &external_id).await;
    assert_eq!(reply.status, 422);
    assert_problem(
        &app.get("/api/v1/external-id", &intruder).await,
        404,
        "The organization has no external id yet: it has one once its first cloud account is registered",
    );
    assert_eq!(app.get(&path, &bearer).await.status, 200);
}

#[tokio::test]
async fn a_member_reads_but_does_not_administer_the_accounts() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let external_id = temporary(&app, &bearer).await;
    let made = register(&app, &bearer, "Prod", &external_id).await;
    let path = format!(
        "/api/v1/cloud-accounts/{}",
        made.body["id"].as_str().unwrap()
    );
    let owner_token = app.owner_token(&boot).await;
    let (_, key) = app
        .user_with_key(
            &owner_token,
            &boot.organization_id,
            "mo@root.test",
            "Member",
        )
        .await;
    let member = format!("Bearer {key}");
    assert_eq!(app.get(&path, &member).await.status, 200);
    let refused = "Only an Owner administers the organization's cloud accounts";
    assert_problem(&app.delete(&path, &member).await, 404, refused);
    let reply = app
        .send("POST", "/api/v1/external-ids", Some(&member), None)
        .await;
    assert_problem(&reply, 404, refused);
    let reply = register(&app, &member, "Mine", &external_id).await;
    assert_problem(&reply, 404, refused);
    assert_eq!(app.get(&path, &bearer).await.status, 200);
}

#[tokio::test]
async fn an_account_is_created_once_under_its_idempotency_key() {
    let app = TestApp::spawn().await;
    let (_, bearer) = native_root(&app, "Root").await;
    let external_id = temporary(&app, &bearer).await;
    let send = |body: Value| {
        let bearer = bearer.clone();
        let app = &app;
        async move {
            app.send_with_headers(
                "POST",
                "/api/v1/cloud-accounts",
                &[
                    ("Authorization", &bearer),
                    ("Content-Type", "application/json"),
                    ("Idempotency-Key", "account-1"),
                ],
                Some(&body.to_string()),
            )
            .await
        }
    };
    let first = send(account("Prod", &external_id)).await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    let again = send(account("Prod", &external_id)).await;
    assert_eq!(again.body["id"], first.body["id"]);
    let reused = send(account("Dev", &external_id)).await;
    assert_problem(
        &reused,
        422,
        "This Idempotency-Key was used with another request: use a new key",
    );
    let list = app.get("/api/v1/cloud-accounts", &bearer).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}

/// A parent reaches the accounts and external ids of the organizations below its own:
/// `orgId` names the organization; an account is read and deleted by its id.
#[tokio::test]
async fn a_parent_manages_a_child_organizations_accounts() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let child = native_org(&app, &bearer, "Child", &boot.organization_id).await;
    let child = child["id"].as_str().unwrap();
    let temporary = app
        .send(
            "POST",
            &format!("/api/v1/external-ids?orgId={child}"),
            Some(&bearer),
            None,
        )
        .await;
    assert_eq!(temporary.status, 201, "{:?}", temporary.body);
    let external_id = temporary.body["id"].as_str().unwrap();
    let mut body = account("Child prod", external_id);
    body["orgId"] = json!(child);
    let made = app.post("/api/v1/cloud-accounts", &bearer, &body).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!(made.body["orgId"], child);
    let id = made.body["id"].as_str().unwrap();
    // The child's temporary id does not register an account of the parent.
    let reply = register(&app, &bearer, "Root", external_id).await;
    assert_eq!(reply.status, 422, "{:?}", reply.body);

    let list = app
        .get(&format!("/api/v1/cloud-accounts?orgId={child}"), &bearer)
        .await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    assert_eq!(list.body["items"][0]["id"], id);
    let own = app.get("/api/v1/cloud-accounts", &bearer).await;
    assert_eq!(own.body["items"], json!([]));
    let singleton = app
        .get(&format!("/api/v1/external-id?orgId={child}"), &bearer)
        .await;
    assert_eq!(singleton.body["id"], external_id);
    assert_eq!(app.get("/api/v1/external-id", &bearer).await.status, 404);

    let path = format!("/api/v1/cloud-accounts/{id}");
    let read = app.get(&path, &bearer).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["name"], "Child prod");
    assert_eq!(app.delete(&path, &bearer).await.status, 204);
    assert_problem(
        &app.get(&path, &bearer).await,
        404,
        &format!("No cloud account with id '{id}'"),
    );
}

/// Another tree's caller, and a child's caller looking up, reach neither the accounts nor
/// the external ids of an organization outside their subtree: 404, and no data.
#[tokio::test]
async fn an_organization_outside_the_callers_subtree_is_not_found() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Victim").await;
    let root = boot.organization_id.as_str();
    let child = native_org(&app, &bearer, "Child", root).await;
    let child = child["id"].as_str().unwrap();
    let external_id = temporary(&app, &bearer).await;
    let made = register(&app, &bearer, "VICTIM", &external_id).await;
    let id = made.body["id"].as_str().unwrap();
    let owner_token = app.owner_token(&boot).await;
    let (_, key) = app
        .user_with_key(&owner_token, child, "owner@child.test", "Owner")
        .await;
    let (_, intruder) = native_root(&app, "Intruder").await;
    let child_owner = format!("Bearer {key}");
    for caller in [&intruder, &child_owner] {
        let no_org = format!("No organization with id '{root}'");
        let list = app
            .get(&format!("/api/v1/cloud-accounts?orgId={root}"), caller)
            .await;
        assert_problem(&list, 404, &no_org);
        let singleton = app
            .get(&format!("/api/v1/external-id?orgId={root}"), caller)
            .await;
        assert_problem(&singleton, 404, &no_org);
        let temporary = app
            .send(
                "POST",
                &format!("/api/v1/external-ids?orgId={root}"),
                Some(caller),
                None,
            )
            .await;
        assert_problem(&temporary, 404, &no_org);
        let mut body = account("Pwn", &external_id);
        body["orgId"] = json!(root);
        let reply = app.post("/api/v1/cloud-accounts", caller, &body).await;
        assert_problem(&reply, 404, &no_org);
        let path = format!("/api/v1/cloud-accounts/{id}");
        let gone = format!("No cloud account with id '{id}'");
        assert_problem(&app.get(&path, caller).await, 404, &gone);
        assert_problem(&app.delete(&path, caller).await, 404, &gone);
    }
    let list = app.get("/api/v1/cloud-accounts", &bearer).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
}
