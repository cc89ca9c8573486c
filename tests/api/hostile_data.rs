//! Hostile text on every face: control characters (NUL, CR, LF, ESC), bidi overrides and
//! isolates, whitespace-only values and values over their length limits are refused with the
//! face's 400 (422 on Cloud Conformity), with the same words on SQLite and PostgreSQL (a NUL
//! byte used to be a 500 on PostgreSQL, and a name over the index limit too). Also: emails
//! compare by NFKC then lower case, so a look-alike address is the same account.

use serde_json::{Value, json};

use crate::helpers::{OWNER_PASSWORD, TEST_ROLE_ARN, TestApp};

const FORBIDDEN: &str = "must not contain control characters or bidirectional overrides";

/// Values no stored text may hold.
const CONTROL: [&str; 8] = [
    "nul\u{0}byte",
    "carriage\rreturn",
    "line\nfeed",
    "\u{1b}[31mred",
    "\u{202E}gnp.exe",
    "iso\u{2066}late\u{2069}",
    "del\u{7f}",
    "line\u{2028}separator",
];

/// Each hostile name with the Xponent-style rule it breaks ("must …").
fn hostile_names() -> Vec<(String, String)> {
    let mut cases: Vec<(String, String)> = CONTROL
        .iter()
        .map(|v| (v.to_string(), FORBIDDEN.to_owned()))
        .collect();
    cases.push(("   ".into(), "must not be blank".into()));
    cases.push(("\u{3000}\t".into(), FORBIDDEN.into()));
    cases.push(("n".repeat(201), "must be at most 200 characters".into()));
    // Over PostgreSQL's index row limit in bytes, far over 200 characters.
    cases.push(("€".repeat(1_000), "must be at most 200 characters".into()));
    cases
}

struct Setup {
    app: TestApp,
    token: String,
    root: String,
    user: String,
    project: String,
}

async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let users = app
        .post(
            &format!("/xponent/user/org/{}", boot.organization_id),
            &token,
            &json!([{ "name": "Bo", "email": "bo@root.test" }]),
        )
        .await
        .xponent_items("users");
    let project = app
        .post(
            &format!("/xponent/project/org/{}", boot.organization_id),
            &token,
            &json!({ "name": "P", "description": "d" }),
        )
        .await
        .xponent_items("projects");
    Setup {
        root: boot.organization_id,
        user: users[0]["id"].as_str().unwrap().to_owned(),
        project: project[0]["id"].as_str().unwrap().to_owned(),
        token,
        app,
    }
}

#[tokio::test]
async fn xponent_refuses_hostile_names_everywhere_with_one_message() {
    let s = setup().await;
    let child = s.app.create_org(&s.token, "Child", None).await;
    for (name, rule) in hostile_names() {
        let message = format!("The field name {rule}");
        let requests: [(&str, String, Value); 6] = [
            ("POST", "/xponent/org".into(), json!({ "name": name })),
            (
                "PUT",
                format!("/xponent/org/{child}"),
                json!({ "name": name }),
            ),
            (
                "POST",
                format!("/xponent/user/org/{}", s.root),
                json!([{ "name": name, "email": "new@root.test" }]),
            ),
            (
                "PUT",
                format!("/xponent/user/{}", s.user),
                json!({ "name": name }),
            ),
            (
                "POST",
                format!("/xponent/project/org/{}", s.root),
                json!({ "name": name, "description": "d" }),
            ),
            (
                "PUT",
                format!("/xponent/project/{}", s.project),
                json!({ "name": name }),
            ),
        ];
        for (method, path, body) in requests {
            s.app
                .send(method, &path, Some(&s.token), Some(&body.to_string()))
                .await
                .assert_xponent_error(400, &message);
        }
    }
    // Nothing was written: the tree, the user and the project are as they were.
    let orgs = s
        .app
        .get("/xponent/org", &s.token)
        .await
        .xponent_items("organizations");
    assert_eq!(orgs.len(), 2);
    assert_eq!(orgs[1]["name"], "Child");
    let users = s
        .app
        .get("/xponent/user", &s.token)
        .await
        .xponent_items("users");
    assert_eq!(users.len(), 2);
    s.app.stop().await;
}

