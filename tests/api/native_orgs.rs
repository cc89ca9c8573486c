//! The native API's organization tree: create, read, rename and move (with `If-Match`),
//! delete (with `cascade`), children a cursor page at a time, subtree to a depth, ancestors.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};
use crate::native::{assert_problem, native_org, native_root, patch};

fn id(org: &Value) -> String {
    org["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_organization_is_created_below_a_parent_and_read_back() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let reply = app
        .post("/api/v1/orgs", &bearer, &json!({ "name": "Child" }))
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    assert_eq!(reply.body["parentId"], boot.organization_id.as_str());
    let child = id(&reply.body);
    assert_eq!(
        reply.headers["location"],
        format!("/api/v1/orgs/{child}").as_str()
    );
    let grandchild = native_org(&app, &bearer, "Grandchild", &child).await;
    assert_eq!(grandchild["parentId"], child.as_str());
    let read = app
        .get(&format!("/api/v1/orgs/{}", id(&grandchild)), &bearer)
        .await;
    assert_eq!(read.body, grandchild);
}

#[tokio::test]
async fn a_body_that_does_not_fit_is_a_422_problem_pointing_at_the_member() {
    let app = TestApp::spawn().await;
    let (_, bearer) = native_root(&app, "Root").await;
    let reply = app.post("/api/v1/orgs", &bearer, &json!({})).await;
    assert_problem(&reply, 422, "The field at '/name' is required");
    assert_eq!(reply.body["errors"][0]["pointer"], "/name");
    assert_eq!(reply.body["type"], "urn:orghub:problem:invalid-input");
    let reply = app
        .post(
            "/api/v1/orgs",
            &bearer,
            &json!({ "name": "x", "parentId": "nope" }),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["errors"][0]["pointer"], "/parentId");
    let reply = app
        .post("/api/v1/orgs", &bearer, &json!({ "name": " " }))
        .await;
    assert_problem(&reply, 422, "The field at '/name' must not be blank");
    let reply = app
        .send("POST", "/api/v1/orgs", Some(&bearer), Some("{not json"))
        .await;
    assert_problem(&reply, 400, "The request body is not JSON");
    let reply = app
        .send("POST", "/api/v1/orgs", Some(&bearer), Some(""))
        .await;
    assert_problem(
        &reply,
        400,
        "The request body is empty: a JSON object is expected",
    );
}

#[tokio::test]
async fn a_name_taken_in_the_tree_is_a_409() {
    let app = TestApp::spawn().await;
    let (_, bearer) = native_root(&app, "Root").await;
    app.post("/api/v1/orgs", &bearer, &json!({ "name": "Twin" }))
        .await;
    let reply = app
        .post("/api/v1/orgs", &bearer, &json!({ "name": "Twin" }))
        .await;
    assert_problem(
        &reply,
        409,
        "The name 'Twin' is already in use by another organization",
    );
}

#[tokio::test]
async fn a_rename_with_a_stale_etag_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let org = native_org(&app, &bearer, "Before", &boot.organization_id).await;
    let path = format!("/api/v1/orgs/{}", id(&org));
    let read = app.get(&path, &bearer).await;
    let etag = read.headers["etag"].to_str().unwrap().to_owned();
    // Another client renames it first.
    let first = patch(
        &app,
        &path,
        &bearer,
        Some(&etag),
        &json!({ "name": "First" }),
    )
    .await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(first.body["name"], "First");
    assert_ne!(first.headers["etag"].to_str().unwrap(), etag);
    // The second client's update, based on what it read, is lost no more: 412.
    let second = patch(
        &app,
        &path,
        &bearer,
        Some(&etag),
        &json!({ "name": "Second" }),
    )
    .await;
    assert_problem(
        &second,
        412,
        "The resource has changed since it was read (If-Match does not match its ETag): read it again",
    );
    assert_eq!(app.get(&path, &bearer).await.body["name"], "First");
    // Without If-Match the change is unconditional.
    let third = patch(&app, &path, &bearer, None, &json!({ "name": "Third" })).await;
    assert_eq!(third.body["name"], "Third");
    // A stale tag refuses a deletion too.
    let reply = app
        .send_with_headers(
            "DELETE",
            &path,
            &[("Authorization", &bearer), ("If-Match", &etag)],
            None,
        )
        .await;
    assert_eq!(reply.status, 412);
    assert_eq!(app.get(&path, &bearer).await.status, 200);
}

