//! Tenants: each root organization's tree. Organization names are unique within a tree, so one
//! tenant can neither learn nor reserve another's; quotas bound what one tree may hold, counted
//! in the write transaction so that concurrent creations cannot overshoot them.

use futures::future::join_all;
use orghub::service::Quotas;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{OWNER_PASSWORD, TestApp};

#[tokio::test]
async fn names_are_unique_within_a_tree_and_free_across_trees() {
    let app = TestApp::spawn().await;
    let (_, first) = app.root_with_token().await;
    let other = app.bootstrap("Other", "owner@other.test").await;
    let second = app.owner_token(&other).await;
    app.create_org(&first, "Shared name", None).await;
    // Another tenant may use the name: it learns nothing, and reserves nothing.
    app.create_org(&second, "Shared name", None).await;
    app.post("/xponent/org", &second, &json!({ "name": "Shared name" }))
        .await
        .assert_xponent_error(
            409,
            "The name Shared name is already in use by a different organization",
        );
    // A root's name is its tree's: a child of another tree may take it.
    app.create_org(&second, "Root", None).await;
    app.post("/xponent/org", &first, &json!({ "name": "Root" }))
        .await
        .assert_xponent_error(
            409,
            "The name Root is already in use by a different organization",
        );
    // Surfsight too.
    let (surfsight, _) = app
        .surfsight_sign_in("owner@other.test", OWNER_PASSWORD)
        .await;
    let (first_surfsight, _) = app
        .surfsight_sign_in("owner@root.test", OWNER_PASSWORD)
        .await;
    app.surfsight_create_org(&surfsight, "Fleet").await;
    app.surfsight_create_org(&first_surfsight, "Fleet").await;
    app.assert_tree_is_sound().await;
    app.stop().await;
}

#[tokio::test]
async fn organizations_past_the_quota_are_refused_even_when_concurrent() {
    let app = TestApp::spawn_with_quotas(Quotas {
        orgs: 10,
        ..Quotas::default()
    })
    .await;
    let (_, token) = app.root_with_token().await;
    let other = app.bootstrap("Other", "owner@other.test").await;
    let other_token = app.owner_token(&other).await;
    let replies = join_all((0..30).map(|i| {
        let token = token.clone();
        let app = &app;
        async move {
            app.post(
                "/xponent/org",
                &token,
                &json!({ "name": format!("Org {i}") }),
            )
            .await
        }
    }))
    .await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(created, 9, "the root and nine more");
    for reply in replies.iter().filter(|r| r.status != StatusCode::OK) {
        reply.assert_xponent_error(
            403,
            "The organization tree has reached its limit of 10 organizations",
        );
    }
    // Surfsight says it in its words; another tenant is not affected.
    let (surfsight, _) = app
        .surfsight_sign_in("owner@root.test", OWNER_PASSWORD)
        .await;
    app.post(
        "/surfsight/v2/organizations",
        &format!("Bearer {surfsight}"),
        &json!({ "name": "One more" }),
    )
    .await
    .assert_surfsight_error(
        403,
        "The organization tree has reached its limit of 10 organizations",
    );
    app.create_org(&other_token, "Unaffected", None).await;
    // Deleting one makes room for one.
    let orgs = app
        .get("/xponent/org", &token)
        .await
        .xponent_items("organizations");
    let last = orgs.last().unwrap()["id"].as_str().unwrap();
    app.delete(&format!("/xponent/org/{last}"), &token)
        .await
        .xponent_items("organizations");
    app.create_org(&token, "Room again", None).await;
    app.assert_tree_is_sound().await;
    app.stop().await;
}

