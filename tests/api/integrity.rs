//! Integrity: uniqueness under concurrency, secrets never in clear at rest, no partial writes.

use crate::helpers::TestApp;
use futures::future::join_all;
use orghub::domain::PublicId;
use orghub::service::TemplateImport;
use serde_json::json;

#[tokio::test]
async fn twenty_concurrent_creations_of_one_name_give_one_success_and_nineteen_conflicts() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let body = json!({ "name": "Contended" });
    let replies = join_all((0..20).map(|_| app.post("/xponent/org", &token, &body))).await;
    let created = replies.iter().filter(|r| r.status == 200).count();
    let conflicts: Vec<_> = replies.iter().filter(|r| r.status == 409).collect();
    assert_eq!(created, 1, "{replies:?}");
    assert_eq!(conflicts.len(), 19, "{replies:?}");
    for reply in conflicts {
        reply.assert_xponent_error(
            409,
            "The name Contended is already in use by a different organization",
        );
    }
    let orgs = app
        .get("/xponent/org", &token)
        .await
        .xponent_items("organizations");
    assert_eq!(orgs.iter().filter(|o| o["name"] == "Contended").count(), 1);
    app.stop().await;
}

#[tokio::test]
async fn concurrent_bulk_creations_with_one_email_create_it_once() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let path = format!("/xponent/user/org/{}", boot.organization_id);
    let body = json!([{ "name": "Twin", "email": "twin@root.test" }]);
    let replies = join_all((0..10).map(|_| app.post(&path, &token, &body))).await;
    assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 1);
    assert_eq!(replies.iter().filter(|r| r.status == 409).count(), 9);
    app.stop().await;
}

