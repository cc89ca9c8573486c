//! The Xponent face's organization, template and project routes: success shapes and every
//! documented error, word for word.

use crate::helpers::{Reply, TestApp, unknown_id};
use orghub::domain::PublicId;
use orghub::service::TemplateImport;
use serde_json::{Value, json};

const TOKEN_NOT_VALID: &str = "Unauthorized - Token is not valid";
const MISSING_AUTH: &str = "Authorization must be included as a request header";
const ORG_FORBIDDEN: &str = "Invalid user admin permissions for this organization";
const PARENT_FORBIDDEN: &str = "Invalid user admin permissions for this parent organization";
const PROJECT_FORBIDDEN: &str = "Invalid user admin permissions for this project";
const DB_PASSWORD: &str = "pw-S3cr3t-database";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Root → Child → Grandchild, and Sibling under Root, created through the face.
struct Tree {
    root: String,
    token: String,
    child: String,
    grandchild: String,
    sibling: String,
}

async fn tree(app: &TestApp) -> Tree {
    let (boot, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    let grandchild = app.create_org(&token, "Grandchild", Some(&child)).await;
    let sibling = app.create_org(&token, "Sibling", None).await;
    Tree {
        root: boot.organization_id,
        token,
        child,
        grandchild,
        sibling,
    }
}

/// A second root organization (with a child org) and its owner's token.
struct OtherRoot {
    root: String,
    child: String,
    token: String,
}

async fn other_root(app: &TestApp) -> OtherRoot {
    let boot = app.bootstrap("Other", "owner@other.test").await;
    let token = app.owner_token(&boot).await;
    let child = app.create_org(&token, "Other Child", None).await;
    OtherRoot {
        root: boot.organization_id,
        child,
        token,
    }
}

/// Expects the Xponent error envelope; `what` names the case in a failure.
#[track_caller]
fn expect_error(reply: &Reply, status: u16, message: &str, what: &str) {
    assert_eq!(
        reply.status.as_u16(),
        status,
        "status for {what}: {:?}",
        reply.body
    );
    reply.assert_xponent_error(status, message);
}

/// Sends each raw body (None: no body at all) and expects the same Xponent error for all.
async fn expect_bodies(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    bodies: &[Option<&str>],
    status: u16,
    message: &str,
) {
    for body in bodies {
        let reply = app.send(method, path, Some(token), *body).await;
        expect_error(
            &reply,
            status,
            message,
            &format!("{method} {path} {body:?}"),
        );
    }
}

/// Imports a template into `org` (there is no HTTP route for it).
async fn template(
    app: &TestApp,
    org: &str,
    name: &str,
    global: bool,
    connections: Value,
) -> String {
    let import: TemplateImport = serde_json::from_value(json!({
        "name": name,
        "type": "integration",
        "graphs": { "nodes": [{ "id": "n1" }] },
        "connections": connections,
    }))
    .expect("a template import");
    app.services
        .import_template(&PublicId::parse(org).expect("an org id"), &import, global)
        .await
        .expect("the template imports")
}

async fn plain_template(app: &TestApp, org: &str, name: &str, global: bool) -> String {
    template(app, org, name, global, json!([])).await
}

/// A template with a database and a twitter connection.
async fn connected_template(app: &TestApp, org: &str) -> String {
    template(
        app,
        org,
        "Connected",
        false,
        json!([
            { "name": "Orders DB", "type": "database" },
            { "name": "Feed", "type": "twitter" },
        ]),
    )
    .await
}

fn org_url(org: &str) -> String {
    format!("/xponent/org/{org}")
}

fn templates_url(org: &str) -> String {
    format!("/xponent/org/{org}/templates")
}

fn projects_url(org: &str) -> String {
    format!("/xponent/project/org/{org}")
}

fn project_url(project: &str) -> String {
    format!("/xponent/project/{project}")
}

fn id_of(item: &Value) -> String {
    item["id"].as_str().expect("an id").to_owned()
}

async fn list_orgs(app: &TestApp, token: &str) -> Vec<Value> {
    app.get("/xponent/org", token)
        .await
        .xponent_items("organizations")
}

fn find<'a>(items: &'a [Value], id: &str) -> Option<&'a Value> {
    items.iter().find(|item| item["id"] == id)
}

fn sorted_ids(items: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = items.iter().map(id_of).collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<&str>) -> Vec<String> {
    ids.sort();
    ids.into_iter().map(str::to_owned).collect()
}

async fn list_projects(app: &TestApp, token: &str, org: &str) -> Vec<Value> {
    app.get(&projects_url(org), token)
        .await
        .xponent_items("projects")
}

async fn template_names(app: &TestApp, token: &str, org: &str) -> Vec<String> {
    let items = app
        .get(&templates_url(org), token)
        .await
        .xponent_items("templates");
    let mut names: Vec<String> = items
        .iter()
        .map(|t| t["name"].as_str().expect("a name").to_owned())
        .collect();
    names.sort();
    names
}

/// Creates a project through the face and returns the response's one item.
async fn create_project(app: &TestApp, token: &str, org: &str, body: Value) -> Value {
    let items = app
        .post(&projects_url(org), token, &body)
        .await
        .xponent_items("projects");
    assert_eq!(items.len(), 1);
    items[0].clone()
}

async fn new_project(app: &TestApp, token: &str, org: &str, name: &str) -> String {
    id_of(
        &create_project(
            app,
            token,
            org,
            json!({ "name": name, "description": "A project" }),
        )
        .await,
    )
}

/// A project of Child from a template with a database and a twitter connection; returns the
/// project id and the ids of its database and twitter connections.
async fn project_with_connections(app: &TestApp, t: &Tree) -> (String, String, String) {
    let template_id = connected_template(app, &t.child).await;
    let item = create_project(
        app,
        &t.token,
        &t.child,
        json!({ "name": "Wired", "description": "With connections", "templateId": template_id }),
    )
    .await;
    let connections = item["connections"].as_array().expect("connections").clone();
    (id_of(&item), id_of(&connections[0]), id_of(&connections[1]))
}

fn db_details(password: &str) -> Value {
    json!({
        "type": "database",
        "username": "app",
        "password": password,
        "hostname": "db.example",
        "port": 5432,
        "database": "orders",
    })
}

/// PUT /project/{id} expecting 200; returns the one project item.
async fn update_project(app: &TestApp, token: &str, project: &str, body: Value) -> Value {
    let items = app
        .put(&project_url(project), token, &body)
        .await
        .xponent_items("projects");
    assert_eq!(items.len(), 1);
    items[0].clone()
}

// ---------------------------------------------------------------------------------------
// Every route: authorization header, token, trailing slash, wrong method
// ---------------------------------------------------------------------------------------

/// (method, path, body) for every organization and project route, with well-formed ids.
fn every_route() -> Vec<(&'static str, String, Option<String>)> {
    let (org, project) = (unknown_id(), unknown_id());
    let org_body = json!({ "name": "Somewhere" }).to_string();
    let project_body = json!({ "name": "P", "description": "D" }).to_string();
    vec![
        ("GET", "/xponent/org".into(), None),
        ("POST", "/xponent/org".into(), Some(org_body.clone())),
        ("PUT", org_url(&org), Some(org_body)),
        ("DELETE", org_url(&org), None),
        ("GET", templates_url(&org), None),
        ("GET", projects_url(&org), None),
        ("POST", projects_url(&org), Some(project_body.clone())),
        ("PUT", project_url(&project), Some(project_body)),
        ("DELETE", project_url(&project), None),
    ]
}

#[tokio::test]
async fn missing_authorization_is_400_on_every_route() {
    let app = TestApp::spawn().await;
    app.root_with_token().await;
    for (method, path, body) in every_route() {
        let reply = app.send(method, &path, None, body.as_deref()).await;
        expect_error(&reply, 400, MISSING_AUTH, &format!("{method} {path}"));
    }
    app.stop().await;
}

#[tokio::test]
async fn invalid_token_is_401_on_every_route() {
    let app = TestApp::spawn().await;
    app.root_with_token().await;
    for (method, path, body) in every_route() {
        let reply = app
            .send(method, &path, Some("not-a-valid-token"), body.as_deref())
            .await;
        // PUT /project/{project_id} words its 401 with a closing period.
        let message = if method == "PUT" && path.starts_with("/xponent/project/") {
            format!("{TOKEN_NOT_VALID}.")
        } else {
            TOKEN_NOT_VALID.to_owned()
        };
        expect_error(&reply, 401, &message, &format!("{method} {path}"));
    }
    app.stop().await;
}

