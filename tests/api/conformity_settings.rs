//! Cloud Conformity account settings: the Bot's and the rules', every documented error word
//! for word.

use crate::helpers::{Reply, TestApp};
use serde_json::{Value, json};

const NOT_ADMIN: &str = "Only organisation admins can manage accounts and external IDs";

fn bot(bot: Value) -> Value {
    json!({ "data": { "type": "accounts", "attributes": { "settings": { "bot": bot } } } })
}

fn rule(setting: Value) -> Value {
    json!({ "data": { "attributes": { "note": "why", "ruleSetting": setting } } })
}

fn s3(risk: &str) -> Value {
    json!({ "id": "S3-021", "enabled": true, "riskLevel": risk, "provider": "aws" })
}

async fn account(app: &TestApp, key: &str, name: &str) -> String {
    app.conformity_add_account(key, name).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[track_caller]
fn assert_422(reply: &Reply, detail: &str, pointer: &str) {
    reply.assert_conformity_error(422, detail, Some(pointer));
}

#[tokio::test]
async fn bot_settings_change_member_by_member_and_may_apply_to_other_accounts() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let prod = account(&app, key, "Prod").await;
    let dev = account(&app, key, "Dev").await;
    let path = format!("/accounts/{prod}/settings/bot");

    let first = app
        .conformity(
            "PATCH",
            &path,
            key,
            Some(&bot(
                json!({ "disabled": true, "delay": 10, "disabledUntil": 1591751339519_i64,
                "disabledRegions": { "us-west-2": true } }),
            )),
        )
        .await
        .conformity_data();
    assert_eq!(first.as_array().unwrap().len(), 1);
    // A change of one member keeps the others; `disabledRegions` is replaced whole.
    let body = json!({
        "data": { "attributes": { "settings": { "bot": {
            "disabledUntil": null, "disabledRegions": { "eu-west-1": true }
        } } } },
        "meta": { "otherAccounts": [dev] },
    });
    let changed = app
        .conformity("PATCH", &path, key, Some(&body))
        .await
        .conformity_data();
    let ids: Vec<_> = changed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, [prod.clone(), dev.clone()]);
    assert_eq!(
        changed[0]["attributes"]["settings"]["bot"],
        json!({ "disabled": true, "delay": 10, "disabledUntil": null,
                "disabledRegions": { "eu-west-1": true } })
    );
    assert_eq!(
        changed[1]["attributes"]["settings"]["bot"],
        json!({ "disabledUntil": null, "disabledRegions": { "eu-west-1": true } })
    );
    let read = app
        .conformity("GET", &format!("/accounts/{dev}"), key, None)
        .await
        .conformity_data();
    assert_eq!(read, changed[1]);
    app.stop().await;
}

