//! The accept loop: at most `max_connections` connections at once (beyond them clients wait
//! in the kernel's backlog, holding none of our file descriptors), each under the clocks of
//! `connection`, and a shutdown that stops accepting, lets requests in flight finish, and
//! after a grace time drops whatever remains.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::response::Response;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower::Service;

use super::connection::{Timeouts, serve_connection};

/// How long clients may take, and how many may be served at once (`orghub serve` flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// For a request's headers, from the accept (first request) or the request's first byte.
    pub header_timeout: Duration,
    /// For a keep-alive connection with nothing in flight to send its next request.
    pub idle_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// How long a shutdown waits for requests in flight before dropping every connection.
    pub shutdown_grace: Duration,
}

impl ServeLimits {
    pub const DEFAULT: Self = Self {
        header_timeout: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(60),
        max_connections: 10_000,
        shutdown_grace: Duration::from_secs(10),
    };
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// After a failed accept (out of file descriptors, say) the loop waits this long, doubling up
/// to `LAST_BACKOFF` while the failures last: retrying at once would spin a core.
const FIRST_BACKOFF: Duration = Duration::from_millis(10);
const LAST_BACKOFF: Duration = Duration::from_secs(1);

/// Serves `app` on `listener` until `shutdown` completes, then stops as the module says.
pub(super) async fn serve<S>(
    listener: TcpListener,
    app: S,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
) where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let timeouts = Timeouts {
        header: limits.header_timeout,
        idle: limits.idle_timeout,
    };
    let slots = Arc::new(Semaphore::new(
        limits.max_connections.clamp(1, Semaphore::MAX_PERMITS),
    ));
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    let mut backoff = FIRST_BACKOFF;
    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(ended) = connections.join_next(), if !connections.is_empty() => {
                if let Err(error) = ended
                    && error.is_panic()
                {
                    tracing::error!("a connection's task panicked");
                }
                continue;
            }
            accepted = accept_in_a_slot(&listener, &slots) => accepted,
        };
        match accepted {
            Ok((stream, peer, slot)) => {
                backoff = FIRST_BACKOFF;
                let app = app.clone();
                let stopping = stopping.clone();
                connections.spawn(async move {
                    serve_connection(stream, peer, app, timeouts, stopping).await;
                    drop(slot);
                });
            }
            // The client gave up before we took its connection: nothing of ours failed.
            Err(error) if is_connection_error(&error) => {
                tracing::debug!(error = %error, "a connection was gone before it was accepted");
            }
            Err(error) => {
                tracing::warn!(
                    error = %error,
                    retry_in_ms = backoff.as_millis() as u64,
                    "cannot accept connections"
                );
                tokio::select! {
                    biased;
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(LAST_BACKOFF);
            }
        }
    }
    // Clients still in the backlog are refused now rather than left waiting.
    drop(listener);
    tracing::info!(
        connections = connections.len(),
        "stopped accepting connections"
    );
    let _ = stop.send(true);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            connections = connections.len(),
            grace_secs = limits.shutdown_grace.as_secs_f64(),
            "the shutdown grace time is over: dropping the connections still open"
        );
        connections.shutdown().await;
    }
}

/// A slot first, then a connection: beyond the cap, clients wait in the kernel's backlog.
async fn accept_in_a_slot(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> io::Result<(TcpStream, SocketAddr, OwnedSemaphorePermit)> {
    let slot = slots
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| io::Error::other("the connection slots were closed"))?;
    let (stream, peer) = listener.accept().await?;
    Ok((stream, peer, slot))
}

fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
