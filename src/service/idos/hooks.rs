//! Hooks of a credential: views over orghub's events engine. An idOS hook is a hook of the
//! engine (`hooks`) of the credential's company that wants one event type (its `trigger`) and
//! is enabled while `subscribed`; `idos_hooks` says which credential it belongs to. It gets the
//! events of the company and of the companies below it, as every hook of the engine does by
//! default and as the company's owners see them: `company.create` fires for a new child
//! company. Its deliveries are the engine's: signed (Standard Webhooks), retried,
//! logged. Creating or changing one first checks the URL answers `GET` with `204 No Content`
//! (the handshake, made by the engine's guarded client); nothing is stored when it does not.

use std::future::Future;
use std::pin::Pin;

use anyhow::Context;
use serde_json::json;

use super::{company_for, credential_of, idos_invalid};
use crate::crypto::webhook;
use crate::domain::events::EventType;
use crate::domain::{Kind, Millis, PublicId, TextProblem, now_millis};
use crate::service::Services;
use crate::service::actor::{Access, Actor};
use crate::service::error::{
    HandshakeFailure, IdosInvalid, Invalid, ServiceError, ServiceResult, TextField,
};
use crate::service::event_data;
use crate::service::events::{EventOrg, Origin, event};
use crate::service::hook_rules::{DEFAULT_MAX_IN_FLIGHT, secret_context, url_context};
use crate::service::lookup::{find_org_locked, lock_tenant};
use crate::service::quotas::Quota;
use crate::store::{CredentialRow, HookRow, NewEvent, NewHook, RowLock, Tx};

/// Makes the handshake: `GET url`, which must answer 204 in time, without redirects and only
/// to addresses hooks may reach. The delivery engine's client implements it
/// (`hooks::HookClient`); the use cases only ask for it.
pub trait HookHandshake: Send + Sync {
    fn handshake<'a>(
        &'a self,
        url: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<(), HandshakeFailure>> + Send + 'a>>;
}

/// The catalog's type for `trigger`: itself, or the idOS form of it (`company.create` is
/// `organization.created`, `company.member.update` is `user.updated`,
/// `company.credential.delete` is `credential.deleted`). `None` when it names no type of the
/// catalog.
pub fn canonical_trigger(trigger: &str) -> Option<EventType> {
    let trigger = trigger.trim().to_ascii_lowercase();
    let (noun, verb) = trigger.rsplit_once('.')?;
    let noun = match noun {
        "company" => "organization",
        "company.member" | "member" => "user",
        other => other.strip_prefix("company.").unwrap_or(other),
    };
    let verb = match verb {
        "create" => "created",
        "update" => "updated",
        "delete" => "deleted",
        other => other,
    };
    EventType::parse(&format!("{noun}.{verb}"))
}

#[derive(Debug, Clone)]
pub struct Hook {
    pub id: i64,
    pub trigger: String,
    pub url: String,
    pub subscribed: bool,
    /// The signing secret (`whsec_…`): only when just created.
    pub secret: Option<String>,
    pub created_at: Millis,
    /// `None` until it has changed.
    pub updated_at: Option<Millis>,
}

/// What a request sets; on update, what is absent stays.
#[derive(Debug, Default)]
pub struct HookInput {
    pub trigger: Option<String>,
    pub url: Option<String>,
    pub subscribed: Option<bool>,
}

/// The longest hook URL: what browsers and most servers accept, far more than a receiver's
/// endpoint needs.
const MAX_URL_CHARS: usize = 2_048;

/// An absolute http(s) URL with a host, and its origin (scheme, host and port): all of it that
/// events show, as a path or query may carry a credential.
fn check_url(text: &str) -> ServiceResult<(String, String)> {
    let text = text.trim();
    if text.chars().count() > MAX_URL_CHARS {
        return Err(ServiceError::Invalid(Invalid::Text {
            field: TextField::Url,
            problem: TextProblem::TooLong { max: MAX_URL_CHARS },
        }));
    }
    let invalid = || {
        idos_invalid(IdosInvalid::Url {
            value: text.to_owned(),
        })
    };
    let url = reqwest::Url::parse(text).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid());
    }
    let host = url.host_str().ok_or_else(invalid)?;
    let origin = match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    };
    Ok((text.to_owned(), origin))
}

