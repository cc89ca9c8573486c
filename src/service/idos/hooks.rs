//! Hooks of a credential: a URL to call when an event of orghub's catalog happens. Creating or
//! changing one first checks the URL answers `GET` with `204 No Content` (the handshake);
//! nothing is stored when it does not. URLs are sealed at rest. Delivery is the events
//! engine's: this module stores and lists hooks.

use std::time::Duration;

use super::{IdosError, IdosKind, IdosResult, company_for, credential_of, invalid, not_found};
use crate::domain::{Millis, now_millis};
use crate::service::Services;
use crate::service::actor::{Access, Actor};
use crate::store::{CompanyRow, CredentialRow, HookRow, IdosTable};

/// The event types a hook may name: the kinds of orghub's `events` table.
pub const TRIGGER_CATALOG: &[&str] = &[
    "organization.created",
    "organization.updated",
    "organization.deleted",
    "organization.bootstrapped",
    "user.created",
    "user.updated",
    "user.deleted",
    "project.created",
    "project.updated",
    "project.deleted",
    "template.imported",
    "cloud_account.created",
    "cloud_account.updated",
    "cloud_account.deleted",
];

/// How long the handshake waits for the hook's answer.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

/// The catalog's name for `trigger`: itself, or the idOS form of it (`company.create` is
/// `organization.created`, `company.member.update` is `user.updated`). `None` when it names no
/// event of the catalog.
pub fn canonical_trigger(trigger: &str) -> Option<&'static str> {
    let trigger = trigger.trim().to_ascii_lowercase();
    let (noun, verb) = trigger.rsplit_once('.')?;
    let noun = match noun {
        "company" => "organization",
        "company.member" | "member" => "user",
        other => other,
    };
    let verb = match verb {
        "create" => "created",
        "update" => "updated",
        "delete" => "deleted",
        other => other,
    };
    let wanted = format!("{noun}.{verb}");
    TRIGGER_CATALOG.iter().copied().find(|t| *t == wanted)
}

#[derive(Debug, Clone)]
pub struct Hook {
    pub id: i64,
    pub trigger: String,
    pub url: String,
    pub subscribed: bool,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

/// What a request sets; on update, what is absent stays.
#[derive(Debug, Default)]
pub struct HookInput {
    pub trigger: Option<String>,
    pub url: Option<String>,
    pub subscribed: Option<bool>,
}

fn url_context(hook_id: i64) -> String {
    format!("idos_hooks.url:{hook_id}")
}

fn check_url(url: &str) -> IdosResult<reqwest::Url> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|_| invalid("url", format!("'{url}' is not a URL")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(invalid("url", "url must be an http or https URL"));
    }
    Ok(parsed)
}

/// `GET url`, which must answer 204 within the time limit, without following redirects.
async fn handshake(url: reqwest::Url) -> IdosResult<()> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HANDSHAKE_TIMEOUT)
        .build()
        .map_err(|e| IdosError::Service(anyhow::Error::new(e).into()))?;
    match client.get(url).send().await {
        Ok(response) if response.status() == reqwest::StatusCode::NO_CONTENT => Ok(()),
        Ok(response) => Err(IdosError::Handshake(format!(
            "the URL answered {} instead of 204 No Content",
            response.status().as_u16()
        ))),
        Err(error) if error.is_timeout() => Err(IdosError::Handshake(format!(
            "the URL did not answer within {} seconds",
            HANDSHAKE_TIMEOUT.as_secs()
        ))),
        Err(_) => Err(IdosError::Handshake("the URL could not be reached".into())),
    }
}

