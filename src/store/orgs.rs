use sqlx::QueryBuilder;

use super::locks::{LockingRead, RowLock, locking_read};
use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::{Millis, OrgPath, PublicId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgRow {
    pub id: i64,
    pub public_id: PublicId,
    pub name: String,
    pub parent_id: Option<i64>,
    pub parent_public_id: Option<PublicId>,
    pub path: OrgPath,
    pub region: String,
    pub created_at: Millis,
}

/// What checking an SSO JWT for an organization needs of it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SsoSecretRow {
    pub sso_secret_sealed: Option<Vec<u8>>,
    pub sso_epoch: i64,
    pub region: String,
}

/// An organization to insert below an existing parent (see `Tx::insert_orgs`).
pub struct NewOrg<'a> {
    pub public_id: &'a PublicId,
    pub name: &'a str,
    pub parent_id: i64,
    /// The parent's tree: names are unique within it.
    pub root_id: i64,
    pub region: &'a str,
}

/// The organization columns, with the parent's public id, followed by `$tail` (a literal).
macro_rules! select_org {
    ($tail:literal) => {
        concat!(
            "SELECT o.id, o.public_id, o.name, o.parent_id, p.public_id AS parent_public_id, ",
            "o.path, o.region, o.created_at ",
            "FROM organizations o LEFT JOIN organizations p ON p.id = o.parent_id ",
            $tail
        )
    };
}

pub(super) use select_org;

const ORG_BY_PUBLIC_ID: LockingRead = locking_read!(select_org!("WHERE o.public_id = $1"), "o");
const ORG_BY_ID: LockingRead = locking_read!(select_org!("WHERE o.id = $1"), "o");

impl Tx {
    /// The organization `id`, read and locked (see `locks`) for the rest of the transaction.
    pub async fn org_locked(
        &mut self,
        id: &PublicId,
        lock: RowLock,
    ) -> StoreResult<Option<OrgRow>> {
        let sql = self.locking(&ORG_BY_PUBLIC_ID, lock);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, OrgRow>(sql)
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }

    /// The organization with integer id `id`, read and locked (see `locks`).
    pub async fn org_by_id_locked(
        &mut self,
        id: i64,
        lock: RowLock,
    ) -> StoreResult<Option<OrgRow>> {
        let sql = self.locking(&ORG_BY_ID, lock);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, OrgRow>(sql)
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }
}

