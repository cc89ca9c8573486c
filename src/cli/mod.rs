//! The `orghub` command line: `serve`, and the operator commands that work on the same
//! database as a running server (`bootstrap`, `secret-key`, `template import`, `api-key`,
//! `token revoke`, `sso-secret rotate`, `events`, `hooks`). Secrets go in through standard
//! input, never argv, where any user of the machine reads them with `ps`.

mod events;
mod hooks;
mod messages;
mod when;

use std::io::BufRead;
use std::net::SocketAddr;
use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::domain::PublicId;
use crate::service::{
    BootstrapRequest, DEFAULT_TOKENS_PER_SECOND, OrgRef, Quotas, Rate, TemplateImport,
};
use crate::startup::{Application, DataSettings, ServeLimits, open_services, shutdown_signal};
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
        /// Requests a minute each idOS caller (credential, or address without one) may make.
        #[arg(long, env = "ORGHUB_IDOS_RATE_LIMIT", default_value_t = crate::http::faces::idos::DEFAULT_RATE_LIMIT)]
        idos_rate_limit: u32,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        service_limits: ServiceLimitArgs,
        #[command(flatten)]
        hooks: HookArgs,
        #[command(flatten)]
        data: DataArgs,
    },
    /// The audit log: every change as an event, newest first.
    Events(events::EventsArgs),
    /// Manage hooks: endpoints that receive an organization's events, signed.
    Hooks {
        #[command(subcommand)]
        command: hooks::HooksCommand,
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
        /// Generated when not given. Visible to other users in `ps`: see --password-stdin.
        #[arg(long)]
        password: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long, conflicts_with = "password")]
        password_stdin: bool,
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
    /// End bearer tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Print the native API's OpenAPI document (what `GET /api/v1/openapi.json` serves).
    Openapi,
    /// Manage Surfsight SSO secrets.
    SsoSecret {
        #[command(subcommand)]
        command: SsoSecretCommand,
    },
    /// Manage idOS identities (the key pairs that sign IdentityTokens).
    Identity {
        #[command(subcommand)]
        command: IdentityCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// End one bearer token, read from the first line of standard input; or, with --user,
    /// every token of a user (also any issued in a race with this).
    Revoke {
        /// End every token of this user (its id) instead of one read from standard input.
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum SsoSecretCommand {
    /// Issue or rotate an organization's SSO secret and print it once; the organization
    /// admin tokens issued on the old one end.
    Rotate {
        /// The organization: its Surfsight integer id or its UUID.
        #[arg(long)]
        org: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Make a key pair for a user and print it once: {"publicKey", "privateKey"}.
    Create {
        #[arg(long)]
        user: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// `orghub serve`'s limits on guessing and costly work (see README).
#[derive(Debug, Clone, Args)]
pub struct ServiceLimitArgs {
    /// Owner tokens (Xponent POST /token) one user may get per second.
    #[arg(long, env = "ORGHUB_TOKENS_PER_USER", default_value_t = DEFAULT_TOKENS_PER_SECOND)]
    pub tokens_per_user: NonZeroU32,
    /// Xponent POST /token requests one client address may make per second.
    #[arg(long, env = "ORGHUB_TOKENS_PER_ADDRESS", default_value_t = DEFAULT_TOKENS_PER_SECOND)]
    pub tokens_per_address: NonZeroU32,
    /// Password hashes and checks running at once (default: one per core).
    #[arg(long, env = "ORGHUB_PASSWORD_CONCURRENCY")]
    pub password_concurrency: Option<NonZeroUsize>,
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

/// How long clients may take and how many are served at once (`ServeLimits`).
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Seconds a client has to send a request's headers, from the connection's start or from
    /// the first byte of a request on a kept-alive connection.
    #[arg(long, env = "ORGHUB_HEADER_TIMEOUT_SECS", value_parser = clap::value_parser!(u64).range(1..),
          default_value_t = ServeLimits::DEFAULT.header_timeout.as_secs())]
    pub header_timeout_secs: u64,
    /// Seconds a kept-alive connection may wait for its next request.
    #[arg(long, env = "ORGHUB_IDLE_TIMEOUT_SECS", value_parser = clap::value_parser!(u64).range(1..),
          default_value_t = ServeLimits::DEFAULT.idle_timeout.as_secs())]
    pub idle_timeout_secs: u64,
    /// Connections served at once; more wait in the kernel's listen backlog.
    #[arg(long, env = "ORGHUB_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..),
          default_value_t = ServeLimits::DEFAULT.max_connections as u32)]
    pub max_connections: u32,
    /// Seconds a shutdown waits for requests in flight before dropping every connection.
    #[arg(long, env = "ORGHUB_SHUTDOWN_GRACE_SECS",
          default_value_t = ServeLimits::DEFAULT.shutdown_grace.as_secs())]
    pub shutdown_grace_secs: u64,
}