#[tokio::test]
async fn trailing_slash_reaches_the_org_routes() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let created = app
        .send(
            "POST",
            "/xponent/org/",
            Some(&token),
            Some(&json!({ "name": "Slashed" }).to_string()),
        )
        .await
        .xponent_items("organizations");
    assert_eq!(created[0]["name"], "Slashed");
    assert_eq!(created[0]["parentId"], boot.organization_id.as_str());
    let listed = app
        .get("/xponent/org/", &token)
        .await
        .xponent_items("organizations");
    assert_eq!(
        sorted_ids(&listed),
        sorted(vec![
            &boot.organization_id,
            created[0]["id"].as_str().unwrap()
        ])
    );
    app.stop().await;
}

#[tokio::test]
async fn wrong_method_is_405_in_the_envelope() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let reply = app
        .send("PATCH", "/xponent/org", Some(&token), Some("{}"))
        .await;
    reply.assert_xponent_error(405, "Method not allowed");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// GET /org
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_org_lists_own_org_and_descendants_at_any_depth() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let great = app
        .create_org(&t.token, "Great-grandchild", Some(&t.grandchild))
        .await;
    other_root(&app).await;

    let orgs = list_orgs(&app, &t.token).await;
    assert_eq!(
        sorted_ids(&orgs),
        sorted(vec![&t.root, &t.child, &t.grandchild, &t.sibling, &great])
    );
    let expect = [
        (&t.root, "Root", Value::Null),
        (&t.child, "Child", json!(t.root)),
        (&t.grandchild, "Grandchild", json!(t.child)),
        (&t.sibling, "Sibling", json!(t.root)),
        (&great, "Great-grandchild", json!(t.grandchild)),
    ];
    for (id, name, parent) in expect {
        assert_eq!(
            find(&orgs, id),
            Some(&json!({ "id": id, "name": name, "parentId": parent }))
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn get_org_does_not_list_other_roots() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let other = other_root(&app).await;
    let orgs = list_orgs(&app, &other.token).await;
    assert_eq!(sorted_ids(&orgs), sorted(vec![&other.root, &other.child]));
    assert_eq!(find(&orgs, &other.root).unwrap()["parentId"], Value::Null);
    assert!(find(&orgs, &t.root).is_none());
    app.stop().await;
}

#[tokio::test]
async fn get_org_of_a_child_owner_starts_at_the_child() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let users = app
        .post(
            &format!("/xponent/user/org/{}", t.child),
            &t.token,
            &json!([{ "email": "owner@child.test", "name": "Child Owner", "role": "Owner" }]),
        )
        .await
        .xponent_items("users");
    let user_id = id_of(&users[0]);
    let secret = app
        .services
        .issue_secret_key(&PublicId::parse(&user_id).unwrap())
        .await
        .expect("a secret key");
    let child_token = app.owner_token_for(&user_id, &secret).await;

    let orgs = list_orgs(&app, &child_token).await;
    assert_eq!(sorted_ids(&orgs), sorted(vec![&t.child, &t.grandchild]));
    assert_eq!(
        find(&orgs, &t.child),
        Some(&json!({ "id": t.child, "name": "Child", "parentId": null }))
    );
    assert_eq!(
        find(&orgs, &t.grandchild).unwrap()["parentId"],
        t.child.as_str()
    );
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// POST /org
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn post_org_defaults_the_parent_to_the_callers_org() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let items = app
        .post("/xponent/org", &token, &json!({ "name": "Acme" }))
        .await
        .xponent_items("organizations");
    assert_eq!(items.len(), 1);
    let id = id_of(&items[0]);
    assert!(
        PublicId::parse(&id).is_some(),
        "an id in the documented format: {id}"
    );
    assert_eq!(
        items[0],
        json!({ "id": id, "name": "Acme", "parentId": boot.organization_id })
    );
    assert!(find(&list_orgs(&app, &token).await, &id).is_some());
    app.stop().await;
}

#[tokio::test]
async fn post_org_with_explicit_parent_creates_below_it() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let items = app
        .post(
            "/xponent/org",
            &t.token,
            &json!({ "name": "Deep", "parentId": t.grandchild }),
        )
        .await
        .xponent_items("organizations");
    assert_eq!(items[0]["name"], "Deep");
    assert_eq!(items[0]["parentId"], t.grandchild.as_str());
    let orgs = list_orgs(&app, &t.token).await;
    assert_eq!(
        find(&orgs, &id_of(&items[0])).unwrap()["parentId"],
        t.grandchild.as_str()
    );
    app.stop().await;
}

#[tokio::test]
async fn post_org_rejects_a_malformed_parent_id() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let simple = uuid_simple();
    for parent in ["abc", "12", simple.as_str()] {
        let reply = app
            .post(
                "/xponent/org",
                &token,
                &json!({ "name": "Acme", "parentId": parent }),
            )
            .await;
        expect_error(&reply, 400, "Invalid format for parentId", parent);
    }
    app.stop().await;
}

/// A UUID without hyphens: not the documented id format.
fn uuid_simple() -> String {
    unknown_id().replace('-', "")
}

#[tokio::test]
async fn post_org_rejects_an_empty_or_null_body() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let bodies = [None, Some(""), Some("  \n"), Some("null")];
    let message = "Body cannot be empty or null";
    expect_bodies(&app, "POST", "/xponent/org", &token, &bodies, 400, message).await;
    app.stop().await;
}

