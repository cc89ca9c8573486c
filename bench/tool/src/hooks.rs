//! The hooks scenario: a webhook receiver on loopback, organizations created as fast as
//! `connections` clients can (events delivered per second, and whether delivery keeps up),
//! then one at a time (commit-to-delivery latency with an idle receiver).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::api::Xponent;

/// What the receiver has seen: how many deliveries, and when each organization's arrived.
#[derive(Default)]
struct Seen {
    deliveries: AtomicU64,
    arrivals: Mutex<HashMap<String, Instant>>,
    arrived: Notify,
}

async fn start_receiver(listen: SocketAddr) -> anyhow::Result<Arc<Seen>> {
    let seen = Arc::new(Seen::default());
    let shared = seen.clone();
    let app = axum::Router::new().fallback(move |body: Bytes| {
        let seen = shared.clone();
        async move {
            let at = Instant::now();
            seen.deliveries.fetch_add(1, Ordering::Relaxed);
            if let Ok(event) = serde_json::from_slice::<Value>(&body)
                && let Some(org) = event["data"]["id"].as_str()
            {
                seen.arrivals.lock().unwrap().insert(org.to_owned(), at);
                seen.arrived.notify_waiters();
            }
            ""
        }
    });
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(seen)
}

/// Creates organizations from `connections` clients for `seconds`; returns how many were
/// answered 200.
async fn write_for(client: &Xponent, prefix: &str, connections: usize, seconds: f64) -> u64 {
    let stop = Arc::new(AtomicBool::new(false));
    let created = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for worker in 0..connections {
        let (client, stop, created) = (client.clone(), stop.clone(), created.clone());
        let prefix = format!("{prefix}-{worker}");
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                if client
                    .create_org(&format!("{prefix}-{n}"), None)
                    .await
                    .is_ok()
                {
                    created.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = task.await;
    }
    created.load(Ordering::Relaxed)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub struct Plan<'a> {
    pub plain: &'a Xponent,
    pub hooked: &'a Xponent,
    pub tag: &'a str,
    pub listen: SocketAddr,
    pub connections: usize,
    pub seconds: f64,
    pub idle_count: usize,
}

pub async fn run(plan: Plan<'_>) -> anyhow::Result<Value> {
    let seen = start_receiver(plan.listen).await?;

    // The same load on a root without a hook: what writing costs without deliveries.
    let plain = write_for(
        plan.plain,
        &format!("{}-p", plan.tag),
        plan.connections,
        plan.seconds,
    )
    .await;
    eprintln!(
        "without a hook: {plain} organizations in {} s",
        plan.seconds
    );

    let started = Instant::now();
    let before = seen.deliveries.load(Ordering::Relaxed);
    let created = write_for(
        plan.hooked,
        &format!("{}-h", plan.tag),
        plan.connections,
        plan.seconds,
    )
    .await;
    let window = started.elapsed().as_secs_f64();
    let in_window = seen.deliveries.load(Ordering::Relaxed) - before;
    // The backlog left when the writes stop, delivered.
    let drain_started = Instant::now();
    while seen.deliveries.load(Ordering::Relaxed) - before < created
        && drain_started.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drain = drain_started.elapsed().as_secs_f64();
    let delivered = seen.deliveries.load(Ordering::Relaxed) - before;
    eprintln!(
        "with a hook: {created} organizations, {in_window} delivered while writing, {delivered} after {drain:.2} s more"
    );

    // One at a time, the receiver idle: from sending the request to the delivery's arrival
    // (an upper bound of commit to delivery).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut latencies = Vec::with_capacity(plan.idle_count);
    for n in 0..plan.idle_count {
        let sent = Instant::now();
        let id = plan
            .hooked
            .create_org(&format!("{}-i-{n}", plan.tag), None)
            .await?;
        let arrived = loop {
            let waiting = seen.arrived.notified();
            if let Some(at) = seen.arrivals.lock().unwrap().get(&id).copied() {
                break Some(at);
            }
            if tokio::time::timeout(Duration::from_secs(5), waiting)
                .await
                .is_err()
            {
                break None;
            }
        };
        match arrived {
            Some(at) => latencies.push(at.saturating_duration_since(sent).as_secs_f64() * 1000.0),
            None => anyhow::bail!("organization {id}'s event never arrived"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    latencies.sort_by(f64::total_cmp);
    Ok(json!({
        "connections": plan.connections,
        "seconds": plan.seconds,
        "withoutHook": { "created": plain, "perSecond": plain as f64 / plan.seconds },
        "withHook": {
            "created": created,
            "createdPerSecond": created as f64 / window,
            "deliveredWhileWriting": in_window,
            "deliveredPerSecondWhileWriting": in_window as f64 / window,
            "delivered": delivered,
            "drainSeconds": drain,
        },
        "idle": {
            "count": latencies.len(),
            "p50Ms": percentile(&latencies, 50.0),
            "p99Ms": percentile(&latencies, 99.0),
            "maxMs": latencies.last().copied().unwrap_or(0.0),
        },
    }))
}
