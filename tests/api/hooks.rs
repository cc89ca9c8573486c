//! Hooks: every committed change is an event, delivered at least once to the hooks that want
//! it, signed per Standard Webhooks, retried on schedule, and on record.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::receiver::{Answer, Receiver, verify};
use orghub::domain::PublicId;
use orghub::hooks::{HookSettings, OffsetClock};
use orghub::service::{EventQuery, HookCreated, HookRequest, event_json};

/// Hook settings for tests: loopback receivers allowed, a clock the test moves, quick polls.
fn settings(clock: &OffsetClock) -> HookSettings {
    HookSettings {
        allow_private: true,
        timeout: Duration::from_secs(3),
        poll: Duration::from_millis(100),
        clock: Arc::new(clock.clone()),
        ..HookSettings::default()
    }
}

async fn spawn() -> (TestApp, OffsetClock) {
    let clock = OffsetClock::new();
    let app = TestApp::spawn_with_hooks(settings(&clock)).await;
    (app, clock)
}

async fn hook(app: &TestApp, org: &str, url: &str, types: &[&str]) -> HookCreated {
    app.services
        .create_hook(&HookRequest {
            org: PublicId::parse(org).unwrap(),
            url: url.to_owned(),
            types: types.iter().map(|t| t.to_string()).collect(),
            include_descendants: true,
            max_in_flight: None,
        })
        .await
        .expect("a hook")
}

/// Every event of the audit log (newest first), as hooks receive them.
async fn events(app: &TestApp, org: Option<&str>) -> Vec<Value> {
    let query = EventQuery {
        org: org.map(|id| PublicId::parse(id).unwrap()),
        ..EventQuery::default()
    };
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = app.services.events_page(&query, before).await.unwrap();
        all.extend(page.iter().map(event_json));
        match page.last() {
            Some(last) if page.len() == 100 => before = Some(last.id),
            _ => return all,
        }
    }
}

/// The worker looks again now (after the test moved the clock).
fn wake(app: &TestApp) {
    app.services.store().hook_deliveries_written().notify_one();
}

#[tokio::test]
async fn a_change_is_delivered_once_signed_with_its_actor_and_request_id() {
    let (app, _clock) = spawn().await;
    let (boot, token) = app.root_with_token().await;
    let mut receiver = Receiver::start().await;
    let created = hook(&app, &boot.organization_id, &receiver.url(), &[]).await;
    assert!(created.secret.starts_with("whsec_"));
    // A hook of every type gets its own creation first; its data shows the URL's origin only.
    let own = receiver.expect().await.json();
    assert_eq!(own["type"], "hook.created");
    assert_eq!(own["actor"], json!({ "kind": "operator" }));
    assert_eq!(own["data"]["endpoint"], format!("http://{}", receiver.addr));
    assert!(!own.to_string().contains("receiver-credential"));

    let sent_at = Instant::now();
    let reply = app
        .send_with_headers(
            "POST",
            "/xponent/org",
            &[
                ("Authorization", &token),
                ("Content-Type", "application/json"),
                ("x-request-id", "req-42"),
            ],
            Some(r#"{"name":"Child"}"#),
        )
        .await;
    let child = reply.xponent_items("organizations")[0]["id"].clone();
    let request = receiver.expect().await;
    assert!(
        sent_at.elapsed() < Duration::from_secs(2),
        "delivered promptly"
    );
    assert!(verify(&created.secret, &request), "signature checks out");
    assert!(!verify(
        "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        &request
    ));
    assert_eq!(request.header("content-type"), "application/json");

    let event = request.json();
    assert_eq!(event["type"], "organization.created");
    assert_eq!(request.id(), event["id"].as_str().unwrap());
    assert_eq!(event["organizationId"], child);
    assert_eq!(event["requestId"], "req-42");
    assert_eq!(
        event["actor"],
        json!({
            "kind": "user",
            "userId": boot.user_id,
            "organizationId": boot.organization_id,
            "credential": "owner",
        })
    );
    assert_eq!(event["data"]["name"], "Child");
    assert_eq!(event["data"]["parentId"], json!(boot.organization_id));
    let id = uuid::Uuid::parse_str(event["id"].as_str().unwrap()).unwrap();
    assert_eq!(id.get_version_num(), 7);
    assert!(
        time::OffsetDateTime::parse(
            event["occurredAt"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339
        )
        .is_ok()
    );
    // The audit log holds the same event.
    let logged = events(&app, Some(&boot.organization_id)).await;
    assert_eq!(logged[0], event);

    receiver.expect_nothing(Duration::from_millis(500)).await;
    let log = app
        .services
        .hook_attempts(&PublicId::parse(&created.hook.id).unwrap(), None)
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].status_code, Some(200));
    assert_eq!(log[0].delivery_status, "succeeded");
    assert_eq!(log[0].response.as_deref(), Some("thanks"));
    app.stop().await;
}

