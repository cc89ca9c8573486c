//! idOS settings (identity and credential tokens), widgets, subscriptions and company
//! profiles (end users made by user tokens): every action, its errors, tenant isolation.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::idos::{Tenant, assert_idos_error, idos, jwt, tenant};

/// A credential of the tenant's company: (public key, private key).
async fn credential(app: &TestApp, t: &Tenant) -> (String, String) {
    let reply = idos(
        app,
        "POST",
        &format!("/companies/{}/credentials", t.slug),
        Some(&t.auth()),
        Some(json!({"name": "Key"})),
    )
    .await;
    (
        reply.body["data"]["public"].as_str().unwrap().to_owned(),
        reply.body["data"]["private"].as_str().unwrap().to_owned(),
    )
}

/// A credential token for the tenant's credential `public`, through a new handler.
async fn credential_token(app: &TestApp, t: &Tenant, public: &str) -> String {
    let reply = idos(
        app,
        "POST",
        &format!("/companies/{}/handlers", t.slug),
        Some(&t.auth()),
        Some(json!({"name": "h", "authUsername": "u", "authPassword": "p"})),
    )
    .await;
    let (h_pub, h_priv) = (
        reply.body["data"]["public"].as_str().unwrap(),
        reply.body["data"]["private"].as_str().unwrap(),
    );
    jwt(h_priv, &json!({"iss": h_pub, "sub": public}))
}

#[tokio::test]
async fn settings_for_identities_and_credentials() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Settings Co").await;
    let auth = t.auth();
    let base = format!("/companies/{}/settings", t.slug);
    let reply = idos(&app, "POST", &base, Some(&auth), Some(json!({"section": "AppTokens", "property": "1abc7jdoxsaz.facebook.key", "value": "492361674b", "protected": "true"}))).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(reply.body["data"]["protected"], json!(true));
    let id = reply.body["data"]["id"].as_i64().unwrap();
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"section": "company.details", "property": "dashboardName", "value": "Dash"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(
            json!({"section": "AppTokens", "property": "1abc7jdoxsaz.facebook.key", "value": "x"}),
        ),
    )
    .await;
    assert_idos_error(
        &reply,
        409,
        "CONFLICT",
        "The setting AppTokens/1abc7jdoxsaz.facebook.key already exists",
    );
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"property": "p"})),
    )
    .await;
    assert_idos_error(&reply, 400, "VALIDATION_ERROR", "section is required");

    let reply = idos(
        &app,
        "GET",
        &format!("{base}?page=1&perPage=1"),
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(reply.body["pagination"]["total"], json!(2));

    // A credential token reads its company's settings, without the protected ones.
    let (public, _) = credential(&app, &t).await;
    let token = credential_token(&app, &t, &public).await;
    let reply = idos(
        &app,
        "GET",
        &base,
        Some(&format!("CredentialToken {token}")),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let data = reply.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["property"], json!("dashboardName"));
    let reply = idos(&app, "GET", &format!("{base}?token={token}"), None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    // ...and nothing else.
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&format!("CredentialToken {token}")),
        Some(json!({"section": "s", "property": "p"})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "AUTHORIZATION_MISSING",
        "Authorization details missing. Valid Authorization: Identity Token",
    );

    let one = format!("{base}/{id}");
    let reply = idos(&app, "GET", &one, Some(&auth), None).await;
    assert_eq!(reply.body["data"]["value"], json!("492361674b"));
    let reply = idos(
        &app,
        "PATCH",
        &one,
        Some(&auth),
        Some(json!({"value": "new"})),
    )
    .await;
    assert_eq!(reply.body["data"]["value"], json!("new"));
    assert!(reply.body["updated"].is_i64());
    let reply = idos(&app, "DELETE", &one, Some(&auth), None).await;
    assert_eq!(reply.body, json!({"status": true, "deleted": 1}));
    let reply = idos(&app, "GET", &one, Some(&auth), None).await;
    assert_idos_error(&reply, 404, "NOT_FOUND", &format!("Setting {id} not found"));
}

