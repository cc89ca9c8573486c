//! The Cloud Conformity face as the public Terraform provider (trendmicro/conformity) drives it:
//! each resource through create → read → update → read → delete, with the requests the
//! provider sends, byte for byte (`//` in every path, `Content-Type` on GETs too,
//! `Request-Source: Terraform`, `"tags": null`, create bodies without `data.type`), and the
//! members it reads back (those it compares for drift come back exactly as sent).

use crate::helpers::{
    AZURE_APPLICATION, AZURE_APPLICATION_KEY, AZURE_DIRECTORY, AZURE_SUBSCRIPTION, GCP_UNIQUE_ID,
    OWNER_PASSWORD, Reply, TEST_ROLE_ARN, TestApp, gcp_key,
};
use serde_json::{Value, json};

/// The members of a tag set, sorted: Terraform keeps tags as a set.
fn tag_set(tags: &Value) -> Vec<String> {
    let mut tags: Vec<String> = tags
        .as_array()
        .unwrap_or_else(|| panic!("tags are an array: {tags}"))
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    tags.sort();
    tags
}

/// The provider's `CreateAwsAccount` body: no `data.type`, `"tags": null`.
fn aws_create_body(name: &str, environment: &str, external_id: &str) -> String {
    format!(
        r#"{{"data":{{"attributes":{{"name":"{name}","environment":"{environment}","tags":null,"access":{{"keys":{{"roleArn":"{TEST_ROLE_ARN}","externalId":"{external_id}"}}}}}}}}}}"#
    )
}

/// The provider's `UpdateAccount` body after a create (the create payload with the tags).
fn aws_tags_body(name: &str, environment: &str, tags: &[&str], external_id: &str) -> String {
    format!(
        r#"{{"data":{{"attributes":{{"name":"{name}","environment":"{environment}","tags":{},"access":{{"keys":{{"roleArn":"{TEST_ROLE_ARN}","externalId":"{external_id}"}}}}}}}}}}"#,
        json!(tags)
    )
}

/// The provider's `UpdateAccount` body on a change: an empty tag set is `null`.
fn update_body(name: &str, environment: &str, tags: &[&str]) -> String {
    let tags = if tags.is_empty() {
        "null".to_owned()
    } else {
        json!(tags).to_string()
    };
    format!(
        r#"{{"data":{{"attributes":{{"name":"{name}","environment":"{environment}","tags":{tags},"access":{{}}}}}}}}"#
    )
}

/// The provider's `UpdateAccountBotSettings` body.
fn bot_body(disabled: bool, delay: u32, regions: &str) -> String {
    format!(
        r#"{{"data":{{"type":"accounts","attributes":{{"settings":{{"bot":{{"disabled":{disabled},"delay":{delay},"disabledRegions":{regions}}}}}}}}}}}"#
    )
}

/// The provider's `UpdateAccountRuleSettings` body, with the `ruleSetting` object it sends.
fn rule_body(setting: &Value) -> String {
    format!(
        r#"{{"data":{{"attributes":{{"note":"Note automatically added by provider","ruleSetting":{setting}}}}}}}"#
    )
}

/// A `ruleSetting` as the provider marshals it (`exceptions` always an object, `extraSettings`
/// `null` when there are none).
fn rule_setting(id: &str, provider: &str, risk: &str, enabled: bool) -> Value {
    json!({
        "enabled": enabled, "exceptions": {}, "id": id, "provider": provider,
        "riskLevel": risk, "ruleExists": false, "extraSettings": null,
    })
}

