//! Cloud Conformity groups and users: every documented error word for word, who may do what,
//! and how Conformity roles map onto orghub's.

use crate::helpers::{Reply, TestApp, unknown_id};
use serde_json::{Value, json};

const GROUP_ADMINS: &str = "Only organisation admins can manage groups";
const USER_ADMINS: &str = "Only organisation admins can manage users";
const NAME_CHARS: &str = "name must be 3 to 100 letters, digits, spaces or \" - _ ' # & : , . / |";

fn group(name: Value, tags: Value) -> Value {
    json!({ "data": { "attributes": { "name": name, "tags": tags } } })
}

fn invite(email: &str, role: &str, access: Value) -> Value {
    json!({ "data": { "attributes": {
        "firstName": "Cool", "lastName": "Claude", "email": email, "role": role,
        "accessList": access,
    } } })
}

#[track_caller]
fn assert_422(reply: &Reply, detail: &str, pointer: &str) {
    reply.assert_conformity_error(422, detail, Some(pointer));
}

#[tokio::test]
async fn groups_are_checked_as_documented() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let name_cases = [
        (json!(null), "name is required"),
        (json!("  "), "name is required"),
        (json!(3), "name must be a string"),
        (json!("ab"), NAME_CHARS),
        (json!("a".repeat(101)), NAME_CHARS),
        (json!("semi;colon"), NAME_CHARS),
    ];
    let tag_cases = [
        (json!("dev"), "tags must be an array of strings".to_owned()),
        (json!([1]), "tags must be an array of strings".into()),
        (json!(vec!["t"; 51]), "tags may hold at most 50 tags".into()),
        (
            json!(["x".repeat(81)]),
            format!(
                "'{}' is not a valid tag: 1 to 80 letters, digits, spaces, - or _",
                "x".repeat(81)
            ),
        ),
        (
            json!([""]),
            "'' is not a valid tag: 1 to 80 letters, digits, spaces, - or _".into(),
        ),
    ];
    for (name, detail) in &name_cases {
        let reply = app
            .conformity(
                "POST",
                "/groups",
                key,
                Some(&group(name.clone(), json!([]))),
            )
            .await;
        assert_422(&reply, detail, "/data/attributes/name");
    }
    for (tags, detail) in &tag_cases {
        let reply = app
            .conformity(
                "POST",
                "/groups",
                key,
                Some(&group(json!("Dev"), tags.clone())),
            )
            .await;
        assert_422(&reply, detail, "/data/attributes/tags");
    }
    app.conformity("POST", "/groups", key, Some(&json!({ "data": {} })))
        .await
        .assert_conformity_error(
            422,
            "The document's data must have an attributes object",
            Some("/data/attributes"),
        );
    assert_eq!(
        app.conformity("GET", "/groups", key, None)
            .await
            .conformity_data(),
        json!([]),
        "nothing was created"
    );

    // The documented characters; tags optional.
    let created = app
        .conformity(
            "POST",
            "/groups",
            key,
            Some(&json!({ "data": { "attributes": { "name": "New-Test group #1: a/b | \"c\", d.e & f'g" } } })),
        )
        .await
        .conformity_data();
    assert_eq!(created["attributes"]["tags"], json!([]));
    let id = created["id"].as_str().unwrap();
    let path = format!("/groups/{id}");
    for (name, detail) in &name_cases[1..] {
        let body = json!({ "data": { "attributes": { "name": name } } });
        let reply = app.conformity("PATCH", &path, key, Some(&body)).await;
        assert_422(&reply, detail, "/data/attributes/name");
    }
    for (tags, detail) in &tag_cases {
        let body = json!({ "data": { "attributes": { "tags": tags } } });
        let reply = app.conformity("PATCH", &path, key, Some(&body)).await;
        assert_422(&reply, detail, "/data/attributes/tags");
    }
    // A member not given keeps its value.
    let renamed = app
        .conformity(
            "PATCH",
            &path,
            key,
            Some(&json!({ "data": { "attributes": { "tags": ["prod"] } } })),
        )
        .await
        .conformity_data();
    assert_eq!(renamed["attributes"]["name"], created["attributes"]["name"]);
    assert_eq!(renamed["attributes"]["tags"], json!(["prod"]));

    let unknown = unknown_id();
    for (method, id, body) in [
        ("GET", unknown.as_str(), None),
        (
            "PATCH",
            unknown.as_str(),
            Some(group(json!("Dev"), json!([]))),
        ),
        ("DELETE", unknown.as_str(), None),
        ("GET", "nope", None),
        ("PATCH", "nope", Some(group(json!("Dev"), json!([])))),
        ("DELETE", "nope", None),
    ] {
        app.conformity(method, &format!("/groups/{id}"), key, body.as_ref())
            .await
            .assert_conformity_error(404, &format!("Group {id} was not found"), None);
    }
    app.stop().await;
}

