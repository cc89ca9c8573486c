//! Use cases. The service layer is the only place that decides who may do what (see
//! `actor.rs`); it runs each change in one transaction with its domain event.

// Use cases: each imports only the shared leaves below, never another use case.
mod account_settings;
mod api_keys;
mod audit_log;
mod auth;
mod azure_gcp;
mod cloud_accounts;
mod conformity_users;
mod deliveries;
mod groups;
mod hooks;
mod idempotency;
pub mod idos;
mod introspection;
mod oauth;
mod org_hooks;
mod org_list;
mod org_tree;
mod orgs;
mod owner_tokens;
mod project_reads;
mod projects;
mod revocation;
mod setup;
mod sign_in;
mod sso;
mod template_writes;
mod user_credentials;
mod user_reads;
mod users;

// Leaves shared by the use cases; none imports a use case.
mod account_access;
mod actor;
mod conformity_records;
mod error;
mod event_data;
mod events;
mod group_commit;
mod hook_rules;
mod key_ending;
mod limits;
mod lookup;
mod minting;
mod new_org_writer;
mod org_writes;
mod owner_token_writer;
mod precondition;
mod quotas;
mod read_cache;
mod records;
mod slice;
mod throttle;
mod token_rate;

pub use crate::domain::TokenKind;
pub use account_access::AccountReach;
pub use account_settings::NewRuleSetting;
pub use actor::{Access, Actor, ActorUser};
pub use api_keys::NewApiKey;
pub use audit_log::AuditQuery;
pub use azure_gcp::{
    NewAccountBasics, NewActiveDirectoryRequest, NewAzureAccountRequest, NewGcpAccountRequest,
    NewGcpOrganisationRequest,
};
pub use cloud_accounts::{CloudAccountChanges, NewCloudAccountRequest};
pub use conformity_records::{
    AccountAccess, AccountRules, ActiveDirectory, Cloud, ConformityAccount, ConformityUser,
    GcpOrganisation, Group, RegisteredAccount, RuleNote, RuleSetting, UserStatus,
};
pub use conformity_users::{AccessRequest, Arrival, ConformityInvite};
pub use deliveries::{DeliveryJob, OpenedHook};
pub use error::{
    ClaimProblem, Conflict, FieldRule, Forbidden, HandshakeFailure, IdosInvalid, IdosTokenRefusal,
    Invalid, Registration, ServiceError, ServiceResult, SsoRefusal, TextField, Unauthorized,
};
pub use events::{DEFAULT_RETENTION_DAYS, EVENT_PAGE_SIZE, EventQuery, event_json};
pub use groups::GroupChanges;
pub use hooks::{
    ATTEMPT_PAGE_SIZE, DEFAULT_MAX_IN_FLIGHT, DEFAULT_SECRET_OVERLAP, HookCreated, HookRequest,
    HookView,
};
pub use idempotency::{IDEMPOTENCY_TTL, IdempotentStart, KeptAnswer};
pub use introspection::TokenIntrospection;
pub use limits::{DEFAULT_TOKENS_PER_SECOND, Limits, Rate, SignInLimits};
pub use org_list::OrgPages;
pub use org_tree::MAX_SUBTREE_DEPTH;
pub use precondition::Expect;
pub use project_reads::Keyed;
pub use projects::{ConnectionUpdate, NewProject, ProjectChanges, ProjectWithConnections};
pub use quotas::{Quota, Quotas};
pub use records::{
    ApiKey, CloudAccount, ConnectionOutcome, ConnectionRefusal, ConnectionSlot, ExternalId,
    IssuedToken, Organization, Project, ProjectMembership, Template, User,
};
pub use revocation::{OrgRef, RotatedSsoSecret};
pub use setup::{Bootstrap, BootstrapRequest, TemplateImport, TemplateImportConnection};
pub use sign_in::SignIn;
pub use slice::Slice;
pub use sso::SsoOrganization;
pub use user_reads::UserQuery;
pub use users::{MAX_BULK_ITEMS, NewUserRequest, UserChanges, UserPages};

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use group_commit::GroupCommit;
use new_org_writer::NewOrgWriter;
use owner_token_writer::OwnerTokenWriter;
use throttle::SignInThrottle;
use token_rate::TokenRates;

use crate::crypto::{BearerTokenKey, PasswordGate, Sealer};
use crate::domain::{Millis, PublicId};
use crate::store::{Store, UserRow};
use read_cache::ReadCache;

