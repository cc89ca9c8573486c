//! The native API's idOS records: an organization's credentials and handlers, and a user's
//! identity keys. A private key is shown once and never read again; a handler's password never
//! shows; a caller of another tree gets 404; and what the native API makes, the idOS face
//! takes (tokens signed with the keys, records in its lists).

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, unknown_id};
use crate::idos::{idos, jwt};
use crate::native::{STALE, assert_problem, exactly_one_of_concurrent_changes, native_root, patch};
use orghub::service::idos::{IdosTokenKind, TokenCheck};

const REUSED: &str = "This Idempotency-Key was used with another request: use a new key";
const BAD_KEY: &str = "is not a public key: 32 lowercase hexadecimal characters";
/// A well-formed key that names nothing.
const NO_KEY: &str = "0123456789abcdef0123456789abcdef";

fn credentials(org: &str) -> String {
    format!("/api/v1/orgs/{org}/idos-credentials")
}

fn handlers(org: &str) -> String {
    format!("/api/v1/orgs/{org}/idos-handlers")
}

fn identity_keys(user: &str) -> String {
    format!("/api/v1/users/{user}/identity-keys")
}

/// A POST with a JSON body and these extra headers.
async fn post_with(
    app: &TestApp,
    path: &str,
    bearer: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Reply {
    let mut all = vec![("Authorization", bearer)];
    if body.is_some() {
        all.push(("Content-Type", "application/json"));
    }
    all.extend_from_slice(headers);
    let body = body.map(Value::to_string);
    app.send_with_headers("POST", path, &all, body.as_deref())
        .await
}

async fn delete_if(app: &TestApp, path: &str, bearer: &str, tag: &str) -> Reply {
    app.send_with_headers(
        "DELETE",
        path,
        &[("Authorization", bearer), ("If-Match", tag)],
        None,
    )
    .await
}

fn etag(reply: &Reply) -> String {
    reply.headers["etag"].to_str().unwrap().to_owned()
}

fn text(reply: &Reply, key: &str) -> String {
    reply.body[key].as_str().unwrap().to_owned()
}

/// The public keys in a native page.
fn listed_keys(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            assert!(item.get("privateKey").is_none(), "{item}");
            item["publicKey"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// An IdentityToken signed with a key pair.
fn identity_auth(public_key: &str, private_key: &str) -> String {
    format!(
        "IdentityToken {}",
        jwt(private_key, &json!({ "iss": public_key }))
    )
}

#[tokio::test]
async fn a_credential_is_shown_once_paged_renamed_under_if_match_and_deleted() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Cred Root").await;
    let org = &boot.organization_id;
    let created = app
        .post(
            &credentials(org),
            &bearer,
            &json!({ "name": "Main Key", "production": true }),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.headers["cache-control"], "no-store");
    let key = text(&created, "publicKey");
    let private_key = text(&created, "privateKey");
    assert_eq!((key.len(), private_key.len()), (32, 32));
    let one = format!("{}/{key}", credentials(org));
    assert_eq!(created.headers["location"], one.as_str());
    assert_eq!(created.body["orgId"], org.as_str());
    assert_eq!(created.body["name"], "Main Key");
    assert_eq!(created.body["slug"], "main-key");
    assert_eq!(created.body["production"], true);
    assert_eq!(created.body["updatedAt"], Value::Null);

    // Reads never show the private key; the creation's ETag is the record's.
    let read = app.get(&one, &bearer).await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert!(read.body.get("privateKey").is_none());
    assert!(!read.body.to_string().contains(&private_key));
    assert_eq!(etag(&read), etag(&created));

    // Paged in creation order.
    let second = app
        .post(&credentials(org), &bearer, &json!({ "name": "Second" }))
        .await;
    assert_eq!(second.status, 201, "{:?}", second.body);
    assert_eq!(second.body["production"], false);
    let first_page = app
        .get(&format!("{}?limit=1", credentials(org)), &bearer)
        .await;
    assert_eq!(listed_keys(&first_page), vec![key.clone()]);
    let next = text(&first_page, "next");
    let last_page = app
        .get(
            &format!("{}?limit=1&cursor={next}", credentials(org)),
            &bearer,
        )
        .await;
    assert_eq!(listed_keys(&last_page), vec![text(&second, "publicKey")]);
    assert_eq!(last_page.body["next"], Value::Null);
    assert!(!first_page.body.to_string().contains(&private_key));

    // A rename needs the current ETag when it names one.
    let stale = etag(&read);
    let renamed = patch(
        &app,
        &one,
        &bearer,
        Some(&stale),
        &json!({ "name": "Renamed" }),
    )
    .await;
    assert_eq!(renamed.status, 200, "{:?}", renamed.body);
    assert_eq!(renamed.body["name"], "Renamed");
    assert_eq!(renamed.body["slug"], "renamed");
    assert!(renamed.body["updatedAt"].is_string());
    assert!(renamed.body.get("privateKey").is_none());
    let reply = patch(
        &app,
        &one,
        &bearer,
        Some(&stale),
        &json!({ "name": "Lost" }),
    )
    .await;
    assert_problem(&reply, 412, STALE);
    assert_problem(&delete_if(&app, &one, &bearer, &stale).await, 412, STALE);

    let reply = delete_if(&app, &one, &bearer, &etag(&renamed)).await;
    assert_eq!(reply.status, 204, "{:?}", reply.body);
    let gone = format!("No idOS credential with public key '{key}'");
    assert_problem(&app.get(&one, &bearer).await, 404, &gone);
    assert_problem(&app.delete(&one, &bearer).await, 404, &gone);

    // The audit log has each change, never the private key.
    for kind in [
        "credential.created",
        "credential.updated",
        "credential.deleted",
    ] {
        let events = app
            .get(&format!("/api/v1/events?type={kind}&orgId={org}"), &bearer)
            .await;
        assert_eq!(events.status, 200, "{:?}", events.body);
        let mine = events.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|event| event["data"]["publicKey"] == key.as_str())
            .count();
        assert_eq!(mine, 1, "{kind}: {:?}", events.body);
        assert!(!events.body.to_string().contains(&private_key));
    }
}

#[tokio::test]
async fn a_replayed_creation_makes_nothing_new_and_shows_no_private_key() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Replay Root").await;
    let org = &boot.organization_id;
    let cases = [
        (credentials(org), Some(json!({ "name": "Once" }))),
        (
            handlers(org),
            Some(json!({ "name": "Once", "authUsername": "u", "authPassword": "first pass" })),
        ),
        (identity_keys(&boot.user_id), None),
    ];
    for (index, (path, body)) in cases.into_iter().enumerate() {
        // A key is the caller's, whatever the path: one per request.
        let key = format!("make-once-{index}");
        let header = [("Idempotency-Key", key.as_str())];
        let first = post_with(&app, &path, &bearer, &header, body.as_ref()).await;
        assert_eq!(first.status, 201, "{path}: {:?}", first.body);
        assert!(first.body["privateKey"].is_string(), "{path}");
        // The password is not part of what a key's request is known by.
        let body = body.map(|mut body| {
            if body.get("authPassword").is_some() {
                body["authPassword"] = json!("another pass");
            }
            body
        });
        let again = post_with(&app, &path, &bearer, &header, body.as_ref()).await;
        assert_eq!(again.status, 201, "{path}: {:?}", again.body);
        assert_eq!(again.headers["idempotent-replayed"], "true");
        assert_eq!(again.body["publicKey"], first.body["publicKey"], "{path}");
        assert_eq!(again.body["privateKey"], Value::Null, "{path}");
        let listed = app.get(&path, &bearer).await;
        assert_eq!(listed.body["items"].as_array().unwrap().len(), 1, "{path}");
        if body.is_some() {
            let other = json!({ "name": "Other", "authUsername": "u", "authPassword": "p" });
            let reply = post_with(&app, &path, &bearer, &header, Some(&other)).await;
            assert_problem(&reply, 422, REUSED);
        }
    }
}

