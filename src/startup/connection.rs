//! One client connection: HTTP/1.1 through hyper, under two clocks. A request's head must
//! arrive within the header timeout, counted from the accept for the first request and from
//! the first byte of each later one; a connection with no request in the application is
//! closed after the idle timeout without a byte either way. hyper 1's own
//! `header_read_timeout` starts as soon as a connection goes idle, so it cannot tell a
//! keep-alive connection waiting for its next request from a client stalling mid-headers.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::extract::Request;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;
use tower::{Service, ServiceExt};

/// The two clocks' limits.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timeouts {
    pub header: Duration,
    pub idle: Duration,
}

/// Serves one connection until the client closes it, a clock runs out, or the server stops
/// (`stopping` turns true): then requests in flight are answered and the connection closed.
pub(super) async fn serve_connection<S>(
    stream: TcpStream,
    peer: SocketAddr,
    app: S,
    timeouts: Timeouts,
    mut stopping: watch::Receiver<bool>,
) where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let clock = Arc::new(Clock::new(timeouts));
    let io = TokioIo::new(Watched {
        stream,
        clock: clock.clone(),
    });
    let service = {
        let clock = clock.clone();
        hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let in_flight = InFlight::start(&clock);
            let mut request = request.map(Body::new);
            // What axum's `into_make_service_with_connect_info` gives handlers (`ClientAddress`).
            request.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            async move {
                let response = app.oneshot(request).await;
                drop(in_flight);
                response
            }
        })
    };
    let mut http = hyper::server::conn::http1::Builder::new();
    // Our clock does its work (see the module's comment).
    http.header_read_timeout(None);
    let mut connection = pin!(http.serve_connection(io, service));
    let mut expired = pin!(clock.expired());
    let mut closing = false;
    loop {
        tokio::select! {
            ended = connection.as_mut() => {
                if let Err(error) = ended {
                    tracing::debug!(%peer, error = %error, "connection ended with an error");
                }
                return;
            }
            why = expired.as_mut() => {
                tracing::debug!(%peer, timeout = why, "closing a connection");
                return;
            }
            _ = stopping.wait_for(|stopping| *stopping), if !closing => {
                closing = true;
                // No byte came yet: nothing is lost by closing now.
                if clock.untouched() {
                    return;
                }
                // Answers the request in flight (or being read), then closes; an idle
                // keep-alive connection closes at once.
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Accepted, no byte yet: the first head is due a header timeout after `since`.
    Opened { since: Instant },
    /// Part of a request head has come; all of it is due a header timeout after `since`.
    Head { since: Instant },
    /// Requests in the application: their own time limit applies, not ours.
    Busy { requests: usize },
    /// Between requests, since the last answer or the last byte written.
    Idle { since: Instant },
}

/// What a connection is doing, as seen by its socket (`Watched`) and its service
/// (`InFlight`), and when it must be closed.
struct Clock {
    phase: Mutex<Phase>,
    /// Woken when a deadline appears or moves earlier.
    changed: Notify,
    timeouts: Timeouts,
}

impl Clock {
    fn new(timeouts: Timeouts) -> Self {
        Self {
            phase: Mutex::new(Phase::Opened {
                since: Instant::now(),
            }),
            changed: Notify::new(),
            timeouts,
        }
    }

    fn phase(&self) -> std::sync::MutexGuard<'_, Phase> {
        // Nothing can panic while the lock is held; a poisoned phase is still a phase.
        self.phase.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn received(&self) {
        let mut phase = self.phase();
        match *phase {
            Phase::Opened { since } => *phase = Phase::Head { since },
            Phase::Idle { .. } => {
                *phase = Phase::Head {
                    since: Instant::now(),
                };
                self.changed.notify_one();
            }
            Phase::Head { .. } | Phase::Busy { .. } => {}
        }
    }

    fn sent(&self) {
        // A client reading a long answer slowly is not idle.
        if let Phase::Idle { since } = &mut *self.phase() {
            *since = Instant::now();
        }
    }

    fn request_started(&self) {
        let mut phase = self.phase();
        *phase = match *phase {
            Phase::Busy { requests } => Phase::Busy {
                requests: requests + 1,
            },
            _ => Phase::Busy { requests: 1 },
        };
    }

    fn request_ended(&self) {
        let mut phase = self.phase();
        if let Phase::Busy { requests } = *phase {
            *phase = match requests {
                0 | 1 => {
                    self.changed.notify_one();
                    Phase::Idle {
                        since: Instant::now(),
                    }
                }
                more => Phase::Busy { requests: more - 1 },
            };
        }
    }

    fn untouched(&self) -> bool {
        matches!(*self.phase(), Phase::Opened { .. })
    }

    fn deadline(&self) -> Option<(Instant, &'static str)> {
        match *self.phase() {
            Phase::Opened { since } | Phase::Head { since } => {
                Some((since + self.timeouts.header, "header"))
            }
            Phase::Idle { since } => Some((since + self.timeouts.idle, "idle")),
            Phase::Busy { .. } => None,
        }
    }

    /// Completes when a deadline passes, with the timeout's name.
    async fn expired(&self) -> &'static str {
        loop {
            // Listening before looking, so a change in between is not missed.
            let mut changed = pin!(self.changed.notified());
            changed.as_mut().enable();
            match self.deadline() {
                Some((at, why)) if at <= Instant::now() => return why,
                Some((at, _)) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(at) => {}
                        () = changed => {}
                    }
                }
                None => changed.await,
            }
        }
    }
}

