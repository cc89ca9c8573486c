//! Company credentials (API keys that sign user tokens) and handlers (services that sign
//! credential tokens). Keys are 32 hex characters; private keys are sealed, and shown only
//! when created.

use super::{IdosKind, IdosResult, company_for, credential_of, invalid, new_key, not_found};
use crate::domain::slug::slugify;
use crate::domain::{Millis, now_millis};
use crate::service::Services;
use crate::service::actor::{Access, Actor};
use crate::store::{CredentialRow, HandlerRow, IdosTable};

pub(crate) fn credential_key_context(public_key: &str) -> String {
    format!("idos_credentials.private_key:{public_key}")
}

pub(crate) fn handler_key_context(public_key: &str) -> String {
    format!("idos_handlers.private_key:{public_key}")
}

fn handler_password_context(public_key: &str) -> String {
    format!("idos_handlers.auth_password:{public_key}")
}

#[derive(Debug, Clone)]
pub struct Credential {
    pub id: i64,
    pub company_id: i64,
    pub name: String,
    pub slug: String,
    pub public_key: String,
    /// Only when just created.
    pub private_key: Option<String>,
    pub production: bool,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

impl Credential {
    fn from_row(row: CredentialRow, private_key: Option<String>) -> Self {
        Self {
            id: row.id,
            company_id: row.org_id,
            name: row.name,
            slug: row.slug,
            public_key: row.public_key,
            private_key,
            production: row.production,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Handler {
    pub id: i64,
    pub company_id: i64,
    pub name: String,
    pub auth_username: String,
    pub public_key: String,
    /// Only when just created.
    pub private_key: Option<String>,
    pub enabled: bool,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

impl Handler {
    fn from_row(row: HandlerRow, private_key: Option<String>) -> Self {
        Self {
            id: row.id,
            company_id: row.org_id,
            name: row.name,
            auth_username: row.auth_username,
            public_key: row.public_key,
            private_key,
            enabled: row.enabled,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

pub struct NewHandler {
    pub name: String,
    pub auth_username: String,
    pub auth_password: String,
    pub enabled: bool,
}

#[derive(Default)]
pub struct HandlerChanges {
    pub name: Option<String>,
    pub auth_username: Option<String>,
    pub auth_password: Option<String>,
    pub enabled: Option<bool>,
}

fn check_name(field: &'static str, name: &str) -> IdosResult<()> {
    if name.trim().is_empty() {
        return Err(invalid(
            field,
            format!("{field} must be a non-empty string"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid(field, format!("{field} must be printable")));
    }
    Ok(())
}

impl Services {
    pub async fn idos_credentials(&self, actor: &Actor, slug: &str) -> IdosResult<Vec<Credential>> {
        let company = company_for(self.idos_read(), actor, slug, Access::Read).await?;
        let rows = self.idos_read().credentials_of_org(company.id).await?;
        Ok(rows
            .into_iter()
            .map(|row| Credential::from_row(row, None))
            .collect())
    }

    pub async fn idos_credential(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
    ) -> IdosResult<Credential> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let row = credential_of(self.idos_read(), &company, public_key).await?;
        Ok(Credential::from_row(row, None))
    }

    pub async fn idos_create_credential(
        &self,
        actor: &Actor,
        slug: &str,
        name: &str,
        production: bool,
    ) -> IdosResult<Credential> {
        check_name("name", name)?;
        let mut tx = self.store.begin().await?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let public_key = new_key();
        let private_key = new_key();
        let sealed = self
            .sealer
            .seal_str(&private_key, &credential_key_context(&public_key))?;
        let id = tx
            .insert_credential(
                company.id,
                name,
                &slugify(name, "credential"),
                &public_key,
                &sealed,
                production,
                now_millis(),
            )
            .await?;
        let row = tx
            .exec()
            .credential_by_public_key(&public_key)
            .await?
            .filter(|row| row.id == id)
            .ok_or_else(|| not_found(IdosKind::Credential, &public_key))?;
        tx.commit().await?;
        Ok(Credential::from_row(row, Some(private_key)))
    }

    pub async fn idos_rename_credential(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
        name: &str,
    ) -> IdosResult<Credential> {
        check_name("name", name)?;
        let mut tx = self.store.begin().await?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let row = credential_of(tx.exec(), &company, public_key).await?;
        tx.rename_credential(row.id, name, &slugify(name, "credential"), now_millis())
            .await?;
        let row = credential_of(tx.exec(), &company, public_key).await?;
        tx.commit().await?;
        Ok(Credential::from_row(row, None))
    }

    /// Deletes a credential with its hooks, subscriptions, end users and widgets.
    pub async fn idos_delete_credential(
        &self,
        actor: &Actor,
        slug: &str,
        public_key: &str,
    ) -> IdosResult<u64> {
        let mut tx = self.store.begin().await?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let row = credential_of(tx.exec(), &company, public_key).await?;
        let deleted = tx.delete_idos_row(IdosTable::Credentials, row.id).await?;
        tx.commit().await?;
        Ok(deleted)
    }

    pub async fn idos_handlers(&self, actor: &Actor, slug: &str) -> IdosResult<Vec<Handler>> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let rows = self.idos_read().handlers_of_org(company.id).await?;
        Ok(rows
            .into_iter()
            .map(|row| Handler::from_row(row, None))
            .collect())
    }

    async fn handler_of(
        &self,
        actor: &Actor,
        slug: &str,
        id: i64,
    ) -> IdosResult<(crate::store::CompanyRow, HandlerRow)> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let handler = self
            .idos_read()
            .handler_by_id(id)
            .await?
            .filter(|handler| handler.org_id == company.id)
            .ok_or_else(|| not_found(IdosKind::Handler, id))?;
        Ok((company, handler))
    }

    pub async fn idos_handler(&self, actor: &Actor, slug: &str, id: i64) -> IdosResult<Handler> {
        let (_, handler) = self.handler_of(actor, slug, id).await?;
        Ok(Handler::from_row(handler, None))
    }

    pub async fn idos_create_handler(
        &self,
        actor: &Actor,
        slug: &str,
        handler: NewHandler,
    ) -> IdosResult<Handler> {
        check_name("name", &handler.name)?;
        check_name("authUsername", &handler.auth_username)?;
        check_name("authPassword", &handler.auth_password)?;
        let mut tx = self.store.begin().await?;
        let company = company_for(tx.exec(), actor, slug, Access::Administer).await?;
        let public_key = new_key();
        let private_key = new_key();
        let sealed_key = self
            .sealer
            .seal_str(&private_key, &handler_key_context(&public_key))?;
        let sealed_password = self.sealer.seal_str(
            &handler.auth_password,
            &handler_password_context(&public_key),
        )?;
        let id = tx
            .insert_handler(
                company.id,
                &handler.name,
                &handler.auth_username,
                &sealed_password,
                &public_key,
                &sealed_key,
                handler.enabled,
                now_millis(),
            )
            .await?;
        let row = tx
            .exec()
            .handler_by_id(id)
            .await?
            .ok_or_else(|| not_found(IdosKind::Handler, id))?;
        tx.commit().await?;
        Ok(Handler::from_row(row, Some(private_key)))
    }

    pub async fn idos_update_handler(
        &self,
        actor: &Actor,
        slug: &str,
        id: i64,
        changes: HandlerChanges,
    ) -> IdosResult<Handler> {
        let (_, current) = self.handler_of(actor, slug, id).await?;
        let name = changes.name.unwrap_or(current.name);
        let auth_username = changes.auth_username.unwrap_or(current.auth_username);
        check_name("name", &name)?;
        check_name("authUsername", &auth_username)?;
        let mut tx = self.store.begin().await?;
        tx.update_handler(
            id,
            &name,
            &auth_username,
            changes.enabled.unwrap_or(current.enabled),
            now_millis(),
        )
        .await?;
        if let Some(password) = changes.auth_password {
            check_name("authPassword", &password)?;
            let sealed = self
                .sealer
                .seal_str(&password, &handler_password_context(&current.public_key))?;
            tx.set_handler_password(id, &sealed).await?;
        }
        let row = tx
            .exec()
            .handler_by_id(id)
            .await?
            .ok_or_else(|| not_found(IdosKind::Handler, id))?;
        tx.commit().await?;
        Ok(Handler::from_row(row, None))
    }

    pub async fn idos_delete_handler(&self, actor: &Actor, slug: &str, id: i64) -> IdosResult<u64> {
        let (_, handler) = self.handler_of(actor, slug, id).await?;
        let mut tx = self.store.begin().await?;
        let deleted = tx.delete_idos_row(IdosTable::Handlers, handler.id).await?;
        tx.commit().await?;
        Ok(deleted)
    }
}