impl LimitArgs {
    fn limits(&self) -> ServeLimits {
        ServeLimits {
            header_timeout: Duration::from_secs(self.header_timeout_secs),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs),
            max_connections: self.max_connections as usize,
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
        }
    }
}

/// How `serve` delivers hooks and keeps events.
#[derive(Debug, Clone, Args)]
pub struct HookArgs {
    /// Let hooks reach loopback, private and link-local addresses (local development, tests).
    #[arg(long, env = "ORGHUB_HOOKS_ALLOW_PRIVATE")]
    pub hooks_allow_private: bool,
    /// Seconds an attempt may take before it has failed.
    #[arg(long, env = "ORGHUB_HOOKS_TIMEOUT_SECS", default_value_t = 15)]
    pub hooks_timeout_secs: u64,
    /// Attempts in flight at once, all hooks together.
    #[arg(long, env = "ORGHUB_HOOKS_WORKERS", default_value_t = 256)]
    pub hooks_workers: usize,
    /// Seconds between two metrics lines of the delivery worker.
    #[arg(long, env = "ORGHUB_HOOKS_METRICS_SECS", default_value_t = 60)]
    pub hooks_metrics_secs: u64,
    /// Days events are kept (the audit log), with their delivery log.
    #[arg(long, env = "ORGHUB_EVENTS_RETENTION_DAYS", default_value_t = crate::service::DEFAULT_RETENTION_DAYS)]
    pub events_retention_days: u32,
}

impl HookArgs {
    fn settings(&self) -> anyhow::Result<crate::hooks::HookSettings> {
        if self.hooks_workers == 0 || self.hooks_timeout_secs == 0 || self.hooks_metrics_secs == 0 {
            anyhow::bail!(
                "--hooks-workers, --hooks-timeout-secs and --hooks-metrics-secs must be at least 1"
            );
        }
        let timeout = std::time::Duration::from_secs(self.hooks_timeout_secs);
        let defaults = crate::hooks::HookSettings::default();
        Ok(crate::hooks::HookSettings {
            allow_private: self.hooks_allow_private,
            timeout,
            workers: self.hooks_workers,
            lease: crate::hooks::lease_for(timeout),
            metrics_every: std::time::Duration::from_secs(self.hooks_metrics_secs),
            ..defaults
        })
    }
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
    /// The most hooks the organizations of one root organization's tree may have.
    #[arg(long, env = "ORGHUB_MAX_HOOKS_PER_ROOT", default_value_t = Quotas::default().hooks)]
    pub max_hooks_per_root: u64,
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
            limits: crate::service::Limits::default(),
            quotas: Quotas {
                orgs: self.max_orgs_per_root,
                users: self.max_users_per_root,
                api_keys: self.max_api_keys_per_root,
                hooks: self.max_hooks_per_root,
            },
        }
    }
}

/// The first line of standard input, without its line ending: how secrets reach a command.
fn secret_from_stdin(what: &str) -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .with_context(|| format!("cannot read the {what} from standard input"))?;
    let secret = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!secret.is_empty(), "no {what} on standard input");
    Ok(secret)
}

/// A domain error as the one line `main` prints.
fn in_words(error: crate::service::ServiceError) -> anyhow::Error {
    anyhow::anyhow!(describe(&error))
}

