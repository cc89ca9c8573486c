//! Domain errors. Each face renders them with its own status codes and message texts.

use crate::domain::Kind;
use crate::store::{StoreError, UniqueKey};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{kind:?} {id} not found")]
    NotFound { kind: Kind, id: String },
    #[error("forbidden: {0:?}")]
    Forbidden(Forbidden),
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    #[error("invalid: {0:?}")]
    Invalid(Invalid),
    #[error("unauthorized: {0:?}")]
    Unauthorized(Unauthorized),
    /// A template's stored graphs could not be copied into a new project.
    #[error("template {template} could not be generated")]
    TemplateGeneration { template: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forbidden {
    /// The record lies outside the actor's organization subtree, or the action needs a role
    /// the actor does not have. `kind` names what the actor tried to act on.
    OutsideScope {
        kind: Kind,
        id: String,
    },
    OwnOrganization {
        id: String,
    },
    OwnUser {
        id: String,
    },
    NotAnOwner {
        user: String,
    },
    NoSecretKey {
        user: String,
    },
    TemplateNotAllowed {
        template: String,
        org: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    OrganizationName { name: String },
    Email { email: String },
    HasChildOrganizations { id: String },
    MoveIntoOwnSubtree { id: String, parent: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    Email { value: String },
    Role { value: String },
    ConnectionType { value: String },
    Field { field: &'static str, reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unauthorized {
    TokenInvalid,
    HashMismatch,
    NonceReused,
    LoginTokenInvalid,
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        ServiceError::Internal(anyhow::Error::new(error))
    }
}

impl From<crate::crypto::SealError> for ServiceError {
    fn from(error: crate::crypto::SealError) -> Self {
        ServiceError::Internal(anyhow::Error::new(error))
    }
}

/// Maps a uniqueness violation to the conflict it means in the use case at hand.
pub(crate) fn on_unique(
    error: StoreError,
    key: UniqueKey,
    conflict: impl FnOnce() -> Conflict,
) -> ServiceError {
    match error {
        StoreError::Unique(k) if k == key => ServiceError::Conflict(conflict()),
        other => other.into(),
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