#[tokio::test]
async fn a_handler_never_shows_its_password_and_is_changed_under_if_match() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Handler Root").await;
    let org = &boot.organization_id;
    let password = "handler-password-1";
    let created = app
        .post(
            &handlers(org),
            &bearer,
            &json!({ "name": "Scraper", "authUsername": "scraper", "authPassword": password }),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.headers["cache-control"], "no-store");
    let key = text(&created, "publicKey");
    let private_key = text(&created, "privateKey");
    let one = format!("{}/{key}", handlers(org));
    assert_eq!(created.headers["location"], one.as_str());
    assert_eq!(created.body["enabled"], true);
    assert_eq!(created.body["authUsername"], "scraper");
    assert!(created.body.get("authPassword").is_none());
    assert!(!created.body.to_string().contains(password));

    let read = app.get(&one, &bearer).await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(etag(&read), etag(&created));
    let listed = app.get(&handlers(org), &bearer).await;
    assert_eq!(listed_keys(&listed), vec![key.clone()]);
    for reply in [&read, &listed] {
        let body = reply.body.to_string();
        assert!(!body.contains(password) && !body.contains(&private_key));
    }

    let stale = etag(&read);
    let changed = patch(
        &app,
        &one,
        &bearer,
        Some(&stale),
        &json!({ "name": "Crawler", "authUsername": "crawler",
            "authPassword": "handler-password-2", "enabled": false }),
    )
    .await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.body["name"], "Crawler");
    assert_eq!(changed.body["authUsername"], "crawler");
    assert_eq!(changed.body["enabled"], false);
    assert!(!changed.body.to_string().contains("handler-password"));
    // What a change leaves out stays.
    let enabled = patch(&app, &one, &bearer, None, &json!({ "enabled": true })).await;
    assert_eq!(enabled.status, 200, "{:?}", enabled.body);
    assert_eq!(enabled.body["name"], "Crawler");
    let reply = patch(
        &app,
        &one,
        &bearer,
        Some(&stale),
        &json!({ "enabled": false }),
    )
    .await;
    assert_problem(&reply, 412, STALE);
    assert_problem(&delete_if(&app, &one, &bearer, &stale).await, 412, STALE);

    let reply = delete_if(&app, &one, &bearer, &etag(&enabled)).await;
    assert_eq!(reply.status, 204, "{:?}", reply.body);
    let gone = format!("No idOS handler with public key '{key}'");
    assert_problem(&app.get(&one, &bearer).await, 404, &gone);
    let reply = patch(&app, &one, &bearer, None, &json!({ "name": "Back" })).await;
    assert_problem(&reply, 404, &gone);
    let events = app
        .get(&format!("/api/v1/events?orgId={org}"), &bearer)
        .await;
    assert!(!events.body.to_string().contains("handler-password"));
}

