//! One organization, three faces: what one face creates, the others see.

use crate::helpers::{OWNER_PASSWORD, TestApp, sso_jwt, sso_timestamp};
use orghub::domain::PublicId;
use serde_json::json;

#[tokio::test]
async fn an_organization_created_through_surfsight_is_seen_through_xponent_and_conformity() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Partner", "partner@fleet.test").await;
    let (token, _) = app
        .surfsight_sign_in("partner@fleet.test", OWNER_PASSWORD)
        .await;
    let (surfsight_id, _) = app.surfsight_create_org(&token, "Fleet One").await;

    // Xponent: a child of the partner's organization.
    let owner = app.owner_token(&boot).await;
    let orgs = app
        .get("/xponent/org", &owner)
        .await
        .xponent_items("organizations");
    let fleet = orgs.iter().find(|o| o["name"] == "Fleet One").unwrap();
    assert_eq!(fleet["parentId"], boot.organization_id.as_str());
    let fleet_id = fleet["id"].as_str().unwrap().to_owned();

    // Conformity: a user of that organization with a key registers an account in it.
    let user = app
        .post(
            &format!("/xponent/user/org/{fleet_id}"),
            &owner,
            &json!([{ "name": "Flo", "email": "flo@fleet.test", "role": "Owner" }]),
        )
        .await
        .xponent_items("users")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = app
        .services
        .create_api_key(&PublicId::parse(&user).unwrap())
        .await
        .unwrap()
        .key;
    let account = app.conformity_add_account(&key, "Prod").await;
    assert_eq!(
        account["relationships"]["organisation"]["data"]["id"],
        fleet_id.as_str()
    );
    // And Surfsight still names it by its integer id.
    let listed = app
        .get("/surfsight/v2/organizations", &format!("Bearer {token}"))
        .await;
    assert_eq!(listed.body["data"][0]["id"], surfsight_id);
    app.stop().await;
}

#[tokio::test]
async fn an_organization_created_through_xponent_is_seen_through_surfsight_and_conformity() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Partner", "partner@fleet.test").await;
    let owner = app.owner_token(&boot).await;
    app.create_org(&owner, "Depot", None).await;

    let (token, partner_org) = app
        .surfsight_sign_in("partner@fleet.test", OWNER_PASSWORD)
        .await;
    let listed = app
        .get("/surfsight/v2/organizations", &format!("Bearer {token}"))
        .await;
    let data = listed.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["name"], "Depot");
    assert_eq!(data[0]["partnerId"], partner_org);

    // The bootstrap owner's key is for the root: an account there names the root.
    let account = app.conformity_add_account(&boot.api_key, "Prod").await;
    assert_eq!(
        account["relationships"]["organisation"]["data"]["id"],
        boot.organization_id.as_str()
    );
    app.stop().await;
}

#[tokio::test]
async fn a_user_created_through_xponent_signs_in_through_surfsight() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Partner", "partner@fleet.test").await;
    let owner = app.owner_token(&boot).await;
    let depot = app.create_org(&owner, "Depot", None).await;
    let created = app
        .post(
            &format!("/xponent/user/org/{depot}"),
            &owner,
            &json!([{ "name": "Di", "email": "di@fleet.test", "password": "depot password" }]),
        )
        .await;
    let user_id = created.xponent_items("users")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!created.body.to_string().contains("depot password"));

    let (token, org_id) = app
        .surfsight_sign_in("di@fleet.test", "depot password")
        .await;
    let listed = app
        .get("/surfsight/v2/organizations", &format!("Bearer {token}"))
        .await;
    assert_eq!(listed.body["data"][0]["id"], org_id);
    assert_eq!(listed.body["data"][0]["name"], "Depot");

    // A new password set through Xponent replaces the old one.
    app.put(
        &format!("/xponent/user/{user_id}"),
        &owner,
        &json!({ "password": "another password" }),
    )
    .await
    .xponent_items("users");
    app.send(
        "POST",
        "/surfsight/v2/authenticate",
        None,
        Some(&json!({ "email": "di@fleet.test", "password": "depot password" }).to_string()),
    )
    .await
    .assert_surfsight_error(401, "Invalid email or password");
    app.surfsight_sign_in("di@fleet.test", "another password")
        .await;
    assert!(!app.raw_database_text().await.contains("another password"));
    app.stop().await;
}

#[tokio::test]
async fn xponent_checks_the_password_field() {
    let app = TestApp::spawn().await;
    let (boot, owner) = app.root_with_token().await;
    let path = format!("/xponent/user/org/{}", boot.organization_id);
    app.post(
        &path,
        &owner,
        &json!([{ "name": "Di", "email": "di@x.test", "password": 5 }]),
    )
    .await
    .assert_xponent_error(
        400,
        "The optional field password, if provided, must be a non-empty string",
    );
    app.post(
        &path,
        &owner,
        &json!([{ "name": "Di", "email": "di@x.test", "password": "short" }]),
    )
    .await
    .assert_xponent_error(400, "The field password must be at least 8 characters");
    app.put(
        &format!("/xponent/user/{}", boot.user_id),
        &owner,
        &json!({ "password": "" }),
    )
    .await
    .assert_xponent_error(
        400,
        "The optional field password, if provided, must be a non-empty string",
    );
    app.stop().await;
}