impl Exec<'_> {
    pub async fn org_by_public_id(self, id: &PublicId) -> StoreResult<Option<OrgRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, OrgRow>(select_org!("WHERE o.public_id = $1"))
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn org_by_id(self, id: i64) -> StoreResult<Option<OrgRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, OrgRow>(select_org!("WHERE o.id = $1"))
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }

    /// The organizations with these public ids (at most `MAX_ROWS`), in no particular order;
    /// ids that name none are left out.
    pub async fn orgs_by_public_ids(self, ids: &[PublicId]) -> StoreResult<Vec<OrgRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_exec!(self, |c| {
            let mut query = QueryBuilder::new(select_org!("WHERE o.public_id IN ("));
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(id.to_string());
            }
            query.push(")");
            query
                .build_query_as::<OrgRow>()
                .persistent(ids.len() == 1)
                .fetch_all(c)
                .await?
        }))
    }

    /// At most `limit` organizations of the subtree at `root`, in path order (parents before
    /// their children), starting with `root` itself or, given `after`, just after that path:
    /// a range scan of the path index, without sorting, on both databases.
    pub async fn orgs_in_subtree_after(
        self,
        root: &OrgPath,
        after: Option<&OrgPath>,
        limit: i64,
    ) -> StoreResult<Vec<OrgRow>> {
        let (sql, lower) = match after {
            None => (
                select_org!("WHERE o.path >= $1 AND o.path < $2 ORDER BY o.path LIMIT $3"),
                root.as_str(),
            ),
            Some(after) => (
                select_org!("WHERE o.path > $1 AND o.path < $2 ORDER BY o.path LIMIT $3"),
                after.as_str(),
            ),
        };
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, OrgRow>(sql)
                .bind(lower)
                .bind(root.subtree_upper_bound())
                .bind(limit)
                .fetch_all(c)
                .await?
        }))
    }

    /// The organization at `root` and every organization below it, in creation order.
    pub async fn orgs_in_subtree(self, root: &OrgPath) -> StoreResult<Vec<OrgRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, OrgRow>(select_org!(
                "WHERE o.path >= $1 AND o.path < $2 ORDER BY o.id"
            ))
            .bind(root.as_str())
            .bind(root.subtree_upper_bound())
            .fetch_all(c)
            .await?
        }))
    }

    /// The sealed SSO secret of organization `id`, with its epoch and the organization's
    /// region; `None` when there is no such organization.
    pub async fn org_sso_secret(self, id: i64) -> StoreResult<Option<SsoSecretRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, SsoSecretRow>(
                "SELECT sso_secret_sealed, sso_epoch, region FROM organizations WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(c)
            .await?
        }))
    }

    /// The organisation's singleton external ID, once its first cloud account set it.
    pub async fn org_external_id(self, id: i64) -> StoreResult<Option<String>> {
        let external_id: Option<Option<String>> = on_exec!(self, |c| {
            sqlx::query_scalar("SELECT external_id FROM organizations WHERE id = $1")
                .bind(id)
                .fetch_optional(c)
                .await?
        });
        Ok(external_id.flatten())
    }

    pub async fn org_has_children(self, id: i64) -> StoreResult<bool> {
        let child: Option<i64> = on_exec!(self, |c| {
            sqlx::query_scalar("SELECT id FROM organizations WHERE parent_id = $1 LIMIT 1")
                .bind(id)
                .fetch_optional(c)
                .await?
        });
        Ok(child.is_some())
    }
}

