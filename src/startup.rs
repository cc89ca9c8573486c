//! Building the application from its settings. `main` and the integration tests start orghub
//! the same way: `Application::build`, then `run_until_stopped`.

mod connection;
mod serve;

pub use serve::ServeLimits;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::crypto::{MasterKey, Sealer};
use crate::hooks::HookSettings;
use crate::http::{AppState, app};
use crate::service::{Limits, Quotas, ServiceConfig, Services};
use crate::store::{Location, Store};

/// Where the data lives and how secrets are sealed: what every command needs.
#[derive(Debug, Clone)]
pub struct DataSettings {
    pub data_dir: PathBuf,
    /// A `postgres://` URL; without it, SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// Base64 of 32 bytes; without it, `<data_dir>/master.key`.
    pub master_key: Option<String>,
    pub region: String,
    /// The longest a cached read is served (`service::ttl::READ_CACHE` unless a test wants
    /// another).
    pub read_cache_ttl: std::time::Duration,
    /// Limits on guessing and costly work (`Limits::default()` unless `serve` flags or a
    /// test say otherwise).
    pub limits: Limits,
    /// What one tenant (a root organization's tree) may hold.
    pub quotas: Quotas,
}

pub const SQLITE_FILE: &str = "orghub.sqlite3";

/// Opens the store (applying migrations) and the services over it.
pub async fn open_services(settings: &DataSettings) -> anyhow::Result<Services> {
    let master_key = MasterKey::load(settings.master_key.as_deref(), &settings.data_dir)?;
    let store = match settings.database_url.as_deref() {
        Some(url) => Store::open(Location::Postgres(url))
            .await
            .context("cannot open the PostgreSQL database")?,
        None => {
            crate::private_files::create_dir(&settings.data_dir).with_context(|| {
                format!(
                    "cannot create the data directory {}",
                    settings.data_dir.display()
                )
            })?;
            let file = settings.data_dir.join(SQLITE_FILE);
            Store::open(Location::SqliteFile(&file))
                .await
                .with_context(|| format!("cannot open the SQLite database {}", file.display()))?
        }
    };
    Services::new(
        store,
        Sealer::new(&master_key),
        ServiceConfig {
            region: settings.region.clone(),
            read_cache_ttl: settings.read_cache_ttl,
            limits: settings.limits.clone(),
            quotas: settings.quotas,
        },
    )
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
    limits: ServeLimits,
    hooks: HookSettings,
    /// Events older than this are pruned by the sweeper.
    events_retention_days: u32,
}

impl Application {
    /// Opens the data and binds the listener (port 0 picks a free port). The server has the
    /// default limits (`ServeLimits::DEFAULT`) unless given others with `with_limits`.
    pub async fn build(data: &DataSettings, listen: SocketAddr) -> anyhow::Result<Self> {
        let services = open_services(data).await?;
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        Ok(Self {
            listener,
            state: AppState {
                services: Arc::new(services),
                idos: Default::default(),
            },
            limits: ServeLimits::DEFAULT,
            hooks: HookSettings::default(),
            events_retention_days: crate::service::DEFAULT_RETENTION_DAYS,
        })
    }

    pub fn with_limits(mut self, limits: ServeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// How the hook delivery worker runs (`orghub serve --hooks-…`; tests).
    pub fn with_hooks(mut self, hooks: HookSettings) -> Self {
        self.hooks = hooks;
        self
    }

    /// How long events are kept (`orghub serve --events-retention-days`).
    pub fn with_events_retention(mut self, days: u32) -> Self {
        self.events_retention_days = days;
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener")
    }

    /// The idOS face's requests a minute per caller (`--idos-rate-limit`).
    pub fn with_idos_rate_limit(mut self, limit: u32) -> Self {
        self.state.idos.rate_limit = limit;
        self
    }

    pub fn services(&self) -> Arc<Services> {
        self.state.services.clone()
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight (for at most
    /// the shutdown grace time).
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let mut state = self.state;
        // idOS hook handshakes go through the delivery engine's client, with its rules on
        // which addresses hooks may reach.
        state.idos.handshake = Some(Arc::new(
            crate::hooks::HookClient::new(self.hooks.allow_private, self.hooks.timeout)
                .context("cannot build the hook handshake client")?,
        ));
        let services = state.services.clone();
        let sweeper = tokio::spawn(sweep_expired(services.clone(), self.events_retention_days));
        let hooks = crate::hooks::spawn(services.clone(), self.hooks.clone())
            .context("cannot start the hook delivery worker")?;
        let checkpointer = tokio::spawn(checkpoint_often(services.clone()));
        serve::serve(self.listener, app(state), self.limits, shutdown).await;
        sweeper.abort();
        hooks.stop().await;
        checkpointer.abort();
        services.store().close().await;
        Ok(())
    }
}

/// Expired tokens, external IDs and idempotency keys are refused already, and old sign-in
/// failures and full rates count for nothing: this only keeps the tables, the throttle and
/// the rate limiters from growing. Events past their retention go too, with their deliveries and delivery log.
async fn sweep_expired(services: Arc<Services>, events_retention_days: u32) {
    // The first sweep is a period after start, not at once: a server that has just started
    // has nothing to sweep, and should not hold the write lock while a CLI command starts.
    let period = std::time::Duration::from_secs(600);
    let mut every = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        every.tick().await;
        match services.purge_expired_tokens().await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired tokens removed"),
            Err(error) => tracing::warn!(error = %error, "removing expired tokens failed"),
        }
        if let Err(error) = services.purge_expired_external_ids().await {
            tracing::warn!(error = %error, "removing expired external IDs failed");
        }
        match services.purge_idempotency_keys().await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "idempotency keys past their 24 hours removed"),
            Err(error) => tracing::warn!(error = %error, "removing old idempotency keys failed"),
        }
        services.prune_sign_in_throttle();
        services.prune_token_rates();
        match services.prune_events(events_retention_days).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "events past their retention removed"),
            Err(error) => tracing::warn!(error = %error, "removing old events failed"),
        }
    }
}

/// Keeps the SQLite write-ahead log short without making a writer checkpoint: a busy writer
/// adds tens of megabytes a second, and a commit checkpoints by itself past 40 MB.
async fn checkpoint_often(services: Arc<Services>) {
    let mut every = tokio::time::interval(std::time::Duration::from_millis(100));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if let Err(error) = services.store().checkpoint().await.map(drop) {
            tracing::warn!(error = %error, "checkpointing the write-ahead log failed");
        }
    }
}

/// Completes on SIGINT or SIGTERM. The handlers are installed by this call, not when the
/// future is first polled: a signal sent as soon as "orghub is listening" is logged then stops
/// the server cleanly instead of killing the process.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let (interrupt, terminate) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        )
    };
    async move {
        #[cfg(unix)]
        {
            // A handler that could not be installed leaves the default action to that signal.
            async fn received(signal: std::io::Result<tokio::signal::unix::Signal>) {
                match signal {
                    Ok(mut signal) => {
                        signal.recv().await;
                    }
                    Err(_) => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = received(interrupt) => {},
                () = received(terminate) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutdown requested: finishing requests in flight");
    }
}
