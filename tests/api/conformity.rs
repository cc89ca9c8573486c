//! The Cloud Conformity face: API keys, external IDs and cloud accounts, as JSON:API.

use crate::helpers::{TEST_ROLE_ARN, TestApp};
use orghub::domain::PublicId;
use serde_json::{Value, json};

const NOT_ADMIN: &str = "Only organisation admins can manage accounts and external IDs";
const NO_ORG_EXTERNAL_ID: &str = "The organisation has no external ID until an account has been added to it: create a temporary one with POST /external-ids";

fn account_body(name: &str, external_id: &str) -> Value {
    json!({ "data": { "type": "account", "attributes": {
        "name": name,
        "environment": "production",
        "access": { "keys": { "roleArn": TEST_ROLE_ARN, "externalId": external_id } },
    } } })
}

async fn temporary_external_id(app: &TestApp, key: &str) -> String {
    let data = app
        .conformity("POST", "/external-ids", key, None)
        .await
        .conformity_data();
    data["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn api_keys_lists_the_callers_keys_without_the_key() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    assert_eq!(boot.api_key.len(), 64);
    for path in ["/api-keys", "/api-keys/"] {
        let reply = app.conformity("GET", path, &boot.api_key, None).await;
        let data = reply.conformity_data();
        assert_eq!(data.as_array().unwrap().len(), 1);
        assert_eq!(data[0]["type"], "api-keys");
        assert!(PublicId::parse(data[0]["id"].as_str().unwrap()).is_some());
        assert_eq!(data[0]["attributes"]["status"], "ACTIVE");
        assert!(data[0]["attributes"]["created-date"].is_i64());
        assert!(data[0]["attributes"]["last-used-date"].is_i64());
        assert!(!reply.body.to_string().contains(&boot.api_key));
    }
    app.stop().await;
}

#[tokio::test]
async fn missing_wrong_and_revoked_keys_are_refused() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let missing = app.send("GET", "/conformity/v1/api-keys", None, None).await;
    missing.assert_conformity_error(
        401,
        "An Authorization header with an API key is required: Authorization: ApiKey <key>",
        None,
    );
    app.conformity("GET", "/api-keys", &"x".repeat(64), None)
        .await
        .assert_conformity_error(403, "The API key is not valid", None);
    app.send("GET", "/conformity/v1/accounts", Some("Bearer nope"), None)
        .await
        .assert_conformity_error(403, "The API key is not valid", None);

    let user = PublicId::parse(&boot.user_id).unwrap();
    let second = app.services.create_api_key(&user).await.unwrap();
    app.conformity("GET", "/api-keys", &second.key, None)
        .await
        .conformity_data();
    let key_id = PublicId::parse(&second.record.public_id).unwrap();
    app.services.revoke_api_key(&key_id).await.unwrap();
    app.conformity("GET", "/api-keys", &second.key, None)
        .await
        .assert_conformity_error(403, "The API key is not valid", None);
    let listed = app
        .conformity("GET", "/api-keys", &boot.api_key, None)
        .await
        .conformity_data();
    let statuses: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["attributes"]["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["ACTIVE", "REVOKED"]);
    app.stop().await;
}

#[tokio::test]
async fn the_organisation_external_id_exists_once_an_account_does() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    app.conformity("GET", "/organisation/external-id/", key, None)
        .await
        .assert_conformity_error(404, NO_ORG_EXTERNAL_ID, None);

    let temporary = app.conformity("POST", "/external-ids", key, None).await;
    let data = temporary.conformity_data();
    assert_eq!(data["type"], "external-ids");
    assert_eq!(data["relationships"], json!({}));
    let external_id = data["id"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&external_id).is_ok());
    let valid_until = data["attributes"]["valid-until"].as_i64().unwrap();
    let hour_from_now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000 + 3_600_000;
    assert!(
        (valid_until - hour_from_now).abs() < 60_000,
        "{valid_until}"
    );

    app.conformity(
        "POST",
        "/accounts",
        key,
        Some(&account_body("Prod", &external_id)),
    )
    .await
    .conformity_data();
    let singleton = app
        .conformity("GET", "/organisation/external-id", key, None)
        .await
        .conformity_data();
    assert_eq!(singleton["id"], external_id.as_str());
    assert_eq!(singleton["type"], "external-ids");
    assert!(singleton["attributes"]["valid-until"].is_i64());

    // Later accounts may use the singleton; it stays the same.
    app.conformity(
        "POST",
        "/accounts",
        key,
        Some(&account_body("Dev", &external_id)),
    )
    .await
    .conformity_data();
    let other = temporary_external_id(&app, key).await;
    app.conformity(
        "POST",
        "/accounts",
        key,
        Some(&account_body("Test", &other)),
    )
    .await
    .conformity_data();
    let again = app
        .conformity("GET", "/organisation/external-id", key, None)
        .await
        .conformity_data();
    assert_eq!(again["id"], external_id.as_str());
    app.stop().await;
}

