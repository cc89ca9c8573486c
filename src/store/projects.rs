use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::connection::ConnectionType;
use crate::domain::{Millis, OrgPath, PublicId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub public_id: PublicId,
    pub org_id: i64,
    pub org_path: OrgPath,
    pub name: String,
    pub description: String,
    pub template_public_id: Option<PublicId>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConnectionRow {
    pub id: i64,
    pub public_id: PublicId,
    pub name: String,
    #[sqlx(rename = "type")]
    pub kind: ConnectionType,
}

pub struct NewConnection<'a> {
    pub public_id: &'a PublicId,
    pub name: &'a str,
    pub kind: ConnectionType,
}

macro_rules! select_project {
    ($tail:literal) => {
        concat!(
            "SELECT p.id, p.public_id, p.org_id, o.path AS org_path, p.name, p.description, ",
            "t.public_id AS template_public_id ",
            "FROM projects p JOIN organizations o ON o.id = p.org_id ",
            "LEFT JOIN templates t ON t.id = p.template_id ",
            $tail
        )
    };
}

const PROJECT_BY_PUBLIC_ID: super::locks::LockingRead =
    super::locks::locking_read!(select_project!("WHERE p.public_id = $1"), "p");

impl Tx {
    /// The project `id`, read and locked (see `locks`) for the rest of the transaction.
    pub async fn project_locked(
        &mut self,
        id: &PublicId,
        lock: super::RowLock,
    ) -> StoreResult<Option<ProjectRow>> {
        let sql = self.locking(&PROJECT_BY_PUBLIC_ID, lock);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, ProjectRow>(sql)
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }
}

impl Exec<'_> {
    pub async fn project_by_public_id(self, id: &PublicId) -> StoreResult<Option<ProjectRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ProjectRow>(select_project!("WHERE p.public_id = $1"))
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn projects_of_org(self, org_id: i64) -> StoreResult<Vec<ProjectRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ProjectRow>(select_project!("WHERE p.org_id = $1 ORDER BY p.id"))
                .bind(org_id)
                .fetch_all(c)
                .await?
        }))
    }

    /// A page of the organization's projects: at most `limit` after the project `after` (its
    /// row id), in id order.
    pub async fn projects_of_org_page(
        self,
        org_id: i64,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<ProjectRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ProjectRow>(select_project!(
                "WHERE p.org_id = $1 AND p.id > $2 ORDER BY p.id LIMIT $3"
            ))
            .bind(org_id)
            .bind(after)
            .bind(limit)
            .fetch_all(c)
            .await?
        }))
    }

    pub async fn project_connections(self, project_id: i64) -> StoreResult<Vec<ConnectionRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ConnectionRow>(
                "SELECT id, public_id, name, type FROM project_connections \
                 WHERE project_id = $1 ORDER BY position",
            )
            .bind(project_id)
            .fetch_all(c)
            .await?
        }))
    }

    pub async fn connection_details_sealed(self, id: i64) -> StoreResult<Option<Vec<u8>>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_scalar("SELECT details_sealed FROM project_connections WHERE id = $1")
                .bind(id)
                .fetch_optional(c)
                .await?
        })
        .flatten())
    }
}

impl Tx {
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_project(
        &mut self,
        public_id: &PublicId,
        org_id: i64,
        name: &str,
        description: &str,
        template_id: Option<i64>,
        graphs: Option<&str>,
        now: Millis,
    ) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO projects (public_id, org_id, name, description, template_id, graphs, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(public_id.to_string())
            .bind(org_id)
            .bind(name)
            .bind(description)
            .bind(template_id)
            .bind(graphs)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    pub async fn insert_project_connection(
        &mut self,
        project_id: i64,
        position: i64,
        connection: &NewConnection<'_>,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "INSERT INTO project_connections (public_id, project_id, position, name, type, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(connection.public_id.to_string())
            .bind(project_id)
            .bind(position)
            .bind(connection.name)
            .bind(connection.kind.as_str())
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    pub async fn update_project(
        &mut self,
        id: i64,
        name: &str,
        description: &str,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE projects SET name = $1, description = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(name)
            .bind(description)
            .bind(now)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    pub async fn set_connection_details(
        &mut self,
        id: i64,
        sealed: &[u8],
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE project_connections SET details_sealed = $1, updated_at = $2 WHERE id = $3",
            )
            .bind(sealed)
            .bind(now)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    pub async fn delete_project(&mut self, id: i64) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("DELETE FROM projects WHERE id = $1")
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}
