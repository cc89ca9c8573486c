//! The Surfsight face: sign-in and its throttle, partner organizations, and SSO admin tokens.

use crate::helpers::{OWNER_PASSWORD, TestApp, sso_jwt, sso_timestamp};
use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

const SIGN_IN: &str = "/surfsight/v2/authenticate";
const ORGS: &str = "/surfsight/v2/organizations";
const SSO: &str = "/surfsight/v2/organizations/sso";
const TOKEN_INVALID: &str = "The token is invalid or has expired";
const BAD_CREDENTIALS: &str = "Invalid email or password";

async fn sign_in_reply(app: &TestApp, body: &Value) -> crate::helpers::Reply {
    app.send("POST", SIGN_IN, None, Some(&body.to_string()))
        .await
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A partner (the bootstrap owner) signed in, and one organization it created.
async fn partner_with_org(app: &TestApp) -> (String, i64, String) {
    app.bootstrap("Partner", "partner@fleet.test").await;
    let (token, _) = app
        .surfsight_sign_in("partner@fleet.test", OWNER_PASSWORD)
        .await;
    let (org_id, secret) = app.surfsight_create_org(&token, "Fleet One").await;
    (token, org_id, secret)
}

async fn exchange(app: &TestApp, jwt: &str) -> crate::helpers::Reply {
    app.get(SSO, &bearer(jwt)).await
}

#[tokio::test]
async fn sign_in_answers_a_token_and_the_organization_id() {
    let app = TestApp::spawn().await;
    app.bootstrap("Partner", "partner@fleet.test").await;
    let reply = sign_in_reply(
        &app,
        &json!({ "email": "Partner@Fleet.test", "password": OWNER_PASSWORD }),
    )
    .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let token = reply.body["data"]["token"].as_str().unwrap();
    assert!(token.len() >= 64, "{token}");
    let org_id = reply.body["data"]["organizationId"].as_i64().unwrap();
    // The token authenticates; the organization is the partner's own (not in its list).
    let list = app.get(ORGS, &bearer(token)).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body, json!({ "data": [] }));
    assert!(org_id > 0);
    app.stop().await;
}

#[tokio::test]
async fn sign_in_refuses_wrong_credentials_with_one_message() {
    let app = TestApp::spawn().await;
    app.bootstrap("Partner", "partner@fleet.test").await;
    for body in [
        json!({ "email": "partner@fleet.test", "password": "wrong password" }),
        json!({ "email": "nobody@fleet.test", "password": OWNER_PASSWORD }),
    ] {
        sign_in_reply(&app, &body)
            .await
            .assert_surfsight_error(401, BAD_CREDENTIALS);
    }
    app.stop().await;
}

