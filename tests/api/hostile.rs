//! Slow, idle and too many clients, and connections left open at shutdown: the server runs
//! with short limits and is talked to over raw TCP, byte by byte where it matters.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use orghub::startup::ServeLimits;

use crate::helpers::TestApp;

const GET_HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: orghub\r\n\r\n";

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

fn limits(header: Duration, idle: Duration) -> ServeLimits {
    ServeLimits {
        header_timeout: header,
        idle_timeout: idle,
        ..ServeLimits::DEFAULT
    }
}

/// Reads until the server closes the connection; how long that took, or `None` if it was
/// still open after `patience`.
async fn closed_within(stream: &mut TcpStream, patience: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at(start + patience, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(start.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// Reads one response (head and `content-length` body); returns the head, lower-cased, and
/// the body. Panics if it takes more than `patience`.
async fn read_response(stream: &mut TcpStream, patience: Duration) -> (String, String) {
    tokio::time::timeout(patience, async {
        let mut bytes = Vec::new();
        let mut buf = [0u8; 4096];
        let head_end = loop {
            if let Some(at) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let read = stream.read(&mut buf).await.expect("a response");
            assert!(
                read > 0,
                "closed mid-response: {:?}",
                String::from_utf8_lossy(&bytes)
            );
            bytes.extend_from_slice(&buf[..read]);
        };
        let head = String::from_utf8_lossy(&bytes[..head_end]).to_lowercase();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length:"))
            .map_or(0, |value| value.trim().parse().expect("a length"));
        while bytes.len() < head_end + length {
            let read = stream.read(&mut buf).await.expect("a body");
            assert!(read > 0, "closed mid-body");
            bytes.extend_from_slice(&buf[..read]);
        }
        let body = String::from_utf8_lossy(&bytes[head_end..head_end + length]).into_owned();
        (head, body)
    })
    .await
    .expect("a response in time")
}

/// A connection that has had one request answered and is kept alive.
async fn kept_alive(app: &TestApp) -> TcpStream {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(GET_HEALTHZ).await.unwrap();
    let (head, body) = read_response(&mut stream, ms(5_000)).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_eq!(body, "ok");
    stream
}

/// A connection that sent `bytes` and stopped.
async fn stalled(app: &TestApp, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    stream
}

#[tokio::test]
async fn a_client_stalling_mid_request_line_or_headers_is_cut_off_at_the_header_timeout() {
    let header = ms(500);
    let app = TestApp::spawn_with_limits(limits(header, ms(30_000))).await;
    let mut line = stalled(&app, b"GET /heal").await;
    let mut headers = stalled(&app, b"GET /healthz HTTP/1.1\r\nHost: orghub\r\n").await;
    let (line, headers) = tokio::join!(
        closed_within(&mut line, header * 2),
        closed_within(&mut headers, header * 2)
    );
    for (what, lifetime) in [("request line", line), ("headers", headers)] {
        let lifetime = lifetime.unwrap_or_else(|| panic!("partial {what}: still open"));
        assert!(lifetime >= header - ms(100), "partial {what}: {lifetime:?}");
    }
}

/// A byte every 50 ms is no way to keep a connection: the head is due as a whole.
#[tokio::test]
async fn a_client_trickling_header_bytes_is_cut_off_at_the_header_timeout() {
    let header = ms(500);
    let app = TestApp::spawn_with_limits(limits(header, ms(30_000))).await;
    let stream = TcpStream::connect(app.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let trickle = tokio::spawn(async move {
        for byte in b"GET /healthz HTTP/1.1\r\nX-Slow: ".iter().cycle() {
            if writer.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(ms(50)).await;
        }
    });
    let start = Instant::now();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(header * 2, reader.read(&mut buf)).await;
    trickle.abort();
    assert!(
        matches!(read, Ok(Ok(0) | Err(_))),
        "still open after {:?}",
        start.elapsed()
    );
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_at_the_idle_timeout() {
    let idle = ms(500);
    let app = TestApp::spawn_with_limits(limits(ms(10_000), idle)).await;
    let mut stream = kept_alive(&app).await;
    let lifetime = closed_within(&mut stream, idle * 2)
        .await
        .expect("closed within twice the idle timeout");
    assert!(lifetime >= idle - ms(100), "{lifetime:?}");
}

/// Waiting for the next request is not stalling mid-headers: the idle timeout applies.
#[tokio::test]
async fn a_kept_alive_connection_may_wait_longer_than_the_header_timeout() {
    let header = ms(300);
    let app = TestApp::spawn_with_limits(limits(header, ms(10_000))).await;
    let mut stream = kept_alive(&app).await;
    tokio::time::sleep(header * 3).await;
    stream.write_all(GET_HEALTHZ).await.unwrap();
    let (head, body) = read_response(&mut stream, ms(5_000)).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_eq!(body, "ok");
}

#[tokio::test]
async fn beyond_max_connections_a_client_waits_until_a_slot_frees() {
    let app = TestApp::spawn_with_limits(ServeLimits {
        max_connections: 2,
        ..ServeLimits::DEFAULT
    })
    .await;
    let first = kept_alive(&app).await;
    let mut second = kept_alive(&app).await;
    // The kernel completes the handshake (the listen backlog); the server does not take it.
    let mut third = stalled(&app, GET_HEALTHZ).await;
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(ms(500), third.read(&mut buf)).await;
    assert!(early.is_err(), "the third connection was served: {early:?}");

    drop(first);
    let (head, body) = read_response(&mut third, ms(5_000)).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_eq!(body, "ok");
    // The second connection was kept all along.
    second.write_all(GET_HEALTHZ).await.unwrap();
    read_response(&mut second, ms(5_000)).await;
}

#[tokio::test]
async fn shutdown_with_idle_and_half_open_connections_ends_within_the_grace_time() {
    let grace = ms(1_000);
    let app = TestApp::spawn_with_limits(ServeLimits {
        header_timeout: ms(30_000),
        idle_timeout: ms(30_000),
        shutdown_grace: grace,
        ..ServeLimits::DEFAULT
    })
    .await;
    let mut idle = kept_alive(&app).await;
    let mut fresh = TcpStream::connect(app.addr).await.unwrap();
    let mut half_open = stalled(&app, b"GET /healthz HTTP/1.1\r\nHost: orghub\r\n").await;
    // The fresh connection is taken before the stop.
    tokio::time::sleep(ms(100)).await;

    let start = Instant::now();
    let stop = tokio::spawn(tokio::time::timeout(grace * 5, app.stop()));
    // Nothing is lost by closing these two at once.
    for (what, stream) in [("idle", &mut idle), ("fresh", &mut fresh)] {
        let lifetime = closed_within(stream, ms(500)).await;
        assert!(lifetime.is_some(), "the {what} connection is still open");
    }
    // The half-open one might yet become a request: it has the grace time.
    let lifetime = closed_within(&mut half_open, grace * 2)
        .await
        .expect("the half-open connection is closed");
    assert!(lifetime >= grace - ms(200), "{lifetime:?}");
    stop.await
        .unwrap()
        .expect("the server stops within the grace time");
    assert!(start.elapsed() < grace * 2, "{:?}", start.elapsed());
}

#[tokio::test]
async fn a_request_in_flight_at_shutdown_still_gets_its_answer() {
    let app = TestApp::spawn_with_limits(ServeLimits {
        shutdown_grace: ms(10_000),
        ..ServeLimits::DEFAULT
    })
    .await;
    let addr = app.addr;
    let body = serde_json::json!({
        "userId": crate::helpers::unknown_id(),
        "nonce": crate::helpers::fresh_nonce(),
        "hash": "0".repeat(64),
    })
    .to_string();
    let (start, rest) = body.split_at(body.len() / 2);
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /xponent/token HTTP/1.1\r\nHost: orghub\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(start.as_bytes()).await.unwrap();
    // The handler is waiting for the rest of the body.
    tokio::time::sleep(ms(200)).await;

    let stop = tokio::spawn(tokio::time::timeout(ms(5_000), app.stop()));
    // Once the server has stopped accepting, the shutdown is under way.
    let deadline = Instant::now() + ms(5_000);
    while TcpStream::connect(addr).await.is_ok() {
        assert!(Instant::now() < deadline, "the server still accepts");
        tokio::time::sleep(ms(20)).await;
    }
    stream.write_all(rest.as_bytes()).await.unwrap();
    let (head, body) = read_response(&mut stream, ms(5_000)).await;
    // The handler's own answer (the user does not exist), not a server error.
    assert!(head.starts_with("http/1.1 4"), "{head}");
    assert!(body.contains("\"metadata\""), "{body}");
    // The connection is not kept: the server is going away.
    assert!(head.contains("connection: close"), "{head}");
    assert!(closed_within(&mut stream, ms(1_000)).await.is_some());
    stop.await
        .unwrap()
        .expect("the server stops after answering");
}

/// CPU time the process `pid` has used (user and system), from /proc.
#[cfg(target_os = "linux")]
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("the process runs");
    // The fields after the command name: state is the first, utime the 12th, stime the 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .expect("a stat line")
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // USER_HZ is 100 on every Linux architecture.
    Duration::from_millis(ticks * 10)
}

/// Out of file descriptors, `accept` fails at once for as long as a client waits in the
/// backlog: retried without a pause it would spin a core and flood the log.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn out_of_file_descriptors_the_server_backs_off_and_recovers() {
    const LIMIT: usize = 48;
    const REFUSAL: &str = "cannot accept connections";
    let dir = tempfile::tempdir().unwrap();
    let mut server = crate::helpers::ServeProcess::spawn(
        dir.path(),
        "info",
        Some(&format!("ulimit -n {LIMIT}")),
    );
    let pid = server.pid();
    let lines = server.lines.take().unwrap();
    let (sender, mut log) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let address = server.address;

    // Two clients more than the server has descriptors left (about twenty are its own).
    let own = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    let mut clients = Vec::new();
    for _ in 0..LIMIT.saturating_sub(own) + 2 {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream.write_all(GET_HEALTHZ).await.unwrap();
        clients.push(stream);
    }
    let mut refusals = 0;
    tokio::time::timeout(ms(10_000), async {
        while let Some(line) = log.recv().await {
            if line.contains(REFUSAL) {
                refusals += 1;
                return;
            }
        }
    })
    .await
    .expect("the server runs out of descriptors");

    let before = cpu_time(pid);
    tokio::time::sleep(ms(1_000)).await;
    let used = cpu_time(pid) - before;
    assert!(
        used < ms(300),
        "{used:?} of CPU in a second out of descriptors"
    );

    // Descriptors freed, the client waiting last in the backlog is served.
    let mut last = clients.pop().unwrap();
    clients.clear();
    let (head, _) = read_response(&mut last, ms(5_000)).await;
    assert!(head.starts_with("http/1.1 200"), "{head}");

    server.terminate();
    let mut rest = Vec::new();
    while let Some(line) = log.recv().await {
        rest.push(line);
    }
    refusals += rest.iter().filter(|line| line.contains(REFUSAL)).count();
    // 10 ms doubling to 1 s: about eight in the second and a half out of descriptors.
    assert!(
        refusals <= 20,
        "{refusals} refusals logged:\n{}",
        rest.join("\n")
    );
}