async fn temporary_external_id(app: &TestApp, key: &str) -> String {
    app.terraform("POST", "/external-ids", key, Some(""))
        .await
        .conformity_data()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// What the provider's `GetAccount` reads: the account, its access settings and its rule
/// settings.
async fn read_account(app: &TestApp, key: &str, id: &str) -> (Value, Reply, Value) {
    let account = app
        .terraform("GET", &format!("/accounts/{id}"), key, None)
        .await
        .conformity_data();
    let access = app
        .terraform("GET", &format!("/accounts/{id}/access"), key, None)
        .await;
    assert_eq!(access.status, 200, "{:?}", access.body);
    let rules = app
        .terraform("GET", &format!("/accounts/{id}/settings/rules"), key, None)
        .await
        .conformity_data();
    assert_eq!(rules["id"], id);
    assert_eq!(rules["type"], "accounts");
    (
        account,
        access,
        rules["attributes"]["settings"]["rules"].clone(),
    )
}

#[tokio::test]
async fn paths_with_repeated_slashes_reach_their_routes_on_every_face() {
    let app = TestApp::spawn().await;
    let (boot, owner) = app.root_with_token().await;
    // Conformity: the provider validates its key at `<base>/` + `/api-keys/`.
    let keys = app
        .terraform("GET", "/api-keys/", &boot.api_key, None)
        .await;
    assert_eq!(keys.conformity_data().as_array().unwrap().len(), 1);
    app.terraform("GET", "//organisation//external-id//", &boot.api_key, None)
        .await
        .assert_conformity_error(
            404,
            "The organisation has no external ID until an account has been added to it: create a temporary one with POST /external-ids",
            None,
        );
    // Xponent and Surfsight.
    let orgs = app.get("//xponent//org/", &owner).await;
    assert_eq!(orgs.xponent_items("organizations").len(), 1);
    let (token, _) = app
        .surfsight_sign_in("owner@root.test", OWNER_PASSWORD)
        .await;
    let listed = app
        .get("/surfsight/v2//organizations", &format!("Bearer {token}"))
        .await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    // A path that is only slashes is the root: no face's.
    assert_eq!(app.send("GET", "//", None, None).await.status, 404);
    app.stop().await;
}

#[tokio::test]
async fn terraform_manages_an_aws_account_with_bot_and_rule_settings() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let external_id = temporary_external_id(&app, key).await;

    // Create: the account, then its tags, then its settings.
    let created = app
        .terraform(
            "POST",
            "/accounts/",
            key,
            Some(&aws_create_body("Prod", "production", &external_id)),
        )
        .await
        .conformity_data();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["attributes"]["tags"], json!([]));
    let tagged = app
        .terraform(
            "PATCH",
            &format!("/accounts/{id}"),
            key,
            Some(&aws_tags_body(
                "Prod",
                "production",
                &["team-a", "pci"],
                &external_id,
            )),
        )
        .await
        .conformity_data();
    assert_eq!(tagged["id"], id.as_str());
    let bot = app
        .terraform(
            "PATCH",
            &format!("/accounts/{id}/settings/bot"),
            key,
            Some(&bot_body(
                false,
                1,
                r#"{"us-east-1":true,"eu-west-1":true}"#,
            )),
        )
        .await
        .conformity_data();
    assert_eq!(bot[0]["id"], id.as_str(), "the provider reads data[0].id");
    let s3 = rule_setting("S3-021", "aws", "HIGH", true);
    let rds = json!({
        "enabled": false,
        "exceptions": { "resources": ["i-erw82heiu8"], "tags": ["mysql-backups"] },
        "id": "RDS-018", "provider": "aws", "riskLevel": "MEDIUM", "ruleExists": false,
        "extraSettings": [{ "name": "threshold", "type": "single-number-value", "value": "90" }],
    });
    for setting in [&s3, &rds] {
        let rule_id = setting["id"].as_str().unwrap();
        let reply = app
            .terraform(
                "PATCH",
                &format!("/accounts/{id}/settings/rules/{rule_id}"),
                key,
                Some(&rule_body(setting)),
            )
            .await
            .conformity_data();
        assert_eq!(reply["id"], id.as_str(), "the provider reads data.id");
    }

    // Read: what the provider compares comes back as sent.
    let (account, access, rules) = read_account(&app, key, &id).await;
    let attributes = &account["attributes"];
    assert_eq!(attributes["name"], "Prod");
    assert_eq!(attributes["environment"], "production");
    assert_eq!(tag_set(&attributes["tags"]), ["pci", "team-a"]);
    assert_eq!(attributes["cloud-type"], "aws");
    assert_eq!(
        attributes["settings"]["bot"],
        json!({ "disabled": false, "delay": 1, "disabledRegions": { "us-east-1": true, "eu-west-1": true } })
    );
    assert_eq!(attributes["settings"]["rules"], json!([s3, rds]));
    assert_eq!(
        access.body["attributes"]["configuration"],
        json!({ "roleArn": TEST_ROLE_ARN, "externalId": external_id })
    );
    assert_eq!(rules, json!([s3, rds]));

    // Update: a new name, no tags (`null`), other Bot settings, and every rule again in the
    // configuration's order.
    app.terraform(
        "PATCH",
        &format!("/accounts/{id}"),
        key,
        Some(&update_body("Production", "prod", &[])),
    )
    .await
    .conformity_data();
    app.terraform(
        "PATCH",
        &format!("/accounts/{id}/settings/bot"),
        key,
        Some(&bot_body(true, 5, "{}")),
    )
    .await
    .conformity_data();
    let rds_off = json!({
        "enabled": true, "exceptions": {}, "id": "RDS-018", "provider": "aws",
        "riskLevel": "EXTREME", "ruleExists": false, "extraSettings": null,
    });
    let s3_low = rule_setting("S3-021", "aws", "LOW", false);
    for setting in [&rds_off, &s3_low] {
        let rule_id = setting["id"].as_str().unwrap();
        app.terraform(
            "PATCH",
            &format!("/accounts/{id}/settings/rules/{rule_id}"),
            key,
            Some(&rule_body(setting)),
        )
        .await
        .conformity_data();
    }
    let (account, access, rules) = read_account(&app, key, &id).await;
    let attributes = &account["attributes"];
    assert_eq!(attributes["name"], "Production");
    assert_eq!(attributes["environment"], "prod");
    assert_eq!(attributes["tags"], json!([]), "null cleared the tags");
    assert_eq!(
        attributes["settings"]["bot"],
        json!({ "disabled": true, "delay": 5, "disabledRegions": {} })
    );
    assert_eq!(rules, json!([rds_off, s3_low]));
    assert_eq!(
        access.body["attributes"]["configuration"]["roleArn"],
        TEST_ROLE_ARN
    );
    // `terraform import` reads the same way.
    let listed = app.terraform("GET", "/accounts/", key, None).await;
    assert_eq!(listed.conformity_data(), json!([account]));

    // Delete.
    let deleted = app
        .terraform("DELETE", &format!("/accounts/{id}"), key, None)
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, json!({ "meta": { "status": "sent" } }));
    let gone = format!("Account {id} was not found");
    app.terraform("GET", &format!("/accounts/{id}"), key, None)
        .await
        .assert_conformity_error(404, &gone, None);
    // The provider tells a deleted account by the 404 in the error it reads.
    let rules = app
        .terraform("GET", &format!("/accounts/{id}/settings/rules"), key, None)
        .await;
    rules.assert_conformity_error(404, &gone, None);
    assert!(rules.body.to_string().contains("404"));
    app.stop().await;
}