/// Lifetimes of the tokens orghub issues, in milliseconds.
pub mod ttl {
    pub const OWNER_TOKEN: i64 = 6 * 60 * 60 * 1000;
    pub const SESSION: i64 = 6 * 60 * 60 * 1000;
    pub const LOGIN_TOKEN: i64 = 60 * 1000;
    /// Surfsight `POST /authenticate` and organization admin tokens.
    pub const DAY_TOKEN: i64 = 24 * 60 * 60 * 1000;
    /// Native access tokens (`POST /api/v1/oauth/token`, OAuth 2.0 client credentials).
    pub const NATIVE_TOKEN: i64 = 60 * 60 * 1000;
    /// A Surfsight SSO JWT is accepted this long after its timestamp...
    pub const SSO_JWT: i64 = 15 * 60 * 1000;
    /// ...give or take this much disagreement between the partner's clock and ours.
    pub const SSO_CLOCK_SKEW: i64 = 60 * 1000;
    /// Cloud Conformity temporary external IDs.
    pub const TEMPORARY_EXTERNAL_ID: i64 = 60 * 60 * 1000;
    /// The longest a cached read is served (see `read_cache`): how long a change made by
    /// another process may go unseen here.
    pub const READ_CACHE: std::time::Duration = std::time::Duration::from_secs(2);
}

/// Subtrees of more organizations than this are not cached: listing them costs far more than
/// reading them, and they would hold memory.
const CACHED_SUBTREE_MAX: usize = 256;

#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// The region this server serves; tokens carry it and are refused by other regions.
    pub region: String,
    /// How long a cached read is served (`ttl::READ_CACHE` in the server).
    pub read_cache_ttl: Duration,
    pub limits: Limits,
    /// What one tenant may hold.
    pub quotas: Quotas,
}

#[derive(Clone)]
pub struct Services {
    store: Store,
    sealer: Sealer,
    config: ServiceConfig,
    /// Shared by every clone: failed sign-ins are counted per server process.
    throttle: Arc<SignInThrottle>,
    /// Every password hash and verification of this process goes through it.
    passwords: Arc<PasswordGate>,
    /// `POST /token` per address and per user.
    token_rates: Arc<TokenRates>,
    /// Bearer token key (`crypto::bearer_token_key`) → its actor and the token's expiry.
    actors: Arc<ReadCache<BearerTokenKey, (Actor, Millis)>>,
    /// Organization id → its subtree (at most `CACHED_SUBTREE_MAX` organizations).
    subtrees: Arc<ReadCache<i64, Arc<[Organization]>>>,
    /// User public id → the user, for `POST /token`: only a user that let a request through
    /// (see `owner_tokens`).
    token_owners: Arc<ReadCache<PublicId, UserRow>>,
    /// The group-commit writers of `POST /token` and `POST /org` (Xponent); their tasks end
    /// when the last clone of the services is dropped.
    owner_tokens: GroupCommit<OwnerTokenWriter>,
    new_orgs: GroupCommit<NewOrgWriter>,
}

impl Services {
    /// Starts the group-commit writers: call it inside a tokio runtime. Fails when the store's
    /// token writer (on SQLite, a connection of its own) or its thread cannot be had.
    pub fn new(store: Store, sealer: Sealer, config: ServiceConfig) -> anyhow::Result<Self> {
        let tokens = store
            .token_writer()
            .context("opening the store's token writer")?;
        Ok(Self {
            owner_tokens: GroupCommit::spawn(OwnerTokenWriter::new(config.region.clone(), tokens))
                .context("starting the owner tokens' writer")?,
            new_orgs: GroupCommit::spawn(NewOrgWriter {
                store: store.clone(),
                quotas: config.quotas,
            })
            .context("starting the organizations' writer")?,
            throttle: Arc::new(SignInThrottle::new(config.limits.sign_in)),
            passwords: Arc::new(match config.limits.password_concurrency {
                Some(n) => PasswordGate::new(n, config.limits.password_wait),
                None => PasswordGate::per_core(config.limits.password_wait),
            }),
            token_rates: Arc::new(TokenRates::new(
                config.limits.tokens_per_user,
                config.limits.tokens_per_address,
            )),
            actors: Arc::new(ReadCache::new(config.read_cache_ttl, 10_000)),
            subtrees: Arc::new(ReadCache::new(config.read_cache_ttl, 1_000)),
            token_owners: Arc::new(ReadCache::new(config.read_cache_ttl, 10_000)),
            store,
            sealer,
            config,
        })
    }

    /// True while the database answers.
    pub async fn is_ready(&self) -> bool {
        self.store.ping().await
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn region(&self) -> &str {
        &self.config.region
    }

    /// The gate every password hash of this process goes through (tests fill it).
    pub fn password_gate(&self) -> &PasswordGate {
        &self.passwords
    }

    /// Forgets rate-limit keys whose rate is full again; returns how many remain.
    pub fn prune_token_rates(&self) -> usize {
        self.token_rates.prune()
    }
}
