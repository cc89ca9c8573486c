//! Hooks: endpoints that receive an organization's events, signed (Standard Webhooks). The
//! management use cases (operator commands for now: no actor), and the bookkeeping of the
//! delivery worker (`crate::hooks`): claiming due deliveries, recording what became of them,
//! disabling an endpoint that has failed for five days.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::json;

use super::Services;
use super::error::{Invalid, ServiceError, ServiceResult};
use super::event_data;
use super::events::{Origin, event, event_json};
use crate::crypto::webhook;
use crate::domain::events::EventType;
use crate::domain::{Kind, Millis, PublicId, now_millis};
use crate::store::{
    AttemptRow, ClaimedDelivery, DeliveryOutcome, HookRow, NewHook, StoreResult, Tx,
};

/// Deliveries to one endpoint that one node makes at once, unless the hook says otherwise.
pub const DEFAULT_MAX_IN_FLIGHT: u32 = 16;

/// How long a rotated-out secret still signs, unless the operator says otherwise.
pub const DEFAULT_SECRET_OVERLAP: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// An endpoint that has failed every attempt for this long is disabled (as Svix does).
pub const DISABLE_AFTER: Millis = 5 * 24 * 60 * 60 * 1000;

/// Attempts of the delivery log per page.
pub const ATTEMPT_PAGE_SIZE: i64 = 100;

pub struct HookRequest {
    pub org: PublicId,
    pub url: String,
    /// Empty: every type.
    pub types: Vec<String>,
    pub include_descendants: bool,
    pub max_in_flight: Option<u32>,
}

/// A hook as an operator sees it: its URL in full, never its secret.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HookView {
    pub id: String,
    pub organization_id: String,
    pub url: String,
    /// Empty: every type.
    pub types: Vec<String>,
    pub include_descendants: bool,
    pub max_in_flight: i64,
    pub enabled: bool,
    pub failing_since: Option<Millis>,
    pub previous_secret_until: Option<Millis>,
    pub created_at: Millis,
}

/// A new hook and its signing secret, which is shown this once.
#[derive(Debug, Clone)]
pub struct HookCreated {
    pub hook: HookView,
    pub secret: String,
}

fn url_context(public_id: &str) -> String {
    format!("hooks.url:{public_id}")
}

fn secret_context(public_id: &str) -> String {
    format!("hooks.secret:{public_id}")
}

fn invalid(field: &'static str, reason: &str) -> ServiceError {
    ServiceError::Invalid(Invalid::Field {
        field,
        reason: reason.to_owned(),
    })
}

