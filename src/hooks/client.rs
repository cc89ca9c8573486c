//! One delivery attempt: an HTTP POST of the event, signed, to the hook's URL, with no
//! redirects, no proxy, a time limit, and only allowed addresses (see `address.rs`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{CONTENT_TYPE, HeaderValue};

use super::address::is_public;
use crate::crypto::webhook;
use crate::service::idos::HookHandshake;
use crate::service::{DeliveryJob, HandshakeFailure};

/// How long an idOS hook's handshake waits for its answer.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// What is read of a response body at most: enough for the log, and small bodies are drained
/// so that the connection can be used again. A longer body is cut off (and its connection
/// dropped).
const MAX_RESPONSE_BYTES: usize = 4 * 1024;

/// What the log keeps of a response body.
const LOGGED_RESPONSE_BYTES: usize = 256;

/// What became of one attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub status_code: Option<u16>,
    pub latency: Duration,
    /// The first bytes of the response body, as lossy UTF-8.
    pub response: Option<String>,
    /// Why the attempt failed when it got no answer, or a redirect; never the URL.
    pub error: Option<String>,
    pub succeeded: bool,
}

/// Resolves a host name and keeps the addresses a hook may reach. The connection is made to
/// one of those, so the check holds for the address actually used.
#[derive(Debug, Clone, Copy)]
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|addr| allow_private || is_public(addr.ip()))
                .collect();
            if allowed.is_empty() && !found.is_empty() {
                return Err(REFUSED.into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

const REFUSED: &str = "refused: the host's address is not public (loopback, private, \
                       link-local or reserved); see --hooks-allow-private";

/// The HTTP client of the delivery worker: one for every hook (connections are pooled per
/// host).
#[derive(Clone)]
pub struct HookClient {
    http: reqwest::Client,
    allow_private: bool,
    timeout: Duration,
}

impl HookClient {
    pub fn new(allow_private: bool, timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the hook's host itself, out of reach of the address check.
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .dns_resolver(Arc::new(GuardedResolver { allow_private }))
            .user_agent(concat!("orghub-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            allow_private,
            timeout,
        })
    }

    /// POSTs the job's event, signed with each of the hook's keys at `timestamp` (seconds).
    pub async fn attempt(&self, job: &DeliveryJob, timestamp: i64) -> Attempt {
        let started = Instant::now();
        let failed = |error: String| Attempt {
            status_code: None,
            latency: started.elapsed(),
            response: None,
            error: Some(error),
            succeeded: false,
        };
        let url = match reqwest::Url::parse(&job.hook.url) {
            Ok(url) => url,
            Err(_) => return failed("the hook's URL does not parse".into()),
        };
        // An address written in the URL is not resolved, so the resolver does not see it.
        if let Some(ip) = literal_ip(&url)
            && !(self.allow_private || is_public(ip))
        {
            return failed(REFUSED.into());
        }
        let signature =
            webhook::signature_header(&job.hook.keys, &job.message_id, timestamp, &job.body);
        let request = self
            .http
            .post(url)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header("webhook-id", job.message_id.as_str())
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(job.body.as_ref().clone());
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => return failed(describe(error, self.timeout)),
        };
        let status = response.status();
        let mut body = Vec::new();
        // The answer counts from its status; the body is read within what is left of the
        // time limit (reqwest's timeout covers it), and only so far.
        while body.len() < MAX_RESPONSE_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) | Err(_) => break,
            }
        }
        body.truncate(LOGGED_RESPONSE_BYTES);
        let succeeded = status.is_success();
        Attempt {
            status_code: Some(status.as_u16()),
            latency: started.elapsed(),
            response: (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned()),
            error: status
                .is_redirection()
                .then(|| format!("redirect ({}) not followed", status.as_u16())),
            succeeded,
        }
    }
}

/// The idOS hook handshake: `GET url` must answer 204 within `HANDSHAKE_TIMEOUT`, through the
/// same client as deliveries (no redirects, no proxy, only the addresses hooks may reach).
impl HookHandshake for HookClient {
    fn handshake<'a>(
        &'a self,
        url: &'a str,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<(), HandshakeFailure>> + Send + 'a>,
    > {
        Box::pin(async move {
            let url = reqwest::Url::parse(url).map_err(|_| HandshakeFailure::Unreachable)?;
            if let Some(ip) = literal_ip(&url)
                && !(self.allow_private || is_public(ip))
            {
                return Err(HandshakeFailure::AddressRefused);
            }
            match self.http.get(url).timeout(HANDSHAKE_TIMEOUT).send().await {
                Ok(response) if response.status() == reqwest::StatusCode::NO_CONTENT => Ok(()),
                Ok(response) => Err(HandshakeFailure::Status(response.status().as_u16())),
                Err(error) if error.is_timeout() => Err(HandshakeFailure::TimedOut {
                    secs: HANDSHAKE_TIMEOUT.as_secs(),
                }),
                Err(error) if refused_by_resolver(&error) => Err(HandshakeFailure::AddressRefused),
                Err(_) => Err(HandshakeFailure::Unreachable),
            }
        })
    }
}

/// The address a URL names instead of a host name (`http://10.0.0.1/`, `http://[::1]/`).
fn literal_ip(url: &reqwest::Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse().ok()
}

/// True when the guarded resolver refused the request's host.
fn refused_by_resolver(error: &reqwest::Error) -> bool {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(cause) = source {
        if cause.to_string().contains(REFUSED) {
            return true;
        }
        source = cause.source();
    }
    false
}

/// Why a request got no answer, without its URL (which may carry a credential).
fn describe(error: reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        return format!("timed out after {} s", timeout.as_secs_f64());
    }
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_written_in_urls_are_found() {
        let ip = |url: &str| literal_ip(&reqwest::Url::parse(url).unwrap());
        assert_eq!(
            ip("http://127.0.0.1:8080/x"),
            Some("127.0.0.1".parse().unwrap())
        );
        assert_eq!(ip("http://[::1]/"), Some("::1".parse().unwrap()));
        assert_eq!(
            ip("http://[::ffff:a9fe:a9fe]/"),
            Some("::ffff:169.254.169.254".parse().unwrap())
        );
        assert_eq!(ip("https://hooks.example/"), None);
        // Other spellings of an IPv4 address are normalized by the URL parser.
        assert_eq!(ip("http://2130706433/"), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(ip("http://0x7f.1/"), Some("127.0.0.1".parse().unwrap()));
    }
}