#[tokio::test]
async fn bot_settings_are_checked_as_documented() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let prod = account(&app, key, "Prod").await;
    let path = format!("/accounts/{prod}/settings/bot");
    let at = |member: &str| format!("/data/attributes/settings/bot{member}");
    let cases = [
        (
            json!({ "data": {} }),
            "The document's data must have an attributes object",
            "/data/attributes".to_owned(),
        ),
        (
            json!({ "data": { "attributes": { "settings": {} } } }),
            "settings.bot is required",
            at(""),
        ),
        (
            bot(json!({ "disabled": "yes" })),
            "disabled must be a boolean",
            at("/disabled"),
        ),
        (
            bot(json!({ "delay": -1 })),
            "delay must be a whole number of hours, 0 or more",
            at("/delay"),
        ),
        (
            bot(json!({ "delay": 1.5 })),
            "delay must be a whole number of hours, 0 or more",
            at("/delay"),
        ),
        (
            bot(json!({ "disabledUntil": "tomorrow" })),
            "disabledUntil must be a time in epoch milliseconds, or null",
            at("/disabledUntil"),
        ),
        (
            bot(json!({ "disabledRegions": ["us-east-1"] })),
            "disabledRegions must map AWS regions to true or false",
            at("/disabledRegions"),
        ),
        (
            bot(json!({ "disabledRegions": { "us-east-1": "yes" } })),
            "disabledRegions must map AWS regions to true or false",
            at("/disabledRegions"),
        ),
        (
            bot(json!({ "disabledRegions": { "mars-north-1x": true } })),
            "'mars-north-1x' is not an AWS region",
            at("/disabledRegions"),
        ),
        (
            bot(json!({ "lastModifiedBy": "me" })),
            "'lastModifiedBy' is not a Bot setting: disabled, delay, disabledUntil or disabledRegions",
            at(""),
        ),
    ];
    for (body, detail, pointer) in cases {
        let reply = app.conformity("PATCH", &path, key, Some(&body)).await;
        assert_422(&reply, detail, &pointer);
    }
    let too_many: Vec<String> = (0..26).map(|_| prod.clone()).collect();
    for others in [json!(too_many), json!("all"), json!([1])] {
        let body = json!({ "data": bot(json!({ "delay": 2 }))["data"], "meta": { "otherAccounts": others } });
        let reply = app.conformity("PATCH", &path, key, Some(&body)).await;
        assert_422(
            &reply,
            "meta.otherAccounts must be an array of at most 25 account ids",
            "/meta/otherAccounts",
        );
    }
    let unknown = crate::helpers::unknown_id();
    for other in [unknown.as_str(), "nope"] {
        let body = json!({ "data": bot(json!({ "delay": 2 }))["data"], "meta": { "otherAccounts": [other] } });
        app.conformity("PATCH", &path, key, Some(&body))
            .await
            .assert_conformity_error(404, &format!("Account {other} was not found"), None);
    }
    app.conformity(
        "PATCH",
        "/accounts/nope/settings/bot",
        key,
        Some(&bot(json!({}))),
    )
    .await
    .assert_conformity_error(404, "Account nope was not found", None);
    app.conformity(
        "PATCH",
        &format!("/accounts/{unknown}/settings/bot"),
        key,
        Some(&bot(json!({}))),
    )
    .await
    .assert_conformity_error(404, &format!("Account {unknown} was not found"), None);
    // Nothing was stored by the refused requests.
    let read = app
        .conformity("GET", &format!("/accounts/{prod}"), key, None)
        .await
        .conformity_data();
    assert!(read["attributes"].get("settings").is_none(), "{read}");
    app.stop().await;
}

#[tokio::test]
async fn only_aws_accounts_disable_bot_regions() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let azure = crate::conformity_clouds::azure_account(&app, key).await;
    let aws = account(&app, key, "Prod").await;
    let regions = bot(json!({ "disabledRegions": { "us-east-1": true } }));
    let reply = app
        .conformity(
            "PATCH",
            &format!("/accounts/{azure}/settings/bot"),
            key,
            Some(&regions),
        )
        .await;
    assert_422(
        &reply,
        "disabledRegions can only be set for AWS accounts",
        "/data/attributes/settings/bot/disabledRegions",
    );
    // Nor through an AWS account's change applied to it.
    let body = json!({ "data": regions["data"], "meta": { "otherAccounts": [azure] } });
    let reply = app
        .conformity(
            "PATCH",
            &format!("/accounts/{aws}/settings/bot"),
            key,
            Some(&body),
        )
        .await;
    assert_422(
        &reply,
        "disabledRegions can only be set for AWS accounts",
        "/data/attributes/settings/bot/disabledRegions",
    );
    let read = app
        .conformity("GET", &format!("/accounts/{aws}"), key, None)
        .await
        .conformity_data();
    assert!(
        read["attributes"].get("settings").is_none(),
        "the failed change left no partial write: {read}"
    );
    app.stop().await;
}

