//! Reads of the organization tree a page at a time, in id order (keyset pagination: a page is
//! "the next `limit` ids after `after`", so concurrent inserts never shift a page).

use super::orgs::select_org;
use super::{Exec, OrgRow, StoreResult, on_exec};
use crate::domain::OrgPath;

impl Exec<'_> {
    /// At most `limit` children of organization `parent`, after id `after`, in id order.
    pub async fn org_children_after(
        self,
        parent: i64,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<OrgRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, OrgRow>(select_org!(
                "WHERE o.parent_id = $1 AND o.id > $2 ORDER BY o.id LIMIT $3"
            ))
            .bind(parent)
            .bind(after)
            .bind(limit)
            .fetch_all(c)
            .await?
        }))
    }

    /// At most `limit` organizations of the subtree at `root` (itself included), after id
    /// `after`, in id order, whose path holds at most `max_ids` ids (the root's own depth plus
    /// the levels asked for). A path's depth is its count of `/` less one, on both databases.
    pub async fn org_subtree_after(
        self,
        root: &OrgPath,
        max_ids: i64,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<OrgRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, OrgRow>(select_org!(
                "WHERE o.path >= $1 AND o.path < $2 \
                 AND length(o.path) - length(replace(o.path, '/', '')) - 1 <= $3 \
                 AND o.id > $4 ORDER BY o.id LIMIT $5"
            ))
            .bind(root.as_str())
            .bind(root.subtree_upper_bound())
            .bind(max_ids)
            .bind(after)
            .bind(limit)
            .fetch_all(c)
            .await?
        }))
    }

    /// The organizations with these integer ids, in no particular order.
    pub async fn orgs_by_ids(self, ids: &[i64]) -> StoreResult<Vec<OrgRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(on_exec!(self, |c| {
            let mut query = sqlx::QueryBuilder::new(select_org!("WHERE o.id IN ("));
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            query.push(")");
            query.build_query_as::<OrgRow>().fetch_all(c).await?
        }))
    }
}
