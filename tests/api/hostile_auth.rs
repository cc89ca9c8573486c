//! The findings of the security review "Hardening", each replayed against the real server:
//! guessing passwords in parallel, locking someone else out, hashing before authorizing,
//! flooding `POST /xponent/token`, probing the SSO exchange, Owners taking over fellow Owners,
//! tokens outliving a new password, key or SSO secret, and credentials crossing regions.
//! Limits are injected (small rates, a gate held full) instead of waiting for windows.

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::time::Duration;

use jsonwebtoken::Algorithm;
use orghub::service::{Limits, Rate};
use serde_json::{Value, json};

use crate::cli::{orghub, orghub_with_stdin, stderr, stdout};
use crate::helpers::{
    OWNER_PASSWORD, Reply, TestApp, fresh_nonce, sso_jwt, sso_timestamp, test_limits, token_hash,
};

const SIGN_IN: &str = "/surfsight/v2/authenticate";
const BAD_CREDENTIALS: &str = "Invalid email or password";
const OUT_OF_REACH: &str = "Invalid admin permissions for this user";
const TOKEN_NOT_VALID: &str = "Unauthorized - Token is not valid";
const BAD_SIGNATURE: &str = "The JWT signature does not match the organization's SSO secret";

/// A client whose connections come from `127.0.0.<last>` (all of 127/8 is loopback), so the
/// server sees another client address.
fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .build()
        .unwrap()
}