/// The tag is compared inside the change's transaction, under the tree's lock: of many
/// clients that read the same version and rename it at once, exactly one wins.
#[tokio::test]
async fn of_concurrent_renames_from_one_read_exactly_one_is_made() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let org = native_org(&app, &bearer, "Before", &boot.organization_id).await;
    let path = format!("/api/v1/orgs/{}", id(&org));
    let etag = app.get(&path, &bearer).await.headers["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let renames = (0..16).map(|i| {
        let body = json!({ "name": format!("Rename {i}") });
        let (app, path, bearer, etag) = (&app, &path, &bearer, &etag);
        async move { patch(app, path, bearer, Some(etag), &body).await }
    });
    let replies = futures::future::join_all(renames).await;
    let made: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
    assert_eq!(
        made.len(),
        1,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(replies.iter().all(|r| r.status == 200 || r.status == 412));
    assert_eq!(
        app.get(&path, &bearer).await.body["name"],
        made[0].body["name"]
    );
}

#[tokio::test]
async fn an_organization_moves_but_never_under_its_own_descendant() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let a = id(&native_org(&app, &bearer, "A", &boot.organization_id).await);
    let b = id(&native_org(&app, &bearer, "B", &boot.organization_id).await);
    let a1 = id(&native_org(&app, &bearer, "A1", &a).await);
    let reply = patch(
        &app,
        &format!("/api/v1/orgs/{a}"),
        &bearer,
        None,
        &json!({ "parentId": a1 }),
    )
    .await;
    assert_problem(
        &reply,
        409,
        &format!("Organization '{a}' cannot be moved under its own descendant '{a1}'"),
    );
    let reply = patch(
        &app,
        &format!("/api/v1/orgs/{a}"),
        &bearer,
        None,
        &json!({ "parentId": b }),
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["parentId"], b.as_str());
    let ancestors = app
        .get(&format!("/api/v1/orgs/{a1}/ancestors"), &bearer)
        .await;
    let names: Vec<&str> = ancestors
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Root", "B", "A"]);
    app.assert_tree_is_sound().await;
}

#[tokio::test]
async fn an_organization_with_children_is_deleted_only_with_cascade() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let a = id(&native_org(&app, &bearer, "A", &boot.organization_id).await);
    let a1 = id(&native_org(&app, &bearer, "A1", &a).await);
    let a11 = id(&native_org(&app, &bearer, "A11", &a1).await);
    let reply = app.delete(&format!("/api/v1/orgs/{a}"), &bearer).await;
    assert_problem(
        &reply,
        409,
        &format!(
            "Organization '{a}' has child organizations: delete them first, or pass cascade=true"
        ),
    );
    let reply = app
        .delete(&format!("/api/v1/orgs/{a}?cascade=maybe"), &bearer)
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["errors"][0]["parameter"], "cascade");
    let reply = app
        .delete(&format!("/api/v1/orgs/{a}?cascade=true"), &bearer)
        .await;
    assert_eq!(reply.status, 204);
    for gone in [&a, &a1, &a11] {
        assert_eq!(
            app.get(&format!("/api/v1/orgs/{gone}"), &bearer)
                .await
                .status,
            404
        );
    }
    let reply = app
        .delete(
            &format!("/api/v1/orgs/{}?cascade=true", boot.organization_id),
            &bearer,
        )
        .await;
    assert_problem(
        &reply,
        403,
        &format!(
            "Organization '{}' is the caller's own organization",
            boot.organization_id
        ),
    );
    app.assert_tree_is_sound().await;
}

#[tokio::test]
async fn children_come_a_cursor_page_at_a_time_and_inserts_meanwhile_shift_nothing() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let root = boot.organization_id.clone();
    let mut created = Vec::new();
    for n in 0..7 {
        created.push(id(
            &native_org(&app, &bearer, &format!("Child {n}"), &root).await
        ));
    }
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &next {
            Some(cursor) => format!("/api/v1/orgs/{root}/children?limit=3&cursor={cursor}"),
            None => format!("/api/v1/orgs/{root}/children?limit=3"),
        };
        let reply = app.get(&path, &bearer).await;
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        seen.extend(reply.body["items"].as_array().unwrap().iter().map(id));
        pages += 1;
        // Concurrent inserts while paging: they come after every id already seen.
        let extra = id(&native_org(&app, &bearer, &format!("Late {pages}"), &root).await);
        created.push(extra);
        match reply.body["next"].as_str() {
            Some(cursor) => next = Some(cursor.to_owned()),
            None => break,
        }
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no child twice");
    assert_eq!(
        seen,
        created[..seen.len()],
        "in creation order, none skipped"
    );
    let reply = app
        .get(&format!("/api/v1/orgs/{root}/children?limit=0"), &bearer)
        .await;
    assert_problem(&reply, 400, "The parameter 'limit' must be from 1 to 1000");
    let reply = app
        .get(
            &format!("/api/v1/orgs/{root}/children?cursor=garbage"),
            &bearer,
        )
        .await;
    assert_problem(
        &reply,
        400,
        "The parameter 'cursor' is not a cursor of this list",
    );
}

