//! Cloud Conformity Azure and GCP: active directories, GCP organisations, and the accounts
//! registered through them; every documented error word for word.

use crate::helpers::{
    AZURE_APPLICATION, AZURE_APPLICATION_KEY, AZURE_DIRECTORY, AZURE_SUBSCRIPTION, GCP_UNIQUE_ID,
    Reply, TestApp, gcp_key, unknown_id,
};
use serde_json::{Value, json};

const NOT_ADMIN: &str = "Only organisation admins can manage accounts and external IDs";
const GUID: &str = "a GUID: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
const PROJECT_ID: &str = "6 to 30 lowercase letters, digits and hyphens, starting with a letter";

fn directory_body() -> Value {
    json!({ "data": { "attributes": {
        "name": "Contoso", "directoryId": AZURE_DIRECTORY,
        "applicationId": AZURE_APPLICATION, "applicationKey": AZURE_APPLICATION_KEY,
    } } })
}

fn azure_body() -> Value {
    json!({ "data": { "type": "account", "attributes": {
        "name": "Azure Prod", "environment": "prod", "tags": null,
        "access": { "subscriptionId": AZURE_SUBSCRIPTION, "activeDirectoryId": AZURE_DIRECTORY },
    } } })
}

fn organisation_body() -> Value {
    json!({ "data": { "serviceAccountName": "Acme GCP", "serviceAccountKeyJson": gcp_key() } })
}

fn gcp_body(project_id: &str) -> Value {
    json!({ "data": { "attributes": {
        "name": "GCP Prod", "environment": "", "tags": null,
        "access": { "projectId": project_id, "projectName": "My Project",
                    "serviceAccountUniqueId": GCP_UNIQUE_ID },
    } } })
}

