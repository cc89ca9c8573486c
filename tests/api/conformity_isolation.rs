//! Tenant isolation on the Cloud Conformity routes of settings, Azure, GCP, groups and users:
//! a key of another root organization finds nothing of this one (404, or 422 where a request
//! names it as a reference) and sees none of its data.

use crate::conformity_clouds::{azure_account, gcp_organisation};
use crate::helpers::{AZURE_DIRECTORY, AZURE_SUBSCRIPTION, GCP_UNIQUE_ID, TestApp};
use serde_json::{Value, json};

/// Everything the Conformity face keeps, in one organisation: accounts of every cloud with
/// settings, a group, an invited user.
struct Estate {
    aws: String,
    azure: String,
    gcp_organisation: String,
    group: String,
    user: String,
}

async fn estate(app: &TestApp, key: &str) -> Estate {
    let aws = app.conformity_add_account(key, "Prod").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let azure = azure_account(app, key).await;
    let gcp_organisation = gcp_organisation(app, key).await;
    app.conformity(
        "PATCH",
        &format!("/accounts/{aws}/settings/bot"),
        key,
        Some(&json!({ "data": { "attributes": { "settings": { "bot": { "delay": 2 } } } } })),
    )
    .await
    .conformity_data();
    app.conformity(
        "PATCH",
        &format!("/accounts/{aws}/settings/rules/S3-021"),
        key,
        Some(&rule()),
    )
    .await
    .conformity_data();
    let group = app
        .conformity(
            "POST",
            "/groups",
            key,
            Some(&json!({ "data": { "attributes": { "name": "Everything", "tags": [] } } })),
        )
        .await
        .conformity_data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let user = app
        .conformity(
            "POST",
            "/users",
            key,
            Some(&json!({ "data": { "attributes": {
                "firstName": "In", "lastName": "Acme", "email": "in@acme.test", "role": "USER",
                "accessList": [{ "account": aws, "level": "FULL" }],
            } } })),
        )
        .await
        .conformity_data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Estate {
        aws,
        azure,
        gcp_organisation,
        group,
        user,
    }
}

fn rule() -> Value {
    json!({ "data": { "attributes": { "ruleSetting": {
        "id": "S3-021", "enabled": true, "riskLevel": "HIGH"
    } } } })
}

