//! The native API's templates, projects and connections: a template created and listed (the
//! global templates of an ancestor too), a project made from it with its connections, filled
//! in, renamed and deleted; each documented refusal; and another tree's caller refused.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, unknown_id};
use crate::native::{
    assert_problem, exactly_one_of_concurrent_changes, native_org, native_root, patch,
};

/// A template of `org` with a database and an email connection; returns its id.
async fn template(app: &TestApp, bearer: &str, org: &str, global: bool) -> String {
    let reply = app
        .post(
            &format!("/api/v1/orgs/{org}/templates"),
            bearer,
            &json!({
                "name": "Pipeline",
                "type": "etl",
                "global": global,
                "graphs": { "nodes": [] },
                "connections": [
                    { "name": "warehouse", "type": "database" },
                    { "name": "alerts", "type": "email" }
                ]
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn project(app: &TestApp, bearer: &str, org: &str, body: &Value) -> Reply {
    app.post(&format!("/api/v1/orgs/{org}/projects"), bearer, body)
        .await
}

#[tokio::test]
async fn a_template_is_created_and_listed_with_an_ancestors_global_ones_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let root = boot.organization_id.as_str();
    let child = native_org(&app, &bearer, "Child", root).await;
    let child = child["id"].as_str().unwrap();
    let global = template(&app, &bearer, root, true).await;
    let _private = template(&app, &bearer, root, false).await;
    let own = template(&app, &bearer, child, false).await;

    let list = app
        .get(&format!("/api/v1/orgs/{child}/templates?limit=1"), &bearer)
        .await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    assert_eq!(list.body["items"][0]["id"], global.as_str());
    assert_eq!(list.body["items"][0]["type"], "etl");
    assert_eq!(list.body["items"][0]["global"], true);
    let next = list.body["next"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/v1/orgs/{child}/templates?limit=1&cursor={next}"),
            &bearer,
        )
        .await;
    assert_eq!(rest.body["items"][0]["id"], own.as_str());
    assert_eq!(rest.body["next"], Value::Null);
    let all = app
        .get(&format!("/api/v1/orgs/{root}/templates"), &bearer)
        .await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_bad_template_is_a_422_problem() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let path = format!("/api/v1/orgs/{}/templates", boot.organization_id);
    let reply = app
        .post(&path, &bearer, &json!({ "name": " ", "type": "etl" }))
        .await;
    assert_problem(
        &reply,
        422,
        "The field at '/name' must be a non-empty string",
    );
    let reply = app
        .post(
            &path,
            &bearer,
            &json!({ "name": "T", "type": "etl", "connections": [{ "name": "c", "type": "fax" }] }),
        )
        .await;
    assert_problem(
        &reply,
        422,
        "The field at '/type' 'fax' is not a connection type",
    );
    let reply = app.post(&path, &bearer, &json!({ "name": "T" })).await;
    assert_problem(&reply, 422, "The field at '/type' is required");
    let reply = app
        .send("POST", &path, Some(&bearer), Some("{not json"))
        .await;
    assert_problem(&reply, 400, "The request body is not JSON");
}

#[tokio::test]
async fn a_project_is_made_from_a_template_filled_in_renamed_and_deleted() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let org = boot.organization_id.as_str();
    let template_id = template(&app, &bearer, org, false).await;
    let reply = project(
        &app,
        &bearer,
        org,
        &json!({ "name": "Ingest", "description": "nightly", "templateId": template_id }),
    )
    .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    let id = reply.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/projects/{id}");
    assert_eq!(reply.headers["location"], path.as_str());
    assert_eq!(reply.body["templateId"], template_id.as_str());
    let connections = reply.body["connections"].as_array().unwrap().clone();
    assert_eq!(connections.len(), 2);
    assert_eq!(connections[0]["name"], "warehouse");
    assert_eq!(connections[0]["type"], "database");
    let database = connections[0]["id"].as_str().unwrap();

    let empty = project(
        &app,
        &bearer,
        org,
        &json!({ "name": "Scratch", "description": "tries" }),
    )
    .await;
    assert_eq!(empty.status, 201);
    assert_eq!(empty.body["connections"], json!([]));
    assert_eq!(empty.body["templateId"], Value::Null);
    let list = app
        .get(&format!("/api/v1/orgs/{org}/projects?limit=1"), &bearer)
        .await;
    assert_eq!(list.body["items"][0]["id"], id.as_str());
    let next = list.body["next"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/v1/orgs/{org}/projects?limit=1&cursor={next}"),
            &bearer,
        )
        .await;
    assert_eq!(rest.body["items"][0]["name"], "Scratch");
    assert_eq!(rest.body["next"], Value::Null);

    let details = json!({
        "type": "database", "username": "etl", "password": "s3cret", "hostname": "db.test",
        "port": 5432, "database": "warehouse"
    });
    let reply = app
        .put(&format!("{path}/connections/{database}"), &bearer, &details)
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body, connections[0]);
    assert!(!reply.body.to_string().contains("s3cret"));

    let read = app.get(&path, &bearer).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["connections"], json!(connections));
    let etag = read.headers["etag"].to_str().unwrap().to_owned();
    let renamed = patch(
        &app,
        &path,
        &bearer,
        Some(&etag),
        &json!({ "name": "Ingest 2" }),
    )
    .await;
    assert_eq!(renamed.status, 200, "{:?}", renamed.body);
    assert_eq!(renamed.body["name"], "Ingest 2");
    assert_eq!(renamed.body["description"], "nightly");
    let stale = patch(
        &app,
        &path,
        &bearer,
        Some(&etag),
        &json!({ "name": "Ingest 3" }),
    )
    .await;
    assert_problem(
        &stale,
        412,
        "The resource has changed since it was read (If-Match does not match its ETag): read it again",
    );
    let stale = app
        .send_with_headers(
            "DELETE",
            &path,
            &[("Authorization", &bearer), ("If-Match", &etag)],
            None,
        )
        .await;
    assert_eq!(stale.status, 412);

    assert_eq!(app.delete(&path, &bearer).await.status, 204);
    assert_problem(
        &app.get(&path, &bearer).await,
        404,
        &format!("No project with id '{id}'"),
    );
    assert_problem(
        &app.delete(&path, &bearer).await,
        404,
        &format!("No project with id '{id}'"),
    );
    let reply = patch(&app, &path, &bearer, None, &json!({ "name": "x" })).await;
    assert_problem(&reply, 404, &format!("No project with id '{id}'"));
}