fn trigger_type(trigger: &str) -> ServiceResult<EventType> {
    canonical_trigger(trigger).ok_or_else(|| {
        idos_invalid(IdosInvalid::Trigger {
            value: trigger.to_owned(),
        })
    })
}

fn hook_not_found(id: i64) -> ServiceError {
    ServiceError::NotFound {
        kind: Kind::Hook,
        id: id.to_string(),
    }
}

/// The event of a change to an idOS hook: the engine's hook data, with its credential.
fn hook_event(
    actor: &Actor,
    kind: EventType,
    row: &HookRow,
    origin: &str,
    trigger: &str,
    credential: &CredentialRow,
) -> NewEvent {
    let types = [trigger.to_owned()];
    let mut data = event_data::hook(row, origin, &types);
    data["credentialPublicKey"] = json!(credential.public_key);
    let org = EventOrg {
        id: row.org_id,
        public_id: row.org_public_id.clone(),
        path: row.org_path.clone(),
    };
    event(Origin::Actor(actor), kind, org, data)
}

impl Services {
    /// The hook as idOS shows it: its URL opened, its one type.
    async fn idos_hook_view(
        &self,
        exec: crate::store::Exec<'_>,
        row: &HookRow,
    ) -> ServiceResult<Hook> {
        let url = self
            .sealer
            .open_string(&row.url_sealed, url_context(&row.public_id))
            .context("opening a hook's URL")?;
        let trigger = exec
            .hook_types(row.id)
            .await
            .context("reading a hook's event types")?
            .into_iter()
            .next()
            .unwrap_or_default();
        Ok(Hook {
            id: row.id,
            trigger,
            url,
            subscribed: row.enabled,
            secret: None,
            created_at: row.created_at,
            updated_at: (row.updated_at > row.created_at).then_some(row.updated_at),
        })
    }

    /// The hook `id` of `credential`; any other hook is not found.
    async fn idos_hook_of(
        &self,
        exec: crate::store::Exec<'_>,
        credential: &CredentialRow,
        id: i64,
    ) -> ServiceResult<HookRow> {
        exec.idos_hook_of_credential(credential.id, id)
            .await
            .context("reading a hook")?
            .ok_or_else(|| hook_not_found(id))
    }

    pub async fn idos_hooks(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
    ) -> ServiceResult<Vec<Hook>> {
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        let credential = credential_of(self.store.read(), &company, public_key).await?;
        let ids = self
            .store
            .read()
            .idos_hook_ids(credential.id)
            .await
            .context("reading a credential's hooks")?;
        let mut rows = self
            .store
            .read()
            .hooks_by_ids(&ids)
            .await
            .context("reading a credential's hooks")?;
        rows.sort_by_key(|row| row.id);
        let mut hooks = Vec::with_capacity(rows.len());
        for row in &rows {
            hooks.push(self.idos_hook_view(self.store.read(), row).await?);
        }
        Ok(hooks)
    }

    pub async fn idos_hook(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
        id: i64,
    ) -> ServiceResult<Hook> {
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        let credential = credential_of(self.store.read(), &company, public_key).await?;
        let row = self
            .idos_hook_of(self.store.read(), &credential, id)
            .await?;
        self.idos_hook_view(self.store.read(), &row).await
    }

