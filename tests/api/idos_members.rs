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
use crate::receiver::{Receiver, verify};
use orghub::hooks::HookSettings;

/// A server whose hooks may reach loopback (the receivers of these tests), polling often.
async fn spawn() -> TestApp {
    TestApp::spawn_with_hooks(HookSettings {
        allow_private: true,
        timeout: std::time::Duration::from_secs(3),
        poll: std::time::Duration::from_millis(100),
        ..HookSettings::default()
    })
    .await
}

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
    credential_in(app, t, &t.slug).await
}

/// A new credential of company `slug`, made by `t`'s owner.
async fn credential_in(app: &TestApp, t: &Tenant, slug: &str) -> String {
    let reply = idos(
        app,
        "POST",
        &format!("/companies/{slug}/credentials"),
        Some(&t.auth()),
        Some(json!({"name": "Hooks key"})),
    )
    .await;
    reply.body["data"]["public"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn hooks_are_stored_after_a_handshake() {
    let app = spawn().await;
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
    assert_eq!(hook["updated_at"], json!(null));
    // Its signing secret, shown this once.
    assert!(hook["secret"].as_str().unwrap().starts_with("whsec_"));
    let id = hook["id"].as_i64().unwrap();
    let reply = idos(&app, "GET", &format!("{base}/{id}"), Some(&auth), None).await;
    assert!(reply.body["data"].get("secret").is_none());

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
        "'ftp://x' is not an http or https URL",
    );
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"trigger": "user.created"})),
    )
    .await;
    assert_idos_error(&reply, 400, "VALIDATION_ERROR", "url is required");
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
    let app = spawn().await;
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

    // Now an owner of the caller's own company: a fellow owner, whom the caller no longer
    // administers (orghub's rule for acting on a user, on every face).
    let reply = idos(
        &app,
        "PATCH",
        &format!("{base}/{member_id}"),
        Some(&auth),
        Some(json!({"role": "company.reviewer"})),
    )
    .await;
    assert_idos_error(
        &reply,
        403,
        "NOT_ALLOWED",
        "Not Allowed: the member is an owner of the caller's company or above it, or holds a \
         right the caller does not",
    );
    // An owner of the parent company does administer it.
    let child = idos(
        &app,
        "POST",
        &format!("/companies/{}", t.slug),
        Some(&auth),
        Some(json!({"name": "Members Child"})),
    )
    .await;
    let child_slug = child.body["data"]["slug"].as_str().unwrap().to_owned();
    let reply = idos(&app, "POST", &format!("/companies/{child_slug}/invitations"), Some(&auth), Some(json!({
        "role": "company.admin", "email": "child-admin@idos.io", "name": "Ada", "credentialPubKey": credential_in(&app, &t, &child_slug).await}))).await;
    let child_member = reply.body["data"]["member_id"].as_i64().unwrap();
    let reply = idos(
        &app,
        "PATCH",
        &format!("/companies/{child_slug}/members/{child_member}"),
        Some(&auth),
        Some(json!({"role": "company.reviewer"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["data"]["role"], json!("company.reviewer"));

    // An invited member's identity uses the invitation; as a reviewer it reads but does not
    // administer.
    let reply = idos(&app, "POST", &format!("/companies/{}/invitations", t.slug), Some(&auth), Some(json!({
        "role": "company.reviewer", "email": "reviewer@idos.io", "name": "Rev", "credentialPubKey": key}))).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let reviewer_member = reply.body["data"]["member_id"].as_i64().unwrap();
    let reply = idos(
        &app,
        "GET",
        &format!("{base}/{reviewer_member}"),
        Some(&auth),
        None,
    )
    .await;
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
    let invitations = reply.body["data"].as_array().unwrap();
    let used = invitations
        .iter()
        .find(|i| i["member_id"] == json!(reviewer_member))
        .unwrap();
    assert_eq!(used["voided"], json!(true));

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
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
    let reply = idos(
        &app,
        "DELETE",
        &format!("/companies/{child_slug}/members/{child_member}"),
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(reply.body, json!({"status": true, "deleted": 1}));
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{}/invitations", t.slug),
        Some(&auth),
        None,
    )
    .await;
    let reviewer_invitation = reply.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["member_id"] == json!(reviewer_member))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let reply = idos(
        &app,
        "DELETE",
        &format!("{base}/{reviewer_member}"),
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(reply.body, json!({"status": true, "deleted": 1}));
    // Its invitation went with it.
    let reply = idos(
        &app,
        "PATCH",
        &format!("/companies/{}/invitations/{reviewer_invitation}", t.slug),
        Some(&auth),
        Some(json!({})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = idos(
        &app,
        "PATCH",
        &format!("/companies/{}/invitations/{invitation_id}", t.slug),
        Some(&auth),
        Some(json!({})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn invitations_can_be_changed_and_withdrawn() {
    let app = spawn().await;
    let t = tenant(&app, "Invites Co").await;
    let auth = t.auth();
    let key = credential(&app, &t).await;
    let base = format!("/companies/{}/invitations", t.slug);
    let body = |email: &str| json!({"role": "company.reviewer", "email": email, "name": "Jane", "credentialPubKey": key});

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

    // An unused invitation of an owner of the caller's own company: withdrawing it removes a
    // fellow owner, which the caller may not.
    let reply = idos(&app, "POST", &base, Some(&auth), Some(json!({"role": "company.owner", "email": "owner@idos.io", "name": "O", "credentialPubKey": key}))).await;
    let owner_invitation = reply.body["data"]["id"].as_i64().unwrap();
    let reply = idos(
        &app,
        "DELETE",
        &format!("{base}/{owner_invitation}"),
        Some(&auth),
        None,
    )
    .await;
    assert_idos_error(
        &reply,
        403,
        "NOT_ALLOWED",
        "Not Allowed: the member is an owner of the caller's company or above it, or holds a \
         right the caller does not",
    );
    let reply = idos(&app, "GET", &base, Some(&auth), None).await;
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn hooks_members_and_invitations_stay_in_their_company() {
    let app = spawn().await;
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

/// A receiver that answers the handshake (its first request) with 204, then 200.
async fn hook_receiver() -> Receiver {
    use crate::receiver::Answer;
    Receiver::answering(&[Answer::Status(204)], Answer::Status(200)).await
}

/// Creates a hook of credential `key` of `t`'s company; returns its signing secret, after the
/// receiver has seen the handshake.
async fn hook_on(
    app: &TestApp,
    t: &Tenant,
    key: &str,
    receiver: &mut Receiver,
    trigger: &str,
    subscribed: bool,
) -> String {
    let reply = idos(
        app,
        "POST",
        &format!("/companies/{}/credentials/{key}/hooks", t.slug),
        Some(&t.auth()),
        Some(json!({"trigger": trigger, "url": receiver.url(), "subscribed": subscribed})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let handshake = receiver.expect().await;
    assert!(handshake.body.is_empty());
    reply.body["data"]["secret"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn subscribed_hooks_receive_their_trigger_s_events_signed() {
    let app = spawn().await;
    let t = tenant(&app, "Delivered").await;
    let other = tenant(&app, "Elsewhere").await;
    let key = credential(&app, &t).await;
    let other_key = credential(&app, &other).await;

    let mut subscribed = hook_receiver().await;
    let secret = hook_on(&app, &t, &key, &mut subscribed, "company.create", true).await;
    let mut unsubscribed = hook_receiver().await;
    hook_on(&app, &t, &key, &mut unsubscribed, "company.create", false).await;
    let mut other_trigger = hook_receiver().await;
    hook_on(&app, &t, &key, &mut other_trigger, "setting.create", true).await;
    let mut other_company = hook_receiver().await;
    hook_on(
        &app,
        &other,
        &other_key,
        &mut other_company,
        "company.create",
        true,
    )
    .await;

    // A company created below the hook's company: an `organization.created` of its subtree.
    let reply = idos(
        &app,
        "POST",
        &format!("/companies/{}", t.slug),
        Some(&t.auth()),
        Some(json!({"name": "Delivered Child"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let delivery = subscribed.expect().await;
    assert!(verify(&secret, &delivery), "a Standard Webhooks signature");
    let event = delivery.json();
    assert_eq!(event["type"], json!("organization.created"));
    assert_eq!(event["data"]["name"], json!("Delivered Child"));
    assert_eq!(event["actor"]["credential"], json!("idos_identity"));
    assert_eq!(event["actor"]["userId"], json!(t.user_id));
    for receiver in [&mut unsubscribed, &mut other_trigger, &mut other_company] {
        receiver
            .expect_nothing(std::time::Duration::from_millis(700))
            .await;
    }
    subscribed
        .expect_nothing(std::time::Duration::from_millis(300))
        .await;
}

#[tokio::test]
async fn without_leave_hooks_do_not_reach_private_addresses() {
    // The default server: hooks reach public addresses only.
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Guarded").await;
    let key = credential(&app, &t).await;
    let mut receiver = hook_receiver().await;
    let reply = idos(
        &app,
        "POST",
        &format!("/companies/{}/credentials/{key}/hooks", t.slug),
        Some(&t.auth()),
        Some(json!({"trigger": "company.create", "url": receiver.url()})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "HOOK_HANDSHAKE_FAILED",
        "Failed to perform hook handshake: the URL's address is not public (loopback, private, \
         link-local or reserved)",
    );
    receiver
        .expect_nothing(std::time::Duration::from_millis(300))
        .await;
}

#[tokio::test]
async fn every_idos_write_is_an_event_of_the_catalog() {
    let app = spawn().await;
    let t = tenant(&app, "Audited").await;
    let auth = t.auth();
    let s = t.slug.clone();
    let call = |method: &'static str, path: String, body: Option<serde_json::Value>| {
        let (app, auth) = (&app, auth.clone());
        async move {
            let reply = idos(app, method, &path, Some(&auth), body).await;
            assert!(
                reply.status.is_success(),
                "{method} {path}: {:?}",
                reply.body
            );
            reply
        }
    };
    let child = call(
        "POST",
        format!("/companies/{s}"),
        Some(json!({"name": "Audited Child"})),
    )
    .await;
    let child = child.body["data"]["slug"].as_str().unwrap().to_owned();
    call(
        "PATCH",
        format!("/companies/{child}"),
        Some(json!({"name": "Audited Kid"})),
    )
    .await;
    call("DELETE", format!("/companies/{child}"), None).await;
    let key = credential(&app, &t).await;
    call(
        "PATCH",
        format!("/companies/{s}/credentials/{key}"),
        Some(json!({"name": "Renamed"})),
    )
    .await;
    let handler = call(
        "POST",
        format!("/companies/{s}/handlers"),
        Some(json!({"name": "H", "authUsername": "u", "authPassword": "p"})),
    )
    .await;
    let handler = handler.body["data"]["id"].as_i64().unwrap();
    call(
        "PATCH",
        format!("/companies/{s}/handlers/{handler}"),
        Some(json!({"name": "H2"})),
    )
    .await;
    call("DELETE", format!("/companies/{s}/handlers/{handler}"), None).await;
    let mut receiver = Receiver::answering(
        &[
            crate::receiver::Answer::Status(204),
            crate::receiver::Answer::Status(204),
        ],
        crate::receiver::Answer::Status(200),
    )
    .await;
    hook_on(&app, &t, &key, &mut receiver, "setting.create", false).await;
    let hooks = call(
        "GET",
        format!("/companies/{s}/credentials/{key}/hooks"),
        None,
    )
    .await;
    let hook = hooks.body["data"][0]["id"].as_i64().unwrap();
    call(
        "PATCH",
        format!("/companies/{s}/credentials/{key}/hooks/{hook}"),
        Some(json!({"trigger": "setting.update", "subscribed": true})),
    )
    .await;
    call(
        "DELETE",
        format!("/companies/{s}/credentials/{key}/hooks/{hook}"),
        None,
    )
    .await;
    let invitation = call("POST", format!("/companies/{s}/invitations"), Some(json!({"role": "company.reviewer", "email": "audit@idos.io", "name": "A", "credentialPubKey": key}))).await;
    let (invitation, member) = (
        invitation.body["data"]["id"].as_i64().unwrap(),
        invitation.body["data"]["member_id"].as_i64().unwrap(),
    );
    call(
        "PATCH",
        format!("/companies/{s}/invitations/{invitation}"),
        Some(json!({})),
    )
    .await;
    call(
        "PATCH",
        format!("/companies/{s}/members/{member}"),
        Some(json!({"role": "company.admin"})),
    )
    .await;
    let second = call("POST", format!("/companies/{s}/invitations"), Some(json!({"role": "company.reviewer", "email": "audit2@idos.io", "name": "B", "credentialPubKey": key}))).await;
    let second = second.body["data"]["id"].as_i64().unwrap();
    call(
        "DELETE",
        format!("/companies/{s}/invitations/{second}"),
        None,
    )
    .await;
    let setting = call(
        "POST",
        format!("/companies/{s}/settings"),
        Some(json!({"section": "a", "property": "b", "value": "c"})),
    )
    .await;
    let setting = setting.body["data"]["id"].as_i64().unwrap();
    call(
        "PATCH",
        format!("/companies/{s}/settings/{setting}"),
        Some(json!({"value": "d"})),
    )
    .await;
    call("DELETE", format!("/companies/{s}/settings/{setting}"), None).await;
    let widget = call(
        "POST",
        format!("/companies/{s}/widgets"),
        Some(json!({"label": "W", "type": "embedded-widget", "credentialPubKey": key})),
    )
    .await;
    let widget = widget.body["data"]["hash"].as_str().unwrap().to_owned();
    call(
        "PUT",
        format!("/companies/{s}/widgets/{widget}"),
        Some(json!({"label": "W2", "type": "embedded-widget"})),
    )
    .await;
    call("DELETE", format!("/companies/{s}/widgets/{widget}"), None).await;
    let subscription = call(
        "POST",
        format!("/companies/{s}/credentials/{key}/subscriptions"),
        Some(json!({"categorySlug": "lastName"})),
    )
    .await;
    let subscription = subscription.body["data"]["id"].as_i64().unwrap();
    call(
        "DELETE",
        format!("/companies/{s}/credentials/{key}/subscriptions/{subscription}"),
        None,
    )
    .await;
    call("DELETE", format!("/companies/{s}/credentials/{key}"), None).await;

    let query = orghub::service::EventQuery {
        org: Some(orghub::domain::PublicId::parse(&t.org_id).unwrap()),
        ..Default::default()
    };
    let page = app.services.events_page(&query, None).await.unwrap();
    // Oldest first; the tenant's bootstrap and identity, and the child's creation, come
    // before the first change looked for.
    let types: Vec<&str> = page.iter().rev().map(|e| e.kind.as_str()).collect();
    let expected = [
        "organization.updated",
        "organization.deleted",
        "credential.created",
        "credential.updated",
        "handler.created",
        "handler.updated",
        "handler.deleted",
        "hook.created",
        "hook.updated",
        "hook.enabled",
        "hook.deleted",
        "user.created",
        "invitation.created",
        "invitation.updated",
        "user.updated",
        "user.role_changed",
        "user.created",
        "invitation.created",
        "invitation.deleted",
        "user.deleted",
        "setting.created",
        "setting.updated",
        "setting.deleted",
        "widget.created",
        "widget.updated",
        "widget.deleted",
        "subscription.created",
        "subscription.deleted",
        "credential.deleted",
    ];
    let seen: Vec<&str> = types
        .iter()
        .copied()
        .skip_while(|t| *t != "organization.updated")
        .collect();
    assert_eq!(seen, expected);
    // Every one names its actor's request.
    assert!(
        page.iter()
            .filter(|e| e.kind == "credential.created")
            .all(|e| e.request_id.is_some())
    );
}

#[tokio::test]
async fn idos_hooks_count_against_the_tenant_s_hook_quota() {
    let app = TestApp::spawn_with_hooks_and_quotas(
        HookSettings {
            allow_private: true,
            ..HookSettings::default()
        },
        orghub::service::Quotas {
            hooks: 1,
            ..orghub::service::Quotas::default()
        },
    )
    .await;
    let t = tenant(&app, "Quota Hooks").await;
    let key = credential(&app, &t).await;
    let (receiver, calls) = receiver().await;
    let base = format!("/companies/{}/credentials/{key}/hooks", t.slug);
    let body = json!({"trigger": "user.created", "url": format!("{receiver}/ok")});
    let reply = idos(&app, "POST", &base, Some(&t.auth()), Some(body.clone())).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    // The second is one too many for the tree, on a child company too.
    let reply = idos(&app, "POST", &base, Some(&t.auth()), Some(body.clone())).await;
    assert_idos_error(
        &reply,
        403,
        "NOT_ALLOWED",
        "Not Allowed: the company tree has reached its limit of 1 hooks",
    );
    let child = idos(
        &app,
        "POST",
        &format!("/companies/{}", t.slug),
        Some(&t.auth()),
        Some(json!({"name": "Quota child"})),
    )
    .await;
    let child = child.body["data"]["slug"].as_str().unwrap().to_owned();
    let child_key = credential_in(&app, &t, &child).await;
    let reply = idos(
        &app,
        "POST",
        &format!("/companies/{child}/credentials/{child_key}/hooks"),
        Some(&t.auth()),
        Some(body),
    )
    .await;
    assert_idos_error(
        &reply,
        403,
        "NOT_ALLOWED",
        "Not Allowed: the company tree has reached its limit of 1 hooks",
    );
    let reply = idos(&app, "GET", &base, Some(&t.auth()), None).await;
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 3, "the handshakes");
}
