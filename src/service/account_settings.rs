//! Cloud Conformity accounts as the face shows them (with the cloud they live in and their
//! settings), and their settings: the Conformity Bot's (one object per account, changed member
//! by member) and the rules' (one `ruleSetting` object per configured rule). Settings are kept
//! and given back as they were given; orghub runs no Bot and no rules.

use anyhow::Context;
use std::collections::HashMap;

use serde_json::{Map, Value};

use super::Services;
use super::account_access::{account_event, administer_accounts, org_account, org_account_locked};
use super::actor::Actor;
use super::conformity_records::{AccountRules, Cloud, ConformityAccount, RuleSetting};
use super::error::{Invalid, ServiceError, ServiceResult, TextField};
use super::lookup::parse_free_text;
use super::records::CloudAccount;
use crate::domain::conformity::CloudType;
use crate::domain::events::EventType;
use crate::domain::{Kind, PublicId, now_millis};
use crate::store::{CloudAccountRow, RowLock};

/// The Bot settings member that only AWS accounts may have.
const DISABLED_REGIONS: &str = "disabledRegions";

/// One rule's new setting: its id and its `ruleSetting` object (shape already checked).
pub struct NewRuleSetting {
    pub rule_id: String,
    pub setting: Map<String, Value>,
}

impl Services {
    /// The accounts of the actor's organisation, in creation order, with their clouds and
    /// settings.
    pub async fn conformity_accounts(
        &self,
        actor: &Actor,
    ) -> ServiceResult<Vec<ConformityAccount>> {
        let accounts = self
            .store
            .read()
            .cloud_accounts_of_org(actor.org_id)
            .await
            .context("reading cloud accounts of org")?;
        let clouds: HashMap<i64, _> = self
            .store
            .read()
            .account_clouds_of_org(actor.org_id)
            .await
            .context("reading account clouds of org")?
            .into_iter()
            .map(|cloud| (cloud.account_id, cloud))
            .collect();
        let mut rules: HashMap<i64, Vec<RuleSetting>> = HashMap::new();
        for row in self
            .store
            .read()
            .rule_settings_of_org(actor.org_id)
            .await
            .context("reading rule settings of org")?
        {
            rules.entry(row.account_id).or_default().push(row.into());
        }
        Ok(accounts
            .into_iter()
            .map(|row| {
                let (id, cloud) = (row.id, clouds.get(&row.id));
                let account_rules = rules.remove(&id).unwrap_or_default();
                ConformityAccount::new(CloudAccount::from(row), cloud, account_rules)
            })
            .collect())
    }

    /// One account of the actor's organisation with its cloud and settings.
    pub async fn conformity_account(
        &self,
        actor: &Actor,
        id: &PublicId,
    ) -> ServiceResult<ConformityAccount> {
        let row = org_account(self.store.read(), actor, id).await?;
        self.account_view(row).await
    }

    async fn account_view(&self, row: CloudAccountRow) -> ServiceResult<ConformityAccount> {
        let cloud = self
            .store
            .read()
            .account_cloud(row.id)
            .await
            .context("reading account cloud")?;
        let rules = self
            .store
            .read()
            .rule_settings_of_account(row.id)
            .await
            .context("reading rule settings of account")?;
        Ok(ConformityAccount::new(
            CloudAccount::from(row),
            cloud.as_ref(),
            rules.into_iter().map(RuleSetting::from).collect(),
        ))
    }

    /// `PATCH /accounts/{id}` (see `update_cloud_account`), answered with the whole account.
    pub async fn update_conformity_account(
        &self,
        actor: &Actor,
        id: &PublicId,
        changes: super::CloudAccountChanges,
    ) -> ServiceResult<ConformityAccount> {
        self.update_cloud_account(actor, id, changes).await?;
        self.conformity_account(actor, id).await
    }