async fn sign_in_by(app: &TestApp, client: &reqwest::Client, email: &str, password: &str) -> Reply {
    let body = json!({ "email": email, "password": password }).to_string();
    app.send_by(
        client,
        "POST",
        SIGN_IN,
        &[("Content-Type", "application/json")],
        Some(&body),
    )
    .await
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Reply {
    sign_in_by(app, &app.client, email, password).await
}

/// How many of `replies` had each status.
fn count(replies: &[Reply], status: u16) -> usize {
    replies
        .iter()
        .filter(|r| r.status.as_u16() == status)
        .count()
}

fn per_hour(count: u32) -> Rate {
    Rate {
        count: NonZeroU32::new(count).unwrap(),
        per: Duration::from_secs(3600),
    }
}

/// Users created through Xponent by `token` in `org`; returns their ids.
async fn create_users(app: &TestApp, token: &str, org: &str, users: Value) -> Vec<String> {
    app.post(&format!("/xponent/user/org/{org}"), token, &users)
        .await
        .xponent_items("users")
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

// --- Passwords and guessing --------------------------------------------------------------

/// Before: 40 parallel wrong passwords for one account all got 401 (limit 10): the lockout
/// was checked before any of them was counted.
#[tokio::test]
async fn forty_parallel_guesses_at_one_account_get_ten_password_checks() {
    let app = TestApp::spawn().await;
    app.bootstrap("Partner", "partner@fleet.test").await;
    let guesses: Vec<String> = (0..40).map(|i| format!("guess {i}")).collect();
    let replies = futures::future::join_all(
        guesses
            .iter()
            .map(|guess| sign_in(&app, "partner@fleet.test", guess)),
    )
    .await;
    assert_eq!(count(&replies, 401), 10, "{replies:?}");
    assert_eq!(count(&replies, 429), 30);
    for locked in replies.iter().filter(|r| r.status == 429) {
        assert!(locked.headers.contains_key("retry-after"));
    }
    // No more than the gate's permits ever hashed at once.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert!(app.services.password_gate().peak() <= cores);
    app.stop().await;
}

/// Before: 64 parallel failures from one address all got 401 (limit 50).
#[tokio::test]
async fn sixty_four_parallel_failures_from_one_address_get_fifty_checks() {
    let app = TestApp::spawn_with_service_limits(Limits {
        password_concurrency: Some(2),
        ..test_limits()
    })
    .await;
    let emails: Vec<String> = (0..64).map(|i| format!("guess{i}@fleet.test")).collect();
    let replies =
        futures::future::join_all(emails.iter().map(|email| sign_in(&app, email, "guess"))).await;
    assert_eq!(count(&replies, 401), 50, "{replies:?}");
    assert_eq!(count(&replies, 429), 14);
    assert!(app.services.password_gate().peak() <= 2);
    app.stop().await;
}

/// Past the gate's wait, a password request is refused in the face's format (never queued
/// holding memory), and a refusal for want of a permit is not counted as a failure.
#[tokio::test]
async fn a_full_password_gate_answers_503_in_each_face_and_counts_no_failure() {
    let app = TestApp::spawn_with_service_limits(Limits {
        password_concurrency: Some(1),
        password_wait: Duration::ZERO,
        ..test_limits()
    })
    .await;
    let (boot, token) = app.root_with_token().await;
    let held = app
        .services
        .password_gate()
        .try_hold()
        .expect("a free permit");
    for _ in 0..12 {
        let busy = sign_in(&app, "owner@root.test", "a wrong guess").await;
        busy.assert_surfsight_error(503, "The server is busy: retry in 1 seconds");
        assert_eq!(busy.headers["retry-after"], "1");
    }
    let busy = app
        .put(
            &format!("/xponent/user/{}", boot.user_id),
            &token,
            &json!({ "password": "a new long password" }),
        )
        .await;
    busy.assert_xponent_error(503, "Server busy: retry in 1 seconds");
    assert_eq!(busy.headers["retry-after"], "1");
    drop(held);
    // Twelve refusals, none counted: the account is not locked.
    assert_eq!(
        sign_in(&app, "owner@root.test", OWNER_PASSWORD)
            .await
            .status,
        200
    );
    app.stop().await;
}

/// Before: a 2 MB "email" got 401 and was kept as a throttle key.
#[tokio::test]
async fn an_over_long_email_is_refused_before_it_is_looked_up_or_counted() {
    let app = TestApp::spawn().await;
    app.bootstrap("Partner", "partner@fleet.test").await;
    let huge = format!("{}@fleet.test", "a".repeat(1_500_000));
    for _ in 0..12 {
        sign_in(&app, &huge, "guess")
            .await
            .assert_surfsight_error(400, "\"email\" must have at most 254 characters");
    }
    let just_too_long = format!("{}@fleet.test", "a".repeat(244));
    sign_in(&app, &just_too_long, "guess")
        .await
        .assert_surfsight_error(400, "\"email\" must have at most 254 characters");
    app.surfsight_sign_in("partner@fleet.test", OWNER_PASSWORD)
        .await;
    app.stop().await;
}

/// Before: ten failures from anyone locked the account for everyone, its owner included.
#[tokio::test]
async fn an_attacker_does_not_lock_the_owner_out_of_its_own_address() {
    let app = TestApp::spawn().await;
    app.bootstrap("Partner", "partner@fleet.test").await;
    let (home, attacker, second, fresh) = (
        client_from(2),
        client_from(3),
        client_from(4),
        client_from(5),
    );
    let email = "partner@fleet.test";
    assert_eq!(
        sign_in_by(&app, &home, email, OWNER_PASSWORD).await.status,
        200
    );

    for _ in 0..10 {
        sign_in_by(&app, &attacker, email, "guess")
            .await
            .assert_surfsight_error(401, BAD_CREDENTIALS);
    }
    // The attacker's pair is locked, even with the right password…
    assert_eq!(
        sign_in_by(&app, &attacker, email, OWNER_PASSWORD)
            .await
            .status,
        429
    );
    // …the owner's is not, nor is another address's.
    assert_eq!(
        sign_in_by(&app, &home, email, OWNER_PASSWORD).await.status,
        200
    );
    // Ten more from a second address: 20 failures reach the account's soft limit, which holds
    // back the addresses the account never signed in from, and not its own.
    for _ in 0..10 {
        sign_in_by(&app, &second, email, "guess")
            .await
            .assert_surfsight_error(401, BAD_CREDENTIALS);
    }
    let refused = sign_in_by(&app, &fresh, email, OWNER_PASSWORD).await;
    assert_eq!(refused.status, 429, "{:?}", refused.body);
    assert_eq!(
        sign_in_by(&app, &home, email, OWNER_PASSWORD).await.status,
        200
    );
    app.stop().await;
}

// --- Bulk creation: authorize, check, then hash ----------------------------------------------

/// Before: a Member posting 200 users with passwords to a foreign organization got its 403
/// after 10.9 s of one core. The gate is held full here: a request that hashed before
/// authorizing would get 503, not 403.
#[tokio::test]
async fn bulk_creates_authorize_and_check_before_hashing() {
    let app = TestApp::spawn_with_service_limits(Limits {
        password_concurrency: Some(1),
        password_wait: Duration::ZERO,
        ..test_limits()
    })
    .await;
    let (boot, owner) = app.root_with_token().await;
    let foreign = app.bootstrap("Foreign", "owner@foreign.test").await;
    let member = create_users(
        &app,
        &owner,
        &boot.organization_id,
        json!([{ "name": "Mo", "email": "mo@root.test" }]),
    )
    .await
    .remove(0);
    let member_token = login_session(&app, &owner, &member).await;
    let _held = app
        .services
        .password_gate()
        .try_hold()
        .expect("a free permit");

    let users = |n: usize, domain: &str| {
        Value::Array(
            (0..n)
                .map(|i| json!({ "name": format!("U{i}"), "email": format!("u{i}@{domain}"), "password": "a long password" }))
                .collect(),
        )
    };
    app.post(
        &format!("/xponent/user/org/{}", foreign.organization_id),
        &member_token,
        &users(200, "foreign.test"),
    )
    .await
    .assert_xponent_error(403, "Invalid user admin permissions for this organization");
    app.post(
        &format!("/xponent/user/org/{}", boot.organization_id),
        &member_token,
        &users(200, "root.test"),
    )
    .await
    .assert_xponent_error(403, "Invalid user admin permissions for this organization");
    app.post(
        &format!("/xponent/user/org/{}", boot.organization_id),
        &owner,
        &users(1_001, "root.test"),
    )
    .await
    .assert_xponent_error(400, "Body cannot contain more than 1000 items");
    // One bad entry anywhere: refused before the first password is hashed.
    let mut bad = users(3, "root.test");
    bad[2]["password"] = json!("short");
    app.post(
        &format!("/xponent/user/org/{}", boot.organization_id),
        &owner,
        &bad,
    )
    .await
    .assert_xponent_error(400, "The field password must be at least 8 characters");
    app.put(
        &format!("/xponent/user/{}", foreign.user_id),
        &owner,
        &json!({ "password": "a long password" }),
    )
    .await
    .assert_xponent_error(403, "Invalid user admin permissions for this organization");
    app.stop().await;
}

/// A session token for `user`, through a login token `owner` issues.
async fn login_session(app: &TestApp, owner: &str, user: &str) -> String {
    let login = app
        .get(&format!("/xponent/user/{user}/loginToken"), owner)
        .await
        .xponent_items("tokens")[0]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.send(
        "POST",
        "/xponent/login",
        None,
        Some(&json!({ "token": login }).to_string()),
    )
    .await
    .xponent_items("tokens")[0]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

// --- POST /xponent/token rate limits ---------------------------------------------------------

#[tokio::test]
async fn owner_tokens_are_rate_limited_per_user_with_retry_after() {
    let app = TestApp::spawn_with_service_limits(Limits {
        tokens_per_user: per_hour(3),
        ..test_limits()
    })
    .await;
    let (boot, _) = app.root_with_token().await;
    let other = app.bootstrap("Other", "owner@other.test").await;
    app.owner_token(&boot).await;
    app.owner_token(&boot).await;
    let refused = request_owner_token(&app, &boot.user_id, &boot.secret_key).await;
    assert_eq!(refused.status, 429, "{:?}", refused.body);
    let secs: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=1200).contains(&secs), "{secs}");
    refused.assert_xponent_error(429, &format!("Too many requests: retry in {secs} seconds"));
    // Wrong hashes do not spend a user's rate: only proven requests do.
    app.owner_token(&other).await;
    for _ in 0..5 {
        request_owner_token(&app, &other.user_id, "not the key")
            .await
            .assert_xponent_error(401, "Unauthorized - Hash does not match");
    }
    app.owner_token(&other).await;
    app.stop().await;
}

#[tokio::test]
async fn token_requests_are_rate_limited_per_client_address() {
    let app = TestApp::spawn_with_service_limits(Limits {
        tokens_per_address: per_hour(4),
        ..test_limits()
    })
    .await;
    let boot = app.bootstrap("Root", "owner@root.test").await;
    for _ in 0..4 {
        request_owner_token(&app, &boot.user_id, "not the key")
            .await
            .assert_xponent_error(401, "Unauthorized - Hash does not match");
    }
    let refused = request_owner_token(&app, &boot.user_id, &boot.secret_key).await;
    assert_eq!(refused.status, 429, "{:?}", refused.body);
    assert!(refused.headers.contains_key("retry-after"));
    // Another address has its own rate.
    let nonce = fresh_nonce();
    let body = json!({ "userId": boot.user_id, "nonce": nonce, "hash": token_hash(&boot.secret_key, &nonce) });
    let other = app
        .send_by(
            &client_from(7),
            "POST",
            "/xponent/token",
            &[("Content-Type", "application/json")],
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(other.xponent_items("tokens").len(), 1);
    app.stop().await;
}

async fn request_owner_token(app: &TestApp, user: &str, secret: &str) -> Reply {
    let nonce = fresh_nonce();
    let body = json!({ "userId": user, "nonce": nonce, "hash": token_hash(secret, &nonce) });
    app.send("POST", "/xponent/token", None, Some(&body.to_string()))
        .await
}

// --- The SSO exchange ------------------------------------------------------------------------

/// Before: 404 for an unknown organization, 401 "has no SSO secret" for one not created
/// through Surfsight, 401 "signature does not match" otherwise.
#[tokio::test]
async fn the_sso_exchange_answers_alike_for_unknown_organizations_missing_secrets_and_bad_signatures()
 {
    let app = TestApp::spawn().await;
    app.bootstrap("Partner", "partner@fleet.test").await;
    let (token, root_id) = app
        .surfsight_sign_in("partner@fleet.test", OWNER_PASSWORD)
        .await;
    let (org_id, _secret) = app.surfsight_create_org(&token, "Fleet").await;
    let jwt = |org: i64| {
        let claims = json!({ "organizationId": org, "timestamp": sso_timestamp(0) });
        sso_jwt("a guessed secret", &claims, Algorithm::HS256)
    };
    let answers = [
        jwt(org_id),      // exists, has a secret: a bad signature
        jwt(root_id),     // exists, has no secret
        jwt(999_999_999), // does not exist
    ];
    for jwt in answers {
        let reply = app
            .send(
                "GET",
                "/surfsight/v2/organizations/sso",
                Some(&format!("Bearer {jwt}")),
                None,
            )
            .await;
        reply.assert_surfsight_error(401, BAD_SIGNATURE);
    }
    app.stop().await;
}

// --- Privilege: who administers whom -------------------------------------------------------

/// Before: a non-partner Owner took a login token for the partner Owner of its organization,
/// redeemed it and created Surfsight organizations; it could also set that user's password
/// and demote it.
#[tokio::test]
async fn an_owner_cannot_take_over_a_fellow_owner_nor_a_partner() {
    let app = TestApp::spawn().await;
    let (boot, partner_token) = app.root_with_token().await;
    let root = &boot.organization_id;
    let child = app.create_org(&partner_token, "Child", None).await;
    let ids = create_users(
        &app,
        &partner_token,
        root,
        json!([
            { "name": "Olu", "email": "olu@root.test", "role": "Owner", "password": "olu password" },
            { "name": "Ona", "email": "ona@root.test", "role": "Owner" },
            { "name": "Mo", "email": "mo@root.test" },
        ]),
    )
    .await;
    let (olu, ona, mo) = (&ids[0], &ids[1], &ids[2]);
    let below = create_users(
        &app,
        &partner_token,
        &child,
        json!([{ "name": "Cy", "email": "cy@child.test", "role": "Owner" }]),
    )
    .await
    .remove(0);
    let (olu_token, _) = app.surfsight_sign_in("olu@root.test", "olu password").await;

    // The partner Owner of its own organization, and a fellow Owner: every route refuses.
    for target in [&boot.user_id, ona] {
        app.get(&format!("/xponent/user/{target}/loginToken"), &olu_token)
            .await
            .assert_xponent_error(403, OUT_OF_REACH);
        for change in [
            json!({ "password": "taken over at last" }),
            json!({ "role": "Member" }),
            json!({ "email": "mine@evil.test" }),
            json!({ "name": "Renamed" }),
        ] {
            app.put(&format!("/xponent/user/{target}"), &olu_token, &change)
                .await
                .assert_xponent_error(403, OUT_OF_REACH);
        }
        app.delete(&format!("/xponent/user/{target}"), &olu_token)
            .await
            .assert_xponent_error(403, OUT_OF_REACH);
    }
    // The partner is untouched: it still signs in and creates Surfsight organizations.
    let (partner, _) = app
        .surfsight_sign_in("owner@root.test", OWNER_PASSWORD)
        .await;
    app.surfsight_create_org(&partner, "Still mine").await;

    // A Member of its organization, an Owner below it, and itself: allowed.
    for target in [mo, &below, olu] {
        app.get(&format!("/xponent/user/{target}/loginToken"), &olu_token)
            .await
            .xponent_items("tokens");
        app.put(
            &format!("/xponent/user/{target}"),
            &olu_token,
            &json!({ "name": "Renamed" }),
        )
        .await
        .xponent_items("users");
    }
    app.delete(&format!("/xponent/user/{below}"), &olu_token)
        .await
        .xponent_items("users");
    // The partner, an Owner too, does not administer its fellow Owners either.
    app.get(&format!("/xponent/user/{olu}/loginToken"), &partner_token)
        .await
        .assert_xponent_error(403, OUT_OF_REACH);
    app.stop().await;
}

/// A non-partner never administers a partner, wherever it sits: the partner right would pass
/// with a login token or a password.
#[tokio::test]
async fn a_non_partner_owner_above_never_administers_a_partner_below() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    create_users(
        &app,
        &token,
        &boot.organization_id,
        json!([{ "name": "Al", "email": "al@root.test", "role": "Owner", "password": "al password" }]),
    )
    .await;
    let partner_below = create_users(
        &app,
        &token,
        &child,
        json!([{ "name": "Pa", "email": "pa@child.test", "role": "Owner" }]),
    )
    .await
    .remove(0);
    // Only the store can make a partner (bootstrap makes the first): make one below.
    app.raw_execute(&format!(
        "UPDATE users SET partner = TRUE WHERE public_id = '{partner_below}'"
    ))
    .await;
    let (al, _) = app.surfsight_sign_in("al@root.test", "al password").await;
    app.get(&format!("/xponent/user/{partner_below}/loginToken"), &al)
        .await
        .assert_xponent_error(403, OUT_OF_REACH);
    app.put(
        &format!("/xponent/user/{partner_below}"),
        &al,
        &json!({ "password": "taken over at last" }),
    )
    .await
    .assert_xponent_error(403, OUT_OF_REACH);
    // The partner above it may.
    app.get(&format!("/xponent/user/{partner_below}/loginToken"), &token)
        .await
        .xponent_items("tokens");
    app.stop().await;
}

// --- Revocation --------------------------------------------------------------------------------

#[tokio::test]
async fn a_new_password_ends_the_users_tokens() {
    let app = TestApp::spawn().await;
    let (boot, owner) = app.root_with_token().await;
    let mo = create_users(
        &app,
        &owner,
        &boot.organization_id,
        json!([{ "name": "Mo", "email": "mo@root.test", "password": "old password" }]),
    )
    .await
    .remove(0);
    let (password_token, _) = app.surfsight_sign_in("mo@root.test", "old password").await;
    let session = login_session(&app, &owner, &mo).await;
    for token in [&password_token, &session] {
        app.get("/xponent/org", token)
            .await
            .xponent_items("organizations");
    }
    app.put(
        &format!("/xponent/user/{mo}"),
        &owner,
        &json!({ "password": "new password" }),
    )
    .await
    .xponent_items("users");
    for token in [&password_token, &session] {
        app.get("/xponent/org", token)
            .await
            .assert_xponent_error(401, TOKEN_NOT_VALID);
    }
    sign_in(&app, "mo@root.test", "old password")
        .await
        .assert_surfsight_error(401, BAD_CREDENTIALS);
    let (fresh, _) = app.surfsight_sign_in("mo@root.test", "new password").await;
    app.get("/xponent/org", &fresh)
        .await
        .xponent_items("organizations");
    // The Owner's own tokens are not the Member's: they live on.
    app.get("/xponent/org", &owner)
        .await
        .xponent_items("organizations");
    app.stop().await;
}

/// A server whose reads are never cached: what the CLI (another process) changes is seen on
/// the next request, whatever the timing.
async fn uncached_app() -> TestApp {
    TestApp::spawn_with_read_cache(Duration::ZERO).await
}

#[tokio::test]
async fn rotating_a_secret_key_with_the_cli_ends_the_owners_tokens() {
    let app = uncached_app().await;
    let boot = crate::cli::bootstrap_json(&app, "Acme", "ada@acme.test");
    let (user, secret) = (
        boot["userId"].as_str().unwrap(),
        boot["secretKey"].as_str().unwrap(),
    );
    let owner = app.owner_token_for(user, secret).await;
    let (password_token, _) = app
        .surfsight_sign_in("ada@acme.test", boot["password"].as_str().unwrap())
        .await;
    let output = orghub(&app, &["secret-key", "--user", user]);
    assert!(output.status.success(), "{}", stderr(&output));
    for token in [&owner, &password_token] {
        app.get("/xponent/org", token)
            .await
            .assert_xponent_error(401, TOKEN_NOT_VALID);
    }
    let renewed = app.owner_token_for(user, &stdout(&output)).await;
    app.get("/xponent/org", &renewed)
        .await
        .xponent_items("organizations");
    app.stop().await;
}

#[tokio::test]
async fn token_revoke_ends_one_token_read_from_standard_input_or_every_token_of_a_user() {
    let app = uncached_app().await;
    let boot = crate::cli::bootstrap_json(&app, "Acme", "ada@acme.test");
    let (user, secret) = (
        boot["userId"].as_str().unwrap(),
        boot["secretKey"].as_str().unwrap(),
    );
    let (first, second, third) = (
        app.owner_token_for(user, secret).await,
        app.owner_token_for(user, secret).await,
        app.owner_token_for(user, secret).await,
    );

    let output = orghub_with_stdin(&app, &["token", "revoke"], &format!("{first}\n"));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "token revoked");
    assert!(!stdout(&output).contains(&first) && !stderr(&output).contains(&first));
    app.get("/xponent/org", &first)
        .await
        .assert_xponent_error(401, TOKEN_NOT_VALID);
    app.get("/xponent/org", &second)
        .await
        .xponent_items("organizations");

    let again = orghub_with_stdin(&app, &["token", "revoke"], &first);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(stderr(&again), "error: there is no such token");
    let nothing = orghub_with_stdin(&app, &["token", "revoke"], "");
    assert_eq!(stderr(&nothing), "error: no token on standard input");

    // Every token of the user — a partner: the operator is trusted with every user.
    let output = orghub(&app, &["token", "revoke", "--user", user]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("2 tokens of user {user} revoked"));
    for token in [&second, &third] {
        app.get("/xponent/org", token)
            .await
            .assert_xponent_error(401, TOKEN_NOT_VALID);
    }
    app.owner_token_for(user, secret).await;
    let unknown = orghub(
        &app,
        &["token", "revoke", "--user", &crate::helpers::unknown_id()],
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).starts_with("error: there is no user with id"));
    app.stop().await;
}

