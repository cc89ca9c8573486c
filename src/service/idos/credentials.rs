//! Company credentials (API keys that sign user tokens) and handlers (services that sign
//! credential tokens). Keys are 32 hex characters; private keys are sealed, and shown only
//! when created.

use anyhow::Context;

use super::{
    CompanyRef, Slice, check_name, company_event, company_for, credential_of, event_data, new_key,
    not_found,
};
use crate::crypto::SealContext;
use crate::domain::Kind;
use crate::domain::events::EventType;
use crate::domain::slug::slugify;
use crate::domain::{IdosKind, Millis, now_millis};
use crate::service::Services;
use crate::service::actor::{Access, Actor};
use crate::service::error::ServiceResult;
use crate::service::precondition::{self, Expect};
use crate::store::{CompanyRow, CredentialRow, HandlerRow, IdosTable, RowLock, Tx};

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

/// How a request names a handler: the idOS face by its row id, the native API (whose ids are
/// UUIDs) by its public key, which is unique and already public (a CredentialToken's `iss`).
#[derive(Debug, Clone, Copy)]
pub enum HandlerRef<'a> {
    Id(i64),
    PublicKey(&'a str),
}

/// The handler `handler` of `company`; another company's handler is not found.
async fn handler_in(
    exec: crate::store::Exec<'_>,
    company: &CompanyRow,
    handler: HandlerRef<'_>,
) -> ServiceResult<HandlerRow> {
    let found = match handler {
        HandlerRef::Id(id) => exec.handler_by_id(id).await,
        HandlerRef::PublicKey(key) => exec.handler_by_public_key(key).await,
    };
    found
        .context("reading an idOS handler")?
        .filter(|row| row.org_id == company.id)
        .ok_or_else(|| match handler {
            HandlerRef::Id(id) => not_found(IdosKind::Handler, id),
            HandlerRef::PublicKey(key) => not_found(IdosKind::Handler, key),
        })
}

/// The credential `public_key` of `company`, locked for a change, if it is as `expect`ed.
async fn credential_for_change(
    tx: &mut Tx,
    company: &CompanyRow,
    public_key: &str,
    expect: Expect<'_, Credential>,
) -> ServiceResult<CredentialRow> {
    let row = tx
        .credential_locked(public_key, RowLock::Update)
        .await
        .context("reading a credential to change")?
        .filter(|row| row.org_id == company.id)
        .ok_or_else(|| not_found(IdosKind::Credential, public_key))?;
    if expect.is_some() {
        let current = Credential::from_row(row.clone(), None);
        precondition::check(
            expect,
            &current,
            Kind::Idos(IdosKind::Credential),
            public_key,
        )?;
    }
    Ok(row)
}

/// The handler `handler` of `company`, locked for a change, if it is as `expect`ed.
async fn handler_for_change(
    tx: &mut Tx,
    company: &CompanyRow,
    handler: HandlerRef<'_>,
    expect: Expect<'_, Handler>,
) -> ServiceResult<HandlerRow> {
    let (found, id) = match handler {
        HandlerRef::Id(id) => (
            tx.handler_by_id_locked(id, RowLock::Update).await,
            id.to_string(),
        ),
        HandlerRef::PublicKey(key) => (
            tx.handler_by_public_key_locked(key, RowLock::Update).await,
            key.to_owned(),
        ),
    };
    let row = found
        .context("reading a handler to change")?
        .filter(|row| row.org_id == company.id)
        .ok_or_else(|| not_found(IdosKind::Handler, &id))?;
    if expect.is_some() {
        let current = Handler::from_row(row.clone(), None);
        precondition::check(expect, &current, Kind::Idos(IdosKind::Handler), &id)?;
    }
    Ok(row)
}

async fn written_credential(
    tx: &mut Tx,
    company: &CompanyRow,
    key: &str,
) -> ServiceResult<CredentialRow> {
    Ok(tx
        .exec()
        .credential_by_public_key(key)
        .await
        .context("reading a credential just written")?
        .filter(|row| row.org_id == company.id)
        .context("a credential just written is missing")?)
}

async fn written_handler(tx: &mut Tx, id: i64) -> ServiceResult<HandlerRow> {
    Ok(tx
        .exec()
        .handler_by_id(id)
        .await
        .context("reading a handler just written")?
        .context("a handler just written is missing")?)
}