/// An id argument; `what` names it in the error ("a user id").
fn parse_id(text: &str, what: &str) -> anyhow::Result<PublicId> {
    PublicId::parse(text).with_context(|| format!("'{text}' is not {what} (a UUID)"))
}

/// The first line of standard input, without its line ending: a password given this way never
/// shows in the process list, as `--password` does.
fn password_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line
        .strip_suffix('\n')
        .map(|rest| rest.strip_suffix('\r').unwrap_or(rest))
        .unwrap_or(&line);
    anyhow::ensure!(
        !password.is_empty(),
        "--password-stdin: the first line of standard input is empty"
    );
    Ok(password.to_owned())
}

/// Runs a command; an `Err` is printed by `main`, which exits with code 1.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            listen,
            idos_rate_limit,
            limits,
            service_limits,
            hooks,
            data,
        } => {
            telemetry::init(cli.log_format);
            let mut settings = data.settings();
            settings.limits.tokens_per_user = Rate::per_second(service_limits.tokens_per_user);
            settings.limits.tokens_per_address =
                Rate::per_second(service_limits.tokens_per_address);
            settings.limits.password_concurrency =
                service_limits.password_concurrency.map(NonZeroUsize::get);
            let app = Application::build(&settings, listen)
                .await?
                .with_limits(limits.limits())
                .with_hooks(hooks.settings()?)
                .with_events_retention(hooks.events_retention_days)
                .with_idos_rate_limit(idos_rate_limit);
            // Before "listening": a signal sent on reading that line must find the handlers.
            let shutdown = shutdown_signal();
            tracing::info!(address = %app.local_addr(), "orghub is listening");
            app.run_until_stopped(shutdown).await
        }
        Command::Bootstrap {
            org,
            owner_name,
            owner_email,
            password,
            password_stdin,
            json,
            data,
        } => {
            let password = if password_stdin {
                Some(password_from_stdin()?)
            } else {
                password
            };
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
                println!("companySlug:    {}", result.company_slug);
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
        Command::Events(args) => events::run(args).await,
        Command::Openapi => {
            let document = crate::http::faces::native::document();
            println!("{}", serde_json::to_string_pretty(&document)?);
            Ok(())
        }
        Command::Hooks { command } => hooks::run(command).await,
        Command::Identity {
            command: IdentityCommand::Create { user, json, data },
        } => {
            let user = parse_id(&user, "a user id")?;
            let services = open_services(&data.settings()).await?;
            let keys = services.create_identity(&user).await.map_err(in_words)?;
            if json {
                println!("{}", serde_json::to_string(&keys)?);
            } else {
                println!("publicKey:  {}", keys.public_key);
                println!("privateKey: {}", keys.private_key);
                println!("The private key is shown once: keep it now.");
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
        Command::Token {
            command: TokenCommand::Revoke { user, data },
        } => {
            match user {
                Some(user) => {
                    let user = parse_id(&user, "a user id")?;
                    let services = open_services(&data.settings()).await?;
                    let ended = services.revoke_user_tokens(&user).await.map_err(in_words)?;
                    println!("{ended} tokens of user {user} revoked");
                }
                None => {
                    let token = secret_from_stdin("token")?;
                    let services = open_services(&data.settings()).await?;
                    let revoked = services.revoke_token(&token).await.map_err(in_words)?;
                    // Never the token itself: it is a secret, even once revoked.
                    anyhow::ensure!(revoked, "there is no such token");
                    println!("token revoked");
                }
            }
            Ok(())
        }
        Command::SsoSecret {
            command: SsoSecretCommand::Rotate { org, json, data },
        } => {
            let org = OrgRef::parse(&org).with_context(|| {
                format!("'{org}' is not an organization id (an integer or a UUID)")
            })?;
            let services = open_services(&data.settings()).await?;
            let rotated = services.rotate_sso_secret(org).await.map_err(in_words)?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({
                        "organizationId": rotated.org_id,
                        "ssoSecret": rotated.sso_secret,
                        "endedTokens": rotated.ended_tokens,
                    })
                );
            } else {
                println!("{}", rotated.sso_secret);
            }
            Ok(())
        }
    }
}