impl Services {
    fn open_hook(&self, row: HookRow) -> IdosResult<Hook> {
        let url = self
            .sealer
            .open_string(&row.url_sealed, &url_context(row.id))?;
        Ok(Hook {
            id: row.id,
            trigger: row.trigger_name,
            url,
            subscribed: row.subscribed,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }

    async fn hook_scope(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
    ) -> IdosResult<(CompanyRow, CredentialRow)> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let credential = credential_of(self.idos_read(), &company, public_key).await?;
        Ok((company, credential))
    }

    async fn hook_of(&self, credential: &CredentialRow, id: i64) -> IdosResult<HookRow> {
        self.idos_read()
            .hook_by_id(id)
            .await?
            .filter(|hook| hook.credential_id == credential.id)
            .ok_or_else(|| not_found(IdosKind::Hook, id))
    }

    pub async fn idos_hooks(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
    ) -> IdosResult<Vec<Hook>> {
        let (_, credential) = self.hook_scope(actor, slug, public_key).await?;
        let rows = self.idos_read().hooks_of_credential(credential.id).await?;
        rows.into_iter().map(|row| self.open_hook(row)).collect()
    }

    pub async fn idos_hook(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
        id: i64,
    ) -> IdosResult<Hook> {
        let (_, credential) = self.hook_scope(actor, slug, public_key).await?;
        let row = self.hook_of(&credential, id).await?;
        self.open_hook(row)
    }

    pub async fn idos_create_hook(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
        input: HookInput,
    ) -> IdosResult<Hook> {
        let trigger = input
            .trigger
            .ok_or_else(|| invalid("trigger", "trigger is required"))?;
        let trigger = canonical_trigger(&trigger).ok_or_else(|| unknown_trigger(&trigger))?;
        let url = input.url.ok_or_else(|| invalid("url", "url is required"))?;
        let parsed = check_url(&url)?;
        // Who may, and on what, before calling anyone's URL.
        let (_, credential) = self.hook_scope(actor, slug, public_key).await?;
        handshake(parsed).await?;
        let now = now_millis();
        let mut tx = self.store.begin().await?;
        let subscribed = input.subscribed.unwrap_or(false);
        let id = tx
            .insert_hook(credential.id, trigger, subscribed, now)
            .await?;
        let sealed = self.sealer.seal_str(url.trim(), &url_context(id))?;
        tx.update_hook(id, trigger, &sealed, subscribed, None)
            .await?;
        let row = tx
            .exec()
            .hook_by_id(id)
            .await?
            .ok_or_else(|| not_found(IdosKind::Hook, id))?;
        tx.commit().await?;
        self.open_hook(row)
    }

    pub async fn idos_update_hook(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
        id: i64,
        input: HookInput,
    ) -> IdosResult<Hook> {
        let (_, credential) = self.hook_scope(actor, slug, public_key).await?;
        let current = self.open_hook(self.hook_of(&credential, id).await?)?;
        let trigger = match input.trigger {
            Some(trigger) => {
                canonical_trigger(&trigger).ok_or_else(|| unknown_trigger(&trigger))?
            }
            None => canonical_trigger(&current.trigger)
                .ok_or_else(|| unknown_trigger(&current.trigger))?,
        };
        let url = input.url.unwrap_or(current.url);
        handshake(check_url(&url)?).await?;
        let mut tx = self.store.begin().await?;
        let sealed = self.sealer.seal_str(url.trim(), &url_context(id))?;
        tx.update_hook(
            id,
            trigger,
            &sealed,
            input.subscribed.unwrap_or(current.subscribed),
            Some(now_millis()),
        )
        .await?;
        let row = tx
            .exec()
            .hook_by_id(id)
            .await?
            .ok_or_else(|| not_found(IdosKind::Hook, id))?;
        tx.commit().await?;
        self.open_hook(row)
    }

    pub async fn idos_delete_hook(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
        id: i64,
    ) -> IdosResult<u64> {
        let (_, credential) = self.hook_scope(actor, slug, public_key).await?;
        let row = self.hook_of(&credential, id).await?;
        let mut tx = self.store.begin().await?;
        let deleted = tx.delete_idos_row(IdosTable::Hooks, row.id).await?;
        tx.commit().await?;
        Ok(deleted)
    }
}

fn unknown_trigger(trigger: &str) -> IdosError {
    invalid(
        "trigger",
        format!(
            "'{trigger}' is not an event type; one of: {}",
            TRIGGER_CATALOG.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::canonical_trigger;

    #[test]
    fn idos_triggers_name_catalog_events() {
        assert_eq!(
            canonical_trigger("company.create"),
            Some("organization.created")
        );
        assert_eq!(
            canonical_trigger("organization.deleted"),
            Some("organization.deleted")
        );
        assert_eq!(
            canonical_trigger("company.member.update"),
            Some("user.updated")
        );
        assert_eq!(
            canonical_trigger("Project.Created"),
            Some("project.created")
        );
        assert_eq!(canonical_trigger("company.explode"), None);
        assert_eq!(canonical_trigger("nothing"), None);
    }
}
