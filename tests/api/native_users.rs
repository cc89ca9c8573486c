//! The native API's users: create, read, change (with `If-Match`), delete, list a cursor page
//! at a time with filters, role, password.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::native::{assert_problem, native_org, native_root};

async fn native_user(app: &TestApp, bearer: &str, org: &str, email: &str) -> Value {
    let reply = app
        .post(
            "/api/v1/users",
            bearer,
            &json!({ "orgId": org, "name": "Some One", "email": email }),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_user_is_created_read_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let user = native_user(&app, &bearer, &boot.organization_id, "one@root.test").await;
    assert_eq!(user["role"], "Member");
    assert_eq!(user["orgId"], boot.organization_id.as_str());
    assert_eq!(user["partner"], false);
    let path = format!("/api/v1/users/{}", id(&user));
    let read = app.get(&path, &bearer).await;
    assert_eq!(read.body, user);
    let etag = read.headers["etag"].to_str().unwrap().to_owned();
    let changed = app
        .send_with_headers(
            "PATCH",
            &path,
            &[
                ("Authorization", &bearer),
                ("If-Match", &etag),
                ("Content-Type", "application/json"),
            ],
            Some(r#"{"name":"New Name","email":"new@root.test"}"#),
        )
        .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.body["email"], "new@root.test");
    // The tag read before the change is stale now.
    let stale = app
        .send_with_headers(
            "PATCH",
            &path,
            &[
                ("Authorization", &bearer),
                ("If-Match", &etag),
                ("Content-Type", "application/json"),
            ],
            Some(r#"{"name":"Lost"}"#),
        )
        .await;
    assert_eq!(stale.status, 412);
    let role = app
        .put(
            &format!("{path}/role"),
            &bearer,
            &json!({ "role": "Owner" }),
        )
        .await;
    assert_eq!(role.body["role"], "Owner");
    let reply = app
        .put(&format!("{path}/role"), &bearer, &json!({ "role": "King" }))
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["errors"][0]["pointer"], "/role");
    // A fellow Owner of the caller's own organization is out of its reach.
    let reply = app.delete(&path, &bearer).await;
    assert_problem(
        &reply,
        403,
        &format!(
            "User '{}' is beyond the caller's reach: a fellow Owner, or a partner",
            id(&user)
        ),
    );
    let member = native_user(&app, &bearer, &boot.organization_id, "two@root.test").await;
    let path = format!("/api/v1/users/{}", id(&member));
    assert_eq!(app.delete(&path, &bearer).await.status, 204);
    let reply = app.get(&path, &bearer).await;
    assert_problem(&reply, 404, &format!("No user with id '{}'", id(&member)));
}

#[tokio::test]
async fn a_password_is_set_and_signs_the_user_in() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let user = native_user(&app, &bearer, &boot.organization_id, "pw@root.test").await;
    let path = format!("/api/v1/users/{}/password", id(&user));
    let reply = app
        .put(&path, &bearer, &json!({ "password": "short" }))
        .await;
    assert_problem(
        &reply,
        422,
        "The field at '/password' must be at least 8 characters",
    );
    let reply = app
        .put(&path, &bearer, &json!({ "password": "a long enough one" }))
        .await;
    assert_eq!(reply.status, 204, "{:?}", reply.body);
    let (token, _) = app
        .surfsight_sign_in("pw@root.test", "a long enough one")
        .await;
    assert!(!token.is_empty());
}

#[tokio::test]
async fn an_email_in_use_and_a_bad_email_are_refused() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    native_user(&app, &bearer, &boot.organization_id, "twin@root.test").await;
    let reply = app
        .post(
            "/api/v1/users",
            &bearer,
            &json!({ "orgId": boot.organization_id, "name": "Two", "email": "TWIN@root.test" }),
        )
        .await;
    assert_eq!(reply.status, 409, "{:?}", reply.body);
    let reply = app
        .post(
            "/api/v1/users",
            &bearer,
            &json!({ "orgId": boot.organization_id, "name": "Two", "email": "not-an-email" }),
        )
        .await;
    assert_problem(
        &reply,
        422,
        "The field at '/email' 'not-an-email' is not an email address",
    );
}