#[tokio::test]
async fn users_past_the_quota_are_refused_and_deletions_make_room() {
    let app = TestApp::spawn_with_quotas(Quotas {
        users: 4,
        ..Quotas::default()
    })
    .await;
    let (boot, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    let users = |names: &[&str]| {
        json!(
            names
                .iter()
                .map(|n| json!({ "name": n, "email": format!("{n}@root.test") }))
                .collect::<Vec<_>>()
        )
    };
    app.post(
        &format!("/xponent/user/org/{child}"),
        &token,
        &users(&["a", "b"]),
    )
    .await
    .xponent_items("users");
    // Three more would make six: all or none.
    app.post(
        &format!("/xponent/user/org/{}", boot.organization_id),
        &token,
        &users(&["c", "d"]),
    )
    .await
    .assert_xponent_error(
        403,
        "The organization tree has reached its limit of 4 users",
    );
    assert_eq!(
        app.get("/xponent/user", &token)
            .await
            .xponent_items("users")
            .len(),
        3
    );
    // Deleting the child organization deletes its users, and counts them out.
    app.delete(&format!("/xponent/org/{child}"), &token)
        .await
        .xponent_items("organizations");
    app.assert_tree_is_sound().await;
    app.post(
        &format!("/xponent/user/org/{}", boot.organization_id),
        &token,
        &users(&["c", "d", "e"]),
    )
    .await
    .xponent_items("users");
    app.assert_tree_is_sound().await;
    app.stop().await;
}

#[tokio::test]
async fn api_keys_past_the_quota_are_refused() {
    let app = TestApp::spawn_with_quotas(Quotas {
        api_keys: 2,
        ..Quotas::default()
    })
    .await;
    let (boot, _) = app.root_with_token().await;
    let user = orghub::domain::PublicId::parse(&boot.user_id).unwrap();
    // Bootstrap issued the first.
    app.services.create_api_key(&user).await.unwrap();
    let refused = app.services.create_api_key(&user).await.unwrap_err();
    assert_eq!(
        orghub::cli::describe(&refused),
        "the organization tree has reached its limit of 2 API keys"
    );
    app.stop().await;
}

/// Users invited through Cloud Conformity count as any other user, and hooks count against
/// their own quota.
#[tokio::test]
async fn conformity_invitations_and_hooks_count_against_their_quotas() {
    let app = TestApp::spawn_with_quotas(Quotas {
        users: 2,
        hooks: 1,
        ..Quotas::default()
    })
    .await;
    let (boot, _) = app.root_with_token().await;
    let invite = |email: &str| {
        json!({ "data": { "attributes": {
            "firstName": "In", "lastName": "Vited", "email": email, "role": "USER",
        } } })
    };
    app.conformity(
        "POST",
        "/users",
        &boot.api_key,
        Some(&invite("in@root.test")),
    )
    .await
    .conformity_data();
    app.conformity(
        "POST",
        "/users",
        &boot.api_key,
        Some(&invite("out@root.test")),
    )
    .await
    .assert_conformity_error(
        403,
        "The organisation tree has reached its limit of 2 users",
        None,
    );
    app.assert_tree_is_sound().await;

    let org = orghub::domain::PublicId::parse(&boot.organization_id).unwrap();
    let hook = |url: &str| orghub::service::HookRequest {
        org,
        url: url.to_owned(),
        types: Vec::new(),
        include_descendants: true,
        max_in_flight: None,
    };
    app.services
        .create_hook(&hook("https://hooks.example.test/one"))
        .await
        .unwrap();
    let refused = app
        .services
        .create_hook(&hook("https://hooks.example.test/two"))
        .await
        .unwrap_err();
    assert_eq!(
        orghub::cli::describe(&refused),
        "the organization tree has reached its limit of 1 hooks"
    );
    // Another tenant has room of its own.
    let other = app.bootstrap("Other", "owner@other.test").await;
    let other_org = orghub::domain::PublicId::parse(&other.organization_id).unwrap();
    app.services
        .create_hook(&orghub::service::HookRequest {
            org: other_org,
            ..hook("https://hooks.example.test/other")
        })
        .await
        .unwrap();
    app.stop().await;
}
