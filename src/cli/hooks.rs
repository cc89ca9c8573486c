//! `orghub hooks …`: create, list, inspect and replay the hooks of organizations.

use clap::Subcommand;
use serde_json::json;

use super::{DataArgs, in_words, parse_id, when};
use crate::domain::events::rfc3339;
use crate::service::{HookRequest, HookView, Slice};
use crate::startup::open_services;

#[derive(Debug, Subcommand)]
pub enum HooksCommand {
    /// Create a hook: the organization's events (and, unless --no-descendants, those of the
    /// organizations below it) are POSTed to URL, signed. Prints the signing secret once.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        url: String,
        /// Event types, comma-separated (default: every type).
        #[arg(long, value_delimiter = ',')]
        types: Vec<String>,
        /// Only the organization's own events.
        #[arg(long)]
        no_descendants: bool,
        /// Deliveries to this endpoint in flight at once, per node.
        #[arg(long)]
        max_in_flight: Option<u32>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List hooks (never their secrets).
    List {
        #[arg(long)]
        org: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// The delivery log of a hook: each attempt, newest first.
    Deliveries {
        hook_id: String,
        /// Print at most this many attempts (0: all of them).
        #[arg(long, default_value_t = 100)]
        limit: usize,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Send one event to a hook again, or every failed delivery since a time.
    Replay {
        hook_id: String,
        /// The event to send again (whatever became of it).
        #[arg(
            long,
            conflicts_with = "failed_since",
            required_unless_present = "failed_since"
        )]
        event: Option<String>,
        /// Every failed delivery whose event occurred since then (RFC 3339, or an age: 24h).
        #[arg(long)]
        failed_since: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// A new signing secret, printed once; the old one also signs for --overlap.
    RotateSecret {
        hook_id: String,
        /// How long the old secret keeps signing (s, m, h or d).
        #[arg(long, value_parser = when::parse_duration, default_value = "24h")]
        overlap: std::time::Duration,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Enable a hook (after it was disabled for failing).
    Enable {
        hook_id: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Disable a hook: nothing is delivered to it, and its pending deliveries fail.
    Disable {
        hook_id: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Delete a hook with its pending deliveries and its delivery log.
    Delete {
        hook_id: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

fn print_hook(hook: &HookView) {
    let types = if hook.types.is_empty() {
        "*".to_owned()
    } else {
        hook.types.join(",")
    };
    println!(
        "{}  org {}  {}  types {}  {}{}",
        hook.id,
        hook.organization_id,
        hook.url,
        types,
        if hook.enabled { "enabled" } else { "DISABLED" },
        if hook.include_descendants {
            ""
        } else {
            "  (own events only)"
        },
    );
}

pub async fn run(command: HooksCommand) -> anyhow::Result<()> {
    match command {
        HooksCommand::Create {
            org,
            url,
            types,
            no_descendants,
            max_in_flight,
            json,
            data,
        } => {
            let org = parse_id(&org, "an organization id")?;
            let services = open_services(&data.settings()).await?;
            let created = services
                .create_hook(&HookRequest {
                    org,
                    url,
                    types,
                    include_descendants: !no_descendants,
                    max_in_flight,
                })
                .await
                .map_err(in_words)?;
            if json {
                let mut object = serde_json::to_value(&created.hook)?;
                object["secret"] = json!(created.secret);
                println!("{object}");
            } else {
                println!("id:     {}", created.hook.id);
                println!("secret: {}", created.secret);
                println!("The secret is shown once: keep it now.");
            }
        }
        HooksCommand::List { org, json, data } => {
            let org = org
                .as_deref()
                .map(|id| parse_id(id, "an organization id"))
                .transpose()?;
            let services = open_services(&data.settings()).await?;
            let hooks = services
                .list_hooks(org.as_ref(), Slice::ALL)
                .await
                .map_err(in_words)?;
            for hook in &hooks {
                if json {
                    println!("{}", serde_json::to_string(hook)?);
                } else {
                    print_hook(hook);
                }
            }
        }
        HooksCommand::Deliveries {
            hook_id,
            limit,
            json,
            data,
        } => {
            let hook = parse_id(&hook_id, "a hook id")?;
            let services = open_services(&data.settings()).await?;
            let mut before = None;
            let mut printed = 0;
            'pages: loop {
                let page = services
                    .hook_attempts(&hook, before)
                    .await
                    .map_err(in_words)?;
                for attempt in &page {
                    if limit != 0 && printed == limit {
                        break 'pages;
                    }
                    if json {
                        println!(
                            "{}",
                            json!({
                                "eventId": attempt.event_public_id,
                                "eventType": attempt.event_type,
                                "deliveryStatus": attempt.delivery_status,
                                "attemptedAt": rfc3339(attempt.attempted_at),
                                "statusCode": attempt.status_code,
                                "latencyMs": attempt.latency_ms,
                                "response": attempt.response,
                                "error": attempt.error,
                                "succeeded": attempt.succeeded,
                            })
                        );
                    } else {
                        let answer = match (attempt.status_code, &attempt.error) {
                            (_, Some(error)) => error.clone(),
                            (Some(code), None) => code.to_string(),
                            (None, None) => "-".into(),
                        };
                        println!(
                            "{}  event {} {:<28} {:>6} ms  {}  ({})",
                            rfc3339(attempt.attempted_at),
                            attempt.event_public_id,
                            attempt.event_type,
                            attempt.latency_ms,
                            answer,
                            attempt.delivery_status,
                        );
                    }
                    printed += 1;
                }
                match page.last() {
                    Some(last) if page.len() as i64 == crate::service::ATTEMPT_PAGE_SIZE => {
                        before = Some(last.id)
                    }
                    _ => break,
                }
            }
        }
        HooksCommand::Replay {
            hook_id,
            event,
            failed_since,
            data,
        } => {
            let hook = parse_id(&hook_id, "a hook id")?;
            let services = open_services(&data.settings()).await?;
            match (event, failed_since) {
                (Some(event), _) => {
                    let event = parse_id(&event, "an event id")?;
                    let replayed = services
                        .replay_delivery(&hook, &event)
                        .await
                        .map_err(in_words)?;
                    if !replayed {
                        anyhow::bail!("hook {hook} has no delivery of event {event}");
                    }
                    println!("1 delivery to be sent again");
                }
                (None, Some(since)) => {
                    let since = when::parse_since(&since).map_err(anyhow::Error::msg)?;
                    let replayed = services
                        .replay_failed_deliveries(&hook, since)
                        .await
                        .map_err(in_words)?;
                    println!("{replayed} deliveries to be sent again");
                }
                (None, None) => anyhow::bail!("give --event or --failed-since"),
            }
        }
        HooksCommand::RotateSecret {
            hook_id,
            overlap,
            json,
            data,
        } => {
            let hook = parse_id(&hook_id, "a hook id")?;
            let services = open_services(&data.settings()).await?;
            let secret = services
                .rotate_hook_secret(&hook, overlap)
                .await
                .map_err(in_words)?;
            if json {
                println!("{}", json!({ "id": hook.to_string(), "secret": secret }));
            } else {
                println!("secret: {secret}");
                println!(
                    "The secret is shown once: keep it now. The old one also signs for {} s.",
                    overlap.as_secs()
                );
            }
        }
        HooksCommand::Enable { hook_id, data } => switch(&hook_id, &data, true).await?,
        HooksCommand::Disable { hook_id, data } => switch(&hook_id, &data, false).await?,
        HooksCommand::Delete { hook_id, data } => {
            let hook = parse_id(&hook_id, "a hook id")?;
            let services = open_services(&data.settings()).await?;
            let deleted = services.delete_hook(&hook).await.map_err(in_words)?;
            println!("{} deleted", deleted.id);
        }
    }
    Ok(())
}

async fn switch(hook_id: &str, data: &DataArgs, enabled: bool) -> anyhow::Result<()> {
    let hook = parse_id(hook_id, "a hook id")?;
    let services = open_services(&data.settings()).await?;
    let view = services
        .set_hook_enabled(&hook, enabled)
        .await
        .map_err(in_words)?;
    print_hook(&view);
    Ok(())
}