#[tokio::test]
async fn an_account_is_created_read_listed_updated_and_deleted() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let created = app.conformity_add_account(key, "Prod").await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["type"], "accounts");
    let attributes = &created["attributes"];
    assert_eq!(attributes["name"], "Prod");
    assert_eq!(attributes["environment"], "production");
    assert_eq!(attributes["awsaccount-id"], "223334445555");
    assert_eq!(attributes["cloud-type"], "aws");
    assert_eq!(attributes["tags"], json!([]));
    assert!(attributes["created-date"].is_i64());
    assert_eq!(
        created["relationships"]["organisation"]["data"],
        json!({ "type": "organisations", "id": boot.organization_id })
    );

    let read = app
        .conformity("GET", &format!("/accounts/{id}/"), key, None)
        .await
        .conformity_data();
    assert_eq!(read, created);
    let listed = app
        .conformity("GET", "/accounts", key, None)
        .await
        .conformity_data();
    assert_eq!(listed, json!([created]));

    let patch = json!({ "data": { "attributes": {
        "name": "Production", "environment": "prod", "tags": ["team-a", "pci"]
    } } });
    let updated = app
        .conformity("PATCH", &format!("/accounts/{id}"), key, Some(&patch))
        .await
        .conformity_data();
    assert_eq!(updated["attributes"]["name"], "Production");
    assert_eq!(updated["attributes"]["environment"], "prod");
    assert_eq!(updated["attributes"]["tags"], json!(["team-a", "pci"]));
    assert_eq!(updated["attributes"]["awsaccount-id"], "223334445555");
    // A PATCH of one attribute keeps the others.
    let renamed = app
        .conformity(
            "PATCH",
            &format!("/accounts/{id}"),
            key,
            Some(&json!({ "data": { "attributes": { "name": "Prod EU" } } })),
        )
        .await
        .conformity_data();
    assert_eq!(renamed["attributes"]["environment"], "prod");
    assert_eq!(renamed["attributes"]["tags"], json!(["team-a", "pci"]));

    let deleted = app
        .conformity("DELETE", &format!("/accounts/{id}"), key, None)
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, json!({ "meta": { "status": "sent" } }));
    app.conformity("GET", &format!("/accounts/{id}"), key, None)
        .await
        .assert_conformity_error(404, &format!("Account {id} was not found"), None);
    app.stop().await;
}

#[tokio::test]
async fn access_settings_name_the_role_and_external_id() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let external_id = temporary_external_id(&app, &boot.api_key).await;
    let account = app
        .conformity(
            "POST",
            "/accounts",
            &boot.api_key,
            Some(&account_body("Prod", &external_id)),
        )
        .await
        .conformity_data();
    let id = account["id"].as_str().unwrap();
    let reply = app
        .conformity(
            "GET",
            &format!("/accounts/{id}/access/"),
            &boot.api_key,
            None,
        )
        .await;
    let resource = json!({
        "id": format!("{id}:access"),
        "type": "settings",
        "attributes": {
            "type": "access",
            "configuration": { "externalId": external_id, "roleArn": TEST_ROLE_ARN },
        },
    });
    assert_eq!(reply.conformity_data(), resource);
    for member in ["id", "type", "attributes"] {
        assert_eq!(reply.body[member], resource[member], "{member}");
    }
    app.stop().await;
}

