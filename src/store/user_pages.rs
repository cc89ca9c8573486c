//! The users of a subtree a page at a time, in id order, with optional filters (keyset
//! pagination: a page is "the next `limit` ids after `after`").

use super::users::user_columns;
use super::{Exec, StoreResult, UserRow, on_exec};
use crate::domain::OrgPath;

/// Which users of a subtree a page holds.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Only the users of this organization (its integer id).
    pub org_id: Option<i64>,
    /// Only the user with this email key (see `Email::key`).
    pub email_key: Option<String>,
}

impl Exec<'_> {
    /// At most `limit` users of the organizations of the subtree at `root` that pass
    /// `filter`, after user id `after`, in id order.
    pub async fn users_page(
        self,
        root: &OrgPath,
        filter: &UserFilter,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<UserRow>> {
        Ok(on_exec!(self, |c| {
            let mut query = sqlx::QueryBuilder::new(concat!(
                "SELECT ",
                user_columns!(),
                "FROM users u JOIN organizations o ON o.id = u.org_id WHERE o.path >= "
            ));
            query.push_bind(root.as_str());
            query.push(" AND o.path < ");
            query.push_bind(root.subtree_upper_bound());
            query.push(" AND u.id > ");
            query.push_bind(after);
            if let Some(org_id) = filter.org_id {
                query.push(" AND u.org_id = ");
                query.push_bind(org_id);
            }
            if let Some(email_key) = &filter.email_key {
                query.push(" AND u.email_key = ");
                query.push_bind(email_key.clone());
            }
            query.push(" ORDER BY u.id LIMIT ");
            query.push_bind(limit);
            query.build_query_as::<UserRow>().fetch_all(c).await?
        }))
    }
}
