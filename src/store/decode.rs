//! Columns decoded into domain types as rows are read. A value that does not decode fails the
//! read (`sqlx::Error::ColumnDecode`, an internal error): a damaged role never reads as
//! Member, nor damaged tags as none.
//!
//! Every such column is text on both databases; the domain types stay free of sqlx, and
//! their parsers are the only judges of what is valid.

use std::error::Error;
use std::fmt;

use serde::de::DeserializeOwned;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Type};

use crate::domain::connection::ConnectionType;
use crate::domain::{ApiKeyStatus, Email, OrgPath, PublicId, Role, TokenKind};

/// A stored value that is not what its column should hold. It names the column's type and
/// quotes the value only when the value is a name from a closed list (never an email, a
/// path or JSON, which are data).
#[derive(Debug)]
struct Undecodable {
    what: &'static str,
    value: Option<String>,
}

impl fmt::Display for Undecodable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{value:?} is not a valid {}", self.what),
            None => write!(f, "not a valid {}", self.what),
        }
    }
}

impl Error for Undecodable {}

/// Gives `$ty` the SQL type of text, decoded by `$parse` (`&str` → `Option<$ty>`); with
/// `quoted`, a value that does not parse is quoted in the error.
macro_rules! text_column {
    ($ty:ty, $what:literal, $parse:expr, $quoted:literal) => {
        impl<DB: Database> Type<DB> for $ty
        where
            str: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $ty
        where
            &'r str: Decode<'r, DB>,
        {
            fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<DB>>::decode(value)?;
                let parse: fn(&str) -> Option<$ty> = $parse;
                parse(text).ok_or_else(|| {
                    Box::new(Undecodable {
                        what: $what,
                        value: $quoted.then(|| text.to_owned()),
                    }) as BoxDynError
                })
            }
        }
    };
}

text_column!(Role, "role", Role::parse, true);
text_column!(TokenKind, "token kind", TokenKind::parse, true);
text_column!(ApiKeyStatus, "API key status", ApiKeyStatus::parse, true);
text_column!(
    ConnectionType,
    "connection type",
    ConnectionType::parse,
    true
);
text_column!(PublicId, "public id", PublicId::parse, true);
text_column!(OrgPath, "organization path", OrgPath::parse, false);
text_column!(Email, "email address", Email::parse, false);

/// A column holding JSON as text, decoded into `T`.
#[derive(Debug, Clone)]
pub struct JsonText<T>(pub T);

impl<T, DB: Database> Type<DB> for JsonText<T>
where
    str: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <str as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <str as Type<DB>>::compatible(ty)
    }
}

impl<'r, T: DeserializeOwned, DB: Database> Decode<'r, DB> for JsonText<T>
where
    &'r str: Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<DB>>::decode(value)?;
        serde_json::from_str(text).map(JsonText).map_err(|_| {
            Box::new(Undecodable {
                what: std::any::type_name::<T>(),
                value: None,
            }) as BoxDynError
        })
    }
}