#[tokio::test]
async fn post_org_rejects_a_body_that_is_not_an_object() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let bodies = [
        Some("[]"),
        Some(r#"[{"name":"Acme"}]"#),
        Some("not json"),
        Some(r#"{"name":"#),
        Some(r#""Acme""#),
        Some("42"),
    ];
    let message = "Body must be an object";
    expect_bodies(&app, "POST", "/xponent/org", &token, &bodies, 400, message).await;
    app.stop().await;
}

#[tokio::test]
async fn post_org_requires_a_name() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    for body in [json!({}), json!({ "parentId": boot.organization_id })] {
        let reply = app.post("/xponent/org", &token, &body).await;
        expect_error(
            &reply,
            400,
            "The following fields are required for a new organization: name",
            &body.to_string(),
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn post_org_rejects_fields_that_are_not_non_empty_strings() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let bodies = [
        json!({ "name": 5 }),
        json!({ "name": "" }),
        json!({ "name": null }),
        json!({ "name": ["Acme"] }),
        json!({ "name": "Acme", "parentId": 7 }),
        json!({ "name": "Acme", "parentId": "" }),
        json!({ "name": "Acme", "parentId": null }),
        json!({ "name": 5, "parentId": boot.organization_id }),
    ];
    for body in bodies {
        let reply = app.post("/xponent/org", &token, &body).await;
        expect_error(
            &reply,
            400,
            "The following fields, if provided, must be non-empty strings: name, parentId",
            &body.to_string(),
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn post_org_under_a_parent_of_another_root_is_403() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let other = other_root(&app).await;
    for parent in [&other.root, &other.child] {
        let reply = app
            .post(
                "/xponent/org",
                &t.token,
                &json!({ "name": "Intruder", "parentId": parent }),
            )
            .await;
        reply.assert_xponent_error(403, PARENT_FORBIDDEN);
    }
    assert_eq!(list_orgs(&app, &other.token).await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn post_org_under_an_unknown_parent_is_404() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let parent = unknown_id();
    let reply = app
        .post(
            "/xponent/org",
            &token,
            &json!({ "name": "Orphan", "parentId": parent }),
        )
        .await;
    reply.assert_xponent_error(
        404,
        &format!("Parent organization with id {parent} not found"),
    );
    app.stop().await;
}

#[tokio::test]
async fn post_org_with_a_name_in_use_is_409() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    for (name, parent) in [
        ("Child", None),
        ("Root", Some(&t.sibling)),
        ("Grandchild", Some(&t.root)),
    ] {
        let mut body = json!({ "name": name });
        if let Some(parent) = parent {
            body["parentId"] = json!(parent);
        }
        let reply = app.post("/xponent/org", &t.token, &body).await;
        reply.assert_xponent_error(
            409,
            &format!("The name {name} is already in use by a different organization"),
        );
    }
    assert_eq!(list_orgs(&app, &t.token).await.len(), 4);
    app.stop().await;
}

/// `POST /xponent/org` with `name`, below `parent` when given.
async fn post_org(app: &TestApp, token: &str, name: &str, parent: Option<&str>) -> Reply {
    let mut body = json!({ "name": name });
    if let Some(parent) = parent {
        body["parentId"] = json!(parent);
    }
    app.post("/xponent/org", token, &body).await
}

#[tokio::test]
async fn two_hundred_concurrent_post_orgs_all_succeed() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    // Half below the caller's own organization (no parentId), half below Grandchild.
    let wanted: Vec<(String, Option<&str>)> = (0..200)
        .map(|i| {
            let parent = (i % 2 == 1).then_some(t.grandchild.as_str());
            (format!("Concurrent {i}"), parent)
        })
        .collect();
    let replies = futures::future::join_all(
        wanted
            .iter()
            .map(|(name, parent)| post_org(&app, &t.token, name, *parent)),
    )
    .await;

    let mut ids = std::collections::BTreeSet::new();
    for ((name, parent), reply) in wanted.iter().zip(&replies) {
        let items = reply.xponent_items("organizations");
        let id = id_of(&items[0]);
        let parent = parent.unwrap_or(&t.root);
        assert_eq!(
            items[0],
            json!({ "id": id, "name": name, "parentId": parent })
        );
        ids.insert(id);
    }
    assert_eq!(ids.len(), 200, "distinct ids");

    let orgs = list_orgs(&app, &t.token).await;
    assert_eq!(orgs.len(), 4 + 200);
    for ((name, parent), reply) in wanted.iter().zip(&replies) {
        let id = id_of(&reply.xponent_items("organizations")[0]);
        let listed = find(&orgs, &id).unwrap_or_else(|| panic!("{name} is not listed"));
        assert_eq!(listed["name"], name.as_str());
        assert_eq!(listed["parentId"], parent.unwrap_or(&t.root));
    }
    // Their paths were set: one created below Grandchild is in the caller's subtree, so the
    // caller may create below it.
    let deep_id = id_of(&replies[1].xponent_items("organizations")[0]);
    let items = post_org(&app, &t.token, "Below a concurrent one", Some(&deep_id))
        .await
        .xponent_items("organizations");
    assert_eq!(items[0]["parentId"], deep_id.as_str());
    app.stop().await;
}

#[tokio::test]
async fn fifty_concurrent_post_orgs_of_one_name_create_it_once() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let replies = futures::future::join_all((0..50).map(|i| {
        let parent = [None, Some(t.child.as_str()), Some(t.sibling.as_str())][i % 3];
        post_org(&app, &t.token, "Contested", parent)
    }))
    .await;
    assert_eq!(
        replies.iter().filter(|r| r.status == 200).count(),
        1,
        "{replies:?}"
    );
    for reply in replies.iter().filter(|r| r.status != 200) {
        reply.assert_xponent_error(
            409,
            "The name Contested is already in use by a different organization",
        );
    }
    let orgs = list_orgs(&app, &t.token).await;
    assert_eq!(orgs.len(), 5);
    assert_eq!(orgs.iter().filter(|o| o["name"] == "Contested").count(), 1);
    app.stop().await;
}

#[tokio::test]
async fn concurrent_post_orgs_outside_the_subtree_are_refused_while_the_others_succeed() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let other = other_root(&app).await;
    let unknown = unknown_id();
    let parents = [
        Some(t.child.as_str()),
        Some(other.root.as_str()),
        None,
        Some(other.child.as_str()),
        Some(unknown.as_str()),
    ];
    let wanted: Vec<(String, Option<&str>)> = (0..60)
        .map(|i| (format!("Crowd {i}"), parents[i % parents.len()]))
        .collect();
    let replies = futures::future::join_all(
        wanted
            .iter()
            .map(|(name, parent)| post_org(&app, &t.token, name, *parent)),
    )
    .await;

    let mut created = 0;
    for ((name, parent), reply) in wanted.iter().zip(&replies) {
        match *parent {
            Some(p) if p == other.root || p == other.child => {
                reply.assert_xponent_error(403, PARENT_FORBIDDEN)
            }
            Some(p) if p == unknown => reply.assert_xponent_error(
                404,
                &format!("Parent organization with id {unknown} not found"),
            ),
            _ => {
                let items = reply.xponent_items("organizations");
                assert_eq!(items[0]["name"], name.as_str());
                assert_eq!(items[0]["parentId"], parent.unwrap_or(&t.root));
                created += 1;
            }
        }
    }
    assert_eq!(created, 24);
    assert_eq!(list_orgs(&app, &t.token).await.len(), 4 + 24);
    assert_eq!(list_orgs(&app, &other.token).await.len(), 2);
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// PUT /org/{org_id}
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn put_org_renames_an_organization() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let items = app
        .put(&org_url(&t.child), &t.token, &json!({ "name": "Renamed" }))
        .await
        .xponent_items("organizations");
    assert_eq!(
        items,
        vec![json!({ "id": t.child, "name": "Renamed", "parentId": t.root })]
    );
    let orgs = list_orgs(&app, &t.token).await;
    assert_eq!(find(&orgs, &t.child).unwrap()["name"], "Renamed");
    // The old name is free again.
    app.create_org(&t.token, "Child", None).await;
    app.stop().await;
}

#[tokio::test]
async fn put_org_to_its_current_name_is_accepted() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let items = app
        .put(&org_url(&t.child), &t.token, &json!({ "name": "Child" }))
        .await
        .xponent_items("organizations");
    assert_eq!(
        items,
        vec![json!({ "id": t.child, "name": "Child", "parentId": t.root })]
    );
    app.stop().await;
}

#[tokio::test]
async fn put_org_moves_an_organization_with_its_subtree() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let project = new_project(&app, &t.token, &t.grandchild, "Deep work").await;

    let items = app
        .put(
            &org_url(&t.child),
            &t.token,
            &json!({ "parentId": t.sibling }),
        )
        .await
        .xponent_items("organizations");
    assert_eq!(
        items,
        vec![json!({ "id": t.child, "name": "Child", "parentId": t.sibling })]
    );

    let orgs = list_orgs(&app, &t.token).await;
    assert_eq!(orgs.len(), 4);
    assert_eq!(
        find(&orgs, &t.child).unwrap()["parentId"],
        t.sibling.as_str()
    );
    assert_eq!(
        find(&orgs, &t.grandchild).unwrap()["parentId"],
        t.child.as_str()
    );
    let projects = list_projects(&app, &t.token, &t.grandchild).await;
    assert_eq!(sorted_ids(&projects), vec![project]);
    app.stop().await;
}

#[tokio::test]
async fn put_org_renames_and_moves_at_once() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let items = app
        .put(
            &org_url(&t.grandchild),
            &t.token,
            &json!({ "name": "Promoted", "parentId": t.root }),
        )
        .await
        .xponent_items("organizations");
    assert_eq!(
        items,
        vec![json!({ "id": t.grandchild, "name": "Promoted", "parentId": t.root })]
    );
    app.stop().await;
}

#[tokio::test]
async fn moved_org_sees_the_global_templates_of_its_new_ancestors() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    plain_template(&app, &t.sibling, "Sibling global", true).await;
    assert_eq!(
        template_names(&app, &t.token, &t.grandchild).await,
        Vec::<String>::new()
    );

    app.put(
        &org_url(&t.child),
        &t.token,
        &json!({ "parentId": t.sibling }),
    )
    .await
    .xponent_items("organizations");
    assert_eq!(
        template_names(&app, &t.token, &t.grandchild).await,
        vec!["Sibling global"]
    );
    app.stop().await;
}

#[tokio::test]
async fn put_org_rejects_a_malformed_org_id() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    for id in ["abc".to_owned(), uuid_simple()] {
        let reply = app
            .put(&org_url(&id), &token, &json!({ "name": "X" }))
            .await;
        expect_error(&reply, 400, "Invalid format for organization id", &id);
    }
    app.stop().await;
}