#[tokio::test]
async fn widgets_subscriptions_and_profiles() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Widgets Co").await;
    let auth = t.auth();
    let (public, private) = credential(&app, &t).await;

    let base = format!("/companies/{}/widgets", t.slug);
    let reply = idos(&app, "POST", &base, Some(&auth), Some(json!({"hash": "abcd1234", "label": "Widget", "type": "embedded-widget", "enabled": "true", "config": "{\"gates\": \"18+\"}", "credentialPubKey": public}))).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let hash = reply.body["data"]["hash"].as_str().unwrap().to_owned();
    assert_eq!(hash.len(), 32);
    // `config` comes back as sent: here a string.
    assert_eq!(reply.body["data"]["config"], json!("{\"gates\": \"18+\"}"));
    assert_eq!(reply.body["data"]["credential"], json!(public));
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"label": "W", "type": "popup", "credentialPubKey": public})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "type must be one of: embedded-widget",
    );
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"label": "W", "type": "embedded-widget"})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "credentialPubKey is required",
    );
    // A widget is public.
    let reply = idos(&app, "GET", &format!("{base}/{hash}"), None, None).await;
    assert_eq!(reply.body["data"]["label"], json!("Widget"));
    let reply = idos(&app, "PUT", &format!("{base}/{hash}"), Some(&auth), Some(json!({"label": "Renamed", "type": "embedded-widget", "enabled": false, "config": {"a": 1}}))).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["data"]["enabled"], json!(false));
    assert_eq!(reply.body["data"]["config"], json!({"a": 1}));
    // The credential stays when the update names none.
    assert_eq!(reply.body["data"]["credential"], json!(public));
    let reply = idos(&app, "GET", &base, Some(&auth), None).await;
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 1);
    let reply = idos(&app, "DELETE", &format!("{base}/{hash}"), Some(&auth), None).await;
    assert_eq!(reply.body, json!({"status": true, "deleted": 1}));
    let reply = idos(&app, "GET", &format!("{base}/{hash}"), None, None).await;
    assert_idos_error(
        &reply,
        404,
        "NOT_FOUND",
        &format!("Widget {hash} not found"),
    );

    let base = format!("/companies/{}/credentials/{public}/subscriptions", t.slug);
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"categorySlug": "firstName"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let id = reply.body["data"]["id"].as_i64().unwrap();
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"categorySlug": "firstName"})),
    )
    .await;
    assert_idos_error(
        &reply,
        409,
        "CONFLICT",
        "The credential is subscribed to firstName already",
    );
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"categorySlug": "first name"})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "categorySlug must be [a-zA-Z0-9_.-]+",
    );
    let reply = idos(&app, "GET", &base, Some(&auth), None).await;
    assert_eq!(reply.body["data"][0]["category_slug"], json!("firstName"));
    let reply = idos(&app, "DELETE", &format!("{base}/{id}"), Some(&auth), None).await;
    assert_eq!(reply.body, json!({"status": true, "deleted": 1}));
    let reply = idos(&app, "DELETE", &format!("{base}/{id}"), Some(&auth), None).await;
    assert_idos_error(
        &reply,
        404,
        "NOT_FOUND",
        &format!("Subscription {id} not found"),
    );

    // A user token makes its user, a company profile.
    let audiences = ["https://api.idos.io/1.0".to_owned()];
    let caller = app
        .services
        .authenticate_idos(
            orghub::service::idos::IdosTokenKind::User,
            &jwt(&private, &json!({"iss": public, "sub": "usr001"})),
            &orghub::service::idos::TokenCheck {
                audiences: &audiences,
            },
            None,
        )
        .await
        .unwrap();
    let user = caller.user.unwrap().id;
    let base = format!("/companies/{}/profiles", t.slug);
    let reply = idos(&app, "GET", &base, Some(&auth), None).await;
    assert_eq!(reply.body["data"][0]["username"], json!("usr001"));
    assert_eq!(reply.body["data"][0]["gates"], json!([]));
    let reply = idos(&app, "GET", &format!("{base}/{user}"), Some(&auth), None).await;
    assert_eq!(reply.body["data"]["credential"], json!(public));
    let reply = idos(&app, "DELETE", &format!("{base}/{user}"), Some(&auth), None).await;
    assert_eq!(reply.body, json!({"status": true, "deleted": 1}));
    let reply = idos(&app, "GET", &format!("{base}/{user}"), Some(&auth), None).await;
    assert_idos_error(
        &reply,
        404,
        "NOT_FOUND",
        &format!("Profile {user} not found"),
    );
}

