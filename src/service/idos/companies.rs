//! Companies: orghub organizations, named by their slug. Creating, renaming and deleting one is
//! the organization use case every face shares (`orgs.rs`), so the tree's rules hold here too.

use anyhow::Context;

use super::company_for;
use crate::domain::{Kind, Millis};
use crate::service::Services;
use crate::service::actor::{Access, Actor};
use crate::service::error::{ServiceError, ServiceResult};
use crate::store::CompanyRow;

/// A company as idOS shows it.
#[derive(Debug, Clone)]
pub struct Company {
    pub id: i64,
    pub name: String,
    pub slug: String,
    /// The organization's UUID without hyphens: 32 hex characters.
    pub public_key: String,
    pub parent_id: Option<i64>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl From<CompanyRow> for Company {
    fn from(row: CompanyRow) -> Self {
        Self {
            id: row.id,
            public_key: row.public_id.to_string().replace('-', ""),
            name: row.name,
            slug: row.slug,
            parent_id: row.parent_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// `GET /companies?after=&before=`: creation times, inclusive lower and exclusive upper bound.
#[derive(Debug, Clone, Copy)]
pub struct CompanyWindow {
    pub after: Millis,
    pub before: Millis,
}

impl Services {
    /// The actor's company and every company below it.
    pub async fn idos_companies(
        &self,
        actor: &Actor,
        window: CompanyWindow,
    ) -> ServiceResult<Vec<Company>> {
        let rows = self
            .store
            .read()
            .companies_in_subtree(&actor.org_path, window.after, window.before)
            .await
            .context("reading the companies of a subtree")?;
        Ok(rows.into_iter().map(Company::from).collect())
    }

    /// Any company by slug: idOS shows a company's public information without credentials.
    pub async fn idos_public_company(&self, slug: &str) -> ServiceResult<Company> {
        self.store
            .read()
            .company_by_slug(slug)
            .await
            .context("reading a company by its slug")?
            .map(Company::from)
            .ok_or_else(|| ServiceError::NotFound {
                kind: Kind::Organization,
                id: slug.to_owned(),
            })
    }

    /// A new child of company `parent`.
    pub async fn idos_create_company(
        &self,
        actor: &Actor,
        parent: &str,
        name: &str,
    ) -> ServiceResult<Company> {
        let parent = company_for(self.store.read(), actor, parent, Access::Administer).await?;
        let created = self
            .create_org(actor, name, Some(&parent.public_id))
            .await?;
        self.company_by_org_id(created.id).await
    }

    pub async fn idos_rename_company(
        &self,
        actor: &Actor,
        slug: &str,
        name: &str,
    ) -> ServiceResult<Company> {
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        let updated = self
            .update_org(actor, &company.public_id, Some(name), None)
            .await?;
        self.company_by_org_id(updated.id).await
    }

    pub async fn idos_delete_company(&self, actor: &Actor, slug: &str) -> ServiceResult<()> {
        let company = company_for(self.store.read(), actor, slug, Access::Administer).await?;
        self.delete_org(actor, &company.public_id).await?;
        Ok(())
    }

    async fn company_by_org_id(&self, id: i64) -> ServiceResult<Company> {
        Ok(self
            .store
            .read()
            .company_by_id(id)
            .await
            .context("reading a company")?
            .map(Company::from)
            .context("a company just written is missing")?)
    }
}