#[tokio::test]
async fn members_read_groups_but_do_not_manage_them() {
    let app = TestApp::spawn().await;
    let (boot, owner) = app.root_with_token().await;
    let created = app
        .conformity(
            "POST",
            "/groups",
            &boot.api_key,
            Some(&group(json!("Prod"), json!(["prod"]))),
        )
        .await
        .conformity_data();
    let id = created["id"].as_str().unwrap();
    let (_, member) = app
        .user_with_key(&owner, &boot.organization_id, "mo@root.test", "Member")
        .await;
    assert_eq!(
        app.conformity("GET", "/groups", &member, None)
            .await
            .conformity_data(),
        json!([created])
    );
    assert_eq!(
        app.conformity("GET", &format!("/groups/{id}"), &member, None)
            .await
            .conformity_data(),
        json!([created])
    );
    for (method, path, body) in [
        (
            "POST",
            "/groups".to_owned(),
            Some(group(json!("Dev"), json!([]))),
        ),
        (
            "PATCH",
            format!("/groups/{id}"),
            Some(group(json!("Dev"), json!([]))),
        ),
        ("DELETE", format!("/groups/{id}"), None),
    ] {
        app.conformity(method, &path, &member, body.as_ref())
            .await
            .assert_conformity_error(403, GROUP_ADMINS, None);
    }
    app.stop().await;
}

#[tokio::test]
async fn invitations_are_checked_as_documented_and_leave_nothing_when_refused() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let account = app.conformity_add_account(key, "Prod").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = invite(
        "cc@acme.test",
        "USER",
        json!([{ "account": account, "level": "FULL" }]),
    );
    let attribute = |member: &str, value: Value| {
        let mut body = body.clone();
        body["data"]["attributes"][member] = value;
        body
    };
    let shape = "accessList must be an array of {account, level} objects";
    let cases = [
        (
            attribute("firstName", json!(null)),
            "firstName is required".to_owned(),
            "/data/attributes/firstName",
        ),
        (
            attribute("firstName", json!(1)),
            "firstName must be a string".into(),
            "/data/attributes/firstName",
        ),
        (
            attribute("lastName", json!(" ")),
            "lastName is required".into(),
            "/data/attributes/lastName",
        ),
        (
            attribute("lastName", json!([])),
            "lastName must be a string".into(),
            "/data/attributes/lastName",
        ),
        (
            attribute("email", json!(null)),
            "email is required".into(),
            "/data/attributes/email",
        ),
        (
            attribute("email", json!(1)),
            "email must be a string".into(),
            "/data/attributes/email",
        ),
        (
            attribute("email", json!("not an email")),
            "'not an email' is not a valid email address".into(),
            "/data/attributes/email",
        ),
        (
            attribute("role", json!(null)),
            "role is required".into(),
            "/data/attributes/role",
        ),
        (
            attribute("role", json!(2)),
            "role must be a string".into(),
            "/data/attributes/role",
        ),
        (
            attribute("role", json!("POWER_USER")),
            "role must be ADMIN or USER".into(),
            "/data/attributes/role",
        ),
        (
            attribute("role", json!("admin")),
            "role must be ADMIN or USER".into(),
            "/data/attributes/role",
        ),
        (
            attribute("accessList", json!({})),
            shape.into(),
            "/data/attributes/accessList",
        ),
        (
            attribute("accessList", json!([1])),
            shape.into(),
            "/data/attributes/accessList",
        ),
        (
            attribute("accessList", json!([{ "account": account }])),
            shape.into(),
            "/data/attributes/accessList",
        ),
        (
            attribute(
                "accessList",
                json!([{ "account": account, "level": "WRITE" }]),
            ),
            "'WRITE' is not an access level: NONE, READONLY or FULL".into(),
            "/data/attributes/accessList",
        ),
        (
            attribute(
                "accessList",
                json!([{ "account": account, "level": "FULL" }, { "account": "elsewhere", "level": "NONE" }]),
            ),
            "'elsewhere' is not an account of this organisation".into(),
            "/data/attributes/accessList",
        ),
    ];
    for route in ["/users", "/users/sso"] {
        for (body, detail, pointer) in &cases {
            let reply = app.conformity("POST", route, key, Some(body)).await;
            assert_422(&reply, detail, pointer);
        }
    }
    // The refused invitations created no user: the email is still free.
    let created = app
        .conformity("POST", "/users", key, Some(&body))
        .await
        .conformity_data();
    assert_eq!(created["attributes"]["email"], "cc@acme.test");
    for route in ["/users", "/users/sso"] {
        app.conformity(
            "POST",
            route,
            key,
            Some(&attribute("email", json!("CC@acme.test"))),
        )
        .await
        .assert_conformity_error(409, "The email 'CC@acme.test' is already in use", None);
    }
    app.stop().await;
}

