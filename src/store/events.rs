use sqlx::QueryBuilder;

use super::{StoreResult, Tx, on_tx};
use crate::domain::Millis;

/// A domain event, written in the transaction of the change it describes (the outbox).
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub org_id: Option<i64>,
    /// The public id of the record the event is about.
    pub subject: &'a str,
    pub payload: serde_json::Value,
}

impl Tx {
    pub async fn insert_event(&mut self, event: NewEvent<'_>, now: Millis) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "INSERT INTO events (kind, org_id, subject, payload, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(event.kind)
            .bind(event.org_id)
            .bind(event.subject)
            .bind(event.payload.to_string())
            .bind(now)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Inserts the events in one statement (at most `MAX_ROWS`).
    pub async fn insert_events(&mut self, events: &[NewEvent<'_>], now: Millis) -> StoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        on_tx!(self, |c| {
            let mut query = QueryBuilder::new(
                "INSERT INTO events (kind, org_id, subject, payload, created_at) ",
            );
            query.push_values(events, |mut row, event| {
                row.push_bind(event.kind)
                    .push_bind(event.org_id)
                    .push_bind(event.subject)
                    .push_bind(event.payload.to_string())
                    .push_bind(now);
            });
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