    /// Changes the Bot settings of account `id`, and of `other_accounts` alike: each member
    /// given replaces the stored one, the others stay. Only AWS accounts may disable regions.
    /// Answers the accounts changed, `id` first.
    pub async fn update_bot_settings(
        &self,
        actor: &Actor,
        id: &PublicId,
        bot: &Map<String, Value>,
        other_accounts: &[PublicId],
    ) -> ServiceResult<Vec<ConformityAccount>> {
        let mut tx = self.store.begin().await.context("starting a transaction")?;
        let main = org_account(tx.exec(), actor, id).await?;
        administer_accounts(actor)?;
        let mut seen = vec![main];
        for other in other_accounts {
            let account = org_account(tx.exec(), actor, other).await?;
            if seen.iter().all(|t| t.id != account.id) {
                seen.push(account);
            }
        }
        // Each account's settings are read, changed and written back: the rows are locked
        // first (in id order, so that two such changes never wait for each other in a
        // circle) and read again, so that a concurrent change is not lost.
        let mut order: Vec<(i64, PublicId)> = seen.iter().map(|a| (a.id, a.public_id)).collect();
        order.sort_unstable_by_key(|(id, _)| *id);
        for (_, public_id) in &order {
            org_account_locked(&mut tx, actor, public_id, RowLock::Update).await?;
        }
        let mut targets = Vec::with_capacity(seen.len());
        for account in &seen {
            targets.push(org_account(tx.exec(), actor, &account.public_id).await?);
        }
        let disables_regions = bot
            .get(DISABLED_REGIONS)
            .and_then(Value::as_object)
            .is_some_and(|regions| !regions.is_empty());
        let now = now_millis();
        for account in &targets {
            let cloud = tx
                .exec()
                .account_cloud(account.id)
                .await
                .context("reading account cloud")?;
            let kind = cloud.as_ref().map_or(Cloud::Aws, Cloud::from_row).kind();
            if disables_regions && kind != CloudType::Aws {
                return Err(ServiceError::Invalid(Invalid::DisabledRegionsOutsideAws));
            }
            let mut stored: Map<String, Value> = cloud
                .and_then(|c| c.bot)
                .and_then(|bot| serde_json::from_str(&bot).ok())
                .unwrap_or_default();
            for (member, value) in bot {
                stored.insert(member.clone(), value.clone());
            }
            tx.put_bot_settings(account.id, &Value::Object(stored).to_string(), now)
                .await
                .context("storing Bot settings")?;
            tx.insert_event(
                account_event(actor, EventType::CloudAccountUpdated, account),
                now,
            )
            .await
            .context("writing the event")?;
        }
        tx.commit().await.context("committing")?;
        let mut views = Vec::with_capacity(targets.len());
        for account in targets {
            views.push(self.account_view(account).await?);
        }
        Ok(views)
    }

    /// The configured rule settings of an account, in the order of their last change.
    pub async fn account_rule_settings(
        &self,
        actor: &Actor,
        id: &PublicId,
    ) -> ServiceResult<AccountRules> {
        let account = org_account(self.store.read(), actor, id).await?;
        let rules = self
            .store
            .read()
            .rule_settings_of_account(account.id)
            .await
            .context("reading rule settings of account")?;
        Ok(AccountRules {
            account_public_id: account.public_id.to_string(),
            org_public_id: account.org_public_id.to_string(),
            rules: rules.into_iter().map(RuleSetting::from).collect(),
        })
    }

    /// The setting of one rule of an account; a rule never configured is not found.
    pub async fn account_rule_setting(
        &self,
        actor: &Actor,
        id: &PublicId,
        rule_id: &str,
    ) -> ServiceResult<AccountRules> {
        let mut all = self.account_rule_settings(actor, id).await?;
        all.rules.retain(|rule| rule.rule_id == rule_id);
        if all.rules.is_empty() {
            return Err(ServiceError::NotFound {
                kind: Kind::RuleSetting,
                id: rule_id.to_owned(),
            });
        }
        Ok(all)
    }

    /// Sets rule settings of an account, in order, with one note for them all. A setting's
    /// `provider`, when given, must be the account's cloud. Answers every rule setting of the
    /// account.
    pub async fn put_rule_settings(
        &self,
        actor: &Actor,
        id: &PublicId,
        settings: &[NewRuleSetting],
        note: Option<&str>,
    ) -> ServiceResult<AccountRules> {
        if let Some(note) = note.filter(|note| !note.is_empty()) {
            parse_free_text(note, TextField::Note)?;
        }
        let mut tx = self.store.begin().await.context("starting a transaction")?;
        let account = org_account(tx.exec(), actor, id).await?;
        administer_accounts(actor)?;
        // Locked: rule settings of one account change one after another (they are listed in
        // the order of their last change), and not while the account is deleted.
        org_account_locked(&mut tx, actor, id, RowLock::Update).await?;
        let cloud = tx
            .exec()
            .account_cloud(account.id)
            .await
            .context("reading account cloud")?;
        let kind = cloud.as_ref().map_or(Cloud::Aws, Cloud::from_row).kind();
        let noted_by = actor.user.as_ref().map(|user| user.public_id.to_string());
        let now = now_millis();
        for setting in settings {
            if let Some(provider) = setting.setting.get("provider").and_then(Value::as_str)
                && CloudType::parse(provider) != Some(kind)
            {
                return Err(ServiceError::Invalid(Invalid::RuleProvider {
                    rule: setting.rule_id.clone(),
                    provider: provider.to_owned(),
                }));
            }
            tx.put_rule_setting(
                account.id,
                &setting.rule_id,
                &Value::Object(setting.setting.clone()).to_string(),
                note,
                noted_by.as_deref(),
                now,
            )
            .await
            .context("storing a rule setting")?;
        }
        tx.insert_event(
            account_event(actor, EventType::CloudAccountUpdated, &account),
            now,
        )
        .await
        .context("writing the event")?;
        tx.commit().await.context("committing")?;
        self.account_rule_settings(actor, id).await
    }
}