#[tokio::test]
async fn an_account_without_settings_reads_without_them() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let external_id = temporary_external_id(&app, key).await;
    let created = app
        .terraform(
            "POST",
            "/accounts/",
            key,
            Some(&aws_create_body("Prod", "production", &external_id)),
        )
        .await
        .conformity_data();
    let id = created["id"].as_str().unwrap();
    let (account, _, rules) = read_account(&app, key, id).await;
    assert!(account["attributes"].get("settings").is_none(), "{account}");
    assert_eq!(rules, json!([]));
    // A rule setting alone gives the account settings (without a bot).
    app.terraform(
        "PATCH",
        &format!("/accounts/{id}/settings/rules/EC2-001"),
        key,
        Some(&rule_body(&rule_setting("EC2-001", "aws", "LOW", true))),
    )
    .await
    .conformity_data();
    let (account, _, _) = read_account(&app, key, id).await;
    assert_eq!(
        account["attributes"]["settings"],
        json!({ "rules": [rule_setting("EC2-001", "aws", "LOW", true)] })
    );
    app.stop().await;
}

/// The provider's `CreateAzureActiveDirectory` body.
fn directory_body(name: &str) -> String {
    format!(
        r#"{{"data":{{"attributes":{{"name":"{name}","directoryId":"{AZURE_DIRECTORY}","applicationId":"{AZURE_APPLICATION}","applicationKey":"{AZURE_APPLICATION_KEY}"}}}}}}"#
    )
}