#[tokio::test]
async fn every_documented_error_of_the_idos_routes() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Errors Root").await;
    let org = &boot.organization_id;
    let unknown = unknown_id();
    let no_org = format!("No organization with id '{unknown}'");
    for base in [credentials(&unknown), handlers(&unknown)] {
        assert_problem(&app.get(&base, &bearer).await, 404, &no_org);
        let body = json!({ "name": "x", "authUsername": "u", "authPassword": "p" });
        assert_problem(&app.post(&base, &bearer, &body).await, 404, &no_org);
        assert_problem(
            &app.get(&format!("{base}/{NO_KEY}"), &bearer).await,
            404,
            &no_org,
        );
    }
    for (base, param) in [
        (credentials(org), "credential_key"),
        (handlers(org), "handler_key"),
    ] {
        let reply = app.get(&base.replace(org.as_str(), "nope"), &bearer).await;
        assert_problem(&reply, 400, "The parameter 'org_id' is not a UUID");
        let bad_key = format!("The parameter '{param}' {BAD_KEY}");
        let reply = app.get(&format!("{base}/NOT-A-KEY"), &bearer).await;
        assert_problem(&reply, 400, &bad_key);
        assert_eq!(reply.body["errors"][0]["parameter"], param);
        // Upper case is not a key's spelling either.
        let upper = format!("{base}/{}", NO_KEY.to_uppercase());
        assert_problem(&app.delete(&upper, &bearer).await, 400, &bad_key);
        let reply = patch(&app, &upper, &bearer, None, &json!({ "name": "x" })).await;
        assert_problem(&reply, 400, &bad_key);
        let reply = app.send("POST", &base, None, Some(r#"{"name":"x"}"#)).await;
        assert_eq!(reply.status, 401, "{:?}", reply.body);
        let reply = app.delete(&format!("{base}/{NO_KEY}"), &bearer).await;
        assert_eq!(reply.status, 404, "{:?}", reply.body);
        let reply = app.send("GET", &base, None, None).await;
        assert_problem(
            &reply,
            401,
            "The request needs an Authorization header: Bearer and a token or API key",
        );
        let reply = app.send("POST", &base, Some(&bearer), Some("{nope")).await;
        assert_problem(&reply, 400, "The request body is not JSON");
        let reply = app.post(&base, &bearer, &json!({ "name": " " })).await;
        assert_eq!(reply.status, 422, "{:?}", reply.body);
        let reply = app
            .get(&format!("{base}?cursor=not-a-cursor"), &bearer)
            .await;
        assert_problem(
            &reply,
            400,
            "The parameter 'cursor' is not a cursor of this list",
        );
        let reply = app.get(&format!("{base}?limit=0"), &bearer).await;
        assert_problem(&reply, 400, "The parameter 'limit' must be from 1 to 1000");
    }
    let reply = app
        .get(&format!("{}/{NO_KEY}", credentials(org)), &bearer)
        .await;
    assert_problem(
        &reply,
        404,
        &format!("No idOS credential with public key '{NO_KEY}'"),
    );
    let reply = app
        .get(&format!("{}/{NO_KEY}", handlers(org)), &bearer)
        .await;
    assert_problem(
        &reply,
        404,
        &format!("No idOS handler with public key '{NO_KEY}'"),
    );

    // Bodies that do not fit.
    let reply = app.post(&credentials(org), &bearer, &json!({})).await;
    assert_problem(&reply, 422, "The field at '/name' is required");
    let reply = app
        .post(&credentials(org), &bearer, &json!({ "name": "  " }))
        .await;
    assert_problem(
        &reply,
        422,
        "The field at '/name' must be a non-empty string",
    );
    let reply = app
        .post(&credentials(org), &bearer, &json!({ "name": "a\u{1}b" }))
        .await;
    assert_problem(
        &reply,
        422,
        "The field at '/name' must not contain control characters",
    );
    let reply = app
        .post(
            &handlers(org),
            &bearer,
            &json!({ "name": "h", "authUsername": "u" }),
        )
        .await;
    assert_problem(&reply, 422, "The field at '/authPassword' is required");
    let reply = app
        .post(
            &handlers(org),
            &bearer,
            &json!({ "name": "h", "authUsername": "", "authPassword": "p" }),
        )
        .await;
    assert_problem(
        &reply,
        422,
        "The field at '/authUsername' must be a non-empty string",
    );
    let handler = app
        .post(
            &handlers(org),
            &bearer,
            &json!({ "name": "h", "authUsername": "u", "authPassword": "p" }),
        )
        .await;
    let one = format!("{}/{}", handlers(org), text(&handler, "publicKey"));
    let reply = patch(&app, &one, &bearer, None, &json!({ "authPassword": "" })).await;
    assert_problem(
        &reply,
        422,
        "The field at '/authPassword' must be a non-empty string",
    );
    let reply = patch(&app, &one, &bearer, None, &json!({ "enabled": "yes" })).await;
    assert_eq!(reply.status, 422, "{:?}", reply.body);
    assert_eq!(reply.body["errors"][0]["pointer"], "/enabled");
    let made = app
        .post(&credentials(org), &bearer, &json!({ "name": "Kept" }))
        .await;
    let one = format!("{}/{}", credentials(org), text(&made, "publicKey"));
    let reply = patch(&app, &one, &bearer, None, &json!({ "name": "" })).await;
    assert_problem(
        &reply,
        422,
        "The field at '/name' must be a non-empty string",
    );
    let reply = app
        .send("PATCH", &one, Some(&bearer), Some("not json"))
        .await;
    assert_problem(&reply, 400, "The request body is not JSON");
    let reply = app.get(&one, "Bearer not-a-token").await;
    assert_problem(
        &reply,
        401,
        "The bearer credential is unknown, expired or revoked",
    );
}

#[tokio::test]
async fn a_caller_of_a_sibling_tree_gets_404_on_every_idos_route() {
    let app = TestApp::spawn().await;
    let (victim, victim_bearer) = native_root(&app, "Victim Root").await;
    let (_, other) = native_root(&app, "Other Root").await;
    let org = &victim.organization_id;
    let credential = app
        .post(
            &credentials(org),
            &victim_bearer,
            &json!({ "name": "VICTIM" }),
        )
        .await;
    let handler = app
        .post(
            &handlers(org),
            &victim_bearer,
            &json!({ "name": "VICTIM", "authUsername": "victim", "authPassword": "victim-pass" }),
        )
        .await;
    let identity = app
        .send(
            "POST",
            &identity_keys(&victim.user_id),
            Some(&victim_bearer),
            None,
        )
        .await;
    let no_org = format!("No organization with id '{org}'");
    for (base, made) in [(credentials(org), &credential), (handlers(org), &handler)] {
        assert_eq!(made.status, 201, "{:?}", made.body);
        let one = format!("{base}/{}", text(made, "publicKey"));
        assert_problem(&app.get(&base, &other).await, 404, &no_org);
        let body = json!({ "name": "Intruder", "authUsername": "i", "authPassword": "i" });
        assert_problem(&app.post(&base, &other, &body).await, 404, &no_org);
        assert_problem(&app.get(&one, &other).await, 404, &no_org);
        let reply = patch(&app, &one, &other, None, &json!({ "name": "Pwned" })).await;
        assert_problem(&reply, 404, &no_org);
        assert_problem(&app.delete(&one, &other).await, 404, &no_org);
        // Untouched.
        let read = app.get(&one, &victim_bearer).await;
        assert_eq!(read.body["name"], "VICTIM", "{:?}", read.body);
    }
    assert_eq!(identity.status, 201, "{:?}", identity.body);
    let no_user = format!("No user with id '{}'", victim.user_id);
    let keys = identity_keys(&victim.user_id);
    assert_problem(&app.get(&keys, &other).await, 404, &no_user);
    assert_problem(
        &app.send("POST", &keys, Some(&other), None).await,
        404,
        &no_user,
    );
    let one = format!("{keys}/{}", text(&identity, "publicKey"));
    assert_problem(&app.delete(&one, &other).await, 404, &no_user);
    let listed = app.get(&keys, &victim_bearer).await;
    assert_eq!(listed_keys(&listed), vec![text(&identity, "publicKey")]);
}

#[tokio::test]
async fn what_the_native_api_makes_the_idos_face_takes() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Cross Root").await;
    let org = &boot.organization_id;
    let identity = app
        .send("POST", &identity_keys(&boot.user_id), Some(&bearer), None)
        .await;
    assert_eq!(identity.status, 201, "{:?}", identity.body);
    let auth = identity_auth(
        &text(&identity, "publicKey"),
        &text(&identity, "privateKey"),
    );
    let credential = app
        .post(&credentials(org), &bearer, &json!({ "name": "Native Key" }))
        .await;
    let (c_pub, c_priv) = (
        text(&credential, "publicKey"),
        text(&credential, "privateKey"),
    );
    let handler = app
        .post(
            &handlers(org),
            &bearer,
            &json!({ "name": "Native Handler", "authUsername": "n", "authPassword": "n-pass" }),
        )
        .await;
    let (h_pub, h_priv) = (text(&handler, "publicKey"), text(&handler, "privateKey"));

    // An IdentityToken signed with the native identity key lists the native credential.
    let slug = &boot.company_slug;
    let listed = idos(
        &app,
        "GET",
        &format!("/companies/{slug}/credentials"),
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    let data = listed.body["data"].as_array().unwrap();
    assert!(
        data.iter()
            .any(|c| c["public"] == c_pub.as_str() && c["name"] == "Native Key"),
        "{data:?}"
    );
    let idos_handlers = idos(
        &app,
        "GET",
        &format!("/companies/{slug}/handlers"),
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(idos_handlers.status, 200, "{:?}", idos_handlers.body);
    assert_eq!(idos_handlers.body["data"][0]["public"], h_pub.as_str());

    // A CredentialToken of the native handler for the native credential is taken.
    let credential_token = format!(
        "CredentialToken {}",
        jwt(&h_priv, &json!({ "iss": h_pub, "sub": c_pub }))
    );
    let settings = format!("/companies/{slug}/settings");
    let reply = idos(&app, "GET", &settings, Some(&credential_token), None).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    // So is a UserToken of the credential.
    let audiences = ["https://api.idos.io/1.0".to_owned()];
    let caller = app
        .services
        .authenticate_idos(
            IdosTokenKind::User,
            &jwt(&c_priv, &json!({ "iss": c_pub, "sub": "end-user-1" })),
            &TokenCheck {
                audiences: &audiences,
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(caller.actor.org_public_id, org.as_str());
    assert_eq!(caller.user.unwrap().username, "end-user-1");

    // A handler disabled through the native API signs nothing more.
    let one = format!("{}/{h_pub}", handlers(org));
    let reply = patch(&app, &one, &bearer, None, &json!({ "enabled": false })).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let reply = idos(&app, "GET", &settings, Some(&credential_token), None).await;
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    assert_eq!(reply.body["error"]["type"], "INVALID_TOKEN");
}

#[tokio::test]
async fn identity_keys_are_made_listed_and_deleted_by_whoever_administers_the_user() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Identity Root").await;
    let member = app
        .post(
            "/api/v1/users",
            &bearer,
            &json!({ "orgId": boot.organization_id, "name": "Some One",
                "email": "member@identity-root.test", "role": "Member" }),
        )
        .await;
    assert_eq!(member.status, 201, "{:?}", member.body);
    let member = text(&member, "id");
    let keys = identity_keys(&member);
    let created = app.send("POST", &keys, Some(&bearer), None).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.headers["cache-control"], "no-store");
    assert_eq!(created.headers["location"], keys.as_str());
    assert_eq!(created.body["userId"], member.as_str());
    assert!(created.body["createdAt"].is_string());
    let (public_key, private_key) = (text(&created, "publicKey"), text(&created, "privateKey"));
    let second = app.send("POST", &keys, Some(&bearer), None).await;
    assert_eq!(second.status, 201, "{:?}", second.body);

    let first_page = app.get(&format!("{keys}?limit=1"), &bearer).await;
    assert_eq!(listed_keys(&first_page), vec![public_key.clone()]);
    let next = text(&first_page, "next");
    let rest = app
        .get(&format!("{keys}?limit=1&cursor={next}"), &bearer)
        .await;
    assert_eq!(listed_keys(&rest), vec![text(&second, "publicKey")]);
    assert!(!first_page.body.to_string().contains(&private_key));

    // The key signs the member's IdentityTokens (a Member reads its company's credentials).
    let auth = identity_auth(&public_key, &private_key);
    let path = format!("/companies/{}/credentials", boot.company_slug);
    let reply = idos(&app, "GET", &path, Some(&auth), None).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);

    // The Member manages no key, not even its own.
    let api_key = app
        .send(
            "POST",
            &format!("/api/v1/users/{member}/api-keys"),
            Some(&bearer),
            None,
        )
        .await;
    let member_bearer = format!("Bearer {}", text(&api_key, "key"));
    let no_user = format!("No user with id '{member}'");
    let one = format!("{keys}/{public_key}");
    assert_problem(&app.get(&keys, &member_bearer).await, 404, &no_user);
    assert_problem(
        &app.send("POST", &keys, Some(&member_bearer), None).await,
        404,
        &no_user,
    );
    assert_problem(&app.delete(&one, &member_bearer).await, 404, &no_user);

    // A fellow Owner is beyond the caller's reach.
    let fellow = app
        .post(
            "/api/v1/users",
            &bearer,
            &json!({ "orgId": boot.organization_id, "name": "Fellow",
                "email": "fellow@identity-root.test", "role": "Owner" }),
        )
        .await;
    assert_eq!(fellow.status, 201, "{:?}", fellow.body);
    let fellow = text(&fellow, "id");
    let beyond =
        format!("User '{fellow}' is beyond the caller's reach: a fellow Owner, or a partner");
    let fellows = identity_keys(&fellow);
    assert_problem(&app.get(&fellows, &bearer).await, 403, &beyond);
    assert_problem(
        &app.send("POST", &fellows, Some(&bearer), None).await,
        403,
        &beyond,
    );
    let reply = app.delete(&format!("{fellows}/{NO_KEY}"), &bearer).await;
    assert_problem(&reply, 403, &beyond);

    // An idempotency key used for another request.
    let reused = [("Idempotency-Key", "identity-once")];
    let third = post_with(&app, &keys, &bearer, &reused, None).await;
    assert_eq!(third.status, 201, "{:?}", third.body);
    let reply = post_with(&app, &identity_keys(&boot.user_id), &bearer, &reused, None).await;
    assert_problem(&reply, 422, REUSED);
    let reply = app
        .delete(&format!("{keys}/{}", text(&third, "publicKey")), &bearer)
        .await;
    assert_eq!(reply.status, 204, "{:?}", reply.body);

    // Errors.
    let unknown = unknown_id();
    let reply = app.get(&identity_keys(&unknown), &bearer).await;
    assert_problem(&reply, 404, &format!("No user with id '{unknown}'"));
    let reply = app.get("/api/v1/users/nope/identity-keys", &bearer).await;
    assert_problem(&reply, 400, "The parameter 'user_id' is not a UUID");
    let reply = app.delete(&format!("{keys}/NOPE"), &bearer).await;
    assert_problem(
        &reply,
        400,
        &format!("The parameter 'identity_key' {BAD_KEY}"),
    );
    let reply = app.send("GET", &keys, None, None).await;
    assert_eq!(reply.status, 401);
    // Another user's key is not this user's.
    let owners = identity_keys(&boot.user_id);
    let reply = app.delete(&format!("{owners}/{public_key}"), &bearer).await;
    let gone = format!("No identity key with public key '{public_key}'");
    assert_problem(&reply, 404, &gone);

    // Deleted: its tokens are refused at once, and it is gone.
    let reply = app.delete(&one, &bearer).await;
    assert_eq!(reply.status, 204, "{:?}", reply.body);
    let reply = idos(&app, "GET", &path, Some(&auth), None).await;
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    assert_eq!(reply.body["error"]["type"], "INVALID_TOKEN");
    assert_problem(&app.delete(&one, &bearer).await, 404, &gone);
    let listed = app.get(&keys, &bearer).await;
    assert_eq!(listed_keys(&listed), vec![text(&second, "publicKey")]);
    for kind in ["identity.created", "identity.deleted"] {
        let events = app
            .get(&format!("/api/v1/events?type={kind}"), &bearer)
            .await;
        assert_eq!(events.status, 200, "{:?}", events.body);
        let event = events.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["data"]["publicKey"] == public_key.as_str())
            .unwrap_or_else(|| panic!("{kind}: {:?}", events.body))
            .clone();
        assert_eq!(event["data"]["userId"], member.as_str());
        assert!(!events.body.to_string().contains(&private_key));
    }
}

#[tokio::test]
async fn of_concurrent_changes_of_a_credential_or_handler_from_one_read_exactly_one_is_made() {
    let app = TestApp::spawn().await;
    let (boot, bearer) = native_root(&app, "Race Root").await;
    let org = &boot.organization_id;
    let credential = app
        .post(&credentials(org), &bearer, &json!({ "name": "Signer" }))
        .await;
    assert_eq!(credential.status, 201, "{:?}", credential.body);
    let path = format!("{}/{}", credentials(org), text(&credential, "publicKey"));
    exactly_one_of_concurrent_changes(
        &app,
        &path,
        &bearer,
        |i| json!({ "name": format!("Signer {i}") }),
    )
    .await;

    let handler = app
        .post(
            &handlers(org),
            &bearer,
            &json!({ "name": "Scraper", "authUsername": "scraper", "authPassword": "pw-123456" }),
        )
        .await;
    assert_eq!(handler.status, 201, "{:?}", handler.body);
    let path = format!("{}/{}", handlers(org), text(&handler, "publicKey"));
    exactly_one_of_concurrent_changes(
        &app,
        &path,
        &bearer,
        |i| json!({ "name": format!("Scraper {i}") }),
    )
    .await;
    app.stop().await;
}