#[tokio::test]
async fn users_are_listed_a_page_at_a_time_and_filtered_by_org_and_email() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let child = id(&native_org(&app, &bearer, "Child", &boot.organization_id).await);
    for n in 0..3 {
        native_user(
            &app,
            &bearer,
            &boot.organization_id,
            &format!("r{n}@root.test"),
        )
        .await;
    }
    native_user(&app, &bearer, &child, "c@root.test").await;
    // The owner and five users, two a page.
    let mut emails = Vec::new();
    let mut path = "/api/v1/users?limit=2".to_owned();
    loop {
        let reply = app.get(&path, &bearer).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        for user in reply.body["items"].as_array().unwrap() {
            emails.push(user["email"].as_str().unwrap().to_owned());
        }
        match reply.body["next"].as_str() {
            Some(next) => path = format!("/api/v1/users?limit=2&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(
        emails,
        [
            "owner@root.test",
            "r0@root.test",
            "r1@root.test",
            "r2@root.test",
            "c@root.test"
        ]
    );
    let reply = app
        .get(&format!("/api/v1/users?orgId={child}"), &bearer)
        .await;
    assert_eq!(reply.body["items"].as_array().unwrap().len(), 1);
    let reply = app.get("/api/v1/users?email=R1@Root.test", &bearer).await;
    assert_eq!(reply.body["items"][0]["email"], "r1@root.test");
    let reply = app.get("/api/v1/users?orgId=nope", &bearer).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["errors"][0]["parameter"], "orgId");
}

#[tokio::test]
async fn another_trees_users_are_out_of_sight_and_reach() {
    let app = TestApp::spawn().await;
    let (victim, victim_bearer) = native_root(&app, "Victim").await;
    let (_, intruder) = native_root(&app, "Intruder").await;
    let user = id(&native_user(
        &app,
        &victim_bearer,
        &victim.organization_id,
        "v@victim.test",
    )
    .await);
    let path = format!("/api/v1/users/{user}");
    assert_eq!(app.get(&path, &intruder).await.status, 404);
    assert_eq!(app.delete(&path, &intruder).await.status, 404);
    let reply = app
        .put(
            &format!("{path}/password"),
            &intruder,
            &json!({ "password": "taken over!" }),
        )
        .await;
    assert_eq!(reply.status, 404);
    let reply = app
        .get(
            &format!("/api/v1/users?orgId={}", victim.organization_id),
            &intruder,
        )
        .await;
    assert_eq!(reply.status, 404);
    let reply = app
        .get("/api/v1/users?email=v@victim.test", &intruder)
        .await;
    assert_eq!(reply.body["items"], json!([]));
}

/// The tag is compared inside the change's transaction, on the locked user: of many clients
/// that read the same version and change it at once, exactly one wins; a deletion from that
/// read is refused after it.
#[tokio::test]
async fn of_concurrent_changes_from_one_read_exactly_one_is_made() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let user = native_user(&app, &bearer, &boot.organization_id, "race@root.test").await;
    let path = format!("/api/v1/users/{}", id(&user));
    let etag = app.get(&path, &bearer).await.headers["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let headers = [
        ("Authorization", bearer.as_str()),
        ("If-Match", etag.as_str()),
        ("Content-Type", "application/json"),
    ];
    let changes = (0..16).map(|i| {
        let body = format!(r#"{{"name":"Name {i}"}}"#);
        let (app, path, headers) = (&app, &path, &headers);
        async move {
            app.send_with_headers("PATCH", path, headers, Some(&body))
                .await
        }
    });
    let replies = futures::future::join_all(changes).await;
    let statuses: Vec<_> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 412),
        "{statuses:?}"
    );
    let delete = app
        .send_with_headers("DELETE", &path, &headers[..2], None)
        .await;
    assert_problem(
        &delete,
        412,
        "The resource has changed since it was read (If-Match does not match its ETag): read it again",
    );
    assert_eq!(app.get(&path, &bearer).await.status, 200);
}
