//! The `orghub` binary itself: bootstrap, secret keys, template import, and `serve` with its
//! logs and clean shutdown.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::helpers::{ServeProcess, TestApp, fresh_nonce, token_hash};
use serde_json::{Value, json};

/// `orghub <args>` on the test app's own database (it may be running).
pub fn orghub(app: &TestApp, args: &[&str]) -> std::process::Output {
    orghub_with_stdin(app, args, "")
}

/// `orghub <args>` with `input` on its standard input (how secrets reach it).
pub fn orghub_with_stdin(app: &TestApp, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut command = Command::new(env!("CARGO_BIN_EXE_orghub"));
    command.args(args).arg("--data-dir").arg(app.dir.path());
    if let Some(url) = &app.data.database_url {
        command.arg("--database-url").arg(url);
    }
    let mut child = command
        .env_remove("ORGHUB_MASTER_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("orghub runs");
    let mut stdin = child.stdin.take().expect("a standard input");
    // A command that exits without reading its input closes the pipe: not an error here.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    child.wait_with_output().expect("orghub ends")
}

pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}

pub fn bootstrap_json(app: &TestApp, org: &str, email: &str) -> Value {
    let output = orghub(
        app,
        &[
            "bootstrap",
            "--org",
            org,
            "--owner-name",
            "Ada",
            "--owner-email",
            email,
            "--json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).expect("one JSON object")
}

#[tokio::test]
async fn bootstrap_works_beside_a_running_server_and_its_credentials_work() {
    let app = TestApp::spawn().await;
    let boot = bootstrap_json(&app, "Acme", "ada@acme.test");
    for key in [
        "organizationId",
        "companySlug",
        "userId",
        "email",
        "password",
        "secretKey",
        "apiKey",
    ] {
        assert!(
            boot[key].as_str().is_some_and(|v| !v.is_empty()),
            "{key} in {boot}"
        );
    }
    assert_eq!(boot["apiKey"].as_str().unwrap().len(), 64);
    let token = app
        .owner_token_for(
            boot["userId"].as_str().unwrap(),
            boot["secretKey"].as_str().unwrap(),
        )
        .await;
    let orgs = app
        .get("/xponent/org", &token)
        .await
        .xponent_items("organizations");
    assert_eq!(
        orgs,
        [json!({ "id": boot["organizationId"], "name": "Acme", "parentId": null })]
    );
    let users = app
        .get("/xponent/user", &token)
        .await
        .xponent_items("users");
    assert_eq!(users[0]["role"], "Owner");
    app.stop().await;
}

#[tokio::test]
async fn bootstrap_with_a_name_in_use_fails_with_exit_code_1() {
    let app = TestApp::spawn().await;
    bootstrap_json(&app, "Acme", "ada@acme.test");
    let again = orghub(
        &app,
        &[
            "bootstrap",
            "--org",
            "Acme",
            "--owner-name",
            "Bo",
            "--owner-email",
            "bo@acme.test",
        ],
    );
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        stderr(&again),
        "error: the organization name 'Acme' is already in use"
    );
    assert!(stdout(&again).is_empty());
    app.stop().await;
}

#[tokio::test]
async fn bootstrap_keeps_a_given_password_and_prints_plain_text_without_json() {
    let app = TestApp::spawn().await;
    // The password comes on standard input, never on the command line.
    let output = orghub_with_stdin(
        &app,
        &[
            "bootstrap",
            "--org",
            "Plain",
            "--owner-name",
            "Ada",
            "--owner-email",
            "ada@plain.test",
            "--password-stdin",
        ],
        "my own password\n",
    );
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(text.contains("password:       my own password"), "{text}");
    assert!(text.contains("secretKey:"));
    app.stop().await;
}

#[tokio::test]
async fn secret_key_rotates_an_owner_key_and_refuses_a_member() {
    let app = TestApp::spawn().await;
    let boot = bootstrap_json(&app, "Acme", "ada@acme.test");
    let user_id = boot["userId"].as_str().unwrap();
    let output = orghub(&app, &["secret-key", "--user", user_id, "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let rotated: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let new_secret = rotated["secretKey"].as_str().unwrap();
    assert_ne!(new_secret, boot["secretKey"].as_str().unwrap());
    app.owner_token_for(user_id, new_secret).await;

    let token = app.owner_token_for(user_id, new_secret).await;
    let member = app
        .post(
            &format!(
                "/xponent/user/org/{}",
                boot["organizationId"].as_str().unwrap()
            ),
            &token,
            &json!([{ "name": "Mo", "email": "mo@acme.test" }]),
        )
        .await
        .xponent_items("users")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = orghub(&app, &["secret-key", "--user", &member]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        stderr(&refused),
        format!("error: user {member} is a Member: only Owners have secret keys")
    );
    let unknown = orghub(&app, &["secret-key", "--user", "nope"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(stderr(&unknown), "error: 'nope' is not a user id (a UUID)");
    app.stop().await;
}

/// `POST /xponent/token` for `user` with the hash of `secret` and a fresh nonce.
pub(crate) async fn request_owner_token(
    app: &TestApp,
    user: &str,
    secret: &str,
) -> crate::helpers::Reply {
    let nonce = fresh_nonce();
    let body = json!({ "userId": user, "nonce": nonce, "hash": token_hash(secret, &nonce) });
    app.send("POST", "/xponent/token", None, Some(&body.to_string()))
        .await
}

/// Runs `orghub secret-key` for `user` and returns the new key.
pub(crate) fn secret_key_from_the_cli(app: &TestApp, user: &str) -> String {
    let output = orghub(app, &["secret-key", "--user", user]);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

/// A server whose cached reads outlive any test, so that what a test sees cannot come from a
/// cache that happened to expire.
async fn app_with_lasting_cache() -> TestApp {
    TestApp::spawn_with_read_cache(std::time::Duration::from_secs(3600)).await
}

/// A refusal is never served from a cache: an Owner refused for want of a secret key is
/// accepted as soon as the CLI (another process) has issued one.
#[tokio::test]
async fn a_key_issued_by_the_cli_is_accepted_at_once_after_a_refusal() {
    let app = app_with_lasting_cache().await;
    let boot = bootstrap_json(&app, "Acme", "ada@acme.test");
    let token = app
        .owner_token_for(
            boot["userId"].as_str().unwrap(),
            boot["secretKey"].as_str().unwrap(),
        )
        .await;
    let owner = app
        .post(
            &format!(
                "/xponent/user/org/{}",
                boot["organizationId"].as_str().unwrap()
            ),
            &token,
            &json!([{ "name": "Olu", "email": "olu@acme.test", "role": "Owner" }]),
        )
        .await
        .xponent_items("users")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    request_owner_token(&app, &owner, "no key yet")
        .await
        .assert_xponent_error(
            403,
            &format!("User with id '{owner}' does not have a secret key"),
        );
    let secret = secret_key_from_the_cli(&app, &owner);
    let issued = request_owner_token(&app, &owner, &secret).await;
    assert_eq!(issued.xponent_items("tokens").len(), 1);
    app.stop().await;
}

/// A user cached because it let a request through is checked again before a hash is refused:
/// a key rotated by the CLI counts at once, and the old one is refused at once.
#[tokio::test]
async fn a_key_rotated_by_the_cli_replaces_the_cached_one_at_once() {
    let app = app_with_lasting_cache().await;
    let boot = bootstrap_json(&app, "Acme", "ada@acme.test");
    let user = boot["userId"].as_str().unwrap();
    let old = boot["secretKey"].as_str().unwrap();
    // The user is read, and cached, by a request it lets through.
    app.owner_token_for(user, old).await;
    let new = secret_key_from_the_cli(&app, user);
    request_owner_token(&app, user, &new)
        .await
        .xponent_items("tokens");
    request_owner_token(&app, user, old)
        .await
        .assert_xponent_error(401, "Unauthorized - Hash does not match");
    app.stop().await;
}

#[tokio::test]
async fn template_import_prints_an_id_usable_by_projects() {
    let app = TestApp::spawn().await;
    let boot = bootstrap_json(&app, "Acme", "ada@acme.test");
    let org = boot["organizationId"].as_str().unwrap();
    let file = app.dir.path().join("template.json");
    std::fs::write(
        &file,
        json!({ "name": "ETL", "type": "integration", "graphs": { "nodes": [1, 2] },
                "connections": [{ "name": "in", "type": "queue" }, { "name": "out", "type": "database" }] })
        .to_string(),
    )
    .unwrap();
    let output = orghub(
        &app,
        &[
            "template",
            "import",
            file.to_str().unwrap(),
            "--org",
            org,
            "--global",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let template_id = stdout(&output);

    let token = app
        .owner_token_for(
            boot["userId"].as_str().unwrap(),
            boot["secretKey"].as_str().unwrap(),
        )
        .await;
    let child = app.create_org(&token, "Child", None).await;
    let templates = app
        .get(&format!("/xponent/org/{child}/templates"), &token)
        .await
        .xponent_items("templates");
    assert_eq!(
        templates,
        [json!({ "id": template_id, "name": "ETL", "type": "integration" })]
    );

    std::fs::write(
        &file,
        json!({ "name": "Bad", "type": "t", "connections": [{ "name": "x", "type": "ftp" }] })
            .to_string(),
    )
    .unwrap();
    let refused = orghub(
        &app,
        &["template", "import", file.to_str().unwrap(), "--org", org],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("'ftp' is not a connection type"),
        "{}",
        stderr(&refused)
    );
    app.stop().await;
}

/// `orghub serve` logs one JSON line per request (no token in it) and exits 0 on SIGTERM.
#[tokio::test]
async fn serve_logs_requests_as_json_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_orghub"));
    command
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--data-dir",
        ])
        .arg(dir.path())
        .env("RUST_LOG", "info")
        .env_remove("ORGHUB_DATABASE_URL")
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let listening: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(listening["message"], "orghub is listening");
    let address = listening["address"].as_str().unwrap().to_owned();

    let secret_token = "0123456789abcdef-not-a-real-token";
    let reply = reqwest::Client::new()
        .get(format!("http://{address}/xponent/org"))
        .header("Authorization", secret_token)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 401);
    let request_line: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(request_line["status"], 401);
    assert!(request_line["latency_us"].is_u64(), "{request_line}");
    assert_eq!(request_line["method"], "GET");
    assert_eq!(request_line["path"], "/xponent/org");
    assert!(
        request_line["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().unwrap().success());
    assert!(!rest.join("\n").contains(secret_token));
    assert!(!request_line.to_string().contains(secret_token));
    assert!(dir.path().join("master.key").exists());
}

#[tokio::test]
async fn api_keys_are_created_and_revoked_from_the_command_line() {
    let app = TestApp::spawn().await;
    let boot = bootstrap_json(&app, "Acme", "ada@acme.test");
    let user_id = boot["userId"].as_str().unwrap();
    let output = orghub(&app, &["api-key", "create", "--user", user_id, "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let created: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let key = created["apiKey"].as_str().unwrap();
    let key_id = created["id"].as_str().unwrap();
    assert_eq!(key.len(), 64);
    assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()));
    let listed = app
        .conformity("GET", "/api-keys/", key, None)
        .await
        .conformity_data();
    assert_eq!(listed.as_array().unwrap().len(), 2);

    let output = orghub(&app, &["api-key", "revoke", key_id]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("{key_id} REVOKED"));
    app.conformity("GET", "/api-keys/", key, None)
        .await
        .assert_conformity_error(403, "The API key is not valid", None);

    let plain = orghub(&app, &["api-key", "create", "--user", user_id]);
    assert!(stdout(&plain).contains("apiKey: "), "{}", stdout(&plain));
    let unknown = orghub(&app, &["api-key", "revoke", &crate::helpers::unknown_id()]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).starts_with("error: there is no API key with id"));
    let bad = orghub(&app, &["api-key", "create", "--user", "nope"]);
    assert_eq!(stderr(&bad), "error: 'nope' is not a user id (a UUID)");
    app.stop().await;
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Even started with umask 000, which would leave SQLite's files 0644 and directories 0777.
#[cfg(unix)]
#[tokio::test]
async fn serve_keeps_its_data_directory_database_and_key_private_whatever_the_umask() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let server = ServeProcess::spawn(&data, "info", Some("umask 000"));
    assert_eq!(mode(&data), 0o700, "the data directory");
    // The server is running: the write-ahead log and its index are open.
    for name in [
        "orghub.sqlite3",
        "orghub.sqlite3-wal",
        "orghub.sqlite3-shm",
        "master.key",
    ] {
        assert_eq!(mode(&data.join(name)), 0o600, "{name}");
    }
    server.terminate();
}

#[cfg(unix)]
#[tokio::test]
async fn serve_refuses_a_master_key_that_others_can_read_and_says_how_to_fix_it() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("master.key");
    std::fs::write(&key, orghub::crypto::MasterKey::generate().to_base64()).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_orghub"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env_remove("ORGHUB_DATABASE_URL")
        .env_remove("ORGHUB_MASTER_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("orghub serve started with a master key others can read");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains(&format!("chmod 600 {}", key.display())),
        "{message}"
    );
    assert!(message.contains("mode 0644"), "{message}");
    assert!(
        !dir.path().join("orghub.sqlite3").exists(),
        "nothing opened"
    );
}

/// The checkpointer runs ten times a second: at debug level its statement is not logged.
#[tokio::test]
async fn serve_at_debug_level_does_not_log_its_idle_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServeProcess::spawn(dir.path(), "debug", None);
    std::thread::sleep(std::time::Duration::from_millis(1_200));
    let log = server.terminate();
    let checkpoints = log
        .iter()
        .filter(|line| line.contains("wal_checkpoint"))
        .count();
    assert!(checkpoints <= 1, "{checkpoints} lines:\n{}", log.join("\n"));
}

fn bootstrap_args<'a>(org: &'a str, email: &'a str) -> Vec<&'a str> {
    vec![
        "bootstrap",
        "--org",
        org,
        "--owner-name",
        "Ada",
        "--owner-email",
        email,
        "--json",
        "--password-stdin",
    ]
}

#[tokio::test]
async fn bootstrap_reads_the_password_from_the_first_line_of_stdin() {
    let app = TestApp::spawn().await;
    for (org, email, input, password) in [
        (
            "Unix",
            "ada@unix.test",
            "pass from stdin\nsecond line\n",
            "pass from stdin",
        ),
        (
            "Dos",
            "ada@dos.test",
            "pass with crlf\r\n",
            "pass with crlf",
        ),
        (
            "Bare",
            "ada@bare.test",
            "no newline at all",
            "no newline at all",
        ),
    ] {
        let output = orghub_with_stdin(&app, &bootstrap_args(org, email), input);
        assert!(output.status.success(), "{}", stderr(&output));
        let boot: Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(boot["password"], password);
        // The password works as given, without its line ending.
        app.surfsight_sign_in(email, password).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn bootstrap_refuses_password_stdin_with_password_or_an_empty_line() {
    let app = TestApp::spawn().await;
    let mut both = bootstrap_args("Acme", "ada@acme.test");
    both.extend(["--password", "on the command line"]);
    let refused = orghub_with_stdin(&app, &both, "from stdin\n");
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let message = stderr(&refused);
    assert!(
        message.contains("--password-stdin") && message.contains("cannot be used with"),
        "{message}"
    );

    for input in ["", "\n", "\r\n"] {
        let empty = orghub_with_stdin(&app, &bootstrap_args("Acme", "ada@acme.test"), input);
        assert_eq!(empty.status.code(), Some(1), "{input:?}");
        assert_eq!(
            stderr(&empty),
            "error: --password-stdin: the first line of standard input is empty"
        );
    }
    app.stop().await;
}
