//! idOS hooks (with a real handshake against a local receiver), members, membership and
//! invitations: every action's success and documented errors, and tenant isolation.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::StatusCode as AxumStatus;
use axum::routing::get;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::idos::{Tenant, assert_idos_error, idos, jwt, tenant};

/// A local hook receiver: `/ok` answers 204, `/wrong` 200, `/redirect` 302 to `/ok`; the
/// number of handshakes it saw.
async fn receiver() -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let router = axum::Router::new()
        .route(
            "/ok",
            get(move || {
                let counted = counted.clone();
                async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    AxumStatus::NO_CONTENT
                }
            }),
        )
        .route("/wrong", get(|| async { AxumStatus::OK }))
        .route(
            "/redirect",
            get(|| async { (AxumStatus::FOUND, [("location", "/ok")]) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}"), calls)
}

async fn credential(app: &TestApp, t: &Tenant) -> String {
    let reply = idos(
        app,
        "POST",
        &format!("/companies/{}/credentials", t.slug),
        Some(&t.auth()),
        Some(json!({"name": "Hooks key"})),
    )
    .await;
    reply.body["data"]["public"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn hooks_are_stored_after_a_handshake() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Hooked").await;
    let key = credential(&app, &t).await;
    let (receiver, calls) = receiver().await;
    let base = format!("/companies/{}/credentials/{key}/hooks", t.slug);
    let auth = t.auth();

    // The blueprint's form: an idOS trigger, booleans as strings.
    let reply = idos(&app, "POST", &base, Some(&auth), Some(json!({"trigger": "company.create", "url": format!("{receiver}/ok"), "subscribed": "false"}))).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let hook = reply.body["data"].clone();
    assert_eq!(hook["trigger"], json!("organization.created"));
    assert_eq!(hook["url"], json!(format!("{receiver}/ok")));
    assert_eq!(hook["subscribed"], json!(false));
    let id = hook["id"].as_i64().unwrap();

    for (url, message) in [
        (
            format!("{receiver}/wrong"),
            "Failed to perform hook handshake: the URL answered 200 instead of 204 No Content",
        ),
        (
            format!("{receiver}/redirect"),
            "Failed to perform hook handshake: the URL answered 302 instead of 204 No Content",
        ),
        (
            "http://127.0.0.1:9/nothing".to_owned(),
            "Failed to perform hook handshake: the URL could not be reached",
        ),
    ] {
        let reply = idos(
            &app,
            "POST",
            &base,
            Some(&auth),
            Some(json!({"trigger": "user.created", "url": url})),
        )
        .await;
        assert_idos_error(&reply, 400, "HOOK_HANDSHAKE_FAILED", message);
    }
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"trigger": "company.explode", "url": format!("{receiver}/ok")})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("'company.explode' is not an event type; one of: organization.created, ")
    );
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"trigger": "user.created", "url": "ftp://x"})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "url must be an http or https URL",
    );
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"url": format!("{receiver}/ok")})),
    )
    .await;
    assert_idos_error(&reply, 400, "VALIDATION_ERROR", "trigger is required");
    // Nothing was stored by the failures.
    let reply = idos(&app, "GET", &base, Some(&auth), None).await;
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 1);
    assert!(reply.body["updated"].is_i64());

    let one = format!("{base}/{id}");
    let reply = idos(&app, "PATCH", &one, Some(&auth), Some(json!({"trigger": "company.update", "url": format!("{receiver}/ok"), "subscribed": "true"}))).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["data"]["trigger"], json!("organization.updated"));
    assert_eq!(reply.body["data"]["subscribed"], json!(true));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let reply = idos(
        &app,
        "PATCH",
        &one,
        Some(&auth),
        Some(json!({"url": format!("{receiver}/wrong")})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = idos(&app, "GET", &one, Some(&auth), None).await;
    assert_eq!(reply.body["data"]["url"], json!(format!("{receiver}/ok")));

    // Hook URLs are sealed at rest.
    assert!(
        !app.raw_database_text()
            .await
            .contains(&format!("{receiver}/ok"))
    );

    let reply = idos(&app, "DELETE", &one, Some(&auth), None).await;
    assert_eq!(reply.body, json!({"status": true, "deleted": 1}));
    let reply = idos(&app, "GET", &one, Some(&auth), None).await;
    assert_idos_error(&reply, 404, "NOT_FOUND", &format!("Hook {id} not found"));
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{}/credentials/ffff/hooks", t.slug),
        Some(&auth),
        None,
    )
    .await;
    assert_idos_error(&reply, 404, "NOT_FOUND", "Credential ffff not found");
}