#[tokio::test]
async fn a_subtree_is_read_to_a_depth() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Root").await;
    let a = id(&native_org(&app, &bearer, "A", &boot.organization_id).await);
    let a1 = id(&native_org(&app, &bearer, "A1", &a).await);
    native_org(&app, &bearer, "A11", &a1).await;
    let names = |reply: Reply| -> Vec<String> {
        reply.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = app.get(&format!("/api/v1/orgs/{a}/subtree"), &bearer).await;
    assert_eq!(names(all), ["A", "A1", "A11"]);
    let one = app
        .get(&format!("/api/v1/orgs/{a}/subtree?depth=1"), &bearer)
        .await;
    assert_eq!(names(one), ["A", "A1"]);
    let paged = app
        .get(
            &format!("/api/v1/orgs/{a}/subtree?depth=2&limit=2"),
            &bearer,
        )
        .await;
    assert!(paged.body["next"].is_string());
    let reply = app
        .get(&format!("/api/v1/orgs/{a}/subtree?depth=65"), &bearer)
        .await;
    assert_problem(&reply, 400, "The parameter 'depth' must be from 0 to 64");
    let reply = app
        .get(&format!("/api/v1/orgs/{a}/subtree?depth=-1"), &bearer)
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["errors"][0]["parameter"], "depth");
}

#[tokio::test]
async fn a_caller_of_a_sibling_tree_sees_nothing_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (victim, victim_bearer) = native_root(&app, "Victim").await;
    let (_, intruder) = native_root(&app, "Intruder").await;
    let child = id(&native_org(&app, &victim_bearer, "Secret", &victim.organization_id).await);
    for path in [
        format!("/api/v1/orgs/{child}"),
        format!("/api/v1/orgs/{child}/children"),
        format!("/api/v1/orgs/{child}/subtree"),
        format!("/api/v1/orgs/{child}/ancestors"),
    ] {
        let reply = app.get(&path, &intruder).await;
        assert_problem(&reply, 404, &format!("No organization with id '{child}'"));
    }
    let reply = patch(
        &app,
        &format!("/api/v1/orgs/{child}"),
        &intruder,
        None,
        &json!({ "name": "Pwned" }),
    )
    .await;
    assert_eq!(reply.status, 404);
    let reply = app
        .post(
            "/api/v1/orgs",
            &intruder,
            &json!({ "name": "Implant", "parentId": child }),
        )
        .await;
    assert_eq!(reply.status, 404);
    let reply = app
        .delete(&format!("/api/v1/orgs/{child}?cascade=true"), &intruder)
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        app.get(&format!("/api/v1/orgs/{child}"), &victim_bearer)
            .await
            .body["name"],
        "Secret"
    );
}

#[tokio::test]
async fn a_tree_at_its_quota_gets_a_403_and_a_member_cannot_create() {
    let app = TestApp::spawn_with_quotas(orghub::service::Quotas {
        orgs: 2,
        ..orghub::service::Quotas::default()
    })
    .await;
    let (boot, bearer) = native_root(&app, "Root").await;
    native_org(&app, &bearer, "Second", &boot.organization_id).await;
    let reply = app
        .post("/api/v1/orgs", &bearer, &json!({ "name": "Third" }))
        .await;
    assert_problem(
        &reply,
        403,
        "The organization tree has reached its limit of 2 organizations",
    );
    let member = app
        .post(
            "/api/v1/users",
            &bearer,
            &json!({ "orgId": boot.organization_id, "name": "Mo", "email": "mo@root.test" }),
        )
        .await;
    let member = member.body["id"].as_str().unwrap().to_owned();
    let key = app
        .services
        .create_api_key(&orghub::domain::PublicId::parse(&member).unwrap())
        .await
        .unwrap()
        .key;
    // A Member reads its organization but changes nothing: what it may not administer is
    // answered as if it were not there.
    let member_bearer = format!("Bearer {key}");
    let path = format!("/api/v1/orgs/{}", boot.organization_id);
    assert_eq!(app.get(&path, &member_bearer).await.status, 200);
    let reply = patch(
        &app,
        &path,
        &member_bearer,
        None,
        &json!({ "name": "Mine" }),
    )
    .await;
    assert_problem(
        &reply,
        404,
        &format!("No organization with id '{}'", boot.organization_id),
    );
}
