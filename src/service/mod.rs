//! Use cases. The service layer is the only place that decides who may do what (see
//! `actor.rs`); it runs each change in one transaction with its domain event.

mod actor;
mod auth;
mod error;
mod orgs;
mod projects;
mod records;
mod setup;
mod users;

pub use actor::{Access, Actor, ActorUser, TokenKind};
pub use error::{Conflict, Forbidden, Invalid, ServiceError, ServiceResult, Unauthorized};
pub use projects::{ConnectionUpdate, NewProject, ProjectChanges};
pub use records::{
    ConnectionOutcome, ConnectionSlot, IssuedToken, Organization, Project, ProjectMembership,
    Template, User,
};
pub use setup::{Bootstrap, BootstrapRequest, TemplateImport};
pub use users::{NewUserRequest, UserChanges};

use crate::crypto::Sealer;
use crate::store::Store;

/// Lifetimes of the tokens orghub issues, in milliseconds.
pub mod ttl {
    pub const OWNER_TOKEN: i64 = 6 * 60 * 60 * 1000;
    pub const SESSION: i64 = 6 * 60 * 60 * 1000;
    pub const LOGIN_TOKEN: i64 = 60 * 1000;
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
}

impl Services {
    pub fn new(store: Store, sealer: Sealer, config: ServiceConfig) -> Self {
        Self {
            store,
            sealer,
            config,
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
