use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::connection::ConnectionType;
use crate::domain::{Millis, OrgPath, PublicId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TemplateRow {
    pub id: i64,
    pub public_id: PublicId,
    pub org_id: i64,
    pub org_path: OrgPath,
    pub name: String,
    /// Free text: what the template is for.
    #[sqlx(rename = "type")]
    pub kind: String,
    pub global: bool,
    /// JSON, copied as is into each project made from the template. It is checked when a
    /// project is made (a template that cannot be copied is `TemplateGeneration`), not here.
    pub graphs: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TemplateConnectionRow {
    pub name: String,
    #[sqlx(rename = "type")]
    pub kind: ConnectionType,
}

macro_rules! select_template {
    ($tail:literal) => {
        concat!(
            "SELECT t.id, t.public_id, t.org_id, o.path AS org_path, t.name, t.type, t.global, t.graphs ",
            "FROM templates t JOIN organizations o ON o.id = t.org_id ",
            $tail
        )
    };
}

impl Exec<'_> {
    pub async fn template_by_public_id(self, id: &PublicId) -> StoreResult<Option<TemplateRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, TemplateRow>(select_template!("WHERE t.public_id = $1"))
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }

    /// The organization's own templates and the global templates of its ancestors: an
    /// ancestor's path is a prefix of the organization's path.
    pub async fn templates_available_to(
        self,
        org_id: i64,
        org_path: &OrgPath,
    ) -> StoreResult<Vec<TemplateRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, TemplateRow>(select_template!(
                "WHERE t.org_id = $1 \
                 OR (t.global = $2 AND substr($3, 1, length(o.path)) = o.path) ORDER BY t.id"
            ))
            .bind(org_id)
            .bind(true)
            .bind(org_path.as_str())
            .fetch_all(c)
            .await?
        }))
    }

    /// A page of `templates_available_to`: at most `limit` after the template `after` (its row
    /// id), in id order.
    pub async fn templates_available_page(
        self,
        org_id: i64,
        org_path: &OrgPath,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<TemplateRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, TemplateRow>(select_template!(
                "WHERE (t.org_id = $1 \
                 OR (t.global = $2 AND substr($3, 1, length(o.path)) = o.path)) \
                 AND t.id > $4 ORDER BY t.id LIMIT $5"
            ))
            .bind(org_id)
            .bind(true)
            .bind(org_path.as_str())
            .bind(after)
            .bind(limit)
            .fetch_all(c)
            .await?
        }))
    }

    pub async fn template_connections(
        self,
        template_id: i64,
    ) -> StoreResult<Vec<TemplateConnectionRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, TemplateConnectionRow>(
                "SELECT name, type FROM template_connections WHERE template_id = $1 ORDER BY position",
            )
            .bind(template_id)
            .fetch_all(c)
            .await?
        }))
    }
}

impl Tx {
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_template(
        &mut self,
        public_id: &PublicId,
        org_id: i64,
        name: &str,
        kind: &str,
        global: bool,
        graphs: &str,
        connections: &[(String, ConnectionType)],
        now: Millis,
    ) -> StoreResult<i64> {
        let id: i64 = on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO templates (public_id, org_id, name, type, global, graphs, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(public_id.to_string())
            .bind(org_id)
            .bind(name)
            .bind(kind)
            .bind(global)
            .bind(graphs)
            .bind(now)
            .fetch_one(c)
            .await?
        });
        for (position, (name, kind)) in connections.iter().enumerate() {
            on_tx!(self, |c| {
                sqlx::query(
                    "INSERT INTO template_connections (template_id, position, name, type) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(position as i64)
                .bind(name)
                .bind(kind.as_str())
                .execute(c)
                .await?
                .rows_affected()
            });
        }
        Ok(id)
    }
}