#[tokio::test]
async fn sso_secret_rotate_prints_a_new_secret_once_and_ends_the_admin_tokens() {
    let app = uncached_app().await;
    app.bootstrap("Partner", "partner@fleet.test").await;
    let (token, _) = app
        .surfsight_sign_in("partner@fleet.test", OWNER_PASSWORD)
        .await;
    let (org_id, old_secret) = app.surfsight_create_org(&token, "Fleet").await;
    let exchange = |secret: String| {
        let claims = json!({ "organizationId": org_id, "timestamp": sso_timestamp(0) });
        let jwt = sso_jwt(&secret, &claims, Algorithm::HS256);
        let app = &app;
        async move {
            app.send(
                "GET",
                "/surfsight/v2/organizations/sso",
                Some(&format!("Bearer {jwt}")),
                None,
            )
            .await
        }
    };
    let admin = exchange(old_secret.clone()).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get("/xponent/org", &admin)
        .await
        .xponent_items("organizations");

    let output = orghub(
        &app,
        &[
            "sso-secret",
            "rotate",
            "--org",
            &org_id.to_string(),
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let rotated: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(rotated["organizationId"], org_id);
    assert_eq!(rotated["endedTokens"], 1);
    let new_secret = rotated["ssoSecret"].as_str().unwrap().to_owned();
    assert_eq!(new_secret.len(), 64);
    assert_ne!(new_secret, old_secret);

    app.get("/xponent/org", &admin)
        .await
        .assert_xponent_error(401, TOKEN_NOT_VALID);
    exchange(old_secret)
        .await
        .assert_surfsight_error(401, BAD_SIGNATURE);
    let renewed = exchange(new_secret).await;
    assert_eq!(renewed.status, 200, "{:?}", renewed.body);

    let plain = orghub(
        &app,
        &["sso-secret", "rotate", "--org", &org_id.to_string()],
    );
    assert_eq!(stdout(&plain).len(), 64);
    let bad = orghub(&app, &["sso-secret", "rotate", "--org", "Fleet"]);
    assert_eq!(
        stderr(&bad),
        "error: 'Fleet' is not an organization id (an integer or a UUID)"
    );
    let unknown = orghub(&app, &["sso-secret", "rotate", "--org", "999999"]);
    assert_eq!(
        stderr(&unknown),
        "error: there is no organization with id 999999"
    );
    app.stop().await;
}

// --- Regions -------------------------------------------------------------------------------------

/// Before: a server of another `--region` refused bearer tokens, but took the API keys and
/// issued `POST /token` and sign-in tokens to users of the first region.
#[tokio::test]
async fn every_credential_of_one_region_is_refused_by_a_server_of_another() {
    let app = TestApp::spawn().await;
    let (boot, _) = app.root_with_token().await;
    let key = boot.api_key.clone();
    app.conformity("GET", "/api-keys", &key, None)
        .await
        .conformity_data();
    let (mut data, dir) = app.stop_keeping_data().await;
    data.region = "eu".into();
    let eu = TestApp::spawn_on(data, dir).await;
    eu.conformity("GET", "/api-keys", &key, None)
        .await
        .assert_conformity_error(403, "The API key is not valid", None);
    request_owner_token(&eu, &boot.user_id, &boot.secret_key)
        .await
        .assert_xponent_error(
            404,
            &format!("User with id '{}' does not exist", boot.user_id),
        );
    sign_in(&eu, "owner@root.test", OWNER_PASSWORD)
        .await
        .assert_surfsight_error(401, BAD_CREDENTIALS);
    // Credentials of the eu server's own region work there.
    let local = eu.bootstrap("Europa", "owner@europa.test").await;
    eu.owner_token(&local).await;
    eu.conformity("GET", "/api-keys", &local.api_key, None)
        .await
        .conformity_data();
    eu.stop().await;
}