/// The provider's `CreateAzureAccount` body (it sets `data.type`).
fn azure_create_body(name: &str, environment: &str) -> String {
    format!(
        r#"{{"data":{{"type":"account","attributes":{{"name":"{name}","environment":"{environment}","tags":null,"access":{{"subscriptionId":"{AZURE_SUBSCRIPTION}","activeDirectoryId":"{AZURE_DIRECTORY}"}}}}}}}}"#
    )
}

#[tokio::test]
async fn terraform_manages_an_azure_active_directory_and_subscription() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;

    let directory = app
        .terraform(
            "POST",
            "/azure/active-directories",
            key,
            Some(&directory_body("Contoso")),
        )
        .await
        .conformity_data();
    assert_eq!(directory["id"], AZURE_DIRECTORY);
    assert_eq!(directory["type"], "active-directories");
    assert_eq!(directory["attributes"]["name"], "Contoso");
    assert_eq!(directory["attributes"]["directory-id"], AZURE_DIRECTORY);
    assert!(!directory.to_string().contains(AZURE_APPLICATION_KEY));

    let created = app
        .terraform(
            "POST",
            "/accounts/azure/",
            key,
            Some(&azure_create_body("Azure Prod", "")),
        )
        .await
        .conformity_data();
    let id = created["id"].as_str().unwrap().to_owned();
    app.terraform(
        "PATCH",
        &format!("/accounts/{id}"),
        key,
        Some(&format!(
            r#"{{"data":{{"type":"account","attributes":{{"name":"Azure Prod","environment":"","tags":["dev"],"access":{{"subscriptionId":"{AZURE_SUBSCRIPTION}","activeDirectoryId":"{AZURE_DIRECTORY}"}}}}}}}}"#
        )),
    )
    .await
    .conformity_data();
    // Bot settings of an Azure account come with an empty `disabledRegions`.
    app.terraform(
        "PATCH",
        &format!("/accounts/{id}/settings/bot"),
        key,
        Some(&bot_body(false, 2, "{}")),
    )
    .await
    .conformity_data();
    let rule = rule_setting("StorageAccounts-001", "azure", "HIGH", true);
    app.terraform(
        "PATCH",
        &format!("/accounts/{id}/settings/rules/StorageAccounts-001"),
        key,
        Some(&rule_body(&rule)),
    )
    .await
    .conformity_data();

    // Read: what the provider's Azure read compares.
    let account = app
        .terraform("GET", &format!("/accounts/{id}"), key, None)
        .await
        .conformity_data();
    let attributes = &account["attributes"];
    assert_eq!(attributes["name"], "Azure Prod");
    assert_eq!(attributes["environment"], "");
    assert_eq!(attributes["cloud-type"], "azure");
    assert_eq!(
        attributes["cloud-data"],
        json!({ "azure": { "subscriptionId": AZURE_SUBSCRIPTION } }),
        "the subscription id reads back exactly as sent"
    );
    assert_eq!(attributes["tags"], json!(["dev"]));
    assert_eq!(
        attributes["settings"]["bot"],
        json!({ "disabled": false, "delay": 2, "disabledRegions": {} })
    );
    let rules = app
        .terraform("GET", &format!("/accounts/{id}/settings/rules"), key, None)
        .await
        .conformity_data();
    assert_eq!(rules["attributes"]["settings"]["rules"], json!([rule]));
    let access = app
        .terraform("GET", &format!("/accounts/{id}/access"), key, None)
        .await;
    assert_eq!(
        access.body["attributes"]["configuration"],
        json!({ "subscriptionId": AZURE_SUBSCRIPTION, "activeDirectoryId": AZURE_DIRECTORY })
    );
    // The directory's subscriptions (the provider's data source), by its id in any case.
    let subscriptions = app
        .terraform(
            "GET",
            &format!(
                "/azure/active-directories/{}/subscriptions",
                AZURE_DIRECTORY.to_uppercase()
            ),
            key,
            None,
        )
        .await
        .conformity_data();
    assert_eq!(
        subscriptions,
        json!([{ "type": "subscriptions", "id": AZURE_SUBSCRIPTION, "attributes": {
            "display-name": "Azure Prod", "state": "Enabled", "added-to-conformity": true,
        } }])
    );

    // Update, read, delete.
    app.terraform(
        "PATCH",
        &format!("/accounts/{id}"),
        key,
        Some(&update_body("Azure Production", "prod", &[])),
    )
    .await
    .conformity_data();
    let account = app
        .terraform("GET", &format!("/accounts/{id}"), key, None)
        .await
        .conformity_data();
    assert_eq!(account["attributes"]["name"], "Azure Production");
    assert_eq!(account["attributes"]["tags"], json!([]));
    assert_eq!(
        account["attributes"]["cloud-data"]["azure"]["subscriptionId"],
        AZURE_SUBSCRIPTION
    );
    let deleted = app
        .terraform("DELETE", &format!("/accounts/{id}"), key, None)
        .await;
    assert_eq!(deleted.body, json!({ "meta": { "status": "sent" } }));
    let subscriptions = app
        .terraform(
            "GET",
            &format!("/azure/active-directories/{AZURE_DIRECTORY}/subscriptions"),
            key,
            None,
        )
        .await
        .conformity_data();
    assert_eq!(subscriptions, json!([]));
    // The subscription may be added again once its account is gone.
    app.terraform(
        "POST",
        "/accounts/azure/",
        key,
        Some(&azure_create_body("Again", "")),
    )
    .await
    .conformity_data();
    app.stop().await;
}