/// A request in the application, from its head's arrival to its answer (or its cancellation).
struct InFlight(Arc<Clock>);

impl InFlight {
    fn start(clock: &Arc<Clock>) -> Self {
        clock.request_started();
        Self(clock.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_ended();
    }
}

/// The client's socket, telling the clock of every byte that passes.
struct Watched {
    stream: TcpStream,
    clock: Arc<Clock>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.clock.received();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.clock.sent();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.clock.sent();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(header_ms: u64, idle_ms: u64) -> Arc<Clock> {
        Arc::new(Clock::new(Timeouts {
            header: Duration::from_millis(header_ms),
            idle: Duration::from_millis(idle_ms),
        }))
    }

    /// The deadline's name, and where it lies from `before` (when its clock started at the
    /// earliest) to `after` (at the latest).
    #[track_caller]
    fn assert_deadline(clock: &Clock, name: &str, from: Instant, to: Instant, timeout: u64) {
        let (at, why) = clock.deadline().expect("a deadline");
        assert_eq!(why, name);
        let timeout = Duration::from_millis(timeout);
        assert!(from + timeout <= at && at <= to + timeout, "{at:?}");
    }

    #[test]
    fn the_first_head_is_due_a_header_timeout_after_the_accept_not_its_first_byte() {
        let before = Instant::now();
        let clock = clock(10_000, 60_000);
        let after = Instant::now();
        std::thread::sleep(Duration::from_millis(20));
        clock.received();
        assert_deadline(&clock, "header", before, after, 10_000);
        assert!(!clock.untouched());
    }

    #[test]
    fn between_requests_the_idle_timeout_runs_until_the_first_byte_of_the_next() {
        let clock = clock(10_000, 60_000);
        assert!(clock.untouched());
        clock.received();
        let in_flight = InFlight::start(&clock);
        assert_eq!(clock.deadline(), None);
        let before = Instant::now();
        drop(in_flight);
        assert_deadline(&clock, "idle", before, Instant::now(), 60_000);

        // Writing the answer out is activity: the idle clock starts again.
        std::thread::sleep(Duration::from_millis(20));
        let before = Instant::now();
        clock.sent();
        assert_deadline(&clock, "idle", before, Instant::now(), 60_000);

        // The next request's first byte starts its header clock; later bytes do not.
        let before = Instant::now();
        clock.received();
        let after = Instant::now();
        std::thread::sleep(Duration::from_millis(20));
        clock.received();
        assert_deadline(&clock, "header", before, after, 10_000);
    }

    #[test]
    fn overlapping_requests_keep_the_connection_busy_until_the_last_ends() {
        let clock = clock(10_000, 60_000);
        let first = InFlight::start(&clock);
        let second = InFlight::start(&clock);
        drop(first);
        assert_eq!(clock.deadline(), None);
        drop(second);
        assert_eq!(clock.deadline().map(|(_, why)| why), Some("idle"));
    }

    #[tokio::test]
    async fn a_waiting_watchdog_sees_a_deadline_move_earlier() {
        let clock = clock(100, 60_000);
        clock.received();
        drop(InFlight::start(&clock));
        let watchdog = tokio::spawn({
            let clock = clock.clone();
            async move { clock.expired().await }
        });
        // The watchdog is asleep until the idle deadline, a minute away.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        clock.received();
        let why = tokio::time::timeout(Duration::from_secs(5), watchdog)
            .await
            .expect("the header deadline wakes the watchdog")
            .unwrap();
        assert_eq!(why, "header");
        assert!(started.elapsed() >= Duration::from_millis(100));
    }

    #[tokio::test]
    async fn a_request_in_the_application_has_no_deadline_of_ours() {
        let clock = clock(20, 20);
        clock.received();
        let in_flight = InFlight::start(&clock);
        let watchdog = tokio::spawn({
            let clock = clock.clone();
            async move { clock.expired().await }
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!watchdog.is_finished());
        drop(in_flight);
        assert_eq!(watchdog.await.unwrap(), "idle");
    }
}