/// An http(s) URL with a host; returns its origin (scheme, host and port), which is all of it
/// that events show.
fn check_url(text: &str) -> ServiceResult<String> {
    let url = reqwest::Url::parse(text).map_err(|_| invalid("url", "must be an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("url", "must be http or https"));
    }
    let host = url
        .host_str()
        .ok_or_else(|| invalid("url", "must name a host"))?;
    Ok(match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    })
}

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
            .open_string(&row.url_sealed, &url_context(&row.public_id))?;
        let context = secret_context(&row.public_id);
        let mut secrets = vec![self.sealer.open_string(&row.secret_sealed, &context)?];
        if let (Some(previous), Some(until)) =
            (&row.previous_secret_sealed, row.previous_secret_until)
            && until > now
        {
            secrets.push(self.sealer.open_string(previous, &context)?);
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

    async fn hook_view(&self, row: &HookRow) -> ServiceResult<HookView> {
        Ok(HookView {
            id: row.public_id.clone(),
            organization_id: row.org_public_id.clone(),
            url: self
                .sealer
                .open_string(&row.url_sealed, &url_context(&row.public_id))?,
            types: self.store.read().hook_types(row.id).await?,
            include_descendants: row.include_descendants,
            max_in_flight: row.max_in_flight,
            enabled: row.enabled,
            failing_since: row.failing_since,
            previous_secret_until: row.previous_secret_until,
            created_at: row.created_at,
        })
    }

    /// The event of a change to a hook (its data shows the URL's origin only).
    fn hook_event(
        &self,
        origin: Origin<'_>,
        kind: EventType,
        row: &HookRow,
        types: &[String],
    ) -> ServiceResult<crate::store::NewEvent> {
        let url = self
            .sealer
            .open_string(&row.url_sealed, &url_context(&row.public_id))?;
        let endpoint = check_url(&url).unwrap_or_default();
        let org = super::events::EventOrg {
            id: row.org_id,
            public_id: row.org_public_id.clone(),
            path: row.org_path.clone(),
        };
        Ok(event(
            origin,
            kind,
            org,
            event_data::hook(row, &endpoint, types),
        ))
    }

    async fn find_hook(&self, tx: &mut Tx, id: &PublicId) -> ServiceResult<HookRow> {
        tx.exec()
            .hook_by_public_id(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                kind: Kind::Hook,
                id: id.to_string(),
            })
    }

    /// Creates a hook for an organization (`orghub hooks create`); its secret is returned
    /// once.
    pub async fn create_hook(&self, request: &HookRequest) -> ServiceResult<HookCreated> {
        check_url(&request.url)?;
        let mut types = Vec::with_capacity(request.types.len());
        for kind in &request.types {
            let kind = kind.trim();
            if kind == "*" {
                types.clear();
                break;
            }
            let known = EventType::parse(kind)
                .ok_or_else(|| invalid("types", &format!("'{kind}' is not an event type")))?;
            types.push(known.as_str().to_owned());
        }
        types.sort_unstable();
        types.dedup();
        let max_in_flight = request.max_in_flight.unwrap_or(DEFAULT_MAX_IN_FLIGHT);
        if max_in_flight == 0 {
            return Err(invalid("max-in-flight", "must be at least 1"));
        }
        let public_id = PublicId::new();
        let id_text = public_id.to_string();
        let secret = webhook::new_secret();
        let url_sealed = self.sealer.seal_str(&request.url, &url_context(&id_text))?;
        let secret_sealed = self.sealer.seal_str(&secret, &secret_context(&id_text))?;
        let now = now_millis();
        let mut tx = self.store.begin().await?;
        let org = super::orgs::find_org(tx.exec(), &request.org, Kind::Organization).await?;
        let id = tx
            .insert_hook(
                &NewHook {
                    public_id: &public_id,
                    org_id: org.id,
                    url_sealed: &url_sealed,
                    secret_sealed: &secret_sealed,
                    types: &types,
                    include_descendants: request.include_descendants,
                    max_in_flight: i64::from(max_in_flight),
                },
                now,
            )
            .await?;
        let row = tx
            .exec()
            .hook_by_id(id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the hook inserted above is gone"))?;
        let created = self.hook_event(Origin::Operator, EventType::HookCreated, &row, &types)?;
        tx.insert_event(created, now).await?;
        tx.commit().await?;
        Ok(HookCreated {
            hook: self.hook_view(&row).await?,
            secret,
        })
    }

    /// Every hook, or an organization's (`orghub hooks list`).
    pub async fn list_hooks(&self, org: Option<&PublicId>) -> ServiceResult<Vec<HookView>> {
        let org_id = match org {
            Some(id) => Some(
                super::orgs::find_org(self.store.read(), id, Kind::Organization)
                    .await?
                    .id,
            ),
            None => None,
        };
        let rows = self.store.read().hooks_list(org_id).await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in &rows {
            views.push(self.hook_view(row).await?);
        }
        Ok(views)
    }

    /// A new secret for the hook; the old one signs too for `overlap`. Returns the new one,
    /// shown once.
    pub async fn rotate_hook_secret(
        &self,
        id: &PublicId,
        overlap: std::time::Duration,
    ) -> ServiceResult<String> {
        let now = now_millis();
        let mut tx = self.store.begin().await?;
        let row = self.find_hook(&mut tx, id).await?;
        let secret = webhook::new_secret();
        let sealed = self
            .sealer
            .seal_str(&secret, &secret_context(&row.public_id))?;
        let until = now.saturating_add(i64::try_from(overlap.as_millis()).unwrap_or(i64::MAX));
        tx.rotate_hook_secret(row.id, &sealed, &row.secret_sealed, until, now)
            .await?;
        let types = tx.exec().hook_types(row.id).await?;
        let mut rotated =
            self.hook_event(Origin::Operator, EventType::HookSecretRotated, &row, &types)?;
        rotated.data["previousSecretUntil"] = json!(crate::domain::events::rfc3339(until));
        tx.insert_event(rotated, now).await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// Deletes a hook with its pending deliveries and its delivery log.
    pub async fn delete_hook(&self, id: &PublicId) -> ServiceResult<HookView> {
        let mut tx = self.store.begin().await?;
        let row = self.find_hook(&mut tx, id).await?;
        let view = self.hook_view(&row).await?;
        tx.delete_hook(row.id).await?;
        let deleted =
            self.hook_event(Origin::Operator, EventType::HookDeleted, &row, &view.types)?;
        tx.insert_event(deleted, now_millis()).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Enables a hook again (after it was disabled), or disables it; disabling fails its
    /// pending deliveries, which `replay_failed_deliveries` can send again.
    pub async fn set_hook_enabled(&self, id: &PublicId, enabled: bool) -> ServiceResult<HookView> {
        let now = now_millis();
        let mut tx = self.store.begin().await?;
        let row = self.find_hook(&mut tx, id).await?;
        if row.enabled != enabled {
            self.switch_hook(&mut tx, &row, enabled, Origin::Operator, now)
                .await?;
        }
        let row = self.find_hook(&mut tx, id).await?;
        tx.commit().await?;
        self.hook_view(&row).await
    }

    async fn switch_hook(
        &self,
        tx: &mut Tx,
        row: &HookRow,
        enabled: bool,
        origin: Origin<'_>,
        now: Millis,
    ) -> ServiceResult<()> {
        tx.set_hook_enabled(row.id, enabled, now).await?;
        let types = tx.exec().hook_types(row.id).await?;
        let kind = if enabled {
            EventType::HookEnabled
        } else {
            EventType::HookDisabled
        };
        let mut switched = self.hook_event(origin, kind, row, &types)?;
        switched.data["enabled"] = json!(enabled);
        tx.insert_event(switched, now).await?;
        Ok(())
    }

    /// The delivery log of a hook, newest attempt first, a page at a time.
    pub async fn hook_attempts(
        &self,
        id: &PublicId,
        before: Option<i64>,
    ) -> ServiceResult<Vec<AttemptRow>> {
        let row = self
            .store
            .read()
            .hook_by_public_id(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                kind: Kind::Hook,
                id: id.to_string(),
            })?;
        Ok(self
            .store
            .read()
            .hook_attempts(row.id, before, ATTEMPT_PAGE_SIZE)
            .await?)
    }

    /// Sends the event to the hook again, whatever became of its delivery; false when the
    /// hook never had that event.
    pub async fn replay_delivery(&self, hook: &PublicId, event: &PublicId) -> ServiceResult<bool> {
        let mut tx = self.store.begin_deliveries().await?;
        let row = self.find_hook(&mut tx, hook).await?;
        let Some(event) = tx.exec().event_by_public_id(event).await? else {
            return Ok(false);
        };
        let replayed = tx.replay_delivery(row.id, event.id, now_millis()).await?;
        tx.commit().await?;
        Ok(replayed)
    }

    /// Sends again every failed delivery of the hook whose event occurred at or after
    /// `since`; returns how many.
    pub async fn replay_failed_deliveries(
        &self,
        hook: &PublicId,
        since: Millis,
    ) -> ServiceResult<u64> {
        let mut tx = self.store.begin_deliveries().await?;
        let row = self.find_hook(&mut tx, hook).await?;
        let replayed = tx.replay_failed(row.id, since, now_millis()).await?;
        tx.commit().await?;
        Ok(replayed)
    }

    // The delivery worker's bookkeeping.

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
            .await?)
    }

    /// Claims up to the wanted number of due deliveries of each hook until `lease_until`, and
    /// makes them ready to send.
    pub async fn claim_deliveries(
        &self,
        wanted: &[(i64, usize)],
        now: Millis,
        lease_until: Millis,
    ) -> ServiceResult<Vec<DeliveryJob>> {
        let mut tx = self.store.begin_deliveries().await?;
        let mut claimed = Vec::new();
        for &(hook_id, count) in wanted {
            claimed.extend(
                tx.claim_deliveries(hook_id, now, count as i64, lease_until)
                    .await?,
            );
        }
        tx.commit().await?;
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
            .await?
            .into_iter()
            .map(|row| {
                let body = event_json(&row).to_string().into_bytes();
                (row.id, (row.public_id, Arc::new(body)))
            })
            .collect();
        let hook_ids: Vec<i64> = wanted.iter().map(|&(id, _)| id).collect();
        let mut hooks = HashMap::new();
        for row in self.store.read().hooks_by_ids(&hook_ids).await? {
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
        let mut tx = self.store.begin_deliveries().await?;
        tx.release_claims(&claims, now).await?;
        tx.commit().await?;
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
        let mut tx = self.store.begin_deliveries().await?;
        tx.record_outcomes(outcomes, now).await?;
        let mut failing = Vec::new();
        for (&hook_id, streak) in &streaks {
            match streak {
                None => tx.hook_succeeded(hook_id).await?,
                Some(at) => {
                    // A success earlier in the batch ended the streak: it starts again here.
                    let cleared = outcomes.iter().any(|o| o.hook_id == hook_id && o.succeeded);
                    if cleared {
                        tx.hook_succeeded(hook_id).await?;
                    }
                    tx.hook_failed(hook_id, *at).await?;
                    failing.push(hook_id);
                }
            }
        }
        let mut disabled = Vec::new();
        for hook in tx
            .exec()
            .hooks_failing_since(&failing, now - DISABLE_AFTER)
            .await?
        {
            let Some(row) = tx.exec().hook_by_id(hook.id).await? else {
                continue;
            };
            self.switch_hook(&mut tx, &row, false, Origin::System, now)
                .await?;
            disabled.push(row.public_id);
        }
        tx.commit().await?;
        Ok(disabled)
    }

    /// Deliveries pending (and due) and the age of the oldest, for the metrics line.
    pub async fn delivery_backlog(&self, now: Millis) -> StoreResult<crate::store::PendingSummary> {
        self.store.read().pending_summary(now).await
    }

    /// Events written by every node since the row `after`: (count, highest row id).
    pub async fn events_written_after(&self, after: i64) -> StoreResult<(i64, i64)> {
        self.store.read().events_after(after).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_http_with_a_host_and_events_show_their_origin_only() {
        assert_eq!(
            check_url("https://hooks.example/in?token=secret").unwrap(),
            "https://hooks.example"
        );
        assert_eq!(
            check_url("http://127.0.0.1:9000/x").unwrap(),
            "http://127.0.0.1:9000"
        );
        assert!(check_url("ftp://example/").is_err());
        assert!(check_url("not a url").is_err());
        assert!(check_url("file:///etc/passwd").is_err());
    }
}