    /// A new hook of the credential; its signing secret is returned this once.
    pub async fn idos_create_hook(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
        input: HookInput,
        handshake: &dyn HookHandshake,
    ) -> ServiceResult<Hook> {
        let trigger = input
            .trigger
            .as_deref()
            .ok_or_else(|| idos_invalid(IdosInvalid::Missing { field: "trigger" }))?;
        let trigger = trigger_type(trigger)?;
        let url = input
            .url
            .as_deref()
            .ok_or_else(|| idos_invalid(IdosInvalid::Missing { field: "url" }))?;
        let (url, origin) = check_url(url)?;
        // Who may, and on what, before calling anyone's URL.
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        credential_of(self.store.read(), &company, public_key).await?;
        handshake
            .handshake(&url)
            .await
            .map_err(|failure| idos_invalid(IdosInvalid::Handshake(failure)))?;

        let hook_id = PublicId::new();
        let id_text = hook_id.to_string();
        let secret = webhook::new_secret();
        let url_sealed = self
            .sealer
            .seal_str(&url, url_context(&id_text))
            .context("sealing a hook's URL")?;
        let secret_sealed = self
            .sealer
            .seal_str(&secret, secret_context(&id_text))
            .context("sealing a hook's secret")?;
        let types = [trigger.as_str().to_owned()];
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create a hook")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        // Counted under the tenant's lock (see `quotas`), as every hook; the company locked
        // against its deletion until its hook is in.
        let root_id = company.path.root_id();
        lock_tenant(&mut tx, root_id).await?;
        find_org_locked(
            &mut tx,
            &company.public_id,
            Kind::Organization,
            RowLock::KeyShare,
        )
        .await?;
        let hooks = tx
            .count_tenant_hooks(root_id)
            .await
            .context("counting a tenant's hooks")?;
        self.config.quotas.check(Quota::Hooks, hooks, 1)?;
        let credential = credential_of(tx.exec(), &company, public_key).await?;
        let id = tx
            .insert_hook(
                &NewHook {
                    public_id: &hook_id,
                    org_id: company.id,
                    url_sealed: &url_sealed,
                    secret_sealed: &secret_sealed,
                    types: &types,
                    include_descendants: true,
                    max_in_flight: i64::from(DEFAULT_MAX_IN_FLIGHT),
                },
                now,
            )
            .await
            .context("storing a hook")?;
        tx.insert_idos_hook(id, credential.id)
            .await
            .context("storing a hook's credential")?;
        if input.subscribed != Some(true) {
            tx.set_hook_enabled(id, false, now)
                .await
                .context("storing a hook unsubscribed")?;
        }
        let row = written_hook(&mut tx, id).await?;
        tx.insert_event(
            hook_event(
                actor,
                EventType::HookCreated,
                &row,
                &origin,
                trigger.as_str(),
                &credential,
            ),
            now,
        )
        .await
        .context("writing a hook's creation event")?;
        let mut hook = self.idos_hook_view(tx.exec(), &row).await?;
        tx.commit().await.context("committing a new hook")?;
        hook.secret = Some(secret);
        // Created now: not yet updated, whatever the subscription switch wrote.
        hook.updated_at = None;
        Ok(hook)
    }

    /// Changes a hook's trigger, URL or subscription. The URL (new or not) passes the
    /// handshake again first.
    pub async fn idos_update_hook(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
        id: i64,
        input: HookInput,
        handshake: &dyn HookHandshake,
    ) -> ServiceResult<Hook> {
        let trigger = input.trigger.as_deref().map(trigger_type).transpose()?;
        let url = input.url.as_deref().map(check_url).transpose()?;
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        let credential = credential_of(self.store.read(), &company, public_key).await?;
        let current = self
            .idos_hook_of(self.store.read(), &credential, id)
            .await?;
        let current = self.idos_hook_view(self.store.read(), &current).await?;
        let (url, origin) = match url {
            Some(url) => url,
            None => check_url(&current.url)?,
        };
        handshake
            .handshake(&url)
            .await
            .map_err(|failure| idos_invalid(IdosInvalid::Handshake(failure)))?;

        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to update a hook")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let credential = credential_of(tx.exec(), &company, public_key).await?;
        let row = self.idos_hook_of(tx.exec(), &credential, id).await?;
        let before = self.idos_hook_view(tx.exec(), &row).await?;
        let trigger = trigger.map_or(before.trigger.clone(), |t| t.as_str().to_owned());
        if trigger != before.trigger || url != before.url {
            let sealed = self
                .sealer
                .seal_str(&url, url_context(&row.public_id))
                .context("sealing a hook's URL")?;
            tx.retarget_hook(row.id, &sealed, std::slice::from_ref(&trigger), now)
                .await
                .context("changing a hook's URL and trigger")?;
            let row = written_hook(&mut tx, id).await?;
            tx.insert_event(
                hook_event(
                    actor,
                    EventType::HookUpdated,
                    &row,
                    &origin,
                    &trigger,
                    &credential,
                ),
                now,
            )
            .await
            .context("writing a hook's update event")?;
        }
        if let Some(subscribed) = input.subscribed.filter(|s| *s != before.subscribed) {
            tx.set_hook_enabled(row.id, subscribed, now)
                .await
                .context("subscribing or unsubscribing a hook")?;
            let row = written_hook(&mut tx, id).await?;
            let kind = if subscribed {
                EventType::HookEnabled
            } else {
                EventType::HookDisabled
            };
            let mut switched = hook_event(actor, kind, &row, &origin, &trigger, &credential);
            switched.data["enabled"] = json!(subscribed);
            tx.insert_event(switched, now)
                .await
                .context("writing a hook's subscription event")?;
        }
        let row = written_hook(&mut tx, id).await?;
        let hook = self.idos_hook_view(tx.exec(), &row).await?;
        tx.commit().await.context("committing a hook's update")?;
        Ok(hook)
    }

