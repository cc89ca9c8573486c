//! Use cases. The service layer is the only place that decides who may do what (see
//! `actor.rs`); it runs each change in one transaction with its domain event.

mod actor;
mod api_keys;
mod auth;
mod cloud_accounts;
mod error;
mod orgs;
mod projects;
mod records;
mod setup;
mod sign_in;
mod sso;
mod throttle;
mod users;

pub use actor::{Access, Actor, ActorUser, TokenKind};
pub use api_keys::NewApiKey;
pub use cloud_accounts::{CloudAccountChanges, NewCloudAccountRequest};
pub use error::{
    ClaimProblem, Conflict, Forbidden, Invalid, ServiceError, ServiceResult, SsoRefusal,
    Unauthorized,
};
pub use projects::{ConnectionUpdate, NewProject, ProjectChanges};
pub use records::{
    ApiKey, CloudAccount, ConnectionOutcome, ConnectionSlot, ExternalId, IssuedToken, Organization,
    Project, ProjectMembership, Template, User,
};
pub use setup::{Bootstrap, BootstrapRequest, TemplateImport};
pub use sign_in::SignIn;
pub use sso::SsoOrganization;
pub use users::{NewUserRequest, UserChanges, UserPages};

use std::sync::Arc;

use crate::crypto::Sealer;
use crate::store::Store;
use throttle::SignInThrottle;

/// Lifetimes of the tokens orghub issues, in milliseconds.
pub mod ttl {
    pub const OWNER_TOKEN: i64 = 6 * 60 * 60 * 1000;
    pub const SESSION: i64 = 6 * 60 * 60 * 1000;
    pub const LOGIN_TOKEN: i64 = 60 * 1000;
    /// Surfsight `POST /authenticate` and organization admin tokens.
    pub const DAY_TOKEN: i64 = 24 * 60 * 60 * 1000;
    /// A Surfsight SSO JWT is accepted this long after its timestamp...
    pub const SSO_JWT: i64 = 15 * 60 * 1000;
    /// ...give or take this much disagreement between the partner's clock and ours.
    pub const SSO_CLOCK_SKEW: i64 = 60 * 1000;
    /// Cloud Conformity temporary external IDs.
    pub const TEMPORARY_EXTERNAL_ID: i64 = 60 * 60 * 1000;
}

#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// The region this server serves; tokens carry it and are refused by other regions.
    pub region: String,
}

#[derive(Clone)]
pub struct Services {
    store: Store,
    sealer: Sealer,
    config: ServiceConfig,
    /// Shared by every clone: failed sign-ins are counted per server process.
    throttle: Arc<SignInThrottle>,
}

impl Services {
    pub fn new(store: Store, sealer: Sealer, config: ServiceConfig) -> Self {
        Self {
            store,
            sealer,
            config,
            throttle: Arc::default(),
        }
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
}