/// The provider's `CreateGCPOrg` body.
fn gcp_organisation_body(name: &str) -> String {
    format!(
        r#"{{"data":{{"serviceAccountName":"{name}","serviceAccountKeyJson":{}}}}}"#,
        gcp_key()
    )
}

/// The provider's `CreateGCPAccount` body.
fn gcp_create_body(name: &str, project_id: &str) -> String {
    format!(
        r#"{{"data":{{"attributes":{{"name":"{name}","environment":"","tags":null,"access":{{"projectId":"{project_id}","projectName":"My Project","serviceAccountUniqueId":"{GCP_UNIQUE_ID}"}}}}}}}}"#
    )
}

#[tokio::test]
async fn terraform_manages_a_gcp_organisation_and_project() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;

    let organisation = app
        .terraform(
            "POST",
            "/gcp/organisations/",
            key,
            Some(&gcp_organisation_body("Acme GCP")),
        )
        .await
        .conformity_data();
    let organisation_id = organisation["id"].as_str().unwrap().to_owned();
    assert_eq!(organisation["type"], "gcp-organisations");
    assert_eq!(
        organisation["attributes"],
        json!({ "serviceAccountName": "Acme GCP", "serviceAccountUniqueId": GCP_UNIQUE_ID })
    );

    let created = app
        .terraform(
            "POST",
            "/accounts/gcp/",
            key,
            Some(&gcp_create_body("GCP Prod", "acme-prod-1")),
        )
        .await
        .conformity_data();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["attributes"]["cloud-type"], "gcp");
    // On updates the provider names the provider `GCP`.
    for (rule, provider) in [("CloudStorage-001", "gcp"), ("CloudSQL-002", "GCP")] {
        app.terraform(
            "PATCH",
            &format!("/accounts/{id}/settings/rules/{rule}"),
            key,
            Some(&rule_body(&rule_setting(rule, provider, "MEDIUM", true))),
        )
        .await
        .conformity_data();
    }

    let (account, _, rules) = read_account(&app, key, &id).await;
    assert_eq!(account["attributes"]["name"], "GCP Prod");
    assert_eq!(account["attributes"]["environment"], "");
    assert_eq!(account["attributes"]["tags"], json!([]));
    assert_eq!(
        account["attributes"]["cloud-data"],
        json!({ "gcp": { "projectId": "acme-prod-1", "projectName": "My Project", "serviceAccountUniqueId": GCP_UNIQUE_ID } })
    );
    assert_eq!(
        rules,
        json!([
            rule_setting("CloudStorage-001", "gcp", "MEDIUM", true),
            rule_setting("CloudSQL-002", "GCP", "MEDIUM", true),
        ])
    );
    let projects = app
        .terraform(
            "GET",
            &format!("/gcp/organisations/{organisation_id}/projects"),
            key,
            None,
        )
        .await
        .conformity_data();
    assert_eq!(
        projects,
        json!([{ "type": "projects", "id": "acme-prod-1", "attributes": {
            "project-id": "acme-prod-1", "name": "My Project", "lifecycle-state": "ACTIVE",
            "added-to-conformity": true,
        } }])
    );

    app.terraform(
        "PATCH",
        &format!("/accounts/{id}"),
        key,
        Some(&update_body("GCP Production", "", &["data"])),
    )
    .await
    .conformity_data();
    let (account, _, _) = read_account(&app, key, &id).await;
    assert_eq!(account["attributes"]["name"], "GCP Production");
    assert_eq!(account["attributes"]["tags"], json!(["data"]));
    app.terraform("DELETE", &format!("/accounts/{id}"), key, None)
        .await
        .conformity_data();
    let projects = app
        .terraform(
            "GET",
            &format!("/gcp/organisations/{organisation_id}/projects"),
            key,
            None,
        )
        .await
        .conformity_data();
    assert_eq!(projects, json!([]));
    app.stop().await;
}