#[tokio::test]
async fn users_are_read_changed_and_revoked_by_admins_only() {
    let app = TestApp::spawn().await;
    let (boot, owner) = app.root_with_token().await;
    let key = &boot.api_key;
    let account = app.conformity_add_account(key, "Prod").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (member_id, member) = app
        .user_with_key(&owner, &boot.organization_id, "mo@root.test", "Member")
        .await;
    let invited = app
        .conformity(
            "POST",
            "/users",
            key,
            Some(&invite("cc@root.test", "USER", json!([]))),
        )
        .await
        .conformity_data();
    let id = invited["id"].as_str().unwrap().to_owned();

    // Everyone reads a user; only admins list them.
    let read = app
        .conformity("GET", &format!("/users/{id}"), &member, None)
        .await
        .conformity_data();
    assert_eq!(read, invited);
    app.conformity("GET", "/users", &member, None)
        .await
        .assert_conformity_error(403, USER_ADMINS, None);
    let listed = app
        .conformity("GET", "/users/", key, None)
        .await
        .conformity_data();
    let emails: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["attributes"]["email"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(emails, ["owner@root.test", "mo@root.test", "cc@root.test"]);
    // A Member made through Xponent is READ_ONLY to Conformity, an Owner ADMIN.
    assert_eq!(listed[0]["attributes"]["role"], "ADMIN");
    assert_eq!(listed[1]["attributes"]["role"], "READ_ONLY");
    assert_eq!(listed[1]["attributes"]["first-name"], "Some");
    assert_eq!(listed[1]["attributes"]["last-name"], "One");
    assert_eq!(listed[2], invited);

    // PATCH checks its document: `role` and `accessList` are members of `data`.
    let path = format!("/users/{id}");
    let shape = "accessList must be an array of {account, level} objects";
    let cases = [
        (
            json!({ "data": {} }),
            "role is required".to_owned(),
            "/data/role",
        ),
        (
            json!({ "data": { "role": 1 } }),
            "role must be a string".into(),
            "/data/role",
        ),
        (
            json!({ "data": { "role": "OWNER" } }),
            "role must be ADMIN, POWER_USER, READ_ONLY or USER".into(),
            "/data/role",
        ),
        (
            json!({ "data": { "role": "USER" } }),
            "accessList is required for the USER role".into(),
            "/data/accessList",
        ),
        (
            json!({ "data": { "role": "USER", "accessList": "all" } }),
            shape.into(),
            "/data/accessList",
        ),
        (
            json!({ "data": { "role": "USER", "accessList": [{ "account": account, "level": "ALL" }] } }),
            "'ALL' is not an access level: NONE, READONLY or FULL".into(),
            "/data/accessList",
        ),
        (
            json!({ "data": { "role": "USER", "accessList": [{ "account": unknown_id(), "level": "FULL" }] } }),
            String::new(),
            "/data/accessList",
        ),
    ];
    for (body, detail, pointer) in cases {
        let reply = app.conformity("PATCH", &path, key, Some(&body)).await;
        let detail = if detail.is_empty() {
            let account = body["data"]["accessList"][0]["account"].as_str().unwrap();
            format!("'{account}' is not an account of this organisation")
        } else {
            detail
        };
        assert_422(&reply, &detail, pointer);
    }
    let admin = json!({ "data": { "role": "ADMIN" } });
    for (method, body) in [("PATCH", Some(&admin)), ("DELETE", None)] {
        app.conformity(method, &path, &member, body)
            .await
            .assert_conformity_error(403, USER_ADMINS, None);
    }
    for (method, body) in [("POST", "/users"), ("POST", "/users/sso")] {
        app.conformity(
            method,
            body,
            &member,
            Some(&invite("x@root.test", "USER", json!([]))),
        )
        .await
        .assert_conformity_error(403, USER_ADMINS, None);
    }
    // Nothing changed.
    assert_eq!(
        app.conformity("GET", &path, key, None)
            .await
            .conformity_data(),
        invited
    );

    // An admin may not revoke itself; unknown users are not found.
    app.conformity("DELETE", &format!("/users/{}", boot.user_id), key, None)
        .await
        .assert_conformity_error(403, "You cannot revoke yourself", None);
    let unknown = unknown_id();
    for (method, id, body) in [
        ("GET", unknown.as_str(), None),
        ("PATCH", unknown.as_str(), Some(&admin)),
        ("DELETE", unknown.as_str(), None),
        ("GET", "nope", None),
        ("PATCH", "nope", Some(&admin)),
        ("DELETE", "nope", None),
    ] {
        app.conformity(method, &format!("/users/{id}"), key, body)
            .await
            .assert_conformity_error(404, &format!("User {id} was not found"), None);
    }
    // A POWER_USER is an orghub Member: it reads, it does not administer.
    app.conformity(
        "PATCH",
        &format!("/users/{member_id}"),
        key,
        Some(&json!({ "data": { "role": "POWER_USER" } })),
    )
    .await
    .conformity_data();
    let me = app
        .conformity("GET", "/users/whoami", &member, None)
        .await
        .conformity_data();
    assert_eq!(me["attributes"]["role"], "POWER_USER");
    app.conformity("GET", "/users", &member, None)
        .await
        .assert_conformity_error(403, USER_ADMINS, None);
    // Made ADMIN, it administers.
    app.conformity("PATCH", &format!("/users/{member_id}"), key, Some(&admin))
        .await
        .conformity_data();
    app.conformity("GET", "/users", &member, None)
        .await
        .conformity_data();
    app.stop().await;
}

#[tokio::test]
async fn whoami_needs_a_user() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Partner", "partner@fleet.test").await;
    let (token, _) = app
        .surfsight_sign_in("partner@fleet.test", crate::helpers::OWNER_PASSWORD)
        .await;
    let (org_id, secret) = app.surfsight_create_org(&token, "Fleet One").await;
    let jwt = crate::helpers::sso_jwt(
        &secret,
        &json!({ "organizationId": org_id, "timestamp": crate::helpers::sso_timestamp(0) }),
        jsonwebtoken::Algorithm::HS256,
    );
    let admin = app
        .get("/surfsight/v2/organizations/sso", &format!("Bearer {jwt}"))
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.send(
        "GET",
        "/conformity/v1/users/whoami",
        Some(&format!("Bearer {admin}")),
        None,
    )
    .await
    .assert_conformity_error(
        403,
        "These credentials are an organisation's, not a user's",
        None,
    );
    // The organization admin token administers its organisation's users all the same.
    let listed = app
        .send(
            "GET",
            "/conformity/v1/users",
            Some(&format!("Bearer {admin}")),
            None,
        )
        .await
        .conformity_data();
    assert_eq!(listed, json!([]));
    drop(boot);
    app.stop().await;
}
