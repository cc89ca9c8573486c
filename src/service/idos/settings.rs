//! Company settings, widgets, credential subscriptions and company profiles (the end users of
//! the company's credentials).

use serde_json::Value;

use super::{
    IdosCaller, IdosError, IdosKind, IdosResult, IdosTokenKind, company_for, credential_of,
    invalid, not_found,
};
use crate::domain::{Millis, now_millis};
use crate::service::Services;
use crate::service::actor::{Access, Actor};
use crate::store::{
    CompanyRow, IdosTable, NewWidget, ProfileRow, SettingRow, StoreError, SubscriptionRow,
    WidgetRow,
};

#[derive(Debug, Clone)]
pub struct Setting {
    pub id: i64,
    pub company_id: i64,
    pub section: String,
    pub property: String,
    pub value: String,
    pub protected: bool,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

impl From<SettingRow> for Setting {
    fn from(row: SettingRow) -> Self {
        Self {
            id: row.id,
            company_id: row.org_id,
            section: row.section,
            property: row.property,
            value: row.value,
            protected: row.protected,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Widget {
    pub hash: String,
    pub company_id: i64,
    pub label: String,
    pub kind: String,
    pub enabled: bool,
    pub config: Value,
    pub credential: Option<String>,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

impl From<WidgetRow> for Widget {
    fn from(row: WidgetRow) -> Self {
        Self {
            config: serde_json::from_str(&row.config).unwrap_or(Value::String(row.config)),
            hash: row.hash,
            company_id: row.org_id,
            label: row.label,
            kind: row.kind,
            enabled: row.enabled,
            credential: row.credential_public_key,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A widget as a request gives it.
pub struct WidgetInput {
    pub label: String,
    pub kind: String,
    pub enabled: bool,
    /// `None` on update: unchanged.
    pub config: Option<Value>,
    /// The credential's public key; `None` on update: unchanged (a widget has one).
    pub credential: Option<String>,
}

/// The one widget type idOS has.
pub const WIDGET_TYPES: &[&str] = &["embedded-widget"];

#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: i64,
    pub credential_id: i64,
    pub category_slug: String,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

impl From<SubscriptionRow> for Subscription {
    fn from(row: SubscriptionRow) -> Self {
        Self {
            id: row.id,
            credential_id: row.credential_id,
            category_slug: row.category_slug,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub id: i64,
    pub username: String,
    pub credential: String,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

impl From<ProfileRow> for Profile {
    fn from(row: ProfileRow) -> Self {
        Self {
            id: row.id,
            username: row.username,
            credential: row.credential_public_key,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

fn check_word(field: &'static str, text: &str) -> IdosResult<()> {
    if text.is_empty() || text.len() > 255 || text.chars().any(char::is_control) {
        return Err(invalid(
            field,
            format!("{field} must be a string of 1 to 255 printable characters"),
        ));
    }
    Ok(())
}

fn conflict_on_unique(error: StoreError, message: String) -> IdosError {
    match error {
        StoreError::Unique(_) => IdosError::Conflict(message),
        other => other.into(),
    }
}

impl Services {
    /// Settings of a company: an identity administers them; a credential token reads its own
    /// company's, without the protected ones.
    pub async fn idos_settings(&self, caller: &IdosCaller, slug: &str) -> IdosResult<Vec<Setting>> {
        let credential_caller = caller.kind == IdosTokenKind::Credential;
        let access = if credential_caller {
            Access::Read
        } else {
            Access::Administer
        };
        let company = company_for(self.idos_read(), &caller.actor, slug, access).await?;
        if credential_caller && company.id != caller.actor.org_id {
            return Err(super::forbidden(&company));
        }
        let rows = self.idos_read().settings_of_org(company.id).await?;
        Ok(rows
            .into_iter()
            .filter(|row| !(credential_caller && row.protected))
            .map(Setting::from)
            .collect())
    }

    async fn setting_of(&self, company: &CompanyRow, id: i64) -> IdosResult<SettingRow> {
        self.idos_read()
            .setting_by_id(id)
            .await?
            .filter(|setting| setting.org_id == company.id)
            .ok_or_else(|| not_found(IdosKind::Setting, id))
    }

    pub async fn idos_setting(&self, actor: &Actor, slug: &str, id: i64) -> IdosResult<Setting> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        Ok(self.setting_of(&company, id).await?.into())
    }

    pub async fn idos_create_setting(
        &self,
        actor: &Actor,
        slug: &str,
        section: &str,
        property: &str,
        value: &str,
        protected: bool,
    ) -> IdosResult<Setting> {
        check_word("section", section)?;
        check_word("property", property)?;
        let mut tx = self.store.begin().await?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let id = tx
            .insert_setting(
                company.id,
                section,
                property,
                value,
                protected,
                now_millis(),
            )
            .await
            .map_err(|e| {
                conflict_on_unique(
                    e,
                    format!("The setting {section}/{property} already exists"),
                )
            })?;
        let row = tx
            .exec()
            .setting_by_id(id)
            .await?
            .ok_or_else(|| not_found(IdosKind::Setting, id))?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn idos_update_setting(
        &self,
        actor: &Actor,
        slug: &str,
        id: i64,
        value: &str,
    ) -> IdosResult<Setting> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        self.setting_of(&company, id).await?;
        let mut tx = self.store.begin().await?;
        tx.set_setting_value(id, value, now_millis()).await?;
        let row = tx
            .exec()
            .setting_by_id(id)
            .await?
            .ok_or_else(|| not_found(IdosKind::Setting, id))?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn idos_delete_setting(&self, actor: &Actor, slug: &str, id: i64) -> IdosResult<u64> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let setting = self.setting_of(&company, id).await?;
        let mut tx = self.store.begin().await?;
        let deleted = tx.delete_idos_row(IdosTable::Settings, setting.id).await?;
        tx.commit().await?;
        Ok(deleted)
    }

    pub async fn idos_widgets(&self, actor: &Actor, slug: &str) -> IdosResult<Vec<Widget>> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let rows = self.idos_read().widgets_of_org(company.id).await?;
        Ok(rows.into_iter().map(Widget::from).collect())
    }

    /// A widget is public (a page embeds it), as in idOS: no credential needed.
    pub async fn idos_public_widget(&self, slug: &str, hash: &str) -> IdosResult<Widget> {
        let company = self
            .idos_read()
            .company_by_slug(slug)
            .await?
            .ok_or_else(|| not_found(IdosKind::Company, slug))?;
        self.idos_read()
            .widget_by_hash(hash)
            .await?
            .filter(|widget| widget.org_id == company.id)
            .map(Widget::from)
            .ok_or_else(|| not_found(IdosKind::Widget, hash))
    }

    async fn widget_fields<'a>(
        &self,
        tx: &mut crate::store::Tx,
        company: &CompanyRow,
        input: &'a WidgetInput,
        config: &'a str,
    ) -> IdosResult<(Option<i64>, &'a str)> {
        check_word("label", &input.label)?;
        if !WIDGET_TYPES.contains(&input.kind.as_str()) {
            return Err(invalid(
                "type",
                format!("type must be one of: {}", WIDGET_TYPES.join(", ")),
            ));
        }
        let credential = match &input.credential {
            Some(key) => Some(credential_of(tx.exec(), company, key).await?.id),
            None => None,
        };
        Ok((credential, config))
    }

    pub async fn idos_create_widget(
        &self,
        actor: &Actor,
        slug: &str,
        input: WidgetInput,
    ) -> IdosResult<Widget> {
        let mut tx = self.store.begin().await?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let config = input
            .config
            .clone()
            .unwrap_or_else(|| serde_json::json!({}))
            .to_string();
        let (credential_id, config) = self
            .widget_fields(&mut tx, &company, &input, &config)
            .await?;
        if credential_id.is_none() {
            return Err(invalid("credentialPubKey", "credentialPubKey is required"));
        }
        let hash = super::new_key();
        tx.insert_widget(
            &NewWidget {
                org_id: company.id,
                credential_id,
                hash: &hash,
                label: &input.label,
                kind: &input.kind,
                enabled: input.enabled,
                config,
            },
            now_millis(),
        )
        .await?;
        let row = tx
            .exec()
            .widget_by_hash(&hash)
            .await?
            .ok_or_else(|| not_found(IdosKind::Widget, &hash))?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn idos_update_widget(
        &self,
        actor: &Actor,
        slug: &str,
        hash: &str,
        input: WidgetInput,
    ) -> IdosResult<Widget> {
        let mut tx = self.store.begin().await?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let current = tx
            .exec()
            .widget_by_hash(hash)
            .await?
            .filter(|widget| widget.org_id == company.id)
            .ok_or_else(|| not_found(IdosKind::Widget, hash))?;
        let config = match &input.config {
            Some(config) => config.to_string(),
            None => current.config.clone(),
        };
        let (credential_id, config) = self
            .widget_fields(&mut tx, &company, &input, &config)
            .await?;
        let credential_id = credential_id.or(current.credential_id);
        tx.update_widget(
            current.id,
            &NewWidget {
                org_id: company.id,
                credential_id,
                hash,
                label: &input.label,
                kind: &input.kind,
                enabled: input.enabled,
                config,
            },
            now_millis(),
        )
        .await?;
        let row = tx
            .exec()
            .widget_by_hash(hash)
            .await?
            .ok_or_else(|| not_found(IdosKind::Widget, hash))?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn idos_delete_widget(
        &self,
        actor: &Actor,
        slug: &str,
        hash: &str,
    ) -> IdosResult<u64> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let widget = self
            .idos_read()
            .widget_by_hash(hash)
            .await?
            .filter(|widget| widget.org_id == company.id)
            .ok_or_else(|| not_found(IdosKind::Widget, hash))?;
        let mut tx = self.store.begin().await?;
        let deleted = tx.delete_idos_row(IdosTable::Widgets, widget.id).await?;
        tx.commit().await?;
        Ok(deleted)
    }

    pub async fn idos_subscriptions(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
    ) -> IdosResult<Vec<Subscription>> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let credential = credential_of(self.idos_read(), &company, public_key).await?;
        let rows = self
            .idos_read()
            .subscriptions_of_credential(credential.id)
            .await?;
        Ok(rows.into_iter().map(Subscription::from).collect())
    }

    pub async fn idos_subscribe(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
        category: &str,
    ) -> IdosResult<Subscription> {
        let valid = !category.is_empty()
            && category.len() <= 100
            && category
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !valid {
            return Err(invalid(
                "categorySlug",
                "categorySlug must be [a-zA-Z0-9_.-]+",
            ));
        }
        let mut tx = self.store.begin().await?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let credential = credential_of(tx.exec(), &company, public_key).await?;
        let id = tx
            .insert_subscription(credential.id, category, now_millis())
            .await
            .map_err(|e| {
                conflict_on_unique(
                    e,
                    format!("The credential is subscribed to {category} already"),
                )
            })?;
        let row = tx
            .exec()
            .subscription_by_id(id)
            .await?
            .ok_or_else(|| not_found(IdosKind::Subscription, id))?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn idos_unsubscribe(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
        id: i64,
    ) -> IdosResult<u64> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let credential = credential_of(self.idos_read(), &company, public_key).await?;
        let subscription = self
            .idos_read()
            .subscription_by_id(id)
            .await?
            .filter(|s| s.credential_id == credential.id)
            .ok_or_else(|| not_found(IdosKind::Subscription, id))?;
        let mut tx = self.store.begin().await?;
        let deleted = tx
            .delete_idos_row(IdosTable::Subscriptions, subscription.id)
            .await?;
        tx.commit().await?;
        Ok(deleted)
    }

    pub async fn idos_profiles(&self, actor: &Actor, slug: &str) -> IdosResult<Vec<Profile>> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let rows = self.idos_read().profiles_of_org(company.id).await?;
        Ok(rows.into_iter().map(Profile::from).collect())
    }

    pub async fn idos_profile(&self, actor: &Actor, slug: &str, id: i64) -> IdosResult<Profile> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        self.idos_read()
            .profile_of_org(company.id, id)
            .await?
            .map(Profile::from)
            .ok_or_else(|| not_found(IdosKind::Profile, id))
    }

    /// Deletes an end user (a company profile) of one of the company's credentials.
    pub async fn idos_delete_profile(&self, actor: &Actor, slug: &str, id: i64) -> IdosResult<u64> {
        let profile = self.idos_profile(actor, slug, id).await?;
        let mut tx = self.store.begin().await?;
        let deleted = tx.delete_idos_row(IdosTable::Users, profile.id).await?;
        tx.commit().await?;
        Ok(deleted)
    }
}