#[tokio::test]
async fn members_are_the_users_of_the_organization() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Members Co").await;
    let auth = t.auth();
    let base = format!("/companies/{}/members", t.slug);
    let reply = idos(&app, "GET", &base, Some(&auth), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let members = reply.body["data"].as_array().unwrap().clone();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0]["role"], json!("company.owner"));
    assert_eq!(members[0]["user_id"], json!(t.user_id));
    assert!(members[0]["identity_id"].is_i64());
    let own_id = members[0]["id"].as_i64().unwrap();

    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{}/membership", t.slug),
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(reply.body["data"]["id"], json!(own_id));

    // An invitation adds a member at once.
    let key = credential(&app, &t).await;
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(3)).date();
    let reply = idos(&app, "POST", &format!("/companies/{}/invitations", t.slug), Some(&auth), Some(json!({
        "role": "company.reviewer", "email": "jhondoe@idos.io", "name": "jhon", "credentialPubKey": key, "expires": expires.to_string()}))).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let invitation = reply.body["data"].clone();
    assert_eq!(invitation["voided"], json!(false));
    assert_eq!(invitation["role"], json!("company.reviewer"));
    assert_eq!(
        invitation["expires"],
        json!(expires.midnight().assume_utc().unix_timestamp())
    );
    let member_id = invitation["member_id"].as_i64().unwrap();
    let invitation_id = invitation["id"].as_i64().unwrap();

    let reply = idos(
        &app,
        "GET",
        &format!("{base}/{member_id}"),
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(reply.body["data"]["email"], json!("jhondoe@idos.io"));
    assert_eq!(reply.body["data"]["role"], json!("company.reviewer"));
    assert!(reply.body["data"].get("identity_id").is_none());

    let reply = idos(
        &app,
        "PATCH",
        &format!("{base}/{member_id}"),
        Some(&auth),
        Some(json!({"role": "company.admin"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["data"]["role"], json!("company.admin"));
    let reply = idos(
        &app,
        "PATCH",
        &format!("{base}/{member_id}"),
        Some(&auth),
        Some(json!({"role": "king"})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "'king' is not a role: company.owner, company.admin or company.reviewer",
    );

    // The invited member's identity uses the invitation; as a reviewer it reads but does not administer.
    let reply = idos(
        &app,
        "PATCH",
        &format!("{base}/{member_id}"),
        Some(&auth),
        Some(json!({"role": "company.reviewer"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let user_id = reply.body["data"]["user_id"].as_str().unwrap().to_owned();
    let keys = app
        .services
        .create_identity(&orghub::domain::PublicId::parse(&user_id).unwrap())
        .await
        .unwrap();
    let reviewer = format!(
        "IdentityToken {}",
        jwt(&keys.private_key, &json!({"iss": keys.public_key}))
    );
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{}/membership", t.slug),
        Some(&reviewer),
        None,
    )
    .await;
    assert_eq!(reply.body["data"]["role"], json!("company.reviewer"));
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{}/credentials", t.slug),
        Some(&reviewer),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = idos(&app, "GET", &base, Some(&reviewer), None).await;
    assert_idos_error(
        &reply,
        403,
        "NOT_ALLOWED",
        "Not Allowed: the credential does not allow this action on this company",
    );
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{}/invitations", t.slug),
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(reply.body["data"][0]["voided"], json!(true));

    // Errors.
    let reply = idos(
        &app,
        "DELETE",
        &format!("{base}/{own_id}"),
        Some(&auth),
        None,
    )
    .await;
    assert_idos_error(&reply, 403, "NOT_ALLOWED", "A member cannot remove itself");
    let reply = idos(&app, "GET", &format!("{base}/999999"), Some(&auth), None).await;
    assert_idos_error(&reply, 404, "NOT_FOUND", "Member 999999 not found");

    let reply = idos(
        &app,
        "DELETE",
        &format!("{base}/{member_id}"),
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(reply.body, json!({"status": true, "deleted": 1}));
    // Its invitation went with it.
    let reply = idos(
        &app,
        "PATCH",
        &format!("/companies/{}/invitations/{invitation_id}", t.slug),
        Some(&auth),
        Some(json!({})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn invitations_can_be_changed_and_withdrawn() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Invites Co").await;
    let auth = t.auth();
    let key = credential(&app, &t).await;
    let base = format!("/companies/{}/invitations", t.slug);
    let body = |email: &str| json!({"role": "company.owner", "email": email, "name": "Jane", "credentialPubKey": key});

    let reply = idos(&app, "POST", &base, Some(&auth), Some(body("jane@idos.io"))).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let id = reply.body["data"]["id"].as_i64().unwrap();
    let member = reply.body["data"]["member_id"].as_i64().unwrap();
    // Without `expires`, a day from now.
    let expires = reply.body["data"]["expires"].as_i64().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(
        (now + 86_300..=now + 86_500).contains(&expires),
        "{expires}"
    );

    let reply = idos(&app, "POST", &base, Some(&auth), Some(body("jane@idos.io"))).await;
    assert_idos_error(
        &reply,
        409,
        "CONFLICT",
        "The email 'jane@idos.io' is already in use",
    );
    let reply = idos(&app, "POST", &base, Some(&auth), Some(json!({"role": "company.owner", "email": "x@idos.io", "name": "X", "credentialPubKey": key, "expires": "2016-11-23"}))).await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "Invalid expiration date. Min: 1 day, Max: 7 days from today",
    );
    let reply = idos(&app, "POST", &base, Some(&auth), Some(json!({"role": "company.owner", "email": "x@idos.io", "name": "X", "credentialPubKey": "wqxehuwqwsthwosjbxwwsqwsdi"}))).await;
    assert_idos_error(
        &reply,
        404,
        "NOT_FOUND",
        "Credential wqxehuwqwsthwosjbxwwsqwsdi not found",
    );
    let reply = idos(&app, "POST", &base, Some(&auth), Some(json!({"role": "company.owner", "email": "not-an-email", "name": "X", "credentialPubKey": key}))).await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "'not-an-email' is not a valid email address",
    );

    let in_five = (time::OffsetDateTime::now_utc() + time::Duration::days(5)).date();
    // Both spellings of the route: the blueprint's `/invitation/` and the server's `/invitations/`.
    for path in [
        format!("{base}/{id}"),
        format!("/companies/{}/invitation/{id}", t.slug),
    ] {
        let reply = idos(
            &app,
            "PATCH",
            &path,
            Some(&auth),
            Some(json!({"expires": in_five.to_string()})),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert_eq!(
            reply.body["data"]["expires"],
            json!(in_five.midnight().assume_utc().unix_timestamp())
        );
        assert!(reply.body["updated"].is_i64());
    }
    let reply = idos(&app, "GET", &base, Some(&auth), None).await;
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 1);

    // Withdrawn before it was used: its member goes too.
    let reply = idos(
        &app,
        "DELETE",
        &format!("/companies/{}/invitation/{id}", t.slug),
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(reply.body, json!({"status": true, "deleted": 1}));
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{}/members/{member}", t.slug),
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = idos(&app, "DELETE", &format!("{base}/{id}"), Some(&auth), None).await;
    assert_idos_error(
        &reply,
        404,
        "NOT_FOUND",
        &format!("Invitation {id} not found"),
    );
}

#[tokio::test]
async fn hooks_members_and_invitations_stay_in_their_company() {
    let app = TestApp::spawn().await;
    let a = tenant(&app, "Alpha").await;
    let b = tenant(&app, "Beta").await;
    let key = credential(&app, &a).await;
    let (receiver, calls) = receiver().await;
    let hook = idos(
        &app,
        "POST",
        &format!("/companies/{}/credentials/{key}/hooks", a.slug),
        Some(&a.auth()),
        Some(json!({"trigger": "user.created", "url": format!("{receiver}/ok")})),
    )
    .await;
    let hook = hook.body["data"]["id"].as_i64().unwrap();
    let invitation = idos(&app, "POST", &format!("/companies/{}/invitations", a.slug), Some(&a.auth()), Some(json!({"role": "company.reviewer", "email": "i@alpha.test", "name": "I", "credentialPubKey": key}))).await;
    let invitation = invitation.body["data"]["id"].as_i64().unwrap();
    let members = idos(
        &app,
        "GET",
        &format!("/companies/{}/members", a.slug),
        Some(&a.auth()),
        None,
    )
    .await;
    let member = members.body["data"][0]["id"].as_i64().unwrap();
    let s = &a.slug;
    let routes = [
        ("GET", format!("/companies/{s}/credentials/{key}/hooks")),
        ("POST", format!("/companies/{s}/credentials/{key}/hooks")),
        (
            "GET",
            format!("/companies/{s}/credentials/{key}/hooks/{hook}"),
        ),
        (
            "PATCH",
            format!("/companies/{s}/credentials/{key}/hooks/{hook}"),
        ),
        (
            "DELETE",
            format!("/companies/{s}/credentials/{key}/hooks/{hook}"),
        ),
        ("GET", format!("/companies/{s}/invitations")),
        ("POST", format!("/companies/{s}/invitations")),
        ("PATCH", format!("/companies/{s}/invitations/{invitation}")),
        ("DELETE", format!("/companies/{s}/invitations/{invitation}")),
        ("PATCH", format!("/companies/{s}/invitation/{invitation}")),
        ("DELETE", format!("/companies/{s}/invitation/{invitation}")),
        ("GET", format!("/companies/{s}/members")),
        ("GET", format!("/companies/{s}/members/{member}")),
        ("PATCH", format!("/companies/{s}/members/{member}")),
        ("DELETE", format!("/companies/{s}/members/{member}")),
        ("GET", format!("/companies/{s}/membership")),
    ];
    let body = json!({"trigger": "user.created", "url": format!("{receiver}/ok"), "role": "company.owner", "email": "z@beta.test", "name": "Z", "credentialPubKey": key});
    for (method, path) in &routes {
        let reply = idos(&app, method, path, Some(&b.auth()), Some(body.clone())).await;
        assert_idos_error(
            &reply,
            403,
            "NOT_ALLOWED",
            "Not Allowed: the credential does not allow this action on this company",
        );
    }
    // No handshake was made for the intruder.
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // A's records are all there; B's own routes do not reach them.
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{}/credentials/{key}/hooks", b.slug),
        Some(&b.auth()),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{}/members/{member}", b.slug),
        Some(&b.auth()),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = idos(
        &app,
        "PATCH",
        &format!("/companies/{}/invitations/{invitation}", b.slug),
        Some(&b.auth()),
        Some(json!({})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{}/membership", b.slug),
        Some(&a.auth()),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}
