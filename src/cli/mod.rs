//! The `orghub` command line: `serve`, and the operator commands that work on the same
//! database as a running server (`bootstrap`, `secret-key`, `template import`).

mod messages;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::domain::PublicId;
use crate::service::{BootstrapRequest, Quotas, TemplateImport};
use crate::startup::{Application, DataSettings, open_services, shutdown_signal};
use crate::telemetry::{self, LogFormat};

pub use messages::describe;

#[derive(Debug, Parser)]
#[command(
    name = "orghub",
    version,
    about = "A self-hosted, multi-tenant organization hub"
)]
pub struct Cli {
    /// Log lines as human-readable text or as JSON objects.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human, env = "ORGHUB_LOG_FORMAT")]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve every face over HTTP until SIGINT or SIGTERM.
    Serve {
        /// The address to listen on.
        #[arg(long, env = "ORGHUB_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Create a root organization and its first user (an Owner and a partner), and print
    /// their credentials once.
    Bootstrap {
        #[arg(long)]
        org: String,
        #[arg(long)]
        owner_name: String,
        #[arg(long)]
        owner_email: String,
        /// Generated when not given.
        #[arg(long)]
        password: Option<String>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Issue (or rotate) an Owner's secret key for Xponent `POST /token`, and print it once.
    SecretKey {
        #[arg(long)]
        user: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Manage templates (the Xponent API has no route that creates them).
    Template {
        #[command(subcommand)]
        command: TemplateCommand,
    },
    /// Manage API keys (Cloud Conformity `Authorization: ApiKey …`).
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Issue a new 64-character API key to a user and print it once.
    Create {
        #[arg(long)]
        user: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Revoke an API key by its id (it stays listed, as REVOKED).
    Revoke {
        key_id: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Load a template from a JSON file into an organization and print its id.
    Import {
        /// JSON: {"name", "type", "graphs", "connections": [{"name", "type"}]}.
        file: PathBuf,
        #[arg(long)]
        org: String,
        /// Make the template available to every organization below this one.
        #[arg(long)]
        global: bool,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Where orghub keeps its SQLite database and master key.
    #[arg(long, env = "ORGHUB_DATA_DIR", default_value = "./orghub-data")]
    pub data_dir: PathBuf,
    /// Use PostgreSQL instead of SQLite: postgres://user:password@host/db
    #[arg(long, env = "ORGHUB_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The region this server serves (tokens of another region are refused).
    #[arg(long, env = "ORGHUB_REGION", default_value = "us")]
    pub region: String,
    /// The most organizations one root organization's tree may hold (its root included).
    #[arg(long, env = "ORGHUB_MAX_ORGS_PER_ROOT", default_value_t = Quotas::default().orgs)]
    pub max_orgs_per_root: u64,
    /// The most users one root organization's tree may hold.
    #[arg(long, env = "ORGHUB_MAX_USERS_PER_ROOT", default_value_t = Quotas::default().users)]
    pub max_users_per_root: u64,
    /// The most API keys the users of one root organization's tree may hold (revoked ones
    /// included).
    #[arg(long, env = "ORGHUB_MAX_API_KEYS_PER_ROOT", default_value_t = Quotas::default().api_keys)]
    pub max_api_keys_per_root: u64,
}

impl DataArgs {
    fn settings(&self) -> DataSettings {
        DataSettings {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            // Read from the environment only, never from the command line (it would show in `ps`).
            master_key: std::env::var("ORGHUB_MASTER_KEY").ok(),
            region: self.region.clone(),
            read_cache_ttl: crate::service::ttl::READ_CACHE,
            quotas: Quotas {
                orgs: self.max_orgs_per_root,
                users: self.max_users_per_root,
                api_keys: self.max_api_keys_per_root,
            },
        }
    }
}

/// A domain error as the one line `main` prints.
fn in_words(error: crate::service::ServiceError) -> anyhow::Error {
    anyhow::anyhow!(describe(&error))
}

/// An id argument; `what` names it in the error ("a user id").
fn parse_id(text: &str, what: &str) -> anyhow::Result<PublicId> {
    PublicId::parse(text).with_context(|| format!("'{text}' is not {what} (a UUID)"))
}

/// Runs a command; an `Err` is printed by `main`, which exits with code 1.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { listen, data } => {
            telemetry::init(cli.log_format);
            let app = Application::build(&data.settings(), listen).await?;
            tracing::info!(address = %app.local_addr(), "orghub is listening");
            app.run_until_stopped(shutdown_signal()).await
        }
        Command::Bootstrap {
            org,
            owner_name,
            owner_email,
            password,
            json,
            data,
        } => {
            let services = open_services(&data.settings()).await?;
            let result = services
                .bootstrap(BootstrapRequest {
                    org_name: org,
                    owner_name,
                    owner_email,
                    password,
                })
                .await
                .map_err(in_words)?;
            if json {
                println!("{}", serde_json::to_string(&result)?);
            } else {
                println!("organizationId: {}", result.organization_id);
                println!("userId:         {}", result.user_id);
                println!("email:          {}", result.email);
                println!("password:       {}", result.password);
                println!("secretKey:      {}", result.secret_key);
                println!("apiKey:         {}", result.api_key);
                println!("These secrets are shown once: keep them now.");
            }
            Ok(())
        }
        Command::SecretKey { user, json, data } => {
            let user = parse_id(&user, "a user id")?;
            let services = open_services(&data.settings()).await?;
            let secret = services.issue_secret_key(&user).await.map_err(in_words)?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "userId": user.to_string(), "secretKey": secret })
                );
            } else {
                println!("{secret}");
            }
            Ok(())
        }
        Command::Template {
            command:
                TemplateCommand::Import {
                    file,
                    org,
                    global,
                    data,
                },
        } => {
            let org = parse_id(&org, "an organization id")?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let template: TemplateImport = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a template", file.display()))?;
            let services = open_services(&data.settings()).await?;
            let id = services
                .import_template(&org, &template, global)
                .await
                .map_err(in_words)?;
            println!("{id}");
            Ok(())
        }
        Command::ApiKey {
            command: ApiKeyCommand::Create { user, json, data },
        } => {
            let user = parse_id(&user, "a user id")?;
            let services = open_services(&data.settings()).await?;
            let created = services.create_api_key(&user).await.map_err(in_words)?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "id": created.record.public_id, "apiKey": created.key })
                );
            } else {
                println!("id:     {}", created.record.public_id);
                println!("apiKey: {}", created.key);
                println!("The key is shown once: keep it now.");
            }
            Ok(())
        }
        Command::ApiKey {
            command: ApiKeyCommand::Revoke { key_id, data },
        } => {
            let key_id = parse_id(&key_id, "an API key id")?;
            let services = open_services(&data.settings()).await?;
            let revoked = services.revoke_api_key(&key_id).await.map_err(in_words)?;
            println!("{} {}", revoked.public_id, revoked.status);
            Ok(())
        }
    }
}