/// Registers the test directory and an Azure account under it; returns the account's id.
pub async fn azure_account(app: &TestApp, key: &str) -> String {
    app.conformity(
        "POST",
        "/azure/active-directories",
        key,
        Some(&directory_body()),
    )
    .await
    .conformity_data();
    app.conformity("POST", "/accounts/azure", key, Some(&azure_body()))
        .await
        .conformity_data()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Registers the test GCP organisation; returns its id.
pub async fn gcp_organisation(app: &TestApp, key: &str) -> String {
    app.conformity(
        "POST",
        "/gcp/organisations",
        key,
        Some(&organisation_body()),
    )
    .await
    .conformity_data()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `body` with the member at `path` (`["data", "attributes", "name"]`) set to `value`, or
/// removed when `value` is `None`.
fn with(body: &Value, path: &[&str], value: Option<Value>) -> Value {
    let mut body = body.clone();
    let (last, parents) = path.split_last().unwrap();
    let mut at = &mut body;
    for step in parents {
        at = &mut at[*step];
    }
    match value {
        Some(value) => at[*last] = value,
        None => {
            at.as_object_mut().unwrap().remove(*last);
        }
    }
    body
}

#[track_caller]
fn assert_422(reply: &Reply, detail: &str, pointer: &str) {
    reply.assert_conformity_error(422, detail, Some(pointer));
}

/// The errors of the members every new account has: name, environment, tags.
fn account_basics_cases(body: &Value) -> Vec<(Value, String, &'static str)> {
    let attribute =
        |member: &str, value: Option<Value>| with(body, &["data", "attributes", member], value);
    vec![
        (
            json!({ "data": {} }),
            "The document's data must have an attributes object".into(),
            "/data/attributes",
        ),
        (
            attribute("name", None),
            "name is required".into(),
            "/data/attributes/name",
        ),
        (
            attribute("name", Some(json!(7))),
            "name must be a string".into(),
            "/data/attributes/name",
        ),
        (
            attribute("environment", Some(json!(true))),
            "environment must be a string".into(),
            "/data/attributes/environment",
        ),
        (
            attribute("tags", Some(json!("dev"))),
            "tags must be an array of strings".into(),
            "/data/attributes/tags",
        ),
        (
            attribute("tags", Some(json!(vec!["t"; 51]))),
            "tags may hold at most 50 tags".into(),
            "/data/attributes/tags",
        ),
        (
            attribute("tags", Some(json!(["ok", "not:ok"]))),
            "'not:ok' is not a valid tag: 1 to 80 letters, digits, spaces, - or _".into(),
            "/data/attributes/tags",
        ),
        (
            attribute("access", None),
            String::new(),
            "/data/attributes/access",
        ),
    ]
}

#[tokio::test]
async fn active_directories_are_checked_and_registered_once() {
    let app = TestApp::spawn().await;
    let (boot, owner) = app.root_with_token().await;
    let key = &boot.api_key;
    let attribute = |member: &str, value: Option<Value>| {
        with(&directory_body(), &["data", "attributes", member], value)
    };
    let cases = [
        (
            json!({ "data": {} }),
            "The document's data must have an attributes object".to_owned(),
            "/data/attributes",
        ),
        (
            attribute("name", None),
            "name is required".into(),
            "/data/attributes/name",
        ),
        (
            attribute("name", Some(json!(1))),
            "name must be a string".into(),
            "/data/attributes/name",
        ),
        (
            attribute("directoryId", None),
            "directoryId is required".into(),
            "/data/attributes/directoryId",
        ),
        (
            attribute("directoryId", Some(json!(1))),
            "directoryId must be a string".into(),
            "/data/attributes/directoryId",
        ),
        (
            attribute("directoryId", Some(json!("contoso.onmicrosoft.com"))),
            format!("'contoso.onmicrosoft.com' is not an Azure directory id ({GUID})"),
            "/data/attributes/directoryId",
        ),
        (
            attribute("applicationId", None),
            "applicationId is required".into(),
            "/data/attributes/applicationId",
        ),
        (
            attribute("applicationId", Some(json!([]))),
            "applicationId must be a string".into(),
            "/data/attributes/applicationId",
        ),
        (
            attribute("applicationId", Some(json!("app"))),
            format!("'app' is not an Azure application id ({GUID})"),
            "/data/attributes/applicationId",
        ),
        (
            attribute("applicationKey", Some(json!(" "))),
            "applicationKey is required".into(),
            "/data/attributes/applicationKey",
        ),
        (
            attribute("applicationKey", Some(json!(3))),
            "applicationKey must be a string".into(),
            "/data/attributes/applicationKey",
        ),
    ];
    for (body, detail, pointer) in cases {
        let reply = app
            .conformity("POST", "/azure/active-directories", key, Some(&body))
            .await;
        assert_422(&reply, &detail, pointer);
    }
    let (_, member) = app
        .user_with_key(&owner, &boot.organization_id, "mo@root.test", "Member")
        .await;
    app.conformity(
        "POST",
        "/azure/active-directories",
        &member,
        Some(&directory_body()),
    )
    .await
    .assert_conformity_error(403, NOT_ADMIN, None);

    app.conformity(
        "POST",
        "/azure/active-directories",
        key,
        Some(&directory_body()),
    )
    .await
    .conformity_data();
    // Once per organisation, whatever the case of its id.
    let again = attribute("directoryId", Some(json!(AZURE_DIRECTORY.to_uppercase())));
    app.conformity("POST", "/azure/active-directories", key, Some(&again))
        .await
        .assert_conformity_error(
            409,
            &format!(
                "The active directory '{}' is already registered in this organisation",
                AZURE_DIRECTORY.to_uppercase()
            ),
            None,
        );

    // Its subscriptions: admins only, and only a directory of the organisation.
    let path = format!("/azure/active-directories/{AZURE_DIRECTORY}/subscriptions");
    app.conformity("GET", &path, &member, None)
        .await
        .assert_conformity_error(403, NOT_ADMIN, None);
    let other = "00000000-1111-4222-8333-444444444444";
    for (id, shown) in [(other, other), ("contoso", "contoso")] {
        app.conformity(
            "GET",
            &format!("/azure/active-directories/{id}/subscriptions"),
            key,
            None,
        )
        .await
        .assert_conformity_error(
            404,
            &format!("Active directory {shown} was not found"),
            None,
        );
    }
    assert_eq!(
        app.conformity("GET", &path, key, None)
            .await
            .conformity_data(),
        json!([])
    );
    app.stop().await;
}

#[tokio::test]
async fn azure_accounts_are_checked_and_registered_once() {
    let app = TestApp::spawn().await;
    let (boot, owner) = app.root_with_token().await;
    let key = &boot.api_key;
    let body = azure_body();
    let access = |member: &str, value: Option<Value>| {
        with(&body, &["data", "attributes", "access", member], value)
    };
    let mut cases = account_basics_cases(&body);
    cases.last_mut().unwrap().1 =
        "access with subscriptionId and activeDirectoryId is required".into();
    cases.extend([
        (
            access("subscriptionId", None),
            "subscriptionId is required".to_owned(),
            "/data/attributes/access/subscriptionId",
        ),
        (
            access("subscriptionId", Some(json!(5))),
            "subscriptionId must be a string".into(),
            "/data/attributes/access/subscriptionId",
        ),
        (
            access("subscriptionId", Some(json!("my-subscription"))),
            format!("'my-subscription' is not an Azure subscription id ({GUID})"),
            "/data/attributes/access/subscriptionId",
        ),
        (
            access("activeDirectoryId", None),
            "activeDirectoryId is required".into(),
            "/data/attributes/access/activeDirectoryId",
        ),
        (
            access("activeDirectoryId", Some(json!({}))),
            "activeDirectoryId must be a string".into(),
            "/data/attributes/access/activeDirectoryId",
        ),
        (
            body.clone(),
            format!(
                "'{AZURE_DIRECTORY}' is not an active directory of this organisation: add it with POST /azure/active-directories"
            ),
            "/data/attributes/access/activeDirectoryId",
        ),
    ]);
    for (body, detail, pointer) in cases {
        let reply = app
            .conformity("POST", "/accounts/azure", key, Some(&body))
            .await;
        assert_422(&reply, &detail, pointer);
    }
    let (_, member) = app
        .user_with_key(&owner, &boot.organization_id, "mo@root.test", "Member")
        .await;
    app.conformity("POST", "/accounts/azure", &member, Some(&body))
        .await
        .assert_conformity_error(403, NOT_ADMIN, None);

    azure_account(&app, key).await;
    let again = access(
        "subscriptionId",
        Some(json!(AZURE_SUBSCRIPTION.to_lowercase())),
    );
    app.conformity("POST", "/accounts/azure", key, Some(&again))
        .await
        .assert_conformity_error(
            409,
            &format!(
                "The Azure subscription '{}' is already an account of this organisation",
                AZURE_SUBSCRIPTION.to_lowercase()
            ),
            None,
        );
    let listed = app
        .conformity("GET", "/accounts", key, None)
        .await
        .conformity_data();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    app.stop().await;
}

#[tokio::test]
async fn gcp_organisations_check_their_service_account_key() {
    let app = TestApp::spawn().await;
    let (boot, owner) = app.root_with_token().await;
    let key = &boot.api_key;
    let body = organisation_body();
    let member = |name: &str, value: Option<Value>| {
        with(&body, &["data", "serviceAccountKeyJson", name], value)
    };
    let mut cases = vec![
        (
            with(&body, &["data", "serviceAccountName"], None),
            "serviceAccountName is required".to_owned(),
            "/data/serviceAccountName".to_owned(),
        ),
        (
            with(&body, &["data", "serviceAccountName"], Some(json!(1))),
            "serviceAccountName must be a string".into(),
            "/data/serviceAccountName".into(),
        ),
        (
            with(&body, &["data", "serviceAccountKeyJson"], Some(json!("{}"))),
            "serviceAccountKeyJson must be a service-account key object".into(),
            "/data/serviceAccountKeyJson".into(),
        ),
        (
            member("type", Some(json!("user"))),
            "serviceAccountKeyJson.type must be \"service_account\"".into(),
            "/data/serviceAccountKeyJson/type".into(),
        ),
        (
            member("project_id", Some(json!("Acme"))),
            format!("'Acme' is not a GCP project id ({PROJECT_ID})"),
            "/data/serviceAccountKeyJson/project_id".into(),
        ),
        (
            member("private_key", Some(json!("secret"))),
            "serviceAccountKeyJson.private_key must be a PEM private key".into(),
            "/data/serviceAccountKeyJson/private_key".into(),
        ),
        (
            member("client_email", Some(json!("conformity"))),
            "'conformity' is not a valid email address".into(),
            "/data/serviceAccountKeyJson/client_email".into(),
        ),
        (
            member("client_id", Some(json!("abc"))),
            "serviceAccountKeyJson.client_id must be the service account's unique id (digits)"
                .into(),
            "/data/serviceAccountKeyJson/client_id".into(),
        ),
    ];
    for uri in [
        "auth_uri",
        "token_uri",
        "auth_provider_x509_cert_url",
        "client_x509_cert_url",
    ] {
        cases.push((
            member(uri, Some(json!("http://example.test"))),
            format!("serviceAccountKeyJson.{uri} must be an https URL"),
            format!("/data/serviceAccountKeyJson/{uri}"),
        ));
    }
    for name in gcp_key().as_object().unwrap().keys() {
        for value in [None, Some(json!("")), Some(json!(1))] {
            cases.push((
                member(name, value),
                format!("serviceAccountKeyJson.{name} must be a non-empty string"),
                format!("/data/serviceAccountKeyJson/{name}"),
            ));
        }
    }
    for (body, detail, pointer) in cases {
        let reply = app
            .conformity("POST", "/gcp/organisations", key, Some(&body))
            .await;
        assert_422(&reply, &detail, &pointer);
    }
    let (_, member_key) = app
        .user_with_key(&owner, &boot.organization_id, "mo@root.test", "Member")
        .await;
    app.conformity("POST", "/gcp/organisations", &member_key, Some(&body))
        .await
        .assert_conformity_error(403, NOT_ADMIN, None);

    let id = gcp_organisation(&app, key).await;
    app.conformity("POST", "/gcp/organisations", key, Some(&body))
        .await
        .assert_conformity_error(
            409,
            &format!(
                "The service account '{GCP_UNIQUE_ID}' is already a GCP organisation of this organisation"
            ),
            None,
        );
    // Its projects: admins only, and only an organisation of the caller's.
    let path = format!("/gcp/organisations/{id}/projects");
    app.conformity("GET", &path, &member_key, None)
        .await
        .assert_conformity_error(403, NOT_ADMIN, None);
    let unknown = unknown_id();
    for id in [unknown.as_str(), "acme"] {
        app.conformity(
            "GET",
            &format!("/gcp/organisations/{id}/projects"),
            key,
            None,
        )
        .await
        .assert_conformity_error(
            404,
            &format!("GCP organisation {id} was not found"),
            None,
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn gcp_accounts_are_checked_and_registered_once() {
    let app = TestApp::spawn().await;
    let (boot, owner) = app.root_with_token().await;
    let key = &boot.api_key;
    let body = gcp_body("acme-prod-1");
    let access = |member: &str, value: Option<Value>| {
        with(&body, &["data", "attributes", "access", member], value)
    };
    let mut cases = account_basics_cases(&body);
    cases.last_mut().unwrap().1 =
        "access with projectId, projectName and serviceAccountUniqueId is required".into();
    cases.extend([
        (
            access("projectId", None),
            "projectId is required".to_owned(),
            "/data/attributes/access/projectId",
        ),
        (
            access("projectId", Some(json!(1))),
            "projectId must be a string".into(),
            "/data/attributes/access/projectId",
        ),
        (
            access("projectId", Some(json!("prod"))),
            format!("'prod' is not a GCP project id ({PROJECT_ID})"),
            "/data/attributes/access/projectId",
        ),
        (
            access("projectName", None),
            "projectName is required".into(),
            "/data/attributes/access/projectName",
        ),
        (
            access("projectName", Some(json!(1))),
            "projectName must be a string".into(),
            "/data/attributes/access/projectName",
        ),
        (
            access("serviceAccountUniqueId", None),
            "serviceAccountUniqueId is required".into(),
            "/data/attributes/access/serviceAccountUniqueId",
        ),
        (
            access("serviceAccountUniqueId", Some(json!(12345))),
            "serviceAccountUniqueId must be a string".into(),
            "/data/attributes/access/serviceAccountUniqueId",
        ),
        (
            body.clone(),
            format!(
                "'{GCP_UNIQUE_ID}' is not the service account of a GCP organisation of this organisation: add it with POST /gcp/organisations"
            ),
            "/data/attributes/access/serviceAccountUniqueId",
        ),
    ]);
    for (body, detail, pointer) in cases {
        let reply = app
            .conformity("POST", "/accounts/gcp", key, Some(&body))
            .await;
        assert_422(&reply, &detail, pointer);
    }
    let (_, member) = app
        .user_with_key(&owner, &boot.organization_id, "mo@root.test", "Member")
        .await;
    app.conformity("POST", "/accounts/gcp", &member, Some(&body))
        .await
        .assert_conformity_error(403, NOT_ADMIN, None);

    gcp_organisation(&app, key).await;
    app.conformity("POST", "/accounts/gcp", key, Some(&body))
        .await
        .conformity_data();
    app.conformity("POST", "/accounts/gcp", key, Some(&body))
        .await
        .assert_conformity_error(
            409,
            "The GCP project 'acme-prod-1' is already an account of this organisation",
            None,
        );
    app.stop().await;
}

#[tokio::test]
async fn every_new_document_route_checks_its_document() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let account = app.conformity_add_account(key, "Prod").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let group = app
        .conformity(
            "POST",
            "/groups",
            key,
            Some(&json!({ "data": { "attributes": { "name": "All", "tags": [] } } })),
        )
        .await
        .conformity_data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let routes = [
        ("POST", "/accounts/azure".to_owned()),
        ("POST", "/accounts/gcp".to_owned()),
        ("POST", "/azure/active-directories".to_owned()),
        ("POST", "/gcp/organisations".to_owned()),
        ("PATCH", format!("/accounts/{account}/settings/bot")),
        ("PATCH", format!("/accounts/{account}/settings/rules")),
        (
            "PATCH",
            format!("/accounts/{account}/settings/rules/S3-021"),
        ),
        ("POST", "/groups".to_owned()),
        ("PATCH", format!("/groups/{group}")),
        ("POST", "/users".to_owned()),
        ("POST", "/users/sso".to_owned()),
        ("PATCH", format!("/users/{}", boot.user_id)),
    ];
    let auth = format!("ApiKey {key}");
    for (method, path) in routes {
        let path = format!("/conformity/v1{path}");
        let send = |content_type: &'static str, body: &'static str| {
            let (auth, path) = (auth.clone(), path.clone());
            let app = &app;
            async move {
                app.send_with_headers(
                    method,
                    &path,
                    &[("Authorization", &auth), ("Content-Type", content_type)],
                    Some(body),
                )
                .await
            }
        };
        send("text/plain", "{}").await.assert_conformity_error(
            415,
            "Content-Type must be application/vnd.api+json",
            None,
        );
        send("application/vnd.api+json", "{not json")
            .await
            .assert_conformity_error(400, "The request body must be a JSON:API document", None);
        send("application/vnd.api+json", "[]")
            .await
            .assert_conformity_error(400, "The request body must be a JSON:API document", None);
        send("application/vnd.api+json", r#"{"data": 1}"#)
            .await
            .assert_conformity_error(400, "The document must have a data object", Some("/data"));
    }
    app.stop().await;
}
