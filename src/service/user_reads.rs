//! Users read one at a time, or a filtered page of a subtree's users at a time.

use anyhow::Context;

use super::Services;
use super::actor::{Access, Actor};
use super::error::ServiceResult;
use super::lookup::{find_org, find_user, parse_email};
use super::records::User;
use crate::domain::{Kind, PublicId};
use crate::store::UserFilter;

/// Which users of the actor's subtree a page holds.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Only the users of this organization.
    pub org: Option<PublicId>,
    /// Only the user with this email (compared as emails are: see `Email::key`).
    pub email: Option<String>,
}

impl Services {
    /// A user of the actor's subtree.
    pub async fn get_user(&self, actor: &Actor, id: &PublicId) -> ServiceResult<User> {
        let row = find_user(self.store.read(), id).await?;
        actor.authorize(Access::Read, &row.org_path, Kind::User, row.public_id)?;
        Ok(User::from_row(row, Vec::new()))
    }

    /// At most `limit` users of the actor's subtree matching `query`, after user id `after`,
    /// in creation order.
    pub async fn users_page(
        &self,
        actor: &Actor,
        query: &UserQuery,
        after: Option<i64>,
        limit: u32,
    ) -> ServiceResult<Vec<User>> {
        let mut filter = UserFilter::default();
        if let Some(org) = &query.org {
            let org = find_org(self.store.read(), org, Kind::Organization).await?;
            actor.authorize(Access::Read, &org.path, Kind::Organization, org.public_id)?;
            filter.org_id = Some(org.id);
        }
        if let Some(email) = &query.email {
            filter.email_key = Some(parse_email(email)?.key());
        }
        let rows = self
            .store
            .read()
            .users_page(
                &actor.org_path,
                &filter,
                after.unwrap_or(0),
                i64::from(limit),
            )
            .await
            .context("reading a page of users")?;
        Ok(rows
            .into_iter()
            .map(|row| User::from_row(row, Vec::new()))
            .collect())
    }
}
