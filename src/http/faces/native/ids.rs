//! Ids in paths: each a typed extractor (a UUID, refused with a 400 problem naming the
//! parameter) that also documents itself as an OpenAPI path parameter. idOS keys, named by
//! their public key (32 hexadecimal characters), have extractors of the same kind.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{KnownFormat, Object, Required, SchemaFormat, Type};

use super::Native;
use super::problem::ApiError;
use crate::domain::PublicId;
use crate::http::kit::Face;

/// The value of path parameter `name`.
async fn path_value<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    name: &str,
) -> Result<String, ApiError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| Native::route_not_found())?;
    let (_, value) = params
        .iter()
        .find(|(param, _)| *param == name)
        .ok_or_else(Native::route_not_found)?;
    Ok(value.to_owned())
}

/// The value of path parameter `name` as an id.
async fn path_id<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    name: &str,
) -> Result<PublicId, ApiError> {
    let value = path_value(parts, state, name).await?;
    PublicId::parse(&value).ok_or_else(|| Native::invalid_id(name, &value))
}

/// How many hexadecimal characters an idOS public key has.
const KEY_CHARS: usize = 32;

/// The value of path parameter `name` as an idOS public key.
async fn path_key<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    name: &str,
) -> Result<String, ApiError> {
    let value = path_value(parts, state, name).await?;
    let is_key = value.len() == KEY_CHARS
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if is_key {
        Ok(value)
    } else {
        Err(ApiError::bad_parameter(
            name,
            "is not a public key: 32 lowercase hexadecimal characters",
        ))
    }
}

fn key_parameter(name: &str, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(
            Object::builder()
                .schema_type(Type::String)
                .pattern(Some("^[0-9a-f]{32}$")),
        ))
        .build()
}

fn uuid_parameter(name: &str, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(description))
        .schema(Some(
            Object::builder()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
        ))
        .build()
}

/// A path id extractor `$name` for the route parameter `$param`.
macro_rules! path_id {
    ($name:ident, $param:literal, $description:literal) => {
        #[doc = $description]
        pub struct $name(pub PublicId);

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
                path_id(parts, state, $param).await.map(Self)
            }
        }

        impl utoipa::IntoParams for $name {
            fn into_params(_parameter_in: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                vec![uuid_parameter($param, $description)]
            }
        }
    };
}

path_id!(OrgId, "org_id", "The organization's id");
path_id!(UserId, "user_id", "The user's id");
path_id!(HookId, "hook_id", "The hook's id");
path_id!(ProjectId, "project_id", "The project's id");
path_id!(ConnectionId, "connection_id", "The connection's id");
path_id!(AccountId, "account_id", "The cloud account's id");
path_id!(ApiKeyId, "key_id", "The API key's id");

/// A path key extractor `$name` for the route parameter `$param`.
macro_rules! path_key {
    ($name:ident, $param:literal, $description:literal) => {
        #[doc = $description]
        pub struct $name(pub String);

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
                path_key(parts, state, $param).await.map(Self)
            }
        }

        impl utoipa::IntoParams for $name {
            fn into_params(_parameter_in: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                vec![key_parameter($param, $description)]
            }
        }
    };
}

path_key!(
    CredentialKey,
    "credential_key",
    "The idOS credential's public key"
);
path_key!(HandlerKey, "handler_key", "The idOS handler's public key");
path_key!(IdentityKey, "identity_key", "The identity key's public key");
