//! Operator use cases behind the command line: bootstrap a root organization and its first
//! Owner, issue owner secret keys, import templates. No actor: whoever runs `orghub` on the
//! server's database is trusted.

use anyhow::Context;
use serde_json::{Value, json};

use super::Services;
use super::error::{
    Conflict, FieldRule, Forbidden, Invalid, ServiceError, ServiceResult, TextField, internal,
    on_unique, password_failure,
};
use super::event_data;
use super::events::{Origin, event};
use super::lookup::{find_org_locked, find_user_locked, parse_email, parse_name, standing};
use super::template_writes::{checked_template, write_template};
use crate::crypto::{self, SealContext};
use crate::domain::events::EventType;
use crate::domain::{Kind, PublicId, Role, now_millis};
use crate::store::{NewUser, RowLock, Tx, UniqueKey};

pub struct BootstrapRequest {
    pub org_name: String,
    pub owner_name: String,
    pub owner_email: String,
    /// Generated when absent.
    pub password: Option<String>,
}

/// Everything `orghub bootstrap` prints, once.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bootstrap {
    pub organization_id: String,
    /// The organization's slug: its name in idOS URLs.
    pub company_slug: String,
    pub user_id: String,
    pub email: String,
    pub password: String,
    pub secret_key: String,
    pub api_key: String,
}

