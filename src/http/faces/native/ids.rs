//! Ids in paths: each a typed extractor (a UUID, refused with a 400 problem naming the
//! parameter) that also documents itself as an OpenAPI path parameter.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{KnownFormat, Object, Required, SchemaFormat, Type};

use super::Native;
use super::problem::ApiError;
use crate::domain::PublicId;
use crate::http::kit::Face;

/// The value of path parameter `name` as an id.
async fn path_id<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    name: &str,
) -> Result<PublicId, ApiError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| Native::route_not_found())?;
    let (_, value) = params
        .iter()
        .find(|(param, _)| *param == name)
        .ok_or_else(Native::route_not_found)?;
    PublicId::parse(value).ok_or_else(|| Native::invalid_id(name, value))
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