#[tokio::test]
async fn connection_details_that_do_not_fit_their_model_are_a_422_problem() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let org = boot.organization_id.as_str();
    let template_id = template(&app, &bearer, org, false).await;
    let made = project(
        &app,
        &bearer,
        org,
        &json!({ "name": "Ingest", "description": "d", "templateId": template_id }),
    )
    .await;
    let id = made.body["id"].as_str().unwrap();
    let email = made.body["connections"][1]["id"].as_str().unwrap();
    let path = format!("/api/v1/projects/{id}/connections/{email}");

    let reply = app
        .put(&path, &bearer, &json!({ "type": "database" }))
        .await;
    assert_problem(
        &reply,
        422,
        "The field at '/type' 'database' is not the connection's type, 'email'",
    );
    let reply = app
        .put(&path, &bearer, &json!({ "type": "email", "username": "u" }))
        .await;
    assert_problem(&reply, 422, "The request has 3 invalid parts");
    assert_eq!(reply.body["errors"][0]["pointer"], "/password");
    assert_eq!(
        reply.body["errors"][0]["detail"],
        "is required for a email connection"
    );
    let reply = app
        .put(
            &path,
            &bearer,
            &json!({ "type": "email", "username": "u", "password": "p", "host": "h", "port": 0 }),
        )
        .await;
    assert_problem(
        &reply,
        422,
        "The field at '/port' must be an integer from 1 to 65535",
    );
    let reply = app.send("PUT", &path, Some(&bearer), Some("[1]")).await;
    assert_problem(&reply, 400, "The request body is not a JSON object");

    let other = unknown_id();
    let reply = app
        .put(
            &format!("/api/v1/projects/{id}/connections/{other}"),
            &bearer,
            &json!({ "type": "email" }),
        )
        .await;
    assert_problem(
        &reply,
        404,
        &format!("Project '{id}' has no connection with id '{other}'"),
    );
    let reply = app
        .put(
            &format!("/api/v1/projects/{id}/connections/nope"),
            &bearer,
            &json!({ "type": "email" }),
        )
        .await;
    assert_problem(&reply, 400, "The parameter 'connection_id' is not a UUID");
}