    pub async fn idos_delete_hook(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
        id: i64,
    ) -> ServiceResult<u64> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete a hook")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let credential = credential_of(tx.exec(), &company, public_key).await?;
        let row = self.idos_hook_of(tx.exec(), &credential, id).await?;
        self.delete_idos_hook(&mut tx, actor, &row, &credential, now_millis())
            .await?;
        tx.commit().await.context("committing a hook's deletion")?;
        Ok(1)
    }

    /// Deletes every hook of a credential (which is being deleted), each with its event.
    pub(super) async fn delete_credential_hooks(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        credential: &CredentialRow,
        now: Millis,
    ) -> ServiceResult<()> {
        let ids = tx
            .exec()
            .idos_hook_ids(credential.id)
            .await
            .context("reading a credential's hooks")?;
        let rows = tx
            .exec()
            .hooks_by_ids(&ids)
            .await
            .context("reading a credential's hooks")?;
        for row in &rows {
            self.delete_idos_hook(tx, actor, row, credential, now)
                .await?;
        }
        Ok(())
    }

    /// Deletes a hook with its deliveries and their log, and records it.
    async fn delete_idos_hook(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        row: &HookRow,
        credential: &CredentialRow,
        now: Millis,
    ) -> ServiceResult<()> {
        let view = self.idos_hook_view(tx.exec(), row).await?;
        let origin = check_url(&view.url)
            .map(|(_, origin)| origin)
            .unwrap_or_default();
        tx.delete_hook(row.id).await.context("deleting a hook")?;
        tx.insert_event(
            hook_event(
                actor,
                EventType::HookDeleted,
                row,
                &origin,
                &view.trigger,
                credential,
            ),
            now,
        )
        .await
        .context("writing a hook's deletion event")?;
        Ok(())
    }
}

async fn written_hook(tx: &mut Tx, id: i64) -> ServiceResult<HookRow> {
    Ok(tx
        .exec()
        .hook_by_id(id)
        .await
        .context("reading a hook just written")?
        .context("a hook just written is missing")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idos_triggers_name_catalog_events() {
        let t = |text: &str| canonical_trigger(text).map(EventType::as_str);
        assert_eq!(t("company.create"), Some("organization.created"));
        assert_eq!(t("organization.deleted"), Some("organization.deleted"));
        assert_eq!(t("company.member.update"), Some("user.updated"));
        assert_eq!(t("company.credential.delete"), Some("credential.deleted"));
        assert_eq!(t("Project.Created"), Some("project.created"));
        assert_eq!(t("company.explode"), None);
        assert_eq!(t("nothing"), None);
    }

    #[test]
    fn hook_urls_are_http_with_a_host_and_events_show_their_origin() {
        assert_eq!(
            check_url(" https://hooks.example/in?token=secret ").unwrap(),
            (
                "https://hooks.example/in?token=secret".to_owned(),
                "https://hooks.example".to_owned()
            )
        );
        assert!(check_url("ftp://example/").is_err());
        assert!(check_url("not a url").is_err());
    }
}