#[tokio::test]
async fn a_receiver_answering_500_then_200_gets_the_event_twice_on_schedule() {
    let (app, clock) = spawn().await;
    let (boot, token) = app.root_with_token().await;
    let mut receiver = Receiver::answering(&[Answer::Status(500)], Answer::Status(200)).await;
    let created = hook(
        &app,
        &boot.organization_id,
        &receiver.url(),
        &["organization.created"],
    )
    .await;
    app.create_org(&token, "Child", None).await;

    let first = receiver.expect().await;
    let hook_id = PublicId::parse(&created.hook.id).unwrap();
    wait_for_attempts(&app, &hook_id, 1).await;
    // The retry is due 5 s later (up to 5.5 s with jitter): not before.
    clock.advance(Duration::from_secs(4));
    wake(&app);
    receiver.expect_nothing(Duration::from_millis(400)).await;
    clock.advance(Duration::from_secs(2));
    wake(&app);
    let second = receiver.expect().await;
    assert_eq!(
        first.id(),
        second.id(),
        "the same webhook-id: receivers dedupe on it"
    );
    assert_eq!(first.body, second.body);
    assert!(verify(&created.secret, &second));
    receiver.expect_nothing(Duration::from_millis(300)).await;

    let log = wait_for_attempts(&app, &hook_id, 2).await;
    let codes: Vec<_> = log.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(200), Some(500)], "newest first");
    assert!(log.iter().all(|a| a.delivery_status == "succeeded"));
    assert!(log[1].attempted_at < log[0].attempted_at);
    assert!(!log[1].succeeded && log[0].succeeded);
    app.stop().await;
}

#[tokio::test]
async fn a_delivery_fails_after_eight_attempts_and_can_be_replayed() {
    let (app, clock) = spawn().await;
    let (boot, token) = app.root_with_token().await;
    let mut receiver = Receiver::answering(&[], Answer::Status(503)).await;
    let created = hook(
        &app,
        &boot.organization_id,
        &receiver.url(),
        &["organization.created"],
    )
    .await;
    let hook_id = PublicId::parse(&created.hook.id).unwrap();
    app.create_org(&token, "Child", None).await;
    receiver.expect().await;
    // Each outcome is on record before the clock moves on: moved past a claim's lease, the
    // clock would let the worker claim the delivery again while its attempt is in flight.
    wait_for_attempts(&app, &hook_id, 1).await;
    for (n, wait) in (2..).zip(orghub::hooks::RETRY_DELAYS) {
        clock.advance(wait.mul_f64(1.11));
        wake(&app);
        receiver.expect().await;
        wait_for_attempts(&app, &hook_id, n).await;
    }
    clock.advance(Duration::from_secs(20 * 3600));
    wake(&app);
    receiver.expect_nothing(Duration::from_millis(400)).await;
    let log = app.services.hook_attempts(&hook_id, None).await.unwrap();
    assert_eq!(log.len(), 8);
    assert!(
        log.iter()
            .all(|a| a.delivery_status == "failed" && a.status_code == Some(503))
    );

    // Replayed, it is a new round: the event comes again with the same id.
    receiver.answer_from_now_on(Answer::Status(204));
    let replayed = app
        .services
        .replay_failed_deliveries(&hook_id, 0)
        .await
        .unwrap();
    assert_eq!(replayed, 1);
    let again = receiver.expect().await;
    assert_eq!(again.id(), log[0].event_public_id);
    // And a delivery that succeeded can be sent once more.
    let event = PublicId::parse(&log[0].event_public_id).unwrap();
    assert!(
        app.services
            .replay_delivery(&hook_id, &event)
            .await
            .unwrap()
    );
    assert_eq!(receiver.expect().await.id(), log[0].event_public_id);
    app.stop().await;
}