#[tokio::test]
async fn put_org_rejects_an_empty_body() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let bodies = [
        None,
        Some(""),
        Some("null"),
        Some("{}"),
        Some(r#"{"other":"field"}"#),
    ];
    let message = "Body cannot be empty or null";
    expect_bodies(
        &app,
        "PUT",
        &org_url(&t.child),
        &t.token,
        &bodies,
        400,
        message,
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn put_org_rejects_a_body_that_is_not_an_object() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let bodies = [
        Some("[]"),
        Some(r#"[{"name":"X"}]"#),
        Some("not json"),
        Some("true"),
    ];
    let message = "Body must be an object";
    expect_bodies(
        &app,
        "PUT",
        &org_url(&t.child),
        &t.token,
        &bodies,
        400,
        message,
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn put_org_rejects_a_name_that_is_not_a_non_empty_string() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    for body in [
        json!({ "name": 5 }),
        json!({ "name": "" }),
        json!({ "name": null }),
    ] {
        let reply = app.put(&org_url(&t.child), &t.token, &body).await;
        expect_error(
            &reply,
            400,
            "The following fields, if provided, must be non-empty strings: name",
            &body.to_string(),
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn put_org_of_another_root_is_403() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let other = other_root(&app).await;
    for org in [&other.root, &other.child] {
        let reply = app
            .put(&org_url(org), &t.token, &json!({ "name": "Hijacked" }))
            .await;
        reply.assert_xponent_error(403, ORG_FORBIDDEN);
    }
    app.stop().await;
}

#[tokio::test]
async fn put_org_moving_under_another_root_is_403() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let other = other_root(&app).await;
    for parent in [&other.root, &other.child] {
        let reply = app
            .put(&org_url(&t.child), &t.token, &json!({ "parentId": parent }))
            .await;
        reply.assert_xponent_error(403, PARENT_FORBIDDEN);
    }
    let orgs = list_orgs(&app, &t.token).await;
    assert_eq!(find(&orgs, &t.child).unwrap()["parentId"], t.root.as_str());
    app.stop().await;
}

#[tokio::test]
async fn put_org_cannot_move_the_callers_own_org() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let reply = app
        .put(
            &org_url(&t.root),
            &t.token,
            &json!({ "parentId": t.sibling }),
        )
        .await;
    reply.assert_xponent_error(403, ORG_FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn put_org_unknown_is_404() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let id = unknown_id();
    let reply = app
        .put(&org_url(&id), &token, &json!({ "name": "Ghost" }))
        .await;
    reply.assert_xponent_error(404, &format!("Organization with id '{id}' not found"));
    app.stop().await;
}

#[tokio::test]
async fn put_org_with_a_name_in_use_is_409_with_quotes() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    for name in ["Sibling", "Root"] {
        let reply = app
            .put(&org_url(&t.child), &t.token, &json!({ "name": name }))
            .await;
        reply.assert_xponent_error(
            409,
            &format!("The name '{name}' is already in use by a different organization"),
        );
    }
    let orgs = list_orgs(&app, &t.token).await;
    assert_eq!(find(&orgs, &t.child).unwrap()["name"], "Child");
    app.stop().await;
}

#[tokio::test]
async fn put_org_moving_under_its_own_descendant_is_409() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    for parent in [&t.grandchild, &t.child] {
        let reply = app
            .put(&org_url(&t.child), &t.token, &json!({ "parentId": parent }))
            .await;
        reply.assert_xponent_error(
            409,
            &format!(
                "Organization with id '{}' cannot be moved under its own descendant (organization with id '{parent}')",
                t.child
            ),
        );
    }
    let orgs = list_orgs(&app, &t.token).await;
    assert_eq!(find(&orgs, &t.child).unwrap()["parentId"], t.root.as_str());
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// DELETE /org/{org_id}
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn delete_org_returns_it_and_removes_its_users_and_projects() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let users = app
        .post(
            &format!("/xponent/user/org/{}", t.sibling),
            &t.token,
            &json!([{ "email": "member@sibling.test", "name": "Member" }]),
        )
        .await
        .xponent_items("users");
    let user = id_of(&users[0]);
    let project = new_project(&app, &t.token, &t.sibling, "Doomed").await;

    let items = app
        .delete(&org_url(&t.sibling), &t.token)
        .await
        .xponent_items("organizations");
    assert_eq!(
        items,
        vec![json!({ "id": t.sibling, "name": "Sibling", "parentId": t.root })]
    );

    assert!(find(&list_orgs(&app, &t.token).await, &t.sibling).is_none());
    let all_users = app
        .get("/xponent/user", &t.token)
        .await
        .xponent_items("users");
    assert!(find(&all_users, &user).is_none(), "{all_users:?}");
    app.get(&projects_url(&t.sibling), &t.token)
        .await
        .assert_xponent_error(
            404,
            &format!("Organization with id '{}' not found", t.sibling),
        );
    app.delete(&project_url(&project), &t.token)
        .await
        .assert_xponent_error(404, &format!("Project with id '{project}' not found"));
    app.stop().await;
}

#[tokio::test]
async fn delete_org_rejects_a_malformed_org_id() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    for id in ["abc".to_owned(), uuid_simple()] {
        let reply = app.delete(&org_url(&id), &token).await;
        expect_error(&reply, 400, "Invalid format for organization id", &id);
    }
    app.stop().await;
}

#[tokio::test]
async fn delete_org_of_another_root_is_403() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let other = other_root(&app).await;
    for org in [&other.child, &other.root] {
        app.delete(&org_url(org), &t.token)
            .await
            .assert_xponent_error(403, ORG_FORBIDDEN);
    }
    assert_eq!(list_orgs(&app, &other.token).await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn delete_own_org_is_403() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let root = &boot.organization_id;
    app.delete(&org_url(root), &token)
        .await
        .assert_xponent_error(
            403,
            &format!("Not allowed to delete own organization (organization with id '{root}')"),
        );
    assert_eq!(list_orgs(&app, &token).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn delete_unknown_org_is_404() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let id = unknown_id();
    app.delete(&org_url(&id), &token)
        .await
        .assert_xponent_error(404, &format!("Organization with id '{id}' not found"));
    app.stop().await;
}

#[tokio::test]
async fn delete_org_with_a_child_is_409_until_the_child_is_deleted() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    app.delete(&org_url(&t.child), &t.token)
        .await
        .assert_xponent_error(
            409,
            &format!(
                "Organization with id '{}' has child organizations: delete or move them first",
                t.child
            ),
        );
    assert!(find(&list_orgs(&app, &t.token).await, &t.child).is_some());

    app.delete(&org_url(&t.grandchild), &t.token)
        .await
        .xponent_items("organizations");
    let items = app
        .delete(&org_url(&t.child), &t.token)
        .await
        .xponent_items("organizations");
    assert_eq!(items[0]["id"], t.child.as_str());
    assert_eq!(
        sorted_ids(&list_orgs(&app, &t.token).await),
        sorted(vec![&t.root, &t.sibling])
    );
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// GET /org/{org_id}/templates
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn templates_are_own_plus_global_templates_of_every_ancestor() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    plain_template(&app, &t.root, "Root global", true).await;
    plain_template(&app, &t.root, "Root private", false).await;
    plain_template(&app, &t.child, "Child private", false).await;
    plain_template(&app, &t.child, "Child global", true).await;
    plain_template(&app, &t.sibling, "Sibling global", true).await;
    plain_template(&app, &t.grandchild, "Grandchild private", false).await;

    assert_eq!(
        template_names(&app, &t.token, &t.grandchild).await,
        vec!["Child global", "Grandchild private", "Root global"]
    );
    assert_eq!(
        template_names(&app, &t.token, &t.child).await,
        vec!["Child global", "Child private", "Root global"]
    );
    assert_eq!(
        template_names(&app, &t.token, &t.sibling).await,
        vec!["Root global", "Sibling global"]
    );
    assert_eq!(
        template_names(&app, &t.token, &t.root).await,
        vec!["Root global", "Root private"]
    );
    app.stop().await;
}

#[tokio::test]
async fn templates_items_have_name_id_and_type() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let id = connected_template(&app, &t.child).await;
    let items = app
        .get(&templates_url(&t.child), &t.token)
        .await
        .xponent_items("templates");
    assert_eq!(
        items,
        vec![json!({ "name": "Connected", "id": id, "type": "integration" })]
    );
    app.stop().await;
}

