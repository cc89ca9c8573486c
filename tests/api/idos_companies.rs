//! idOS companies, credentials and handlers: every action's success and documented errors,
//! and tenant isolation on every route.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use crate::idos::{assert_idos_error, idos, tenant};

#[tokio::test]
async fn companies_are_organizations_of_the_tree() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Veridu Ltd").await;
    let auth = t.auth();

    let reply = idos(&app, "GET", "/companies", Some(&auth), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let data = reply.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["slug"], json!("veridu-ltd"));
    assert_eq!(data[0]["public_key"], json!(t.org_id.replace('-', "")));
    assert!(reply.body["updated"].is_i64());
    assert_eq!(reply.body["pagination"]["total"], json!(1));

    let reply = idos(
        &app,
        "POST",
        "/companies/veridu-ltd",
        Some(&auth),
        Some(json!({"name": "NewCo."})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(reply.body["data"]["name"], json!("NewCo."));
    assert_eq!(reply.body["data"]["slug"], json!("newco"));
    // The child is an organization of the tree, seen by Xponent below its parent.
    let owner = app
        .owner_token_for(
            &t.user_id,
            &app.services
                .issue_secret_key(&orghub::domain::PublicId::parse(&t.user_id).unwrap())
                .await
                .unwrap(),
        )
        .await;
    let orgs = app.get("/xponent/org", &owner).await;
    let names: Vec<_> = orgs
        .xponent_items("organizations")
        .iter()
        .map(|o| o["name"].clone())
        .collect();
    assert!(names.contains(&json!("NewCo.")), "{names:?}");

    // Form-encoded bodies work as JSON ones.
    let reply = app
        .send_with_headers(
            "PATCH",
            "/idos/1.0/companies/newco",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            Some("name=NewName"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["data"]["name"], json!("NewName"));
    assert_eq!(reply.body["data"]["slug"], json!("newco"));
    assert!(reply.body["updated"].is_i64());

    let reply = idos(
        &app,
        "GET",
        "/companies?after=2000-01-01&before=2999-01-01&perPage=1&page=2",
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(reply.body["data"][0]["name"], json!("NewName"));
    assert_eq!(
        reply.body["pagination"],
        json!({"total": 2, "per_page": 1, "current_page": 2, "last_page": 2, "from": 2, "to": 2})
    );
    let reply = idos(
        &app,
        "GET",
        "/companies?after=2999-01-01",
        Some(&auth),
        None,
    )
    .await;
    assert_eq!(reply.body["data"], json!([]));
    let reply = idos(&app, "GET", "/companies?after=yesterday", Some(&auth), None).await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "after must be a date, YYYY-MM-DD",
    );

    // Errors.
    let reply = idos(
        &app,
        "POST",
        "/companies/veridu-ltd",
        Some(&auth),
        Some(json!({})),
    )
    .await;
    assert_idos_error(&reply, 400, "VALIDATION_ERROR", "name is required");
    let reply = idos(
        &app,
        "POST",
        "/companies/veridu-ltd",
        Some(&auth),
        Some(json!({"name": "NewName"})),
    )
    .await;
    assert_idos_error(
        &reply,
        409,
        "CONFLICT",
        "A company named 'NewName' already exists",
    );
    let reply = idos(
        &app,
        "POST",
        "/companies/nowhere",
        Some(&auth),
        Some(json!({"name": "X"})),
    )
    .await;
    assert_idos_error(&reply, 404, "NOT_FOUND", "Company nowhere not found");
    let reply = idos(
        &app,
        "POST",
        "/companies/Not_A_Slug",
        Some(&auth),
        Some(json!({"name": "X"})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "'Not_A_Slug' is not a company slug ([a-z0-9_-]+)",
    );
    let reply = app
        .send(
            "POST",
            "/idos/1.0/companies/veridu-ltd",
            Some(&auth),
            Some("{not json"),
        )
        .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "The request body must be a JSON object or application/x-www-form-urlencoded fields",
    );
    let reply = idos(&app, "DELETE", "/companies/veridu-ltd", Some(&auth), None).await;
    assert_idos_error(
        &reply,
        403,
        "NOT_ALLOWED",
        "A company cannot delete itself: delete it from its parent company",
    );
    let reply = idos(
        &app,
        "POST",
        "/companies/newco",
        Some(&auth),
        Some(json!({"name": "Grandchild"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let reply = idos(&app, "DELETE", "/companies/newco", Some(&auth), None).await;
    assert_idos_error(
        &reply,
        409,
        "CONFLICT",
        "The company has child companies: delete them first",
    );

    let reply = idos(&app, "DELETE", "/companies/grandchild", Some(&auth), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, json!({"status": true, "deleted": 1}));
    let reply = idos(&app, "GET", "/companies/grandchild", None, None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn credentials_have_keys_shown_once() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Keys Inc").await;
    let auth = t.auth();
    let base = format!("/companies/{}/credentials", t.slug);

    // Booleans as strings, as the documentation sends them.
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"name": "My-Credential", "production": "false"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let created = reply.body["data"].clone();
    let public = created["public"].as_str().unwrap().to_owned();
    assert_eq!(public.len(), 32);
    assert!(public.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(created["private"].as_str().unwrap().len(), 32);
    assert_eq!(created["production"], json!(false));
    assert_eq!(created["slug"], json!("my-credential"));
    assert!(created["company_id"].is_i64());
    assert_eq!(created["updated_at"], json!(null));

    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"name": "Prod", "production": true})),
    )
    .await;
    assert_eq!(reply.body["data"]["production"], json!(true));

    let reply = idos(&app, "GET", &base, Some(&auth), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let list = reply.body["data"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|c| c.get("private").is_none()));

    let one = format!("{base}/{public}");
    let reply = idos(&app, "GET", &one, Some(&auth), None).await;
    assert_eq!(reply.body["data"]["public"], json!(public));
    assert!(reply.body["data"].get("private").is_none());

    for method in ["PUT", "PATCH"] {
        let reply = idos(
            &app,
            method,
            &one,
            Some(&auth),
            Some(json!({"name": format!("New-Name {method}")})),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert_eq!(
            reply.body["data"]["name"],
            json!(format!("New-Name {method}"))
        );
        assert!(reply.body["data"]["updated_at"].is_i64());
        assert!(reply.body["updated"].is_i64());
    }
    let reply = idos(&app, "PUT", &one, Some(&auth), Some(json!({"name": ""}))).await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "name must be a non-empty string",
    );
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"name": "x", "production": "maybe"})),
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "production must be a boolean",
    );

    let reply = idos(&app, "DELETE", &one, Some(&auth), None).await;
    assert_eq!(reply.body, json!({"status": true, "deleted": 1}));
    let reply = idos(&app, "GET", &one, Some(&auth), None).await;
    assert_idos_error(
        &reply,
        404,
        "NOT_FOUND",
        &format!("Credential {public} not found"),
    );
    let reply = idos(&app, "DELETE", &one, Some(&auth), None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn handlers_sign_credential_tokens() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Handlers Inc").await;
    let auth = t.auth();
    let base = format!("/companies/{}/handlers", t.slug);
    let reply = idos(&app, "POST", &base, Some(&auth), Some(json!({"name": "idOS FB Scraper", "authUsername": "fb", "authPassword": "pw", "enabled": "true"}))).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    let id = reply.body["data"]["id"].as_i64().unwrap();
    assert_eq!(reply.body["data"]["private"].as_str().unwrap().len(), 32);
    let reply = idos(&app, "GET", &base, Some(&auth), None).await;
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 1);
    assert!(reply.body["data"][0].get("private").is_none());
    let one = format!("{base}/{id}");
    let reply = idos(
        &app,
        "PATCH",
        &one,
        Some(&auth),
        Some(json!({"enabled": false, "name": "Renamed"})),
    )
    .await;
    assert_eq!(reply.body["data"]["enabled"], json!(false));
    assert_eq!(reply.body["data"]["name"], json!("Renamed"));
    let reply = idos(&app, "GET", &one, Some(&auth), None).await;
    assert_eq!(reply.body["data"]["auth_username"], json!("fb"));
    let reply = idos(
        &app,
        "POST",
        &base,
        Some(&auth),
        Some(json!({"name": "No password", "authUsername": "x"})),
    )
    .await;
    assert_idos_error(&reply, 400, "VALIDATION_ERROR", "authPassword is required");
    let reply = idos(&app, "GET", &format!("{base}/abc"), Some(&auth), None).await;
    assert_idos_error(
        &reply,
        400,
        "VALIDATION_ERROR",
        "'abc' is not a valid handlerId",
    );
    let reply = idos(&app, "DELETE", &one, Some(&auth), None).await;
    assert_eq!(reply.body, json!({"status": true, "deleted": 1}));
    let reply = idos(&app, "GET", &one, Some(&auth), None).await;
    assert_idos_error(&reply, 404, "NOT_FOUND", &format!("Handler {id} not found"));
}