#[tokio::test]
async fn a_hanging_receiver_does_not_delay_another() {
    // Attempts time out after 20 s: any wait for the hanging endpoint would show.
    let clock = OffsetClock::new();
    let app = TestApp::spawn_with_hooks(HookSettings {
        timeout: Duration::from_secs(20),
        ..settings(&clock)
    })
    .await;
    let (boot, token) = app.root_with_token().await;
    let mut hanging = Receiver::answering(&[], Answer::Hang).await;
    let mut quick = Receiver::start().await;
    let slow = app
        .services
        .create_hook(&HookRequest {
            org: PublicId::parse(&boot.organization_id).unwrap(),
            url: hanging.url(),
            types: vec!["organization.created".into()],
            include_descendants: true,
            max_in_flight: Some(2),
        })
        .await
        .unwrap();
    hook(
        &app,
        &boot.organization_id,
        &quick.url(),
        &["organization.created"],
    )
    .await;
    let started = Instant::now();
    for n in 0..20 {
        app.create_org(&token, &format!("Child {n}"), None).await;
    }
    let got = quick.expect_many(20).await;
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "20 deliveries took {:?} beside a hanging endpoint",
        started.elapsed()
    );
    let mut ids: Vec<String> = got.iter().map(|r| r.id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    // The hanging endpoint holds its two slots; the rest waits in the database.
    assert_eq!(hanging.expect_many(2).await.len(), 2);
    hanging.expect_nothing(Duration::from_millis(300)).await;
    let backlog = app
        .services
        .delivery_backlog(orghub::domain::now_millis())
        .await
        .unwrap();
    assert_eq!(backlog.pending, 20, "{backlog:?}");
    drop(slow);
    app.stop().await;
}

#[tokio::test]
async fn a_change_that_rolls_back_emits_nothing() {
    let (app, _clock) = spawn().await;
    let (boot, token) = app.root_with_token().await;
    let mut receiver = Receiver::start().await;
    hook(&app, &boot.organization_id, &receiver.url(), &[]).await;
    receiver.expect().await; // its own hook.created
    let before = events(&app, None).await.len();
    let reply = app
        .post(
            &format!("/xponent/user/org/{}", boot.organization_id),
            &token,
            &json!([
                { "name": "A", "email": "a@x.test" },
                { "name": "B", "email": "b@x.test" },
                { "name": "Same", "email": "owner@root.test" },
            ]),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 409, "{:?}", reply.body);
    assert_eq!(events(&app, None).await.len(), before);
    receiver.expect_nothing(Duration::from_millis(500)).await;
    let backlog = app.services.delivery_backlog(0).await.unwrap();
    assert_eq!(backlog.pending, 0);
    app.stop().await;
}

#[tokio::test]
async fn private_targets_are_refused_without_the_flag() {
    let clock = OffsetClock::new();
    let app = TestApp::spawn_with_hooks(HookSettings {
        allow_private: false,
        ..settings(&clock)
    })
    .await;
    let (boot, token) = app.root_with_token().await;
    let mut receiver = Receiver::start().await;
    let by_address = hook(
        &app,
        &boot.organization_id,
        &receiver.url(),
        &["organization.created"],
    )
    .await;
    let by_name = hook(
        &app,
        &boot.organization_id,
        &format!("http://localhost:{}/hooks", receiver.addr.port()),
        &["organization.created"],
    )
    .await;
    app.create_org(&token, "Child", None).await;
    receiver.expect_nothing(Duration::from_millis(800)).await;
    for created in [by_address, by_name] {
        let id = PublicId::parse(&created.hook.id).unwrap();
        let log = wait_for_attempts(&app, &id, 1).await;
        let error = log[0].error.as_deref().unwrap_or_default();
        assert!(error.contains("refused"), "{error}");
        assert_eq!(log[0].status_code, None);
        assert!(
            !error.contains("receiver-credential"),
            "no URL in errors: {error}"
        );
    }
    app.stop().await;
}