#[tokio::test]
async fn sign_in_checks_its_body() {
    let app = TestApp::spawn().await;
    let cases = [
        ("not json", "The request body must be a JSON object"),
        ("[1]", "The request body must be a JSON object"),
        (r#"{"password":"x"}"#, "\"email\" is required"),
        (r#"{"email":"a@b.test"}"#, "\"password\" is required"),
        (
            r#"{"email":"a@b.test","password":7}"#,
            "\"password\" must be a non-empty string",
        ),
        (
            r#"{"email":"","password":"x"}"#,
            "\"email\" must be a non-empty string",
        ),
    ];
    for (body, message) in cases {
        app.send("POST", SIGN_IN, None, Some(body))
            .await
            .assert_surfsight_error(400, message);
    }
    app.stop().await;
}

#[tokio::test]
async fn ten_failures_lock_an_account_with_retry_after() {
    let app = TestApp::spawn().await;
    app.bootstrap("Partner", "partner@fleet.test").await;
    app.bootstrap("Other", "other@fleet.test").await;
    let wrong = json!({ "email": "partner@fleet.test", "password": "guess" });
    for _ in 0..10 {
        sign_in_reply(&app, &wrong)
            .await
            .assert_surfsight_error(401, BAD_CREDENTIALS);
    }
    // Locked now, even for the right password.
    let right = json!({ "email": "partner@fleet.test", "password": OWNER_PASSWORD });
    let locked = sign_in_reply(&app, &right).await;
    assert_eq!(locked.status, 429, "{:?}", locked.body);
    let retry_after: u64 = locked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
    locked.assert_surfsight_error(
        429,
        &format!("Too many failed sign-in attempts: retry in {retry_after} seconds"),
    );
    // Another account from the same address is not locked.
    app.surfsight_sign_in("other@fleet.test", OWNER_PASSWORD)
        .await;
    app.stop().await;
}

#[tokio::test]
async fn fifty_failures_lock_an_address_across_accounts() {
    let app = TestApp::spawn().await;
    app.bootstrap("Partner", "partner@fleet.test").await;
    for i in 0..50 {
        let body = json!({ "email": format!("guess{i}@fleet.test"), "password": "guess" });
        sign_in_reply(&app, &body)
            .await
            .assert_surfsight_error(401, BAD_CREDENTIALS);
    }
    let right = json!({ "email": "partner@fleet.test", "password": OWNER_PASSWORD });
    let locked = sign_in_reply(&app, &right).await;
    assert_eq!(locked.status, 429, "{:?}", locked.body);
    assert!(locked.headers.contains_key("retry-after"));
    app.stop().await;
}

#[tokio::test]
async fn a_successful_sign_in_clears_the_account_failures() {
    let app = TestApp::spawn().await;
    app.bootstrap("Partner", "partner@fleet.test").await;
    let wrong = json!({ "email": "partner@fleet.test", "password": "guess" });
    for _ in 0..2 {
        for _ in 0..9 {
            sign_in_reply(&app, &wrong)
                .await
                .assert_surfsight_error(401, BAD_CREDENTIALS);
        }
        app.surfsight_sign_in("partner@fleet.test", OWNER_PASSWORD)
            .await;
    }
    app.stop().await;
}

#[tokio::test]
async fn a_partner_creates_organizations_below_its_own_with_a_sealed_sso_secret() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Partner", "partner@fleet.test").await;
    let (token, partner_org) = app
        .surfsight_sign_in("partner@fleet.test", OWNER_PASSWORD)
        .await;
    let reply = app
        .post(ORGS, &bearer(&token), &json!({ "name": "Fleet One" }))
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let org_id = reply.body["organizationId"].as_i64().unwrap();
    let secret = reply.body["ssoSecret"].as_str().unwrap();
    assert_eq!(secret.len(), 64);
    assert!(
        secret
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(reply.body.as_object().unwrap().len(), 2);

    let list = app.get(ORGS, &bearer(&token)).await;
    assert_eq!(list.status, 200);
    let data = list.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["id"], org_id);
    assert_eq!(data[0]["name"], "Fleet One");
    assert_eq!(data[0]["partnerId"], partner_org);
    assert!(data[0]["createdAt"].as_str().unwrap().ends_with('Z'));

    // Xponent sees it as a child of the partner's organization.
    let owner = app.owner_token(&boot).await;
    let orgs = app
        .get("/xponent/org", &owner)
        .await
        .xponent_items("organizations");
    let child = orgs.iter().find(|o| o["name"] == "Fleet One").unwrap();
    assert_eq!(child["parentId"], boot.organization_id.as_str());

    // The secret is never stored in the clear.
    assert!(!app.raw_database_text().await.contains(secret));
    app.stop().await;
}

#[tokio::test]
async fn creating_organizations_refuses_bad_requests() {
    let app = TestApp::spawn().await;
    let (token, _, _) = partner_with_org(&app).await;
    let auth = bearer(&token);
    app.send("POST", ORGS, None, Some(r#"{"name":"X"}"#))
        .await
        .assert_surfsight_error(
            401,
            "An Authorization header with a Bearer token is required",
        );
    app.send("POST", ORGS, Some(&token), Some(r#"{"name":"X"}"#))
        .await
        .assert_surfsight_error(
            401,
            "An Authorization header with a Bearer token is required",
        );
    app.post(ORGS, "Bearer not-a-token", &json!({ "name": "X" }))
        .await
        .assert_surfsight_error(401, TOKEN_INVALID);
    app.send("POST", ORGS, Some(&auth), Some("{"))
        .await
        .assert_surfsight_error(400, "The request body must be a JSON object");
    app.post(ORGS, &auth, &json!({}))
        .await
        .assert_surfsight_error(400, "\"name\" is required");
    app.post(ORGS, &auth, &json!({ "name": "  " }))
        .await
        .assert_surfsight_error(400, "\"name\" must be a non-empty string");
    app.post(ORGS, &auth, &json!({ "name": "Fleet One" }))
        .await
        .assert_surfsight_error(409, "An organization named 'Fleet One' already exists");
    app.stop().await;
}

#[tokio::test]
async fn only_partners_create_organizations() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Partner", "partner@fleet.test").await;
    let owner = app.owner_token(&boot).await;
    let created = app
        .post(
            &format!("/xponent/user/org/{}", boot.organization_id),
            &owner,
            &json!([{ "name": "Mo", "email": "mo@fleet.test", "password": "member password" }]),
        )
        .await;
    created.xponent_items("users");
    let (member, _) = app
        .surfsight_sign_in("mo@fleet.test", "member password")
        .await;
    app.post(ORGS, &bearer(&member), &json!({ "name": "Nope" }))
        .await
        .assert_surfsight_error(403, "Only partners can create organizations");
    // A user who is not a partner sees its own organization.
    let list = app.get(ORGS, &bearer(&member)).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["data"][0]["name"], "Partner");
    app.stop().await;
}

#[tokio::test]
async fn a_partner_lists_its_organizations_and_their_descendants_only() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Partner", "partner@fleet.test").await;
    app.bootstrap("Stranger", "stranger@fleet.test").await;
    let (token, _) = app
        .surfsight_sign_in("partner@fleet.test", OWNER_PASSWORD)
        .await;
    app.surfsight_create_org(&token, "Fleet One").await;
    app.surfsight_create_org(&token, "Fleet Two").await;
    let owner = app.owner_token(&boot).await;
    let fleet_one = app
        .get("/xponent/org", &owner)
        .await
        .xponent_items("organizations")
        .into_iter()
        .find(|o| o["name"] == "Fleet One")
        .unwrap();
    app.create_org(&owner, "Depot", fleet_one["id"].as_str())
        .await;
    let list = app.get(ORGS, &bearer(&token)).await;
    let names: Vec<_> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Fleet One", "Fleet Two", "Depot"]);
    app.stop().await;
}

#[tokio::test]
async fn an_sso_jwt_is_exchanged_for_an_organization_admin_token() {
    let app = TestApp::spawn().await;
    let (_, org_id, secret) = partner_with_org(&app).await;
    let claims = json!({ "organizationId": org_id, "timestamp": sso_timestamp(0) });
    let reply = exchange(&app, &sso_jwt(&secret, &claims, Algorithm::HS256)).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body.as_object().unwrap().len(), 1);
    let admin = reply.body["token"].as_str().unwrap();

    // The admin token sees its own organization on Surfsight...
    let list = app.get(ORGS, &bearer(admin)).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["data"][0]["id"], org_id);
    // ...and administers it through Xponent (a bare token, as Xponent wants) and Conformity.
    let orgs = app
        .get("/xponent/org", admin)
        .await
        .xponent_items("organizations");
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0]["name"], "Fleet One");
    app.create_org(admin, "Fleet One Depot", None).await;
    let external = app
        .send(
            "POST",
            "/conformity/v1/external-ids",
            Some(&bearer(admin)),
            None,
        )
        .await;
    assert_eq!(external.status, 200, "{:?}", external.body);
    let accounts = app.conformity("GET", "/accounts", admin, None).await;
    assert_eq!(accounts.conformity_data(), json!([]));
    app.stop().await;
}