#[tokio::test]
async fn another_organisations_key_finds_nothing_on_the_new_routes() {
    let app = TestApp::spawn().await;
    let acme = app.bootstrap("Acme", "ada@acme.test").await;
    let globex = app.bootstrap("Globex", "hank@globex.test").await;
    let theirs = estate(&app, &acme.api_key).await;
    let key = &globex.api_key;

    let account_gone = |id: &str| format!("Account {id} was not found");
    let bot = json!({ "data": { "attributes": { "settings": { "bot": { "delay": 9 } } } } });
    let rules = json!({ "data": { "attributes": { "ruleSettings": [
        { "id": "S3-021", "enabled": false, "riskLevel": "LOW" }
    ] } } });
    let group_patch = json!({ "data": { "attributes": { "name": "Mine" } } });
    let user_patch = json!({ "data": { "role": "ADMIN" } });
    let rule = rule();
    let cases: Vec<(&str, String, Option<&Value>, String)> = vec![
        (
            "GET",
            format!("/accounts/{}", theirs.azure),
            None,
            account_gone(&theirs.azure),
        ),
        (
            "GET",
            format!("/accounts/{}/access", theirs.azure),
            None,
            account_gone(&theirs.azure),
        ),
        (
            "PATCH",
            format!("/accounts/{}/settings/bot", theirs.aws),
            Some(&bot),
            account_gone(&theirs.aws),
        ),
        (
            "GET",
            format!("/accounts/{}/settings/rules", theirs.aws),
            None,
            account_gone(&theirs.aws),
        ),
        (
            "PATCH",
            format!("/accounts/{}/settings/rules", theirs.aws),
            Some(&rules),
            account_gone(&theirs.aws),
        ),
        (
            "GET",
            format!("/accounts/{}/settings/rules/S3-021", theirs.aws),
            None,
            account_gone(&theirs.aws),
        ),
        (
            "PATCH",
            format!("/accounts/{}/settings/rules/S3-021", theirs.aws),
            Some(&rule),
            account_gone(&theirs.aws),
        ),
        (
            "GET",
            format!("/azure/active-directories/{AZURE_DIRECTORY}/subscriptions"),
            None,
            format!("Active directory {AZURE_DIRECTORY} was not found"),
        ),
        (
            "GET",
            format!("/gcp/organisations/{}/projects", theirs.gcp_organisation),
            None,
            format!("GCP organisation {} was not found", theirs.gcp_organisation),
        ),
        (
            "GET",
            format!("/groups/{}", theirs.group),
            None,
            format!("Group {} was not found", theirs.group),
        ),
        (
            "PATCH",
            format!("/groups/{}", theirs.group),
            Some(&group_patch),
            format!("Group {} was not found", theirs.group),
        ),
        (
            "DELETE",
            format!("/groups/{}", theirs.group),
            None,
            format!("Group {} was not found", theirs.group),
        ),
        (
            "GET",
            format!("/users/{}", theirs.user),
            None,
            format!("User {} was not found", theirs.user),
        ),
        (
            "PATCH",
            format!("/users/{}", theirs.user),
            Some(&user_patch),
            format!("User {} was not found", theirs.user),
        ),
        (
            "DELETE",
            format!("/users/{}", theirs.user),
            None,
            format!("User {} was not found", theirs.user),
        ),
        (
            "GET",
            format!("/users/{}", acme.user_id),
            None,
            format!("User {} was not found", acme.user_id),
        ),
    ];
    for (method, path, body, detail) in cases {
        let reply = app.conformity(method, &path, key, body).await;
        reply.assert_conformity_error(404, &detail, None);
    }

    // Their account in a Bot change of one's own account: not found, and nothing changes.
    let mine = app.conformity_add_account(key, "Mine").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({ "data": bot["data"], "meta": { "otherAccounts": [theirs.aws] } });
    app.conformity(
        "PATCH",
        &format!("/accounts/{mine}/settings/bot"),
        key,
        Some(&body),
    )
    .await
    .assert_conformity_error(404, &account_gone(&theirs.aws), None);
    // Their accounts, directories and service accounts as references: unknown here.
    let invite = json!({ "data": { "attributes": {
        "firstName": "Out", "lastName": "Side", "email": "out@globex.test", "role": "USER",
        "accessList": [{ "account": theirs.aws, "level": "FULL" }],
    } } });
    app.conformity("POST", "/users", key, Some(&invite))
        .await
        .assert_conformity_error(
            422,
            &format!("'{}' is not an account of this organisation", theirs.aws),
            Some("/data/attributes/accessList"),
        );
    let azure = json!({ "data": { "attributes": { "name": "Theirs",
        "access": { "subscriptionId": AZURE_SUBSCRIPTION, "activeDirectoryId": AZURE_DIRECTORY } } } });
    app.conformity("POST", "/accounts/azure", key, Some(&azure))
        .await
        .assert_conformity_error(
            422,
            &format!(
                "'{AZURE_DIRECTORY}' is not an active directory of this organisation: add it with POST /azure/active-directories"
            ),
            Some("/data/attributes/access/activeDirectoryId"),
        );
    let gcp = json!({ "data": { "attributes": { "name": "Theirs", "access": {
        "projectId": "acme-prod-1", "projectName": "P", "serviceAccountUniqueId": GCP_UNIQUE_ID } } } });
    app.conformity("POST", "/accounts/gcp", key, Some(&gcp))
        .await
        .assert_conformity_error(
            422,
            &format!(
                "'{GCP_UNIQUE_ID}' is not the service account of a GCP organisation of this organisation: add it with POST /gcp/organisations"
            ),
            Some("/data/attributes/access/serviceAccountUniqueId"),
        );

    // Lists show only one's own.
    let accounts = app
        .conformity("GET", "/accounts", key, None)
        .await
        .conformity_data();
    assert_eq!(accounts.as_array().unwrap().len(), 1);
    assert_eq!(accounts[0]["id"], mine.as_str());
    assert_eq!(
        app.conformity("GET", "/groups", key, None)
            .await
            .conformity_data(),
        json!([])
    );
    let users = app
        .conformity("GET", "/users", key, None)
        .await
        .conformity_data();
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(users[0]["id"], globex.user_id.as_str());
    let everything = [
        accounts.to_string(),
        users.to_string(),
        app.conformity("GET", "/users/whoami", key, None)
            .await
            .body
            .to_string(),
    ]
    .concat();
    for foreign in [
        &theirs.aws,
        &theirs.azure,
        &theirs.group,
        &theirs.user,
        &acme.organization_id,
    ] {
        assert!(!everything.contains(foreign.as_str()), "{foreign} leaked");
    }

    // The other organisation may register the same directory, subscription and service
    // account for itself: uniqueness is per organisation.
    azure_account(&app, key).await;
    gcp_organisation(&app, key).await;

    // And the first organisation's records are untouched.
    let read = app
        .conformity(
            "GET",
            &format!("/accounts/{}", theirs.aws),
            &acme.api_key,
            None,
        )
        .await
        .conformity_data();
    assert_eq!(read["attributes"]["settings"]["bot"], json!({ "delay": 2 }));
    let group = app
        .conformity(
            "GET",
            &format!("/groups/{}", theirs.group),
            &acme.api_key,
            None,
        )
        .await
        .conformity_data();
    assert_eq!(group[0]["attributes"]["name"], "Everything");
    let user = app
        .conformity(
            "GET",
            &format!("/users/{}", theirs.user),
            &acme.api_key,
            None,
        )
        .await
        .conformity_data();
    assert_eq!(user["attributes"]["role"], "USER");
    app.stop().await;
}

#[tokio::test]
async fn a_sub_organisations_records_are_not_its_parents() {
    // A Conformity organisation has no sub-organisations: a key of the parent does not reach
    // the records of an organization below it either.
    let app = TestApp::spawn().await;
    let (boot, owner) = app.root_with_token().await;
    let child = app.create_org(&owner, "Child", None).await;
    let (_, child_key) = app
        .user_with_key(&owner, &child, "admin@child.test", "Owner")
        .await;
    let theirs = estate(&app, &child_key).await;
    for path in [
        format!("/accounts/{}/settings/rules", theirs.aws),
        format!("/groups/{}", theirs.group),
        format!("/users/{}", theirs.user),
        format!("/gcp/organisations/{}/projects", theirs.gcp_organisation),
    ] {
        let reply = app.conformity("GET", &path, &boot.api_key, None).await;
        assert_eq!(reply.status, 404, "{path}: {:?}", reply.body);
    }
    app.stop().await;
}