impl Services {
    pub async fn idos_credentials(
        &self,
        actor: &Actor,
        company: CompanyRef<'_>,
        slice: Slice,
    ) -> ServiceResult<Vec<Credential>> {
        let company = company_for(self.store.read(), actor, company, Access::Read).await?;
        let rows = self
            .store
            .read()
            .credentials_of_org(company.id, slice.after_id(), slice.row_limit())
            .await
            .context("reading a company's credentials")?;
        Ok(rows
            .into_iter()
            .map(|row| Credential::from_row(row, None))
            .collect())
    }

    pub async fn idos_credential(
        &self,
        actor: &Actor,
        company: CompanyRef<'_>,
        public_key: &str,
    ) -> ServiceResult<Credential> {
        let company = company_for(self.store.read(), actor, company, Access::Administer).await?;
        let row = credential_of(self.store.read(), &company, public_key).await?;
        Ok(Credential::from_row(row, None))
    }

    pub async fn idos_create_credential(
        &self,
        actor: &Actor,
        company: CompanyRef<'_>,
        name: &str,
        production: bool,
    ) -> ServiceResult<Credential> {
        check_name("name", name)?;
        let public_key = new_key();
        let private_key = new_key();
        let sealed = self
            .sealer
            .seal_str(
                &private_key,
                SealContext::IdosCredentialKey {
                    public_key: &public_key,
                },
            )
            .context("sealing a credential's private key")?;
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create a credential")?;
        let company = company_for(tx.exec(), actor, company, Access::Administer).await?;
        tx.insert_credential(
            company.id,
            name,
            &slugify(name, "credential"),
            &public_key,
            &sealed,
            production,
            now,
        )
        .await
        .context("inserting a credential")?;
        let row = written_credential(&mut tx, &company, &public_key).await?;
        let data = event_data::credential(&row);
        tx.insert_event(
            company_event(actor, EventType::CredentialCreated, &company, data),
            now,
        )
        .await
        .context("writing a credential's creation event")?;
        tx.commit().await.context("committing a new credential")?;
        Ok(Credential::from_row(row, Some(private_key)))
    }

    pub async fn idos_rename_credential(
        &self,
        actor: &Actor,
        company: CompanyRef<'_>,
        public_key: &str,
        name: &str,
        expect: Expect<'_, Credential>,
    ) -> ServiceResult<Credential> {
        check_name("name", name)?;
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to rename a credential")?;
        let company = company_for(tx.exec(), actor, company, Access::Administer).await?;
        let row = credential_for_change(&mut tx, &company, public_key, expect).await?;
        tx.rename_credential(row.id, name, &slugify(name, "credential"), now)
            .await
            .context("renaming a credential")?;
        let row = written_credential(&mut tx, &company, public_key).await?;
        let data = event_data::credential(&row);
        tx.insert_event(
            company_event(actor, EventType::CredentialUpdated, &company, data),
            now,
        )
        .await
        .context("writing a credential's update event")?;
        tx.commit()
            .await
            .context("committing a credential's new name")?;
        Ok(Credential::from_row(row, None))
    }

    /// Deletes a credential with its hooks (each with its event), subscriptions, end users,
    /// invitations and widgets.
    pub async fn idos_delete_credential(
        &self,
        actor: &Actor,
        company: CompanyRef<'_>,
        public_key: &str,
        expect: Expect<'_, Credential>,
    ) -> ServiceResult<u64> {
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete a credential")?;
        let company = company_for(tx.exec(), actor, company, Access::Administer).await?;
        let row = credential_for_change(&mut tx, &company, public_key, expect).await?;
        self.delete_credential_hooks(&mut tx, actor, &row, now)
            .await?;
        let deleted = tx
            .delete_idos_row(IdosTable::Credentials, row.id)
            .await
            .context("deleting a credential")?;
        let data = event_data::credential(&row);
        tx.insert_event(
            company_event(actor, EventType::CredentialDeleted, &company, data),
            now,
        )
        .await
        .context("writing a credential's deletion event")?;
        tx.commit()
            .await
            .context("committing a credential's deletion")?;
        Ok(deleted)
    }

    pub async fn idos_handlers(
        &self,
        actor: &Actor,
        company: CompanyRef<'_>,
        slice: Slice,
    ) -> ServiceResult<Vec<Handler>> {
        let company = company_for(self.store.read(), actor, company, Access::Administer).await?;
        let rows = self
            .store
            .read()
            .handlers_of_org(company.id, slice.after_id(), slice.row_limit())
            .await
            .context("reading a company's handlers")?;
        Ok(rows
            .into_iter()
            .map(|row| Handler::from_row(row, None))
            .collect())
    }