#[tokio::test]
async fn settings_widgets_subscriptions_and_profiles_stay_in_their_company() {
    let app = TestApp::spawn().await;
    let a = tenant(&app, "Gamma").await;
    let b = tenant(&app, "Delta").await;
    let (key, private) = credential(&app, &a).await;
    let s = &a.slug;
    let setting = idos(
        &app,
        "POST",
        &format!("/companies/{s}/settings"),
        Some(&a.auth()),
        Some(json!({"section": "s", "property": "p", "value": "v"})),
    )
    .await;
    let setting = setting.body["data"]["id"].as_i64().unwrap();
    let widget = idos(
        &app,
        "POST",
        &format!("/companies/{s}/widgets"),
        Some(&a.auth()),
        Some(json!({"label": "W", "type": "embedded-widget", "credentialPubKey": key})),
    )
    .await;
    let widget = widget.body["data"]["hash"].as_str().unwrap().to_owned();
    let subscription = idos(
        &app,
        "POST",
        &format!("/companies/{s}/credentials/{key}/subscriptions"),
        Some(&a.auth()),
        Some(json!({"categorySlug": "x"})),
    )
    .await;
    let subscription = subscription.body["data"]["id"].as_i64().unwrap();
    let audiences = ["https://api.idos.io/1.0".to_owned()];
    let profile = app
        .services
        .authenticate_idos(
            orghub::service::idos::IdosTokenKind::User,
            &jwt(&private, &json!({"iss": key, "sub": "someone"})),
            &orghub::service::idos::TokenCheck {
                audiences: &audiences,
            },
            None,
        )
        .await
        .unwrap()
        .user
        .unwrap()
        .id;
    let routes = [
        ("GET", format!("/companies/{s}/settings")),
        ("POST", format!("/companies/{s}/settings")),
        ("GET", format!("/companies/{s}/settings/{setting}")),
        ("PATCH", format!("/companies/{s}/settings/{setting}")),
        ("DELETE", format!("/companies/{s}/settings/{setting}")),
        ("GET", format!("/companies/{s}/widgets")),
        ("POST", format!("/companies/{s}/widgets")),
        ("PUT", format!("/companies/{s}/widgets/{widget}")),
        ("DELETE", format!("/companies/{s}/widgets/{widget}")),
        (
            "GET",
            format!("/companies/{s}/credentials/{key}/subscriptions"),
        ),
        (
            "POST",
            format!("/companies/{s}/credentials/{key}/subscriptions"),
        ),
        (
            "DELETE",
            format!("/companies/{s}/credentials/{key}/subscriptions/{subscription}"),
        ),
        ("GET", format!("/companies/{s}/profiles")),
        ("GET", format!("/companies/{s}/profiles/{profile}")),
        ("DELETE", format!("/companies/{s}/profiles/{profile}")),
    ];
    let body = json!({"section": "s2", "property": "p", "value": "v", "label": "W", "type": "embedded-widget", "categorySlug": "y"});
    for (method, path) in &routes {
        let reply = idos(&app, method, path, Some(&b.auth()), Some(body.clone())).await;
        assert_idos_error(
            &reply,
            403,
            "NOT_ALLOWED",
            "Not Allowed: the credential does not allow this action on this company",
        );
    }
    // B's credential token does not read A's settings either.
    let (b_key, _) = credential(&app, &b).await;
    let token = credential_token(&app, &b, &b_key).await;
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{s}/settings"),
        Some(&format!("CredentialToken {token}")),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    // Under B's own slug, A's records are not found.
    let b_s = &b.slug;
    for path in [
        format!("/companies/{b_s}/settings/{setting}"),
        format!("/companies/{b_s}/profiles/{profile}"),
    ] {
        let reply = idos(&app, "GET", &path, Some(&b.auth()), None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{b_s}/widgets/{widget}"),
        None,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{s}/widgets/{widget}"),
        None,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn subjects_regions_names_and_sizes_are_refused_in_words() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Refusals Co").await;
    let settings = format!("/companies/{}/settings", t.slug);
    let handler = idos(
        &app,
        "POST",
        &format!("/companies/{}/handlers", t.slug),
        Some(&t.auth()),
        Some(json!({"name": "h", "authUsername": "u", "authPassword": "p"})),
    )
    .await;
    let (h_pub, h_priv) = (
        handler.body["data"]["public"].as_str().unwrap(),
        handler.body["data"]["private"].as_str().unwrap(),
    );
    for (claims, message) in [
        (json!({"iss": h_pub}), "Missing Subject Claim"),
        (
            json!({"iss": h_pub, "sub": "ffff"}),
            "Invalid Subject Claim",
        ),
    ] {
        let auth = format!("CredentialToken {}", jwt(h_priv, &claims));
        let reply = idos(&app, "GET", &settings, Some(&auth), None).await;
        assert_idos_error(&reply, 400, "INVALID_TOKEN", message);
    }

    let reply = idos(
        &app,
        "POST",
        &format!("/companies/{}/credentials", t.slug),
        Some(&t.auth()),
        Some(json!({"name": "bell\u{7}"})),
    )
    .await;
    assert_idos_error(&reply, 400, "VALIDATION_ERROR", "name must be printable");
    let reply = idos(
        &app,
        "POST",
        &settings,
        Some(&t.auth()),
        Some(json!({"section": "s".repeat(256), "property": "p", "value": "v"})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "section must be a string of 1 to 255 printable characters",
    );
    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(3 * 1024 * 1024));
    let reply = app
        .send(
            "POST",
            &format!("/idos/1.0/companies/{}/credentials", t.slug),
            Some(&t.auth()),
            Some(&big),
        )
        .await;
    assert_idos_error(
        &reply,
        413,
        "REQUEST_TOO_LARGE",
        "The request body is too large",
    );

    // A user of another region than this server's (as if made by another region's server).
    app.raw_execute(&format!(
        "UPDATE users SET region = 'elsewhere' WHERE public_id = '{}'",
        t.user_id
    ))
    .await;
    let reply = idos(&app, "GET", "/companies", Some(&t.auth()), None).await;
    assert_idos_error(
        &reply,
        400,
        "INVALID_TOKEN",
        "Invalid Token: its key belongs to another region than this server's",
    );
}

#[tokio::test]
async fn a_hook_url_that_does_not_answer_fails_the_handshake_in_five_seconds() {
    use crate::receiver::{Answer, Receiver};
    let app = TestApp::spawn_with_hooks(orghub::hooks::HookSettings {
        allow_private: true,
        ..orghub::hooks::HookSettings::default()
    })
    .await;
    let t = tenant(&app, "Silent Co").await;
    let (key, _) = credential(&app, &t).await;
    let silent = Receiver::answering(&[], Answer::Hang).await;
    let started = std::time::Instant::now();
    let reply = idos(
        &app,
        "POST",
        &format!("/companies/{}/credentials/{key}/hooks", t.slug),
        Some(&t.auth()),
        Some(json!({"trigger": "company.create", "url": silent.url()})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "HOOK_HANDSHAKE_FAILED",
        "Failed to perform hook handshake: the URL did not answer within 5 seconds",
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[tokio::test]
async fn setting_values_follow_the_text_rules() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Values Co").await;
    let auth = t.auth();
    let base = format!("/companies/{}/settings", t.slug);
    let message = "value must not contain control characters or bidirectional overrides";
    for value in ["a\u{0}b", "line\nbreak", "\u{202E}gnp.exe"] {
        let reply = idos(
            &app,
            "POST",
            &base,
            Some(&auth),
            Some(json!({"section": "s", "property": "p", "value": value})),
        )
        .await;
        assert_idos_error(&reply, 400, "VALIDATION_ERROR", message);
    }
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"section": "s", "property": "p", "value": "x".repeat(2_001)})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "value must have at most 2000 characters",
    );
    // 2,000 characters are a value.
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"section": "s", "property": "p", "value": "x".repeat(2_000)})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let id = reply.body["data"]["id"].as_i64().unwrap();
    let reply = idos(
        &app,
        "PATCH",
        &format!("{base}/{id}"),
        Some(&auth),
        Some(json!({"value": "a\u{0}b"})),
    )
    .await;
    assert_idos_error(&reply, 400, "VALIDATION_ERROR", message);
    let reply = idos(&app, "GET", &format!("{base}/{id}"), Some(&auth), None).await;
    assert_eq!(reply.body["data"]["value"], json!("x".repeat(2_000)));
}