async fn login_token(app: &TestApp, token: &str, user: &str) -> String {
    app.get(&format!("/xponent/user/{user}/loginToken"), token)
        .await
        .xponent_items("tokens")[0]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Runs every kind of secret through the system, then reads the raw database.
#[tokio::test]
async fn no_secret_or_token_is_stored_in_clear() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Vault", "owner@vault.test").await;
    let owner_token = app.owner_token(&boot).await;

    let users = app
        .post(
            &format!("/xponent/user/org/{}", boot.organization_id),
            &owner_token,
            &json!([{ "name": "Mia", "email": "mia@vault.test" }]),
        )
        .await
        .xponent_items("users");
    let mia = users[0]["id"].as_str().unwrap().to_owned();
    let login = login_token(&app, &owner_token, &mia).await;
    let session = app
        .post("/xponent/login", "", &json!({ "token": login }))
        .await
        .xponent_items("tokens")[0]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let unused_login = login_token(&app, &owner_token, &mia).await;

    let template: TemplateImport = serde_json::from_value(json!({
        "name": "Pipeline", "type": "integration", "graphs": { "nodes": [] },
        "connections": [{ "name": "warehouse", "type": "database" }],
    }))
    .unwrap();
    let template_id = app
        .services
        .import_template(
            &PublicId::parse(&boot.organization_id).unwrap(),
            &template,
            false,
        )
        .await
        .unwrap();
    let project = app
        .post(
            &format!("/xponent/project/org/{}", boot.organization_id),
            &owner_token,
            &json!({ "name": "P", "description": "d", "templateId": template_id }),
        )
        .await
        .xponent_items("projects")[0]
        .clone();
    let connection_password = "Db-Password-7f3a9c1e";
    let updated = app
        .put(
            &format!("/xponent/project/{}", project["id"].as_str().unwrap()),
            &owner_token,
            &json!({ "connections": [{ "id": project["connections"][0]["id"], "details": {
                "type": "database", "databaseType": "postgresql", "username": "etl",
                "password": connection_password, "hostname": "db.vault.test", "port": 5432,
                "database": "warehouse" } }] }),
        )
        .await
        .xponent_items("projects");
    assert_eq!(
        updated[0]["connections"]["success"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(!updated[0].to_string().contains(connection_password));

    let raw = app.raw_database_text().await;
    assert!(raw.contains("owner@vault.test"), "the scan reads the data");
    assert!(raw.contains("$argon2id$"), "passwords are argon2id hashes");
    for (what, secret) in [
        ("password", boot.password.as_str()),
        ("owner secret key", boot.secret_key.as_str()),
        ("API key", boot.api_key.as_str()),
        ("owner token", owner_token.as_str()),
        ("login token", unused_login.as_str()),
        ("session token", session.as_str()),
        ("connection password", connection_password),
    ] {
        assert!(!raw.contains(secret), "the {what} is stored in clear");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_failed_bulk_creation_leaves_no_user_behind() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let before = app
        .get("/xponent/user", &token)
        .await
        .xponent_items("users")
        .len();
    let reply = app
        .post(
            &format!("/xponent/user/org/{}", boot.organization_id),
            &token,
            &json!([
                { "name": "A", "email": "a@root.test" },
                { "name": "B", "email": "b@root.test" },
                { "name": "Dup", "email": "OWNER@root.test" },
            ]),
        )
        .await;
    reply.assert_xponent_error(
        409,
        "The email provided for a new user, 'OWNER@root.test', is already in use by a different account",
    );
    let after = app
        .get("/xponent/user", &token)
        .await
        .xponent_items("users")
        .len();
    assert_eq!(before, after);
    app.stop().await;
}

#[tokio::test]
async fn data_survives_a_restart_on_the_same_database() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    app.create_org(&token, "Durable", None).await;
    let (settings, _dir) = app.stop_keeping_data().await;
    let services = orghub::startup::open_services(&settings).await.unwrap();
    let user = PublicId::parse(&boot.user_id).unwrap();
    // The sealed secret key opens with the master key kept in the data directory.
    let nonce = crate::helpers::fresh_nonce();
    let issued = services
        .issue_owner_token(
            &user,
            &nonce,
            &crate::helpers::token_hash(&boot.secret_key, &nonce),
            None,
        )
        .await
        .unwrap();
    let actor = services.authenticate(&issued.token).await.unwrap();
    let names: Vec<_> = services
        .list_orgs(&actor)
        .next_page()
        .await
        .unwrap()
        .expect("one page")
        .iter()
        .map(|o| o.name.clone())
        .collect();
    assert_eq!(names, ["Root", "Durable"]);
}

#[tokio::test]
async fn expired_tokens_are_purged_and_live_ones_kept() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let org = app
        .services
        .store()
        .read()
        .org_by_public_id(&PublicId::parse(&boot.organization_id).unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut tx = app.services.store().begin().await.unwrap();
    tx.insert_token(
        &orghub::store::NewToken {
            hash: &[7u8; 32],
            kind: orghub::domain::TokenKind::Owner,
            user_id: None,
            org_id: org.id,
            region: "us",
            expires_at: 1,
            epoch: 0,
        },
        0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.services.purge_expired_tokens().await.unwrap(), 1);
    assert_eq!(app.services.purge_expired_tokens().await.unwrap(), 0);
    app.get("/xponent/org", &token)
        .await
        .xponent_items("organizations");
    app.stop().await;
}

/// A stored role that is neither Owner nor Member fails the read (500), never reads as a
/// Member, whatever reads it: a list of users, or the user asking for an owner token.
#[tokio::test]
async fn a_corrupted_role_is_an_internal_error_not_a_member() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    let users = app
        .post(
            &format!("/xponent/user/org/{}", boot.organization_id),
            &token,
            &json!([{ "name": "Mo", "email": "mo@root.test", "role": "Owner" }]),
        )
        .await
        .xponent_items("users");
    let mo = users[0]["id"].as_str().unwrap().to_owned();
    app.raw_execute(&format!(
        "UPDATE users SET role = 'Superuser' WHERE public_id = '{mo}'"
    ))
    .await;

    app.get("/xponent/user", &token)
        .await
        .assert_xponent_error(500, "Internal server error");
    app.get(&format!("/xponent/user/{mo}/loginToken"), &token)
        .await
        .assert_xponent_error(500, "Internal server error");
    let nonce = crate::helpers::fresh_nonce();
    let body =
        json!({ "userId": mo, "nonce": nonce, "hash": crate::helpers::token_hash("k", &nonce) });
    app.send("POST", "/xponent/token", None, Some(&body.to_string()))
        .await
        .assert_xponent_error(500, "Internal server error");
    app.stop().await;
}

#[tokio::test]
async fn conformity_application_and_service_account_keys_are_sealed() {
    use crate::helpers::{AZURE_APPLICATION_KEY, GCP_PRIVATE_KEY};
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    crate::conformity_clouds::azure_account(&app, &boot.api_key).await;
    crate::conformity_clouds::gcp_organisation(&app, &boot.api_key).await;
    let text = app.raw_database_text().await;
    assert!(!text.contains(AZURE_APPLICATION_KEY));
    // The body of the key, whatever the escaping of its line breaks.
    let body = GCP_PRIVATE_KEY.lines().nth(1).unwrap();
    assert!(body.len() > 20 && !text.contains(body), "{body}");
    assert!(!text.contains("0123456789abcdef0123456789abcdef01234567"));
    app.stop().await;
}

#[tokio::test]
async fn concurrent_registrations_of_one_azure_subscription_give_one_account() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let first = crate::conformity_clouds::azure_account(&app, key).await;
    app.conformity("DELETE", &format!("/accounts/{first}"), key, None)
        .await
        .conformity_data();
    let body = json!({ "data": { "attributes": { "name": "Azure", "access": {
        "subscriptionId": crate::helpers::AZURE_SUBSCRIPTION,
        "activeDirectoryId": crate::helpers::AZURE_DIRECTORY,
    } } } });
    let replies =
        join_all((0..10).map(|_| app.conformity("POST", "/accounts/azure", key, Some(&body))))
            .await;
    assert_eq!(
        replies.iter().filter(|r| r.status == 200).count(),
        1,
        "{replies:?}"
    );
    for reply in replies.iter().filter(|r| r.status != 200) {
        reply.assert_conformity_error(
            409,
            &format!(
                "The Azure subscription '{}' is already an account of this organisation",
                crate::helpers::AZURE_SUBSCRIPTION
            ),
            None,
        );
    }
    let accounts = app
        .conformity("GET", "/accounts", key, None)
        .await
        .conformity_data();
    assert_eq!(
        accounts.as_array().unwrap().len(),
        1,
        "no account without its subscription"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_organization_with_conformity_records_is_deleted_whole() {
    let app = TestApp::spawn().await;
    let (_, owner) = app.root_with_token().await;
    let child = app.create_org(&owner, "Child", None).await;
    let (_, key) = app
        .user_with_key(&owner, &child, "admin@child.test", "Owner")
        .await;
    let aws = app.conformity_add_account(&key, "Prod").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    crate::conformity_clouds::azure_account(&app, &key).await;
    crate::conformity_clouds::gcp_organisation(&app, &key).await;
    let gcp = json!({ "data": { "attributes": { "name": "GCP", "access": {
        "projectId": "child-project-1", "projectName": "P",
        "serviceAccountUniqueId": crate::helpers::GCP_UNIQUE_ID,
    } } } });
    app.conformity("POST", "/accounts/gcp", &key, Some(&gcp))
        .await
        .conformity_data();
    app.conformity(
        "PATCH",
        &format!("/accounts/{aws}/settings/rules/S3-021"),
        &key,
        Some(&json!({ "data": { "attributes": { "ruleSetting": {
            "enabled": true, "riskLevel": "LOW" } } } })),
    )
    .await
    .conformity_data();
    app.conformity(
        "PATCH",
        &format!("/accounts/{aws}/settings/bot"),
        &key,
        Some(&json!({ "data": { "attributes": { "settings": { "bot": { "delay": 1 } } } } })),
    )
    .await
    .conformity_data();
    app.conformity(
        "POST",
        "/groups",
        &key,
        Some(&json!({ "data": { "attributes": { "name": "All", "tags": ["x"] } } })),
    )
    .await
    .conformity_data();
    app.conformity(
        "POST",
        "/users",
        &key,
        Some(
            &json!({ "data": { "attributes": { "firstName": "A", "lastName": "B",
            "email": "ab@child.test", "role": "USER",
            "accessList": [{ "account": aws, "level": "READONLY" }] } } }),
        ),
    )
    .await
    .conformity_data();
    let deleted = app.delete(&format!("/xponent/org/{child}"), &owner).await;
    assert_eq!(deleted.status, 200, "{:?}", deleted.body);
    app.conformity("GET", "/accounts", &key, None)
        .await
        .assert_conformity_error(403, "The API key is not valid", None);
    app.stop().await;
}