#[tokio::test]
async fn templates_reject_a_malformed_org_id() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    for id in ["abc".to_owned(), uuid_simple()] {
        let reply = app.get(&templates_url(&id), &token).await;
        expect_error(&reply, 400, "Invalid format for organization id", &id);
    }
    app.stop().await;
}

#[tokio::test]
async fn templates_of_another_root_are_403() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let other = other_root(&app).await;
    plain_template(&app, &other.root, "Other global", true).await;
    for org in [&other.root, &other.child] {
        app.get(&templates_url(org), &t.token)
            .await
            .assert_xponent_error(403, ORG_FORBIDDEN);
    }
    app.stop().await;
}

#[tokio::test]
async fn templates_of_an_unknown_org_are_404() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let id = unknown_id();
    app.get(&templates_url(&id), &token)
        .await
        .assert_xponent_error(404, &format!("Organization with id '{id}' not found"));
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// GET /project/org/{org_id}
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_projects_lists_the_projects_of_that_org_only() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let first = new_project(&app, &t.token, &t.child, "First").await;
    let second = create_project(
        &app,
        &t.token,
        &t.child,
        json!({ "name": "Second", "description": "Number two" }),
    )
    .await;
    new_project(&app, &t.token, &t.sibling, "Elsewhere").await;
    new_project(&app, &t.token, &t.grandchild, "Below").await;

    let projects = list_projects(&app, &t.token, &t.child).await;
    assert_eq!(
        sorted_ids(&projects),
        sorted(vec![&first, second["id"].as_str().unwrap()])
    );
    let listed = find(&projects, second["id"].as_str().unwrap()).unwrap();
    assert_eq!(listed["name"], "Second");
    assert_eq!(listed["description"], "Number two");
    assert_eq!(find(&projects, &first).unwrap()["name"], "First");
    assert_eq!(
        list_projects(&app, &t.token, &t.root).await,
        Vec::<Value>::new()
    );
    app.stop().await;
}

#[tokio::test]
async fn get_projects_rejects_a_malformed_org_id() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    for id in ["abc".to_owned(), uuid_simple()] {
        let reply = app.get(&projects_url(&id), &token).await;
        expect_error(&reply, 400, "Invalid format for organization id", &id);
    }
    app.stop().await;
}

#[tokio::test]
async fn get_projects_of_another_root_is_403() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let other = other_root(&app).await;
    new_project(&app, &other.token, &other.child, "Theirs").await;
    for org in [&other.root, &other.child] {
        app.get(&projects_url(org), &t.token)
            .await
            .assert_xponent_error(403, ORG_FORBIDDEN);
    }
    app.stop().await;
}

#[tokio::test]
async fn get_projects_of_an_unknown_org_is_404() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let id = unknown_id();
    app.get(&projects_url(&id), &token)
        .await
        .assert_xponent_error(404, &format!("Organization with id '{id}' not found"));
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// POST /project/org/{org_id}
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn post_project_without_template_has_no_connections() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let item = create_project(
        &app,
        &t.token,
        &t.child,
        json!({ "name": "Plain", "description": "No template" }),
    )
    .await;
    let id = id_of(&item);
    assert!(PublicId::parse(&id).is_some(), "{id}");
    assert_eq!(item["name"], "Plain");
    assert_eq!(item["description"], "No template");
    assert!(item.get("connections").is_none(), "{item}");
    assert_eq!(
        sorted_ids(&list_projects(&app, &t.token, &t.child).await),
        vec![id]
    );
    app.stop().await;
}

#[tokio::test]
async fn post_project_from_a_template_returns_fresh_connection_ids() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let template_id = connected_template(&app, &t.child).await;
    let body =
        json!({ "name": "Wired", "description": "From a template", "templateId": template_id });
    let first = create_project(&app, &t.token, &t.child, body.clone()).await;
    let second = create_project(&app, &t.token, &t.child, body).await;

    assert_eq!(first["name"], "Wired");
    assert_eq!(first["description"], "From a template");
    let mut seen = vec![template_id.clone(), id_of(&first), id_of(&second)];
    for item in [&first, &second] {
        let connections = item["connections"].as_array().expect("connections");
        assert_eq!(connections.len(), 2, "one per template connection: {item}");
        for (connection, (name, kind)) in connections
            .iter()
            .zip([("Orders DB", "database"), ("Feed", "twitter")])
        {
            let id = id_of(connection);
            assert!(PublicId::parse(&id).is_some(), "{id}");
            assert_eq!(connection, &json!({ "id": id, "name": name, "type": kind }));
            seen.push(id);
        }
    }
    let count = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), count, "every id is fresh");
    app.stop().await;
}

#[tokio::test]
async fn post_project_from_a_template_without_connections_has_empty_connections() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let template_id = plain_template(&app, &t.child, "Bare", false).await;
    let item = create_project(
        &app,
        &t.token,
        &t.child,
        json!({ "name": "Bare", "description": "Nothing to connect", "templateId": template_id }),
    )
    .await;
    assert_eq!(item["connections"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn post_project_with_a_global_template_of_an_ancestor() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let template_id = template(
        &app,
        &t.root,
        "Shared",
        true,
        json!([{ "name": "Mail", "type": "email" }]),
    )
    .await;
    let item = create_project(
        &app,
        &t.token,
        &t.grandchild,
        json!({ "name": "Inherited", "description": "Uses Shared", "templateId": template_id }),
    )
    .await;
    let connections = item["connections"].as_array().expect("connections");
    assert_eq!(connections.len(), 1);
    assert_eq!(connections[0]["name"], "Mail");
    assert_eq!(connections[0]["type"], "email");
    assert_eq!(
        sorted_ids(&list_projects(&app, &t.token, &t.grandchild).await),
        vec![id_of(&item)]
    );
    app.stop().await;
}

#[tokio::test]
async fn post_project_with_a_template_not_available_to_the_org_is_403() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let parent_private = plain_template(&app, &t.root, "Root private", false).await;
    let sibling_global = plain_template(&app, &t.sibling, "Sibling global", true).await;
    let grandchild_own = plain_template(&app, &t.grandchild, "Below", true).await;
    for template_id in [&parent_private, &sibling_global, &grandchild_own] {
        let reply = app
            .post(
                &projects_url(&t.child),
                &t.token,
                &json!({ "name": "P", "description": "D", "templateId": template_id }),
            )
            .await;
        reply.assert_xponent_error(
            403,
            &format!(
                "Template with id '{template_id}' not allowed for use in projects in organization with '{}'",
                t.child
            ),
        );
    }
    assert_eq!(
        list_projects(&app, &t.token, &t.child).await,
        Vec::<Value>::new()
    );
    app.stop().await;
}

#[tokio::test]
async fn post_project_with_a_template_of_another_root_is_403() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let other = other_root(&app).await;
    let theirs = plain_template(&app, &other.root, "Other global", true).await;
    let reply = app
        .post(
            &projects_url(&t.child),
            &t.token,
            &json!({ "name": "P", "description": "D", "templateId": theirs }),
        )
        .await;
    reply.assert_xponent_error(
        403,
        &format!(
            "Template with id '{theirs}' not allowed for use in projects in organization with '{}'",
            t.child
        ),
    );
    app.stop().await;
}

#[tokio::test]
async fn post_project_with_an_unknown_template_is_404() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let template_id = unknown_id();
    let reply = app
        .post(
            &projects_url(&t.child),
            &t.token,
            &json!({ "name": "P", "description": "D", "templateId": template_id }),
        )
        .await;
    reply.assert_xponent_error(404, &format!("Template with id '{template_id}' not found"));
    app.stop().await;
}

#[tokio::test]
async fn post_project_rejects_a_malformed_template_id() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    for template_id in ["abc".to_owned(), uuid_simple()] {
        let reply = app
            .post(
                &projects_url(&t.child),
                &t.token,
                &json!({ "name": "P", "description": "D", "templateId": template_id }),
            )
            .await;
        expect_error(&reply, 400, "Invalid format for templateId", &template_id);
    }
    app.stop().await;
}