#[tokio::test]
async fn iat_and_a_string_organization_id_are_accepted_too() {
    let app = TestApp::spawn().await;
    let (_, org_id, secret) = partner_with_org(&app).await;
    let iat = time::OffsetDateTime::now_utc().unix_timestamp();
    for claims in [
        json!({ "organizationId": org_id, "iat": iat }),
        json!({ "organizationId": org_id.to_string(), "timestamp": sso_timestamp(0) }),
        // Within the clock skew, and near the end of the 15 minutes.
        json!({ "organizationId": org_id, "timestamp": sso_timestamp(30) }),
        json!({ "organizationId": org_id, "timestamp": sso_timestamp(-14 * 60) }),
    ] {
        let reply = exchange(&app, &sso_jwt(&secret, &claims, Algorithm::HS256)).await;
        assert_eq!(reply.status, 200, "{claims}: {:?}", reply.body);
    }
    app.stop().await;
}

#[tokio::test]
async fn sso_jwts_are_refused_for_each_reason_with_its_message() {
    let app = TestApp::spawn().await;
    let (_, org_id, secret) = partner_with_org(&app).await;
    let now = sso_timestamp(0);
    let good = json!({ "organizationId": org_id, "timestamp": now });
    let hs256 = |claims: &Value| sso_jwt(&secret, claims, Algorithm::HS256);
    let unsigned = {
        use base64::Engine;
        let b64 =
            |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!(
            "{}.{}.",
            b64(&json!({ "alg": "none", "typ": "JWT" })),
            b64(&good)
        )
    };
    let rs256_header = {
        let token = hs256(&good);
        let (_, rest) = token.split_once('.').unwrap();
        use base64::Engine;
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(json!({ "alg": "RS256", "typ": "JWT" }).to_string());
        format!("{header}.{rest}")
    };
    let cases: Vec<(String, u16, &str)> = vec![
        (unsigned, 401, "The JWT must be signed with HS256, not none"),
        (
            sso_jwt(&secret, &good, Algorithm::HS512),
            401,
            "The JWT must be signed with HS256, not HS512",
        ),
        (
            rs256_header,
            401,
            "The JWT must be signed with HS256, not RS256",
        ),
        (
            sso_jwt("another secret", &good, Algorithm::HS256),
            401,
            "The JWT signature does not match the organization's SSO secret",
        ),
        (
            hs256(&json!({ "organizationId": org_id, "timestamp": sso_timestamp(-16 * 60) })),
            401,
            "The JWT has expired: it is valid for 15 minutes from its timestamp",
        ),
        (
            hs256(&json!({ "organizationId": org_id, "iat": 1_000_000_000 })),
            401,
            "The JWT has expired: it is valid for 15 minutes from its timestamp",
        ),
        (
            hs256(&json!({ "organizationId": org_id, "timestamp": sso_timestamp(5 * 60) })),
            401,
            "The JWT timestamp is in the future",
        ),
        ("not-a-jwt".into(), 401, "The JWT is malformed"),
        (
            // An unknown organization is refused as a bad signature is (see hostile_auth.rs).
            hs256(&json!({ "organizationId": 999_999, "timestamp": now })),
            401,
            "The JWT signature does not match the organization's SSO secret",
        ),
        (
            hs256(&json!({ "timestamp": now })),
            400,
            "The JWT has no organizationId claim",
        ),
        (
            hs256(&json!({ "organizationId": "seventeen", "timestamp": now })),
            400,
            "The JWT organizationId claim must be a positive integer",
        ),
        (
            hs256(&json!({ "organizationId": org_id })),
            400,
            "The JWT has no timestamp claim (YYYY-MM-DDThh:mm:ss, UTC) and no iat claim",
        ),
        (
            hs256(&json!({ "organizationId": org_id, "timestamp": "23/11/2026 10:00" })),
            400,
            "The JWT timestamp claim must be formatted YYYY-MM-DDThh:mm:ss (UTC)",
        ),
        (
            hs256(&json!({ "organizationId": org_id, "iat": "yesterday" })),
            400,
            "The JWT iat claim must be a number of seconds since the epoch",
        ),
    ];
    for (jwt, status, message) in cases {
        exchange(&app, &jwt)
            .await
            .assert_surfsight_error(status, message);
    }
    app.send("GET", SSO, None, None)
        .await
        .assert_surfsight_error(
            401,
            "An Authorization header with a Bearer token is required",
        );
    app.stop().await;
}