#[tokio::test]
async fn creating_an_account_checks_its_document() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let external_id = temporary_external_id(&app, key).await;
    let keys = "/data/attributes/access/keys";
    let with = |f: &dyn Fn(&mut Value)| {
        let mut body = account_body("Prod", &external_id);
        f(&mut body);
        body
    };
    let cases: Vec<(Value, u16, String, Option<String>)> = vec![
        (json!({}), 400, "The document must have a data object".into(), Some("/data".into())),
        (
            json!({ "data": { "type": "account" } }),
            422,
            "The document's data must have an attributes object".into(),
            Some("/data/attributes".into()),
        ),
        (
            with(&|b| b["data"]["attributes"]["name"] = json!("")),
            422,
            "name is required".into(),
            Some("/data/attributes/name".into()),
        ),
        (
            with(&|b| b["data"]["attributes"]["name"] = json!(5)),
            422,
            "name must be a string".into(),
            Some("/data/attributes/name".into()),
        ),
        (
            with(&|b| b["data"]["attributes"]["tags"] = json!("prod")),
            422,
            "tags must be an array of strings".into(),
            Some("/data/attributes/tags".into()),
        ),
        (
            with(&|b| b["data"]["attributes"]["access"] = json!({})),
            422,
            "access.keys with roleArn and externalId is required".into(),
            Some(keys.into()),
        ),
        (
            with(&|b| b["data"]["attributes"]["access"]["keys"]["roleArn"] = json!(null)),
            422,
            "roleArn is required".into(),
            Some(format!("{keys}/roleArn")),
        ),
        (
            with(&|b| b["data"]["attributes"]["access"]["keys"]["externalId"] = json!("")),
            422,
            "externalId is required".into(),
            Some(format!("{keys}/externalId")),
        ),
        (
            with(&|b| {
                b["data"]["attributes"]["access"]["keys"]["roleArn"] = json!("arn:aws:iam::12:role/X")
            }),
            422,
            "'arn:aws:iam::12:role/X' is not an IAM role ARN (arn:aws:iam::<account id>:role/<name>)"
                .into(),
            Some(format!("{keys}/roleArn")),
        ),
        (
            with(&|b| {
                b["data"]["attributes"]["access"]["keys"]["externalId"] =
                    json!("aaaaaaaa-bbbb-cccc-dddd-eeeeeeffffff")
            }),
            422,
            "'aaaaaaaa-bbbb-cccc-dddd-eeeeeeffffff' is not an external ID of this organisation, or it has expired".into(),
            Some(format!("{keys}/externalId")),
        ),
    ];
    for (body, status, detail, pointer) in cases {
        app.conformity("POST", "/accounts", key, Some(&body))
            .await
            .assert_conformity_error(status, &detail, pointer.as_deref());
    }
    app.send_with_headers(
        "POST",
        "/conformity/v1/accounts",
        &[
            ("Authorization", &format!("ApiKey {key}")),
            ("Content-Type", "application/vnd.api+json"),
        ],
        Some("{not json"),
    )
    .await
    .assert_conformity_error(400, "The request body must be a JSON:API document", None);
    app.send_with_headers(
        "POST",
        "/conformity/v1/accounts",
        &[
            ("Authorization", &format!("ApiKey {key}")),
            ("Content-Type", "text/plain"),
        ],
        Some(&account_body("Prod", &external_id).to_string()),
    )
    .await
    .assert_conformity_error(415, "Content-Type must be application/vnd.api+json", None);
    // Nothing was created by the refused requests.
    let listed = app
        .conformity("GET", "/accounts", key, None)
        .await
        .conformity_data();
    assert_eq!(listed, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn external_ids_of_other_organisations_and_expired_ones_are_refused() {
    let app = TestApp::spawn().await;
    let acme = app.bootstrap("Acme", "ada@acme.test").await;
    let globex = app.bootstrap("Globex", "hank@globex.test").await;
    let theirs = temporary_external_id(&app, &globex.api_key).await;
    let expired = temporary_external_id(&app, &acme.api_key).await;
    app.raw_execute(&format!(
        "UPDATE external_ids SET valid_until = 1 WHERE public_id = '{expired}'"
    ))
    .await;
    for external_id in [theirs, expired] {
        app.conformity(
            "POST",
            "/accounts",
            &acme.api_key,
            Some(&account_body("Prod", &external_id)),
        )
        .await
        .assert_conformity_error(
            422,
            &format!(
                "'{external_id}' is not an external ID of this organisation, or it has expired"
            ),
            Some("/data/attributes/access/keys/externalId"),
        );
    }
    assert_eq!(app.services.purge_expired_external_ids().await.unwrap(), 1);
    app.stop().await;
}

#[tokio::test]
async fn accounts_of_another_organisation_are_not_found() {
    let app = TestApp::spawn().await;
    let acme = app.bootstrap("Acme", "ada@acme.test").await;
    let globex = app.bootstrap("Globex", "hank@globex.test").await;
    let theirs = app
        .conformity_add_account(&globex.api_key, "Globex Prod")
        .await;
    let id = theirs["id"].as_str().unwrap();
    let not_found = format!("Account {id} was not found");
    let patch = json!({ "data": { "attributes": { "name": "Mine" } } });
    for (method, path, body) in [
        ("GET", format!("/accounts/{id}"), None),
        ("GET", format!("/accounts/{id}/access"), None),
        ("PATCH", format!("/accounts/{id}"), Some(&patch)),
        ("DELETE", format!("/accounts/{id}"), None),
    ] {
        app.conformity(method, &path, &acme.api_key, body)
            .await
            .assert_conformity_error(404, &not_found, None);
    }
    app.conformity("GET", "/accounts/not-a-uuid", &acme.api_key, None)
        .await
        .assert_conformity_error(404, "Account not-a-uuid was not found", None);
    let listed = app
        .conformity("GET", "/accounts", &acme.api_key, None)
        .await
        .conformity_data();
    assert_eq!(listed, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn updating_an_account_checks_its_document() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let account = app.conformity_add_account(&boot.api_key, "Prod").await;
    let path = format!("/accounts/{}", account["id"].as_str().unwrap());
    let cases = [
        (
            json!({ "data": { "attributes": { "name": " " } } }),
            "name must not be empty",
            "/data/attributes/name",
        ),
        (
            json!({ "data": { "attributes": { "environment": 3 } } }),
            "environment must be a string",
            "/data/attributes/environment",
        ),
        (
            json!({ "data": { "attributes": { "tags": [1] } } }),
            "tags must be an array of strings",
            "/data/attributes/tags",
        ),
        (
            json!({ "data": {} }),
            "The document's data must have an attributes object",
            "/data/attributes",
        ),
    ];
    for (body, detail, pointer) in cases {
        app.conformity("PATCH", &path, &boot.api_key, Some(&body))
            .await
            .assert_conformity_error(422, detail, Some(pointer));
    }
    let unchanged = app
        .conformity("GET", &path, &boot.api_key, None)
        .await
        .conformity_data();
    assert_eq!(unchanged, account);
    app.stop().await;
}

#[tokio::test]
async fn members_read_accounts_but_do_not_manage_them() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let account = app.conformity_add_account(&boot.api_key, "Prod").await;
    let owner = app.owner_token(&boot).await;
    let member = app
        .post(
            &format!("/xponent/user/org/{}", boot.organization_id),
            &owner,
            &json!([{ "name": "Mo", "email": "mo@acme.test" }]),
        )
        .await
        .xponent_items("users")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = app
        .services
        .create_api_key(&PublicId::parse(&member).unwrap())
        .await
        .unwrap()
        .key;
    let listed = app
        .conformity("GET", "/accounts", &key, None)
        .await
        .conformity_data();
    assert_eq!(listed, json!([account]));
    let id = account["id"].as_str().unwrap();
    let external_id = app
        .conformity("GET", "/organisation/external-id", &key, None)
        .await
        .conformity_data()["id"]
        .clone();
    for (method, path, body) in [
        ("POST", "/external-ids".to_owned(), None),
        (
            "POST",
            "/accounts".to_owned(),
            Some(account_body("X", external_id.as_str().unwrap())),
        ),
        (
            "PATCH",
            format!("/accounts/{id}"),
            Some(json!({ "data": { "attributes": { "name": "Y" } } })),
        ),
        ("DELETE", format!("/accounts/{id}"), None),
    ] {
        app.conformity(method, &path, &key, body.as_ref())
            .await
            .assert_conformity_error(403, NOT_ADMIN, None);
    }
    app.stop().await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_json_api() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    app.conformity("GET", "/checks", &boot.api_key, None)
        .await
        .assert_conformity_error(404, "Route not found", None);
    app.conformity("DELETE", "/api-keys", &boot.api_key, None)
        .await
        .assert_conformity_error(405, "Method not allowed", None);
    app.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_in_json_api() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let big = json!({ "data": { "attributes": { "name": "a".repeat(3 * 1024 * 1024) } } });
    app.conformity("POST", "/accounts", &boot.api_key, Some(&big))
        .await
        .assert_conformity_error(413, "The request body is too large", None);
    app.stop().await;
}