#[tokio::test]
async fn post_project_rejects_a_malformed_org_id() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    for id in ["abc".to_owned(), uuid_simple()] {
        let reply = app
            .post(
                &projects_url(&id),
                &token,
                &json!({ "name": "P", "description": "D" }),
            )
            .await;
        expect_error(&reply, 400, "Invalid format for organization id", &id);
    }
    app.stop().await;
}

#[tokio::test]
async fn post_project_rejects_an_empty_or_null_body() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let bodies = [None, Some(""), Some(" "), Some("null")];
    let message = "Body cannot empty or null";
    expect_bodies(
        &app,
        "POST",
        &projects_url(&t.child),
        &t.token,
        &bodies,
        400,
        message,
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn post_project_rejects_a_body_that_is_not_an_object() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let bodies = [
        Some("[]"),
        Some(r#"[{"name":"P","description":"D"}]"#),
        Some("not json"),
        Some(r#""P""#),
    ];
    let message = "Body must be an object";
    expect_bodies(
        &app,
        "POST",
        &projects_url(&t.child),
        &t.token,
        &bodies,
        400,
        message,
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn post_project_requires_name_and_description() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    for body in [
        json!({}),
        json!({ "name": "P" }),
        json!({ "description": "D" }),
        json!({ "name": 5 }),
    ] {
        let reply = app.post(&projects_url(&t.child), &t.token, &body).await;
        expect_error(
            &reply,
            400,
            "The following fields are required for a new project: name, description",
            &body.to_string(),
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn post_project_rejects_fields_that_are_not_non_empty_strings() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    for body in [
        json!({ "name": 5, "description": "D" }),
        json!({ "name": "", "description": "D" }),
        json!({ "name": "P", "description": "" }),
        json!({ "name": "P", "description": null }),
        json!({ "name": "P", "description": "D", "templateId": 7 }),
        json!({ "name": "P", "description": "D", "templateId": "" }),
        json!({ "name": "P", "description": "D", "templateId": null }),
    ] {
        let reply = app.post(&projects_url(&t.child), &t.token, &body).await;
        expect_error(
            &reply,
            400,
            "The following fields, if provided, must be non-empty strings: name, description, templateId",
            &body.to_string(),
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn post_project_in_another_root_is_403() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let other = other_root(&app).await;
    for org in [&other.root, &other.child] {
        app.post(
            &projects_url(org),
            &t.token,
            &json!({ "name": "P", "description": "D" }),
        )
        .await
        .assert_xponent_error(403, ORG_FORBIDDEN);
    }
    assert_eq!(
        list_projects(&app, &other.token, &other.child).await,
        Vec::<Value>::new()
    );
    app.stop().await;
}

#[tokio::test]
async fn post_project_in_an_unknown_org_is_404() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let id = unknown_id();
    app.post(
        &projects_url(&id),
        &token,
        &json!({ "name": "P", "description": "D" }),
    )
    .await
    .assert_xponent_error(404, &format!("Organization with id '{id}' not found"));
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// PUT /project/{project_id}
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn put_project_renames_and_describes() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let project = new_project(&app, &t.token, &t.child, "Before").await;

    let item = update_project(
        &app,
        &t.token,
        &project,
        json!({ "name": "After", "description": "Described" }),
    )
    .await;
    assert_eq!(item["id"], project.as_str());
    assert_eq!(item["name"], "After");
    assert_eq!(item["description"], "Described");
    assert_eq!(item["connections"], json!({ "success": [], "failure": [] }));

    let item = update_project(&app, &t.token, &project, json!({ "name": "Only name" })).await;
    assert_eq!(item["name"], "Only name");
    assert_eq!(item["description"], "Described");

    let listed = list_projects(&app, &t.token, &t.child).await;
    assert_eq!(find(&listed, &project).unwrap()["name"], "Only name");
    assert_eq!(find(&listed, &project).unwrap()["description"], "Described");
    app.stop().await;
}

#[tokio::test]
async fn put_project_accepts_a_valid_database_connection() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let (project, db, _) = project_with_connections(&app, &t).await;
    let item = update_project(
        &app,
        &t.token,
        &project,
        json!({ "connections": [{ "id": db, "details": db_details(DB_PASSWORD) }] }),
    )
    .await;
    assert_eq!(item["name"], "Wired");
    assert_eq!(
        item["connections"],
        json!({
            "success": [{ "id": db, "name": "Orders DB", "message": "Connection updated successfully" }],
            "failure": [],
        })
    );
    app.stop().await;
}

#[tokio::test]
async fn put_project_reports_an_invalid_connection_without_its_password() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let (project, db, _) = project_with_connections(&app, &t).await;
    let mut details = db_details(DB_PASSWORD);
    details["port"] = json!("x");
    let item = update_project(
        &app,
        &t.token,
        &project,
        json!({ "connections": [{ "id": db, "details": details }] }),
    )
    .await;
    assert_eq!(item["connections"]["success"], json!([]));
    let failure = item["connections"]["failure"].as_array().unwrap();
    assert_eq!(failure.len(), 1);
    assert_eq!(failure[0]["id"], db.as_str());
    assert_eq!(failure[0]["name"], "Orders DB");
    let message = failure[0]["message"].as_str().expect("a message");
    assert_eq!(
        message,
        "The field 'port' must be an integer between 1 and 65535"
    );
    assert!(!message.contains(DB_PASSWORD));
    app.stop().await;
}

#[tokio::test]
async fn put_project_reports_an_unknown_connection_id_as_a_failure() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let (project, _, _) = project_with_connections(&app, &t).await;
    // A connection of another project is not one of this project's either.
    let (_, elsewhere, _) = project_with_connections(&app, &t).await;
    let unknown = unknown_id();
    let item = update_project(
        &app,
        &t.token,
        &project,
        json!({ "connections": [
            { "id": unknown, "details": db_details(DB_PASSWORD) },
            { "id": elsewhere, "details": db_details(DB_PASSWORD) },
        ] }),
    )
    .await;
    assert_eq!(item["connections"]["success"], json!([]));
    let failure = item["connections"]["failure"].as_array().unwrap();
    assert_eq!(failure.len(), 2);
    for (entry, id) in failure.iter().zip([&unknown, &elsewhere]) {
        assert_eq!(entry["id"], id.as_str());
        assert_eq!(
            entry["message"],
            format!("Connection with id '{id}' not found in this project")
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn put_project_reports_a_type_mismatch_as_a_failure() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let (project, _, twitter) = project_with_connections(&app, &t).await;
    let item = update_project(
        &app,
        &t.token,
        &project,
        json!({ "connections": [{ "id": twitter, "details": db_details(DB_PASSWORD) }] }),
    )
    .await;
    assert_eq!(
        item["connections"],
        json!({
            "success": [],
            "failure": [{
                "id": twitter,
                "name": "Feed",
                "message": "Connection type 'database' does not match the template connection type 'twitter'",
            }],
        })
    );
    app.stop().await;
}

#[tokio::test]
async fn put_project_sorts_connections_into_success_and_failure() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let (project, db, twitter) = project_with_connections(&app, &t).await;
    let item = update_project(
        &app,
        &t.token,
        &project,
        json!({
            "name": "Mixed",
            "connections": [
                { "id": db, "details": db_details(DB_PASSWORD) },
                { "id": twitter, "details": { "type": "twitter", "ckey": "k" } },
            ],
        }),
    )
    .await;
    assert_eq!(item["name"], "Mixed");
    let success = item["connections"]["success"].as_array().unwrap();
    let failure = item["connections"]["failure"].as_array().unwrap();
    assert_eq!(sorted_ids(success), vec![db]);
    assert_eq!(sorted_ids(failure), vec![twitter]);
    assert_eq!(
        failure[0]["message"],
        "The following fields are required for a twitter connection: csecret, atoken, asecret"
    );
    app.stop().await;
}

/// Every rule of the connector models, in the face's words: the service hands the face a
/// typed problem, and the face alone words it.
#[tokio::test]
async fn put_project_words_each_connector_rule_as_documented() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let template_id = template(
        &app,
        &t.child,
        "Every model",
        false,
        json!([
            { "name": "Inbox", "type": "queue" },
            { "name": "API", "type": "webService" },
            { "name": "Orders DB", "type": "database" },
            { "name": "Mailer", "type": "email" },
        ]),
    )
    .await;
    let item = create_project(
        &app,
        &t.token,
        &t.child,
        json!({ "name": "Rules", "description": "d", "templateId": template_id }),
    )
    .await;
    let ids: Vec<String> = item["connections"]
        .as_array()
        .expect("connections")
        .iter()
        .map(id_of)
        .collect();
    let (queue, web, db, mail) = (&ids[0], &ids[1], &ids[2], &ids[3]);
    let rabbit = json!({
        "type": "queue", "queueType": "rabbitmq", "readQueue": "in", "writeQueue": "out",
        "username": "mq", "password": DB_PASSWORD, "host": "mq.example", "ssl": "yes",
    });
    let mut unnamed = db_details(DB_PASSWORD);
    unnamed["username"] = json!("");
    let mut sqlite = db_details(DB_PASSWORD);
    sqlite["databaseType"] = json!("sqlite");
    let cases = [
        (
            queue,
            json!({ "type": "queue" }),
            "The following fields are required for a queue connection: queueType",
        ),
        (
            queue,
            json!({ "type": "queue", "queueType": "kafka" }),
            "The field 'queueType' must be one of: rabbitmq, activemq, sqs",
        ),
        (queue, rabbit, "The field 'ssl' must be a boolean"),
        (
            web,
            json!({ "type": "webService", "endpoint": "https://api.example", "queryParams": ["a"] }),
            "The field 'queryParams' must be an object",
        ),
        (
            db,
            unnamed,
            "The field 'username' must be a non-empty string",
        ),
        (
            db,
            sqlite,
            "The field 'databaseType' must be one of: postgresql, mysql, mssql, oracle",
        ),
        (
            db,
            json!({ "type": "database", "port": 5432 }),
            "The following fields are required for a database connection: \
             username, password, hostname, database",
        ),
        (
            mail,
            json!({ "type": "email", "emailType": "imap", "username": "u",
                    "password": DB_PASSWORD, "host": "smtp.example", "port": 587 }),
            "The field 'emailType' must be one of: smtp",
        ),
    ];
    let connections: Vec<Value> = cases
        .iter()
        .map(|(id, details, _)| json!({ "id": id, "details": details }))
        .collect();
    let item = update_project(
        &app,
        &t.token,
        item["id"].as_str().expect("an id"),
        json!({ "connections": connections }),
    )
    .await;
    assert_eq!(item["connections"]["success"], json!([]));
    let messages: Vec<&str> = item["connections"]["failure"]
        .as_array()
        .expect("failures")
        .iter()
        .map(|failure| failure["message"].as_str().expect("a message"))
        .collect();
    let expected: Vec<&str> = cases.iter().map(|(_, _, message)| *message).collect();
    assert_eq!(messages, expected);
    app.stop().await;
}

#[tokio::test]
async fn put_project_response_never_contains_a_secret_sent() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let (project, db, twitter) = project_with_connections(&app, &t).await;
    let secrets = [
        DB_PASSWORD,
        "ckey-S3cr3t",
        "csecret-S3cr3t",
        "atoken-S3cr3t",
        "asecret-S3cr3t",
        "bad-port-S3cr3t",
        "mismatch-S3cr3t",
    ];
    let mut bad_port = db_details("bad-port-S3cr3t");
    bad_port["port"] = json!("x");
    let twitter_details = json!({
        "type": "twitter",
        "ckey": "ckey-S3cr3t",
        "csecret": "csecret-S3cr3t",
        "atoken": "atoken-S3cr3t",
        "asecret": "asecret-S3cr3t",
    });
    let reply = app
        .put(
            &project_url(&project),
            &t.token,
            &json!({ "connections": [
                { "id": db, "details": db_details(DB_PASSWORD) },
                { "id": twitter, "details": twitter_details },
                { "id": db, "details": bad_port },
                { "id": twitter, "details": db_details("mismatch-S3cr3t") },
                { "id": unknown_id(), "details": db_details(DB_PASSWORD) },
            ] }),
        )
        .await;
    let item = &reply.xponent_items("projects")[0];
    assert_eq!(item["connections"]["success"].as_array().unwrap().len(), 2);
    assert_eq!(item["connections"]["failure"].as_array().unwrap().len(), 3);
    let text = reply.body.to_string();
    for secret in secrets {
        assert!(!text.contains(secret), "{secret} leaked in {text}");
    }
    app.stop().await;
}

#[tokio::test]
async fn put_project_connection_secrets_are_not_stored_in_plain_text() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let (project, db, _) = project_with_connections(&app, &t).await;
    update_project(
        &app,
        &t.token,
        &project,
        json!({ "connections": [{ "id": db, "details": db_details(DB_PASSWORD) }] }),
    )
    .await;
    let text = app.raw_database_text().await;
    assert!(text.contains("Orders DB"), "the dump reads the database");
    assert!(!text.contains(DB_PASSWORD));
    app.stop().await;
}

#[tokio::test]
async fn put_project_rejects_a_malformed_project_id() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    for id in ["abc".to_owned(), uuid_simple()] {
        let reply = app
            .put(&project_url(&id), &token, &json!({ "name": "X" }))
            .await;
        expect_error(&reply, 400, "Invalid format for project id", &id);
    }
    app.stop().await;
}