#[tokio::test]
async fn an_organization_admin_token_reaches_descendants_but_not_ancestors() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Partner", "partner@fleet.test").await;
    let (token, _) = app
        .surfsight_sign_in("partner@fleet.test", OWNER_PASSWORD)
        .await;
    let (org_id, secret) = app.surfsight_create_org(&token, "Fleet One").await;
    let jwt = sso_jwt(
        &secret,
        &json!({ "organizationId": org_id, "timestamp": sso_timestamp(0) }),
        jsonwebtoken::Algorithm::HS256,
    );
    let admin = app
        .get("/surfsight/v2/organizations/sso", &format!("Bearer {jwt}"))
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let child = app.create_org(&admin, "Fleet One Depot", None).await;
    app.put(
        &format!("/xponent/org/{child}"),
        &admin,
        &json!({ "name": "Depot" }),
    )
    .await
    .xponent_items("organizations");
    app.put(
        &format!("/xponent/org/{}", boot.organization_id),
        &admin,
        &json!({ "name": "Taken over" }),
    )
    .await
    .assert_xponent_error(403, "Invalid user admin permissions for this organization");
    app.stop().await;
}

#[tokio::test]
async fn a_user_invited_through_conformity_signs_in_through_surfsight_once_it_has_a_password() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Partner", "partner@fleet.test").await;
    let owner = app.owner_token(&boot).await;
    let invited = app
        .conformity(
            "POST",
            "/users",
            &boot.api_key,
            Some(&json!({ "data": { "attributes": {
                "firstName": "Ines", "lastName": "Vited", "email": "ines@fleet.test",
                "role": "USER",
            } } })),
        )
        .await
        .conformity_data();
    let id = invited["id"].as_str().unwrap().to_owned();
    assert_eq!(invited["attributes"]["status"], "INVITED");

    // Xponent lists the user, a Member of the organisation (a fellow Owner would be out of
    // the inviting Owner's reach: see `a_fellow_owner_invited_through_conformity_is_out_of_reach`).
    let users = app
        .get("/xponent/user", &owner)
        .await
        .xponent_items("users");
    let listed = users.iter().find(|u| u["id"] == id.as_str()).unwrap();
    assert_eq!(listed["email"], "ines@fleet.test");
    assert_eq!(listed["name"], "Ines Vited");
    assert_eq!(listed["role"], "Member");
    assert_eq!(listed["organizationId"], boot.organization_id.as_str());

    // Without a password it cannot sign in; once Xponent sets one, it can.
    app.send(
        "POST",
        "/surfsight/v2/authenticate",
        None,
        Some(&json!({ "email": "ines@fleet.test", "password": "any password" }).to_string()),
    )
    .await
    .assert_surfsight_error(401, "Invalid email or password");
    app.put(
        &format!("/xponent/user/{id}"),
        &owner,
        &json!({ "password": "ines password" }),
    )
    .await
    .xponent_items("users");
    let (token, org_id) = app
        .surfsight_sign_in("ines@fleet.test", "ines password")
        .await;
    let orgs = app
        .get("/surfsight/v2/organizations", &format!("Bearer {token}"))
        .await;
    assert_eq!(orgs.status, 200, "{:?}", orgs.body);
    // Her Surfsight token works on Conformity, as her; she is now active.
    let me = app
        .send(
            "GET",
            "/conformity/v1/users/whoami",
            Some(&format!("Bearer {token}")),
            None,
        )
        .await
        .conformity_data();
    assert_eq!(me["id"], id.as_str());
    assert_eq!(me["attributes"]["status"], "ACTIVE");
    assert_eq!(me["attributes"]["has-credentials"], true);
    assert_eq!(me["attributes"]["first-name"], "Ines");
    assert_eq!(me["attributes"]["last-name"], "Vited");
    let _ = org_id;

    // A role or name changed through Xponent shows through Conformity.
    app.put(
        &format!("/xponent/user/{id}"),
        &owner,
        &json!({ "role": "Member", "name": "Ines de Vited" }),
    )
    .await
    .xponent_items("users");
    let read = app
        .conformity("GET", &format!("/users/{id}"), &boot.api_key, None)
        .await
        .conformity_data();
    // The Conformity role given still agrees with orghub's, so it reads back as given.
    assert_eq!(read["attributes"]["role"], "USER");
    assert_eq!(read["attributes"]["first-name"], "Ines");
    assert_eq!(read["attributes"]["last-name"], "de Vited");

    // Revoked through Conformity, it is gone from Xponent too.
    app.conformity("DELETE", &format!("/users/{id}"), &boot.api_key, None)
        .await
        .conformity_data();
    let users = app
        .get("/xponent/user", &owner)
        .await
        .xponent_items("users");
    assert!(users.iter().all(|u| u["id"] != id.as_str()));
    app.stop().await;
}

/// The one rule for acting on a user holds on Conformity's user routes too: an Owner cannot
/// demote or remove a fellow Owner of its own organisation.
#[tokio::test]
async fn a_fellow_owner_invited_through_conformity_is_out_of_reach() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Fleet", "ada@fleet.test").await;
    let invited = app
        .conformity(
            "POST",
            "/users",
            &boot.api_key,
            Some(&json!({ "data": { "attributes": {
                "firstName": "Olu", "lastName": "Wner", "email": "olu@fleet.test",
                "role": "ADMIN",
            } } })),
        )
        .await
        .conformity_data();
    let id = invited["id"].as_str().unwrap().to_owned();
    let demote = json!({ "data": { "role": "READ_ONLY" } });
    app.conformity(
        "PATCH",
        &format!("/users/{id}"),
        &boot.api_key,
        Some(&demote),
    )
    .await
    .assert_conformity_error(403, "The API key does not allow this action", None);
    app.conformity("DELETE", &format!("/users/{id}"), &boot.api_key, None)
        .await
        .assert_conformity_error(403, "The API key does not allow this action", None);
    let read = app
        .conformity("GET", &format!("/users/{id}"), &boot.api_key, None)
        .await
        .conformity_data();
    assert_eq!(read["attributes"]["role"], "ADMIN");
    app.stop().await;
}
