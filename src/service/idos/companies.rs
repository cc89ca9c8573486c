//! Companies: orghub organizations, named by their slug. Creating, renaming and deleting one is
//! the organization use case every face shares (`orgs.rs`), so the tree's rules hold here too.

use super::{IdosKind, IdosResult, company_for, not_found};
use crate::domain::{Millis, PublicId};
use crate::service::Services;
use crate::service::actor::{Access, Actor};
use crate::service::error::ServiceError;
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
            public_key: row.public_id.replace('-', ""),
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

fn public_id(row: &CompanyRow) -> IdosResult<PublicId> {
    PublicId::parse(&row.public_id).ok_or_else(|| {
        ServiceError::Internal(anyhow::anyhow!("a stored organization id is not a UUID")).into()
    })
}

impl Services {
    /// The actor's company and every company below it.
    pub async fn idos_companies(
        &self,
        actor: &Actor,
        window: CompanyWindow,
    ) -> IdosResult<Vec<Company>> {
        let rows = self
            .idos_read()
            .companies_in_subtree(&actor.org_path, window.after, window.before)
            .await?;
        Ok(rows.into_iter().map(Company::from).collect())
    }

    /// Any company by slug: idOS shows a company's public information without credentials.
    pub async fn idos_public_company(&self, slug: &str) -> IdosResult<Company> {
        self.idos_read()
            .company_by_slug(slug)
            .await?
            .map(Company::from)
            .ok_or_else(|| not_found(IdosKind::Company, slug))
    }

    /// A new child of company `parent`.
    pub async fn idos_create_company(
        &self,
        actor: &Actor,
        parent: &str,
        name: &str,
    ) -> IdosResult<Company> {
        let parent = company_for(self.idos_read(), actor, parent, Access::Administer).await?;
        let created = self
            .create_org(actor, name, Some(&public_id(&parent)?))
            .await?;
        self.company_by_org_id(created.id).await
    }

    pub async fn idos_rename_company(
        &self,
        actor: &Actor,
        slug: &str,
        name: &str,
    ) -> IdosResult<Company> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        let updated = self
            .update_org(actor, &public_id(&company)?, Some(name), None)
            .await?;
        self.company_by_org_id(updated.id).await
    }

    pub async fn idos_delete_company(&self, actor: &Actor, slug: &str) -> IdosResult<()> {
        let company = company_for(self.idos_read(), actor, slug, Access::Administer).await?;
        self.delete_org(actor, &public_id(&company)?).await?;
        Ok(())
    }

    async fn company_by_org_id(&self, id: i64) -> IdosResult<Company> {
        self.idos_read()
            .company_by_id(id)
            .await?
            .map(Company::from)
            .ok_or_else(|| not_found(IdosKind::Company, id))
    }
}
