//! The delivery worker: one task that claims due deliveries and starts their attempts, a
//! task per attempt, and a recorder that writes outcomes in batches.
//!
//! Attempts respect two limits: `workers` in flight in all, and each hook's `max_in_flight`.
//! A claim takes up to `PREFETCH` times a hook's limit, so that a busy endpoint's next attempts
//! start as the previous ones end rather than after another trip to the database (on SQLite, a
//! wait for the write lock behind the writes of the faces); a prefetched delivery whose lease
//! would end before its attempt could is dropped unattempted, to be claimed again. A hook with
//! that many claimed is left out of the search for due deliveries, so one slow or dead
//! endpoint holds at most its own slots while the others' deliveries go on; its backlog waits
//! in the database, not in memory. The worker wakes when this process commits
//! an event with deliveries (an in-process notification), and otherwise every `poll` (retries
//! come due, other processes and nodes commit events).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rand::Rng;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

use super::client::{Attempt, HookClient};
use super::metrics::Metrics;
use super::schedule::next_delay;
use super::{Clock, HookSettings};
use crate::domain::Millis;
use crate::service::{DeliveryJob, Services};
use crate::store::{
    DELIVERY_FAILED, DELIVERY_PENDING, DELIVERY_SUCCEEDED, DeliveryOutcome, MAX_ROWS,
};

/// How long a stopping worker waits for the attempts in flight. Those cut short are made again
/// when their lease ends.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// How many of a hook's deliveries a claim takes, in multiples of its `max_in_flight`.
const PREFETCH: usize = 4;

/// How often the recorder tries to write a batch of outcomes before leaving it: its
/// deliveries are claimed and attempted again when their leases end.
const RECORD_TRIES: u32 = 5;

/// The running worker; `stop` ends it.
pub struct HookWorker {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
    pub metrics: Arc<Metrics>,
}

impl HookWorker {
    /// Stops claiming, waits a little for the attempts in flight, and records their outcomes.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        if let Err(error) = self.task.await {
            tracing::error!(error = %error, "the hook delivery worker failed");
        }
    }
}

/// Starts the worker on the current runtime.
pub fn spawn(services: Arc<Services>, settings: HookSettings) -> anyhow::Result<HookWorker> {
    let client = HookClient::new(settings.allow_private, settings.timeout)?;
    let metrics = Arc::new(Metrics::default());
    let (stop, stopped) = oneshot::channel();
    let (done_tx, done_rx) = mpsc::unbounded_channel();
    let worker = Worker {
        services,
        settings,
        client,
        metrics: metrics.clone(),
        in_flight: HashMap::new(),
        limits: HashMap::new(),
        total: 0,
        queued: HashMap::new(),
        queued_total: 0,
        attempts: JoinSet::new(),
        done_tx,
        done_rx,
    };
    let task = tokio::spawn(worker.run(stopped));
    Ok(HookWorker {
        stop,
        task,
        metrics,
    })
}

struct Worker {
    services: Arc<Services>,
    settings: HookSettings,
    client: HookClient,
    metrics: Arc<Metrics>,
    /// Attempts in flight per hook, and each hook's limit as last read.
    in_flight: HashMap<i64, usize>,
    limits: HashMap<i64, usize>,
    total: usize,
    /// Claimed deliveries waiting for a slot of their hook, with their lease's end.
    queued: HashMap<i64, VecDeque<(DeliveryJob, Millis)>>,
    queued_total: usize,
    attempts: JoinSet<()>,
    done_tx: mpsc::UnboundedSender<DeliveryOutcome>,
    done_rx: mpsc::UnboundedReceiver<DeliveryOutcome>,
}

impl Worker {
    async fn run(mut self, mut stopped: oneshot::Receiver<()>) {
        let wake = self.services.store().hook_deliveries_written();
        let (record_tx, record_rx) = mpsc::channel(MAX_ROWS * 4);
        let recorder = tokio::spawn(record(
            self.services.clone(),
            record_rx,
            self.settings.clock.clone(),
        ));
        let reporter = tokio::spawn(report(
            self.services.clone(),
            self.metrics.clone(),
            self.settings.clone(),
        ));
        let mut done = Vec::new();
        loop {
            if let Err(error) = self.claim().await {
                tracing::warn!(error = %error, "claiming hook deliveries failed");
            }
            tokio::select! {
                biased;
                _ = &mut stopped => break,
                _ = self.done_rx.recv_many(&mut done, MAX_ROWS) => {
                    self.finish(&mut done, &record_tx).await;
                }
                () = wake.notified() => {}
                () = tokio::time::sleep(self.settings.poll) => {}
            }
        }
        let grace = tokio::time::sleep(STOP_GRACE);
        tokio::pin!(grace);
        while self.total > 0 {
            tokio::select! {
                _ = self.done_rx.recv_many(&mut done, MAX_ROWS) => {
                    self.finish(&mut done, &record_tx).await;
                }
                () = &mut grace => break,
            }
        }
        self.attempts.abort_all();
        // Prefetched deliveries go back at once rather than when their leases end.
        let unattempted: Vec<DeliveryJob> = self
            .queued
            .drain()
            .flat_map(|(_, queue)| queue.into_iter().map(|(job, _)| job))
            .collect();
        if !unattempted.is_empty()
            && let Err(error) = self
                .services
                .release_deliveries(&unattempted, self.settings.clock.now())
                .await
        {
            tracing::warn!(error = %error, "giving back prefetched hook deliveries failed");
        }
        drop(record_tx);
        let _ = recorder.await;
        reporter.abort();
    }

