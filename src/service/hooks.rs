//! Hooks: endpoints that receive an organization's events, signed (Standard Webhooks). The
//! management use cases: operator commands for now (no actor). The delivery worker's
//! bookkeeping is in `deliveries.rs`.

use anyhow::Context;
use serde_json::json;

use super::actor::Access;
use super::error::{Invalid, ServiceError, ServiceResult};
use super::event_data;
use super::events::{Origin, event};
use super::hook_rules::{secret_context, url_context};
use super::lookup::{find_org, find_org_locked, lock_tenant};
use super::precondition::{self, Expect};
use super::quotas::Quota;
use super::{Services, Slice};
use crate::crypto::webhook;
use crate::domain::events::EventType;
use crate::domain::{Kind, Millis, OrgPath, PublicId, now_millis};
use crate::store::{AttemptRow, Exec, HookRow, NewHook, RowLock, Tx};

pub use super::hook_rules::DEFAULT_MAX_IN_FLIGHT;

/// How long a rotated-out secret still signs, unless the operator says otherwise.
pub const DEFAULT_SECRET_OVERLAP: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

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
    /// The row id: the key of a page's cursor, never shown.
    #[serde(skip)]
    pub row_id: i64,
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

fn invalid(field: &'static str, reason: &str) -> ServiceError {
    ServiceError::Invalid(Invalid::Hook {
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

impl Services {
    pub(super) async fn hook_view(&self, exec: Exec<'_>, row: &HookRow) -> ServiceResult<HookView> {
        Ok(HookView {
            row_id: row.id,
            id: row.public_id.clone(),
            organization_id: row.org_public_id.clone(),
            url: self
                .sealer
                .open_string(&row.url_sealed, url_context(&row.public_id))
                .context("opening a hook's URL")?,
            types: exec
                .hook_types(row.id)
                .await
                .context("reading a hook's event types")?,
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
            .open_string(&row.url_sealed, url_context(&row.public_id))
            .context("opening a hook's URL")?;
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

    /// The hook `id`, locked against a concurrent change or deletion (see `store::RowLock`).
    async fn find_hook(&self, tx: &mut Tx, id: &PublicId) -> ServiceResult<HookRow> {
        tx.hook_locked(id, RowLock::Update)
            .await
            .context("reading and locking a hook")?
            .ok_or_else(|| ServiceError::NotFound {
                kind: Kind::Hook,
                id: id.to_string(),
            })
    }

    /// The hook `id` for a change by `origin`, locked; an actor is authorized again on the
    /// locked row (its organization may have moved since the caller's first look), and
    /// `expect` is checked of the hook as it is now, so that no change made meanwhile is
    /// overwritten unseen.
    async fn hook_for_change(
        &self,
        tx: &mut Tx,
        origin: Origin<'_>,
        id: &PublicId,
        expect: Expect<'_, HookView>,
    ) -> ServiceResult<HookRow> {
        let row = self.find_hook(tx, id).await?;
        if let Origin::Actor(actor) = origin {
            let path = OrgPath::parse(&row.org_path).context("a hook's organization path")?;
            actor.authorize(Access::Administer, &path, Kind::Hook, id)?;
        }
        if expect.is_some() {
            let view = self.hook_view(tx.exec(), &row).await?;
            precondition::check(expect, &view, Kind::Hook, &row.public_id)?;
        }
        Ok(row)
    }

    /// Creates a hook for an organization (`orghub hooks create`); its secret is returned
    /// once.
    pub async fn create_hook(&self, request: &HookRequest) -> ServiceResult<HookCreated> {
        self.insert_hook(Origin::Operator, request).await
    }

    /// Creates a hook, by `origin` (who has been authorized).
    pub(super) async fn insert_hook(
        &self,
        origin: Origin<'_>,
        request: &HookRequest,
    ) -> ServiceResult<HookCreated> {
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
        let url_sealed = self
            .sealer
            .seal_str(&request.url, url_context(&id_text))
            .context("sealing a hook's URL")?;
        let secret_sealed = self
            .sealer
            .seal_str(&secret, secret_context(&id_text))
            .context("sealing a hook's secret")?;
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting a hook transaction")?;
        // Counted under the tenant's lock (see `quotas`); the organization locked against its
        // deletion until its hook is in.
        let seen = find_org(tx.exec(), &request.org, Kind::Organization).await?;
        let root_id = seen.path.root_id();
        lock_tenant(&mut tx, root_id).await?;
        let org =
            find_org_locked(&mut tx, &request.org, Kind::Organization, RowLock::KeyShare).await?;
        let hooks = tx
            .count_tenant_hooks(root_id)
            .await
            .context("counting a tenant's hooks")?;
        self.config.quotas.check(Quota::Hooks, hooks, 1)?;
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
            .await
            .context("storing a hook")?;
        let row = tx
            .exec()
            .hook_by_id(id)
            .await
            .context("reading a hook")?
            .ok_or_else(|| anyhow::anyhow!("the hook inserted above is gone"))?;
        let created = self.hook_event(origin, EventType::HookCreated, &row, &types)?;
        tx.insert_event(created, now)
            .await
            .context("writing a hook's event")?;
        tx.commit().await.context("committing a hook's change")?;
        Ok(HookCreated {
            hook: self.hook_view(self.store.read(), &row).await?,
            secret,
        })
    }

    /// Every hook, or an organization's (`orghub hooks list`).
    pub async fn list_hooks(
        &self,
        org: Option<&PublicId>,
        slice: Slice,
    ) -> ServiceResult<Vec<HookView>> {
        let org_id = match org {
            Some(id) => Some(
                find_org(self.store.read(), id, Kind::Organization)
                    .await?
                    .id,
            ),
            None => None,
        };
        let rows = self
            .store
            .read()
            .hooks_list(org_id, slice.after_id(), slice.row_limit())
            .await
            .context("listing hooks")?;
        let mut views = Vec::with_capacity(rows.len());
        for row in &rows {
            views.push(self.hook_view(self.store.read(), row).await?);
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
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting a hook transaction")?;
        let row = self.find_hook(&mut tx, id).await?;
        let secret = webhook::new_secret();
        let sealed = self
            .sealer
            .seal_str(&secret, secret_context(&row.public_id))
            .context("sealing a hook's secret")?;
        let until = now.saturating_add(i64::try_from(overlap.as_millis()).unwrap_or(i64::MAX));
        tx.rotate_hook_secret(row.id, &sealed, &row.secret_sealed, until, now)
            .await
            .context("rotating a hook's secret")?;
        let types = tx
            .exec()
            .hook_types(row.id)
            .await
            .context("reading a hook's event types")?;
        let mut rotated =
            self.hook_event(Origin::Operator, EventType::HookSecretRotated, &row, &types)?;
        rotated.data["previousSecretUntil"] = json!(crate::domain::events::rfc3339(until));
        tx.insert_event(rotated, now)
            .await
            .context("writing a hook's event")?;
        tx.commit().await.context("committing a hook's change")?;
        Ok(secret)
    }

    /// Deletes a hook with its pending deliveries and its delivery log.
    pub async fn delete_hook(&self, id: &PublicId) -> ServiceResult<HookView> {
        self.remove_hook(Origin::Operator, id, None).await
    }

    /// Deletes a hook, by `origin`, if `expect` holds of it as it is when locked.
    pub(super) async fn remove_hook(
        &self,
        origin: Origin<'_>,
        id: &PublicId,
        expect: Expect<'_, HookView>,
    ) -> ServiceResult<HookView> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting a hook transaction")?;
        let row = self.hook_for_change(&mut tx, origin, id, expect).await?;
        let view = self.hook_view(tx.exec(), &row).await?;
        tx.delete_hook(row.id).await.context("deleting a hook")?;
        let deleted = self.hook_event(origin, EventType::HookDeleted, &row, &view.types)?;
        tx.insert_event(deleted, now_millis())
            .await
            .context("writing a hook's event")?;
        tx.commit().await.context("committing a hook's change")?;
        Ok(view)
    }

    /// Enables a hook again (after it was disabled), or disables it; disabling fails its
    /// pending deliveries, which `replay_failed_deliveries` can send again.
    pub async fn set_hook_enabled(&self, id: &PublicId, enabled: bool) -> ServiceResult<HookView> {
        self.switch_hook_by(Origin::Operator, id, enabled, None)
            .await
    }

    /// Enables or disables a hook, by `origin`, if `expect` holds of it as it is when locked.
    pub(super) async fn switch_hook_by(
        &self,
        origin: Origin<'_>,
        id: &PublicId,
        enabled: bool,
        expect: Expect<'_, HookView>,
    ) -> ServiceResult<HookView> {
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting a hook transaction")?;
        let row = self.hook_for_change(&mut tx, origin, id, expect).await?;
        if row.enabled != enabled {
            self.switch_hook(&mut tx, &row, enabled, origin, now)
                .await?;
        }
        let row = self.find_hook(&mut tx, id).await?;
        let view = self.hook_view(tx.exec(), &row).await?;
        tx.commit().await.context("committing a hook's change")?;
        Ok(view)
    }

    pub(super) async fn switch_hook(
        &self,
        tx: &mut Tx,
        row: &HookRow,
        enabled: bool,
        origin: Origin<'_>,
        now: Millis,
    ) -> ServiceResult<()> {
        tx.set_hook_enabled(row.id, enabled, now)
            .await
            .context("enabling or disabling a hook")?;
        let types = tx
            .exec()
            .hook_types(row.id)
            .await
            .context("reading a hook's event types")?;
        let kind = if enabled {
            EventType::HookEnabled
        } else {
            EventType::HookDisabled
        };
        let mut switched = self.hook_event(origin, kind, row, &types)?;
        switched.data["enabled"] = json!(enabled);
        tx.insert_event(switched, now)
            .await
            .context("writing a hook's event")?;
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
            .await
            .context("reading a hook")?
            .ok_or_else(|| ServiceError::NotFound {
                kind: Kind::Hook,
                id: id.to_string(),
            })?;
        Ok(self
            .store
            .read()
            .hook_attempts(row.id, before, ATTEMPT_PAGE_SIZE)
            .await
            .context("reading a hook's attempts")?)
    }

    /// Sends the event to the hook again, whatever became of its delivery; false when the
    /// hook never had that event.
    pub async fn replay_delivery(&self, hook: &PublicId, event: &PublicId) -> ServiceResult<bool> {
        let mut tx = self
            .store
            .begin_deliveries()
            .await
            .context("starting a delivery transaction")?;
        let row = self.find_hook(&mut tx, hook).await?;
        let Some(event) = tx
            .exec()
            .event_by_public_id(event)
            .await
            .context("reading an event")?
        else {
            return Ok(false);
        };
        let replayed = tx
            .replay_delivery(row.id, event.id, now_millis())
            .await
            .context("replaying deliveries")?;
        tx.commit().await.context("committing a hook's change")?;
        Ok(replayed)
    }

    /// Sends again every failed delivery of the hook whose event occurred at or after
    /// `since`; returns how many.
    pub async fn replay_failed_deliveries(
        &self,
        hook: &PublicId,
        since: Millis,
    ) -> ServiceResult<u64> {
        let mut tx = self
            .store
            .begin_deliveries()
            .await
            .context("starting a delivery transaction")?;
        let row = self.find_hook(&mut tx, hook).await?;
        let replayed = tx
            .replay_failed(row.id, since, now_millis())
            .await
            .context("replaying deliveries")?;
        tx.commit().await.context("committing a hook's change")?;
        Ok(replayed)
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
