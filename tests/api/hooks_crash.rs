//! At least once across crashes, with the real `orghub` binary: under a write load the server
//! is killed with SIGKILL and started again, and every committed change's event reaches the
//! hook. On PostgreSQL, two nodes deliver from one outbox and never make one delivery's
//! attempts at the same time.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use crate::helpers::{TestApp, fresh_nonce, postgres_in_use, token_hash};

/// A receiver that records every `webhook-id` it is sent, and whether one was ever being
/// received twice at the same time.
#[derive(Default)]
struct Ledger {
    ids: Mutex<HashMap<String, usize>>,
    in_flight: Mutex<HashSet<String>>,
    overlapped: AtomicBool,
    requests: AtomicUsize,
}

struct InFlight(Arc<Ledger>, String);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.lock().unwrap().remove(&self.1);
    }
}

async fn start_ledger() -> (Arc<Ledger>, String) {
    let ledger = Arc::new(Ledger::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/in", listener.local_addr().unwrap());
    let shared = ledger.clone();
    let app = axum::Router::new().fallback(move |headers: HeaderMap, _body: Bytes| {
        let ledger = shared.clone();
        async move {
            let id = headers
                .get("webhook-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            ledger.requests.fetch_add(1, Ordering::Relaxed);
            if !ledger.in_flight.lock().unwrap().insert(id.clone()) {
                ledger.overlapped.store(true, Ordering::Relaxed);
            }
            // Out of flight however the handler ends: a killed sender's connection drops it.
            let _guard = InFlight(ledger.clone(), id.clone());
            // A little while in flight, so that two attempts at once would overlap here.
            tokio::time::sleep(Duration::from_millis(30)).await;
            *ledger.ids.lock().unwrap().entry(id).or_default() += 1;
            "ok"
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (ledger, url)
}

/// A copy of the `orghub` binary in `dir`, used for the whole test: the test restarts the
/// server, and a build running meanwhile must not swap the binary under it.
fn binary(dir: &Path) -> std::path::PathBuf {
    let copy = dir.join("orghub-under-test");
    if !copy.exists() {
        std::fs::copy(env!("CARGO_BIN_EXE_orghub"), &copy).expect("a copy of the binary");
        let knows_hooks = Command::new(&copy)
            .args(["hooks", "--help"])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            knows_hooks,
            "the orghub binary is not this build's (another build replaced it)"
        );
    }
    copy
}

/// `orghub <args>` on the data of `dir` (and the PostgreSQL database, if any).
fn orghub(dir: &Path, database_url: Option<&str>, args: &[&str]) -> Value {
    let mut command = Command::new(binary(dir));
    command.args(args).arg("--data-dir").arg(dir);
    if let Some(url) = database_url {
        command.arg("--database-url").arg(url);
    }
    let output = command
        .env_remove("ORGHUB_MASTER_KEY")
        .output()
        .expect("orghub runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON lines"))
        .collect();
    Value::Array(lines)
}

struct Server {
    child: Child,
    base: String,
}

/// A server left by a failed assertion is killed with the test.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn serve(dir: &Path, database_url: Option<&str>, log: &str) -> Server {
    let port = free_port();
    let mut command = Command::new(binary(dir));
    command
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--hooks-allow-private", "--hooks-timeout-secs", "1"])
        .arg("--data-dir")
        .arg(dir)
        .env_remove("ORGHUB_MASTER_KEY")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join(log)).unwrap());
    if let Some(url) = database_url {
        command.arg("--database-url").arg(url);
    }
    let mut child = command.spawn().expect("orghub serve starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Server { child, base };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("orghub serve did not become ready");
}

/// Creates organizations from 8 clients until `stop`; returns how many were answered 200.
async fn write_load(
    base: String,
    token: String,
    tag: &'static str,
    stop: Arc<AtomicBool>,
) -> usize {
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let (client, base, token, stop) =
            (client.clone(), base.clone(), token.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let sent = client
                    .post(format!("{base}/xponent/org"))
                    .header("Authorization", &token)
                    .json(&json!({ "name": format!("{tag}-{worker}-{n}") }))
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().is_success() => ok += 1,
                    Ok(_) => {}
                    // The server was killed.
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
            ok
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    total
}

async fn owner_token(base: &str, boot: &Value) -> String {
    let nonce = fresh_nonce();
    let reply: Value = reqwest::Client::new()
        .post(format!("{base}/xponent/token"))
        .json(&json!({
            "userId": boot["userId"],
            "nonce": nonce,
            "hash": token_hash(boot["secretKey"].as_str().unwrap(), &nonce),
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["tokens"][0]["token"].as_str().unwrap().to_owned()
}

/// The ids of the root's organization.created events, from `orghub events`.
fn committed_event_ids(dir: &Path, database_url: Option<&str>, root: &str) -> HashSet<String> {
    let events = orghub(
        dir,
        database_url,
        &[
            "events",
            "--org",
            root,
            "--type",
            "organization.created",
            "--limit",
            "0",
            "--json",
        ],
    );
    events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["organizationId"] != root)
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits until the receiver has every id of `wanted`; returns what it has.
async fn await_all(ledger: &Ledger, wanted: &HashSet<String>, within: Duration) -> HashSet<String> {
    let started = Instant::now();
    loop {
        let got: HashSet<String> = ledger.ids.lock().unwrap().keys().cloned().collect();
        if wanted.is_subset(&got) || started.elapsed() > within {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn kill(server: &mut Server) {
    // SIGKILL: no shutdown, no flush, whatever was in flight is lost.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

#[tokio::test]
async fn every_committed_change_is_delivered_across_a_kill_9() {
    // A database like every test's: a SQLite file, or a fresh PostgreSQL database.
    // (Its own server stops at once: only the binary's servers may deliver.)
    let (data, tempdir) = TestApp::spawn().await.stop_keeping_data().await;
    let (dir, database_url) = (tempdir.path().to_path_buf(), data.database_url.clone());
    let url = database_url.as_deref();
    let (ledger, hook_url) = start_ledger().await;
    let boot = &orghub(
        &dir,
        url,
        &[
            "bootstrap",
            "--org",
            "Crash",
            "--owner-name",
            "O",
            "--owner-email",
            "o@crash.test",
            "--json",
        ],
    )[0];
    let root = boot["organizationId"].as_str().unwrap().to_owned();
    let hook = &orghub(
        &dir,
        url,
        &[
            "hooks",
            "create",
            "--org",
            &root,
            "--url",
            &hook_url,
            "--types",
            "organization.created",
            "--json",
        ],
    )[0];
    assert!(hook["secret"].as_str().unwrap().starts_with("whsec_"));

    // Node one under load, killed mid-way; on PostgreSQL a second node runs throughout.
    let mut first = serve(&dir, url, "first.log").await;
    let second = if postgres_in_use() {
        Some(serve(&dir, url, "second.log").await)
    } else {
        None
    };
    let token = owner_token(&first.base, boot).await;
    let stop = Arc::new(AtomicBool::new(false));
    let mut loads = vec![tokio::spawn(write_load(
        first.base.clone(),
        token.clone(),
        "a",
        stop.clone(),
    ))];
    if let Some(second) = &second {
        loads.push(tokio::spawn(write_load(
            second.base.clone(),
            token.clone(),
            "b",
            stop.clone(),
        )));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    kill(&mut first);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut restarted = serve(&dir, url, "restarted.log").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    stop.store(true, Ordering::Relaxed);
    let mut answered = 0;
    for load in loads {
        answered += load.await.unwrap();
    }
    assert!(answered > 50, "only {answered} organizations created");

    let committed = committed_event_ids(&dir, url, &root);
    assert!(
        committed.len() >= answered,
        "{} events for {answered} answers",
        committed.len()
    );
    // Deliveries the killed node had claimed wait for their lease (12 s here) to end.
    let delivered = await_all(&ledger, &committed, Duration::from_secs(40)).await;
    let missing = committed.difference(&delivered).count();
    if missing > 0 {
        let log = orghub(
            &dir,
            url,
            &[
                "hooks",
                "deliveries",
                hook["id"].as_str().unwrap(),
                "--limit",
                "0",
                "--json",
            ],
        );
        for attempt in log.as_array().unwrap() {
            if attempt["statusCode"] != 200
                || !committed
                    .difference(&delivered)
                    .all(|m| m != attempt["eventId"].as_str().unwrap())
            {
                eprintln!("{attempt}");
            }
        }
    }
    assert_eq!(
        missing,
        0,
        "{missing} of {} committed events never delivered",
        committed.len()
    );
    let extra: Vec<_> = delivered.difference(&committed).collect();
    assert!(
        extra.is_empty(),
        "delivered events that were never committed: {extra:?}"
    );
    assert!(
        !ledger.overlapped.load(Ordering::Relaxed),
        "one delivery was attempted twice at the same time"
    );
    let duplicates: usize = ledger.ids.lock().unwrap().values().map(|n| n - 1).sum();
    eprintln!(
        "{} events committed, {answered} answered, {} requests received, {duplicates} redelivered",
        committed.len(),
        ledger.requests.load(Ordering::Relaxed)
    );
    kill(&mut restarted);
    if let Some(mut second) = second {
        kill(&mut second);
    }
}
