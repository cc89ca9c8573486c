//! Domain errors in words for a terminal.

use crate::domain::{Kind, TextProblem};
use crate::service::{
    Conflict, FieldRule, Forbidden, Invalid, Quota, ServiceError, TextField, Unauthorized,
};

pub fn describe(error: &ServiceError) -> String {
    match error {
        ServiceError::NotFound { kind, id } => {
            let what = match kind {
                Kind::Organization | Kind::ParentOrganization => "organization",
                Kind::User => "user",
                Kind::Project => "project",
                Kind::Template => "template",
                Kind::CloudAccount => "cloud account",
                Kind::ApiKey => "API key",
                Kind::ExternalId => "organisation external ID for",
                Kind::Group => "group",
                Kind::GcpOrganisation => "GCP organisation",
                Kind::ActiveDirectory => "active directory",
                Kind::RuleSetting => "rule setting",
                Kind::Hook => "hook",
                Kind::Idos(_) => "idOS record",
            };
            format!("there is no {what} with id {id}")
        }
        ServiceError::Forbidden(Forbidden::NotAnOwner { user }) => {
            format!("user {user} is a Member: only Owners have secret keys")
        }
        ServiceError::Forbidden(Forbidden::UserOutOfReach { id }) => {
            format!("user {id} holds rights the caller does not")
        }
        ServiceError::Forbidden(Forbidden::QuotaExceeded { quota, limit }) => format!(
            "the organization tree has reached its limit of {limit} {}",
            match quota {
                Quota::Organizations => "organizations",
                Quota::Users => "users",
                Quota::ApiKeys => "API keys",
                Quota::Hooks => "hooks",
            }
        ),
        ServiceError::Forbidden(other) => format!("not allowed: {other:?}"),
        ServiceError::Conflict(Conflict::OrganizationName { name }) => {
            format!("the organization name '{name}' is already in use")
        }
        ServiceError::Conflict(Conflict::Email { email }) => {
            format!("the email '{email}' is already in use")
        }
        ServiceError::Conflict(other) => format!("conflict: {other:?}"),
        ServiceError::Invalid(Invalid::Email { value }) => {
            format!("'{value}' is not an email address")
        }
        ServiceError::Invalid(Invalid::Role { value }) => {
            format!("'{value}' is not a role (Owner or Member)")
        }
        ServiceError::Invalid(Invalid::ConnectionType { value }) => format!(
            "'{value}' is not a connection type (queue, database, soapWebService, webService, twitter, lift, email)"
        ),
        ServiceError::Invalid(Invalid::Field { field, rule }) => match rule {
            FieldRule::NotEmpty => format!("{field} must not be empty"),
            FieldRule::NonEmptyString => format!("{field} must be a non-empty string"),
            FieldRule::MinChars(n) => format!("{field} must be at least {n} characters"),
            FieldRule::MaxChars(n) => format!("{field} must be at most {n} characters"),
        },
        ServiceError::Invalid(Invalid::TooManyItems { max }) => {
            format!("at most {max} items at once")
        }
        ServiceError::Invalid(Invalid::Text { field, problem }) => {
            let field = match field {
                TextField::Name => "the name",
                TextField::OwnerName => "the owner's name",
                TextField::Email => "the email",
                TextField::Description => "the description",
                TextField::Environment => "the environment",
                TextField::Tags => "a tag",
                TextField::Type => "the type",
                TextField::ConnectionName => "a connection's name",
                TextField::FirstName => "the first name",
                TextField::LastName => "the last name",
                TextField::ServiceAccountName => "the service account's name",
                TextField::ProjectName => "the project's name",
                TextField::Note => "the note",
                TextField::Value => "the value",
                TextField::Url => "the URL",
            };
            match problem {
                TextProblem::Blank => format!("{field} must not be blank"),
                TextProblem::TooLong { max } => format!("{field} must be at most {max} characters"),
                TextProblem::ForbiddenCharacter => format!(
                    "{field} must not contain control characters or bidirectional overrides"
                ),
            }
        }
        ServiceError::Invalid(other) => format!("invalid: {other:?}"),
        ServiceError::Unauthorized(Unauthorized::TokenInvalid) => "the token is not valid".into(),
        ServiceError::Unauthorized(other) => format!("unauthorized: {other:?}"),
        ServiceError::TemplateGeneration { template } => {
            format!("template {template} could not be generated")
        }
        ServiceError::Throttled { retry_after_secs } => {
            format!("too many attempts: retry in {retry_after_secs} seconds")
        }
        ServiceError::Busy { retry_after_secs } => {
            format!("busy: retry in {retry_after_secs} seconds")
        }
        ServiceError::Internal(e) => format!("{e:#}"),
    }
}