    pub async fn idos_handler(
        &self,
        actor: &Actor,
        company: CompanyRef<'_>,
        handler: HandlerRef<'_>,
    ) -> ServiceResult<Handler> {
        let company = company_for(self.store.read(), actor, company, Access::Administer).await?;
        let row = handler_in(self.store.read(), &company, handler).await?;
        Ok(Handler::from_row(row, None))
    }

    pub async fn idos_create_handler(
        &self,
        actor: &Actor,
        company: CompanyRef<'_>,
        handler: NewHandler,
    ) -> ServiceResult<Handler> {
        check_name("name", &handler.name)?;
        check_name("authUsername", &handler.auth_username)?;
        check_name("authPassword", &handler.auth_password)?;
        let public_key = new_key();
        let private_key = new_key();
        let sealed_key = self
            .sealer
            .seal_str(
                &private_key,
                SealContext::IdosHandlerKey {
                    public_key: &public_key,
                },
            )
            .context("sealing a handler's private key")?;
        let sealed_password = self
            .sealer
            .seal_str(
                &handler.auth_password,
                SealContext::IdosHandlerPassword {
                    public_key: &public_key,
                },
            )
            .context("sealing a handler's password")?;
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create a handler")?;
        let company = company_for(tx.exec(), actor, company, Access::Administer).await?;
        let id = tx
            .insert_handler(
                company.id,
                &handler.name,
                &handler.auth_username,
                &sealed_password,
                &public_key,
                &sealed_key,
                handler.enabled,
                now,
            )
            .await
            .context("inserting a handler")?;
        let row = written_handler(&mut tx, id).await?;
        let data = event_data::handler(&row);
        tx.insert_event(
            company_event(actor, EventType::HandlerCreated, &company, data),
            now,
        )
        .await
        .context("writing a handler's creation event")?;
        tx.commit().await.context("committing a new handler")?;
        Ok(Handler::from_row(row, Some(private_key)))
    }

    pub async fn idos_update_handler(
        &self,
        actor: &Actor,
        company: CompanyRef<'_>,
        handler: HandlerRef<'_>,
        changes: HandlerChanges,
        expect: Expect<'_, Handler>,
    ) -> ServiceResult<Handler> {
        for (field, value) in [
            ("name", &changes.name),
            ("authUsername", &changes.auth_username),
            ("authPassword", &changes.auth_password),
        ] {
            if let Some(value) = value {
                check_name(field, value)?;
            }
        }
        let now = now_millis();
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to update a handler")?;
        let company = company_for(tx.exec(), actor, company, Access::Administer).await?;
        let current = handler_for_change(&mut tx, &company, handler, expect).await?;
        let id = current.id;
        tx.update_handler(
            id,
            changes.name.as_deref().unwrap_or(&current.name),
            changes
                .auth_username
                .as_deref()
                .unwrap_or(&current.auth_username),
            changes.enabled.unwrap_or(current.enabled),
            now,
        )
        .await
        .context("updating a handler")?;
        if let Some(password) = &changes.auth_password {
            let sealed = self
                .sealer
                .seal_str(
                    password,
                    SealContext::IdosHandlerPassword {
                        public_key: &current.public_key,
                    },
                )
                .context("sealing a handler's password")?;
            tx.set_handler_password(id, &sealed)
                .await
                .context("storing a handler's password")?;
        }
        let row = written_handler(&mut tx, id).await?;
        let data = event_data::handler(&row);
        tx.insert_event(
            company_event(actor, EventType::HandlerUpdated, &company, data),
            now,
        )
        .await
        .context("writing a handler's update event")?;
        tx.commit().await.context("committing a handler's update")?;
        Ok(Handler::from_row(row, None))
    }

    pub async fn idos_delete_handler(
        &self,
        actor: &Actor,
        company: CompanyRef<'_>,
        handler: HandlerRef<'_>,
        expect: Expect<'_, Handler>,
    ) -> ServiceResult<u64> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete a handler")?;
        let company = company_for(tx.exec(), actor, company, Access::Administer).await?;
        let handler = handler_for_change(&mut tx, &company, handler, expect).await?;
        let deleted = tx
            .delete_idos_row(IdosTable::Handlers, handler.id)
            .await
            .context("deleting a handler")?;
        let data = event_data::handler(&handler);
        tx.insert_event(
            company_event(actor, EventType::HandlerDeleted, &company, data),
            now_millis(),
        )
        .await
        .context("writing a handler's deletion event")?;
        tx.commit()
            .await
            .context("committing a handler's deletion")?;
        Ok(deleted)
    }
}
