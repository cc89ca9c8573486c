//! SQLite cannot drop a table constraint: the table is rebuilt without it (the procedure of
//! SQLite's documentation, "Making Other Kinds Of Table Schema Changes"). The new table is
//! made from the table's own definition as the database holds it, less the constraint, so
//! that every column, index and trigger that any migration gave the table (those of other
//! branches included) is kept, in the same order, with no list of columns to keep in step.
//!
//! Used once, by the tenants migration (`0007`): organization names are unique per tree, no
//! longer across the server (see `migrations/sqlite/0007_tenants.sql`).

use sqlx::{Connection, SqliteConnection};

use super::{StoreError, StoreResult};

/// The server-wide unique organization name of `0001`, which `0007` replaces by names unique
/// within each tree.
pub(super) async fn drop_server_wide_org_names(conn: &mut SqliteConnection) -> StoreResult<()> {
    drop_table_constraint(conn, "organizations", "organizations_name_key").await
}

/// Rebuilds `table` without its table constraint `constraint`, when it still has it; does
/// nothing otherwise. Foreign keys are off on `conn` meanwhile (rows of other tables keep
/// referring to the table by name) and checked before the commit.
async fn drop_table_constraint(
    conn: &mut SqliteConnection,
    table: &str,
    constraint: &str,
) -> StoreResult<()> {
    // Cheap when there is nothing to do: one read of the schema.
    if !has_constraint(conn, table, constraint).await? {
        return Ok(());
    }
    sqlx::query("PRAGMA foreign_keys = OFF")
        .execute(&mut *conn)
        .await?;
    // The rename below must not rewrite (nor check) other tables' triggers and views.
    sqlx::query("PRAGMA legacy_alter_table = ON")
        .execute(&mut *conn)
        .await?;
    let rebuilt = rebuild(conn, table, constraint).await;
    let restored = async {
        sqlx::query("PRAGMA legacy_alter_table = OFF")
            .execute(&mut *conn)
            .await?;
        sqlx::query("PRAGMA foreign_keys = ON")
            .execute(&mut *conn)
            .await
    }
    .await;
    rebuilt?;
    restored?;
    Ok(())
}

async fn has_constraint(
    conn: &mut SqliteConnection,
    table: &str,
    constraint: &str,
) -> StoreResult<bool> {
    let sql = table_sql(conn, table).await?;
    Ok(without_constraint(&sql, constraint).is_some())
}

async fn table_sql(conn: &mut SqliteConnection, table: &str) -> StoreResult<String> {
    let sql: Option<String> =
        sqlx::query_scalar("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = $1")
            .bind(table)
            .fetch_optional(&mut *conn)
            .await?;
    sql.ok_or_else(|| rebuild_error(format!("no table {table}")))
}

async fn rebuild(conn: &mut SqliteConnection, table: &str, constraint: &str) -> StoreResult<()> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    // Read again under the write lock: another process may have rebuilt it meanwhile.
    let sql = table_sql(&mut tx, table).await?;
    let Some(definition) = without_constraint(&sql, constraint) else {
        return Ok(());
    };
    let columns = definition
        .find('(')
        .ok_or_else(|| rebuild_error(format!("cannot read the definition of {table}")))?;
    let new_table = format!("{table}_rebuilt");
    let create = format!("CREATE TABLE {new_table} {}", &definition[columns..]);
    // Indexes (not those of constraints, which have no SQL: the new table has its own) and
    // triggers go with the old table: they are made again on the new one.
    let attached: Vec<String> = sqlx::query_scalar(
        "SELECT sql FROM sqlite_schema WHERE tbl_name = $1 AND type IN ('index', 'trigger') \
         AND sql IS NOT NULL ORDER BY type, name",
    )
    .bind(table)
    .fetch_all(&mut *tx)
    .await?;

    run(&mut tx, create).await?;
    // Same definition, same columns in the same order.
    run(
        &mut tx,
        format!("INSERT INTO {new_table} SELECT * FROM {table}"),
    )
    .await?;
    if definition.to_ascii_uppercase().contains("AUTOINCREMENT") {
        // Keep AUTOINCREMENT's promise: no id of a deleted row comes back.
        run(
            &mut tx,
            format!(
                "INSERT INTO sqlite_sequence (name, seq) SELECT '{new_table}', seq \
                 FROM sqlite_sequence WHERE name = '{table}' AND NOT EXISTS \
                 (SELECT 1 FROM sqlite_sequence WHERE name = '{new_table}')"
            ),
        )
        .await?;
        run(
            &mut tx,
            format!(
                "UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq \
                 FROM sqlite_sequence WHERE name = '{table}'), 0)) WHERE name = '{new_table}'"
            ),
        )
        .await?;
    }
    run(&mut tx, format!("DROP TABLE {table}")).await?;
    run(
        &mut tx,
        format!("ALTER TABLE {new_table} RENAME TO {table}"),
    )
    .await?;
    for sql in attached {
        run(&mut tx, sql).await?;
    }
    let broken: Vec<(String,)> = sqlx::query_as("PRAGMA foreign_key_check")
        .fetch_all(&mut *tx)
        .await?;
    if !broken.is_empty() {
        return Err(rebuild_error(format!(
            "rebuilding {table} would break foreign keys of {broken:?}"
        )));
    }
    tx.commit().await?;
    Ok(())
}

async fn run(conn: &mut SqliteConnection, sql: String) -> StoreResult<()> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// `sql`, a `CREATE TABLE` statement, without its table constraint `CONSTRAINT <name> …` and
/// the comma that separates it from the item before (or after) it; `None` when it has no
/// such constraint. The constraint runs to the end of its parenthesized column list.
fn without_constraint(sql: &str, constraint: &str) -> Option<String> {
    let marker = format!("CONSTRAINT {constraint} ");
    let start = sql.find(&marker)?;
    let open = start + sql[start..].find('(')?;
    let close = open + sql[open..].find(')')?;
    let end = close + 1;
    let before = sql[..start].trim_end();
    if let Some(kept) = before.strip_suffix(',') {
        return Some(format!("{kept}{}", &sql[end..]));
    }
    let after = sql[end..].trim_start();
    let rest = after.strip_prefix(',')?;
    Some(format!("{}{}", &sql[..start], rest.trim_start()))
}

fn rebuild_error(message: String) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "CREATE TABLE organizations (\n    id INTEGER PRIMARY KEY,\n    \
                         name TEXT NOT NULL, slug TEXT,\n    \
                         CONSTRAINT organizations_name_key UNIQUE (name)\n)";

    #[test]
    fn a_last_constraint_goes_with_the_comma_before_it() {
        assert_eq!(
            without_constraint(TABLE, "organizations_name_key").unwrap(),
            "CREATE TABLE organizations (\n    id INTEGER PRIMARY KEY,\n    \
             name TEXT NOT NULL, slug TEXT\n)"
        );
        assert_eq!(without_constraint(TABLE, "other_key"), None);
    }

    #[test]
    fn a_first_constraint_goes_with_the_comma_after_it() {
        let sql = "CREATE TABLE t (CONSTRAINT t_key UNIQUE (a, b), a TEXT, b TEXT)";
        assert_eq!(
            without_constraint(sql, "t_key").unwrap(),
            "CREATE TABLE t (a TEXT, b TEXT)"
        );
    }
}