#[tokio::test]
async fn organizations_without_an_sso_secret_refuse_sso() {
    let app = TestApp::spawn().await;
    app.bootstrap("Partner", "partner@fleet.test").await;
    let (_, root_id) = app
        .surfsight_sign_in("partner@fleet.test", OWNER_PASSWORD)
        .await;
    let claims = json!({ "organizationId": root_id, "timestamp": sso_timestamp(0) });
    exchange(&app, &sso_jwt("anything", &claims, Algorithm::HS256))
        .await
        .assert_surfsight_error(
            401,
            "The JWT signature does not match the organization's SSO secret",
        );
    app.stop().await;
}

#[tokio::test]
async fn tokens_are_refused_by_a_server_of_another_region() {
    let app = TestApp::spawn().await;
    let (token, org_id, secret) = partner_with_org(&app).await;
    let claims = json!({ "organizationId": org_id, "timestamp": sso_timestamp(0) });
    let admin = exchange(&app, &sso_jwt(&secret, &claims, Algorithm::HS256))
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (mut data, dir) = app.stop_keeping_data().await;
    data.region = "eu".into();
    let eu = TestApp::spawn_on(data, dir).await;
    for token in [&token, &admin] {
        eu.get(ORGS, &bearer(token))
            .await
            .assert_surfsight_error(401, TOKEN_INVALID);
    }
    eu.stop().await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_face_format() {
    let app = TestApp::spawn().await;
    app.send("GET", "/surfsight/v2/devices", None, None)
        .await
        .assert_surfsight_error(404, "Route not found");
    app.send("DELETE", ORGS, None, None)
        .await
        .assert_surfsight_error(405, "Method not allowed");
    app.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_in_the_face_format() {
    let app = TestApp::spawn().await;
    let big = format!("{{\"email\":\"{}\"}}", "a".repeat(3 * 1024 * 1024));
    app.send("POST", SIGN_IN, None, Some(&big))
        .await
        .assert_surfsight_error(413, "The request body is too large");
    app.stop().await;
}
