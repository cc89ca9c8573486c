//! Hooks as callers manage them (the native API): the operator's use cases of `hooks.rs`,
//! each authorized first. A hook shows its URL in full, which may carry a token of the
//! receiver: only an Owner of (or above) its organization reads or changes it.

use anyhow::Context;

use super::actor::{Access, Actor};
use super::error::{ServiceError, ServiceResult};
use super::events::Origin;
use super::hooks::{HookCreated, HookRequest, HookView};
use super::lookup::find_org;
use super::precondition::Expect;
use super::{Services, Slice};
use crate::domain::{Kind, OrgPath, PublicId};
use crate::store::{AttemptRow, HookRow};

impl Services {
    /// Creates a hook for an organization the actor administers.
    pub async fn create_org_hook(
        &self,
        actor: &Actor,
        request: &HookRequest,
    ) -> ServiceResult<HookCreated> {
        let org = find_org(self.store.read(), &request.org, Kind::Organization).await?;
        actor.authorize(
            Access::Administer,
            &org.path,
            Kind::Organization,
            org.public_id,
        )?;
        self.insert_hook(Origin::Actor(actor), request).await
    }

    /// The hooks of an organization the actor administers.
    pub async fn org_hooks(
        &self,
        actor: &Actor,
        org: &PublicId,
        slice: Slice,
    ) -> ServiceResult<Vec<HookView>> {
        let row = find_org(self.store.read(), org, Kind::Organization).await?;
        actor.authorize(
            Access::Administer,
            &row.path,
            Kind::Organization,
            row.public_id,
        )?;
        self.list_hooks(Some(org), slice).await
    }

    pub async fn org_hook(&self, actor: &Actor, id: &PublicId) -> ServiceResult<HookView> {
        let row = self.administered_hook(actor, id).await?;
        self.hook_view(self.store.read(), &row).await
    }

    /// Deletes a hook the actor administers, if `expect` holds of it as it is when locked.
    pub async fn delete_org_hook(
        &self,
        actor: &Actor,
        id: &PublicId,
        expect: Expect<'_, HookView>,
    ) -> ServiceResult<HookView> {
        // Refused before a lock is waited for; authorized again on the locked hook.
        self.administered_hook(actor, id).await?;
        self.remove_hook(Origin::Actor(actor), id, expect).await
    }

    /// Enables or disables a hook the actor administers, if `expect` holds of it as it is
    /// when locked.
    pub async fn set_org_hook_enabled(
        &self,
        actor: &Actor,
        id: &PublicId,
        enabled: bool,
        expect: Expect<'_, HookView>,
    ) -> ServiceResult<HookView> {
        self.administered_hook(actor, id).await?;
        self.switch_hook_by(Origin::Actor(actor), id, enabled, expect)
            .await
    }

    /// At most `limit` attempts of the hook's delivery log older than attempt `before`,
    /// newest first.
    pub async fn org_hook_attempts(
        &self,
        actor: &Actor,
        id: &PublicId,
        before: Option<i64>,
        limit: u32,
    ) -> ServiceResult<Vec<AttemptRow>> {
        let row = self.administered_hook(actor, id).await?;
        Ok(self
            .store
            .read()
            .hook_attempts(row.id, before, i64::from(limit))
            .await
            .context("reading a hook's attempts")?)
    }

    /// Sends event `event` to the hook again; false when the hook never had it.
    pub async fn replay_org_delivery(
        &self,
        actor: &Actor,
        hook: &PublicId,
        event: &PublicId,
    ) -> ServiceResult<bool> {
        self.administered_hook(actor, hook).await?;
        self.replay_delivery(hook, event).await
    }

    /// The hook `id`, whose organization the actor administers.
    async fn administered_hook(&self, actor: &Actor, id: &PublicId) -> ServiceResult<HookRow> {
        let not_found = || ServiceError::NotFound {
            kind: Kind::Hook,
            id: id.to_string(),
        };
        let row = self
            .store
            .read()
            .hook_by_public_id(id)
            .await
            .context("reading a hook")?
            .ok_or_else(not_found)?;
        let path = OrgPath::parse(&row.org_path).context("a hook's organization path")?;
        actor.authorize(Access::Administer, &path, Kind::Hook, id)?;
        Ok(row)
    }
}
