//! The delivery worker's bookkeeping (`crate::hooks` does the HTTP): finding and claiming
//! due deliveries, giving back those not attempted, recording what became of each attempt,
//! and disabling an endpoint that has failed every attempt for five days.

use anyhow::Context;
use std::collections::HashMap;
use std::sync::Arc;

use super::Services;
use super::error::ServiceResult;
use super::events::{Origin, event_json};
use super::hook_rules::{DISABLE_AFTER, secret_context, url_context};
use crate::crypto::webhook;
use crate::domain::Millis;
use crate::store::{ClaimedDelivery, DeliveryOutcome, HookRow, PendingSummary, StoreResult};

/// What the worker needs of a hook: where, and the keys that sign.
#[derive(Debug)]
pub struct OpenedHook {
    pub id: i64,
    pub public_id: String,
    pub url: String,
    pub keys: Vec<Vec<u8>>,
    pub max_in_flight: usize,
}

/// One claimed delivery, ready to send.
#[derive(Debug)]
pub struct DeliveryJob {
    pub delivery: ClaimedDelivery,
    /// The event's public id: the `webhook-id`, the same for every attempt.
    pub message_id: String,
    pub body: Arc<Vec<u8>>,
    pub hook: Arc<OpenedHook>,
}

impl Services {
    fn open_hook(&self, row: &HookRow, now: Millis) -> ServiceResult<OpenedHook> {
        let url = self
            .sealer
            .open_string(&row.url_sealed, url_context(&row.public_id))
            .context("opening a hook's URL")?;
        let context = secret_context(&row.public_id);
        let mut secrets = vec![
            self.sealer
                .open_string(&row.secret_sealed, context)
                .context("opening a hook's signing secret")?,
        ];
        if let (Some(previous), Some(until)) =
            (&row.previous_secret_sealed, row.previous_secret_until)
            && until > now
        {
            secrets.push(
                self.sealer
                    .open_string(previous, context)
                    .context("opening a hook's signing secret")?,
            );
        }
        let keys = secrets
            .iter()
            .map(|secret| webhook::secret_key(secret))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| anyhow::anyhow!("hook {} has a malformed secret", row.public_id))?;
        Ok(OpenedHook {
            id: row.id,
            public_id: row.public_id.clone(),
            url,
            keys,
            max_in_flight: row.max_in_flight.max(1) as usize,
        })
    }

    /// Hooks with deliveries due at `now` (those of `busy` left out): (hook, how many of the
    /// first `limit` due deliveries are its, its `max_in_flight`).
    pub async fn hooks_with_due_deliveries(
        &self,
        now: Millis,
        busy: &[i64],
        limit: usize,
    ) -> ServiceResult<Vec<(i64, i64, i64)>> {
        Ok(self
            .store
            .read()
            .hooks_with_due_deliveries(now, busy, limit as i64)
            .await
            .context("reading hooks with due deliveries")?)
    }

    /// Claims up to the wanted number of due deliveries of each hook until `lease_until`, and
    /// makes them ready to send.
    pub async fn claim_deliveries(
        &self,
        wanted: &[(i64, usize)],
        now: Millis,
        lease_until: Millis,
    ) -> ServiceResult<Vec<DeliveryJob>> {
        let mut tx = self
            .store
            .begin_deliveries()
            .await
            .context("starting a delivery transaction")?;
        let mut claimed = Vec::new();
        for &(hook_id, count) in wanted {
            claimed.extend(
                tx.claim_deliveries(hook_id, now, count as i64, lease_until)
                    .await
                    .context("claiming deliveries")?,
            );
        }
        tx.commit().await.context("committing delivery outcomes")?;
        if claimed.is_empty() {
            return Ok(Vec::new());
        }
        let mut event_ids: Vec<i64> = claimed.iter().map(|d| d.event_id).collect();
        event_ids.sort_unstable();
        event_ids.dedup();
        let events: HashMap<i64, (String, Arc<Vec<u8>>)> = self
            .store
            .read()
            .events_by_ids(&event_ids)
            .await
            .context("reading the events of deliveries")?
            .into_iter()
            .map(|row| {
                let body = event_json(&row).to_string().into_bytes();
                (row.id, (row.public_id, Arc::new(body)))
            })
            .collect();
        let hook_ids: Vec<i64> = wanted.iter().map(|&(id, _)| id).collect();
        let mut hooks = HashMap::new();
        for row in self
            .store
            .read()
            .hooks_by_ids(&hook_ids)
            .await
            .context("reading hooks")?
        {
            match self.open_hook(&row, now) {
                Ok(opened) => {
                    hooks.insert(row.id, Arc::new(opened));
                }
                // Its deliveries stay claimed and are tried again when the lease ends.
                Err(error) => {
                    tracing::error!(hook = %row.public_id, error = %error, "a hook cannot be opened")
                }
            }
        }
        Ok(claimed
            .into_iter()
            .filter_map(|delivery| {
                let (message_id, body) = events.get(&delivery.event_id)?.clone();
                let hook = hooks.get(&delivery.hook_id)?.clone();
                Some(DeliveryJob {
                    delivery,
                    message_id,
                    body,
                    hook,
                })
            })
            .collect())
    }

    /// Gives back claimed deliveries that were not attempted: due again at `now`.
    pub async fn release_deliveries(&self, jobs: &[DeliveryJob], now: Millis) -> ServiceResult<()> {
        let claims: Vec<(i64, i64)> = jobs
            .iter()
            .map(|job| (job.delivery.id, job.delivery.claims))
            .collect();
        let mut tx = self
            .store
            .begin_deliveries()
            .await
            .context("starting a delivery transaction")?;
        tx.release_claims(&claims, now)
            .await
            .context("giving deliveries back")?;
        tx.commit().await.context("committing delivery outcomes")?;
        Ok(())
    }

    /// Records attempts (at most `MAX_ROWS`), keeps each hook's failing streak, and disables
    /// the hooks that have now failed every attempt for `DISABLE_AFTER`, each with its
    /// `hook.disabled` event. Returns the public ids of those disabled.
    pub async fn record_delivery_outcomes(
        &self,
        outcomes: &[DeliveryOutcome],
        now: Millis,
    ) -> ServiceResult<Vec<String>> {
        if outcomes.is_empty() {
            return Ok(Vec::new());
        }
        // Each hook's streak as the batch leaves it: cleared by its last success, or started
        // by the first failure after it.
        let mut streaks: HashMap<i64, Option<Millis>> = HashMap::new();
        for outcome in outcomes {
            let streak = streaks.entry(outcome.hook_id).or_insert(None);
            if outcome.succeeded {
                *streak = None;
            } else if streak.is_none() {
                *streak = Some(outcome.attempted_at);
            }
        }
        let mut tx = self
            .store
            .begin_deliveries()
            .await
            .context("starting a delivery transaction")?;
        // Hooks first, in id order, then their deliveries: the order every transaction that
        // touches both takes (a replay locks its hook, then updates deliveries). Recording
        // the deliveries first let a replay and this deadlock on PostgreSQL.
        let mut streaks: Vec<(i64, Option<Millis>)> = streaks.into_iter().collect();
        streaks.sort_unstable_by_key(|&(hook_id, _)| hook_id);
        let mut failing = Vec::new();
        for &(hook_id, streak) in &streaks {
            match streak {
                None => tx
                    .hook_succeeded(hook_id)
                    .await
                    .context("recording a hook's success")?,
                Some(at) => {
                    // A success earlier in the batch ended the streak: it starts again here.
                    let cleared = outcomes.iter().any(|o| o.hook_id == hook_id && o.succeeded);
                    if cleared {
                        tx.hook_succeeded(hook_id)
                            .await
                            .context("recording a hook's success")?;
                    }
                    tx.hook_failed(hook_id, at)
                        .await
                        .context("recording a hook's failure")?;
                    failing.push(hook_id);
                }
            }
        }
        tx.record_outcomes(outcomes, now)
            .await
            .context("recording delivery outcomes")?;
        let mut disabled = Vec::new();
        for hook in tx
            .exec()
            .hooks_failing_since(&failing, now - DISABLE_AFTER)
            .await
            .context("reading hooks failing too long")?
        {
            // Locked: an operator's change of the hook waits for this one, or comes first.
            let Some(row) = tx
                .hook_by_id_locked(hook.id, crate::store::RowLock::Update)
                .await
                .context("reading and locking a hook")?
            else {
                continue;
            };
            self.switch_hook(&mut tx, &row, false, Origin::System, now)
                .await?;
            disabled.push(row.public_id);
        }
        tx.commit().await.context("committing delivery outcomes")?;
        Ok(disabled)
    }

    /// Deliveries pending (and due) and the age of the oldest, for the metrics line.
    pub async fn delivery_backlog(&self, now: Millis) -> StoreResult<PendingSummary> {
        self.store.read().pending_summary(now).await
    }

    /// Events written by every node since the row `after`: (count, highest row id).
    pub async fn events_written_after(&self, after: i64) -> StoreResult<(i64, i64)> {
        self.store.read().events_after(after).await
    }
}
