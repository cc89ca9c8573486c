//! Tenant isolation, one table for every route of every face: a caller from another root's
//! tree, a Member of a child organization and an organization admin token of a child
//! organization each get the face's refusal (or, on a route scoped to the caller itself, an
//! answer about itself), never a 5xx, and never a byte of the victim's data that the request
//! did not carry itself.
//!
//! A route a face's router has and this table lacks fails the test: a new route must join it.

use std::collections::BTreeSet;

use jsonwebtoken::Algorithm;
use serde_json::json;

use crate::conformity_clouds::{azure_account, gcp_organisation};
use crate::helpers::{
    AZURE_APPLICATION, AZURE_APPLICATION_KEY, AZURE_DIRECTORY, AZURE_SUBSCRIPTION, GCP_UNIQUE_ID,
    OWNER_PASSWORD, TestApp, gcp_key, sso_jwt, sso_timestamp,
};

/// How a route is reached on each face.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Face {
    Xponent,
    Surfsight,
    Conformity,
}

impl Face {
    fn base(self) -> &'static str {
        match self {
            Face::Xponent => "/xponent",
            Face::Surfsight => "/surfsight/v2",
            Face::Conformity => "/conformity/v1",
        }
    }
}

/// The statuses a route may answer a foreign caller.
const REFUSED: &[u16] = &[401, 403, 404];
/// A route scoped to the caller itself: it may succeed, about the caller.
const OWN: &[u16] = &[200, 403, 404];

struct Route {
    face: Face,
    method: &'static str,
    /// As in the face's router; `{org_id}`, `{user_id}`, `{project_id}`, `{account_id}`,
    /// `{group_id}`, `{organisation_id}` (a GCP organisation) and `{directory_id}` (an Azure
    /// active directory) name the victim's records, `{rule_id}` a rule it has a setting for.
    path: &'static str,
    /// `{org_id}`… are replaced here too; `{external_id}` is the victim's external ID.
    body: Option<&'static str>,
    allowed: &'static [u16],
    /// Routes that take no bearer credential carry their own (a sign-in, a JWT…).
    own_auth: Option<OwnAuth>,
}

#[derive(Clone, Copy)]
enum OwnAuth {
    /// No `Authorization`: the body is the credential.
    None,
    /// A Surfsight SSO JWT for the victim's child organization, signed with the caller's
    /// own SSO secret.
    ForeignJwt,
}

const fn route(
    face: Face,
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    allowed: &'static [u16],
) -> Route {
    Route {
        face,
        method,
        path,
        body,
        allowed,
        own_auth: None,
    }
}

