//! Company settings, widgets, credential subscriptions and company profiles (the end users of
//! the company's credentials).

use anyhow::Context;
use serde_json::Value;

use super::{
    IdosCaller, IdosTokenKind, company_event, company_for, credential_of, delete_with_event,
    event_data, idos_invalid, not_found,
};
use crate::domain::events::EventType;
use crate::domain::text::is_forbidden;
use crate::domain::{IdosKind, Kind, Millis, now_millis};
use crate::service::Services;
use crate::service::actor::{Access, Actor};
use crate::service::error::{
    Conflict, Forbidden, IdosInvalid, ServiceError, ServiceResult, TextField, internal,
};
use crate::service::lookup::parse_free_text;
use crate::store::{
    CompanyRow, Exec, IdosTable, NewWidget, ProfileRow, SettingRow, StoreError, SubscriptionRow,
    Tx, WidgetRow,
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

/// The longest section, property or label. None may hold a character that no stored text may
/// (`domain::text::is_forbidden`: controls, line separators, bidirectional overrides).
const MAX_WORD: usize = 255;

fn check_word(field: &'static str, text: &str) -> ServiceResult<()> {
    if text.is_empty() || text.chars().count() > MAX_WORD || text.chars().any(is_forbidden) {
        return Err(idos_invalid(IdosInvalid::Word {
            field,
            max: MAX_WORD,
        }));
    }
    Ok(())
}

/// A setting's value: free text under the text rules (not blank, at most 2,000 characters, no
/// control character or bidirectional override: a NUL byte cannot even be stored on
/// PostgreSQL).
fn check_value(value: &str) -> ServiceResult<()> {
    parse_free_text(value, TextField::Value).map(|_| ())
}

/// A uniqueness violation is the conflict `conflict`; any other store error is internal.
fn conflict_on_unique(
    error: StoreError,
    conflict: impl FnOnce() -> Conflict,
    doing: &'static str,
) -> ServiceError {
    match error {
        StoreError::Unique(_) => ServiceError::Conflict(conflict()),
        other => internal(other, doing),
    }
}

async fn setting_in(exec: Exec<'_>, company: &CompanyRow, id: i64) -> ServiceResult<SettingRow> {
    exec.setting_by_id(id)
        .await
        .context("reading a setting")?
        .filter(|setting| setting.org_id == company.id)
        .ok_or_else(|| not_found(IdosKind::Setting, id))
}

async fn widget_in(exec: Exec<'_>, company: &CompanyRow, hash: &str) -> ServiceResult<WidgetRow> {
    exec.widget_by_hash(hash)
        .await
        .context("reading a widget")?
        .filter(|widget| widget.org_id == company.id)
        .ok_or_else(|| not_found(IdosKind::Widget, hash))
}

async fn written_widget(tx: &mut Tx, hash: &str) -> ServiceResult<WidgetRow> {
    Ok(tx
        .exec()
        .widget_by_hash(hash)
        .await
        .context("reading a widget just written")?
        .context("a widget just written is missing")?)
}

/// A widget's label and type.
fn check_widget(input: &WidgetInput) -> ServiceResult<()> {
    check_word("label", &input.label)?;
    if !WIDGET_TYPES.contains(&input.kind.as_str()) {
        return Err(idos_invalid(IdosInvalid::WidgetType {
            value: input.kind.clone(),
        }));
    }
    Ok(())
}

impl Services {
    /// Settings of a company: an identity administers them; a credential token reads its own
    /// company's, without the protected ones.
    pub async fn idos_settings(
        &self,
        caller: &IdosCaller,
        slug: &str,
    ) -> ServiceResult<Vec<Setting>> {
        let credential_caller = caller.kind == IdosTokenKind::Credential;
        let access = if credential_caller {
            Access::Read
        } else {
            Access::Administer
        };
        let company = company_for(self.store.read(), &caller.actor, slug, access).await?;
        if credential_caller && company.id != caller.actor.org_id {
            return Err(ServiceError::Forbidden(Forbidden::OutsideScope {
                kind: Kind::Organization,
                id: company.public_id.to_string(),
            }));
        }
        let rows = self
            .store
            .read()
            .settings_of_org(company.id)
            .await
            .context("reading a company's settings")?;
        Ok(rows
            .into_iter()
            .filter(|row| !(credential_caller && row.protected))
            .map(Setting::from)
            .collect())
    }

    pub async fn idos_setting(&self, actor: &Actor, slug: &str, id: i64) -> ServiceResult<Setting> {
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        Ok(setting_in(self.store.read(), &company, id).await?.into())
    }

    pub async fn idos_create_setting(
        &self,
        actor: &Actor,
        slug: &str,
        section: &str,
        property: &str,
        value: &str,
        protected: bool,
    ) -> ServiceResult<Setting> {
        check_word("section", section)?;
        check_word("property", property)?;
        check_value(value)?;
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create a setting")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let id = tx
            .insert_setting(company.id, section, property, value, protected, now)
            .await
            .map_err(|e| {
                conflict_on_unique(
                    e,
                    || Conflict::IdosSetting {
                        section: section.to_owned(),
                        property: property.to_owned(),
                    },
                    "inserting a setting",
                )
            })?;
        let row = setting_in(tx.exec(), &company, id).await?;
        tx.insert_event(
            company_event(
                actor,
                EventType::SettingCreated,
                &company,
                event_data::setting(&row),
            ),
            now,
        )
        .await
        .context("writing a setting's creation event")?;
        tx.commit().await.context("committing a new setting")?;
        Ok(row.into())
    }

    pub async fn idos_update_setting(
        &self,
        actor: &Actor,
        slug: &str,
        id: i64,
        value: &str,
    ) -> ServiceResult<Setting> {
        check_value(value)?;
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to update a setting")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        setting_in(tx.exec(), &company, id).await?;
        tx.set_setting_value(id, value, now)
            .await
            .context("changing a setting's value")?;
        let row = setting_in(tx.exec(), &company, id).await?;
        tx.insert_event(
            company_event(
                actor,
                EventType::SettingUpdated,
                &company,
                event_data::setting(&row),
            ),
            now,
        )
        .await
        .context("writing a setting's update event")?;
        tx.commit().await.context("committing a setting's update")?;
        Ok(row.into())
    }

    pub async fn idos_delete_setting(
        &self,
        actor: &Actor,
        slug: &str,
        id: i64,
    ) -> ServiceResult<u64> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete a setting")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let setting = setting_in(tx.exec(), &company, id).await?;
        let event = company_event(
            actor,
            EventType::SettingDeleted,
            &company,
            event_data::setting(&setting),
        );
        delete_with_event(tx, IdosTable::Settings, setting.id, event, "setting").await
    }

    pub async fn idos_widgets(&self, actor: &Actor, slug: &str) -> ServiceResult<Vec<Widget>> {
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        let rows = self
            .store
            .read()
            .widgets_of_org(company.id)
            .await
            .context("reading a company's widgets")?;
        Ok(rows.into_iter().map(Widget::from).collect())
    }

    /// A widget is public (a page embeds it), as in idOS: no credential needed.
    pub async fn idos_public_widget(&self, slug: &str, hash: &str) -> ServiceResult<Widget> {
        let company = self
            .store
            .read()
            .company_by_slug(slug)
            .await
            .context("reading a company by its slug")?
            .ok_or_else(|| ServiceError::NotFound {
                kind: Kind::Organization,
                id: slug.to_owned(),
            })?;
        Ok(widget_in(self.store.read(), &company, hash).await?.into())
    }

    pub async fn idos_create_widget(
        &self,
        actor: &Actor,
        slug: &str,
        input: WidgetInput,
    ) -> ServiceResult<Widget> {
        check_widget(&input)?;
        let config = input
            .config
            .clone()
            .unwrap_or_else(|| serde_json::json!({}))
            .to_string();
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create a widget")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        // Who may, before what is missing: another company learns nothing of the request.
        let credential_key = input.credential.as_deref().ok_or_else(|| {
            idos_invalid(IdosInvalid::Missing {
                field: "credentialPubKey",
            })
        })?;
        let credential = credential_of(tx.exec(), &company, credential_key).await?;
        let hash = super::new_key();
        tx.insert_widget(
            &NewWidget {
                org_id: company.id,
                credential_id: Some(credential.id),
                hash: &hash,
                label: &input.label,
                kind: &input.kind,
                enabled: input.enabled,
                config: &config,
            },
            now,
        )
        .await
        .context("inserting a widget")?;
        let row = written_widget(&mut tx, &hash).await?;
        tx.insert_event(
            company_event(
                actor,
                EventType::WidgetCreated,
                &company,
                event_data::widget(&row),
            ),
            now,
        )
        .await
        .context("writing a widget's creation event")?;
        tx.commit().await.context("committing a new widget")?;
        Ok(row.into())
    }

    pub async fn idos_update_widget(
        &self,
        actor: &Actor,
        slug: &str,
        hash: &str,
        input: WidgetInput,
    ) -> ServiceResult<Widget> {
        check_widget(&input)?;
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to update a widget")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let current = widget_in(tx.exec(), &company, hash).await?;
        let config = match &input.config {
            Some(config) => config.to_string(),
            None => current.config.clone(),
        };
        let credential_id = match &input.credential {
            Some(key) => Some(credential_of(tx.exec(), &company, key).await?.id),
            None => current.credential_id,
        };
        tx.update_widget(
            current.id,
            &NewWidget {
                org_id: company.id,
                credential_id,
                hash,
                label: &input.label,
                kind: &input.kind,
                enabled: input.enabled,
                config: &config,
            },
            now,
        )
        .await
        .context("updating a widget")?;
        let row = written_widget(&mut tx, hash).await?;
        tx.insert_event(
            company_event(
                actor,
                EventType::WidgetUpdated,
                &company,
                event_data::widget(&row),
            ),
            now,
        )
        .await
        .context("writing a widget's update event")?;
        tx.commit().await.context("committing a widget's update")?;
        Ok(row.into())
    }

    pub async fn idos_delete_widget(
        &self,
        actor: &Actor,
        slug: &str,
        hash: &str,
    ) -> ServiceResult<u64> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete a widget")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let widget = widget_in(tx.exec(), &company, hash).await?;
        let event = company_event(
            actor,
            EventType::WidgetDeleted,
            &company,
            event_data::widget(&widget),
        );
        delete_with_event(tx, IdosTable::Widgets, widget.id, event, "widget").await
    }

    pub async fn idos_subscriptions(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
    ) -> ServiceResult<Vec<Subscription>> {
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        let credential = credential_of(self.store.read(), &company, public_key).await?;
        let rows = self
            .store
            .read()
            .subscriptions_of_credential(credential.id)
            .await
            .context("reading a credential's subscriptions")?;
        Ok(rows.into_iter().map(Subscription::from).collect())
    }

    pub async fn idos_subscribe(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
        category: &str,
    ) -> ServiceResult<Subscription> {
        let valid = !category.is_empty()
            && category.len() <= 100
            && category
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !valid {
            return Err(idos_invalid(IdosInvalid::CategorySlug {
                value: category.to_owned(),
            }));
        }
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to subscribe a credential")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let credential = credential_of(tx.exec(), &company, public_key).await?;
        let id = tx
            .insert_subscription(credential.id, category, now)
            .await
            .map_err(|e| {
                conflict_on_unique(
                    e,
                    || Conflict::IdosSubscription {
                        category: category.to_owned(),
                    },
                    "inserting a subscription",
                )
            })?;
        let row = tx
            .exec()
            .subscription_by_id(id)
            .await
            .context("reading a subscription just written")?
            .context("a subscription just written is missing")?;
        tx.insert_event(
            company_event(
                actor,
                EventType::SubscriptionCreated,
                &company,
                event_data::subscription(row.id, &credential.public_key, &row.category_slug),
            ),
            now,
        )
        .await
        .context("writing a subscription's creation event")?;
        tx.commit().await.context("committing a subscription")?;
        Ok(row.into())
    }

    pub async fn idos_unsubscribe(
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
            .context("starting to delete a subscription")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let credential = credential_of(tx.exec(), &company, public_key).await?;
        let subscription = tx
            .exec()
            .subscription_by_id(id)
            .await
            .context("reading a subscription")?
            .filter(|s| s.credential_id == credential.id)
            .ok_or_else(|| not_found(IdosKind::Subscription, id))?;
        let event = company_event(
            actor,
            EventType::SubscriptionDeleted,
            &company,
            event_data::subscription(
                subscription.id,
                &credential.public_key,
                &subscription.category_slug,
            ),
        );
        delete_with_event(
            tx,
            IdosTable::Subscriptions,
            subscription.id,
            event,
            "subscription",
        )
        .await
    }

    pub async fn idos_profiles(&self, actor: &Actor, slug: &str) -> ServiceResult<Vec<Profile>> {
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        let rows = self
            .store
            .read()
            .profiles_of_org(company.id)
            .await
            .context("reading a company's profiles")?;
        Ok(rows.into_iter().map(Profile::from).collect())
    }

    pub async fn idos_profile(&self, actor: &Actor, slug: &str, id: i64) -> ServiceResult<Profile> {
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        self.store
            .read()
            .profile_of_org(company.id, id)
            .await
            .context("reading a profile")?
            .map(Profile::from)
            .ok_or_else(|| not_found(IdosKind::Profile, id))
    }

    /// Deletes an end user (a company profile) of one of the company's credentials.
    pub async fn idos_delete_profile(
        &self,
        actor: &Actor,
        slug: &str,
        id: i64,
    ) -> ServiceResult<u64> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete a profile")?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let profile = tx
            .exec()
            .profile_of_org(company.id, id)
            .await
            .context("reading a profile")?
            .ok_or_else(|| not_found(IdosKind::Profile, id))?;
        let data = serde_json::json!({
            "id": profile.id,
            "username": profile.username,
            "credentialPublicKey": profile.credential_public_key,
        });
        let event = company_event(actor, EventType::ProfileDeleted, &company, data);
        delete_with_event(tx, IdosTable::Users, profile.id, event, "profile").await
    }
}
