//! Organization slugs (the idOS face's company names in URLs): set when an organization is
//! created, by any face or command, and given to older rows when the store opens.

use std::collections::HashSet;

use sqlx::QueryBuilder;

use super::{Store, StoreResult, Tx, on_tx};
use crate::crypto;
use crate::domain::slug::slugify;

/// The slug an organization's name gives when nothing else has it yet.
fn base_slug(name: &str) -> String {
    slugify(name, "company")
}

impl Tx {
    /// Gives each new organization `(id, name)` a unique slug: its name's, or, when another
    /// organization has that already, the name's followed by `-<id>` (then by random hex).
    /// One read of the slugs taken and one statement for the whole batch (at most `MAX_ROWS`).
    pub async fn set_new_org_slugs(&mut self, orgs: &[(i64, &str)]) -> StoreResult<()> {
        if orgs.is_empty() {
            return Ok(());
        }
        let candidates: Vec<(i64, String, String)> = orgs
            .iter()
            .map(|(id, name)| {
                let base = base_slug(name);
                let numbered = format!("{base}-{id}");
                (*id, base, numbered)
            })
            .collect();
        let mut taken: HashSet<String> = on_tx!(self, |c| {
            let mut query = QueryBuilder::new("SELECT slug FROM organizations WHERE slug IN (");
            let mut list = query.separated(", ");
            for (_, base, numbered) in &candidates {
                list.push_bind(base.as_str());
                list.push_bind(numbered.as_str());
            }
            query.push(")");
            query
                .build_query_scalar::<String>()
                .persistent(false)
                .fetch_all(c)
                .await?
        })
        .into_iter()
        .collect();
        let mut chosen = Vec::with_capacity(candidates.len());
        for (id, base, numbered) in candidates {
            let slug = if !taken.contains(&base) {
                base
            } else if !taken.contains(&numbered) {
                numbered
            } else {
                format!("{numbered}-{}", hex::encode(crypto::random_bytes(3)))
            };
            taken.insert(slug.clone());
            chosen.push((id, slug));
        }
        on_tx!(self, |c| {
            let mut query = QueryBuilder::new("UPDATE organizations SET slug = CASE id");
            for (id, slug) in &chosen {
                query
                    .push(" WHEN ")
                    .push_bind(*id)
                    .push(" THEN ")
                    .push_bind(slug.as_str());
            }
            query.push(" END WHERE id IN (");
            let mut list = query.separated(", ");
            for (id, _) in &chosen {
                list.push_bind(*id);
            }
            query.push(")");
            query
                .build()
                .persistent(false)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}

impl Store {
    /// Gives a slug to every organization without one (those created before slugs existed),
    /// 500 at a time. Run when the store opens; a no-op once every row has one.
    pub(super) async fn backfill_org_slugs(&self) -> StoreResult<()> {
        loop {
            let mut tx = self.begin().await?;
            let missing: Vec<(i64, String)> = on_tx!(tx, |c| {
                sqlx::query_as(
                    "SELECT id, name FROM organizations WHERE slug IS NULL ORDER BY id LIMIT 500",
                )
                .fetch_all(c)
                .await?
            });
            if missing.is_empty() {
                return Ok(());
            }
            let orgs: Vec<(i64, &str)> = missing
                .iter()
                .map(|(id, name)| (*id, name.as_str()))
                .collect();
            tx.set_new_org_slugs(&orgs).await?;
            tx.commit().await?;
        }
    }
}