#[tokio::test]
async fn terraform_manages_a_group_and_its_accounts() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let external_id = temporary_external_id(&app, key).await;
    let mut accounts = Vec::new();
    for (name, tags) in [("Prod", vec!["pci"]), ("Dev", vec!["dev", "team-a"])] {
        let id = app
            .terraform(
                "POST",
                "/accounts/",
                key,
                Some(&aws_create_body(name, "production", &external_id)),
            )
            .await
            .conformity_data()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.terraform(
            "PATCH",
            &format!("/accounts/{id}"),
            key,
            Some(&aws_tags_body(name, "production", &tags, &external_id)),
        )
        .await
        .conformity_data();
        accounts.push(id);
    }

    // Create (the provider sends no `data.type`) and read, as an array of one.
    let created = app
        .terraform(
            "POST",
            "/groups/",
            key,
            Some(r#"{"data":{"attributes":{"name":"PCI accounts","tags":["pci"]}}}"#),
        )
        .await
        .conformity_data();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["type"], "groups");
    assert_eq!(
        created["relationships"]["accounts"]["data"],
        json!([{ "type": "accounts", "id": accounts[0] }])
    );
    assert_eq!(
        created["relationships"]["organisation"]["data"]["id"],
        boot.organization_id.as_str()
    );
    let read = app
        .terraform("GET", &format!("/groups/{id}"), key, None)
        .await
        .conformity_data();
    assert_eq!(read.as_array().unwrap().len(), 1);
    assert_eq!(read[0]["attributes"]["name"], "PCI accounts");
    assert_eq!(read[0]["attributes"]["tags"], json!(["pci"]));
    assert_eq!(read[0], created);

    // Update and read.
    let updated = app
        .terraform(
            "PATCH",
            &format!("/groups/{id}"),
            key,
            Some(r#"{"data":{"attributes":{"name":"Regulated","tags":["team-a","pci"]}}}"#),
        )
        .await
        .conformity_data();
    assert_eq!(updated["id"], id.as_str());
    let read = app
        .terraform("GET", &format!("/groups/{id}/"), key, None)
        .await
        .conformity_data();
    assert_eq!(read[0]["attributes"]["name"], "Regulated");
    assert_eq!(tag_set(&read[0]["attributes"]["tags"]), ["pci", "team-a"]);
    assert_eq!(
        read[0]["relationships"]["accounts"]["data"],
        json!([
            { "type": "accounts", "id": accounts[0] },
            { "type": "accounts", "id": accounts[1] },
        ])
    );
    let listed = app.terraform("GET", "/groups/", key, None).await;
    assert_eq!(listed.conformity_data(), json!([read[0]]));
    // An empty tag set is sent as `null`: the group keeps no tags, and reads `[]`, never null.
    let cleared = app
        .terraform(
            "PATCH",
            &format!("/groups/{id}"),
            key,
            Some(r#"{"data":{"attributes":{"name":"Regulated","tags":null}}}"#),
        )
        .await
        .conformity_data();
    assert_eq!(cleared["attributes"]["tags"], json!([]));
    assert_eq!(cleared["relationships"]["accounts"]["data"], json!([]));

    // Delete.
    let deleted = app
        .terraform("DELETE", &format!("/groups/{id}"), key, None)
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, json!({ "meta": { "status": "deleted" } }));
    app.terraform("GET", &format!("/groups/{id}"), key, None)
        .await
        .assert_conformity_error(404, &format!("Group {id} was not found"), None);
    app.stop().await;
}