/// A template as `orghub template import` reads it.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateImport {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub graphs: Value,
    #[serde(default)]
    pub connections: Vec<TemplateImportConnection>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateImportConnection {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

fn invalid(field: &'static str, rule: FieldRule) -> ServiceError {
    ServiceError::Invalid(Invalid::Field { field, rule })
}

impl Services {
    pub async fn bootstrap(&self, request: BootstrapRequest) -> ServiceResult<Bootstrap> {
        let org_name = request.org_name.trim();
        let owner_name = request.owner_name.trim();
        if org_name.is_empty() {
            return Err(invalid("org", FieldRule::NotEmpty));
        }
        if owner_name.is_empty() {
            return Err(invalid("owner-name", FieldRule::NotEmpty));
        }
        parse_name(org_name, TextField::Name)?;
        parse_name(owner_name, TextField::OwnerName)?;
        let email = parse_email(&request.owner_email)?;
        let password = request
            .password
            .unwrap_or_else(|| crypto::random_alphanumeric(24));
        let password_hash = self
            .passwords
            .hash_password_blocking(password.clone())
            .await
            .map_err(|e| password_failure(e, "hashing the first Owner's password"))?;
        let secret_key = crypto::random_hex_secret();
        let api_key = crypto::random_alphanumeric(64);

        let now = now_millis();
        let mut tx = self.store.begin().await.context("starting to bootstrap")?;
        let org_public_id = PublicId::new();
        let org_id = tx
            .insert_org(&org_public_id, org_name, None, self.region(), now)
            .await
            .map_err(|e| {
                on_unique(
                    e,
                    UniqueKey::OrganizationName,
                    || Conflict::OrganizationName {
                        name: org_name.to_owned(),
                    },
                    "inserting a root organization",
                )
            })?;
        let company_slug = tx
            .exec()
            .company_by_id(org_id)
            .await
            .context("reading the slug of a root organization")?
            .map(|company| company.slug)
            .unwrap_or_default();
        let user_public_id = PublicId::new();
        let user_id = tx
            .insert_user(
                &NewUser {
                    public_id: &user_public_id,
                    org_id,
                    root_id: org_id,
                    name: owner_name,
                    email: &email,
                    role: Role::Owner,
                    partner: true,
                    password_hash: Some(&password_hash),
                    region: self.region(),
                },
                now,
            )
            .await
            .map_err(|e| {
                on_unique(
                    e,
                    UniqueKey::UserEmail,
                    || Conflict::Email {
                        email: email.to_string(),
                    },
                    "inserting the first Owner",
                )
            })?;
        self.store_secret_key(&mut tx, user_id, &secret_key).await?;
        let api_key_id = PublicId::new();
        tx.insert_api_key(
            &api_key_id,
            user_id,
            &crypto::sha256(api_key.as_bytes()),
            now,
        )
        .await
        .context("storing the first Owner's API key")?;
        let org = tx
            .exec()
            .org_by_id(org_id)
            .await
            .context("reading the organization just bootstrapped")?
            .context("the organization just bootstrapped is missing")?;
        let user = tx
            .exec()
            .user_by_id(user_id)
            .await
            .context("reading the first Owner")?
            .context("the first Owner is missing")?;
        let events = [
            (
                EventType::OrganizationCreated,
                event_data::organization(&org),
            ),
            (EventType::UserCreated, event_data::user(&user)),
            (
                EventType::SecretKeyCreated,
                json!({ "userId": user.public_id.to_string() }),
            ),
            (
                EventType::ApiKeyCreated,
                event_data::api_key(&api_key_id, &user, now),
            ),
        ];
        for (kind, data) in events {
            tx.insert_event(event(Origin::Operator, kind, (&org).into(), data), now)
                .await
                .context("writing the bootstrap events")?;
        }
        tx.commit().await.context("committing the bootstrap")?;
        Ok(Bootstrap {
            organization_id: org_public_id.to_string(),
            company_slug,
            user_id: user_public_id.to_string(),
            email: email.to_string(),
            password,
            secret_key,
            api_key,
        })
    }

    /// Issues (or rotates) an Owner's secret key for Xponent `POST /token`. The user's tokens
    /// end with the old key: whoever held it may have used it.
    pub async fn issue_secret_key(&self, user_id: &PublicId) -> ServiceResult<String> {
        self.rotate_secret_key(Origin::Operator, user_id).await
    }

    /// `issue_secret_key` by `origin`: an actor must administer the user
    /// (`Actor::administer_user`), checked on the locked row.
    pub(crate) async fn rotate_secret_key(
        &self,
        origin: Origin<'_>,
        user_id: &PublicId,
    ) -> ServiceResult<String> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to issue a secret key")?;
        let user = find_user_locked(&mut tx, user_id, RowLock::Update).await?;
        if let Origin::Actor(actor) = origin {
            actor.administer_user(&standing(&user))?;
        }
        if user.role != Role::Owner {
            return Err(ServiceError::Forbidden(Forbidden::NotAnOwner {
                user: user.public_id.to_string(),
            }));
        }
        let secret_key = crypto::random_hex_secret();
        self.store_secret_key(&mut tx, user.id, &secret_key).await?;
        tx.end_user_tokens(user.id)
            .await
            .context("ending the tokens of a user whose key is rotated")?;
        let kind = if user.secret_key_sealed.is_some() {
            EventType::SecretKeyRotated
        } else {
            EventType::SecretKeyCreated
        };
        let data = json!({ "userId": user.public_id.to_string() });
        tx.insert_event(event(origin, kind, (&user).into(), data), now_millis())
            .await
            .context("writing a secret key's event")?;
        tx.commit().await.context("committing a secret key")?;
        Ok(secret_key)
    }

    async fn store_secret_key(&self, tx: &mut Tx, user_id: i64, secret: &str) -> ServiceResult<()> {
        let sealed = self
            .sealer
            .seal_str(secret, SealContext::OwnerSecretKey { user_id })
            .map_err(|e| internal(e, "sealing a secret key"))?;
        tx.set_secret_key(user_id, &sealed, now_millis())
            .await
            .context("storing a secret key")?;
        Ok(())
    }

    /// Loads a template into an organization; `global` makes it available to the whole
    /// subtree below. Returns the template's public id.
    pub async fn import_template(
        &self,
        org_id: &PublicId,
        template: &TemplateImport,
        global: bool,
    ) -> ServiceResult<String> {
        let connections = checked_template(template)?;
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to import a template")?;
        let org = find_org_locked(&mut tx, org_id, Kind::Organization, RowLock::KeyShare).await?;
        let public_id = write_template(
            &mut tx,
            Origin::Operator,
            &org,
            template,
            &connections,
            global,
        )
        .await?;
        tx.commit().await.context("committing a template")?;
        Ok(public_id.to_string())
    }
}
