//! A webhook receiver for the hook tests: a small axum server on loopback that records each
//! request and answers as told (a status, or never), and an independent Standard Webhooks
//! signature check (HMAC-SHA256 here, not orghub's code).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::mpsc;

/// What the receiver answers to one request.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    Status(u16),
    /// Never answers: the attempt times out.
    Hang,
}

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: std::time::Instant,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The `webhook-id`: the event's id.
    pub fn id(&self) -> String {
        self.header("webhook-id").to_owned()
    }
}

pub struct Receiver {
    pub addr: SocketAddr,
    received: mpsc::UnboundedReceiver<Received>,
    script: Arc<Mutex<VecDeque<Answer>>>,
    /// What it answers once the script is used up.
    otherwise: Arc<Mutex<Answer>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// A receiver answering 200 to everything.
    pub async fn start() -> Self {
        Self::answering(&[], Answer::Status(200)).await
    }

    /// Answers `script` in order, then `otherwise`.
    pub async fn answering(script: &[Answer], otherwise: Answer) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (sender, received) = mpsc::unbounded_channel();
        let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
        let otherwise = Arc::new(Mutex::new(otherwise));
        let (s, o) = (script.clone(), otherwise.clone());
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let (sender, script, otherwise) = (sender.clone(), s.clone(), o.clone());
            async move {
                let _ = sender.send(Received {
                    headers,
                    body,
                    at: std::time::Instant::now(),
                });
                let answer = script
                    .lock()
                    .unwrap()
                    .pop_front()
                    .unwrap_or(*otherwise.lock().unwrap());
                match answer {
                    Answer::Status(code) => (StatusCode::from_u16(code).unwrap(), "thanks"),
                    Answer::Hang => std::future::pending().await,
                }
            }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            received,
            script,
            otherwise,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hooks?token=receiver-credential", self.addr)
    }

    pub fn answer_from_now_on(&self, answer: Answer) {
        *self.otherwise.lock().unwrap() = answer;
    }

    /// The next request, waiting at most `within`.
    pub async fn next(&mut self, within: Duration) -> Option<Received> {
        tokio::time::timeout(within, self.received.recv())
            .await
            .ok()
            .flatten()
    }

    /// The next request, which must come within 10 s.
    pub async fn expect(&mut self) -> Received {
        self.next(Duration::from_secs(10))
            .await
            .expect("a delivery within 10 s")
    }

    /// `count` requests, each within 10 s of the previous.
    pub async fn expect_many(&mut self, count: usize) -> Vec<Received> {
        let mut all = Vec::with_capacity(count);
        for _ in 0..count {
            all.push(self.expect().await);
        }
        all
    }

    /// Nothing arrives within `within`.
    pub async fn expect_nothing(&mut self, within: Duration) {
        if let Some(request) = self.next(within).await {
            panic!(
                "unexpected delivery: {}",
                String::from_utf8_lossy(&request.body)
            );
        }
    }
}

/// The Standard Webhooks verification, written from the specification: the signed content is
/// `{webhook-id}.{webhook-timestamp}.{body}`, the key is the base64 after `whsec_`, and the
/// header holds space-separated `v1,<base64 HMAC-SHA256>` signatures, any of which may match.
/// The timestamp must be within five minutes of now.
pub fn verify(secret: &str, request: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
        .expect("base64");
    let id = request.header("webhook-id");
    let timestamp = request.header("webhook-timestamp");
    let Ok(seconds) = timestamp.parse::<i64>() else {
        return false;
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if (now - seconds).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(&request.body);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    request
        .header("webhook-signature")
        .split(' ')
        .filter_map(|signature| signature.strip_prefix("v1,"))
        .any(|signature| signature == expected)
}
