//! `bench-tool`: the parts of `bench/run` that are easier in Rust than in bash.

mod api;
mod bars;
mod chart;
mod check;
mod hooks;
mod measure;
mod report;
mod seed;
mod table;
mod tokens;

use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand};
use serde_json::json;

use api::{Boot, Xponent};

#[derive(Parser)]
#[command(name = "bench-tool", about = "Helper of bench/run")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Seed the scenario roots over HTTP and write their tokens and target ids as JSON.
    Seed {
        #[arg(long)]
        base: String,
        /// Holds auth.json, small.json, big.json and write.json from `orghub bootstrap --json`.
        #[arg(long)]
        boot_dir: PathBuf,
        /// Prefix of every name, unique per run (organization names are unique per database).
        #[arg(long)]
        tag: String,
        #[arg(long, default_value_t = 100)]
        small_orgs: usize,
        #[arg(long, default_value_t = 100_000)]
        big_orgs: usize,
        #[arg(long, default_value_t = 100_000)]
        users: usize,
        #[arg(long, default_value_t = 50)]
        depth: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write `count` POST /token bodies with fresh nonces, one JSON object a line.
    TokenBodies {
        #[arg(long)]
        boot: PathBuf,
        #[arg(long)]
        count: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Count the organizations the write scenario created and their duplicate names.
    CheckWrites {
        #[arg(long)]
        base: String,
        #[arg(long)]
        boot: PathBuf,
        #[arg(long)]
        prefix: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// The hooks scenario: events delivered per second to a receiver on `listen` while
    /// organizations are created, then commit-to-delivery latency with the receiver idle.
    Hooks {
        #[arg(long)]
        base: String,
        /// `orghub bootstrap --json` of a root without hooks (the reference load).
        #[arg(long)]
        plain_boot: PathBuf,
        /// `orghub bootstrap --json` of the root whose hook points at `listen`.
        #[arg(long)]
        hooked_boot: PathBuf,
        #[arg(long)]
        tag: String,
        #[arg(long)]
        listen: std::net::SocketAddr,
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        #[arg(long, default_value_t = 300)]
        idle_count: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Build the report of a run directory: table on stdout, JSON and PNG files.
    Report {
        #[arg(long)]
        run_dir: PathBuf,
        #[arg(long)]
        stamp: String,
        #[arg(long)]
        database: String,
        #[arg(long)]
        duration: u64,
        #[arg(long)]
        connections: u64,
        #[arg(long)]
        threads: u64,
        #[arg(long)]
        json: PathBuf,
        #[arg(long)]
        png: PathBuf,
        /// A TrueType font for the chart.
        #[arg(
            long,
            default_value = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
        )]
        font: PathBuf,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Seed {
            base,
            boot_dir,
            tag,
            small_orgs,
            big_orgs,
            users,
            depth,
            out,
        } => {
            let http = reqwest::Client::new();
            let boot = |name: &str| Boot::read(&boot_dir.join(format!("{name}.json")));
            let (auth, small, big, write) =
                (boot("auth")?, boot("small")?, boot("big")?, boot("write")?);
            let auth_client = Xponent::login(&http, &base, &auth).await?;
            let small_client = Xponent::login(&http, &base, &small).await?;
            let big_client = Xponent::login(&http, &base, &big).await?;
            let write_client = Xponent::login(&http, &base, &write).await?;

            seed::flat(&auth_client, &auth.organization_id, &format!("{tag}-a"), 10).await?;
            let start = Instant::now();
            let small_tree = seed::tree(
                &small_client,
                &small.organization_id,
                &format!("{tag}-s"),
                small_orgs,
                depth,
            )
            .await?;
            let small_seconds = elapsed(start);
            let start = Instant::now();
            let big_tree = seed::tree(
                &big_client,
                &big.organization_id,
                &format!("{tag}-b"),
                big_orgs,
                depth,
            )
            .await?;
            let big_seconds = elapsed(start);
            eprintln!("seeded {big_orgs} organizations in {big_seconds} s");
            let start = Instant::now();
            seed::users(&big_client, &big_tree, &tag, users).await?;
            let user_seconds = elapsed(start);
            eprintln!("seeded {users} users in {user_seconds} s");

            let seeded = json!({
                "tokens": {
                    "auth": auth_client.token, "small": small_client.token,
                    "big": big_client.token, "write": write_client.token,
                },
                "trees": { "small": small_tree, "big": big_tree },
                "users": users,
                "seconds": { "smallTree": small_seconds, "bigTree": big_seconds, "users": user_seconds },
            });
            std::fs::write(&out, serde_json::to_string_pretty(&seeded)?)?;
        }
        Command::TokenBodies { boot, count, out } => {
            tokens::write_bodies(&Boot::read(&boot)?, count, &out)?;
        }
        Command::CheckWrites {
            base,
            boot,
            prefix,
            out,
        } => {
            let client =
                Xponent::login(&reqwest::Client::new(), &base, &Boot::read(&boot)?).await?;
            let check = check::check_writes(&client, &prefix).await?;
            std::fs::write(&out, serde_json::to_string(&check)?)?;
        }
        Command::Hooks {
            base,
            plain_boot,
            hooked_boot,
            tag,
            listen,
            connections,
            seconds,
            idle_count,
            out,
        } => {
            let http = reqwest::Client::new();
            let plain = Xponent::login(&http, &base, &Boot::read(&plain_boot)?).await?;
            let hooked = Xponent::login(&http, &base, &Boot::read(&hooked_boot)?).await?;
            let result = hooks::run(hooks::Plan {
                plain: &plain,
                hooked: &hooked,
                tag: &tag,
                listen,
                connections,
                seconds,
                idle_count,
            })
            .await?;
            println!("{}", serde_json::to_string_pretty(&result)?);
            std::fs::write(&out, serde_json::to_string_pretty(&result)?)?;
        }
        Command::Report {
            run_dir,
            stamp,
            database,
            duration,
            connections,
            threads,
            json,
            png,
            font,
        } => {
            let info = report::RunInfo {
                stamp,
                database,
                duration_seconds: duration,
                connections,
                threads,
            };
            let report = report::build(&run_dir, info)?;
            print!("{}", table::render(&report));
            std::fs::write(&json, serde_json::to_string_pretty(&report)?)?;
            chart::register_font(&font)?;
            chart::draw(&report, &png)?;
        }
    }
    Ok(())
}

fn elapsed(start: Instant) -> f64 {
    (start.elapsed().as_secs_f64() * 10.0).round() / 10.0
}