    /// Claims due deliveries, up to `PREFETCH` times each hook's limit and the pool's, and
    /// starts what the limits allow.
    async fn claim(&mut self) -> anyhow::Result<()> {
        let room =
            (self.settings.workers * PREFETCH).saturating_sub(self.total + self.queued_total);
        if room == 0 {
            self.start_ready();
            return Ok(());
        }
        let now = self.settings.clock.now();
        let busy: Vec<i64> = self
            .limits
            .keys()
            .copied()
            .filter(|&hook| self.hook_room(hook) == 0)
            .collect();
        let due = self
            .services
            .hooks_with_due_deliveries(now, &busy, room.max(16))
            .await?;
        let mut wanted = Vec::with_capacity(due.len());
        let mut left = room;
        for (hook, count, limit) in due {
            let limit = usize::try_from(limit).unwrap_or(1).max(1);
            self.limits.insert(hook, limit);
            let take = self
                .hook_room(hook)
                .min(usize::try_from(count).unwrap_or(0))
                .min(left);
            if take > 0 {
                wanted.push((hook, take));
                left -= take;
            }
            if left == 0 {
                break;
            }
        }
        if !wanted.is_empty() {
            let lease_until = now + millis(self.settings.lease);
            let jobs = self
                .services
                .claim_deliveries(&wanted, now, lease_until)
                .await?;
            for job in jobs {
                self.queued
                    .entry(job.delivery.hook_id)
                    .or_default()
                    .push_back((job, lease_until));
                self.queued_total += 1;
            }
        }
        self.start_ready();
        Ok(())
    }

    /// How many more deliveries of `hook` a claim may take.
    fn hook_room(&self, hook: i64) -> usize {
        let limit = self.limits.get(&hook).copied().unwrap_or(1);
        let held = self.in_flight.get(&hook).copied().unwrap_or(0)
            + self.queued.get(&hook).map_or(0, VecDeque::len);
        (limit * PREFETCH).saturating_sub(held)
    }

    /// Starts the attempts of queued deliveries while their hooks and the pool have room.
    fn start_ready(&mut self) {
        let now = self.settings.clock.now();
        // An attempt started now must end, and be recorded, within the lease.
        let needed = millis(self.settings.timeout) + millis(self.settings.lease) / 4;
        let hooks: Vec<i64> = self.queued.keys().copied().collect();
        for hook in hooks {
            let limit = self.limits.get(&hook).copied().unwrap_or(1);
            while self.total < self.settings.workers
                && self.in_flight.get(&hook).copied().unwrap_or(0) < limit
            {
                let Some((job, lease_until)) =
                    self.queued.get_mut(&hook).and_then(VecDeque::pop_front)
                else {
                    break;
                };
                self.queued_total -= 1;
                if lease_until - now < needed {
                    // Claimed again when its lease ends; attempted then.
                    continue;
                }
                self.start(job);
            }
            if self.queued.get(&hook).is_some_and(VecDeque::is_empty) {
                self.queued.remove(&hook);
            }
        }
        self.metrics
            .in_flight
            .store(self.total as u64, Ordering::Relaxed);
    }

    fn start(&mut self, job: DeliveryJob) {
        *self.in_flight.entry(job.delivery.hook_id).or_default() += 1;
        self.total += 1;
        let client = self.client.clone();
        let clock = self.settings.clock.clone();
        let done = self.done_tx.clone();
        self.attempts.spawn(async move {
            let timestamp = crate::domain::now_millis() / 1000;
            let attempt = client.attempt(&job, timestamp).await;
            let _ = done.send(outcome(&job, &attempt, clock.now(), rand::rng().random()));
        });
    }