#[tokio::test]
async fn put_project_rejects_an_empty_body() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let project = new_project(&app, &t.token, &t.child, "P").await;
    let bodies = [
        None,
        Some(""),
        Some("null"),
        Some("{}"),
        Some(r#"{"other":1}"#),
    ];
    let message = "Body cannot be empty or null";
    expect_bodies(
        &app,
        "PUT",
        &project_url(&project),
        &t.token,
        &bodies,
        400,
        message,
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn put_project_rejects_a_body_that_is_not_an_object() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let project = new_project(&app, &t.token, &t.child, "P").await;
    let bodies = [
        Some("[]"),
        Some(r#"[{"name":"X"}]"#),
        Some("not json"),
        Some("1"),
    ];
    let message = "Body must be an object";
    expect_bodies(
        &app,
        "PUT",
        &project_url(&project),
        &t.token,
        &bodies,
        400,
        message,
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn put_project_rejects_name_or_description_that_are_not_non_empty_strings() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let project = new_project(&app, &t.token, &t.child, "P").await;
    for body in [
        json!({ "name": 5 }),
        json!({ "name": "" }),
        json!({ "description": "" }),
        json!({ "description": null }),
        json!({ "name": "Fine", "description": ["x"] }),
    ] {
        let reply = app.put(&project_url(&project), &t.token, &body).await;
        expect_error(
            &reply,
            400,
            "The following fields, if provided, must be non-empty strings: name, description.",
            &body.to_string(),
        );
    }
    app.stop().await;
}

/// PUT /project/{id} with each `connections` value, expecting one 400 message.
async fn expect_connections_error(app: &TestApp, t: &Tree, values: &[Value], message: &str) {
    let (project, _, _) = project_with_connections(app, t).await;
    for connections in values {
        let reply = app
            .put(
                &project_url(&project),
                &t.token,
                &json!({ "name": "Untouched", "connections": connections }),
            )
            .await;
        expect_error(&reply, 400, message, &connections.to_string());
    }
    // Nothing was applied.
    let listed = list_projects(app, &t.token, &t.child).await;
    assert_eq!(find(&listed, &project).unwrap()["name"], "Wired");
}

#[tokio::test]
async fn put_project_requires_id_and_details_for_each_connection() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let id = unknown_id();
    let values = [
        json!([{ "id": id }]),
        json!([{ "details": { "type": "database" } }]),
        json!([{}]),
        json!(["not an object"]),
        json!([{ "id": id, "details": { "type": "database" } }, { "id": id }]),
    ];
    let message = "The following fields are required for each connection: id, details";
    expect_connections_error(&app, &t, &values, message).await;
    app.stop().await;
}

#[tokio::test]
async fn put_project_requires_connections_to_be_an_array() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let values = [
        json!({ "id": unknown_id(), "details": { "type": "database" } }),
        json!("connections"),
        json!(null),
    ];
    expect_connections_error(&app, &t, &values, "Connections must be an array").await;
    app.stop().await;
}

#[tokio::test]
async fn put_project_rejects_a_malformed_connection_id() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let details = json!({ "type": "database" });
    let values = [
        json!([{ "id": "abc", "details": details }]),
        json!([{ "id": 5, "details": details }]),
        json!([{ "id": uuid_simple(), "details": details }]),
    ];
    expect_connections_error(&app, &t, &values, "Invalid format for connection id").await;
    app.stop().await;
}