impl Tx {
    /// Inserts an organization below `parent` (or as a root, with its tenant's usage row) and
    /// returns its id.
    pub async fn insert_org(
        &mut self,
        public_id: &PublicId,
        name: &str,
        parent: Option<(i64, &OrgPath)>,
        region: &str,
        now: Millis,
    ) -> StoreResult<i64> {
        // A root's tree is its own id, known only once inserted: its root_id is NULL until the
        // update below (the index of roots' names checks it meanwhile).
        let id: i64 = on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO organizations (public_id, name, parent_id, root_id, path, region, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, '', $5, $6, $6) RETURNING id",
            )
            .bind(public_id.to_string())
            .bind(name)
            .bind(parent.map(|(id, _)| id))
            .bind(parent.map(|(_, path)| path.root_id()))
            .bind(region)
            .bind(now)
            .fetch_one(&mut *c)
            .await?
        });
        let path = match parent {
            Some((_, parent_path)) => parent_path.child(id),
            None => OrgPath::root(id),
        };
        on_tx!(self, |c| {
            sqlx::query("UPDATE organizations SET path = $1, root_id = $2 WHERE id = $3")
                .bind(path.as_str())
                .bind(path.root_id())
                .bind(id)
                .execute(&mut *c)
                .await?;
            if parent.is_none() {
                sqlx::query("INSERT INTO tenant_usage (root_id, orgs, users) VALUES ($1, 1, 0)")
                    .bind(id)
                    .execute(c)
                    .await?;
            }
        });
        self.set_new_org_slugs(&[(id, name)]).await?;
        Ok(id)
    }

    /// Inserts the organizations whose name is free in their tree, in one statement (at most
    /// `MAX_ROWS`), and returns (id, public id) of those inserted: a name already taken, or
    /// listed twice, is skipped. Their paths stay empty until `set_org_paths`.
    pub async fn insert_orgs(
        &mut self,
        orgs: &[NewOrg<'_>],
        now: Millis,
    ) -> StoreResult<Vec<(i64, PublicId)>> {
        if orgs.is_empty() {
            return Ok(Vec::new());
        }
        let inserted = on_tx!(self, |c| {
            let mut query = QueryBuilder::new(
                "INSERT INTO organizations (public_id, name, parent_id, root_id, path, region, created_at, updated_at) ",
            );
            query.push_values(orgs, |mut row, org| {
                row.push_bind(org.public_id.to_string())
                    .push_bind(org.name)
                    .push_bind(org.parent_id)
                    .push_bind(org.root_id)
                    .push("''")
                    .push_bind(org.region)
                    .push_bind(now)
                    .push_bind(now);
            });
            query.push(" ON CONFLICT (root_id, name) DO NOTHING RETURNING id, public_id");
            query
                .build_query_as::<(i64, PublicId)>()
                .persistent(orgs.len() == 1)
                .fetch_all(c)
                .await?
        });
        // Every organization has a slug (the idOS face's name for it).
        let names: std::collections::HashMap<PublicId, &str> =
            orgs.iter().map(|org| (*org.public_id, org.name)).collect();
        let slugged: Vec<(i64, &str)> = inserted
            .iter()
            .filter_map(|(id, public_id)| names.get(public_id).map(|name| (*id, *name)))
            .collect();
        self.set_new_org_slugs(&slugged).await?;
        Ok(inserted)
    }

    /// Sets the path of each organization `id`, in one statement (at most `MAX_ROWS`).
    pub async fn set_org_paths(&mut self, paths: &[(i64, OrgPath)]) -> StoreResult<()> {
        if paths.is_empty() {
            return Ok(());
        }
        on_tx!(self, |c| {
            let mut query = QueryBuilder::new("UPDATE organizations SET path = CASE id");
            for (id, path) in paths {
                query
                    .push(" WHEN ")
                    .push_bind(*id)
                    .push(" THEN ")
                    .push_bind(path.as_str());
            }
            query.push(" END WHERE id IN (");
            let mut list = query.separated(", ");
            for (id, _) in paths {
                list.push_bind(*id);
            }
            query.push(")");
            query
                .build()
                .persistent(paths.len() == 1)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn rename_org(&mut self, id: i64, name: &str, now: Millis) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("UPDATE organizations SET name = $1, updated_at = $2 WHERE id = $3")
                .bind(name)
                .bind(now)
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn set_sso_secret(&mut self, id: i64, sealed: &[u8]) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("UPDATE organizations SET sso_secret_sealed = $1 WHERE id = $2")
                .bind(sealed)
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Makes `external_id` the organisation's singleton unless it already has one; the
    /// statement is atomic, so concurrent first accounts cannot both set it.
    pub async fn claim_external_id(&mut self, id: i64, external_id: &str) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE organizations SET external_id = $1 WHERE id = $2 AND external_id IS NULL",
            )
            .bind(external_id)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Moves the organization `id` (at `old_path`) under a new parent, rewriting the paths of
    /// its whole subtree in one statement.
    pub async fn move_org(
        &mut self,
        id: i64,
        old_path: &OrgPath,
        new_parent: (i64, &OrgPath),
        now: Millis,
    ) -> StoreResult<()> {
        let new_path = new_parent.1.child(id);
        on_tx!(self, |c| {
            sqlx::query("UPDATE organizations SET parent_id = $1, updated_at = $2 WHERE id = $3")
                .bind(new_parent.0)
                .bind(now)
                .bind(id)
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "UPDATE organizations SET path = $1 || substr(path, $2) \
                 WHERE path >= $3 AND path < $4",
            )
            .bind(new_path.as_str())
            // `substr(text, integer)`: PostgreSQL has no `substr` taking a bigint.
            .bind(old_path.as_str().len() as i32 + 1)
            .bind(old_path.as_str())
            .bind(old_path.subtree_upper_bound())
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Deletes the organization; its users, tokens, templates and projects go with it. Fails
    /// with `StoreError::ForeignKey` while it still has child organizations.
    pub async fn delete_org(&mut self, id: i64) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("DELETE FROM organizations WHERE id = $1")
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}