    /// Frees the slots of finished attempts and hands their outcomes to the recorder.
    async fn finish(
        &mut self,
        done: &mut Vec<DeliveryOutcome>,
        record_tx: &mpsc::Sender<DeliveryOutcome>,
    ) {
        while self.attempts.try_join_next().is_some() {}
        for outcome in done.drain(..) {
            if let Some(n) = self.in_flight.get_mut(&outcome.hook_id) {
                *n -= 1;
                if *n == 0 {
                    self.in_flight.remove(&outcome.hook_id);
                }
            }
            self.total = self.total.saturating_sub(1);
            let counter = match outcome.status {
                _ if outcome.succeeded => &self.metrics.succeeded,
                _ if outcome
                    .error
                    .as_deref()
                    .is_some_and(|e| e.starts_with("refused")) =>
                {
                    &self.metrics.refused
                }
                DELIVERY_PENDING => &self.metrics.retried,
                _ => &self.metrics.exhausted,
            };
            Metrics::add(counter);
            if record_tx.send(outcome).await.is_err() {
                tracing::error!("the hook delivery recorder stopped");
            }
        }
        self.start_ready();
    }
}

fn millis(duration: Duration) -> Millis {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// What an attempt makes of its delivery: succeeded, due again later, or failed for good.
fn outcome(job: &DeliveryJob, attempt: &Attempt, now: Millis, jitter: f64) -> DeliveryOutcome {
    let attempts = job.delivery.attempts + 1;
    let (status, next_attempt_at) = if attempt.succeeded {
        (DELIVERY_SUCCEEDED, now)
    } else {
        match next_delay(attempts, jitter) {
            Some(delay) => (DELIVERY_PENDING, now + millis(delay)),
            None => (DELIVERY_FAILED, now),
        }
    };
    let latency_ms = millis(attempt.latency);
    DeliveryOutcome {
        delivery_id: job.delivery.id,
        hook_id: job.delivery.hook_id,
        claims: job.delivery.claims,
        attempted_at: now - latency_ms,
        status_code: attempt.status_code.map(i64::from),
        latency_ms,
        response: attempt.response.clone(),
        error: attempt.error.clone(),
        succeeded: attempt.succeeded,
        status,
        next_attempt_at,
    }
}

/// Writes outcomes in batches: whatever has arrived while the last batch was written.
async fn record(
    services: Arc<Services>,
    mut outcomes: mpsc::Receiver<DeliveryOutcome>,
    clock: Arc<dyn Clock>,
) {
    let mut batch = Vec::with_capacity(MAX_ROWS);
    while outcomes.recv_many(&mut batch, MAX_ROWS).await > 0 {
        for tries in 1..=RECORD_TRIES {
            match services.record_delivery_outcomes(&batch, clock.now()).await {
                Ok(disabled) => {
                    for hook in disabled {
                        tracing::warn!(
                            hook = %hook,
                            "hook disabled: every attempt has failed for five days"
                        );
                    }
                    break;
                }
                Err(error) if tries < RECORD_TRIES => {
                    tracing::warn!(error = %error, "recording hook deliveries failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(error) => {
                    tracing::error!(
                        error = %error,
                        attempts = batch.len(),
                        "hook delivery outcomes lost: their deliveries are made again when their leases end"
                    );
                }
            }
        }
        batch.clear();
    }
}

/// The metrics line, every `metrics_every`.
async fn report(services: Arc<Services>, metrics: Arc<Metrics>, settings: HookSettings) {
    let mut last_event = match services.events_written_after(0).await {
        Ok((_, max)) => max,
        Err(_) => 0,
    };
    let mut every = tokio::time::interval(settings.metrics_every);
    every.tick().await;
    loop {
        every.tick().await;
        let now = settings.clock.now();
        let (written, max) = match services.events_written_after(last_event).await {
            Ok(answer) => answer,
            Err(error) => {
                tracing::warn!(error = %error, "reading hook metrics failed");
                continue;
            }
        };
        last_event = max;
        let backlog = services.delivery_backlog(now).await.unwrap_or_default();
        let (succeeded, retried, exhausted, refused) = metrics.take();
        tracing::info!(
            events_written = written,
            deliveries_pending = backlog.pending,
            deliveries_due = backlog.due,
            oldest_pending_age_s = backlog
                .oldest_created_at
                .map_or(0, |t| (now - t).max(0) / 1000),
            attempts_succeeded = succeeded,
            attempts_retried = retried,
            attempts_exhausted = exhausted,
            attempts_refused = refused,
            in_flight = metrics.in_flight.load(Ordering::Relaxed),
            "hook delivery metrics"
        );
    }
}