#[tokio::test]
async fn xponent_refuses_hostile_descriptions_and_emails() {
    let s = setup().await;
    let mut descriptions: Vec<(String, String)> = CONTROL
        .iter()
        .map(|v| (v.to_string(), FORBIDDEN.to_owned()))
        .collect();
    descriptions.push(("\t ".into(), FORBIDDEN.into()));
    descriptions.push(("  ".into(), "must not be blank".into()));
    descriptions.push(("d".repeat(2_001), "must be at most 2000 characters".into()));
    for (description, rule) in descriptions {
        let message = format!("The field description {rule}");
        s.app
            .post(
                &format!("/xponent/project/org/{}", s.root),
                &s.token,
                &json!({ "name": "Q", "description": description }),
            )
            .await
            .assert_xponent_error(400, &message);
        s.app
            .put(
                &format!("/xponent/project/{}", s.project),
                &s.token,
                &json!({ "description": description }),
            )
            .await
            .assert_xponent_error(400, &message);
    }
    assert!(
        s.app
            .post(
                &format!("/xponent/project/org/{}", s.root),
                &s.token,
                &json!({ "name": "Q", "description": "d".repeat(2_000) }),
            )
            .await
            .status
            .is_success()
    );

    let mut emails: Vec<(String, String)> = [
        "nul\u{0}@root.test",
        "a@root.test\r\nBcc: x",
        "\u{202E}a@root.test",
    ]
    .iter()
    .map(|v| (v.to_string(), FORBIDDEN.to_owned()))
    .collect();
    emails.push((
        format!("{}@root.test", "a".repeat(250)),
        "must be at most 254 characters".into(),
    ));
    for (email, rule) in emails {
        let message = format!("The field email {rule}");
        s.app
            .post(
                &format!("/xponent/user/org/{}", s.root),
                &s.token,
                &json!([{ "name": "Eve", "email": email }]),
            )
            .await
            .assert_xponent_error(400, &message);
        s.app
            .put(
                &format!("/xponent/user/{}", s.user),
                &s.token,
                &json!({ "email": email }),
            )
            .await
            .assert_xponent_error(400, &message);
    }
    s.app.stop().await;
}

#[tokio::test]
async fn surfsight_refuses_hostile_names_and_sign_in_emails() {
    let app = TestApp::spawn().await;
    app.root_with_token().await;
    let (token, _) = app
        .surfsight_sign_in("owner@root.test", OWNER_PASSWORD)
        .await;
    let auth = format!("Bearer {token}");
    for (name, rule) in hostile_names() {
        if name.trim().is_empty() {
            continue; // Surfsight trims, and words a blank name as it always has.
        }
        app.post(
            "/surfsight/v2/organizations",
            &auth,
            &json!({ "name": name }),
        )
        .await
        .assert_surfsight_error(400, &format!("\"name\" {rule}"));
    }
    for email in [
        "owner@root.test\u{0}",
        "owner@root.test\n",
        "\u{202E}owner@root.test",
    ] {
        let body = json!({ "email": email, "password": OWNER_PASSWORD });
        app.send(
            "POST",
            "/surfsight/v2/authenticate",
            None,
            Some(&body.to_string()),
        )
        .await
        .assert_surfsight_error(400, &format!("\"email\" {FORBIDDEN}"));
    }
    app.stop().await;
}

#[tokio::test]
async fn conformity_refuses_hostile_account_texts_with_a_pointer() {
    let app = TestApp::spawn().await;
    let (boot, _) = app.root_with_token().await;
    let key = boot.api_key.clone();
    let account = app.conformity_add_account(&key, "Prod").await;
    let path = format!("/accounts/{}", account["id"].as_str().unwrap());
    let external_id = app
        .conformity("POST", "/external-ids", &key, None)
        .await
        .conformity_data()["id"]
        .clone();
    let create = |attributes: Value| {
        let mut attributes = attributes;
        attributes["access"] =
            json!({ "keys": { "roleArn": TEST_ROLE_ARN, "externalId": external_id } });
        if attributes.get("name").is_none() {
            attributes["name"] = json!("Named");
        }
        json!({ "data": { "type": "account", "attributes": attributes } })
    };
    let patch = |attributes: Value| json!({ "data": { "attributes": attributes } });
    for (value, rule) in hostile_names() {
        if value.trim().is_empty() {
            continue; // Trimmed by the face: "name is required", as documented.
        }
        for (member, attributes) in [
            ("name", json!({ "name": value })),
            ("environment", json!({ "environment": value })),
            ("tags", json!({ "tags": ["ok", value] })),
        ] {
            let pointer = format!("/data/attributes/{member}");
            let detail = format!("{member} {rule}");
            app.conformity("POST", "/accounts", &key, Some(&create(attributes.clone())))
                .await
                .assert_conformity_error(422, &detail, Some(&pointer));
            app.conformity("PATCH", &path, &key, Some(&patch(attributes)))
                .await
                .assert_conformity_error(422, &detail, Some(&pointer));
        }
    }
    let many: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
    app.conformity("PATCH", &path, &key, Some(&patch(json!({ "tags": many }))))
        .await
        .assert_conformity_error(
            422,
            "tags must have at most 50 items",
            Some("/data/attributes/tags"),
        );
    // An external ID with a NUL byte names no external ID: the documented 422, not a 500.
    let hostile_id = "a\u{0}b";
    let body = json!({ "data": { "attributes": { "name": "X",
        "access": { "keys": { "roleArn": TEST_ROLE_ARN, "externalId": hostile_id } } } } });
    app.conformity("POST", "/accounts", &key, Some(&body))
        .await
        .assert_conformity_error(
            422,
            &format!(
                "'{hostile_id}' is not an external ID of this organisation, or it has expired"
            ),
            Some("/data/attributes/access/keys/externalId"),
        );
    let accounts = app
        .conformity("GET", "/accounts", &key, None)
        .await
        .conformity_data();
    assert_eq!(accounts.as_array().unwrap().len(), 1);
    assert_eq!(accounts[0]["attributes"]["name"], "Prod");
    app.stop().await;
}