/// The provider's `InviteLegacyUser` (and `CreateSsoLegacyUser`) body: Go marshals its user
/// struct whole, with the members of its malformed tags under their field names.
fn invite_body(email: &str, role: &str, access: &[(&str, &str)]) -> String {
    let access = if access.is_empty() {
        String::new()
    } else {
        let entries: Vec<Value> = access
            .iter()
            .map(|(account, level)| json!({ "account": account, "level": level }))
            .collect();
        format!(r#","accessList":{}"#, json!(entries))
    };
    format!(
        r#"{{"data":{{"attributes":{{"firstName":"Cool","lastName":"Claude","email":"{email}","role":"{role}"{access},"IsCloudOneUser":false,"summary_email_opt_out":false}},"meta":{{"IsApiKeyUser":false}},"relationships":{{"accountAccessList":null}}}}}}"#
    )
}

#[tokio::test]
async fn terraform_manages_a_user_and_an_sso_user() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let first = app.conformity_add_account(key, "Prod").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = app.conformity_add_account(key, "Dev").await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let created = app
        .terraform(
            "POST",
            "/users/",
            key,
            Some(&invite_body(
                "claude@acme.test",
                "USER",
                &[(&first, "FULL"), (&second, "NONE")],
            )),
        )
        .await
        .conformity_data();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["type"], "users");
    assert_eq!(created["attributes"]["status"], "INVITED");
    assert_eq!(created["attributes"]["has-credentials"], false);

    // Read: what the provider's user read sets.
    let read = app
        .terraform("GET", &format!("/users/{id}"), key, None)
        .await
        .conformity_data();
    let attributes = &read["attributes"];
    assert_eq!(attributes["email"], "claude@acme.test");
    assert_eq!(attributes["first-name"], "Cool");
    assert_eq!(attributes["last-name"], "Claude");
    assert_eq!(attributes["role"], "USER");
    assert_eq!(attributes["mfa"], false);
    assert_eq!(attributes["last-login-date"], Value::Null);
    let access = json!([
        { "account": first, "level": "FULL" },
        { "account": second, "level": "NONE" },
    ]);
    assert_eq!(attributes["accessList"], access);
    assert_eq!(read["relationships"]["accountAccessList"], access);
    assert_eq!(
        read["relationships"]["organisation"]["data"]["id"],
        boot.organization_id.as_str()
    );

    // Update the role and one account's level; the other level stays.
    let updated = app
        .terraform(
            "PATCH",
            &format!("/users/{id}"),
            key,
            Some(&format!(
                r#"{{"data":{{"role":"USER","accessList":[{{"account":"{second}","level":"READONLY"}}]}}}}"#
            )),
        )
        .await
        .conformity_data();
    assert_eq!(updated["id"], id.as_str());
    let read = app
        .terraform("GET", &format!("/users/{id}"), key, None)
        .await
        .conformity_data();
    assert_eq!(
        read["attributes"]["accessList"],
        json!([
            { "account": first, "level": "FULL" },
            { "account": second, "level": "READONLY" },
        ])
    );
    // Every Conformity role reads back as given (ADMIN too: see
    // `a_fellow_owner_invited_through_conformity_is_out_of_reach`; an ADMIN is an Owner, and a
    // fellow Owner is out of the caller's reach afterwards).
    for role in ["POWER_USER", "READ_ONLY", "USER"] {
        app.terraform(
            "PATCH",
            &format!("/users/{id}"),
            key,
            Some(&format!(
                r#"{{"data":{{"role":"{role}","accessList":[]}}}}"#
            )),
        )
        .await
        .conformity_data();
        let read = app
            .terraform("GET", &format!("/users/{id}"), key, None)
            .await
            .conformity_data();
        assert_eq!(read["attributes"]["role"], role);
    }

    // Delete.
    let deleted = app
        .terraform("DELETE", &format!("/users/{id}"), key, None)
        .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, json!({ "meta": { "status": "revoked" } }));
    app.terraform("GET", &format!("/users/{id}"), key, None)
        .await
        .assert_conformity_error(404, &format!("User {id} was not found"), None);

    // An SSO user: active from the start.
    let sso = app
        .terraform(
            "POST",
            "/users/sso/",
            key,
            Some(&invite_body("sso@acme.test", "USER", &[])),
        )
        .await
        .conformity_data();
    assert_eq!(sso["attributes"]["status"], "ACTIVE");
    assert_eq!(sso["attributes"]["role"], "USER");
    assert_eq!(sso["attributes"]["accessList"], json!([]));
    let sso_id = sso["id"].as_str().unwrap();
    let revoked = app
        .terraform("DELETE", &format!("/users/{sso_id}"), key, None)
        .await;
    assert_eq!(revoked.body, json!({ "meta": { "status": "revoked" } }));
    app.stop().await;
}