#[tokio::test]
async fn rule_settings_are_checked_as_documented() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let prod = account(&app, key, "Prod").await;
    let path = format!("/accounts/{prod}/settings/rules/S3-021");
    let at = |member: &str| format!("/data/attributes/ruleSetting{member}");
    let with = |member: &str, value: Value| {
        let mut setting = s3("HIGH");
        setting[member] = value;
        rule(setting)
    };
    let without = |member: &str| {
        let mut setting = s3("HIGH");
        setting.as_object_mut().unwrap().remove(member);
        rule(setting)
    };
    let cases = [
        (
            json!({ "data": { "attributes": {} } }),
            "ruleSetting is required".to_owned(),
            at(""),
        ),
        (
            with("note", json!("x")),
            "One or more rule setting property is invalid for S3-021".to_owned(),
            at(""),
        ),
        (
            with("id", json!("S3-022")),
            "The rule setting's id must be S3-021, the rule it is for".to_owned(),
            at("/id"),
        ),
        (
            without("riskLevel"),
            "Rule risk level missing for S3-021".to_owned(),
            at("/riskLevel"),
        ),
        (
            with("riskLevel", json!("CRITICAL")),
            "Rule risk level provided for S3-021 is incorrect".to_owned(),
            at("/riskLevel"),
        ),
        (
            without("enabled"),
            "Rule enable status is not valid for S3-021".to_owned(),
            at("/enabled"),
        ),
        (
            with("enabled", json!("true")),
            "Rule enable status is not valid for S3-021".to_owned(),
            at("/enabled"),
        ),
        (
            with("ruleExists", json!(1)),
            "Rule exists status is not valid for S3-021".to_owned(),
            at("/ruleExists"),
        ),
        (
            with("exceptions", json!({ "resources": "i-1" })),
            "Rule exceptions are not valid for S3-021: an object of filterTags, resources and tags, each an array of strings".to_owned(),
            at("/exceptions"),
        ),
        (
            with("exceptions", json!({ "hosts": [] })),
            "Rule exceptions are not valid for S3-021: an object of filterTags, resources and tags, each an array of strings".to_owned(),
            at("/exceptions"),
        ),
        (
            with("provider", json!(1)),
            "Provider is invalid for S3-021: it must be a string".to_owned(),
            at("/provider"),
        ),
        (
            with("provider", json!("azure")),
            "Provider azure is invalid for S3-021".to_owned(),
            at("/provider"),
        ),
        (
            with("extraSettings", json!({ "name": "threshold" })),
            "Rule extra settings are not valid for S3-021: an array of objects, or null".to_owned(),
            at("/extraSettings"),
        ),
        (
            json!({ "data": { "attributes": { "note": 5, "ruleSetting": s3("HIGH") } } }),
            "note must be a string".to_owned(),
            "/data/attributes/note".to_owned(),
        ),
    ];
    for (body, detail, pointer) in cases {
        let reply = app.conformity("PATCH", &path, key, Some(&body)).await;
        assert_422(&reply, &detail, &pointer);
    }
    for bad in ["bad!rule", "-x"] {
        let reply = app
            .conformity(
                "PATCH",
                &format!("/accounts/{prod}/settings/rules/{bad}"),
                key,
                Some(&rule(s3("HIGH"))),
            )
            .await;
        reply.assert_conformity_error(404, &format!("Rule {bad} was not found"), None);
    }
    app.conformity(
        "PATCH",
        "/accounts/nope/settings/rules/S3-021",
        key,
        Some(&rule(s3("HIGH"))),
    )
    .await
    .assert_conformity_error(404, "Account nope was not found", None);
    let rules = app
        .conformity(
            "GET",
            &format!("/accounts/{prod}/settings/rules"),
            key,
            None,
        )
        .await
        .conformity_data();
    assert_eq!(rules["attributes"]["settings"]["rules"], json!([]));

    // A setting without its id takes the path's.
    let stored = app
        .conformity("PATCH", &path, key, Some(&without("id")))
        .await
        .conformity_data();
    assert_eq!(
        stored["attributes"]["settings"]["rules"],
        json!([s3("HIGH")])
    );
    app.stop().await;
}

#[tokio::test]
async fn one_rule_setting_is_read_with_its_note() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let prod = account(&app, key, "Prod").await;
    let path = format!("/accounts/{prod}/settings/rules/S3-021");
    app.conformity("GET", &path, key, None)
        .await
        .assert_conformity_error(404, "Rule S3-021 has no setting in this account", None);
    app.conformity(
        "GET",
        &format!("/accounts/{prod}/settings/rules/bad!rule"),
        key,
        None,
    )
    .await
    .assert_conformity_error(404, "Rule bad!rule was not found", None);
    app.conformity("PATCH", &path, key, Some(&rule(s3("HIGH"))))
        .await
        .conformity_data();
    let plain = app.conformity("GET", &path, key, None).await;
    assert_eq!(
        plain.conformity_data()["attributes"]["settings"]["rules"],
        json!([s3("HIGH")])
    );
    assert!(plain.body.get("meta").is_none());
    // `?notes=true` adds the note (the query string survives the path's `//`).
    let noted = app
        .send_with_headers(
            "GET",
            &format!("/conformity/v1//accounts/{prod}/settings/rules/S3-021?notes=true"),
            &[("Authorization", &format!("ApiKey {key}"))],
            None,
        )
        .await;
    assert_eq!(noted.status, 200, "{:?}", noted.body);
    let notes = &noted.body["meta"]["notes"];
    assert_eq!(notes.as_array().unwrap().len(), 1, "{notes}");
    assert_eq!(notes[0]["note"], "why");
    assert_eq!(notes[0]["createdBy"], boot.user_id.as_str());
    assert!(notes[0]["createdDate"].is_i64());
    app.stop().await;
}