#[tokio::test]
async fn names_words_and_hook_urls_follow_the_text_rules() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Rules Co").await;
    let auth = t.auth();
    let credentials = format!("/companies/{}/credentials", t.slug);

    // A credential's name: at most 200 characters, no bidirectional override.
    let reply = idos(
        &app,
        "POST",
        &credentials,
        Some(&auth),
        Some(json!({"name": "x".repeat(201)})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "name must have at most 200 characters",
    );
    let reply = idos(
        &app,
        "POST",
        &credentials,
        Some(&auth),
        Some(json!({"name": "\u{202E}gnp.exe"})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "name must not contain control characters or bidirectional overrides",
    );

    // A setting's section, property or a widget's label: no line separator or override.
    let reply = idos(
        &app,
        "POST",
        &format!("/companies/{}/settings", t.slug),
        Some(&auth),
        Some(json!({"section": "a\u{2028}b\u{2066}c", "property": "p", "value": "v"})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "section must be a string of 1 to 255 printable characters",
    );

    // An invited member's name follows the same rules, and no member is made.
    let (key, _) = credential(&app, &t).await;
    let reply = idos(
        &app,
        "POST",
        &format!("/companies/{}/invitations", t.slug),
        Some(&auth),
        Some(json!({"role": "company.reviewer", "email": "long@idos.io",
            "name": "x".repeat(201), "credentialPubKey": key})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "name must have at most 200 characters",
    );
    let members = idos(
        &app,
        "GET",
        &format!("/companies/{}/members", t.slug),
        Some(&auth),
        None,
    )
    .await;
    assert!(!members.body.to_string().contains("long@idos.io"));

    // A hook's URL: at most 2,048 characters, refused before any handshake.
    let url = format!("https://example.com/{}", "a".repeat(2_048));
    let reply = idos(
        &app,
        "POST",
        &format!("{credentials}/{key}/hooks"),
        Some(&auth),
        Some(json!({"trigger": "company.create", "url": url})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "url must have at most 2048 characters",
    );
}