#[tokio::test]
async fn whoami_is_the_caller() {
    let app = TestApp::spawn().await;
    let (boot, owner) = app.root_with_token().await;
    let me = app
        .terraform("GET", "/users/whoami", &boot.api_key, None)
        .await;
    let data = me.conformity_data();
    assert_eq!(data["id"], boot.user_id.as_str());
    assert_eq!(data["type"], "users");
    let attributes = &data["attributes"];
    assert_eq!(attributes["email"], "owner@root.test");
    assert_eq!(attributes["role"], "ADMIN");
    assert_eq!(attributes["status"], "ACTIVE");
    assert_eq!(attributes["has-credentials"], true);
    // What the provider's current-user data source reads.
    assert_eq!(attributes["firstName"], "Owner");
    assert_eq!(attributes["lastName"], "");
    assert_eq!(attributes["isCloudOneUser"], false);
    assert!(attributes["created_date"].is_i64());
    assert_eq!(attributes["has_credentials"], true);
    assert_eq!(attributes["summary_email_opt_out"], false);
    assert_eq!(data["meta"]["isApiKeyUser"], true);
    // A user's bearer token is not an API key.
    let by_token = app
        .send(
            "GET",
            "/conformity/v1/users/whoami",
            Some(&format!("Bearer {owner}")),
            None,
        )
        .await
        .conformity_data();
    assert_eq!(by_token["meta"]["isApiKeyUser"], false);
    app.stop().await;
}