/// Every route of every face.
fn table() -> Vec<Route> {
    use Face::*;
    vec![
        Route {
            own_auth: Some(OwnAuth::None),
            ..route(
                Xponent,
                "POST",
                "/token",
                Some(
                    r#"{"userId":"{owner_id}","nonce":"000000000000000000000000000000000000","hash":"00"}"#,
                ),
                &[401],
            )
        },
        Route {
            own_auth: Some(OwnAuth::None),
            ..route(
                Xponent,
                "POST",
                "/login",
                Some(r#"{"token":"{token}"}"#),
                &[401],
            )
        },
        route(Xponent, "GET", "/org", None, OWN),
        route(
            Xponent,
            "POST",
            "/org",
            Some(r#"{"name":"Intruder","parentId":"{org_id}"}"#),
            REFUSED,
        ),
        route(
            Xponent,
            "PUT",
            "/org/{org_id}",
            Some(r#"{"name":"Pwned"}"#),
            REFUSED,
        ),
        route(Xponent, "DELETE", "/org/{org_id}", None, REFUSED),
        route(Xponent, "GET", "/org/{org_id}/templates", None, REFUSED),
        route(Xponent, "GET", "/project/org/{org_id}", None, REFUSED),
        route(
            Xponent,
            "POST",
            "/project/org/{org_id}",
            Some(r#"{"name":"Intruder","description":"x"}"#),
            REFUSED,
        ),
        route(
            Xponent,
            "PUT",
            "/project/{project_id}",
            Some(r#"{"name":"Pwned"}"#),
            REFUSED,
        ),
        route(Xponent, "DELETE", "/project/{project_id}", None, REFUSED),
        route(Xponent, "GET", "/user", None, OWN),
        route(
            Xponent,
            "POST",
            "/user/org/{org_id}",
            Some(r#"[{"name":"Intruder","email":"intruder@victim.test"}]"#),
            REFUSED,
        ),
        route(
            Xponent,
            "PUT",
            "/user/{user_id}",
            Some(r#"{"role":"Owner"}"#),
            REFUSED,
        ),
        route(Xponent, "DELETE", "/user/{user_id}", None, REFUSED),
        route(Xponent, "GET", "/user/{user_id}/loginToken", None, REFUSED),
        Route {
            own_auth: Some(OwnAuth::None),
            ..route(
                Surfsight,
                "POST",
                "/authenticate",
                Some(r#"{"email":"owner@victim.test","password":"not the password"}"#),
                &[401],
            )
        },
        route(Surfsight, "GET", "/organizations", None, OWN),
        route(
            Surfsight,
            "POST",
            "/organizations",
            Some(r#"{"name":"Own child"}"#),
            OWN,
        ),
        Route {
            own_auth: Some(OwnAuth::ForeignJwt),
            ..route(Surfsight, "GET", "/organizations/sso", None, &[401])
        },
        route(Conformity, "GET", "/api-keys", None, OWN),
        route(Conformity, "GET", "/organisation/external-id", None, OWN),
        route(Conformity, "POST", "/external-ids", None, OWN),
        route(Conformity, "GET", "/accounts", None, OWN),
        route(
            Conformity,
            "POST",
            "/accounts",
            Some(
                r#"{"data":{"attributes":{"name":"Intruder","access":{"keys":{"roleArn":"ROLE_ARN","externalId":"{external_id}"}}}}}"#,
            ),
            &[403, 422],
        ),
        route(Conformity, "GET", "/accounts/{account_id}", None, REFUSED),
        route(
            Conformity,
            "PATCH",
            "/accounts/{account_id}",
            Some(r#"{"data":{"attributes":{"name":"Pwned"}}}"#),
            REFUSED,
        ),
        route(
            Conformity,
            "DELETE",
            "/accounts/{account_id}",
            None,
            REFUSED,
        ),
        route(
            Conformity,
            "GET",
            "/accounts/{account_id}/access",
            None,
            REFUSED,
        ),
        // Azure and GCP accounts of one's own, naming the victim's directory and service
        // account: they are not one's own (before one registers the same ones below).
        route(
            Conformity,
            "POST",
            "/accounts/azure",
            Some(
                r#"{"data":{"attributes":{"name":"Intruder","access":{"subscriptionId":"{azure_subscription}","activeDirectoryId":"{directory_id}"}}}}"#,
            ),
            &[403, 422],
        ),
        route(
            Conformity,
            "POST",
            "/accounts/gcp",
            Some(
                r#"{"data":{"attributes":{"name":"Intruder","access":{"projectId":"intruder-1","projectName":"Intruder","serviceAccountUniqueId":"{gcp_unique_id}"}}}}"#,
            ),
            &[403, 422],
        ),
        route(
            Conformity,
            "PATCH",
            "/accounts/{account_id}/settings/bot",
            Some(r#"{"data":{"attributes":{"settings":{"bot":{"delay":9}}}}}"#),
            REFUSED,
        ),
        route(
            Conformity,
            "GET",
            "/accounts/{account_id}/settings/rules",
            None,
            REFUSED,
        ),
        route(
            Conformity,
            "PATCH",
            "/accounts/{account_id}/settings/rules",
            Some(
                r#"{"data":{"attributes":{"ruleSettings":[{"id":"{rule_id}","enabled":false,"riskLevel":"LOW"}]}}}"#,
            ),
            REFUSED,
        ),
        route(
            Conformity,
            "GET",
            "/accounts/{account_id}/settings/rules/{rule_id}",
            None,
            REFUSED,
        ),
        route(
            Conformity,
            "PATCH",
            "/accounts/{account_id}/settings/rules/{rule_id}",
            Some(
                r#"{"data":{"attributes":{"note":"pwned","ruleSetting":{"id":"{rule_id}","enabled":false,"riskLevel":"LOW"}}}}"#,
            ),
            REFUSED,
        ),
        route(
            Conformity,
            "GET",
            "/azure/active-directories/{directory_id}/subscriptions",
            None,
            REFUSED,
        ),
        // The same directory and service account, registered for oneself: allowed, and
        // nothing of the victim's comes with them.
        route(
            Conformity,
            "POST",
            "/azure/active-directories",
            Some(
                r#"{"data":{"attributes":{"name":"Intruder","directoryId":"{directory_id}","applicationId":"{azure_application}","applicationKey":"intruder key"}}}"#,
            ),
            &[200, 403],
        ),
        route(
            Conformity,
            "GET",
            "/gcp/organisations/{organisation_id}/projects",
            None,
            REFUSED,
        ),
        route(
            Conformity,
            "POST",
            "/gcp/organisations",
            Some(r#"{"data":{"serviceAccountName":"Intruder","serviceAccountKeyJson":{gcp_key}}}"#),
            &[200, 403],
        ),
        route(Conformity, "GET", "/groups", None, OWN),
        route(
            Conformity,
            "POST",
            "/groups",
            Some(r#"{"data":{"attributes":{"name":"Intruders","tags":["pci"]}}}"#),
            OWN,
        ),
        route(Conformity, "GET", "/groups/{group_id}", None, REFUSED),
        route(
            Conformity,
            "PATCH",
            "/groups/{group_id}",
            Some(r#"{"data":{"attributes":{"name":"Pwned group"}}}"#),
            REFUSED,
        ),
        route(Conformity, "DELETE", "/groups/{group_id}", None, REFUSED),
        route(Conformity, "GET", "/users", None, OWN),
        // Invitations of one's own, with the victim's account in the access list.
        route(
            Conformity,
            "POST",
            "/users",
            Some(
                r#"{"data":{"attributes":{"firstName":"In","lastName":"Truder","email":"invited@intruder.test","role":"USER","accessList":[{"account":"{account_id}","level":"FULL"}]}}}"#,
            ),
            &[403, 422],
        ),
        route(Conformity, "GET", "/users/whoami", None, OWN),
        route(
            Conformity,
            "POST",
            "/users/sso",
            Some(
                r#"{"data":{"attributes":{"firstName":"In","lastName":"Truder","email":"sso@intruder.test","role":"USER","accessList":[{"account":"{account_id}","level":"FULL"}]}}}"#,
            ),
            &[403, 422],
        ),
        route(Conformity, "GET", "/users/{user_id}", None, REFUSED),
        route(
            Conformity,
            "PATCH",
            "/users/{user_id}",
            Some(r#"{"data":{"role":"ADMIN"}}"#),
            REFUSED,
        ),
        route(Conformity, "DELETE", "/users/{user_id}", None, REFUSED),
    ]
}

/// The victim: a root with a child organization (created through Surfsight, so that it has an
/// SSO secret), a user, a project, a cloud account (with Bot and rule settings), an Azure
/// directory and account, a GCP organisation and a group, each named so that it shows where
/// it can be.
struct Victim {
    org: String,
    owner: String,
    user: String,
    project: String,
    account: String,
    external_id: String,
    gcp_organisation: String,
    group: String,
    /// The child organization: its UUID, its integer id and its SSO secret.
    child: String,
    child_int: i64,
    child_sso_secret: String,
    /// The owner's Xponent token.
    token: String,
    /// Strings that must never reach another tenant's caller.
    markers: Vec<String>,
}

async fn victim(app: &TestApp) -> Victim {
    let boot = app.bootstrap("VICTIM root", "owner@victim.test").await;
    let token = app.owner_token(&boot).await;
    let (surfsight, _) = app
        .surfsight_sign_in("owner@victim.test", OWNER_PASSWORD)
        .await;
    let (child_int, child_sso_secret) = app
        .surfsight_create_org(&surfsight, "Child of the tree")
        .await;
    let orgs = app
        .get("/xponent/org", &token)
        .await
        .xponent_items("organizations");
    let child = orgs
        .iter()
        .find(|org| org["name"] == "Child of the tree")
        .and_then(|org| org["id"].as_str())
        .unwrap()
        .to_owned();
    let first_id = |reply: crate::helpers::Reply, key: &str| {
        reply.xponent_items(key)[0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let user = first_id(
        app.post(
            &format!("/xponent/user/org/{}", boot.organization_id),
            &token,
            &json!([{ "name": "VICTIM user", "email": "user@victim.test" }]),
        )
        .await,
        "users",
    );
    let project = first_id(
        app.post(
            &format!("/xponent/project/org/{}", boot.organization_id),
            &token,
            &json!({ "name": "VICTIM project", "description": "VICTIM plans" }),
        )
        .await,
        "projects",
    );
    let account = app
        .conformity_add_account(&boot.api_key, "VICTIM account")
        .await;
    let account = account["id"].as_str().unwrap().to_owned();
    let external_id = app
        .conformity("GET", "/organisation/external-id", &boot.api_key, None)
        .await
        .conformity_data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let azure = azure_account(app, &boot.api_key).await;
    let gcp = gcp_organisation(app, &boot.api_key).await;
    app.conformity(
        "PATCH",
        &format!("/accounts/{account}/settings/bot"),
        &boot.api_key,
        Some(&json!({ "data": { "attributes": { "settings": { "bot": { "delay": 2 } } } } })),
    )
    .await
    .conformity_data();
    app.conformity(
        "PATCH",
        &format!("/accounts/{account}/settings/rules/{RULE}"),
        &boot.api_key,
        Some(
            &json!({ "data": { "attributes": { "note": "VICTIM note", "ruleSetting": {
            "id": RULE, "enabled": true, "riskLevel": "HIGH" } } } }),
        ),
    )
    .await
    .conformity_data();
    let group = app
        .conformity(
            "POST",
            "/groups",
            &boot.api_key,
            Some(&json!({ "data": { "attributes": { "name": "VICTIM group", "tags": ["pci"] } } })),
        )
        .await
        .conformity_data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let markers = vec![
        boot.organization_id.clone(),
        boot.user_id.clone(),
        user.clone(),
        project.clone(),
        account.clone(),
        external_id.clone(),
        azure.clone(),
        gcp.clone(),
        group.clone(),
        AZURE_APPLICATION_KEY.into(),
        "TUlJRXZ3".into(),
        "VICTIM".into(),
        "victim.test".into(),
        "223334445555".into(),
    ];
    Victim {
        org: boot.organization_id,
        owner: boot.user_id,
        user,
        project,
        account,
        external_id,
        gcp_organisation: gcp,
        group,
        child,
        child_int,
        child_sso_secret,
        token,
        markers,
    }
}

/// A caller and how it authenticates on each face.
struct Caller {
    who: &'static str,
    /// Xponent and Surfsight: a bearer token.
    token: String,
    /// Conformity: `ApiKey …` or `Bearer …`.
    conformity: String,
}

async fn callers(app: &TestApp, victim: &Victim) -> Vec<Caller> {
    let other = app.bootstrap("Other root", "owner@other.test").await;
    let other_token = app.owner_token(&other).await;

    let member = app
        .post(
            &format!("/xponent/user/org/{}", victim.child),
            &victim.token,
            &json!([{ "name": "Mia", "email": "mia@child.test", "password": OWNER_PASSWORD }]),
        )
        .await
        .xponent_items("users")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (member_token, _) = app
        .surfsight_sign_in("mia@child.test", OWNER_PASSWORD)
        .await;
    let member_key = app
        .services
        .create_api_key(&orghub::domain::PublicId::parse(&member).unwrap())
        .await
        .unwrap()
        .key;

    let jwt = sso_jwt(
        &victim.child_sso_secret,
        &json!({ "organizationId": victim.child_int, "timestamp": sso_timestamp(0) }),
        Algorithm::HS256,
    );
    let admin = app
        .get("/surfsight/v2/organizations/sso", &format!("Bearer {jwt}"))
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    vec![
        Caller {
            who: "another root's owner",
            token: other_token,
            conformity: format!("ApiKey {}", other.api_key),
        },
        Caller {
            who: "a Member of a child organization",
            token: member_token,
            conformity: format!("ApiKey {member_key}"),
        },
        Caller {
            who: "an admin token of a child organization",
            conformity: format!("Bearer {}", admin),
            token: admin,
        },
    ]
}

/// The rule the victim has a setting for.
const RULE: &str = "S3-021";

fn fill(template: &str, victim: &Victim, caller: &Caller) -> String {
    template
        .replace("{group_id}", &victim.group)
        .replace("{organisation_id}", &victim.gcp_organisation)
        .replace("{directory_id}", AZURE_DIRECTORY)
        .replace("{rule_id}", RULE)
        .replace("{azure_subscription}", AZURE_SUBSCRIPTION)
        .replace("{azure_application}", AZURE_APPLICATION)
        .replace("{gcp_unique_id}", GCP_UNIQUE_ID)
        .replace("{gcp_key}", &gcp_key().to_string())
        .replace("{org_id}", &victim.org)
        .replace("{user_id}", &victim.user)
        .replace("{project_id}", &victim.project)
        .replace("{account_id}", &victim.account)
        .replace("{owner_id}", &victim.owner)
        .replace("{external_id}", &victim.external_id)
        .replace("{token}", &caller.token)
        .replace("ROLE_ARN", "arn:aws:iam::111122223333:role/Intruder")
}

/// Sends `route` as `caller`; returns the status and the body as text.
async fn send(
    app: &TestApp,
    route: &Route,
    victim: &Victim,
    caller: &Caller,
) -> (u16, String, String) {
    let path = format!("{}{}", route.face.base(), fill(route.path, victim, caller));
    let body = route.body.map(|b| fill(b, victim, caller));
    let auth = match (route.own_auth, route.face) {
        (Some(OwnAuth::None), _) => None,
        (Some(OwnAuth::ForeignJwt), _) => {
            let jwt = sso_jwt(
                "not the organization's secret",
                &json!({ "organizationId": victim.child_int, "timestamp": sso_timestamp(0) }),
                Algorithm::HS256,
            );
            Some(format!("Bearer {jwt}"))
        }
        (None, Face::Xponent) => Some(caller.token.clone()),
        (None, Face::Surfsight) => Some(format!("Bearer {}", caller.token)),
        (None, Face::Conformity) => Some(caller.conformity.clone()),
    };
    let mut headers = Vec::new();
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    let url = app.url(&path);
    let method = reqwest::Method::from_bytes(route.method.as_bytes()).unwrap();
    let mut request = app.client.request(method, url);
    for (name, value) in &headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = &body {
        request = request.body(body.clone());
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    let sent = format!("{path} {}", body.unwrap_or_default());
    (status, text, sent)
}

#[tokio::test]
async fn no_route_of_any_face_lets_another_tenant_in() {
    let app = TestApp::spawn().await;
    let victim = victim(&app).await;
    let callers = callers(&app, &victim).await;
    let table = table();

    // Every route of every router is in the table: a new route must join it.
    let routed: BTreeSet<(&str, &str)> = [
        (Face::Xponent, orghub::http::faces::xponent::paths()),
        (Face::Surfsight, orghub::http::faces::surfsight::paths()),
        (Face::Conformity, orghub::http::faces::conformity::paths()),
    ]
    .into_iter()
    .flat_map(|(face, paths)| paths.into_iter().map(move |path| (face.base(), path)))
    .collect();
    let listed: BTreeSet<(&str, &str, &str)> = table
        .iter()
        .map(|r| (r.face.base(), r.method, r.path))
        .collect();
    let mut missing = Vec::new();
    for &(base, path) in &routed {
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if listed.contains(&(base, method, path)) {
                continue;
            }
            // Not in the table: it must not be a route (the face's 405).
            let face = [Face::Xponent, Face::Surfsight, Face::Conformity]
                .into_iter()
                .find(|f| f.base() == base)
                .unwrap();
            let probe = Route {
                face,
                method,
                path,
                body: Some("{}"),
                allowed: &[],
                own_auth: None,
            };
            let (status, _, _) = send(&app, &probe, &victim, &callers[0]).await;
            if status != 405 {
                missing.push(format!("{method} {base}{path} (answered {status})"));
            }
        }
    }
    for route in &table {
        assert!(
            routed.contains(&(route.face.base(), route.path)),
            "{} {}{} is in the table but no router has it",
            route.method,
            route.face.base(),
            route.path
        );
    }
    assert!(
        missing.is_empty(),
        "routes missing from the isolation table: {missing:#?}"
    );

    let mut failures = Vec::new();
    for caller in &callers {
        for route in &table {
            let (status, body, sent) = send(&app, route, &victim, caller).await;
            let leaked: Vec<&String> = victim
                .markers
                .iter()
                .filter(|m| body.contains(m.as_str()) && !sent.contains(m.as_str()))
                .collect();
            if !route.allowed.contains(&status) || !leaked.is_empty() {
                failures.push(format!(
                    "{}: {} {}{} answered {status} {body} (leaked: {leaked:?})",
                    caller.who,
                    route.method,
                    route.face.base(),
                    route.path
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");

    // And nothing of the victim's changed.
    let orgs = app
        .get("/xponent/org", &victim.token)
        .await
        .xponent_items("organizations");
    assert_eq!(orgs.len(), 2);
    assert_eq!(orgs[0]["name"], "VICTIM root");
    let users = app
        .get("/xponent/user", &victim.token)
        .await
        .xponent_items("users");
    assert_eq!(users.len(), 3, "the owner, the user and the child's Member");
    assert!(
        users
            .iter()
            .any(|u| u["id"] == victim.user.as_str() && u["role"] == "Member")
    );
    app.stop().await;
}