#[tokio::test]
async fn a_project_is_refused_a_template_it_may_not_use_or_that_does_not_exist() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let root = boot.organization_id.as_str();
    let child = native_org(&app, &bearer, "Child", root).await;
    let child = child["id"].as_str().unwrap();
    let private = template(&app, &bearer, root, false).await;
    let reply = project(
        &app,
        &bearer,
        child,
        &json!({ "name": "P", "description": "d", "templateId": private }),
    )
    .await;
    assert_problem(
        &reply,
        403,
        &format!("Template '{private}' may not be used in organization '{child}'"),
    );
    let missing = unknown_id();
    let reply = project(
        &app,
        &bearer,
        child,
        &json!({ "name": "P", "description": "d", "templateId": missing }),
    )
    .await;
    assert_problem(&reply, 404, &format!("No template with id '{missing}'"));
    let reply = project(
        &app,
        &bearer,
        child,
        &json!({ "name": "", "description": "d" }),
    )
    .await;
    assert_problem(&reply, 422, "The field at '/name' must not be blank");
    let reply = project(
        &app,
        &bearer,
        child,
        &json!({ "name": "P", "description": " " }),
    )
    .await;
    assert_problem(&reply, 422, "The field at '/description' must not be blank");
    let reply = project(&app, &bearer, child, &json!({ "name": "P" })).await;
    assert_problem(&reply, 422, "The field at '/description' is required");
    let reply = project(
        &app,
        &bearer,
        child,
        &json!({ "name": "P", "description": "d", "templateId": "x" }),
    )
    .await;
    assert_eq!(reply.status, 422, "{:?}", reply.body);
}

#[tokio::test]
async fn bad_ids_pages_and_credentials_are_refused() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let org = boot.organization_id.as_str();
    for list in ["templates", "projects"] {
        let reply = app
            .get(&format!("/api/v1/orgs/{org}/{list}?limit=0"), &bearer)
            .await;
        assert_problem(&reply, 400, "The parameter 'limit' must be from 1 to 1000");
        let reply = app
            .get(&format!("/api/v1/orgs/{org}/{list}?cursor=nope"), &bearer)
            .await;
        assert_problem(
            &reply,
            400,
            "The parameter 'cursor' is not a cursor of this list",
        );
        let reply = app
            .send("GET", &format!("/api/v1/orgs/{org}/{list}"), None, None)
            .await;
        assert_problem(
            &reply,
            401,
            "The request needs an Authorization header: Bearer and a token or API key",
        );
        let missing = unknown_id();
        let reply = app
            .get(&format!("/api/v1/orgs/{missing}/{list}"), &bearer)
            .await;
        assert_problem(&reply, 404, &format!("No organization with id '{missing}'"));
    }
    let reply = app.get("/api/v1/projects/nope", &bearer).await;
    assert_problem(&reply, 400, "The parameter 'project_id' is not a UUID");
    let reply = app
        .send(
            "GET",
            &format!("/api/v1/projects/{}", unknown_id()),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn another_trees_caller_gets_404() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Victim").await;
    let org = boot.organization_id.as_str();
    let template_id = template(&app, &bearer, org, true).await;
    let made = project(
        &app,
        &bearer,
        org,
        &json!({ "name": "VICTIM project", "description": "VICTIM plans", "templateId": template_id }),
    )
    .await;
    let id = made.body["id"].as_str().unwrap();
    let connection = made.body["connections"][0]["id"].as_str().unwrap();
    let (_, intruder) = native_root(&app, "Intruder").await;

    let no_org = format!("No organization with id '{org}'");
    let no_project = format!("No project with id '{id}'");
    let templates = format!("/api/v1/orgs/{org}/templates");
    let projects = format!("/api/v1/orgs/{org}/projects");
    let path = format!("/api/v1/projects/{id}");
    assert_problem(&app.get(&templates, &intruder).await, 404, &no_org);
    assert_problem(
        &app.post(&templates, &intruder, &json!({ "name": "X", "type": "x" }))
            .await,
        404,
        &no_org,
    );
    assert_problem(&app.get(&projects, &intruder).await, 404, &no_org);
    assert_problem(
        &app.post(
            &projects,
            &intruder,
            &json!({ "name": "X", "description": "x" }),
        )
        .await,
        404,
        &no_org,
    );
    assert_problem(&app.get(&path, &intruder).await, 404, &no_project);
    assert_problem(
        &patch(&app, &path, &intruder, None, &json!({ "name": "Pwned" })).await,
        404,
        &no_project,
    );
    assert_problem(&app.delete(&path, &intruder).await, 404, &no_project);
    assert_problem(
        &app.put(
            &format!("{path}/connections/{connection}"),
            &intruder,
            &json!({ "type": "database" }),
        )
        .await,
        404,
        &no_project,
    );
    // Nothing changed.
    let read = app.get(&path, &bearer).await;
    assert_eq!(read.body["name"], "VICTIM project");
}