async fn wait_for_attempts(
    app: &TestApp,
    hook: &PublicId,
    count: usize,
) -> Vec<orghub::store::AttemptRow> {
    for _ in 0..100 {
        let log = app.services.hook_attempts(hook, None).await.unwrap();
        if log.len() >= count {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {count} attempts logged");
}

#[tokio::test]
async fn an_endpoint_failing_for_five_days_is_disabled_and_an_event_says_so() {
    let (app, clock) = spawn().await;
    let (boot, token) = app.root_with_token().await;
    let mut dead = Receiver::answering(&[], Answer::Status(500)).await;
    let mut watcher = Receiver::start().await;
    let created = hook(
        &app,
        &boot.organization_id,
        &dead.url(),
        &["organization.created"],
    )
    .await;
    hook(
        &app,
        &boot.organization_id,
        &watcher.url(),
        &["hook.disabled"],
    )
    .await;
    let hook_id = PublicId::parse(&created.hook.id).unwrap();
    app.create_org(&token, "First", None).await;
    dead.expect().await;
    wait_for_attempts(&app, &hook_id, 1).await;
    clock.advance(Duration::from_secs(5 * 24 * 3600 + 60));
    app.create_org(&token, "Second", None).await;
    // The first failure after five days of them disables it (the first event's retry, long
    // due, or the second event).
    dead.expect().await;
    let disabled = watcher.expect().await.json();
    assert_eq!(disabled["type"], "hook.disabled");
    assert_eq!(disabled["actor"], json!({ "kind": "system" }));
    assert_eq!(disabled["data"]["id"], created.hook.id);
    assert_eq!(disabled["data"]["enabled"], false);
    let hooks = app
        .services
        .list_hooks(None, orghub::service::Slice::ALL)
        .await
        .unwrap();
    assert!(
        !hooks
            .iter()
            .find(|h| h.id == created.hook.id)
            .unwrap()
            .enabled
    );
    // Nothing more goes to it, and its pending deliveries have failed.
    while dead.next(Duration::from_millis(300)).await.is_some() {}
    app.create_org(&token, "Third", None).await;
    dead.expect_nothing(Duration::from_millis(500)).await;
    // (The watcher's own delivery may still be on its way to the record.)
    for _ in 0..50 {
        if app.services.delivery_backlog(0).await.unwrap().pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.services.delivery_backlog(0).await.unwrap().pending, 0);
    app.stop().await;
}

#[tokio::test]
async fn after_a_rotation_both_secrets_sign_during_the_overlap() {
    let (app, _clock) = spawn().await;
    let (boot, token) = app.root_with_token().await;
    let mut receiver = Receiver::start().await;
    let created = hook(
        &app,
        &boot.organization_id,
        &receiver.url(),
        &["organization.created"],
    )
    .await;
    let id = PublicId::parse(&created.hook.id).unwrap();
    let new = app
        .services
        .rotate_hook_secret(&id, Duration::from_secs(3600))
        .await
        .unwrap();
    assert_ne!(new, created.secret);
    app.create_org(&token, "Child", None).await;
    let request = receiver.expect().await;
    assert!(verify(&new, &request));
    assert!(verify(&created.secret, &request));
    assert_eq!(request.header("webhook-signature").split(' ').count(), 2);

    // Without an overlap, only the new secret signs.
    let newest = app
        .services
        .rotate_hook_secret(&id, Duration::ZERO)
        .await
        .unwrap();
    app.create_org(&token, "Other", None).await;
    let request = receiver.expect().await;
    assert!(verify(&newest, &request));
    assert!(!verify(&new, &request));
    app.stop().await;
}

#[tokio::test]
async fn hooks_get_their_organizations_events_and_by_default_their_descendants() {
    let (app, _clock) = spawn().await;
    let (boot, token) = app.root_with_token().await;
    let child = app.create_org(&token, "Child", None).await;
    let mut root_all = Receiver::start().await;
    let mut child_only = Receiver::start().await;
    hook(
        &app,
        &boot.organization_id,
        &root_all.url(),
        &["organization.created"],
    )
    .await;
    app.services
        .create_hook(&HookRequest {
            org: PublicId::parse(&child).unwrap(),
            url: child_only.url(),
            types: vec!["organization.created".into()],
            include_descendants: false,
            max_in_flight: None,
        })
        .await
        .unwrap();
    let grandchild = app.create_org(&token, "Grandchild", Some(&child)).await;
    assert_eq!(root_all.expect().await.json()["organizationId"], grandchild);
    child_only.expect_nothing(Duration::from_millis(400)).await;
    // An organization's own event reaches its own hook: a user created in the child.
    app.post(
        &format!("/xponent/user/org/{child}"),
        &token,
        &json!([{ "name": "U", "email": "u@child.test" }]),
    )
    .await;
    child_only.expect_nothing(Duration::from_millis(300)).await; // not subscribed to users
    root_all.expect_nothing(Duration::from_millis(100)).await;
    app.stop().await;
}

#[tokio::test]
async fn every_kind_of_change_writes_its_event_with_no_secret_in_it() {
    let (app, _clock) = spawn().await;
    let (boot, token) = app.root_with_token().await;
    let services = &app.services;
    // Xponent: organizations, users, projects.
    let a = app.create_org(&token, "A", None).await;
    let b = app.create_org(&token, "B", None).await;
    app.put(
        &format!("/xponent/org/{a}"),
        &token,
        &json!({ "name": "A2", "parentId": b }),
    )
    .await;
    let users = app
        .post(
            &format!("/xponent/user/org/{a}"),
            &token,
            &json!([{ "name": "U", "email": "u@a.test", "password": "long enough pw" }]),
        )
        .await
        .xponent_items("users");
    let user = users[0]["id"].as_str().unwrap().to_owned();
    app.put(
        &format!("/xponent/user/{user}"),
        &token,
        &json!({ "role": "Owner" }),
    )
    .await;
    app.delete(&format!("/xponent/user/{user}"), &token).await;
    let project = app
        .post(
            &format!("/xponent/project/org/{b}"),
            &token,
            &json!({ "name": "P", "description": "d" }),
        )
        .await;
    let project_id = project.body["projects"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    app.put(
        &format!("/xponent/project/{project_id}"),
        &token,
        &json!({ "name": "P2" }),
    )
    .await;
    app.delete(&format!("/xponent/project/{project_id}"), &token)
        .await;
    // Conformity: an external ID and an account.
    app.conformity_add_account(&boot.api_key, "Prod").await;
    // Surfsight: an SSO organization.
    let (surf, _) = app
        .surfsight_sign_in("owner@root.test", crate::helpers::OWNER_PASSWORD)
        .await;
    app.surfsight_create_org(&surf, "Partner child").await;
    // Operator commands.
    let user_id = PublicId::parse(&boot.user_id).unwrap();
    let key = services.create_api_key(&user_id).await.unwrap();
    services
        .revoke_api_key(&PublicId::parse(&key.record.public_id).unwrap())
        .await
        .unwrap();
    app.delete(&format!("/xponent/org/{b}"), &token).await; // refused: it has a child
    app.delete(&format!("/xponent/org/{a}"), &token).await;
    // Last: a rotated secret key ends the owner's tokens, `token` among them.
    let secret_key = services.issue_secret_key(&user_id).await.unwrap();

    let all = events(&app, None).await;
    let types: Vec<&str> = all.iter().map(|e| e["type"].as_str().unwrap()).collect();
    for expected in [
        "organization.created",
        "user.created",
        "secret_key.created",
        "api_key.created",
        "organization.moved",
        "organization.updated",
        "user.updated",
        "user.role_changed",
        "user.deleted",
        "project.created",
        "project.updated",
        "project.deleted",
        "external_id.created",
        "cloud_account.created",
        "api_key.revoked",
        "secret_key.rotated",
        "organization.deleted",
    ] {
        assert!(
            types.contains(&expected),
            "{expected} missing from {types:?}"
        );
    }
    let text = serde_json::to_string(&all).unwrap();
    for secret in [
        boot.secret_key.as_str(),
        boot.api_key.as_str(),
        boot.password.as_str(),
        key.key.as_str(),
        secret_key.as_str(),
        "long enough pw",
        "$argon2",
    ] {
        assert!(!text.contains(secret), "a secret in the events");
    }
    // Changes through a face carry their request id; operator commands say so.
    for event in &all {
        match event["actor"]["kind"].as_str().unwrap() {
            "user" => assert!(event["requestId"].as_str().is_some_and(|id| !id.is_empty())),
            "operator" => assert_eq!(event["requestId"], Value::Null),
            other => panic!("actor {other} in {event}"),
        }
    }
    let api_key_actor = all
        .iter()
        .find(|e| e["type"] == "cloud_account.created")
        .unwrap();
    assert_eq!(api_key_actor["actor"]["credential"], "api_key");
    assert!(api_key_actor["actor"]["apiKeyId"].is_string());
    app.stop().await;
}

#[tokio::test]
async fn events_past_their_retention_are_pruned_with_their_deliveries() {
    let (app, _clock) = spawn().await;
    let (boot, token) = app.root_with_token().await;
    let mut receiver = Receiver::answering(&[], Answer::Status(500)).await;
    hook(
        &app,
        &boot.organization_id,
        &receiver.url(),
        &["organization.created"],
    )
    .await;
    app.create_org(&token, "Child", None).await;
    receiver.expect().await;
    assert!(!events(&app, None).await.is_empty());
    // Kept 90 days: nothing goes.
    assert_eq!(app.services.prune_events(90).await.unwrap(), 0);
    // Kept no time at all: everything up to now goes, with the pending retry.
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert!(app.services.prune_events(0).await.unwrap() > 0);
    assert!(events(&app, None).await.is_empty());
    assert_eq!(app.services.delivery_backlog(0).await.unwrap().pending, 0);
    app.stop().await;
}

/// `orghub <args>` on the test app's data.
fn orghub(app: &TestApp, args: &[&str]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_orghub"));
    command.args(args).arg("--data-dir").arg(app.dir.path());
    if let Some(url) = &app.data.database_url {
        command.arg("--database-url").arg(url);
    }
    command
        .env_remove("ORGHUB_MASTER_KEY")
        .output()
        .expect("orghub runs")
}

fn json_lines(output: &std::process::Output) -> Vec<Value> {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

#[tokio::test]
async fn the_command_line_creates_lists_logs_and_replays_hooks_beside_a_running_server() {
    let (app, _clock) = spawn().await;
    let (boot, token) = app.root_with_token().await;
    let mut receiver = Receiver::start().await;
    let created = json_lines(&orghub(
        &app,
        &[
            "hooks",
            "create",
            "--org",
            &boot.organization_id,
            "--url",
            &receiver.url(),
            "--types",
            "organization.created,user.created",
            "--json",
        ],
    ));
    let secret = created[0]["secret"].as_str().unwrap().to_owned();
    let hook_id = created[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created[0]["types"],
        json!(["organization.created", "user.created"])
    );
    // The running server delivers what the command line's hook wants (it polls for it).
    app.create_org(&token, "Child", None).await;
    let request = receiver.expect().await;
    assert!(verify(&secret, &request));

    let listed = json_lines(&orghub(&app, &["hooks", "list", "--json"]));
    assert_eq!(listed.len(), 1);
    assert!(listed[0].get("secret").is_none());
    assert_eq!(listed[0]["url"], receiver.url());

    wait_for_attempts(&app, &PublicId::parse(&hook_id).unwrap(), 1).await;
    let log = json_lines(&orghub(&app, &["hooks", "deliveries", &hook_id, "--json"]));
    assert_eq!(log[0]["statusCode"], 200);
    assert_eq!(log[0]["eventId"], request.id());

    let replay = orghub(
        &app,
        &["hooks", "replay", &hook_id, "--event", &request.id()],
    );
    assert!(replay.status.success());
    assert_eq!(receiver.expect().await.id(), request.id());

    let events = json_lines(&orghub(
        &app,
        &[
            "events",
            "--type",
            "organization.created",
            "--since",
            "1h",
            "--json",
        ],
    ));
    assert_eq!(events[0]["id"], request.id(), "newest first");
    let bad = orghub(
        &app,
        &[
            "hooks",
            "create",
            "--org",
            &boot.organization_id,
            "--url",
            "ftp://x/",
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    let bad = orghub(&app, &["events", "--type", "no.such"]);
    assert_eq!(bad.status.code(), Some(1));
    let rotated = json_lines(&orghub(
        &app,
        &["hooks", "rotate-secret", &hook_id, "--json"],
    ));
    assert_ne!(rotated[0]["secret"], json!(secret));
    let deleted = orghub(&app, &["hooks", "delete", &hook_id]);
    assert!(deleted.status.success());
    assert!(json_lines(&orghub(&app, &["hooks", "list", "--json"])).is_empty());
    app.stop().await;
}