#[tokio::test]
async fn put_project_requires_connection_details_to_be_an_object() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let id = unknown_id();
    let values = [
        json!([{ "id": id, "details": "database" }]),
        json!([{ "id": id, "details": [{ "type": "database" }] }]),
        json!([{ "id": id, "details": null }]),
    ];
    expect_connections_error(&app, &t, &values, "Connection details must be an object").await;
    app.stop().await;
}

#[tokio::test]
async fn put_project_requires_a_type_in_connection_details() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let id = unknown_id();
    let values = [
        json!([{ "id": id, "details": {} }]),
        json!([{ "id": id, "details": { "username": "app", "password": DB_PASSWORD } }]),
    ];
    let message = "The following fields are required for each connection details: type";
    expect_connections_error(&app, &t, &values, message).await;
    app.stop().await;
}

#[tokio::test]
async fn put_project_requires_the_connection_type_to_be_a_non_empty_string() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let id = unknown_id();
    let values = [
        json!([{ "id": id, "details": { "type": "" } }]),
        json!([{ "id": id, "details": { "type": 5 } }]),
        json!([{ "id": id, "details": { "type": null } }]),
    ];
    let message = "The following fields must be non-empty strings for all connection details: type";
    expect_connections_error(&app, &t, &values, message).await;
    app.stop().await;
}

#[tokio::test]
async fn put_project_of_another_root_is_403() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let other = other_root(&app).await;
    let theirs = new_project(&app, &other.token, &other.child, "Theirs").await;
    app.put(
        &project_url(&theirs),
        &t.token,
        &json!({ "name": "Mine now" }),
    )
    .await
    .assert_xponent_error(403, PROJECT_FORBIDDEN);
    let listed = list_projects(&app, &other.token, &other.child).await;
    assert_eq!(find(&listed, &theirs).unwrap()["name"], "Theirs");
    app.stop().await;
}

#[tokio::test]
async fn put_project_unknown_is_404_with_a_period() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let id = unknown_id();
    app.put(&project_url(&id), &token, &json!({ "name": "Ghost" }))
        .await
        .assert_xponent_error(404, &format!("Project with id '{id}' not found."));
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// DELETE /project/{project_id}
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn delete_project_returns_it_and_removes_it_from_the_list() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let doomed = create_project(
        &app,
        &t.token,
        &t.child,
        json!({ "name": "Doomed", "description": "Short-lived" }),
    )
    .await;
    let kept = new_project(&app, &t.token, &t.child, "Kept").await;
    let id = id_of(&doomed);

    let items = app
        .delete(&project_url(&id), &t.token)
        .await
        .xponent_items("projects");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(items[0]["name"], "Doomed");
    assert_eq!(items[0]["description"], "Short-lived");
    assert_eq!(
        sorted_ids(&list_projects(&app, &t.token, &t.child).await),
        vec![kept]
    );
    app.delete(&project_url(&id), &t.token)
        .await
        .assert_xponent_error(404, &format!("Project with id '{id}' not found"));
    app.stop().await;
}

#[tokio::test]
async fn delete_project_rejects_a_malformed_project_id() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    for id in ["abc".to_owned(), uuid_simple()] {
        let reply = app.delete(&project_url(&id), &token).await;
        expect_error(&reply, 400, "Invalid format for project id", &id);
    }
    app.stop().await;
}

#[tokio::test]
async fn delete_project_of_another_root_is_403() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let other = other_root(&app).await;
    let theirs = new_project(&app, &other.token, &other.child, "Theirs").await;
    app.delete(&project_url(&theirs), &t.token)
        .await
        .assert_xponent_error(403, PROJECT_FORBIDDEN);
    assert_eq!(
        sorted_ids(&list_projects(&app, &other.token, &other.child).await),
        vec![theirs]
    );
    app.stop().await;
}

#[tokio::test]
async fn delete_unknown_project_is_404_without_a_period() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let id = unknown_id();
    app.delete(&project_url(&id), &token)
        .await
        .assert_xponent_error(404, &format!("Project with id '{id}' not found"));
    app.stop().await;
}

#[tokio::test]
async fn a_template_whose_graphs_cannot_be_copied_is_the_documented_500() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let template = plain_template(&app, &t.child, "Damaged", false).await;
    app.raw_execute(&format!(
        "UPDATE templates SET graphs = 'not json' WHERE public_id = '{template}'"
    ))
    .await;
    app.post(
        &projects_url(&t.child),
        &t.token,
        &json!({ "name": "P", "description": "d", "templateId": template }),
    )
    .await
    .assert_xponent_error(
        500,
        "There was an issue generating from the template provided. Contact your organization's administrator.",
    );
    let projects = app
        .get(&projects_url(&t.child), &t.token)
        .await
        .xponent_items("projects");
    assert!(
        projects.is_empty(),
        "no project is left behind: {projects:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_in_the_envelope() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    let huge = json!({ "name": "x".repeat(3 * 1024 * 1024) });
    app.post("/xponent/org", &t.token, &huge)
        .await
        .assert_xponent_error(413, "Body is too large");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------
// Every change shows in GET /org on the next request (the server caches small subtrees)
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn get_org_shows_each_change_on_the_next_request() {
    let app = TestApp::spawn().await;
    let t = tree(&app).await;
    assert_eq!(list_orgs(&app, &t.token).await.len(), 4);

    let new = app.create_org(&t.token, "New", Some(&t.sibling)).await;
    assert_eq!(
        find(&list_orgs(&app, &t.token).await, &new).unwrap()["parentId"],
        t.sibling.as_str()
    );
    app.put(&org_url(&new), &t.token, &json!({ "name": "Renamed" }))
        .await
        .xponent_items("organizations");
    assert_eq!(
        find(&list_orgs(&app, &t.token).await, &new).unwrap()["name"],
        "Renamed"
    );
    app.put(&org_url(&new), &t.token, &json!({ "parentId": t.child }))
        .await
        .xponent_items("organizations");
    assert_eq!(
        find(&list_orgs(&app, &t.token).await, &new).unwrap()["parentId"],
        t.child.as_str()
    );
    app.delete(&org_url(&new), &t.token)
        .await
        .xponent_items("organizations");
    assert!(find(&list_orgs(&app, &t.token).await, &new).is_none());
    assert_eq!(list_orgs(&app, &t.token).await.len(), 4);
    app.stop().await;
}

#[tokio::test]
async fn get_org_lists_a_tree_of_several_pages_once_each_and_parents_first() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    // 1 + 10 + 10 × 109 = 1,101 organizations: the list is sent in more than one page.
    let child_names: Vec<String> = (0..10).map(|i| format!("Child {i}")).collect();
    let children = futures::future::join_all(
        child_names
            .iter()
            .map(|name| app.create_org(&token, name, None)),
    )
    .await;
    let mut parent_of = std::collections::HashMap::new();
    parent_of.insert(boot.organization_id.clone(), None);
    for child in &children {
        parent_of.insert(child.clone(), Some(boot.organization_id.clone()));
        let names: Vec<String> = (0..109).map(|i| format!("{child} {i}")).collect();
        let grandchildren = futures::future::join_all(
            names
                .iter()
                .map(|name| app.create_org(&token, name, Some(child))),
        )
        .await;
        for grandchild in grandchildren {
            parent_of.insert(grandchild, Some(child.clone()));
        }
    }

    let listed = list_orgs(&app, &token).await;
    assert_eq!(listed.len(), 1_101);
    let position: std::collections::HashMap<String, usize> = listed
        .iter()
        .enumerate()
        .map(|(i, org)| (id_of(org), i))
        .collect();
    assert_eq!(position.len(), 1_101, "an organization listed twice");
    assert_eq!(listed[0]["id"], boot.organization_id.as_str());
    assert!(listed[0]["parentId"].is_null());
    for org in &listed[1..] {
        let parent = parent_of[&id_of(org)].clone().expect("a parent");
        assert_eq!(org["parentId"], parent.as_str());
        assert!(
            position[&parent] < position[&id_of(org)],
            "parent after child"
        );
    }
    app.stop().await;
}