#[tokio::test]
async fn a_look_alike_email_is_the_same_account() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let create =
        |email: &str| json!([{ "name": "K", "email": email, "password": "kelvin-password" }]);
    let users_path = format!("/xponent/user/org/{}", boot.organization_id);
    app.post(&users_path, &token, &create("kim@kelvin.test"))
        .await
        .xponent_items("users");
    // The Kelvin sign (U+212A) and the fullwidth k fold into k: not a second account.
    for look_alike in [
        "\u{212A}im@kelvin.test",
        "ｋim@kelvin.test",
        "KIM@\u{212A}ELVIN.TEST",
    ] {
        app.post(&users_path, &token, &create(look_alike))
            .await
            .assert_xponent_error(
                409,
                &format!(
                    "The email provided for a new user, '{look_alike}', is already in use by a different account"
                ),
            );
        // And signing in with the look-alike reaches the one account there is.
        app.surfsight_sign_in(look_alike, "kelvin-password").await;
    }
    app.stop().await;
}

/// The Cloud Conformity routes added for Terraform follow the same text rules: names of users,
/// directories and GCP organisations and projects, and rule notes.
#[tokio::test]
async fn conformity_refuses_hostile_texts_on_its_terraform_routes() {
    let app = TestApp::spawn().await;
    let (boot, _) = app.root_with_token().await;
    let key = boot.api_key.clone();
    let account = app.conformity_add_account(&key, "Prod").await;
    let account = account["id"].as_str().unwrap().to_owned();
    let invite = |first: &str, last: &str| {
        json!({ "data": { "attributes": {
            "firstName": first, "lastName": last, "email": "eve@root.test", "role": "USER",
        } } })
    };
    let cases: Vec<(&str, String, Value, String, &str)> = vec![
        (
            "POST",
            "/users".into(),
            invite("nul\u{0}byte", "Doe"),
            format!("firstName {FORBIDDEN}"),
            "/data/attributes/firstName",
        ),
        (
            "POST",
            "/users/sso".into(),
            invite("Eve", &"n".repeat(201)),
            "lastName must be at most 200 characters".into(),
            "/data/attributes/lastName",
        ),
        (
            "POST",
            "/azure/active-directories".into(),
            json!({ "data": { "attributes": {
                "name": "\u{202E}gnp.exe", "directoryId": crate::helpers::AZURE_DIRECTORY,
                "applicationId": crate::helpers::AZURE_APPLICATION,
                "applicationKey": crate::helpers::AZURE_APPLICATION_KEY,
            } } }),
            format!("name {FORBIDDEN}"),
            "/data/attributes/name",
        ),
        (
            "POST",
            "/gcp/organisations".into(),
            json!({ "data": { "serviceAccountName": "esc\u{1b}[31m",
                "serviceAccountKeyJson": crate::helpers::gcp_key() } }),
            format!("serviceAccountName {FORBIDDEN}"),
            "/data/serviceAccountName",
        ),
        (
            "PATCH",
            format!("/accounts/{account}/settings/rules/S3-021"),
            json!({ "data": { "attributes": { "note": "line\nbreak", "ruleSetting": {
                "id": "S3-021", "enabled": true, "riskLevel": "HIGH" } } } }),
            format!("note {FORBIDDEN}"),
            "/data/attributes/note",
        ),
    ];
    for (method, path, body, detail, pointer) in cases {
        app.conformity(method, &path, &key, Some(&body))
            .await
            .assert_conformity_error(422, &detail, Some(pointer));
    }
    // Nothing was written.
    let users = app
        .conformity("GET", "/users", &key, None)
        .await
        .conformity_data();
    assert_eq!(users.as_array().unwrap().len(), 1);
    let rules = app
        .conformity(
            "GET",
            &format!("/accounts/{account}/settings/rules"),
            &key,
            None,
        )
        .await
        .conformity_data();
    assert_eq!(
        rules["attributes"]["settings"]["rules"],
        json!([]),
        "{rules}"
    );
    app.stop().await;
}