#[tokio::test]
async fn a_create_is_replayed_under_its_idempotency_key_and_a_reused_key_is_a_422_problem() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let org = boot.organization_id.as_str();
    // One key per list: a key is the caller's, whatever the route.
    let send = |path: String, body: Value| {
        let bearer = bearer.clone();
        let key = format!("create-{}", path.rsplit('/').next().unwrap());
        let app = &app;
        async move {
            app.send_with_headers(
                "POST",
                &path,
                &[
                    ("Authorization", &bearer),
                    ("Content-Type", "application/json"),
                    ("Idempotency-Key", &key),
                ],
                Some(&body.to_string()),
            )
            .await
        }
    };
    for (list, body, other) in [
        (
            "templates",
            json!({ "name": "T", "type": "etl" }),
            json!({ "name": "U", "type": "etl" }),
        ),
        (
            "projects",
            json!({ "name": "P", "description": "d" }),
            json!({ "name": "Q", "description": "d" }),
        ),
    ] {
        let path = format!("/api/v1/orgs/{org}/{list}");
        let first = send(path.clone(), body.clone()).await;
        assert_eq!(first.status, 201, "{:?}", first.body);
        let again = send(path.clone(), body).await;
        assert_eq!(again.status, 201);
        assert_eq!(again.body["id"], first.body["id"]);
        let reused = send(path.clone(), other).await;
        assert_problem(
            &reused,
            422,
            "This Idempotency-Key was used with another request: use a new key",
        );
        let listed = app.get(&path, &bearer).await;
        assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_template_whose_graphs_cannot_be_copied_is_a_500_problem() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let org = boot.organization_id.as_str();
    let template_id = template(&app, &bearer, org, false).await;
    app.raw_execute(&format!(
        "UPDATE templates SET graphs = 'not json' WHERE public_id = '{template_id}'"
    ))
    .await;
    let reply = project(
        &app,
        &bearer,
        org,
        &json!({ "name": "P", "description": "d", "templateId": template_id }),
    )
    .await;
    assert_problem(
        &reply,
        500,
        &format!("A project could not be generated from template '{template_id}'"),
    );
}

/// The tag is compared inside the change's transaction, on the locked project: of many
/// clients that read the same version and rename it at once, exactly one wins; a deletion
/// from that read is refused after it.
#[tokio::test]
async fn of_concurrent_renames_from_one_read_exactly_one_is_made() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let org = boot.organization_id.as_str();
    let template = template(&app, &bearer, org, false).await;
    let made = project(
        &app,
        &bearer,
        org,
        &json!({ "name": "Before", "description": "d", "templateId": template }),
    )
    .await;
    let path = format!("/api/v1/projects/{}", made.body["id"].as_str().unwrap());
    exactly_one_of_concurrent_changes(
        &app,
        &path,
        &bearer,
        |i| json!({ "name": format!("Rename {i}") }),
    )
    .await;
}

/// A template the caller cannot see (another tree's, even a global one, or an ancestor's
/// private one) is refused as a missing one is: its existence is not told.
#[tokio::test]
async fn a_template_out_of_the_callers_reach_is_a_404_as_a_missing_one() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let root = boot.organization_id.as_str();
    let (other, other_bearer) = native_root(&app, "Other").await;
    let theirs = template(&app, &other_bearer, &other.organization_id, true).await;
    let private = template(&app, &bearer, root, false).await;
    let child = native_org(&app, &bearer, "Child", root).await;
    let child = child["id"].as_str().unwrap();
    let owner_token = app.owner_token(&boot).await;
    let (_, key) = app
        .user_with_key(&owner_token, child, "owner@child.test", "Owner")
        .await;
    let child_bearer = format!("Bearer {key}");
    for (caller, template_id) in [(&bearer, &theirs), (&child_bearer, &private)] {
        let reply = project(
            &app,
            caller,
            child,
            &json!({ "name": "P", "description": "d", "templateId": template_id }),
        )
        .await;
        assert_problem(&reply, 404, &format!("No template with id '{template_id}'"));
    }
    let list = app
        .get(&format!("/api/v1/orgs/{child}/projects"), &bearer)
        .await;
    assert_eq!(list.body["items"], json!([]));
}