#[tokio::test]
async fn several_rule_settings_are_set_at_once_or_not_at_all() {
    let app = TestApp::spawn().await;
    let boot = app.bootstrap("Acme", "ada@acme.test").await;
    let key = &boot.api_key;
    let prod = account(&app, key, "Prod").await;
    let path = format!("/accounts/{prod}/settings/rules");
    const AT: &str = "/data/attributes/ruleSettings";
    let config = json!({ "id": "Config-001", "enabled": true, "riskLevel": "LOW",
                         "extraSettings": null, "provider": "aws" });
    let many = |settings: Value| json!({ "data": { "attributes": { "note": "copied", "ruleSettings": settings } } });
    let shape = "ruleSettings must be an array of rule settings, each with the id of its rule";
    let cases = [
        (many(json!({})), shape.to_owned()),
        (many(json!([1])), shape.to_owned()),
        (
            many(json!([{ "enabled": true, "riskLevel": "LOW" }])),
            shape.to_owned(),
        ),
        (
            many(json!([{ "id": "no such", "enabled": true, "riskLevel": "LOW" }])),
            "'no such' is not a rule id".to_owned(),
        ),
        (
            many(json!([config, { "id": "RDS-018", "enabled": true }])),
            "Rule risk level missing for RDS-018".to_owned(),
        ),
        (
            many(
                json!([config, { "id": "RDS-018", "enabled": true, "riskLevel": "LOW", "provider": "gcp" }]),
            ),
            "Provider gcp is invalid for RDS-018".to_owned(),
        ),
    ];
    for (body, detail) in cases {
        let reply = app.conformity("PATCH", &path, key, Some(&body)).await;
        assert_422(&reply, &detail, AT);
    }
    // The refused batches stored nothing, not even their valid first setting.
    let rules = app
        .conformity("GET", &path, key, None)
        .await
        .conformity_data();
    assert_eq!(rules["attributes"]["settings"]["rules"], json!([]));

    let rds = json!({ "id": "RDS-018", "enabled": false, "riskLevel": "MEDIUM" });
    let stored = app
        .conformity("PATCH", &path, key, Some(&many(json!([config, rds]))))
        .await
        .conformity_data();
    assert_eq!(
        stored["attributes"]["settings"]["rules"],
        json!([config, rds])
    );
    app.stop().await;
}

#[tokio::test]
async fn members_read_settings_but_do_not_change_them() {
    let app = TestApp::spawn().await;
    let (boot, owner) = app.root_with_token().await;
    let prod = account(&app, &boot.api_key, "Prod").await;
    app.conformity(
        "PATCH",
        &format!("/accounts/{prod}/settings/rules/S3-021"),
        &boot.api_key,
        Some(&rule(s3("HIGH"))),
    )
    .await
    .conformity_data();
    let (_, member) = app
        .user_with_key(&owner, &boot.organization_id, "mo@root.test", "Member")
        .await;
    let rules = app
        .conformity(
            "GET",
            &format!("/accounts/{prod}/settings/rules"),
            &member,
            None,
        )
        .await
        .conformity_data();
    assert_eq!(
        rules["attributes"]["settings"]["rules"],
        json!([s3("HIGH")])
    );
    app.conformity(
        "GET",
        &format!("/accounts/{prod}/settings/rules/S3-021"),
        &member,
        None,
    )
    .await
    .conformity_data();
    for (path, body) in [
        (
            format!("/accounts/{prod}/settings/bot"),
            bot(json!({ "delay": 3 })),
        ),
        (
            format!("/accounts/{prod}/settings/rules/S3-021"),
            rule(s3("LOW")),
        ),
        (
            format!("/accounts/{prod}/settings/rules"),
            json!({ "data": { "attributes": { "ruleSettings": [s3("LOW")] } } }),
        ),
    ] {
        app.conformity("PATCH", &path, &member, Some(&body))
            .await
            .assert_conformity_error(403, NOT_ADMIN, None);
    }
    app.stop().await;
}
