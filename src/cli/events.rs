//! `orghub events`: the audit log, newest first, read a page at a time.

use clap::Args;

use super::{DataArgs, in_words, parse_id, when};
use crate::domain::events::EventType;
use crate::service::{EVENT_PAGE_SIZE, EventQuery, event_json};
use crate::startup::open_services;

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Only events of this organization and of those below it.
    #[arg(long)]
    org: Option<String>,
    /// Only events of this type (see docs/hooks.md for the catalog).
    #[arg(long = "type")]
    kind: Option<String>,
    /// Only events since then: RFC 3339, or an age such as 24h or 7d.
    #[arg(long)]
    since: Option<String>,
    /// Print at most this many events (0: all of them).
    #[arg(long, default_value_t = 100)]
    limit: usize,
    /// One JSON object per line, each as hooks receive it.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    data: DataArgs,
}

pub async fn run(args: EventsArgs) -> anyhow::Result<()> {
    if let Some(kind) = &args.kind
        && EventType::parse(kind).is_none()
    {
        anyhow::bail!("'{kind}' is not an event type");
    }
    let query = EventQuery {
        org: args
            .org
            .as_deref()
            .map(|id| parse_id(id, "an organization id"))
            .transpose()?,
        kind: args.kind.clone(),
        since: args
            .since
            .as_deref()
            .map(when::parse_since)
            .transpose()
            .map_err(anyhow::Error::msg)?,
    };
    let services = open_services(&args.data.settings()).await?;
    let mut before = None;
    let mut printed = 0;
    loop {
        let page = services
            .events_page(&query, before)
            .await
            .map_err(in_words)?;
        for row in &page {
            if args.limit != 0 && printed == args.limit {
                return Ok(());
            }
            let event = event_json(row);
            if args.json {
                println!("{event}");
            } else {
                println!(
                    "{}  {:<28} org {}  event {}  by {}",
                    event["occurredAt"].as_str().unwrap_or_default(),
                    row.kind,
                    row.org_public_id,
                    row.public_id,
                    event["actor"]["kind"].as_str().unwrap_or("unknown"),
                );
            }
            printed += 1;
        }
        match page.last() {
            Some(last) if page.len() as i64 == EVENT_PAGE_SIZE => before = Some(last.id),
            _ => return Ok(()),
        }
    }
}
