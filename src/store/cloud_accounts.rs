use super::{Exec, JsonText, StoreResult, Tx, on_exec, on_tx};
use crate::domain::{Millis, OrgPath, PublicId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CloudAccountRow {
    pub id: i64,
    pub public_id: PublicId,
    pub org_id: i64,
    pub org_public_id: PublicId,
    pub org_path: OrgPath,
    pub name: String,
    pub environment: String,
    /// Stored as a JSON array of strings.
    pub tags: JsonText<Vec<String>>,
    pub aws_account_id: String,
    pub role_arn: String,
    pub external_id: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

pub struct NewCloudAccount<'a> {
    pub public_id: &'a PublicId,
    pub org_id: i64,
    pub name: &'a str,
    pub environment: &'a str,
    pub tags: &'a str,
    pub aws_account_id: &'a str,
    pub role_arn: &'a str,
    pub external_id: &'a str,
}

/// The account columns, with the organization's public id, followed by `$tail` (a literal).
macro_rules! select_account {
    ($tail:literal) => {
        concat!(
            "SELECT a.id, a.public_id, a.org_id, o.public_id AS org_public_id, ",
            "o.path AS org_path, a.name, ",
            "a.environment, a.tags, a.aws_account_id, a.role_arn, a.external_id, a.created_at, ",
            "a.updated_at FROM cloud_accounts a JOIN organizations o ON o.id = a.org_id ",
            $tail
        )
    };
}

const ACCOUNT_BY_PUBLIC_ID: super::locks::LockingRead =
    super::locks::locking_read!(select_account!("WHERE a.public_id = $1"), "a");

impl Tx {
    /// The account `id`, read and locked (see `locks`) for the rest of the transaction.
    pub async fn cloud_account_locked(
        &mut self,
        id: &PublicId,
        lock: super::RowLock,
    ) -> StoreResult<Option<CloudAccountRow>> {
        let sql = self.locking(&ACCOUNT_BY_PUBLIC_ID, lock);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, CloudAccountRow>(sql)
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }
}

impl Exec<'_> {
    pub async fn cloud_accounts_of_org(self, org_id: i64) -> StoreResult<Vec<CloudAccountRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, CloudAccountRow>(select_account!(
                "WHERE a.org_id = $1 ORDER BY a.id"
            ))
            .bind(org_id)
            .fetch_all(c)
            .await?
        }))
    }

    pub async fn cloud_account_by_public_id(
        self,
        id: &PublicId,
    ) -> StoreResult<Option<CloudAccountRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, CloudAccountRow>(select_account!("WHERE a.public_id = $1"))
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }
}

impl Tx {
    pub async fn insert_cloud_account(
        &mut self,
        account: &NewCloudAccount<'_>,
        now: Millis,
    ) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO cloud_accounts (public_id, org_id, name, environment, tags, \
                 aws_account_id, role_arn, external_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            )
            .bind(account.public_id.to_string())
            .bind(account.org_id)
            .bind(account.name)
            .bind(account.environment)
            .bind(account.tags)
            .bind(account.aws_account_id)
            .bind(account.role_arn)
            .bind(account.external_id)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    pub async fn update_cloud_account(
        &mut self,
        id: i64,
        name: &str,
        environment: &str,
        tags: &str,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE cloud_accounts SET name = $1, environment = $2, tags = $3, updated_at = $4 \
                 WHERE id = $5",
            )
            .bind(name)
            .bind(environment)
            .bind(tags)
            .bind(now)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    pub async fn delete_cloud_account(&mut self, id: i64) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("DELETE FROM cloud_accounts WHERE id = $1")
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}