/// A token of one company never reaches another company's records, on any route.
#[tokio::test]
async fn tokens_of_one_company_never_reach_another() {
    let app = TestApp::spawn().await;
    let a = tenant(&app, "Tenant A").await;
    let b = tenant(&app, "Tenant B").await;
    let credential = idos(
        &app,
        "POST",
        &format!("/companies/{}/credentials", a.slug),
        Some(&a.auth()),
        Some(json!({"name": "A key"})),
    )
    .await;
    let key = credential.body["data"]["public"]
        .as_str()
        .unwrap()
        .to_owned();
    let handler = idos(
        &app,
        "POST",
        &format!("/companies/{}/handlers", a.slug),
        Some(&a.auth()),
        Some(json!({"name": "h", "authUsername": "u", "authPassword": "p"})),
    )
    .await;
    let handler = handler.body["data"]["id"].as_i64().unwrap();
    let s = &a.slug;
    let routes: Vec<(&str, String)> = vec![
        ("POST", format!("/companies/{s}")),
        ("PATCH", format!("/companies/{s}")),
        ("DELETE", format!("/companies/{s}")),
        ("GET", format!("/companies/{s}/credentials")),
        ("POST", format!("/companies/{s}/credentials")),
        ("GET", format!("/companies/{s}/credentials/{key}")),
        ("PUT", format!("/companies/{s}/credentials/{key}")),
        ("PATCH", format!("/companies/{s}/credentials/{key}")),
        ("DELETE", format!("/companies/{s}/credentials/{key}")),
        ("GET", format!("/companies/{s}/handlers")),
        ("POST", format!("/companies/{s}/handlers")),
        ("GET", format!("/companies/{s}/handlers/{handler}")),
        ("PATCH", format!("/companies/{s}/handlers/{handler}")),
        ("DELETE", format!("/companies/{s}/handlers/{handler}")),
    ];
    let body = json!({"name": "Intruder", "authUsername": "u", "authPassword": "p"});
    for (method, path) in &routes {
        let reply = idos(&app, method, path, Some(&b.auth()), Some(body.clone())).await;
        assert_idos_error(
            &reply,
            403,
            "NOT_ALLOWED",
            "Not Allowed: the credential does not allow this action on this company",
        );
    }
    // B's own list shows none of A's companies; A's records are untouched.
    let reply = idos(&app, "GET", "/companies", Some(&b.auth()), None).await;
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 1);
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{s}/credentials/{key}"),
        Some(&a.auth()),
        None,
    )
    .await;
    assert_eq!(reply.body["data"]["name"], json!("A key"));
    // Another company's credential is not found under one's own company.
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{}/credentials/{key}", b.slug),
        Some(&b.auth()),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = idos(
        &app,
        "GET",
        &format!("/companies/{}/handlers/{handler}", b.slug),
        Some(&b.auth()),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}
